"""PowerPoint adapter (python-pptx).

Per slide (``Block.page`` = 1-based slide number), shapes in reading order: the title
placeholder first, then all other shapes - group members included, with their positions
mapped to slide coordinates - sorted by (top, left).

- title / centre-title placeholder -> TITLE (line breaks become spaces);
- subtitle placeholder -> HEADING level 2 (it heads the title slide's content);
- body/content placeholders: every paragraph -> LIST_ITEM with ``level`` =
  ``paragraph.level`` unless it is explicitly bullet-less (``a:buNone``); other text
  frames: a paragraph -> LIST_ITEM only with an explicit bullet (``a:buChar`` /
  ``a:buAutoNum``), else PARAGRAPH; ``parent`` of nested items is set per slide;
- the visible number of an auto-numbered paragraph (``a:buAutoNum``: ``1.``, ``a)``,
  ``(iv)`` ...) is rebuilt as a text prefix, as the DOCX adapter does: a counter per
  text frame and level starting at ``startAt``, continued by the next numbered paragraph
  of that level, restarted after an unnumbered one, reset by a shallower paragraph;
- date, footer, slide-number and header placeholders are skipped (site chrome);
- tables -> one TABLE_CELL per cell (empty cells included, merged cells once at their
  top-left), cell paragraphs and line breaks kept as "\\n"; ``table`` runs over the deck;
- speaker notes -> one NOTES block at the end of the slide;
- ``bbox`` in points (EMU / 12700).

Document.title is the first slide title (falling back to the core-properties title).
"""

from __future__ import annotations

import zipfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from lxml.etree import XMLSyntaxError
from pptx import Presentation
from pptx.enum.shapes import MSO_SHAPE_TYPE, PP_PLACEHOLDER
from pptx.exc import PackageNotFoundError
from pptx.oxml.ns import qn

from watext.errors import CorruptFileError
from watext.extract.lists import assign_parents, format_number
from watext.extract.normalize import clean_text
from watext.extract.office import read_core_properties
from watext.model import Block, BlockKind, Document, Format
from watext.settings import Settings

__all__ = ["extract"]

EMU_PER_POINT = 12700
_TITLES = {PP_PLACEHOLDER.TITLE, PP_PLACEHOLDER.CENTER_TITLE, PP_PLACEHOLDER.VERTICAL_TITLE}
_BODIES = {
    PP_PLACEHOLDER.BODY, PP_PLACEHOLDER.OBJECT,
    PP_PLACEHOLDER.VERTICAL_BODY, PP_PLACEHOLDER.VERTICAL_OBJECT,
}  # fmt: skip
_CHROME = {
    PP_PLACEHOLDER.DATE, PP_PLACEHOLDER.FOOTER,
    PP_PLACEHOLDER.SLIDE_NUMBER, PP_PLACEHOLDER.HEADER,
}  # fmt: skip
_DAMAGE = (zipfile.BadZipFile, KeyError, XMLSyntaxError, PackageNotFoundError, ValueError)

BBox = tuple[float, float, float, float]


def extract(path: Path, settings: Settings) -> Document:
    """Read a .pptx file into a Document (``id=""``; the caller sets it)."""
    try:
        prs = Presentation(str(path))
        blocks: list[Block] = []
        table_no = 0
        for number, slide in enumerate(prs.slides, start=1):
            table_no = _add_slide(blocks, slide, number, table_no)
        metadata = read_core_properties(prs.core_properties)
        slide_count = len(prs.slides)
    except _DAMAGE as exc:
        raise CorruptFileError(f"damaged pptx file: {_reason(exc)}") from exc
    assign_parents(blocks)
    metadata["slide_count"] = slide_count
    first_title = next((b.text for b in blocks if b.kind is BlockKind.TITLE), None)
    return Document(
        id="", source=str(path), format=Format.PPTX, blocks=blocks,
        title=first_title or metadata.get("title") or None,
        pages=slide_count, size=path.stat().st_size, metadata=metadata,
    )  # fmt: skip


def _reason(exc: BaseException) -> str:
    """A one-line reason for an error message."""
    text = str(exc).strip().splitlines()
    return f"{type(exc).__name__}: {text[0][:120]}" if text else type(exc).__name__



def _placeholder_type(shape: Any) -> Any:
    """The placeholder type of ``shape``, or None for non-placeholders."""
    return shape.placeholder_format.type if shape.is_placeholder else None


def _add_slide(blocks: list[Block], slide: Any, number: int, table_no: int) -> int:
    """Append one slide's blocks; return the next table number."""
    shapes = list(_iter_leaf_shapes(slide.shapes, None))
    shapes.sort(key=lambda sb: (_placeholder_type(sb[0]) not in _TITLES, _sort_key(sb[1])))
    for shape, bbox in shapes:
        ph = _placeholder_type(shape)
        if ph in _CHROME:
            continue
        if getattr(shape, "has_table", False) and shape.has_table:
            _add_table(blocks, shape.table, number, table_no, bbox)
            table_no += 1
        elif shape.has_text_frame:
            _add_text_frame(blocks, shape.text_frame, ph, number, bbox)
    if slide.has_notes_slide:
        frame = slide.notes_slide.notes_text_frame
        notes = clean_text(frame.text.replace("\v", "\n")) if frame is not None else ""
        if notes:
            blocks.append(Block(BlockKind.NOTES, notes, page=number))
    return table_no


def _sort_key(bbox: BBox | None) -> tuple[float, float]:
    """Reading-order key (top, left); shapes without position go last."""
    return (bbox[1], bbox[0]) if bbox else (float("inf"), float("inf"))


def _iter_leaf_shapes(shapes: Any, transform: Any) -> Iterator[tuple[Any, BBox | None]]:
    """Yield non-group shapes with their bbox in slide points, recursing into groups."""
    for shape in shapes:
        bbox = _bbox(shape, transform)
        if shape.shape_type == MSO_SHAPE_TYPE.GROUP:
            yield from _iter_leaf_shapes(shape.shapes, _group_transform(shape, transform))
        else:
            yield shape, bbox


def _group_transform(group: Any, outer: Any) -> Any:
    """Map a group's child coordinates to slide EMU: returns a function (x, y) -> (x, y)."""
    xfrm = group._element.grpSpPr.find(qn("a:xfrm"))
    if xfrm is None or xfrm.find(qn("a:chOff")) is None or xfrm.find(qn("a:chExt")) is None:
        return outer
    off, ext = xfrm.find(qn("a:off")), xfrm.find(qn("a:ext"))
    ch_off, ch_ext = xfrm.find(qn("a:chOff")), xfrm.find(qn("a:chExt"))
    sx = int(ext.get("cx")) / (int(ch_ext.get("cx")) or 1)
    sy = int(ext.get("cy")) / (int(ch_ext.get("cy")) or 1)

    def transform(x: float, y: float) -> tuple[float, float]:
        gx = int(off.get("x")) + (x - int(ch_off.get("x"))) * sx
        gy = int(off.get("y")) + (y - int(ch_off.get("y"))) * sy
        return outer(gx, gy) if outer else (gx, gy)

    return transform


def _bbox(shape: Any, transform: Any) -> BBox | None:
    """The shape's (x0, top, x1, bottom) in points, or None when it has no position."""
    try:
        left, top, width, height = shape.left, shape.top, shape.width, shape.height
    except (AttributeError, ValueError):
        return None
    if None in (left, top, width, height):
        return None
    x0, y0, x1, y1 = left, top, left + width, top + height
    if transform is not None:
        x0, y0 = transform(x0, y0)
        x1, y1 = transform(x1, y1)
    x0, y0, x1, y1 = (round(v / EMU_PER_POINT, 2) for v in (x0, y0, x1, y1))
    return (x0, y0, x1, y1)


def _bullet_state(paragraph: Any) -> bool | None:
    """True for an explicit bullet, False for explicit buNone, None when inherited."""
    ppr = paragraph._p.pPr
    if ppr is None:
        return None
    if ppr.find(qn("a:buNone")) is not None:
        return False
    if ppr.find(qn("a:buChar")) is not None or ppr.find(qn("a:buAutoNum")) is not None:
        return True
    return None


def _add_text_frame(
    blocks: list[Block], frame: Any, ph: Any, page: int, bbox: BBox | None
) -> None:
    """Append the blocks of one text frame."""
    if ph in _TITLES:
        text = clean_text(" ".join(p.text.replace("\v", " ") for p in frame.paragraphs))
        if text:
            blocks.append(Block(BlockKind.TITLE, text, page=page, level=1, bbox=bbox))
        return
    if ph == PP_PLACEHOLDER.SUBTITLE:
        text = clean_text("\n".join(p.text.replace("\v", "\n") for p in frame.paragraphs))
        if text:
            blocks.append(Block(BlockKind.HEADING, text, page=page, level=2, bbox=bbox))
        return
    counters: dict[int, tuple[str, int]] = {}  # level -> (numbering scheme, last number)
    for paragraph in frame.paragraphs:
        text = clean_text(paragraph.text.replace("\v", "\n"))
        if not text:
            continue
        bullet = _bullet_state(paragraph)
        is_item = bullet is True or (ph in _BODIES and bullet is not False)
        level = paragraph.level
        for deeper in [k for k in counters if k > level]:
            del counters[deeper]
        auto = _auto_number(paragraph)
        if auto is None:
            counters.pop(level, None)
        else:
            scheme, start = auto
            running = counters.get(level)
            n = running[1] + 1 if running and running[0] == scheme else start
            counters[level] = (scheme, n)
            text = f"{_number_label(scheme, n)} {text}"
        if is_item:
            blocks.append(
                Block(BlockKind.LIST_ITEM, text, page=page, level=paragraph.level, bbox=bbox)
            )
        else:
            blocks.append(Block(BlockKind.PARAGRAPH, text, page=page, bbox=bbox))


def _auto_number(paragraph: Any) -> tuple[str, int] | None:
    """``(scheme, startAt)`` of a paragraph's explicit automatic numbering, else None."""
    ppr = paragraph._p.pPr
    auto = ppr.find(qn("a:buAutoNum")) if ppr is not None else None
    if auto is None:
        return None
    try:
        start = max(int(auto.get("startAt", "1")), 1)
    except ValueError:
        start = 1
    return auto.get("type", "arabicPeriod"), start


#: ``a:buAutoNum`` schemes: the number style their name starts with, and the punctuation.
_SCHEME_STYLES = (("alphaLc", "lowerLetter"), ("alphaUc", "upperLetter"), ("romanLc", "lowerRoman"),
                  ("romanUc", "upperRoman"))  # fmt: skip
_SCHEME_PUNCTUATION = {"ParenBoth": "({})", "ParenR": "{})", "Plain": "{}"}


def _number_label(scheme: str, n: int) -> str:
    """The visible number of item ``n`` in numbering ``scheme`` ("arabicParenR", 3 -> "3)")."""
    style = next((st for prefix, st in _SCHEME_STYLES if scheme.startswith(prefix)), "decimal")
    punct = next((f for suffix, f in _SCHEME_PUNCTUATION.items() if scheme.endswith(suffix)), "{}.")
    return punct.format(format_number(n, style))


def _add_table(blocks: list[Block], table: Any, page: int, number: int, bbox: BBox | None) -> None:
    """Append every (non-spanned) cell of a table as a TABLE_CELL block."""
    for r, row in enumerate(table.rows):
        for c, cell in enumerate(row.cells):
            if cell.is_spanned:
                continue
            lines = [p.text.replace("\v", "\n") for p in cell.text_frame.paragraphs]
            blocks.append(
                Block(BlockKind.TABLE_CELL, clean_text("\n".join(lines)), page=page,
                      table=number, row=r, col=c, bbox=bbox)
            )  # fmt: skip
