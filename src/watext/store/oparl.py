"""OParl syncs in the store: per list URL the time the last complete walk began, per
paper what the sync made of it (documents per file), and the documents' metadata.

Mixed into :class:`watext.store.repo.Store` (needs ``_engine``, ``_writer``).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import Engine, insert, select, update

from watext.store.engine import _db_errors
from watext.store.schema import (
    CURRENT,
    REMOVED,
    DocumentRow,
    OParlListRow,
    OParlPaperRow,
    SourceFileRow,
    utcnow,
)

__all__ = ["OParlMixin"]

L, OP, D, S = OParlListRow.__table__, OParlPaperRow.__table__, DocumentRow.__table__, SourceFileRow.__table__


class OParlMixin:
    """Incremental state of OParl syncs."""

    _engine: Engine
    _writer: Engine

    def oparl_list_since(self, url: str) -> datetime | None:
        """When the last complete walk of the list at ``url`` began (None: never)."""
        with _db_errors("reading an OParl list state"), self._engine.connect() as conn:
            return conn.execute(select(L.c.synced_from).where(L.c.url == url)).scalar()

    def save_oparl_list(self, url: str, synced_from: datetime) -> None:
        """The list at ``url`` was walked to its end; the walk began at ``synced_from``."""
        with _db_errors("saving an OParl list state"), self._writer.begin() as conn:
            values = {"synced_from": synced_from, "updated_at": utcnow()}
            if conn.execute(update(L).where(L.c.url == url).values(**values)).rowcount == 0:
                conn.execute(insert(L).values(url=url, **values))

    def oparl_paper(self, paper_id: str) -> dict[str, Any] | None:
        """``{"body", "modified", "files", "deleted"}`` of a synced paper (None: never seen)."""
        with _db_errors("reading an OParl paper"), self._engine.connect() as conn:
            row = conn.execute(select(OP).where(OP.c.paper_id == paper_id)).first()
        if row is None:
            return None
        return {"body": row.body_id, "modified": row.modified, "files": dict(row.files), "deleted": row.deleted}

    def save_oparl_paper(self, paper_id: str, body_id: str | None, modified: str | None,
                         files: dict[str, Any], deleted: bool = False) -> None:  # fmt: skip
        """Record what this sync made of a paper (``files``: file id -> its document and cache)."""
        values = {"body_id": body_id, "modified": modified, "files": files, "deleted": deleted, "synced_at": utcnow()}
        with _db_errors("saving an OParl paper"), self._writer.begin() as conn:
            if conn.execute(update(OP).where(OP.c.paper_id == paper_id).values(**values)).rowcount == 0:
                conn.execute(insert(OP).values(paper_id=paper_id, **values))

    def remove_documents(self, ids: Sequence[str]) -> int:
        """Mark these documents ``removed`` if they are current (kept, never deleted)."""
        if not ids:
            return 0
        with _db_errors("marking documents removed"), self._writer.begin() as conn:
            stmt = update(D).where(D.c.id.in_(list(ids)), D.c.status == CURRENT).values(status=REMOVED)
            return int(conn.execute(stmt).rowcount or 0)

    def merge_document_metadata(self, doc_id: str, metadata: dict[str, Any]) -> None:
        """Merge ``metadata`` into a stored document's metadata (its keys win)."""
        with _db_errors("updating document metadata"), self._writer.begin() as conn:
            old = conn.execute(select(D.c["metadata"]).where(D.c.id == doc_id)).scalar()
            if old is not None:
                conn.execute(update(D).where(D.c.id == doc_id).values({"metadata": {**dict(old), **metadata}}))

    def mark_file_removed(self, source: str, path: str, document_id: str) -> None:
        """A watched source's file (an OParl file URL) is gone with its document, which the
        caller already made ``removed``: its state says so for the next change report."""
        with _db_errors("marking a removed file"), self._writer.begin() as conn:
            values = {"state": "removed", "seen_at": utcnow(), "next_attempt": None, "change": "removed",
                      "document_id": document_id}  # fmt: skip
            where = (S.c.source_name == source) & (S.c.path == path)
            if conn.execute(update(S).where(where).values(**values)).rowcount == 0:
                conn.execute(insert(S).values(source_name=source, path=path, attempts=0, **values))
