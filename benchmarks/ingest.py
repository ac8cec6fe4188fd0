"""Benchmark: pages per second of the whole ingest path, next to raw text extraction.

Generates a multi-page corpus of council-submission-like PDFs (reportlab; headings,
paragraphs, numbered lists, a table per document, running footers), then measures in
the same run:

1. raw pypdfium2 text extraction (the fastest possible text layer read),
2. raw pdfplumber ``extract_text`` (the library watext uses),
3. watext's whole ingest path: sniff, extract (layout, tables, repairs), metadata,
   segmentation and storing in SQLite (spaCy runs once per passage at classify, not here).

Prints pages/s of each and the ratios. Usage::

    python benchmarks/ingest.py [--docs 20] [--pages 10] [--repeat 1]
"""

from __future__ import annotations

import argparse
import random
import sys
import tempfile
import time
from pathlib import Path

WORDS = (
    "Willkommenskultur Integration Sprachkurse Beratung Ausländerbehörde Welcome Center "
    "Fachkräfte Teilhabe Migrationsbeirat Ehrenamt Patenschaften Unterkünfte Verwaltung "
    "interkulturelle Öffnung Dolmetscherservice Stadtteil Netzwerk Maßnahmen Konzept "
    "Förderung Bildung Jugend Soziales Kooperation Vereine Geflüchtete Anerkennung"
).split()


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


def bench_watext(paths: list[Path], db: str) -> int:
    from watext import pipeline
    from watext.settings import Settings
    from watext.store import open_store

    settings = Settings(db=db)
    with open_store(db) as store:
        batch = pipeline.ingest(store, settings, paths)
    failed = batch.failed
    if failed:
        raise SystemExit(f"benchmark corpus failed to ingest: {failed[0].reason}")
    return batch.summary()["passages"]


def timed(fn, *args) -> tuple[float, int]:
    start = time.perf_counter()
    out = fn(*args)
    return time.perf_counter() - start, out


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--docs", type=int, default=20)
    ap.add_argument("--pages", type=int, default=10, help="content pages per document")
    ap.add_argument("--repeat", type=int, default=1, help="repeat and keep the best time")
    args = ap.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="watext-bench-") as tmp:
        folder = Path(tmp)
        t_gen, paths = timed(make_corpus, folder, args.docs, args.pages)
        pages = count_pages(paths)
        print(f"corpus: {len(paths)} PDFs, {pages} pages (generated in {t_gen:.1f} s)")
        results = {}
        for name, fn in (("pypdfium2 text", bench_pypdfium2), ("pdfplumber text", bench_pdfplumber)):
            results[name] = min(timed(fn, paths)[0] for _ in range(args.repeat))
        runs = []
        for r in range(args.repeat):
            db = f"sqlite:///{folder / f'bench{r}.db'}"
            runs.append(timed(bench_watext, paths, db))
        results["watext ingest"] = min(t for t, _ in runs)
        passages = runs[0][1]
    base = results["pdfplumber text"]
    print(f"{'path':<18}{'seconds':>9}{'pages/s':>10}{'vs pdfplumber':>15}{'vs pypdfium2':>14}")
    for name, secs in results.items():
        print(f"{name:<18}{secs:>9.2f}{pages / secs:>10.1f}{base / secs:>14.2f}x"
              f"{results['pypdfium2 text'] / secs:>13.3f}x")
    print(f"watext stored {passages} passages ({passages / results['watext ingest']:.0f} passages/s)")


if __name__ == "__main__":
    sys.exit(main())
