"""The :class:`Store`: the only place in watext that runs SQL.

One URL selects the backend: a SQLite file (``sqlite:///path.db``) or PostgreSQL
(``postgresql+psycopg://...``; ``postgresql://`` and ``postgres://`` are rewritten to the
psycopg driver). Writers are serialised per source path (SQLite: ``BEGIN IMMEDIATE``;
PostgreSQL: a transaction-scoped advisory lock), so concurrent ingestion of the same
file never crashes. Iterators stream rows (``yield_per``) instead of loading them all.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from types import TracebackType
from typing import Any, Literal

from sqlalchemy import Connection, Engine, bindparam, create_engine, event, func, insert, select, update
from sqlalchemy.exc import DBAPIError, IntegrityError

from watext.errors import StoreError
from watext.store.reviews import ReviewsMixin
from watext.store.tagging import TaggingMixin
from watext.store.migrate import migrate_postgres, migrate_sqlite
from watext.store.engine import _db_errors, _reason, _sqlite_on_begin, _sqlite_on_connect, create_schema, normalize_url
from watext.store.oparl import OParlMixin
from watext.store.runs import RunsMixin
from watext.store.sources import SourcesMixin
from watext.model import Document, Passage
from watext.store.bulk import insert_rows
from watext.store.convert import (  # fmt: skip
    block_from_row, block_to_row, document_from_row, document_to_row, json_ready, passage_record, passage_to_row,
)
from watext.store.schema import (  # fmt: skip
    CURRENT, SCHEMA_VERSION, SUPERSEDED, Base, BlockRow, DocumentRow, FailureRow, PassageRow, RunRow,
    SchemaVersionRow, utcnow,
)

__all__ = ["SaveResult", "SaveStatus", "Store", "normalize_url"]

D, B, P = DocumentRow.__table__, BlockRow.__table__, PassageRow.__table__
F, R, V = FailureRow.__table__, RunRow.__table__, SchemaVersionRow.__table__

# the statements of every save, built once (a statement built per call costs its construction and
# cache key each time; these are found in the compiled cache by identity)
_STORED = select(D.c.id).where(D.c.id == bindparam("doc"))
_CURRENT_AT = select(D.c.id, D.c.version).where(D.c.source == bindparam("src"), D.c.status == CURRENT)
_RESOLVE = update(F).where(F.c.source == bindparam("src"), F.c.resolved.is_(False)).values(resolved=True)

_LOCK_NS = 0x77617478  # "watx": namespace of watext's PostgreSQL advisory locks
_YIELD_PER = 1000
SaveStatus = Literal["new", "new_version", "unchanged"]


@dataclass(frozen=True, slots=True)
class SaveResult:
    """Outcome of :meth:`Store.save_document`."""

    status: SaveStatus
    document_id: str
    superseded: str | None = None
    carried: int = 0  # review states carried over from the superseded version


class Store(ReviewsMixin, TaggingMixin, SourcesMixin, RunsMixin, OParlMixin):
    """Persistent storage of documents, blocks, passages, failures and runs."""

    def __init__(self, url: str) -> None:
        """Connect to ``url`` and create the schema if needed.

        Raises :class:`StoreError` when the database cannot be reached or opened.
        """
        self.url = normalize_url(url)
        self._pg = self.url.get_backend_name() == "postgresql"
        if self._pg:
            self._engine: Engine = create_engine(self.url, pool_pre_ping=True)
        else:
            self._engine = create_engine(self.url)
            event.listen(self._engine, "connect", _sqlite_on_connect)
            event.listen(self._engine, "begin", _sqlite_on_begin)
        self._writer = self._engine.execution_options(watext_begin="IMMEDIATE")
        try:
            self._init_schema()
        except BaseException as exc:
            self._engine.dispose()
            if isinstance(exc, DBAPIError):
                where = self.url.render_as_string(hide_password=True)
                raise StoreError(f"cannot open database {where}: {_reason(exc)}") from exc
            raise

    def _init_schema(self) -> None:
        with self._writer.begin() as conn:
            if self._pg:  # concurrent CREATE TABLE would collide in the catalog
                conn.execute(select(func.pg_advisory_xact_lock(_LOCK_NS + 1, 0)))
            create_schema(conn, Base.metadata)
            found = conn.execute(select(func.max(V.c.version))).scalar()
            if found is None:
                conn.execute(insert(V).values(version=SCHEMA_VERSION, applied_at=utcnow()))
            elif found > SCHEMA_VERSION:
                raise StoreError(
                    f"database schema version {found} is newer than this watext "
                    f"supports ({SCHEMA_VERSION}); upgrade watext"
                )
            elif self._pg:
                migrate_postgres(conn)
        if found is not None and found < SCHEMA_VERSION and not self._pg:
            migrate_sqlite(self._engine)

    def _lock_source(self, conn: Connection, source: str) -> None:
        """Serialise writers of one source path (PostgreSQL; SQLite writers are serial)."""
        if self._pg:
            conn.execute(select(func.pg_advisory_xact_lock(_LOCK_NS, func.hashtext(source))))

    # --- documents ------------------------------------------------------------------

    def has_document(self, doc_id: str) -> bool:
        """Whether a document with this content hash is stored (current or superseded)."""
        with _db_errors("looking up a document"), self._engine.connect() as conn:
            return conn.execute(_STORED, {"doc": doc_id}).first() is not None

    def save_document(self, doc: Document, passages: list[Passage]) -> SaveResult:
        """Store ``doc`` with its blocks and ``passages`` in one transaction.

        - same id already stored (at any path): nothing is written, status ``unchanged``;
        - another current document at ``doc.source``: it is kept but marked superseded by
          ``doc``, which gets the next version number (status ``new_version``);
        - otherwise status ``new`` with version 1.

        On success, unresolved failures recorded for ``doc.source`` are marked resolved.
        On any error nothing of ``doc`` remains and :class:`StoreError` is raised.
        """
        if not doc.id:
            raise ValueError("document has no id (content hash)")
        foreign = [p.id for p in passages if p.document != doc.id]
        if foreign:
            raise ValueError(f"passages {foreign[:3]} do not belong to document {doc.id}")
        stage = "document"
        try:
            with self._writer.begin() as conn:
                self._lock_source(conn, doc.source)
                if conn.execute(_STORED, {"doc": doc.id}).first():
                    return SaveResult("unchanged", doc.id)
                prev = conn.execute(_CURRENT_AT, {"src": doc.source}).first()
                if prev is not None:  # free the "one current per source" slot first
                    conn.execute(update(D).where(D.c.id == prev.id).values(status=SUPERSEDED))
                version = prev.version + 1 if prev is not None else 1
                row = document_to_row(doc, version=version, ingested_at=utcnow())
                insert_rows(conn, D, [row])
                stage = "content"
                if prev is not None:
                    conn.execute(update(D).where(D.c.id == prev.id).values(superseded_by=doc.id))
                insert_rows(conn, B, [block_to_row(doc.id, i, b) for i, b in enumerate(doc.blocks)])
                insert_rows(conn, P, [passage_to_row(p) for p in passages])
                carried = self._carry_reviews(conn, prev.id, passages) if prev is not None else 0
                conn.execute(_RESOLVE, {"src": doc.source})
        except IntegrityError as exc:
            # Another process inserted the same content between our check and insert.
            if stage == "document" and self.has_document(doc.id):
                return SaveResult("unchanged", doc.id)
            raise StoreError(f"could not save {doc.source}: {_reason(exc)}") from exc
        except DBAPIError as exc:
            raise StoreError(f"could not save {doc.source}: {_reason(exc)}") from exc
        if prev is None:
            return SaveResult("new", doc.id)
        return SaveResult("new_version", doc.id, prev.id, carried)

    def get_document(self, doc_id: str) -> Document:
        """The stored document rebuilt with its blocks. Raises ``KeyError`` if unknown."""
        with _db_errors("loading a document"), self._engine.connect() as conn:
            row = conn.execute(select(D).where(D.c.id == doc_id)).first()
            if row is None:
                raise KeyError(doc_id)
            stmt = select(B).where(B.c.document_id == doc_id).order_by(B.c.idx)
            blocks = [block_from_row(r) for r in conn.execute(stmt)]
        return document_from_row(row, blocks)

    def iter_documents(self, current_only: bool = True) -> Iterator[dict[str, Any]]:
        """Document rows (without text) as JSON-ready dicts, ordered by source and version."""
        stmt = select(*(c for c in D.c if c.name != "text")).order_by(D.c.source, D.c.version)
        if current_only:
            stmt = stmt.where(D.c.status == CURRENT)
        for row in self._stream(stmt, "reading documents"):
            yield json_ready(row)

    def iter_passages(self, current_only: bool = True) -> Iterator[dict[str, Any]]:
        """Passages joined with their document's fields, ordered by source then ordinal.

        ``language`` is the passage's language, else the document's; ``kind`` is the
        kind of the passage's first block.
        """
        stmt = (
            select(
                P.c.id, P.c.document_id, D.c.source, D.c.city, D.c.doc_type,
                func.coalesce(P.c.language, D.c.language).label("language"),
                P.c.page, P.c.kinds, P.c.heading, P.c.text, P.c.span_start, P.c.span_end,
                P.c.ordinal,
            )
            .join_from(P, D, P.c.document_id == D.c.id)
            .order_by(D.c.source, D.c.version, P.c.ordinal)
        )  # fmt: skip
        if current_only:
            stmt = stmt.where(D.c.status == CURRENT)
        for row in self._stream(stmt, "reading passages"):
            yield passage_record(row)

    def _stream(self, stmt: Any, action: str) -> Iterator[dict[str, Any]]:
        """Execute ``stmt`` and yield row mappings in batches (server-side on PostgreSQL)."""
        with _db_errors(action), self._engine.connect() as conn:
            result = conn.execution_options(yield_per=_YIELD_PER).execute(stmt)
            for row in result.mappings():
                yield dict(row)

    # --- failures -------------------------------------------------------------------

    def record_failure(
        self, source: str, content_hash: str | None, size: int | None, code: str, reason: str
    ) -> None:
        """Record that ``source`` (with this content) could not be ingested.

        Upsert on (source, content_hash): a repeat bumps ``attempts`` and ``last_seen``,
        replaces code and reason, and reopens the failure if it was resolved.
        """
        now = utcnow()
        same_hash = F.c.content_hash.is_(None) if content_hash is None else (
            F.c.content_hash == content_hash
        )
        with _db_errors(f"recording a failure of {source}"), self._writer.begin() as conn:
            self._lock_source(conn, source)
            found = conn.execute(select(F.c.id).where(F.c.source == source, same_hash)).first()
            if found is None:
                conn.execute(insert(F).values(
                    source=source, content_hash=content_hash, size=size, code=code,
                    reason=reason, first_seen=now, last_seen=now, attempts=1, resolved=False,
                ))  # fmt: skip
            else:
                conn.execute(update(F).where(F.c.id == found.id).values(
                    attempts=F.c.attempts + 1, last_seen=now, size=size, code=code,
                    reason=reason, resolved=False,
                ))  # fmt: skip

    def iter_failures(self, include_resolved: bool = False) -> Iterator[dict[str, Any]]:
        """Recorded failures as JSON-ready dicts (timestamps as ISO strings), by source."""
        stmt = select(
            F.c.source, F.c.reason, F.c.code, F.c.content_hash, F.c.size, F.c.attempts,
            F.c.first_seen, F.c.last_seen, F.c.resolved,
        ).order_by(F.c.source, F.c.first_seen, F.c.id)  # fmt: skip
        if not include_resolved:
            stmt = stmt.where(F.c.resolved.is_(False))
        for row in self._stream(stmt, "reading failures"):
            yield json_ready(row)

    # --- runs and statistics ----------------------------------------------------------

    def counts(self) -> dict[str, int]:
        """Row counts: documents (current/superseded), passages, unresolved failures.

        ``passages`` counts passages of current documents, ``passages_total`` all of them.
        """
        with _db_errors("counting"), self._engine.connect() as conn:
            by_status = dict(conn.execute(select(D.c.status, func.count()).group_by(D.c.status)).all())
            current = select(func.count()).select_from(P.join(D, P.c.document_id == D.c.id))
            return {
                "documents_current": int(by_status.get(CURRENT, 0)),
                "documents_superseded": int(by_status.get(SUPERSEDED, 0)),
                "passages": int(conn.execute(current.where(D.c.status == CURRENT)).scalar_one()),
                "passages_total": int(conn.execute(select(func.count()).select_from(P)).scalar_one()),
                "failures_unresolved": int(conn.execute(
                    select(func.count()).select_from(F).where(F.c.resolved.is_(False))
                ).scalar_one()),
            }  # fmt: skip

    # --- lifecycle --------------------------------------------------------------------

    def close(self) -> None:
        """Release all database connections."""
        self._engine.dispose()

    def __enter__(self) -> Store:
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:  # fmt: skip
        self.close()
