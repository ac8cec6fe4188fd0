"""Row <-> model conversion of the store (pure functions, no database access)."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from watext.model import Block, BlockKind, DocType, Document, Format, Passage
from watext.store.schema import CURRENT

__all__ = [
    "block_from_row", "block_to_row", "document_from_row", "document_to_row", "json_ready", "passage_record",
    "passage_to_row",
]  # fmt: skip


def document_to_row(doc: Document, *, version: int, ingested_at: datetime) -> dict[str, Any]:
    """Column values of the ``documents`` row for ``doc`` (as a new, current version)."""
    return {
        "id": doc.id,
        "source": doc.source,
        "format": doc.format.value,
        "city": doc.city,
        "doc_type": doc.doc_type.value,
        "language": doc.language,
        "title": doc.title,
        "pages": doc.pages,
        "size": doc.size,
        "metadata": doc.metadata,
        "text": doc.text,
        "status": CURRENT,
        "superseded_by": None,
        "ingested_at": ingested_at,
        "version": version,
    }


def block_to_row(document_id: str, idx: int, block: Block) -> dict[str, Any]:
    """Column values of the ``blocks`` row for ``block`` at position ``idx``."""
    return {
        "document_id": document_id,
        "idx": idx,
        "kind": block.kind.value,
        "text": block.text,
        "page": block.page,
        "level": block.level,
        "parent": block.parent,
        "table_no": block.table,
        "row_no": block.row,
        "col_no": block.col,
        "bbox": list(block.bbox) if block.bbox else None,
        "style": block.style,
    }


def block_from_row(row: Any) -> Block:
    """Rebuild a :class:`Block` from a ``blocks`` row (mapping or Row)."""
    m = row._mapping if hasattr(row, "_mapping") else row
    return Block(
        kind=BlockKind(m["kind"]),
        text=m["text"],
        page=m["page"],
        level=m["level"],
        parent=m["parent"],
        table=m["table_no"],
        row=m["row_no"],
        col=m["col_no"],
        bbox=tuple(m["bbox"]) if m["bbox"] else None,  # type: ignore[arg-type]
        style=m["style"],
    )


def document_from_row(row: Any, blocks: list[Block]) -> Document:
    """Rebuild a :class:`Document` from a ``documents`` row and its blocks."""
    m = row._mapping if hasattr(row, "_mapping") else row
    return Document(
        id=m["id"],
        source=m["source"],
        format=Format(m["format"]),
        blocks=blocks,
        title=m["title"],
        city=m["city"],
        doc_type=DocType(m["doc_type"]),
        language=m["language"],
        pages=m["pages"],
        size=m["size"],
        metadata=dict(m["metadata"] or {}),
    )


def passage_to_row(p: Passage) -> dict[str, Any]:
    """Column values of the ``passages`` row for ``p``."""
    return {
        "id": p.id,
        "document_id": p.document,
        "ordinal": p.ordinal,
        "text": p.text,
        "span_start": p.start,
        "span_end": p.end,
        "heading": list(p.heading),
        "page": p.page,
        "kinds": [k.value for k in p.kinds],
        "block_ids": list(p.blocks),
        "language": p.language,
        "annotations": {},
    }


def passage_record(r: Mapping[str, Any]) -> dict[str, Any]:
    """The public dict of a passage row joined with its document (see Store.iter_passages)."""
    kinds = list(r["kinds"] or [])
    return {
        "id": r["id"], "document": r["document_id"], "source": r["source"],
        "city": r["city"], "doc_type": r["doc_type"], "language": r["language"],
        "page": r["page"], "kind": kinds[0] if kinds else None, "kinds": kinds,
        "heading": list(r["heading"] or []), "text": r["text"],
        "start": r["span_start"], "end": r["span_end"], "ordinal": r["ordinal"],
    }  # fmt: skip


def json_ready(row: Mapping[str, Any]) -> dict[str, Any]:
    """``row`` as a plain dict with datetimes as ISO-8601 strings."""
    return {k: v.isoformat() if isinstance(v, datetime) else v for k, v in row.items()}
