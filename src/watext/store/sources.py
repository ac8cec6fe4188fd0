"""Watched sources in the store: what each file looked like at the last reprocessing,
documents whose file vanished, and the change reports with their table snapshots.

Mixed into :class:`watext.store.repo.Store` (needs ``_engine``, ``_writer``).
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Engine, delete, func, insert, select, update

from watext.model import FileState
from watext.store.engine import _db_errors
from watext.store.schema import (  # fmt: skip
    CURRENT, REMOVED, SUPERSEDED, ChangeReportRow, DocumentRow, PassageRow, SourceFileRow, utcnow,
)

__all__ = ["SourcesMixin"]

S, CR, D, P = SourceFileRow.__table__, ChangeReportRow.__table__, DocumentRow.__table__, PassageRow.__table__


def _state(r: Any) -> FileState:
    return FileState(r.path, r.size, r.mtime_ns, r.sha256, r.document_id, r.extraction, r.state, r.attempts,
                     r.next_attempt.isoformat() if r.next_attempt else None, r.code, r.reason, r.change,
                     r.previous_id)  # fmt: skip


class SourcesMixin:
    """File states, removals and change reports of watched sources."""

    _engine: Engine
    _writer: Engine

    # --- file states ------------------------------------------------------------------

    def file_states(self, source: str) -> dict[str, FileState]:
        """Path -> :class:`FileState` of every file the source has seen."""
        with _db_errors("reading file states"), self._engine.connect() as conn:
            return {r.path: _state(r) for r in conn.execute(select(S).where(S.c.source_name == source))}

    def file_state(self, source: str, path: str) -> FileState | None:
        """What the source saw of one file last time (None: never seen)."""
        stmt = select(S).where(S.c.source_name == source, S.c.path == path)
        with _db_errors("reading a file state"), self._engine.connect() as conn:
            row = conn.execute(stmt).first()
        return _state(row) if row is not None else None

    def save_file_state(self, source: str, path: str, *, size: int | None, mtime_ns: int | None,
                        sha256: str | None, document_id: str | None, extraction: str | None,
                        change: str | None = None, previous_id: str | None = None) -> None:  # fmt: skip
        """Record that ``path`` was read (or is unchanged) and which document it is;
        ``change`` (new, changed) stays until a change report lists it."""
        values = {"size": size, "mtime_ns": mtime_ns, "sha256": sha256, "document_id": document_id,
                  "extraction": extraction, "state": "present", "attempts": 0, "next_attempt": None, "code": None,
                  "reason": None, "seen_at": utcnow()}  # fmt: skip
        if change:
            old = self.file_state(source, path)
            pending = old.change if old is not None and old.change in ("new", "changed") else None
            values.update(change=pending if pending == "new" else change,
                          previous_id=old.previous_id if pending else previous_id)  # fmt: skip
        self._upsert(source, path, values)

    def record_file_failure(self, source: str, path: str, *, size: int | None, mtime_ns: int | None,
                            sha256: str | None, code: str, reason: str, backoff: timedelta) -> FileState:  # fmt: skip
        """A file of the source failed again: one more attempt, and not before ``backoff``
        times two to the power of the attempts so far (capped at a day)."""
        old = self.file_state(source, path)
        attempts = (old.attempts if old is not None and old.sha256 == sha256 else 0) + 1
        wait = min(backoff * (2 ** (attempts - 1)), timedelta(days=1))
        values = {"size": size, "mtime_ns": mtime_ns, "sha256": sha256, "document_id": None, "extraction": None,
                  "state": "failed", "attempts": attempts, "next_attempt": utcnow() + wait, "code": code,
                  "reason": reason, "seen_at": utcnow(), "change": "failed"}  # fmt: skip
        self._upsert(source, path, values)
        state = self.file_state(source, path)
        assert state is not None  # just written
        return state

    def _upsert(self, source: str, path: str, values: dict[str, Any]) -> None:
        with _db_errors("saving a file state"), self._writer.begin() as conn:
            where = (S.c.source_name == source) & (S.c.path == path)
            if conn.execute(update(S).where(where).values(**values)).rowcount == 0:
                conn.execute(insert(S).values(source_name=source, path=path, **values))

    def mark_removed(self, source: str, path: str) -> str | None:
        """The file at ``path`` is gone: its current document becomes ``removed`` (kept,
        never deleted) and its state ``removed``. Returns the document id, if any."""
        with _db_errors("marking a removed file"), self._writer.begin() as conn:
            doc = conn.execute(select(D.c.id).where(D.c.source == path, D.c.status == CURRENT)).first()
            if doc is not None:
                conn.execute(update(D).where(D.c.id == doc.id).values(status=REMOVED))
            conn.execute(update(S).where((S.c.source_name == source) & (S.c.path == path)).values(
                state="removed", seen_at=utcnow(), next_attempt=None, change="removed",
                document_id=doc.id if doc is not None else None))  # fmt: skip
        return doc.id if doc is not None else None

    def mark_reported(self, source: str, paths: list[str]) -> None:
        """A change report listed these files' changes."""
        with _db_errors("marking reported changes"), self._writer.begin() as conn:
            for i in range(0, len(paths), 500):
                conn.execute(update(S).where(S.c.source_name == source, S.c.path.in_(paths[i:i + 500]))
                             .values(change=None, previous_id=None))  # fmt: skip

    def document_status(self, document_id: str) -> tuple[str, str, str] | None:
        """``(status, source path, format)`` of a stored document, None when unknown."""
        with _db_errors("looking up a document"), self._engine.connect() as conn:
            row = conn.execute(select(D.c.status, D.c.source, D.c.format).where(D.c.id == document_id)).first()
        return (row.status, row.source, row.format) if row is not None else None

    def document_summaries(self, ids: list[str]) -> dict[str, dict[str, Any]]:
        """``{id: {"city", "title", "passages"}}`` for the change report."""
        if not ids:
            return {}
        stmt = (select(D.c.id, D.c.city, D.c.title, func.count(P.c.id).label("passages"))
                .outerjoin(P, P.c.document_id == D.c.id).where(D.c.id.in_(ids)).group_by(D.c.id, D.c.city, D.c.title))  # fmt: skip
        with _db_errors("reading documents"), self._engine.connect() as conn:
            return {r.id: {"city": r.city, "title": r.title, "passages": int(r.passages)} for r in conn.execute(stmt)}

    def reinstate(self, document_id: str) -> bool:
        """Make a stored (removed or superseded) document current again, e.g. a file that
        came back or was reverted to earlier content; the document current at its path
        becomes superseded by it. Returns False when it already is current or unknown."""
        with _db_errors("reinstating a document"), self._writer.begin() as conn:
            doc = conn.execute(select(D.c.source, D.c.status).where(D.c.id == document_id)).first()
            if doc is None or doc.status == CURRENT:
                return False
            conn.execute(update(D).where(D.c.source == doc.source, D.c.status == CURRENT).values(
                status=SUPERSEDED, superseded_by=document_id))  # fmt: skip
            conn.execute(update(D).where(D.c.id == document_id).values(status=CURRENT, superseded_by=None))
        return True

    def forget_source(self, source: str) -> None:
        """Drop the file states of a source (its documents stay)."""
        with _db_errors("forgetting a source"), self._writer.begin() as conn:
            conn.execute(delete(S).where(S.c.source_name == source))

    # --- change reports ---------------------------------------------------------------

    def save_change_report(self, source: str, run_id: int | None, started: datetime,
                           report: dict[str, Any], snapshot: dict[str, Any] | None) -> int:  # fmt: skip
        """Store a run's report and the table snapshot the next run compares with (None:
        the tables were not rebuilt, the previous snapshot still holds)."""
        with _db_errors("saving a change report"), self._writer.begin() as conn:
            values = {"run_id": run_id, "source_name": source, "started_at": started, "finished_at": utcnow(),
                      "report": report, "snapshot": snapshot}  # fmt: skip
            return int(conn.execute(insert(CR).values(values).returning(CR.c.id)).scalar_one())

    def last_snapshot(self, source: str) -> dict[str, Any] | None:
        """The table snapshot of the source's latest change report (None before the first)."""
        stmt = (select(CR.c.snapshot).where(CR.c.source_name == source, CR.c.snapshot.is_not(None))
                .order_by(CR.c.id.desc()).limit(1))  # fmt: skip
        with _db_errors("reading a snapshot"), self._engine.connect() as conn:
            row = conn.execute(stmt).first()
        return dict(row.snapshot) if row is not None else None

    def change_reports(self, source: str | None = None, since: datetime | None = None,
                       run_id: int | None = None) -> Iterator[dict[str, Any]]:  # fmt: skip
        """Stored reports, newest first (of one source, since a time, or of one run)."""
        stmt = select(CR.c.report).order_by(CR.c.id.desc())
        if source:
            stmt = stmt.where(CR.c.source_name == source)
        if since:
            stmt = stmt.where(CR.c.started_at >= since)
        if run_id is not None:
            stmt = stmt.where(CR.c.run_id == run_id)
        with _db_errors("reading change reports"), self._engine.connect() as conn:
            for row in conn.execute(stmt):
                yield dict(row.report)
