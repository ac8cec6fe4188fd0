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
    "BODY_LABELS",
    "GOAL_LABELS",
    "NONE",
    "TOPIC_LABELS",
    "Block",
    "Body",
    "Goal",
    "Topic",
    "BlockKind",
    "DocType",
    "Document",
    "EffectivePassage",
    "FileState",
    "Format",
    "Passage",
    "Prediction",
    "ReviewRecord",
    "ReviewState",
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


class Goal(str, enum.Enum):
    """Goal categories of the taxonomy (``shared/TAXONOMY.md``; multi-label, a passage may have none)."""

    KULTURELLE_VIELFALT = "kulturelle_vielfalt"
    TEILHABE_INTEGRATION = "teilhabe_integration"
    ANTI_DISKRIMINIERUNG = "anti_diskriminierung"
    HUMANITAERE_HILFE = "humanitaere_hilfe"
    DIENSTLEISTUNGSORIENTIERUNG = "dienstleistungsorientierung"
    STANDORTFOERDERUNG = "standortfoerderung"


class Body(str, enum.Enum):
    """Type of the responsible body (one per passage, or none)."""

    FACHSTELLE = "fachstelle"
    CHEFSACHE = "chefsache"
    QUERSCHNITTSAUFGABE = "querschnittsaufgabe"


class Topic(str, enum.Enum):
    """Survey topic a passage answers (one per passage, or none)."""

    VERSTAENDNIS = "verstaendnis"
    LEITFADEN = "leitfaden"
    MASSNAHME = "massnahme"
    ZUSTAENDIGKEIT = "zustaendigkeit"
    FINANZIERUNG = "finanzierung"
    BEST_PRACTICE = "best_practice"


#: Label ids in taxonomy order. Models, registry and evaluation use exactly these
#: tuples; a saved model whose labels differ is refused on load (ModelMismatchError).
GOAL_LABELS: tuple[str, ...] = tuple(g.value for g in Goal)
BODY_LABELS: tuple[str, ...] = tuple(b.value for b in Body)
TOPIC_LABELS: tuple[str, ...] = tuple(t.value for t in Topic)
#: Class id used inside single-label classifiers for a gold ``null``.
NONE = "none"


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

    @property
    def id(self) -> str:
        return f"{self.document[:16]}-{self.ordinal:05d}"


# --- what the stages after the store hand each other ----------------------------------


@dataclass(frozen=True, slots=True)
class Prediction:
    """One model version's labels for one passage (the ``tag`` stage's output)."""

    passage_id: str
    model_name: str
    model_version: str
    labels: tuple[str, ...]
    scores: dict[str, float]
    body: str | None = None
    body_name: str | None = None
    topic: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return {"passage_id": self.passage_id, "model_name": self.model_name,
                "model_version": self.model_version, "labels": list(self.labels), "scores": dict(self.scores),
                "body": self.body, "body_name": self.body_name, "topic": self.topic}  # fmt: skip


@dataclass(frozen=True, slots=True)
class ReviewState:
    """Where a passage's review stands: its latest review record (``revision`` 0 and
    ``reviewed`` false when never reviewed, or when the review was undone)."""

    revision: int = 0
    reviewed: bool = False
    labels: tuple[str, ...] | None = None
    body: str | None = None
    body_name: str | None = None
    topic: str | None = None
    reviewer: str | None = None
    action: str | None = None
    created_at: str | None = None  # ISO-8601, UTC

    def to_dict(self) -> dict[str, Any]:
        """The JSON shape of the review API (only ``revision``/``reviewed`` when never reviewed)."""
        if self.revision == 0:
            return {"revision": 0, "reviewed": False}
        return {"labels": list(self.labels) if self.labels is not None else None, "body": self.body,
                "body_name": self.body_name, "topic": self.topic, "revision": self.revision,
                "reviewed": self.reviewed, "reviewer": self.reviewer, "created_at": self.created_at,
                "action": self.action}  # fmt: skip


@dataclass(frozen=True, slots=True)
class ReviewRecord:
    """One append-only record of the review audit log (a correction, accept, undo or carry)."""

    id: int
    passage_id: str
    revision: int
    reviewer: str
    action: str  # correct | accept | undo | carry
    reviewed: bool
    labels: tuple[str, ...] | None
    body: str | None
    body_name: str | None
    topic: str | None
    before: dict[str, Any] | None
    model_version: str | None
    created_at: str

    def to_dict(self) -> dict[str, Any]:
        return {"id": self.id, "passage_id": self.passage_id, "revision": self.revision,
                "reviewer": self.reviewer, "action": self.action, "reviewed": self.reviewed,
                "labels": list(self.labels) if self.labels is not None else None, "body": self.body,
                "body_name": self.body_name, "topic": self.topic, "before": self.before,
                "model_version": self.model_version, "created_at": self.created_at}  # fmt: skip


@dataclass(frozen=True, slots=True)
class EffectivePassage:
    """A current passage as the tables and the review page read it: its document's
    fields, the survey question it answers, one model version's prediction and the
    latest review record (``None`` when never reviewed)."""

    id: str
    document: str
    source: str
    title: str | None
    format: str | None
    city: str | None
    doc_type: str | None
    page: int | None
    kind: str | None
    heading: tuple[str, ...]
    text: str
    lang: str | None
    question: int | None
    is_question: bool
    prediction: Prediction | None
    review: ReviewState | None
    #: The document's metadata (council-paper keys: ``vorlagenart``, ``beratungsfolge`` …).
    metadata: dict[str, Any] = field(default_factory=dict, kw_only=True, compare=False, repr=False)
    #: How binding the document is (``beschlossen``, ``zur_kenntnis``, ``beantragt``,
    #: ``angekuendigt``): computed from the metadata by the rule the reader passes to
    #: ``Store.effective_passages`` (``watext.enrich.binding.binding_of``); None without it.
    binding: str | None = field(default=None, kw_only=True)

    @property
    def reviewed(self) -> bool:
        """Whether a reviewer's decision stands (reviewed and not undone)."""
        return self.review is not None and self.review.reviewed


@dataclass(frozen=True, slots=True)
class FileState:
    """What the last reprocessing of a watched source saw of one file."""

    path: str
    size: int | None
    mtime_ns: int | None
    sha256: str | None
    document_id: str | None
    extraction: str | None
    state: str  # present | removed | failed
    attempts: int = 0
    next_attempt: str | None = None  # ISO-8601 UTC: a failing file is not tried again before
    code: str | None = None
    reason: str | None = None
    change: str | None = None  # not yet reported: new | changed | removed | failed
    previous_id: str | None = None
