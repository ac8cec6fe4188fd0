"""The central document model of watext.

Every format adapter in :mod:`watext.extract` translates its parser library's objects
into these types and stops there; segmentation, tagging, storage and export only ever
see :class:`Document`, :class:`Block` and :class:`Passage`. No I/O happens here.

Positions:
- ``Block.page`` is the 1-based page (PDF) or slide (PPTX) number; ``None`` for formats
  without pages (DOCX, HTML, text).
- ``Block.bbox`` is ``(x0, top, x1, bottom)`` in PDF points from the top-left corner
  of the page or slide, when the format knows it.
- ``Passage.start``/``Passage.end`` are character offsets into :attr:`Document.text`,
  so ``doc.text[p.start:p.end] == p.text`` always holds.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from typing import Any

__all__ = [
    "BLOCK_SEPARATOR",
    "Block",
    "BlockKind",
    "DocType",
    "Document",
    "Format",
    "Passage",
]

#: Blocks are joined with this separator to form :attr:`Document.text`.
BLOCK_SEPARATOR = "\n\n"


class Format(str, enum.Enum):
    """Source formats watext reads (after content sniffing, not by extension)."""

    PDF = "pdf"
    PPTX = "pptx"
    DOCX = "docx"
    HTML = "html"
    TEXT = "text"


class BlockKind(str, enum.Enum):
    TITLE = "title"
    HEADING = "heading"
    PARAGRAPH = "paragraph"
    LIST_ITEM = "list_item"
    TABLE_CELL = "table_cell"
    NOTES = "notes"


class DocType(str, enum.Enum):
    """What kind of municipal document this is."""

    SLIDES = "slides"
    COUNCIL_SUBMISSION = "council_submission"
    MINUTES = "minutes"
    SURVEY_ANSWER = "survey_answer"
    CONCEPT = "concept"
    PRESS_RELEASE = "press_release"
    LETTER = "letter"
    OTHER = "other"


@dataclass(slots=True)
class Block:
    """One structural unit of a document, in reading order.

    ``level`` is the heading level (1 = top) for headings, the nesting depth (0 = top)
    for list items, and 0 otherwise. ``parent`` is the index (in ``Document.blocks``)
    of the enclosing list item for nested list items. Table cells carry ``table``
    (0-based table number within the document), ``row`` and ``col`` (0-based).
    """

    kind: BlockKind
    text: str
    page: int | None = None
    level: int = 0
    parent: int | None = None
    table: int | None = None
    row: int | None = None
    col: int | None = None
    bbox: tuple[float, float, float, float] | None = None
    style: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return {
            "kind": self.kind.value,
            "text": self.text,
            "page": self.page,
            "level": self.level,
            "parent": self.parent,
            "table": self.table,
            "row": self.row,
            "col": self.col,
            "bbox": list(self.bbox) if self.bbox else None,
            "style": self.style,
        }

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> Block:
        bbox = d.get("bbox")
        return cls(
            kind=BlockKind(d["kind"]),
            text=d["text"],
            page=d.get("page"),
            level=d.get("level", 0),
            parent=d.get("parent"),
            table=d.get("table"),
            row=d.get("row"),
            col=d.get("col"),
            bbox=tuple(bbox) if bbox else None,
            style=d.get("style"),
        )


@dataclass(slots=True)
class Document:
    """A source file after extraction. ``id`` is the SHA-256 of the file's bytes."""

    id: str
    source: str
    format: Format
    blocks: list[Block] = field(default_factory=list)
    title: str | None = None
    city: str | None = None
    doc_type: DocType = DocType.OTHER
    language: str | None = None
    pages: int | None = None
    size: int = 0
    metadata: dict[str, Any] = field(default_factory=dict)

    @property
    def text(self) -> str:
        """The document's plain text: block texts joined by :data:`BLOCK_SEPARATOR`."""
        return BLOCK_SEPARATOR.join(b.text for b in self.blocks)

    def block_offsets(self) -> list[int]:
        """Start offset of each block's text within :attr:`text`."""
        offsets, pos = [], 0
        for b in self.blocks:
            offsets.append(pos)
            pos += len(b.text) + len(BLOCK_SEPARATOR)
        return offsets

    def tables(self) -> dict[int, list[list[str]]]:
        """Tables rebuilt as row-major grids of cell text, keyed by table number."""
        grids: dict[int, dict[tuple[int, int], str]] = {}
        for b in self.blocks:
            if b.kind is BlockKind.TABLE_CELL and b.table is not None:
                grids.setdefault(b.table, {})[(b.row or 0, b.col or 0)] = b.text
        out: dict[int, list[list[str]]] = {}
        for t, cells in grids.items():
            nrows = max(r for r, _ in cells) + 1
            ncols = max(c for _, c in cells) + 1
            out[t] = [[cells.get((r, c), "") for c in range(ncols)] for r in range(nrows)]
        return out


@dataclass(slots=True)
class Passage:
    """A unit of text for classification that remembers where it came from."""

    document: str
    ordinal: int
    text: str
    start: int
    end: int
    heading: tuple[str, ...] = ()
    page: int | None = None
    kinds: tuple[BlockKind, ...] = ()
    blocks: tuple[int, ...] = ()
    language: str | None = None
    annotations: dict[str, Any] = field(default_factory=dict)

    @property
    def id(self) -> str:
        return f"{self.document[:16]}-{self.ordinal:05d}"
