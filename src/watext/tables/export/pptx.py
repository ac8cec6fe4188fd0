"""PowerPoint export: ``rueckmeldung_partnerstaedte.pptx``, the "Rückmeldung aus den
Partnerstädten" slides of the Darmstadt survey regenerated from the tables.

One slide per survey question (5 and 6 share one, as on the original deck; long measure
lists go on more slides, a list per goal at 14 pt). The goals matrix is a real table shape
whose header words never break inside a word (columns as wide as their longest word, the
header font shrunk to fit; breaks only between words or after ``-``/``/``); doubtful cells
show ``✓?``/``?`` with a legend line. Each slide has a footnote telling model marks (✓)
from marks a person verified (✓*). Every text is read from ``i18n/<lang>/slides.json`` (and
the shared label names), German by default; the file name stays the same in every language.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from pptx import Presentation
from pptx.dml.color import RGBColor
from pptx.enum.text import MSO_AUTO_SIZE, PP_ALIGN
from pptx.util import Emu, Inches, Pt

from watext import i18n
from watext.files import write_with
from watext.model import GOAL_LABELS
from watext.tables.export.fit import CELL_PAD, _header_lines, _pieces, _text_width
from watext.tables.export._common import (
    item_name, Frames, by_city, cities, clean, doubt_legend, goal_grid, goal_mark, goal_title, join_cities, label, legend,
    meta_items, no_answer_q1, question, warning_rows, when,
)  # fmt: skip
from watext.tables.frames import records

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


def _t(key: str, **values: object) -> str:
    """A text of the slides (``i18n/<lang>/slides.json``) in the language in force."""
    return i18n.t("slides", key, **values)


def _none() -> list[Line]:
    """The body of a slide without entries (``Keine Angaben.``)."""
    return [(_t("none"), 1.0, False, 0)]


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
    bits = [legend(), _t("source")]
    if meta.get("model_version"):
        bits.append(_t("model", version=meta["model_version"]))
    if meta.get("built_at"):
        bits.append(_t("built", when=when(meta["built_at"])))
    box = slide.shapes.add_textbox(MARGIN, HEIGHT - Inches(0.5), WIDTH - 2 * MARGIN, Inches(0.35))
    box.name = _t("shape_footnote")
    tf = box.text_frame
    tf.word_wrap = True
    tf.text = " · ".join(bits)
    for r in tf.paragraphs[0].runs:
        r.font.size = Pt(10)
        r.font.color.rgb = GREY


def _text_body(slide, lines: Sequence[Line], left=MARGIN, top=BODY_TOP, width=None, height=BODY_HEIGHT,
               size: int | None = None):  # fmt: skip
    """A text box of ``lines``; ``size`` fixes the font size (else it shrinks with the line count)."""
    box = slide.shapes.add_textbox(left, top, width or WIDTH - 2 * MARGIN, height)
    tf = box.text_frame
    tf.word_wrap = True
    fixed = size is not None
    if not fixed:
        tf.auto_size = MSO_AUTO_SIZE.TEXT_TO_FIT_SHAPE
    size = size or _font_size(len(lines))
    for i, (text, factor, bold, level) in enumerate(lines):
        p = tf.paragraphs[0] if i == 0 else tf.add_paragraph()
        p.text = clean(text)
        p.level = level
        if level:
            p.space_before = Pt(0)
        elif i and fixed:
            p.space_before = Pt(6)
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


def _goal_columns(first: int, size: int) -> tuple[list[int], float]:
    """Column widths (city column ``first`` wide) and a header font size with which no goal
    title has to break inside a word: columns get the width of their longest piece."""
    longest = [max(_text_width(p, 1) for p in _pieces(goal_title(g))) for g in GOAL_LABELS]  # at 1 pt
    room = WIDTH - 2 * MARGIN - first - len(GOAL_LABELS) * CELL_PAD
    header = max(6.0, int(min(float(size), room / sum(longest)) * 2) / 2)
    needed = [int(n * header) + CELL_PAD for n in longest]
    spare = (WIDTH - 2 * MARGIN - first - sum(needed)) // len(GOAL_LABELS)
    return [first, *(n + spare for n in needed)], header


def _goals_slide(prs, frames: Frames) -> None:
    slide = _question_slide(prs, frames, question(1))
    names, grid, missing = cities(frames), goal_grid(frames), no_answer_q1(frames)
    n = len(names)
    size = 14 if n <= 7 else max(7, 14 - (n - 7) // 2)
    labels = [f"{c} ⚠" if c in missing else c for c in names]
    corner = _t("goals_corner")
    first = max(Inches(1.3), max(_text_width(c, size) for c in [corner, *labels]) + CELL_PAD)
    widths, head_size = _goal_columns(first, size)
    heads = [_header_lines(goal_title(g), w, head_size) for g, w in zip(GOAL_LABELS, widths[1:], strict=True)]
    head_h = Emu(int(Pt(head_size) * 1.25 * max(h.count("\n") + 1 for h in heads) + Inches(0.1)))
    doubtful = [c for c in grid.values() if c["doubtful"]]
    q1_warnings = [text for w, text in warning_rows(frames) if 1 in w["questions"]]
    notes = ([_t("doubtful_cells", legend=doubt_legend(), n=len(doubtful))] if doubtful else []) + [
        f"⚠ {w}" for w in q1_warnings]
    room = BODY_HEIGHT - head_h - Inches(0.3) * len(notes)
    row_h = min(Inches(0.6), Emu(int(room / max(1, n))))
    frame = slide.shapes.add_table(n + 1, len(GOAL_LABELS) + 1, MARGIN, BODY_TOP, WIDTH - 2 * MARGIN,
                                   Emu(head_h + row_h * n))  # fmt: skip
    frame.name = _t("shape_goals")
    table = frame.table
    for c, w in enumerate(widths):
        table.columns[c].width = Emu(w)
    table.rows[0].height = head_h
    for r in range(1, n + 1):
        table.rows[r].height = row_h
    _cell_text(table.cell(0, 0), corner, size, header=True)
    for c, head in enumerate(heads, start=1):
        _cell_text(table.cell(0, c), head, head_size, header=True, center=True)
    for r, (city, text) in enumerate(zip(names, labels, strict=True), start=1):
        _cell_text(table.cell(r, 0), text, size, bold=True)
        for c, goal in enumerate(GOAL_LABELS, start=1):
            cell = grid[(city, goal)]
            _cell_text(table.cell(r, c), goal_mark(cell), size + 2, center=True, bold=cell["verified"])
    if notes:
        box = slide.shapes.add_textbox(MARGIN, BODY_TOP + Emu(head_h + row_h * n) + Inches(0.1),
                                       WIDTH - 2 * MARGIN, Inches(0.3) * len(notes))  # fmt: skip
        box.name = _t("shape_notes")
        box.text_frame.word_wrap = True
        box.text_frame.text = "\n".join(clean(t) for t in notes)
        for para, text in zip(box.text_frame.paragraphs, notes, strict=True):
            for run in para.runs:
                run.font.size = Pt(12)
                run.font.color.rgb = RGBColor(0xC0, 0x00, 0x00) if text.startswith("⚠") else GREY


def _guideline_slide(prs, frames: Frames) -> None:
    slide = _question_slide(prs, frames, question(2))
    lines: list[Line] = []
    rows = records(frames["guideline"])
    by_status: dict[str, list[str]] = {}
    for group in by_city(rows):
        by_status.setdefault(group[0]["status"], []).append(group[0]["city"] + _star(group[0]["status_verified"]))
    for status in [*i18n.names("guideline_status"), *(s for s in by_status if s not in i18n.names("guideline_status"))]:
        if by_status.get(status):
            lines.append((f"{label('guideline_status', status)} → {join_cities(by_status[status])}", 1.0, False, 0))
    by_kind: dict[str, list[str]] = {}
    for o in rows:
        if o["orientation_kind"]:
            by_kind.setdefault(o["orientation_kind"], []).append(
                f"{o['orientation_name']} ({o['city']}){_star(o['orientation_verified'])}")
    for kind in [*i18n.names("orientation"), *(k for k in by_kind if k not in i18n.names("orientation"))]:
        if by_kind.get(kind):
            lines.append((_t("heading", title=label("orientation", kind)), 1.0, True, 0))
            lines += [(item, 0.9, False, 1) for item in by_kind[kind]]
    _text_body(slide, lines or _none())


MEASURE_SIZE, MEASURE_HEAD = 14, 16  # pt: the lists stay readable, long ones go on more slides
MEASURE_COLUMNS = 2


def _measure_blocks(frames: Frames) -> list[tuple[str, list[str]]]:
    """(goal title, measure lines) in goal order; a measure line names its cities."""
    by_goal: dict[str, list[str]] = {}
    for m in records(frames["measures"]):
        where = f" ({', '.join(m['cities'])})" if m["cities"] else ""
        by_goal.setdefault(m["goal"], []).append(f"{item_name(m['measure'])}{where}{_star(m['verified'])}")
    order = [*GOAL_LABELS, *(g for g in by_goal if g not in GOAL_LABELS)]
    return [(goal_title(g), by_goal[g]) for g in order if by_goal.get(g)]


def _measure_columns(frames: Frames) -> list[list[Line]]:
    """The measure lists cut into columns that fit the body at :data:`MEASURE_SIZE`."""
    col_w = (WIDTH - 2 * MARGIN) / MEASURE_COLUMNS - Inches(0.4)
    per_line = max(10, int(col_w / (Pt(MEASURE_SIZE) * 0.6)))  # characters of a wrapped line
    capacity = BODY_HEIGHT / Pt(1) - 20  # pt
    head_h = MEASURE_HEAD * 1.2 + 6
    columns: list[list[Line]] = [[]]
    used = 0.0
    for title, items in _measure_blocks(frames):
        for i, item in enumerate(items):
            text = "– " + item
            item_h = -(-len(text) // per_line) * MEASURE_SIZE * 1.2
            if columns[-1] and used + item_h + (head_h if i == 0 else 0) > capacity:
                columns.append([])
                used = 0.0
            if i == 0 or not columns[-1]:
                head = _t("heading" if i == 0 else "continued", title=title)
                columns[-1].append((head, MEASURE_HEAD / MEASURE_SIZE, True, 0))
                used += head_h
            columns[-1].append((text, 1.0, False, 1))
            used += item_h
    return columns


def _measures_slide(prs, frames: Frames) -> None:
    columns = _measure_columns(frames)
    pages = [columns[i:i + MEASURE_COLUMNS] for i in range(0, len(columns), MEASURE_COLUMNS)]
    col_w = Emu(int((WIDTH - 2 * MARGIN) / MEASURE_COLUMNS))
    for no, page in enumerate(pages, start=1):
        title = question(3) + (f" ({no}/{len(pages)})" if len(pages) > 1 else "")
        slide = _question_slide(prs, frames, title)
        for c, lines in enumerate(page):
            box = _text_body(slide, lines or _none(), left=MARGIN + col_w * c,
                             width=col_w - Inches(0.2), size=MEASURE_SIZE)  # fmt: skip
            box.name = _t("shape_measures")


def _responsibility_slide(prs, frames: Frames) -> None:
    slide = _question_slide(prs, frames, question(4))
    lines: list[Line] = []
    groups: dict[str, list] = {}
    for r in records(frames["responsibility"]):
        groups.setdefault(r["group"], []).append(r)
    for group in [*i18n.names("group"), *(g for g in groups if g not in i18n.names("group"))]:
        entries = groups.get(group)
        if not entries:
            continue
        title = label("group", group)
        lines.append((title if group == "querschnittsaufgabe" else _t("heading", title=title), 1.0, True, 0))
        if group == "querschnittsaufgabe":
            lines.append((join_cities([e["city"] + _star(e["verified"]) for e in entries]), 0.9, False, 1))
            continue
        for e in entries:
            units = " → ".join(e["units"])
            text = f"{e['city']}{_star(e['verified'])}" + (f": {units}" if units else "")
            lines.append((text, 0.9, False, 1))
    _text_body(slide, lines or _none())


def _funding_slide(prs, frames: Frames) -> None:
    slide = _question_slide(prs, frames, question(5) + "\n" + question(6))
    lines: list[Line] = []
    for f in records(frames["funding"]):
        text = (f"➔ {f['city']}{_star(f['verified'])}: {label('funds', f['funds'])}; "
                + _t("staff", staff=label("staff", f["staff"])))  # fmt: skip
        if f["allocators"]:
            text += "; " + _t("allocation", names=", ".join(f["allocators"]))
        lines.append((text, 1.0, False, 0))
    top = BODY_TOP + Inches(0.35)
    _text_body(slide, lines or _none(), top=top, height=BODY_HEIGHT - Inches(0.35))


def _best_practice_slide(prs, frames: Frames) -> None:
    slide = _question_slide(prs, frames, question(7))
    lines: list[Line] = [
        (f"- {item_name(b['name'])}" + (f" ({', '.join(b['cities'])})" if b["cities"] else "") + _star(b["verified"]),
         1.0, False, 0)
        for b in records(frames["best_practice"])
    ]  # fmt: skip
    _text_body(slide, lines or _none())


def build_presentation(frames: Frames):
    """The slide deck as a python-pptx ``Presentation``."""
    prs = Presentation()
    prs.slide_width, prs.slide_height = WIDTH, HEIGHT
    slide = prs.slides.add_slide(prs.slide_layouts[0])
    title = slide.shapes.title
    title.left, title.top, title.width, title.height = MARGIN, Inches(1.6), WIDTH - 2 * MARGIN, Inches(1.4)
    title.text = _t("title")
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
