"""Benchmark: a reprocess after a small change, against the full first run, in one run.

Two watched folders of at least ``--docs`` documents each:

- ``reports``: generated council submissions as PDF, ``--pages`` pages each (the size of
  the municipal documents watext is for; the target below is measured on these);
- ``short``: the gold-corpus documents under ``corpus/docs`` (mostly one page), topped up
  with generated survey answers: shows the fixed cost of a run.

For each, times three runs, each a fresh ``watext reprocess --no-flow`` process (what a
scheduled run costs: Prefect's runner starts a process per flow run):

1. the first run (everything is new),
2. a run after 2 files changed and 1 was added,
3. a run with nothing changed.

Prints the seconds and the ratios against the first run; the target for (2) on
``reports`` is <= 5 %. Usage::

    python benchmarks/reprocess.py [--docs 200] [--pages 8] [--kind reports|short|both]
"""

from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
TARGET = 0.05
TOPICS = (
    "Sprachkurse für Neuzugewanderte", "ein Welcome Center im Rathaus", "Patenschaften mit Ehrenamtlichen",
    "interkulturelle Öffnung der Verwaltung", "Beratung in der Ausländerbehörde", "ein Fest der Kulturen",
    "Unterkünfte für Geflüchtete", "die Anerkennung ausländischer Abschlüsse", "einen Migrationsbeirat",
)


def _answer(rng: random.Random, city: str) -> str:
    lines = [f"Antwort der Stadt {city} zur Umfrage Willkommenskultur", ""]
    for q in range(1, 8):
        lines.append(f"{q}. Frage {q}")
        lines.extend(f"Die Stadt {city} fördert {rng.choice(TOPICS)}." for _ in range(rng.randint(2, 5)))
        lines.append("")
    return "\n".join(lines)


def build_folder(inbox: Path, docs: int, seed: int = 11) -> list[Path]:
    """Real corpus documents plus generated answers, ``docs`` files at least."""
    inbox.mkdir(parents=True)
    files = []
    for src in sorted((ROOT / "corpus" / "docs").rglob("*")):
        if src.is_file():
            dst = inbox / f"{src.parent.name}-{src.name}"
            shutil.copy(src, dst)
            files.append(dst)
    rng = random.Random(seed)
    n = 0
    while len(files) < docs:
        n += 1
        dst = inbox / f"generated-{n:04d}.txt"
        dst.write_text(_answer(rng, f"Musterstadt {n}"), encoding="utf-8")
        files.append(dst)
    return files


def build_reports(inbox: Path, docs: int, pages: int) -> list[Path]:
    sys.path.insert(0, str(Path(__file__).parent))
    from ingest import make_corpus  # benchmarks/ingest.py: the same generated submissions

    inbox.mkdir(parents=True)
    return make_corpus(inbox, docs, pages)


def change_reports(inbox: Path, files: list[Path], pages: int) -> None:
    """Two submissions rewritten (other text), one new."""
    from ingest import make_corpus

    with tempfile.TemporaryDirectory() as tmp:
        fresh = make_corpus(Path(tmp), 3, pages, seed=99)
        for old, new in zip(files[:2], fresh[:2]):
            shutil.copy(new, old)
        shutil.copy(fresh[2], inbox / "vorlage_neu.pdf")


def change_short(inbox: Path, files: list[Path]) -> None:
    for f in [f for f in files if f.suffix == ".txt"][:2]:
        f.write_text(f.read_text(encoding="utf-8") + "\nNachtrag: Die Stadt richtet ein Welcome Center ein.\n",
                     encoding="utf-8")  # fmt: skip
    (inbox / "neu-antwort.txt").write_text(_answer(random.Random(99), "Neustadt"), encoding="utf-8")


def reprocess(config: Path, env: dict[str, str]) -> tuple[float, dict]:
    start = time.perf_counter()
    proc = subprocess.run([sys.executable, "-m", "watext", "reprocess", "--config", str(config), "--no-flow"],
                          capture_output=True, text=True, env=env, cwd=ROOT, check=False)  # fmt: skip
    seconds = time.perf_counter() - start
    if proc.returncode != 0:
        raise SystemExit(f"reprocess failed: {proc.stderr[-2000:]}")
    return seconds, json.loads(proc.stdout.strip().splitlines()[-1])


def measure(kind: str, docs: int, pages: int) -> float:
    """Build the folder, run three times, print the lines; returns the ratio of run 2."""
    with tempfile.TemporaryDirectory(prefix="watext-bench-") as tmp:
        base = Path(tmp)
        inbox = base / "inbox"
        files = build_reports(inbox, docs, pages) if kind == "reports" else build_folder(inbox, docs)
        config = base / "watext.toml"
        config.write_text('[store]\ndb = "sqlite:///w.db"\n\n[[sources]]\nname = "bench"\npath = "inbox"\n'
                          'interval = "10s"\nout = "out"\n', encoding="utf-8")  # fmt: skip
        env = {**os.environ, "WATEXT_OCR": "off"}
        first, r1 = reprocess(config, env)
        change_reports(inbox, files, pages) if kind == "reports" else change_short(inbox, files)
        second, r2 = reprocess(config, env)
        idle, _ = reprocess(config, env)
    what = f"{pages}-page PDFs" if kind == "reports" else "gold-corpus documents and short answers"
    print(f"\n{kind}: {len(files)} {what} ({r1['documents_new']} stored, {r1['documents_failed']} failed)")
    print(f"{'run':34} {'seconds':>8} {'vs first':>9}")
    print(f"{'1. first run (all new)':34} {first:8.1f} {1:9.3f}")
    print(f"{'2. 2 changed + 1 new':34} {second:8.1f} {second / first:9.3f}"
          f"   ({r2['documents_changed']} changed, {r2['documents_new']} new)")
    print(f"{'3. nothing changed':34} {idle:8.1f} {idle / first:9.3f}")
    return second / first


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--docs", type=int, default=200)
    ap.add_argument("--pages", type=int, default=8)
    ap.add_argument("--kind", choices=("reports", "short", "both"), default="both")
    args = ap.parse_args(argv)
    ratios = {k: measure(k, args.docs, args.pages) for k in ("reports", "short") if args.kind in (k, "both")}
    if "reports" in ratios:
        ok = ratios["reports"] <= TARGET
        print(f"\ntarget: run 2 <= {TARGET:.0%} of run 1 on the {args.pages}-page reports: "
              f"{'met' if ok else 'NOT met'} ({ratios['reports']:.1%})")
        return 0 if ok else 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
