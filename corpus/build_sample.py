"""Render the README quick-start sample corpus from the sources in ``corpus/sample_src/``.

Usage: ``python corpus/build_sample.py [--out corpus/sample]``

Sources use a tiny line markup: ``@key: value`` metadata, ``# ``/``## `` headings,
``- `` bullets (two-space indent = sub-bullet), ``1. `` numbered items, ``| a | b |``
table rows, ``> `` speaker notes, ``---page`` page/slide breaks; other lines are
paragraphs. Output is deterministic: fixed PDF/Office creation dates and fixed ZIP
timestamps, so a rebuild gives byte-identical files. All documents are invented.
"""

from __future__ import annotations

import argparse
import datetime as dt
import html
import io
import re
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

SRC = Path(__file__).parent / "sample_src"
FIXED_DATE = dt.datetime(2015, 3, 1, 12, 0, 0)
ZIP_DATE = (2015, 3, 1, 12, 0, 0)


@dataclass
class Item:
    kind: str  # h1 h2 p li ol table notes page
    text: str = ""
    level: int = 0
    rows: list[list[str]] = field(default_factory=list)


def parse_source(path: Path) -> tuple[dict[str, str], list[Item]]:
    """Read one markup source into metadata and a flat list of items."""
    meta: dict[str, str] = {}
    items: list[Item] = []
    for raw in path.read_text(encoding="utf-8").splitlines():
        line = raw.rstrip()
        if not line.strip():
            continue
        if m := re.match(r"@(\w+): (.*)", line):
            meta[m[1]] = m[2]
        elif line == "---page":
            items.append(Item("page"))
        elif line.startswith("|"):
            row = [c.strip() for c in line.strip().strip("|").split("|")]
            if items and items[-1].kind == "table":
                items[-1].rows.append(row)
            else:
                items.append(Item("table", rows=[row]))
        elif m := re.match(r"(#{1,2}) (.*)", line):
            items.append(Item(f"h{len(m[1])}", m[2]))
        elif m := re.match(r"( *)- (.*)", line):
            items.append(Item("li", m[2], level=len(m[1]) // 2))
        elif re.match(r"\d+\. ", line):
            items.append(Item("ol", line))
        elif line.startswith("> "):
            items.append(Item("notes", line[2:]))
        else:
            items.append(Item("p", line.strip()))
    return meta, items


def normalize_zip(data: bytes) -> bytes:
    """Rewrite a ZIP container (DOCX/PPTX) with fixed timestamps, keeping entry order."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as src, zipfile.ZipFile(out, "w") as dst:
        for info in src.infolist():
            fixed = zipfile.ZipInfo(info.filename, date_time=ZIP_DATE)
            fixed.compress_type = zipfile.ZIP_DEFLATED
            dst.writestr(fixed, src.read(info.filename))
    return out.getvalue()


# --------------------------------------------------------------------------- PDF
def render_pdf(meta: dict[str, str], items: list[Item], footer: str = "") -> bytes:
    from reportlab.lib import colors
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.styles import getSampleStyleSheet
    from reportlab.lib.units import cm
    from reportlab.platypus import (ListFlowable, ListItem, PageBreak, Paragraph,
                                    SimpleDocTemplate, Spacer, Table, TableStyle)

    styles = getSampleStyleSheet()
    total = 1 + sum(i.kind == "page" for i in items)
    story: list = []

    def on_page(canvas, doc) -> None:  # running footer "Seite N von M"
        canvas.saveState()
        canvas.setFont("Helvetica", 8)
        text = f"{footer} – Seite {doc.page} von {total}" if footer else f"Seite {doc.page} von {total}"
        canvas.drawCentredString(A4[0] / 2, 1.2 * cm, text)
        canvas.restoreState()

    bullets: list = []

    def flush() -> None:
        if bullets:
            story.append(ListFlowable([ListItem(b) for b in bullets], bulletType="bullet"))
            bullets.clear()

    for it in items:
        if it.kind != "li":
            flush()
        if it.kind == "page":
            story.append(PageBreak())
        elif it.kind in ("h1", "h2"):
            story.append(Paragraph(html.escape(it.text), styles["Heading1" if it.kind == "h1" else "Heading2"]))
        elif it.kind == "li":
            bullets.append(Paragraph(html.escape(it.text), styles["BodyText"]))
        elif it.kind in ("p", "ol"):
            story.append(Paragraph(html.escape(it.text), styles["BodyText"]))
        elif it.kind == "table":
            cells = [[Paragraph(html.escape(c), styles["BodyText"]) for c in r] for r in it.rows]
            table = Table(cells, hAlign="LEFT")
            table.setStyle(TableStyle([("GRID", (0, 0), (-1, -1), 0.5, colors.grey),
                                       ("VALIGN", (0, 0), (-1, -1), "TOP")]))
            story += [table, Spacer(1, 0.3 * cm)]
    flush()
    buf = io.BytesIO()
    doc = SimpleDocTemplate(buf, pagesize=A4, title=meta.get("title", ""), author=meta.get("author", ""),
                            creator="watext build_sample.py", invariant=1)
    doc.build(story, onFirstPage=on_page, onLaterPages=on_page)
    return buf.getvalue()


# --------------------------------------------------------------------------- DOCX
def render_docx(meta: dict[str, str], items: list[Item]) -> bytes:
    import docx

    d = docx.Document()
    props = d.core_properties
    props.title, props.author = meta.get("title", ""), meta.get("author", "")
    props.created = props.modified = props.last_printed = FIXED_DATE
    props.last_modified_by, props.revision = meta.get("author", ""), 1
    for it in items:
        if it.kind in ("h1", "h2"):
            d.add_heading(it.text, level=int(it.kind[1]))
        elif it.kind == "li":
            d.add_paragraph(it.text, style="List Bullet" if it.level == 0 else "List Bullet 2")
        elif it.kind == "ol":
            d.add_paragraph(re.sub(r"^\d+\. ", "", it.text), style="List Number")
        elif it.kind == "p":
            d.add_paragraph(it.text)
    buf = io.BytesIO()
    d.save(buf)
    return normalize_zip(buf.getvalue())


# --------------------------------------------------------------------------- PPTX
def render_pptx(meta: dict[str, str], items: list[Item]) -> bytes:
    from pptx import Presentation
    from pptx.util import Inches

    prs = Presentation()
    props = prs.core_properties
    props.title, props.author = meta.get("title", ""), meta.get("author", "")
    props.created = props.modified = props.last_printed = FIXED_DATE
    props.last_modified_by, props.revision = meta.get("author", ""), 1
    slides: list[list[Item]] = [[]]
    for it in items:
        slides.append([]) if it.kind == "page" else slides[-1].append(it)
    for content in slides:
        slide = prs.slides.add_slide(prs.slide_layouts[1])
        body = slide.placeholders[1].text_frame
        first = True
        for it in content:
            if it.kind == "h1":
                slide.shapes.title.text = it.text
            elif it.kind in ("li", "p"):
                para = body.paragraphs[0] if first else body.add_paragraph()
                para.text, para.level, first = it.text, it.level, False
            elif it.kind == "table":
                rows, cols = len(it.rows), len(it.rows[0])
                shape = slide.shapes.add_table(rows, cols, Inches(0.7), Inches(1.8),
                                               Inches(8.6), Inches(0.5 * rows))
                for r, row in enumerate(it.rows):
                    for c, text in enumerate(row):
                        shape.table.cell(r, c).text = text
            elif it.kind == "notes":
                slide.notes_slide.notes_text_frame.text = it.text
        if first:  # no bullets: drop the empty body placeholder
            sp = slide.placeholders[1]._element
            sp.getparent().remove(sp)
    buf = io.BytesIO()
    prs.save(buf)
    return normalize_zip(buf.getvalue())


# --------------------------------------------------------------------------- HTML
def render_html(meta: dict[str, str], items: list[Item], lang: str) -> bytes:
    parts = [f'<!DOCTYPE html>\n<html lang="{lang}">\n<head>\n<meta charset="utf-8">',
             f"<title>{html.escape(meta.get('title', ''))}</title>\n</head>\n<body>\n<main>"]
    in_list = False
    for it in items:
        if it.kind != "li" and in_list:
            parts.append("</ul>")
            in_list = False
        if it.kind in ("h1", "h2"):
            parts.append(f"<{it.kind}>{html.escape(it.text)}</{it.kind}>")
        elif it.kind == "li":
            if not in_list:
                parts.append("<ul>")
                in_list = True
            parts.append(f"  <li>{html.escape(it.text)}</li>")
        elif it.kind in ("p", "ol"):
            parts.append(f"<p>{html.escape(it.text)}</p>")
    if in_list:
        parts.append("</ul>")
    parts.append("</main>\n<footer><p>Invented sample document for the watext quick start.</p></footer>"
                  "\n</body>\n</html>\n")
    return "\n".join(parts).encode("utf-8")


# --------------------------------------------------------------------------- build
def build(out_dir: Path) -> list[Path]:
    """Render every sample file into ``out_dir``; return the written paths (sorted)."""
    out_dir.mkdir(parents=True, exist_ok=True)
    src = {p.stem: parse_source(p) for p in sorted(SRC.glob("*.txt")) if p.stem != "saanen_email"}
    vorlage = render_pdf(*src["darmstadt_beschlussvorlage"], footer="SV-2015/0187")
    files: dict[str, bytes] = {
        "darmstadt_beschlussvorlage_SV-2015-0187.pdf": vorlage,
        "freiberg_antwort_fragebogen.docx": render_docx(*src["freiberg_fragebogen_antwort"]),
        "chesterfield_survey_answer.html": render_html(*src["chesterfield_survey_answer"], lang="en"),
        # Windows-1252, CRLF line ends: as an old mail client would save it.
        "saanen_antwort_email.txt": (SRC / "saanen_email.txt").read_text(encoding="utf-8")
        .replace("\n", "\r\n").encode("cp1252"),
        "trondheim_welcome_culture.pptx": render_pptx(*src["trondheim_slides"]),
        "darmstadt_pressemitteilung_interkulturelle_woche.html":
            render_html(*src["darmstadt_pressemitteilung"], lang="de"),
        "osnabrueck_integrationskonzept_entwurf.pdf": render_pdf(*src["osnabrueck_integrationskonzept"]),
        # Deliberately broken: the first 40 % of a valid PDF (no xref, no trailer).
        "kaputt_vorlage.pdf": vorlage[: len(vorlage) * 2 // 5],
    }
    written = []
    for name, data in files.items():
        path = out_dir / name
        path.write_bytes(data)
        written.append(path)
    # The description of the files lives in corpus/sample_src/README.md, not beside
    # them: everything in corpus/sample/ is input to the quick start.
    return sorted(written)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=Path(__file__).parent / "sample")
    args = parser.parse_args(argv)
    for path in build(args.out):
        print(f"{path}  {path.stat().st_size:>7} bytes")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
