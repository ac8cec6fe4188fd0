"""Benchmark: ``--workers 2`` against ``--workers 1`` on the same generated corpus, same run.

Generates the council-submission PDFs of ``benchmarks/ingest.py`` (its ``make_corpus``),
then ingests them in-process into a fresh SQLite store with 1 worker, with 1 worker one
file after the other (each file read, then stored, before the next: the path of a flow's
per-file tasks) and with 2 workers (alternating, ``--repeat`` times, best of each) and
prints seconds, pages/s and the ratios, with where the time went: CPU of this process (discovery, hashing, unpickling the
worker's answers, the store writes) and CPU of the worker processes (reading the files).

``--classify`` also measures classify's batches of passages on 1 and 2 threads
(``predict`` only, no store writes), to see whether threads help there.

Usage::

    python benchmarks/parallel.py [--docs 24] [--pages 8] [--repeat 2] [--classify]
"""

from __future__ import annotations

import argparse
import os
import resource
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from ingest import count_pages, make_corpus  # noqa: E402 - the corpus of benchmarks/ingest.py

os.environ["WATEXT_OCR"] = "off"


def _cpu() -> tuple[float, float]:
    me = resource.getrusage(resource.RUSAGE_SELF)
    kids = resource.getrusage(resource.RUSAGE_CHILDREN)  # worker processes, once stopped
    return me.ru_utime + me.ru_stime, kids.ru_utime + kids.ru_stime


def _one_after_the_other(unit, *args, **kwargs):
    """A step that is not ``pipeline.call``: each file read, then stored, before the next is
    handed over (what a flow's per-file tasks do)."""
    return unit(*args, **kwargs)


def ingest_once(paths: list[Path], db: str, workers: int, serial: bool = False) -> dict[str, float]:
    from watext import pipeline
    from watext.settings import Settings
    from watext.store import open_store

    settings = Settings(db=db, workers=workers)
    cpu0, t0 = _cpu(), time.perf_counter()
    with open_store(db) as store:
        if serial:
            batch = pipeline.ingest(store, settings, paths, step=_one_after_the_other)
        else:
            batch = pipeline.ingest(store, settings, paths)
    wall, cpu1 = time.perf_counter() - t0, _cpu()
    if batch.failed:
        raise SystemExit(f"benchmark corpus failed to ingest: {batch.failed[0].reason}")
    return {"seconds": wall, "parent_cpu": cpu1[0] - cpu0[0], "worker_cpu": cpu1[1] - cpu0[1],
            "passages": batch.summary()["passages"]}  # fmt: skip


def classify_threads(db: str, threads: int, batch: int = 500) -> tuple[float, int]:
    """Seconds to predict every stored passage in batches on ``threads`` threads (no writes)."""
    from watext.pipeline import _model
    from watext.settings import Settings
    from watext.store import open_store
    from watext.tag import analysis
    from watext.tag.registry import resolve_model_dir

    path = str(resolve_model_dir(None, Settings(db=db).models_dir))
    model, meta = _model(path)
    with open_store(db) as store:
        rows = [r for chunk in store.passages_without_prediction(meta["name"], meta["version"], batch) for r in chunk]
    chunks = [rows[i : i + batch] for i in range(0, len(rows), batch)]
    model.predictions(rows[:20], meta["name"], meta["version"])  # warm: spaCy pipelines loaded
    analysis._cache.clear()  # noqa: SLF001 - texts analysed by an earlier run would be free
    t0 = time.perf_counter()
    with ThreadPoolExecutor(threads) as pool:
        n = sum(len(p) for p in pool.map(lambda c: model.predictions(c, meta["name"], meta["version"]), chunks))
    return time.perf_counter() - t0, n


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--docs", type=int, default=24)
    ap.add_argument("--pages", type=int, default=8, help="content pages per document")
    ap.add_argument("--repeat", type=int, default=2, help="runs of each setting; the best counts")
    ap.add_argument("--classify", action="store_true", help="also time classify on 1 and 2 threads")
    args = ap.parse_args(argv)
    print(f"cores: {os.cpu_count()}, load average: {', '.join(f'{x:.1f}' for x in os.getloadavg())}")
    with tempfile.TemporaryDirectory(prefix="watext-bench-par-") as tmp:
        folder = Path(tmp)
        corpus = folder / "corpus"
        corpus.mkdir()
        paths = make_corpus(corpus, args.docs, args.pages)
        pages = count_pages(paths)
        print(f"corpus: {len(paths)} PDFs, {pages} pages")
        settings = {"1": (1, False), "1 serial": (1, True), "2": (2, False)}
        runs: dict[str, list[dict[str, float]]] = {k: [] for k in settings}
        for r in range(args.repeat):
            for k, (workers, serial) in settings.items():
                name = k.replace(" ", "_")
                db = f"sqlite:///{folder / f'w{name}_{r}.db'}"
                runs[k].append(ingest_once(paths, db, workers, serial))
        best = {w: min(rs, key=lambda x: x["seconds"]) for w, rs in runs.items()}
        print(f"{'workers':<10}{'seconds':>9}{'pages/s':>9}{'this proc CPU s':>17}{'workers CPU s':>15}")
        for w, b in best.items():
            print(f"{w:<10}{b['seconds']:>9.2f}{pages / b['seconds']:>9.1f}{b['parent_cpu']:>17.2f}{b['worker_cpu']:>15.2f}")
        every = {w: ", ".join(f"{x['seconds']:.1f}" for x in rs) for w, rs in runs.items()}
        print(f"speed-up with 2 workers: {best['1']['seconds'] / best['2']['seconds']:.2f}x over 1 worker "
              f"(which stores a file while its worker reads the next); "
              f"{best['1 serial']['seconds'] / best['2']['seconds']:.2f}x over 1 worker one file after the other "
              f"(as a flow's per-file tasks run)")
        print("all runs: " + "; ".join(f"{w}: {every[w]} s" for w in runs))
        if args.classify:
            db = f"sqlite:///{folder / 'w1_0.db'}"
            times: dict[int, list[float]] = {1: [], 2: []}
            for _ in range(args.repeat):
                for threads in (1, 2):
                    secs, n = classify_threads(db, threads)
                    times[threads].append(secs)
            t1, t2 = min(times[1]), min(times[2])
            print(f"classify predict, {n} passages: 1 thread {t1:.2f} s, 2 threads {t2:.2f} s "
                  f"({t1 / t2:.2f}x)")  # fmt: skip


if __name__ == "__main__":
    sys.exit(main())
