"""Agreement between the corpus writers' own labels and the second annotator's labels.

    .venv/bin/python corpus/writer_agreement.py > corpus/labels/AGREEMENT.md

Reads the gold lines that carry ``writer`` (passages written by writers g–k and labelled
blind by a separate annotator, see ``corpus/blind.py``); the annotator's labels are the gold.
"""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

HERE = Path(__file__).resolve().parent
GOALS = ("kulturelle_vielfalt", "teilhabe_integration", "anti_diskriminierung", "humanitaere_hilfe",
         "dienstleistungsorientierung", "standortfoerderung")  # fmt: skip


def kappa(a: list, b: list) -> tuple[float, float]:
    n = len(a)
    po = sum(x == y for x, y in zip(a, b)) / n
    ca, cb = Counter(a), Counter(b)
    pe = sum(ca[k] * cb[k] for k in set(ca) | set(cb)) / n / n
    return po, (po - pe) / (1 - pe) if pe < 1 else 1.0


def main() -> None:
    rows = [json.loads(line) for split in ("train", "heldout")
            for line in (HERE / "gold" / f"{split}.jsonl").read_text(encoding="utf-8").splitlines()
            if '"writer"' in line]  # fmt: skip
    print("# Writer vs. second annotator\n")
    print(f"{len(rows)} passages written by writers g–k (train: g, h, i; held-out: j, k) and labelled blind "
          "by a second annotator who saw only the text, TAXONOMY.md and GUIDELINE.md. The gold takes "
          "the annotator's labels; the writer's are kept as `writer` in the gold lines.\n")
    print("| dimension | writer / annotator positives | raw agreement | Cohen's κ |\n|---|---|---|---|")
    for g in GOALS:
        a, b = [g in r["writer"]["labels"] for r in rows], [g in r["labels"] for r in rows]
        po, k = kappa(a, b)
        print(f"| {g} | {sum(a)} / {sum(b)} | {po:.3f} | {k:.3f} |")
    for dim in ("body", "topic"):
        po, k = kappa([r["writer"][dim] for r in rows], [r[dim] for r in rows])
        print(f"| {dim} | — | {po:.3f} | {k:.3f} |")


if __name__ == "__main__":
    main()
