"""Build the watext corpus: validate JSON sources, render real files, export gold lines.

Usage::

    python corpus/build.py [--src corpus/src] [--out corpus/docs] [--gold corpus/gold] [--strict]

1. Every ``<src>/<split>/*.json`` is loaded and validated against ``corpus/SCHEMA.md``
   (labels, body/topic/kind values, ``body_name`` verbatim in the text, unique ids, ...).
   Invalid files are skipped with a warning (``--strict``: the build stops).
2. Each valid document is rendered by its ``format`` into ``<out>/<split>/<id>.<ext>``
   (pdf via reportlab, pptx via python-pptx, docx via python-docx, html, txt). Output is
   deterministic: fixed creation dates and fixed ZIP timestamps, so a rebuild is
   byte-identical.
3. Gold JSON lines ``<gold>/<split>.jsonl``: one line per passage, ids ``<doc>-<nnn>``.
4. ``<gold>/STATS.md`` with per-split statistics and the corpus targets (✓/✗); printed.

All documents are invented by the corpus writers.
"""

from __future__ import annotations

import argparse
import datetime as dt
import html
import io
import json
import re
import sys
import zipfile
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from watext.model import BODY_LABELS, GOAL_LABELS, TOPIC_LABELS

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
FIXED_DATE = dt.datetime(2015, 3, 1, 12, 0, 0)
ZIP_DATE = (2015, 3, 1, 12, 0, 0)

SPLITS = ("train", "table_test", "ood", "heldout")
GOALS, BODIES, TOPICS = GOAL_LABELS, BODY_LABELS, TOPIC_LABELS
KINDS = ("paragraph", "list_item", "fragment", "table_cell")
DOC_TYPES = ("slides", "council_submission", "minutes", "survey_answer", "concept", "press_release", "letter")
FORMATS = {"pdf": "pdf", "pptx": "pptx", "docx": "docx", "html": "html", "txt": "txt"}
LANGS = ("de", "en")
PARTNER_CITIES = {"Bursa", "Brescia", "Chesterfield", "Darmstadt", "Freiberg", "Saanen", "Trondheim"}
ID_RE = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
DATE_RE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
GOLD_KEYS = ("id", "text", "lang", "city", "labels", "body", "body_name", "topic")


class SourceError(ValueError):
    """A source JSON file breaks the schema."""


# =========================================================================== loading
def load_cities() -> set[str]:
    path = ROOT / "src" / "watext" / "tag" / "rules" / "cities.jsonl"
    names: set[str] = set()
    if path.exists():
        for line in path.read_text(encoding="utf-8").splitlines():
            if line.strip():
                names.add(json.loads(line)["name"])
    return names


def _date_ok(value: Any) -> bool:
    if not isinstance(value, str) or not DATE_RE.match(value):
        return False
    try:
        dt.date.fromisoformat(value)
    except ValueError:
        return False
    return True


def validate(doc: Any, path: Path) -> list[str]:
    """Return the schema problems of one source document ("" list when valid).

    Each problem names the place: ``sections[2].passages[5]: ...``.
    """
    errs: list[str] = []
    if not isinstance(doc, dict):
        return ["top level is not a JSON object"]
    for key in ("id", "city", "doc_type", "format", "lang", "title", "date", "author", "split", "sections"):
        if key not in doc:
            errs.append(f"missing key {key!r}")
    if errs:
        return errs
    did = doc["id"]
    if not isinstance(did, str) or not ID_RE.match(did):
        errs.append(f"id {did!r} is not lowercase [a-z0-9-]")
    elif path.stem != did:
        errs.append(f"file name {path.name!r} does not match id {did!r}")
    if doc["doc_type"] not in DOC_TYPES:
        errs.append(f"doc_type {doc['doc_type']!r} not in {DOC_TYPES}")
    if doc["format"] not in FORMATS:
        errs.append(f"format {doc['format']!r} not in {tuple(FORMATS)}")
    if doc["lang"] not in LANGS:
        errs.append(f"lang {doc['lang']!r} not in {LANGS}")
    if not isinstance(doc["title"], str) or not doc["title"].strip():
        errs.append("title is empty")
    if not _date_ok(doc["date"]):
        errs.append(f"date {doc['date']!r} is not YYYY-MM-DD")
    if doc["split"] not in SPLITS:
        errs.append(f"split {doc['split']!r} not in {SPLITS}")
    elif path.parent.name in SPLITS and path.parent.name != doc["split"]:
        errs.append(f"split {doc['split']!r} but the file lies in {path.parent.name}/")
    header = doc.get("header")
    if header is not None:
        if not isinstance(header, dict):
            errs.append("header is not an object")
        else:
            for i, row in enumerate(header.get("beratungsfolge") or []):
                if not isinstance(row, dict):
                    errs.append(f"header.beratungsfolge[{i}] is not an object")
                elif row.get("datum") and not _date_ok(row["datum"]):
                    errs.append(f"header.beratungsfolge[{i}].datum {row['datum']!r} is not YYYY-MM-DD")
    sections = doc["sections"]
    if not isinstance(sections, list) or not sections:
        return errs + ["sections is empty or not a list"]
    n = 0
    for si, sec in enumerate(sections):
        where_s = f"sections[{si}]"
        if not isinstance(sec, dict) or not isinstance(sec.get("passages"), list):
            errs.append(f"{where_s}: not an object with a passages list")
            continue
        if not isinstance(sec.get("heading", ""), str):
            errs.append(f"{where_s}: heading is not a string")
        if sec.get("notes") is not None and not isinstance(sec["notes"], str):
            errs.append(f"{where_s}: notes is not a string")
        for pi, p in enumerate(sec["passages"]):
            where = f"{where_s}.passages[{pi}] (passage #{n})"
            n += 1
            if not isinstance(p, dict):
                errs.append(f"{where}: not an object")
                continue
            text = p.get("text")
            if not isinstance(text, str) or not text.strip():
                errs.append(f"{where}: text is empty")
                text = ""
            kind = p.get("kind")
            if kind not in KINDS:
                errs.append(f"{where}: kind {kind!r} not in {KINDS}")
            if kind == "list_item":
                level = p.get("level", 0)
                if not isinstance(level, int) or isinstance(level, bool) or not 0 <= level <= 4:
                    errs.append(f"{where}: level {level!r} is not an integer 0..4")
            labels = p.get("labels")
            if not isinstance(labels, list):
                errs.append(f"{where}: labels is not a list")
            else:
                bad = [lab for lab in labels if lab not in GOALS]
                if bad:
                    errs.append(f"{where}: unknown label(s) {bad}")
                if len(set(labels)) != len(labels):
                    errs.append(f"{where}: duplicate labels {labels}")
            body, name = p.get("body"), p.get("body_name")
            if "body" not in p or "body_name" not in p or "topic" not in p:
                errs.append(f"{where}: body, body_name and topic must all be present (null allowed)")
            if body is not None and body not in BODIES:
                errs.append(f"{where}: body {body!r} not in {BODIES} or null")
            if name is not None:
                if not isinstance(name, str) or not name:
                    errs.append(f"{where}: body_name is not a non-empty string")
                elif name not in text:
                    errs.append(f"{where}: body_name {name!r} does not occur verbatim in the text")
                if body not in ("fachstelle", "chefsache"):
                    errs.append(f"{where}: body_name set but body is {body!r}")
            elif body == "fachstelle":
                errs.append(f"{where}: body fachstelle needs a body_name")
            topic = p.get("topic")
            if topic is not None and topic not in TOPICS:
                errs.append(f"{where}: topic {topic!r} not in {TOPICS} or null")
    if n == 0:
        errs.append("document has no passages")
    return errs


def soft_warnings(doc: dict[str, Any], cities: set[str] | None = None) -> list[str]:
    """Problems that do not invalidate a file (reported only, the file is built)."""
    out = []
    if cities and doc["city"] not in cities:
        out.append(f"city {doc['city']!r} is not in src/watext/enrich/rules/cities.jsonl")
    n = 0
    for sec in doc["sections"]:
        for p in sec["passages"]:
            if p["kind"] == "fragment" and len(p["text"].split()) > 5:
                out.append(f"passage #{n}: fragment has {len(p['text'].split())} words (schema: 1-5)")
            n += 1
    if doc["split"] == "table_test" and doc["city"] not in PARTNER_CITIES:
        out.append(f"table_test document of non-partner city {doc['city']!r}")
    if doc["split"] == "train" and doc["city"] in PARTNER_CITIES and doc["doc_type"] == "survey_answer":
        out.append(f"partner-city survey answer ({doc['city']}) in train, expected table_test")
    if doc.get("header") and doc["doc_type"] != "council_submission":
        out.append("header given for a document that is not a council_submission")
    return out


@dataclass
class Loaded:
    docs: list[tuple[Path, dict[str, Any]]] = field(default_factory=list)
    invalid: list[tuple[Path, list[str]]] = field(default_factory=list)
    warnings: list[tuple[Path, list[str]]] = field(default_factory=list)


def load_sources(src: Path, strict: bool = False) -> Loaded:
    """Load and validate all ``src/<split>/*.json`` (sorted); duplicates of ids are invalid."""
    cities = load_cities()
    result = Loaded()
    seen: dict[str, Path] = {}
    for path in sorted(src.glob("*/*.json")):
        try:
            doc = json.loads(path.read_text(encoding="utf-8"))
            errs = validate(doc, path)
        except (json.JSONDecodeError, UnicodeDecodeError) as exc:
            doc, errs = None, [f"not valid JSON: {exc}"]
        if not errs and doc["id"] in seen:
            errs = [f"duplicate id {doc['id']!r} (also in {seen[doc['id']]})"]
        if errs:
            msg = f"{path}: " + "; ".join(errs)
            if strict:
                raise SourceError(msg)
            print(f"WARNING: invalid source skipped: {msg}", file=sys.stderr)
            result.invalid.append((path, errs))
            continue
        seen[doc["id"]] = path
        result.docs.append((path, doc))
        if w := soft_warnings(doc, cities):
            result.warnings.append((path, w))
    return result


# =========================================================================== helpers
def normalize_zip(data: bytes) -> bytes:
    """Rewrite a ZIP container (DOCX/PPTX) with fixed timestamps, keeping entry order."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as src, zipfile.ZipFile(out, "w") as dst:
        for info in src.infolist():
            fixed = zipfile.ZipInfo(info.filename, date_time=ZIP_DATE)
            fixed.compress_type = zipfile.ZIP_DEFLATED
            dst.writestr(fixed, src.read(info.filename))
    return out.getvalue()


def de_date(iso: str) -> str:
    """'2016-04-05' -> '05.04.2016'."""
    try:
        return dt.date.fromisoformat(iso).strftime("%d.%m.%Y")
    except (TypeError, ValueError):
        return iso or ""


def doc_date(doc: dict[str, Any]) -> dt.datetime:
    try:
        d = dt.date.fromisoformat(doc["date"])
        return dt.datetime(d.year, d.month, d.day, 12, 0, 0)
    except (TypeError, ValueError):
        return FIXED_DATE


HEADER_COLS = ("Vorlagenart", "Vorlage-Nr", "Öffentlichkeitsstatus")
BF_COLS = ("Gremium", "Datum", "Sitzungsart", "Zuständigkeit", "TOP-Nr.")


def header_tables(doc: dict[str, Any]) -> list[list[list[str]]]:
    """Submission header and Beratungsfolge as row grids (empty for other documents)."""
    h = doc.get("header")
    if not h:
        return []
    tables = [[list(HEADER_COLS),
               [h.get("vorlagenart") or "", h.get("vorlage_nr") or "", h.get("oeffentlichkeitsstatus") or ""]]]
    bf = h.get("beratungsfolge") or []
    if bf:
        rows = [list(BF_COLS)]
        for r in bf:
            rows.append([r.get("gremium") or "", de_date(r.get("datum") or ""), r.get("sitzungsart") or "",
                         r.get("zustaendigkeit") or "", str(r.get("top") or "")])
        tables.append(rows)
    return tables


@dataclass
class Run:
    """A run of passages rendered together: one paragraph, a list, a table."""

    kind: str  # paragraph | list | fragment | table
    passages: list[dict[str, Any]]


def runs(section: dict[str, Any]) -> list[Run]:
    """Group a section's passages: consecutive list items form a list, table cells a table."""
    out: list[Run] = []
    for p in section["passages"]:
        kind = {"list_item": "list", "table_cell": "table"}.get(p["kind"], p["kind"])
        if kind in ("list", "table") and out and out[-1].kind == kind:
            out[-1].passages.append(p)
        else:
            out.append(Run(kind, [p]))
    return out


def table_grid(run: Run, section: dict[str, Any], lang: str) -> list[list[str]]:
    """Lay table cells out as a grid with a header row (row 0 is not a passage anywhere).

    Columns: ``section["columns"]`` when given, else 2 for an even number (≥ 4) of cells,
    else 1. The header row is ``section["table_header"]`` when given, else generic labels.
    """
    texts = [p["text"] for p in run.passages]
    ncols = section.get("columns")
    if not isinstance(ncols, int) or ncols < 1:
        ncols = 2 if len(texts) >= 4 and len(texts) % 2 == 0 else 1
    header = section.get("table_header")
    if not (isinstance(header, list) and len(header) == ncols):
        if ncols == 1:
            header = ["Angaben" if lang == "de" else "Details"]
        elif ncols == 2:
            header = ["Bereich", "Angaben"] if lang == "de" else ["Area", "Details"]
        else:
            header = [("Spalte" if lang == "de" else "Column") + f" {i + 1}" for i in range(ncols)]
    rows = [list(header)]
    for i in range(0, len(texts), ncols):
        row = texts[i : i + ncols]
        rows.append(row + [""] * (ncols - len(row)))
    return rows


def list_numbered(run: Run) -> bool:
    return all(p.get("numbered") for p in run.passages)


def section_title(doc: dict[str, Any], sec: dict[str, Any]) -> str:
    return sec.get("heading") or ""


# =========================================================================== PDF
_FONTS: dict[str, str] = {}


def _pdf_fonts() -> tuple[str, str]:
    """DejaVu Sans (full Unicode: Turkish, Norwegian) when installed, else Helvetica."""
    if _FONTS:
        return _FONTS["regular"], _FONTS["bold"]
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.ttfonts import TTFont

    base = Path("/usr/share/fonts/truetype/dejavu")
    try:
        pdfmetrics.registerFont(TTFont("DejaVuSans", str(base / "DejaVuSans.ttf")))
        pdfmetrics.registerFont(TTFont("DejaVuSans-Bold", str(base / "DejaVuSans-Bold.ttf")))
        pdfmetrics.registerFontFamily("DejaVuSans", normal="DejaVuSans", bold="DejaVuSans-Bold",
                                      italic="DejaVuSans", boldItalic="DejaVuSans-Bold")
        _FONTS.update(regular="DejaVuSans", bold="DejaVuSans-Bold")
    except Exception:  # noqa: BLE001 - font missing: fall back to the standard font
        _FONTS.update(regular="Helvetica", bold="Helvetica-Bold")
    return _FONTS["regular"], _FONTS["bold"]


def _winansi(doc: dict[str, Any]) -> bool:
    """True when the standard PDF fonts can show every character (keeps files small)."""
    try:
        json.dumps(doc, ensure_ascii=False).encode("cp1252")
    except UnicodeEncodeError:
        return False
    return True


def render_pdf(doc: dict[str, Any]) -> bytes:
    """Render twice: the first pass counts pages for the footer "Seite N von M"."""
    total = 0
    data = b""
    for _ in range(3):
        data, pages = _render_pdf_pass(doc, total)
        if pages == total:
            break
        total = pages
    return data


def _render_pdf_pass(doc: dict[str, Any], total: int) -> tuple[bytes, int]:
    from reportlab.lib import colors
    from reportlab.lib.enums import TA_CENTER
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.styles import ParagraphStyle, getSampleStyleSheet
    from reportlab.lib.units import cm
    from reportlab.platypus import (KeepTogether, ListFlowable, ListItem, PageBreak, Paragraph,
                                    SimpleDocTemplate, Spacer, Table, TableStyle)

    regular, bold = ("Helvetica", "Helvetica-Bold") if _winansi(doc) else _pdf_fonts()
    slides = doc["doc_type"] == "slides"
    pagesize = (25.4 * cm, 14.29 * cm) if slides else A4
    ss = getSampleStyleSheet()
    scale = 1.25 if slides else 1.0
    body = ParagraphStyle("body", parent=ss["BodyText"], fontName=regular, fontSize=10 * scale,
                          leading=13 * scale, spaceAfter=4)
    cell = ParagraphStyle("cell", parent=body, fontSize=9 * scale, leading=11 * scale, spaceAfter=0)
    h1 = ParagraphStyle("h1", parent=ss["Title"], fontName=bold, fontSize=18 if not slides else 24,
                        leading=22 if not slides else 28, alignment=0 if not slides else TA_CENTER)
    h2 = ParagraphStyle("h2", parent=ss["Heading2"], fontName=bold, fontSize=13 * scale, leading=16 * scale)
    slide_title = ParagraphStyle("st", parent=h2, fontSize=22, leading=26, spaceAfter=10)
    e = html.escape

    def table(rows: list[list[str]], head: bool = True) -> Table:
        cells = [[Paragraph(e(c), ParagraphStyle("hc", parent=cell, fontName=bold) if head and r == 0 else cell)
                  for c in row] for r, row in enumerate(rows)]
        width = pagesize[0] - 4 * cm
        t = Table(cells, hAlign="LEFT", colWidths=[width / len(rows[0])] * len(rows[0]))
        t.setStyle(TableStyle([("GRID", (0, 0), (-1, -1), 0.5, colors.grey),
                               ("VALIGN", (0, 0), (-1, -1), "TOP"),
                               ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#e8e8e8") if head else None)]))
        return t

    def list_flow(passages: list[dict[str, Any]], numbered: bool) -> list:
        """Nested ListFlowables by level."""
        flows: list = []

        def build(i: int, level: int) -> tuple[ListFlowable, int]:
            items: list[list] = []  # flowables of each item; a sub-list joins its parent item
            while i < len(passages):
                lv = int(passages[i].get("level") or 0)
                if lv < level:
                    break
                if lv > level:
                    sub, i = build(i, level + 1)
                    if items:
                        items[-1].append(sub)
                    else:
                        items.append([sub])
                    continue
                items.append([Paragraph(e(passages[i]["text"]), body)])
                i += 1
            items = [ListItem(f if len(f) > 1 else f[0], leftIndent=14) for f in items]
            kw = dict(bulletType="1", bulletFormat="%s.") if numbered and level == 0 else \
                dict(bulletType="bullet", start="•" if level == 0 else "–")
            return ListFlowable(items, leftIndent=16, bulletFontName=regular,
                                bulletFontSize=body.fontSize, **kw), i

        i = 0
        while i < len(passages):
            flow, i = build(i, 0)
            flows.append(flow)
        return flows

    story: list = []
    if not slides:
        story.append(Paragraph(e(doc["title"]), h1))
        for rows in header_tables(doc):
            story += [table(rows), Spacer(1, 0.3 * cm)]
    else:
        # title slide
        story += [Spacer(1, 3 * cm), Paragraph(e(doc["title"]), h1)]
    for sec in doc["sections"]:  # speaker notes are not printed on PDF slides
        if slides:
            story.append(PageBreak())
            story.append(Paragraph(e(section_title(doc, sec) or doc["title"]), slide_title))
        elif sec.get("heading"):
            story.append(Paragraph(e(sec["heading"]), h2))
        for run in runs(sec):
            if run.kind == "list":
                story += list_flow(run.passages, list_numbered(run))
            elif run.kind == "table":
                story += [table(table_grid(run, sec, doc["lang"])), Spacer(1, 0.2 * cm)]
            elif run.kind == "fragment" and slides:
                story += list_flow(run.passages, False)
            else:
                for p in run.passages:  # kept whole: a page break inside splits the passage
                    story.append(KeepTogether([Paragraph(e(p["text"]), body)]))

    def on_page(canvas, pdf) -> None:  # running footer "Seite N von M"
        canvas.saveState()
        canvas.setFont(regular, 8)
        word = ("Seite", "von") if doc["lang"] == "de" else ("Page", "of")
        canvas.drawCentredString(pagesize[0] / 2, 0.8 * cm, f"{word[0]} {pdf.page} {word[1]} {total or '?'}")
        canvas.restoreState()

    buf = io.BytesIO()
    pdf = SimpleDocTemplate(buf, pagesize=pagesize, title=doc["title"], author=doc.get("city", ""),
                            subject=doc["doc_type"], creator="watext corpus/build.py", invariant=1,
                            leftMargin=2 * cm, rightMargin=2 * cm, topMargin=1.5 * cm, bottomMargin=1.8 * cm)
    pdf.build(story, onFirstPage=on_page, onLaterPages=on_page)
    return buf.getvalue(), pdf.page


# =========================================================================== DOCX
def render_docx(doc: dict[str, Any]) -> bytes:
    import docx

    d = docx.Document()
    props = d.core_properties
    props.title, props.author = doc["title"], doc.get("city", "")
    props.created = props.modified = props.last_printed = doc_date(doc)
    props.last_modified_by, props.revision = doc.get("city", ""), 1
    props.language = doc["lang"]

    def table(rows: list[list[str]], bold_head: bool = True) -> None:
        t = d.add_table(rows=len(rows), cols=len(rows[0]))
        t.style = "Table Grid"
        for r, row in enumerate(rows):
            for c, text in enumerate(row):
                para = t.cell(r, c).paragraphs[0]
                run = para.add_run(text)
                run.bold = bold_head and r == 0

    d.add_heading(doc["title"], level=0)
    for rows in header_tables(doc):
        table(rows)
        d.add_paragraph("")
    for sec in doc["sections"]:
        if sec.get("heading"):
            d.add_heading(sec["heading"], level=1)
        for run in runs(sec):
            if run.kind == "list":
                numbered = list_numbered(run)
                for p in run.passages:
                    lv = min(int(p.get("level") or 0), 2)
                    style = ("List Number" if numbered else "List Bullet") + (f" {lv + 1}" if lv else "")
                    d.add_paragraph(p["text"], style=style)
            elif run.kind == "table":
                table(table_grid(run, sec, doc["lang"]))
            else:
                for p in run.passages:
                    d.add_paragraph(p["text"])
        if sec.get("notes"):
            d.add_paragraph(sec["notes"], style="Intense Quote")
    buf = io.BytesIO()
    d.save(buf)
    return normalize_zip(buf.getvalue())


# =========================================================================== PPTX
def render_pptx(doc: dict[str, Any]) -> bytes:
    from pptx import Presentation
    from pptx.util import Emu, Inches, Pt

    prs = Presentation()
    prs.slide_width, prs.slide_height = Inches(13.333), Inches(7.5)
    props = prs.core_properties
    props.title, props.author = doc["title"], doc.get("city", "")
    props.created = props.modified = props.last_printed = doc_date(doc)
    props.last_modified_by, props.revision = doc.get("city", ""), 1
    props.language = doc["lang"]
    width = prs.slide_width
    margin = Inches(0.6)

    # title slide (not a section: the deck title carries no gold passage)
    s = prs.slides.add_slide(prs.slide_layouts[0])
    s.shapes.title.text = doc["title"]
    s.shapes.title.left, s.shapes.title.width = margin, width - 2 * margin
    sub = s.placeholders[1]
    sub.text = doc["city"] + " · " + de_date(doc["date"])
    sub.left, sub.width = margin, width - 2 * margin

    for sec in doc["sections"]:
        slide = prs.slides.add_slide(prs.slide_layouts[1])
        slide.shapes.title.text = sec.get("heading") or doc["title"]
        slide.shapes.title.left, slide.shapes.title.width = margin, width - 2 * margin
        body_ph = slide.placeholders[1]
        body_ph.left, body_ph.width = margin, width - 2 * margin
        tf = body_ph.text_frame
        first = True
        tables = []
        for run in runs(sec):
            if run.kind == "table":
                tables.append(table_grid(run, sec, doc["lang"]))
                continue
            for p in run.passages:
                para = tf.paragraphs[0] if first else tf.add_paragraph()
                para.text = p["text"]
                para.level = min(int(p.get("level") or 0), 4) if p["kind"] == "list_item" else 0
                first = False
        top = Inches(1.6)
        if tables and not first:  # bullets above, tables below
            body_ph.top, body_ph.height = Inches(1.5), Inches(2.4)
            top = Inches(4.0)
        for rows in tables:
            height = Inches(0.4) * len(rows)
            shape = slide.shapes.add_table(len(rows), len(rows[0]), margin, top, width - 2 * margin, height)
            for r, row in enumerate(rows):
                for c, text in enumerate(row):
                    shape.table.cell(r, c).text = text
                    for para in shape.table.cell(r, c).text_frame.paragraphs:
                        for rn in para.runs:
                            rn.font.size = Pt(14)
            top = Emu(top + height + Inches(0.2))
        if first:  # no bullets: drop the empty body placeholder
            sp = body_ph._element
            sp.getparent().remove(sp)
        if sec.get("notes"):
            slide.notes_slide.notes_text_frame.text = sec["notes"]
    buf = io.BytesIO()
    prs.save(buf)
    return normalize_zip(buf.getvalue())


# =========================================================================== HTML
def render_html(doc: dict[str, Any]) -> bytes:
    e = html.escape
    out = [f'<!DOCTYPE html>\n<html lang="{doc["lang"]}">\n<head>\n<meta charset="utf-8">',
           f"<title>{e(doc['title'])}</title>",
           f'<meta name="date" content="{e(doc["date"])}">\n</head>\n<body>\n<main>\n<article>',
           f"<h1>{e(doc['title'])}</h1>"]

    def table(rows: list[list[str]]) -> None:
        out.append("<table>")
        out.append("  <tr>" + "".join(f"<th>{e(c)}</th>" for c in rows[0]) + "</tr>")
        for row in rows[1:]:
            out.append("  <tr>" + "".join(f"<td>{e(c)}</td>" for c in row) + "</tr>")
        out.append("</table>")

    for rows in header_tables(doc):
        table(rows)
    for sec in doc["sections"]:
        out.append("<section>")
        if sec.get("heading"):
            out.append(f"<h2>{e(sec['heading'])}</h2>")
        for run in runs(sec):
            if run.kind == "list":
                tag = "ol" if list_numbered(run) else "ul"
                depth = -1
                for p in run.passages:
                    lv = int(p.get("level") or 0)
                    lv = min(lv, depth + 1)
                    if lv > depth:
                        out.append("  " * (lv + 1) + f"<{tag}>")
                    else:
                        out.append("  " * (depth + 1) + "</li>")
                        while depth > lv:
                            out.append("  " * (depth + 1) + f"</{tag}>")
                            depth -= 1
                            out.append("  " * (depth + 1) + "</li>")
                    depth = lv
                    out.append("  " * (lv + 1) + f"<li>{e(p['text'])}")
                while depth >= 0:
                    out.append("  " * (depth + 1) + "</li>")
                    out.append("  " * (depth + 1) + f"</{tag}>")
                    depth -= 1
            elif run.kind == "table":
                table(table_grid(run, sec, doc["lang"]))
            else:
                for p in run.passages:
                    out.append(f"<p>{e(p['text'])}</p>")
        out.append("</section>")
    out.append("</article>\n</main>\n</body>\n</html>\n")
    return "\n".join(out).encode("utf-8")


# =========================================================================== TXT
def render_txt(doc: dict[str, Any]) -> bytes:
    de = doc["lang"] == "de"
    lines: list[str] = []
    if doc["doc_type"] == "letter":
        lines += [f"{'Betreff' if de else 'Subject'}: {doc['title']}",
                  f"{'Datum' if de else 'Date'}: {de_date(doc['date']) if de else doc['date']}", ""]
    else:
        lines += [doc["title"], ""]
    for rows in header_tables(doc):
        lines += ["\t".join(r) for r in rows] + [""]
    for sec in doc["sections"]:
        if sec.get("heading"):
            lines += [f"# {sec['heading']}", ""]
        for run in runs(sec):
            if run.kind == "list":
                numbered = list_numbered(run)
                counters: dict[int, int] = {}
                for p in run.passages:
                    lv = int(p.get("level") or 0)
                    counters[lv] = counters.get(lv, 0) + 1
                    for deeper in [k for k in counters if k > lv]:
                        del counters[deeper]
                    marker = f"{counters[lv]}." if numbered and lv == 0 else "-"
                    lines.append("  " * lv + f"{marker} {p['text']}")
                lines.append("")
            elif run.kind == "table":
                rows = table_grid(run, sec, doc["lang"])
                lines += ["\t".join(r) for r in rows] + [""]
            else:
                for p in run.passages:
                    lines += [p["text"], ""]
    return ("\n".join(lines).rstrip("\n") + "\n").encode("utf-8")


RENDERERS = {"pdf": render_pdf, "pptx": render_pptx, "docx": render_docx, "html": render_html, "txt": render_txt}


# =========================================================================== gold
def gold_lines(doc: dict[str, Any]) -> list[dict[str, Any]]:
    out = []
    n = 0
    for si, sec in enumerate(doc["sections"]):
        for p in sec["passages"]:
            out.append({
                "id": f"{doc['id']}-{n:03d}",
                "text": p["text"],
                "lang": doc["lang"],
                "city": doc["city"],
                "labels": list(p.get("labels") or []),
                "body": p.get("body"),
                "body_name": p.get("body_name"),
                "topic": p.get("topic"),
                "doc": doc["id"],
                "kind": p["kind"],
                "doc_type": doc["doc_type"],
                "author": doc["author"],
                "format": doc["format"],
                "section": si,
            })
            n += 1
    return out


# =========================================================================== stats
def _pct(a: int, b: int) -> str:
    return f"{100 * a / b:.1f} %" if b else "–"


def stats_markdown(gold: dict[str, list[dict[str, Any]]], n_invalid: int = 0) -> str:
    lines = ["# Corpus statistics", "", "Generated by `corpus/build.py` from `corpus/src/`; do not edit.", ""]
    parts = {**{s: gold.get(s, []) for s in SPLITS}}
    parts["train+ood"] = parts["train"] + parts["ood"]
    parts["all"] = parts["train"] + parts["table_test"] + parts["ood"] + parts["heldout"]

    def summary(rows: list[dict[str, Any]]) -> dict[str, Any]:
        n = len(rows)
        return {
            "passages": n,
            "documents": len({r["doc"] for r in rows}),
            "cities": len({r["city"] for r in rows}),
            "goals": {g: sum(g in r["labels"] for r in rows) for g in GOALS},
            "no_goal": sum(not r["labels"] for r in rows),
            "english": sum(r["lang"] == "en" for r in rows),
            "fragments": sum(len(r["text"].split()) <= 5 for r in rows),
            "bodies": Counter(r["body"] or "none" for r in rows),
            "topics": Counter(r["topic"] or "none" for r in rows),
            "kinds": Counter(r.get("kind") or "?" for r in rows),
        }

    sums = {k: summary(v) for k, v in parts.items()}
    cols = list(parts)
    lines += ["## Per split", "", "| | " + " | ".join(cols) + " |", "|---" * (len(cols) + 1) + "|"]

    def row(name: str, f) -> None:
        lines.append(f"| {name} | " + " | ".join(f(sums[c]) for c in cols) + " |")

    row("passages", lambda s: str(s["passages"]))
    row("documents", lambda s: str(s["documents"]))
    row("cities", lambda s: str(s["cities"]))
    for g in GOALS:
        row(f"`{g}`", lambda s, g=g: str(s["goals"][g]))
    row("no goal", lambda s: f"{s['no_goal']} ({_pct(s['no_goal'], s['passages'])})")
    row("English", lambda s: f"{s['english']} ({_pct(s['english'], s['passages'])})")
    row("fragments (≤5 words)", lambda s: f"{s['fragments']} ({_pct(s['fragments'], s['passages'])})")
    for b in (*BODIES, "none"):
        row(f"body `{b}`", lambda s, b=b: str(s["bodies"].get(b, 0)))
    for t in (*TOPICS, "none"):
        row(f"topic `{t}`", lambda s, t=t: str(s["topics"].get(t, 0)))
    for k in KINDS:
        row(f"kind `{k}`", lambda s, k=k: str(s["kinds"].get(k, 0)))

    cities_all = sorted({r["city"] for r in parts["all"]})
    lines += ["", f"Cities ({len(cities_all)}): " + ", ".join(cities_all), ""]
    authors = Counter(r.get("author") for r in parts["all"])
    lines += ["Passages per writer: " + ", ".join(f"{a}: {n}" for a, n in sorted(authors.items(), key=str)), ""]

    t = sums["train+ood"]
    n = t["passages"]
    checks = [
        ("≥ 1,500 passages (train+ood)", n >= 1500, f"{n}"),
        *[(f"≥ 150 positives `{g}` (train+ood)", t["goals"][g] >= 150, str(t["goals"][g])) for g in GOALS],
        ("≥ 25 % no goal (train+ood)", n > 0 and t["no_goal"] / n >= 0.25, _pct(t["no_goal"], n)),
        ("≥ 15 % English (train+ood)", n > 0 and t["english"] / n >= 0.15, _pct(t["english"], n)),
        ("≥ 15 % fragments ≤5 words (train+ood)", n > 0 and t["fragments"] / n >= 0.15, _pct(t["fragments"], n)),
        ("≥ 40 documents (train+ood)", t["documents"] >= 40, str(t["documents"])),
        ("≥ 12 cities (all splits)", len(cities_all) >= 12, str(len(cities_all))),
    ]
    lines += ["## Targets", "", "| target | value | |", "|---|---|---|"]
    lines += [f"| {name} | {val} | {'✓' if ok else '✗'} |" for name, ok, val in checks]
    met = sum(ok for _, ok, _ in checks)
    lines += ["", f"{met}/{len(checks)} targets met. Invalid source files skipped: {n_invalid}.", "", ""]
    return "\n".join(lines)


# =========================================================================== build
@dataclass
class BuildResult:
    written: list[Path]
    gold: dict[str, list[dict[str, Any]]]
    invalid: list[tuple[Path, list[str]]]
    warnings: list[tuple[Path, list[str]]]
    stats: str


def load_annotations(labels_dir: Path) -> dict[str, dict[str, Any]]:
    """Second annotator's labels by gold id (``corpus/labels/<writer>.jsonl``; see blind.py)."""
    out: dict[str, dict[str, Any]] = {}
    if not labels_dir.is_dir():
        return out
    for path in sorted(labels_dir.glob("*.jsonl")):
        if path.name.startswith("blind_"):
            continue
        for no, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            if not line.strip():
                continue
            r = json.loads(line)
            bad = [x for x in r.get("labels") or [] if x not in GOALS]
            if bad or r.get("body") not in (None, *BODIES) or r.get("topic") not in (None, *TOPICS):
                raise SourceError(f"{path.name}:{no}: unknown label, body or topic")
            out[r["id"]] = r
    return out


def annotate(lines: list[dict[str, Any]], ann: dict[str, dict[str, Any]]) -> list[dict[str, Any]]:
    """Gold lines with the second annotator's labels where given (the writer's are kept
    as ``writer``); a body_name that is not verbatim in the text is dropped."""
    for g in lines:
        a = ann.get(g["id"])
        if a is None:
            continue
        g["writer"] = {k: g[k] for k in ("labels", "body", "body_name", "topic")}
        name = a.get("body_name")
        g.update(labels=list(a.get("labels") or []), body=a.get("body"), topic=a.get("topic"),
                 body_name=name if name and name in g["text"] and a.get("body") in ("fachstelle", "chefsache")
                 else None)  # fmt: skip
    return lines


def build(src: Path, out: Path, gold_dir: Path, strict: bool = False) -> BuildResult:
    loaded = load_sources(src, strict=strict)
    ann = load_annotations(src.parent / "labels")
    gold: dict[str, list[dict[str, Any]]] = {s: [] for s in SPLITS}
    written: list[Path] = []
    for _path, doc in sorted(loaded.docs, key=lambda x: (SPLITS.index(x[1]["split"]), x[1]["id"])):
        ext = FORMATS[doc["format"]]
        target = out / doc["split"] / f"{doc['id']}.{ext}"
        target.parent.mkdir(parents=True, exist_ok=True)
        data = RENDERERS[doc["format"]](doc)
        if not target.exists() or target.read_bytes() != data:
            target.write_bytes(data)
        written.append(target)
        gold[doc["split"]].extend(annotate(gold_lines(doc), ann))
    # drop rendered files whose source is gone (renamed ids, format changes)
    keep = {p.resolve() for p in written}
    for split in SPLITS:
        for stale in sorted((out / split).glob("*")) if (out / split).is_dir() else []:
            if stale.is_file() and stale.resolve() not in keep:
                stale.unlink()
    gold_dir.mkdir(parents=True, exist_ok=True)
    for split in SPLITS:
        text = "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in gold[split])
        (gold_dir / f"{split}.jsonl").write_text(text, encoding="utf-8")
    stats = stats_markdown(gold, len(loaded.invalid))
    if loaded.invalid or loaded.warnings:
        extra = ["## Source problems", ""]
        extra += [f"- INVALID `{p.name}`: " + "; ".join(errs) for p, errs in loaded.invalid]
        extra += [f"- warning `{p.name}`: " + "; ".join(w) for p, w in loaded.warnings]
        stats += "\n".join(extra) + "\n"
    (gold_dir / "STATS.md").write_text(stats, encoding="utf-8")
    return BuildResult(written, gold, loaded.invalid, loaded.warnings, stats)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--src", type=Path, default=HERE / "src")
    parser.add_argument("--out", type=Path, default=HERE / "docs")
    parser.add_argument("--gold", type=Path, default=HERE / "gold")
    parser.add_argument("--strict", action="store_true", help="stop at the first invalid source file")
    args = parser.parse_args(argv)
    try:
        res = build(args.src, args.out, args.gold, strict=args.strict)
    except SourceError as exc:
        print(f"ERROR: {exc}", file=sys.stderr)
        return 2
    print(res.stats)
    total = sum(len(v) for v in res.gold.values())
    print(f"built {len(res.written)} documents, {total} gold passages; invalid sources skipped: {len(res.invalid)}")
    return 1 if res.invalid else 0


if __name__ == "__main__":
    raise SystemExit(main())
