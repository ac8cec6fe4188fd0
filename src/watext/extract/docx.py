"""Word adapter (python-docx).

The body is walked in document order (paragraphs and tables interleaved; content
controls are entered). Headers, footers, footnotes, comments and text boxes are
ignored: in council submissions they hold letterheads and page furniture, not content.
Nested tables inside cells are not extracted (their text is not part of ``cell.text``).

Paragraph rules, first match wins:

- style "Title"/"Titel" -> TITLE; "Heading N"/"Überschrift N" -> HEADING level N;
- numbering (``w:numPr`` on the paragraph or its style chain, or a style whose name starts
  with "List"/"Liste"/"Aufzählung") -> LIST_ITEM, level = ``ilvl``;
- manual markers ("1. ", "2) ", "- ", "• "; see :mod:`watext.extract.lists`) -> LIST_ITEM;
- a bold-only paragraph of at most 100 characters ending with ":", or a one- or two-word
  label ending with ":" ("Beratungsfolge:") -> HEADING level 2;
- otherwise PARAGRAPH.

Visible numbers of auto-numbered items are rebuilt as a text prefix from the numbering
definition (decimal, letters, roman; bullets get none): a counter per (numId, level)
starting at ``w:start``; but when the item directly follows a list item that carried a
manual number N at the same level, it is numbered N+1 and its list continues from there
(Osnabrück: manual "1."…"9." followed by two "List Number" paragraphs -> "10.", "11.").

Title: the core-properties title; else the first Title-style paragraph; else the first
non-empty body paragraph if it is bold-only, 3+ words, at most 200 characters and does not
end with ":" (emitted as a TITLE block); else the first heading's text.
"""

from __future__ import annotations

import zipfile
from pathlib import Path
from typing import Any

import docx
from docx.opc.exceptions import PackageNotFoundError
from docx.oxml.ns import qn
from docx.table import Table
from docx.text.paragraph import Paragraph
from lxml.etree import XMLSyntaxError

from watext.errors import CorruptFileError
from watext.extract.lists import assign_parents, format_number, parse_marker
from watext.extract.normalize import clean_text
from watext.extract.office import read_core_properties
from watext.model import Block, BlockKind, Document, Format
from watext.settings import Settings

__all__ = ["extract"]

_DAMAGE = (zipfile.BadZipFile, KeyError, XMLSyntaxError, PackageNotFoundError, ValueError)
_LIST_STYLE_PREFIXES = ("list", "liste", "aufzählung")
_NUMBERED_STYLE_WORDS = ("number", "nummer")


def extract(path: Path, settings: Settings) -> Document:
    """Read a .docx file into a Document (``id=""``; the caller sets it)."""
    try:
        document = docx.Document(str(path))
        walker = _BodyWalker(document)
        walker.walk(document.element.body)
        metadata = read_core_properties(document.core_properties)
    except _DAMAGE as exc:
        lines = str(exc).strip().splitlines()
        reason = f"{type(exc).__name__}: {lines[0][:120]}" if lines else type(exc).__name__
        raise CorruptFileError(f"damaged docx file: {reason}") from exc
    blocks = walker.blocks
    assign_parents(blocks)
    title = metadata.get("title") or next(
        (b.text for b in blocks if b.kind is BlockKind.TITLE), None
    ) or next((b.text for b in blocks if b.kind is BlockKind.HEADING), None)
    return Document(
        id="", source=str(path), format=Format.DOCX, blocks=blocks, title=title,
        pages=None, size=path.stat().st_size, metadata=metadata,
    )  # fmt: skip


class _BodyWalker:
    """Turns body elements into blocks, keeping list-numbering state."""

    def __init__(self, document: Any) -> None:
        self.document = document
        self.blocks: list[Block] = []
        self.table_no = 0
        self.counters: dict[str, dict[int, int]] = {}
        self.prev_number: tuple[int, int] | None = None  # (level, N) of a manual item
        self.title_open = not document.core_properties.title
        try:
            self.numbering = document.part.numbering_part.element
        except (KeyError, NotImplementedError):
            self.numbering = None

    def walk(self, parent: Any) -> None:
        """Visit the block-level children of ``parent`` in document order."""
        for child in parent.iterchildren():
            if child.tag == qn("w:p"):
                self.add_paragraph(Paragraph(child, self.document))
            elif child.tag == qn("w:tbl"):
                self.add_table(Table(child, self.document))
            elif child.tag == qn("w:sdt"):
                content = child.find(qn("w:sdtContent"))
                if content is not None:
                    self.walk(content)

    def add_table(self, table: Table) -> None:
        """Emit every cell once (merged cells at their top-left)."""
        seen: set[Any] = set()  # holding the elements keeps their identity stable
        for r, row in enumerate(table.rows):
            for c, cell in enumerate(row.cells):
                if cell._tc in seen:
                    continue
                seen.add(cell._tc)
                text = clean_text(cell.text)
                self.blocks.append(
                    Block(BlockKind.TABLE_CELL, text, table=self.table_no, row=r, col=c)
                )
        self.table_no += 1
        self.prev_number = None

    def add_paragraph(self, paragraph: Paragraph) -> None:
        """Classify one paragraph and emit its block (empty ones are skipped)."""
        text = clean_text(paragraph.text)
        if not text:
            return
        style = paragraph.style.name if paragraph.style is not None else ""
        kind, level, manual = self.classify(paragraph, style, text)
        if kind is BlockKind.LIST_ITEM and manual is None:
            text = self.number_prefix(paragraph, style, level, text)
        elif kind is BlockKind.LIST_ITEM:
            marker = parse_marker(text)
            text = marker.text if marker else text  # bullet glyphs dropped, numbers kept
        if kind is BlockKind.PARAGRAPH and self.title_open and self.is_title_like(paragraph, text):
            kind, level = BlockKind.TITLE, 1
        self.title_open = False
        self.prev_number = (level, manual) if manual is not None else None
        self.blocks.append(Block(kind, text, level=level, style=style or None))

    def classify(
        self, paragraph: Paragraph, style: str, text: str
    ) -> tuple[BlockKind, int, int | None]:
        """Return (kind, level, manual number) for a paragraph."""
        lower = style.lower()
        if lower in ("title", "titel"):
            return BlockKind.TITLE, 1, None
        words = lower.split()
        if len(words) == 2 and words[0] in ("heading", "überschrift") and words[1].isdigit():
            return BlockKind.HEADING, int(words[1]), None
        num = self.num_props(paragraph)
        if num is not None or lower.startswith(_LIST_STYLE_PREFIXES):
            level = num[1] if num and num[1] is not None else _style_list_level(style)
            return BlockKind.LIST_ITEM, level, None
        marker = parse_marker(text)
        if marker is not None:
            return BlockKind.LIST_ITEM, 0, marker.number or -1
        if text.endswith(":") and (
            (len(text) <= 100 and _is_bold_only(paragraph))
            or (len(text.split()) <= 2 and len(text) <= 40)
        ):
            return BlockKind.HEADING, 2, None
        return BlockKind.PARAGRAPH, 0, None

    def num_props(self, paragraph: Paragraph) -> tuple[str, int | None] | None:
        """(numId, ilvl or None) from the paragraph or its style chain; None if unnumbered."""
        num_id: str | None = None
        ilvl: int | None = None
        ppr_sources = [paragraph._p.pPr]
        style = paragraph.style
        while style is not None:
            ppr_sources.append(style.element.pPr)
            style = style.base_style
        for ppr in ppr_sources:
            numpr = ppr.find(qn("w:numPr")) if ppr is not None else None
            if numpr is None:
                continue
            nid, lvl = numpr.find(qn("w:numId")), numpr.find(qn("w:ilvl"))
            if num_id is None and nid is not None:
                num_id = nid.get(qn("w:val"))
            if ilvl is None and lvl is not None:
                ilvl = int(lvl.get(qn("w:val"), "0"))
        if num_id is None or num_id == "0":
            return None
        return num_id, ilvl

    def level_format(self, num_id: str, ilvl: int) -> tuple[str, str, int] | None:
        """(numFmt, lvlText, start) of a numbering level, or None when undefined."""
        if self.numbering is None:
            return None
        abstract = self.numbering.xpath(f'./w:num[@w:numId="{num_id}"]/w:abstractNumId/@w:val')
        if not abstract:
            return None
        lvls = self.numbering.xpath(
            f'./w:abstractNum[@w:abstractNumId="{abstract[0]}"]/w:lvl[@w:ilvl="{ilvl}"]'
        )
        if not lvls:
            return None

        def val(tag: str, default: str) -> str:
            el = lvls[0].find(qn(tag))
            return el.get(qn("w:val"), default) if el is not None else default

        return val("w:numFmt", "decimal"), val("w:lvlText", f"%{ilvl + 1}."), int(
            val("w:start", "1")
        )

    def number_prefix(
        self, paragraph: Paragraph, style: str, level: int, text: str
    ) -> str:
        """Return ``text`` prefixed with the item's visible number (bullets: unchanged)."""
        num = self.num_props(paragraph)
        fmt = self.level_format(num[0], num[1] or 0) if num else None
        if fmt is None:
            if not any(w in style.lower() for w in _NUMBERED_STYLE_WORDS):
                return text
            fmt = ("decimal", f"%{level + 1}.", 1)
        num_fmt, lvl_text, start = fmt
        if num_fmt in ("bullet", "none"):
            return text
        counters = self.counters.setdefault(num[0] if num else f"style:{style}", {})
        prev = self.prev_number
        if prev is not None and prev[0] == level and prev[1] > 0:
            counters[level] = prev[1] + 1
        else:
            counters[level] = counters.get(level, start - 1) + 1
        for deeper in [k for k in counters if k > level]:
            del counters[deeper]
        visible = lvl_text
        for k in range(level, -1, -1):
            visible = visible.replace(f"%{k + 1}", format_number(counters.get(k, 1), num_fmt))
        return f"{visible} {text}" if visible.strip() else text

    @staticmethod
    def is_title_like(paragraph: Paragraph, text: str) -> bool:
        """True for a bold-only, short, multi-word paragraph that is no label."""
        return (
            len(text) <= 200
            and len(text.split()) >= 3
            and not text.endswith(":")
            and _is_bold_only(paragraph)
        )


def _style_list_level(style: str) -> int:
    """Level from a list style name: "List Bullet 2" -> 1."""
    last = style.split()[-1] if style.split() else ""
    return max(int(last) - 1, 0) if last.isdigit() else 0


def _is_bold_only(paragraph: Paragraph) -> bool:
    """True when every run with visible text is bold (directly or via its styles)."""
    style_bold = False
    style = paragraph.style
    while style is not None:
        if style.font.bold is not None:
            style_bold = bool(style.font.bold)
            break
        style = style.base_style
    runs = [r for r in paragraph.runs if r.text.strip()]
    if not runs:
        return False
    for run in runs:
        bold = run.bold
        if bold is None and run.style is not None and run.style.font.bold is not None:
            bold = run.style.font.bold
        if not (style_bold if bold is None else bold):
            return False
    return True
