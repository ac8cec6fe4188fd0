"""Inter-annotator agreement on the gold corpus.

Two steps::

    python corpus/agreement.py sample [--n 200] [--seed 13]
        writes corpus/agreement/sample.jsonl: passages drawn from the training gold,
        stratified by writer, with only id, text, lang and city (no labels), for a
        second annotator who labels them independently into
        corpus/agreement/second.jsonl (same gold format).

    python corpus/agreement.py report
        compares the second annotation with the gold labels and writes
        corpus/agreement/REPORT.md: Cohen's kappa and Krippendorff's alpha (nominal)
        per goal category (binary), for body type and for topic, with raw agreement.
"""

from __future__ import annotations

import argparse
import json
import random
import sys
from collections import Counter, defaultdict
from pathlib import Path

HERE = Path(__file__).parent
GOLD = HERE / "gold" / "train.jsonl"
OUT = HERE / "agreement"
GOALS = ["kulturelle_vielfalt", "teilhabe_integration", "anti_diskriminierung",
         "humanitaere_hilfe", "dienstleistungsorientierung", "standortfoerderung"]


def read_jsonl(path: Path) -> list[dict]:
    with path.open(encoding="utf-8") as fh:
        return [json.loads(line) for line in fh if line.strip()]


def cohen_kappa(a: list, b: list) -> float:
    """Cohen's kappa for two coders over the same items (nominal values)."""
    n = len(a)
    if n == 0:
        return float("nan")
    po = sum(x == y for x, y in zip(a, b)) / n
    ca, cb = Counter(a), Counter(b)
    pe = sum(ca[k] * cb[k] for k in set(ca) | set(cb)) / (n * n)
    return 1.0 if pe == 1 else (po - pe) / (1 - pe)


def krippendorff_alpha(a: list, b: list) -> float:
    """Krippendorff's alpha, nominal metric, two coders, no missing values."""
    values = list(a) + list(b)
    n = len(values)
    if n == 0:
        return float("nan")
    counts = Counter(values)
    do = sum(x != y for x, y in zip(a, b)) * 2 / n  # observed disagreement (pairable values)
    de = sum(counts[c] * counts[k] for c in counts for k in counts if c != k) / (n * (n - 1))
    return 1.0 if de == 0 else 1 - do / de


def sample(n: int, seed: int) -> None:
    rows = read_jsonl(GOLD)
    by_writer: dict[str, list[dict]] = defaultdict(list)
    for r in rows:
        by_writer[r.get("author", "?")].append(r)
    rng = random.Random(seed)
    per = max(1, n // max(1, len(by_writer)))
    picked = []
    for writer in sorted(by_writer):
        pool = by_writer[writer]
        picked += rng.sample(pool, min(per, len(pool)))
    rng.shuffle(picked)
    OUT.mkdir(exist_ok=True)
    with (OUT / "sample.jsonl").open("w", encoding="utf-8") as fh:
        for r in picked:
            fh.write(json.dumps({k: r[k] for k in ("id", "text", "lang", "city")},
                                ensure_ascii=False) + "\n")
    print(f"wrote {len(picked)} passages to {OUT / 'sample.jsonl'}")


def report() -> str:
    gold = {r["id"]: r for r in read_jsonl(GOLD)}
    second = read_jsonl(OUT / "second.jsonl")
    pairs = [(gold[r["id"]], r) for r in second if r["id"] in gold]
    lines = [
        "# Inter-annotator agreement",
        "",
        f"{len(pairs)} passages of the training gold, sampled across writers "
        "(`corpus/agreement/sample.jsonl`), labelled a second time by an annotator who saw "
        "only the text, TAXONOMY.md and GUIDELINE.md (`second.jsonl`).",
        "",
        "| dimension | positives (gold / second) | raw agreement | Cohen's κ | Krippendorff's α |",
        "|---|---|---|---|---|",
    ]
    for goal in GOALS:
        a = [goal in g["labels"] for g, _ in pairs]
        b = [goal in s["labels"] for _, s in pairs]
        lines.append(_row(goal, a, b, f"{sum(a)} / {sum(b)}"))
    for dim in ("body", "topic"):
        a = [g.get(dim) or "none" for g, _ in pairs]
        b = [s.get(dim) or "none" for _, s in pairs]
        lines.append(_row(dim, a, b, "—"))
    text = "\n".join(lines) + "\n"
    (OUT / "REPORT.md").write_text(text, encoding="utf-8")
    return text


def _row(name: str, a: list, b: list, pos: str) -> str:
    raw = sum(x == y for x, y in zip(a, b)) / max(1, len(a))
    return f"| {name} | {pos} | {raw:.2f} | {cohen_kappa(a, b):.2f} | {krippendorff_alpha(a, b):.2f} |"


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    sub = ap.add_subparsers(dest="cmd", required=True)
    s = sub.add_parser("sample")
    s.add_argument("--n", type=int, default=200)
    s.add_argument("--seed", type=int, default=13)
    sub.add_parser("report")
    args = ap.parse_args(argv)
    if args.cmd == "sample":
        sample(args.n, args.seed)
    else:
        print(report())
    return 0


if __name__ == "__main__":
    sys.exit(main())
