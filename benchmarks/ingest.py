"""Benchmark: pages per second of the whole ingest path, next to raw text extraction.

Three modes, each measuring its baselines in the same run:

- **generated corpus** (default; ``--docs D --pages P``): D council-submission-like PDFs
  of P content pages each (reportlab; headings, paragraphs, numbered lists, a table per
  document, running footers);
- **real documents** (``--real DIR``): every PDF in DIR, read where it lies (e.g.
  ``../shared/real-docs``: 15 real municipal PDFs, 109 pages; the scans among them fail
  with ``needs_ocr`` because OCR is off, which costs little and is counted);
- **one big PDF** (``--pages N`` without ``--docs``): one generated N-page PDF (simple
  text per page, a ruled table every 50 pages) ingested in a child process; prints its
  time and the peak RSS of that process tree (the child and its file worker). Note
  ``WATEXT_MAX_PAGES`` (default 2000): a longer PDF is refused as ``too_large``.

The throughput modes print pages/s of:

1. raw pypdfium2 text extraction (the fastest possible text layer read),
2. raw pdfplumber ``extract_text``,
3. per engine (``--engine pdfium,pdfplumber``, default both): watext's whole ingest
   (``pipeline.ingest``, what ``watext ingest`` runs: the file worker processes, sniff,
   extract, metadata, segmentation, storing in a fresh SQLite db; OCR off), one row per
   worker count of ``--workers`` (default ``0,1``: watext's default, one worker per core,
   at most 4, and one worker), and the same per-file work in this process without a
   worker (``ingest_file``), which leaves out the worker's start (a fork, a few ms, when
   the process runs no other thread, else a fresh interpreter, 0.2-0.5 s) and the hand-over,

with the ratios "whole / raw pypdfium2" and "whole / pdfplumber" (pages/s over pages/s), each
row's best of ``--repeat`` rounds; the rounds time every row one after the other, so with
``--repeat`` > 1 it also prints each row's ratio to the raw pypdfium2 read of the same round
(median and range), which a machine whose speed drifts during the run moves less.
``--profile FILE`` additionally runs the in-process ingest of the first engine under
cProfile, writes FILE and prints the top cumulative entries. Usage::

    python benchmarks/ingest.py [--docs 20] [--pages 10] [--repeat 1] [--engine pdfium,pdfplumber]
    python benchmarks/ingest.py --real ../shared/real-docs [--repeat 3] [--profile out.prof]
    python benchmarks/ingest.py --pages 2000 [--engine pdfium]
"""

from __future__ import annotations

import argparse
import json
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

WORDS = (
    "Willkommenskultur Integration Sprachkurse Beratung Ausländerbehörde Welcome Center "
    "Fachkräfte Teilhabe Migrationsbeirat Ehrenamt Patenschaften Unterkünfte Verwaltung "
    "interkulturelle Öffnung Dolmetscherservice Stadtteil Netzwerk Maßnahmen Konzept "
    "Förderung Bildung Jugend Soziales Kooperation Vereine Geflüchtete Anerkennung"
).split()
ENGINES = ("pdfium", "pdfplumber")


def _sentence(rng: random.Random) -> str:
    words = [rng.choice(WORDS) for _ in range(rng.randint(8, 18))]
    words[0] = words[0].capitalize()
    return " ".join(words) + "."


def make_corpus(folder: Path, docs: int, pages: int, seed: int = 7) -> list[Path]:
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.styles import getSampleStyleSheet
    from reportlab.platypus import ListFlowable, PageBreak, Paragraph, SimpleDocTemplate, Table

    rng = random.Random(seed)
    styles = getSampleStyleSheet()
    paths = []
    for d in range(docs):
        path = folder / f"vorlage_{d:03d}.pdf"

        def footer(canvas, doc):  # running footer, dropped by the extractor
            canvas.setFont("Helvetica", 8)
            canvas.drawString(72, 30, f"Stadt Musterstadt – Vorlage VO/2026/{d:04d} – Seite {doc.page}")

        story = [
            Paragraph(f"Beschlussvorlage VO/2026/{d:04d}", styles["Title"]),
            Table([["Gremium", "Datum", "Sitzungsart", "Zuständigkeit"],
                   ["Rat der Stadt Musterstadt", "09.12.2026", "Ö", "Entscheidung"]]),
        ]
        for p in range(pages):
            story.append(Paragraph(f"{p + 1}. Abschnitt zur Willkommenskultur", styles["Heading2"]))
            for _ in range(4):
                story.append(Paragraph(" ".join(_sentence(rng) for _ in range(4)), styles["BodyText"]))
            story.append(ListFlowable(
                [Paragraph(_sentence(rng), styles["BodyText"]) for _ in range(4)],
                bulletType="1",
            ))
            story.append(PageBreak())
        SimpleDocTemplate(str(path), pagesize=A4).build(story, onFirstPage=footer, onLaterPages=footer)
        paths.append(path)
    return paths


def make_big_pdf(path: Path, pages: int, seed: int = 7) -> Path:
    """One ``pages``-page PDF drawn straight on a reportlab canvas (fast): a heading and
    about 40 lines of text per page, a ruled 4x5 table every 50 pages, a page footer."""
    from reportlab.lib.pagesizes import A4
    from reportlab.pdfgen.canvas import Canvas

    rng = random.Random(seed)
    lines = []
    for _ in range(400):  # a pool of lines, cycled (generating 80,000 lines costs seconds)
        words = [rng.choice(WORDS) for _ in range(rng.randint(7, 10))]
        lines.append(" ".join(words))
    c = Canvas(str(path), pagesize=A4)
    height = A4[1]
    k = 0
    for p in range(1, pages + 1):
        c.setFont("Helvetica-Bold", 14)
        c.drawString(72, height - 72, f"{p}. Abschnitt zur Willkommenskultur")
        c.setFont("Helvetica", 10)
        y = height - 100
        rows = 40
        if p % 50 == 0:  # a ruled table at the top of the page
            x0, w, h = 72, 110, 18
            for r in range(5):
                for col in range(4):
                    c.rect(x0 + col * w, y - (r + 1) * h, w, h)
                    c.drawString(x0 + col * w + 4, y - (r + 1) * h + 5,
                                 f"Zeile {r} Spalte {col}" if r else f"Kopf {col}")
            y -= 6 * h
            rows = 34
        for _ in range(rows):
            text = lines[k % len(lines)]
            k += 1
            c.drawString(72, y, text + ("." if k % 3 == 0 else ""))
            y -= 14
        c.setFont("Helvetica", 8)
        c.drawString(72, 30, f"Stadt Musterstadt – Bericht – Seite {p}")
        c.showPage()
    c.save()
    return path


def count_pages(paths: list[Path]) -> int:
    import pypdfium2

    total = 0
    for p in paths:
        pdf = pypdfium2.PdfDocument(str(p))
        total += len(pdf)
        pdf.close()
    return total


def bench_pypdfium2(paths: list[Path]) -> int:
    import pypdfium2

    chars = 0
    for p in paths:
        pdf = pypdfium2.PdfDocument(str(p))
        for page in pdf:
            chars += len(page.get_textpage().get_text_range())
        pdf.close()
    return chars


def bench_pdfplumber(paths: list[Path]) -> int:
    import pdfplumber

    chars = 0
    for p in paths:
        with pdfplumber.open(p) as pdf:
            for page in pdf.pages:
                chars += len(page.extract_text() or "")
    return chars


def _settings(db: str, engine: str, workers: int = 1):
    from watext.settings import Settings

    return Settings(db=db, ocr="off", pdf_engine=engine, workers=workers)


def bench_watext(paths: list[Path], db: str, engine: str, workers: int = 1) -> dict:
    """The whole ingest: ``pipeline.ingest`` (file worker processes included)."""
    from watext import pipeline
    from watext.store import open_store

    with open_store(db) as store:
        batch = pipeline.ingest(store, _settings(db, engine, workers), paths)
    return batch.summary() | {"codes": sorted({f.code for f in batch.failed})}


def bench_inprocess(paths: list[Path], db: str, engine: str) -> dict:
    """The same per-file work in this process (``ingest_file`` without a worker)."""
    from watext.enrich.cities import load_cities
    from watext.ingest.files import BatchResult, ingest_file
    from watext.store import open_store

    settings = _settings(db, engine)
    known = [c.name for c in load_cities()]
    batch = BatchResult()
    with open_store(db) as store:
        for p in paths:
            batch.files.append(ingest_file(Path(p), store, settings, None, known))
    return batch.summary() | {"codes": sorted({f.code for f in batch.failed})}


def timed(fn, *args) -> tuple[float, object]:
    start = time.perf_counter()
    out = fn(*args)
    return time.perf_counter() - start, out


def _warm_up(folder: Path) -> float:
    """Import watext (the pipeline module pulls in the classifier's libraries) and load its
    lookup data once, so no measured run pays for it; returns the seconds that took."""
    start = time.perf_counter()
    from watext import pipeline  # noqa: F401
    from watext.enrich.cities import load_cities
    from watext.enrich.language import detect_language
    from watext.store import open_store

    load_cities()
    detect_language("warm up")
    open_store(f"sqlite:///{folder / 'warm.db'}").close()
    return time.perf_counter() - start


def throughput(paths: list[Path], folder: Path, engines: list[str], repeat: int, profile: str | None,
               fail_ok: bool, workers: list[int] = (1,)) -> None:
    pages = count_pages(paths)
    print(f"importing watext.pipeline and loading lookup data (once per process, not measured below): "
          f"{_warm_up(folder):.2f} s")
    # one round per repeat, raw reads and whole ingests interleaved: a VM whose speed drifts
    # during the run then moves both sides of a round alike (its per-round ratios below)
    rows: list[tuple[str, Any, tuple[Any, ...]]] = [("pypdfium2 text", bench_pypdfium2, ()),
                                                    ("pdfplumber text", bench_pdfplumber, ())]
    for engine in engines:
        rows += [(_whole_label(engine, w, len(paths)), bench_watext, (engine, w)) for w in workers]
        rows.append((f"in-process [{engine}]", bench_inprocess, (engine,)))
    times: dict[str, list[float]] = {label: [] for label, _, _ in rows}
    summaries = {}
    n = 0
    for _ in range(repeat):
        for label, fn, extra in rows:
            if fn in (bench_pypdfium2, bench_pdfplumber):
                times[label].append(timed(fn, paths)[0])
                continue
            n += 1
            secs, summary = timed(fn, paths, f"sqlite:///{folder / f'bench{n}.db'}", *extra)
            times[label].append(secs)
            summaries.setdefault(label, summary)
            if summary["failed"] and not fail_ok:
                raise SystemExit(f"benchmark corpus failed to ingest: {summary['codes']}")
    results = {label: min(t) for label, t in times.items()}
    raw, plumber = results["pypdfium2 text"], results["pdfplumber text"]
    print(f"{'path':<32}{'seconds':>9}{'pages/s':>10}{'/ pypdfium2':>13}{'/ pdfplumber':>14}")
    for name, secs in results.items():
        print(f"{name:<32}{secs:>9.2f}{pages / secs:>10.1f}{raw / secs:>12.3f}x{plumber / secs:>13.2f}x")
    for label, s in summaries.items():
        print(f"{label}: {s['new']} stored, {s['failed']} failed {s['codes'] or ''}, {s['passages']} passages")
    if repeat > 1:
        print(f"per round (raw pypdfium2 and each row timed in the same round), / pypdfium2 over {repeat} rounds:")
        for label, secs in times.items():
            if label in summaries:
                ratios = sorted(r / s for r, s in zip(times["pypdfium2 text"], secs))
                print(f"  {label:<34} median {statistics.median(ratios):.3f}x  range {ratios[0]:.3f}-{ratios[-1]:.3f}x")
    if profile:
        run_profile(paths, folder, engines[0], profile)


def _whole_label(engine: str, workers: int, files: int) -> str:
    """Row name of the whole ingest with ``workers`` (0: the default, one per core)."""
    from watext.ingest.parallel import worker_count

    n = worker_count(_settings("sqlite://", engine, workers), files)
    return f"whole [{engine}, {'default: ' if workers == 0 else ''}{n} worker{'s' if n > 1 else ''}]"


def run_profile(paths: list[Path], folder: Path, engine: str, out: str) -> None:
    import cProfile
    import pstats

    prof = cProfile.Profile()
    prof.runcall(bench_inprocess, paths, f"sqlite:///{folder / 'profile.db'}", engine)
    prof.dump_stats(out)
    print(f"\ncProfile of the in-process ingest [{engine}] -> {out}; top by cumulative time:")
    pstats.Stats(prof).sort_stats("cumulative").print_stats(30)


_CHILD = """
import json, sys, time
from watext import pipeline
from watext.settings import Settings
from watext.store import open_store
path, db, engine = sys.argv[1:4]
t = time.perf_counter()
with open_store(db) as store:
    batch = pipeline.ingest(store, Settings(db=db, ocr="off", pdf_engine=engine), [path])
f = batch.files[0]
print(json.dumps({"status": f.status, "code": f.code, "reason": f.reason, "pages": f.pages,
                  "passages": f.passages, "seconds": time.perf_counter() - t}))
"""


def _tree_rss(proc) -> tuple[int, int, int, int]:
    """RSS of ``proc`` with all its descendants, of ``proc`` alone, of its largest descendant,
    and the PSS of the tree (pages shared between processes, such as those of a forked
    file worker and its batch process, counted once in all: the sum of RSS counts them twice)."""
    import psutil

    try:
        procs = [proc, *proc.children(recursive=True)]
    except psutil.Error:
        return 0, 0, 0, 0
    rss, pss = [], 0
    for p in procs:
        try:
            full = p.memory_full_info()
            rss.append(full.rss)
            pss += getattr(full, "pss", full.rss)
        except psutil.Error:
            rss.append(0)
    return sum(rss), rss[0], max(rss[1:], default=0), pss


def big_pdf(pages: int, engines: list[str], folder: Path) -> None:
    import resource

    t_gen, path = timed(make_big_pdf, folder / f"big_{pages}.pdf", pages)
    print(f"one PDF: {count_pages([path])} pages, {path.stat().st_size / 1e6:.1f} MB (generated in {t_gen:.1f} s)")
    try:
        import psutil
    except ImportError:
        psutil = None
    for engine in engines:
        db = f"sqlite:///{folder / f'big_{engine}.db'}"
        start = time.perf_counter()
        child = subprocess.Popen([sys.executable, "-c", _CHILD, str(path), db, engine],
                                 stdout=subprocess.PIPE, text=True)
        peak = [0, 0, 0, 0]  # tree, batch process, file worker, tree PSS
        if psutil is not None:  # sum of the child and its file worker, polled
            ps = psutil.Process(child.pid)
            while child.poll() is None:
                peak = [max(a, b) for a, b in zip(peak, _tree_rss(ps))]
                time.sleep(0.05)
        out, _ = child.communicate()
        wall = time.perf_counter() - start
        # largest single process of the tree so far (Linux: KiB), exact but not a sum
        peak_one = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
        line = (out.strip().splitlines() or ["{}"])[-1]
        res = json.loads(line) if line.startswith("{") else {"status": f"crashed ({child.returncode})"}
        what = f"{res.get('status')} {res.get('code') or ''}".strip()
        print(f"[{engine}] {what}: {res.get('passages')} passages, ingest {res.get('seconds', 0):.1f} s "
              f"({pages / res['seconds']:.1f} pages/s), wall {wall:.1f} s incl. start" if "seconds" in res
              else f"[{engine}] {what} {res.get('reason') or ''}")
        tree = (f"peak RSS of the process tree (sum, sampled 20/s) {peak[0] / 2**20:.0f} MiB (batch process "
                f"{peak[1] / 2**20:.0f}, file worker {peak[2] / 2**20:.0f}), peak PSS of the tree "
                f"{peak[3] / 2**20:.0f} MiB (shared pages once); ") if peak[0] else ""
        print(f"[{engine}] {tree}largest single process (ru_maxrss, runs so far) {peak_one:.0f} MiB "
              f"(limit asked for: < 1024 MiB)")


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--docs", type=int, default=None, help="generated documents (default 20)")
    ap.add_argument("--pages", type=int, default=None,
                    help="with --docs (or alone with no other mode): content pages per generated document "
                         "(default 10); without --docs: the page count of ONE PDF for the peak-RSS test")
    ap.add_argument("--real", type=Path, default=None, help="measure the PDFs in this folder instead")
    ap.add_argument("--engine", default=",".join(ENGINES),
                    help="comma-separated PDF engines to measure (pdfium, pdfplumber); default both")
    ap.add_argument("--repeat", type=int, default=1, help="repeat and keep the best time")
    ap.add_argument("--profile", default=None, help="also cProfile the in-process ingest into this file")
    ap.add_argument("--workers", default="0,1",
                    help="comma-separated worker counts of the whole ingest (--workers N; 0: watext's default, "
                         "one per core, at most 4), e.g. 0,1,2; default 0,1")
    args = ap.parse_args(argv)
    workers = [int(w) for w in args.workers.split(",") if w.strip()]
    os.environ["WATEXT_OCR"] = "off"  # also passed as a setting; inherited by the child processes
    engines = [e.strip() for e in args.engine.split(",") if e.strip()]
    if bad := [e for e in engines if e not in ENGINES]:
        ap.error(f"unknown engine {bad[0]!r}; choose from {', '.join(ENGINES)}")
    with tempfile.TemporaryDirectory(prefix="watext-bench-") as tmp:
        folder = Path(tmp)
        if args.real is not None:
            paths = sorted(args.real.glob("*.pdf"))
            if not paths:
                raise SystemExit(f"no PDFs in {args.real}")
            print(f"real documents: {len(paths)} PDFs, {count_pages(paths)} pages in {args.real} (OCR off)")
            throughput(paths, folder, engines, args.repeat, args.profile, fail_ok=True, workers=workers)
        elif args.pages is not None and args.docs is None:
            big_pdf(args.pages, engines, folder)
        else:
            t_gen, paths = timed(make_corpus, folder, args.docs or 20, args.pages or 10)
            print(f"corpus: {len(paths)} PDFs, {count_pages(paths)} pages (generated in {t_gen:.1f} s)")
            throughput(paths, folder, engines, args.repeat, args.profile, fail_ok=False, workers=workers)


if __name__ == "__main__":
    sys.exit(main())
