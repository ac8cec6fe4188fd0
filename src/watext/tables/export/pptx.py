"""PowerPoint export: ``rueckmeldung_partnerstaedte.pptx``, the "Rückmeldung aus den
Partnerstädten" slides of the Darmstadt survey regenerated from the tables.

One slide per survey question (5 and 6 share one, as on the original deck); the goals
matrix and the measures are real table shapes; each slide has a footnote telling model
marks (✓) from marks a person verified (✓*).
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from pptx import Presentation
from pptx.dml.color import RGBColor
from pptx.enum.text import MSO_AUTO_SIZE, PP_ALIGN
from pptx.util import Emu, Inches, Pt

from watext.model import GOAL_LABELS
from watext.tables.frames import records
from watext.tables.model import GOAL_TITLES
from watext.files import write_with
from watext.tables.export._common import (
    FUNDS_TITLES, GROUP_TITLES, LEGEND, ORIENTATION_TITLES, QUESTIONS, STAFF_TITLES, STATUS_TITLES,
    TICK, Frames, by_city, cities, clean, goal_grid, join_cities, label, meta_items, no_answer_q1, warnings,
)  # fmt: skip

__all__ = ["FILENAME", "build_presentation", "write_pptx"]

FILENAME = "rueckmeldung_partnerstaedte.pptx"

WIDTH, HEIGHT = Inches(13.333), Inches(7.5)
MARGIN = Inches(0.4)
BODY_TOP = Inches(1.45)
BODY_HEIGHT = Inches(5.35)
DARK = RGBColor(0x1F, 0x4E, 0x79)
GREY = RGBColor(0x59, 0x59, 0x59)

# one line of a text slide: (text, font size factor, bold, indent level)
Line = tuple[str, float, bool, int]


def _star(verified: bool) -> str:
    return "*" if verified else ""


def _font_size(n_lines: int, base: int = 18, minimum: int = 9, comfortable: int = 9) -> int:
    """A font size so ``n_lines`` lines fit the body: ``base`` up to ``comfortable`` lines."""
    if n_lines <= comfortable:
        return base
    return max(minimum, int(base * comfortable / n_lines))


def _title(slide, text: str, size: int = 24) -> None:
    title = slide.shapes.title
    title.left, title.top, title.width, title.height = MARGIN, Inches(0.3), WIDTH - 2 * MARGIN, Inches(1.05)
    tf = title.text_frame
    tf.word_wrap = True
    lines = text.split("\n")
    tf.text = clean(lines[0])
    for extra in lines[1:]:
        tf.add_paragraph().text = clean(extra)
    for p in tf.paragraphs:
        p.alignment = PP_ALIGN.LEFT
        for r in p.runs:
            r.font.size = Pt(size)
            r.font.bold = True
            r.font.color.rgb = DARK


def _footnote(slide, frames: Frames) -> None:
    meta = dict(meta_items(frames))
    bits = [LEGEND, "Quelle: watext"]
    if meta.get("model_version"):
        bits.append(f"Modell {meta['model_version']}")
    if meta.get("built_at"):
        bits.append(f"erstellt {meta['built_at']}")
    box = slide.shapes.add_textbox(MARGIN, HEIGHT - Inches(0.5), WIDTH - 2 * MARGIN, Inches(0.35))
    box.name = "Fußnote"
    tf = box.text_frame
    tf.word_wrap = True
    tf.text = " · ".join(bits)
    for r in tf.paragraphs[0].runs:
        r.font.size = Pt(10)
        r.font.color.rgb = GREY


def _text_body(slide, lines: Sequence[Line], left=MARGIN, top=BODY_TOP, width=None, height=BODY_HEIGHT):
    box = slide.shapes.add_textbox(left, top, width or WIDTH - 2 * MARGIN, height)
    tf = box.text_frame
    tf.word_wrap = True
    tf.auto_size = MSO_AUTO_SIZE.TEXT_TO_FIT_SHAPE
    size = _font_size(len(lines))
    for i, (text, factor, bold, level) in enumerate(lines):
        p = tf.paragraphs[0] if i == 0 else tf.add_paragraph()
        p.text = clean(text)
        p.level = level
        if level:
            p.space_before = Pt(0)
        for r in p.runs:
            r.font.size = Pt(max(8, round(size * factor)))
            r.font.bold = bold
            if bold:
                r.font.color.rgb = DARK
    return box


def _question_slide(prs, frames: Frames, title: str):
    slide = prs.slides.add_slide(prs.slide_layouts[5])  # title only
    _title(slide, title, 24 if "\n" not in title else 20)
    _footnote(slide, frames)
    return slide


def _cell_text(cell, text: str, size: int, *, bold: bool = False, center: bool = False,
               header: bool = False) -> None:  # fmt: skip
    tf = cell.text_frame
    tf.word_wrap = True
    lines = clean(text).split("\n")
    tf.text = lines[0]
    for extra in lines[1:]:
        tf.add_paragraph().text = extra
    for p in tf.paragraphs:
        if center:
            p.alignment = PP_ALIGN.CENTER
        for r in p.runs:
            r.font.size = Pt(size)
            r.font.bold = bold or header
    cell.margin_left = cell.margin_right = Inches(0.05)
    cell.margin_top = cell.margin_bottom = Inches(0.03)


def _goals_slide(prs, frames: Frames) -> None:
    slide = _question_slide(prs, frames, QUESTIONS[1])
    names, grid, missing = cities(frames), goal_grid(frames), no_answer_q1(frames)
    n = len(names)
    size = 14 if n <= 7 else max(7, 14 - (n - 7) // 2)
    row_h = min(Inches(0.6), Emu(int(BODY_HEIGHT / (n + 1))))
    frame = slide.shapes.add_table(n + 1, len(GOAL_LABELS) + 1, MARGIN, BODY_TOP, WIDTH - 2 * MARGIN,
                                   Emu(int(row_h * (n + 1))))  # fmt: skip
    frame.name = "Ziele"
    table = frame.table
    table.columns[0].width = Inches(2.0)
    for c in range(1, len(GOAL_LABELS) + 1):
        table.columns[c].width = Emu(int((WIDTH - 2 * MARGIN - Inches(2.0)) / len(GOAL_LABELS)))
    for r in range(n + 1):
        table.rows[r].height = row_h
    _cell_text(table.cell(0, 0), "Ziele:", size, header=True)
    for c, goal in enumerate(GOAL_LABELS, start=1):
        _cell_text(table.cell(0, c), GOAL_TITLES[goal], size, header=True, center=True)
    for r, city in enumerate(names, start=1):
        _cell_text(table.cell(r, 0), city, size, bold=True)
        for c, goal in enumerate(GOAL_LABELS, start=1):
            cell = grid[(city, goal)]
            mark = TICK + _star(cell["verified"]) if cell["ticked"] else ""
            _cell_text(table.cell(r, c), mark, size + 2, center=True, bold=cell["verified"])
        if city in missing:
            _cell_text(table.cell(r, 0), f"{city} ⚠", size, bold=True)
    q1_warnings = [w for w in warnings(frames) if "Frage 1 erkannt" in w]
    if q1_warnings:
        box = slide.shapes.add_textbox(MARGIN, BODY_TOP + Emu(int(row_h * (n + 1))) + Inches(0.1),
                                       WIDTH - 2 * MARGIN, Inches(0.6))  # fmt: skip
        box.name = "Warnungen"
        box.text_frame.word_wrap = True
        box.text_frame.text = "\n".join(f"⚠ {clean(w)}" for w in q1_warnings)
        for para in box.text_frame.paragraphs:
            for run in para.runs:
                run.font.size = Pt(11)
                run.font.color.rgb = RGBColor(0xC0, 0x00, 0x00)


def _guideline_slide(prs, frames: Frames) -> None:
    slide = _question_slide(prs, frames, QUESTIONS[2])
    lines: list[Line] = []
    rows = records(frames["guideline"])
    by_status: dict[str, list[str]] = {}
    for group in by_city(rows):
        by_status.setdefault(group[0]["status"], []).append(group[0]["city"] + _star(group[0]["status_verified"]))
    for status in [*STATUS_TITLES, *(s for s in by_status if s not in STATUS_TITLES)]:
        if by_status.get(status):
            lines.append((f"{label(STATUS_TITLES, status)} → {join_cities(by_status[status])}", 1.0, False, 0))
    by_kind: dict[str, list[str]] = {}
    for o in rows:
        if o["orientation_kind"]:
            by_kind.setdefault(o["orientation_kind"], []).append(
                f"{o['orientation_name']} ({o['city']}){_star(o['orientation_verified'])}")
    for kind in [*ORIENTATION_TITLES, *(k for k in by_kind if k not in ORIENTATION_TITLES)]:
        if by_kind.get(kind):
            lines.append((label(ORIENTATION_TITLES, kind) + ":", 1.0, True, 0))
            lines += [(item, 0.9, False, 1) for item in by_kind[kind]]
    _text_body(slide, lines or [("Keine Angaben.", 1.0, False, 0)])


def _measures_slide(prs, frames: Frames) -> None:
    slide = _question_slide(prs, frames, QUESTIONS[3])
    cols: dict[str, list[str]] = {g: [] for g in GOAL_LABELS}
    for m in records(frames["measures"]):
        cols.setdefault(m["goal"], []).append(f"- {m['measure']}{_star(m['verified'])}")
    longest = max((len(v) for v in cols.values()), default=0)
    size = max(7, min(13, int(60 / max(1, longest))))
    frame = slide.shapes.add_table(2, len(GOAL_LABELS), MARGIN, BODY_TOP, WIDTH - 2 * MARGIN, Inches(1.5))
    frame.name = "Maßnahmen"
    table = frame.table
    table.rows[0].height = Inches(0.5)
    for c, goal in enumerate(GOAL_LABELS):
        table.columns[c].width = Emu(int((WIDTH - 2 * MARGIN) / len(GOAL_LABELS)))
        _cell_text(table.cell(0, c), GOAL_TITLES[goal], max(size, 11), header=True, center=True)
        _cell_text(table.cell(1, c), "\n".join(cols[goal]) or "–", size)


def _responsibility_slide(prs, frames: Frames) -> None:
    slide = _question_slide(prs, frames, QUESTIONS[4])
    lines: list[Line] = []
    groups: dict[str, list] = {}
    for r in records(frames["responsibility"]):
        groups.setdefault(r["group"], []).append(r)
    for group in [*GROUP_TITLES, *(g for g in groups if g not in GROUP_TITLES)]:
        entries = groups.get(group)
        if not entries:
            continue
        lines.append((label(GROUP_TITLES, group) + ("" if group == "querschnittsaufgabe" else ":"), 1.0, True, 0))
        if group == "querschnittsaufgabe":
            lines.append((join_cities([e["city"] + _star(e["verified"]) for e in entries]), 0.9, False, 1))
            continue
        for e in entries:
            units = " → ".join(e["units"])
            text = f"{e['city']}{_star(e['verified'])}" + (f": {units}" if units else "")
            lines.append((text, 0.9, False, 1))
    _text_body(slide, lines or [("Keine Angaben.", 1.0, False, 0)])


def _funding_slide(prs, frames: Frames) -> None:
    slide = _question_slide(prs, frames, QUESTIONS[5] + "\n" + QUESTIONS[6])
    lines: list[Line] = []
    for f in records(frames["funding"]):
        text = (f"➔ {f['city']}{_star(f['verified'])}: {label(FUNDS_TITLES, f['funds'])}; "
                f"Personal: {label(STAFF_TITLES, f['staff'])}")  # fmt: skip
        if f["allocators"]:
            text += f"; Vergabe: {', '.join(f['allocators'])}"
        lines.append((text, 1.0, False, 0))
    top = BODY_TOP + Inches(0.35)
    _text_body(slide, lines or [("Keine Angaben.", 1.0, False, 0)], top=top, height=BODY_HEIGHT - Inches(0.35))


def _best_practice_slide(prs, frames: Frames) -> None:
    slide = _question_slide(prs, frames, QUESTIONS[7])
    lines: list[Line] = [
        (f"- {b['name']}" + (f" ({', '.join(b['cities'])})" if b["cities"] else "") + _star(b["verified"]),
         1.0, False, 0)
        for b in records(frames["best_practice"])
    ]  # fmt: skip
    _text_body(slide, lines or [("Keine Angaben.", 1.0, False, 0)])


def build_presentation(frames: Frames):
    """The slide deck as a python-pptx ``Presentation``."""
    prs = Presentation()
    prs.slide_width, prs.slide_height = WIDTH, HEIGHT
    slide = prs.slides.add_slide(prs.slide_layouts[0])
    title = slide.shapes.title
    title.left, title.top, title.width, title.height = MARGIN, Inches(1.6), WIDTH - 2 * MARGIN, Inches(1.4)
    title.text = "Rückmeldung aus den Partnerstädten"
    sub = slide.placeholders[1]
    sub.left, sub.top, sub.width, sub.height = MARGIN, Inches(3.3), WIDTH - 2 * MARGIN, Inches(3.0)
    tf = sub.text_frame
    tf.word_wrap = True
    names = cities(frames)
    size = _font_size(len(names), base=24, minimum=10, comfortable=7)
    tf.text = names[0] if names else ""
    for city in names[1:]:
        tf.add_paragraph().text = city
    for p in tf.paragraphs:
        for r in p.runs:
            r.font.size = Pt(size)
    _footnote(slide, frames)
    _goals_slide(prs, frames)
    _guideline_slide(prs, frames)
    _measures_slide(prs, frames)
    _responsibility_slide(prs, frames)
    _funding_slide(prs, frames)
    _best_practice_slide(prs, frames)
    return prs


def write_pptx(frames: Frames, out_dir: Path) -> list[Path]:
    """Write ``rueckmeldung_partnerstaedte.pptx`` into ``out_dir`` atomically."""
    prs = build_presentation(frames)
    return [write_with(Path(out_dir) / FILENAME, lambda tmp: prs.save(str(tmp)))]
