"""Database tables of watext (SQLAlchemy 2 declarative), and row <-> model conversion.

The same schema runs on SQLite and PostgreSQL: JSON columns use :class:`sqlalchemy.JSON`,
timestamps are stored as UTC and always come back timezone-aware (see :class:`UTCDateTime`).
No SQL is executed here; :mod:`watext.store.repo` is the only module that talks to the
database.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    CheckConstraint,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.engine import Dialect
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column
from sqlalchemy.types import TypeDecorator


__all__ = [
    "CURRENT", "REMOVED", "SCHEMA_VERSION", "SUPERSEDED", "Base", "ChangeReportRow", "SourceFileRow", "BlockRow", "CorrectionRow", "DocumentRow",
    "FailureRow", "OParlListRow", "OParlPaperRow", "PassageQuestionRow", "PassageRow", "PredictionRow", "RunRow", "SchemaVersionRow", "UTCDateTime",
    "utcnow",
]  # fmt: skip

#: Version of the schema created by this code. 1 -> 2: documents may be ``removed``
#: (their file vanished from a watched source); migrated on open (:mod:`.migrate`).
#: 2 -> 3: the tables of OParl syncs (``oparl_lists``, ``oparl_papers``).
SCHEMA_VERSION = 3
CURRENT = "current"
SUPERSEDED = "superseded"
REMOVED = "removed"


def utcnow() -> datetime:
    """The current time as a timezone-aware UTC datetime."""
    return datetime.now(UTC)


class UTCDateTime(TypeDecorator[datetime]):
    """A timestamp stored in UTC and always returned timezone-aware.

    PostgreSQL keeps the offset (``timestamptz``); SQLite stores text without it, so
    naive values coming back are UTC by construction and get ``tzinfo=UTC`` attached.
    """

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given; watext stores timezone-aware UTC only")
        return value.astimezone(UTC)

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)


class Base(DeclarativeBase):
    """Declarative base holding the metadata of all watext tables."""


class SchemaVersionRow(Base):
    """One row per applied schema version (currently only version 1)."""

    __tablename__ = "schema_version"

    version: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    applied_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False)


class DocumentRow(Base):
    """An ingested file. ``id`` is the SHA-256 of its bytes; one row per content version."""

    __tablename__ = "documents"
    __table_args__ = (
        CheckConstraint("status IN ('current', 'superseded', 'removed')", name="ck_documents_status"),
        Index("ix_documents_source", "source"),
        # At most one current document per source path (safety net for concurrent writers).
        Index(
            "uq_documents_current_source",
            "source",
            unique=True,
            sqlite_where=text("status = 'current'"),
            postgresql_where=text("status = 'current'"),
        ),
    )

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    source: Mapped[str] = mapped_column(Text, nullable=False)
    format: Mapped[str] = mapped_column(String(16), nullable=False)
    city: Mapped[str | None] = mapped_column(Text)
    doc_type: Mapped[str] = mapped_column(String(32), nullable=False)
    language: Mapped[str | None] = mapped_column(String(16))
    title: Mapped[str | None] = mapped_column(Text)
    pages: Mapped[int | None] = mapped_column(Integer)
    size: Mapped[int] = mapped_column(BigInteger, nullable=False, default=0)
    # "metadata" is reserved on declarative classes, hence the attribute name ``meta``.
    meta: Mapped[dict[str, Any]] = mapped_column("metadata", JSON, nullable=False)
    text: Mapped[str] = mapped_column(Text, nullable=False)
    status: Mapped[str] = mapped_column(String(16), nullable=False, default=CURRENT)
    superseded_by: Mapped[str | None] = mapped_column(String(64), ForeignKey("documents.id"))
    ingested_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False)
    version: Mapped[int] = mapped_column(Integer, nullable=False, default=1)


class BlockRow(Base):
    """One :class:`watext.model.Block` of a document, keyed by its reading-order index."""

    __tablename__ = "blocks"

    document_id: Mapped[str] = mapped_column(
        String(64), ForeignKey("documents.id", ondelete="CASCADE"), primary_key=True
    )
    idx: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    kind: Mapped[str] = mapped_column(String(32), nullable=False)
    text: Mapped[str] = mapped_column(Text, nullable=False)
    page: Mapped[int | None] = mapped_column(Integer)
    level: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    parent: Mapped[int | None] = mapped_column(Integer)
    table_no: Mapped[int | None] = mapped_column(Integer)
    row_no: Mapped[int | None] = mapped_column(Integer)
    col_no: Mapped[int | None] = mapped_column(Integer)
    bbox: Mapped[list[float] | None] = mapped_column(JSON)
    style: Mapped[str | None] = mapped_column(Text)


class PassageRow(Base):
    """One :class:`watext.model.Passage`; ``span_start``/``span_end`` index Document.text."""

    __tablename__ = "passages"
    __table_args__ = (Index("ix_passages_document_ordinal", "document_id", "ordinal"),)

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    document_id: Mapped[str] = mapped_column(
        String(64), ForeignKey("documents.id", ondelete="CASCADE"), nullable=False
    )
    ordinal: Mapped[int] = mapped_column(Integer, nullable=False)
    text: Mapped[str] = mapped_column(Text, nullable=False)
    span_start: Mapped[int] = mapped_column(Integer, nullable=False)
    span_end: Mapped[int] = mapped_column(Integer, nullable=False)
    heading: Mapped[list[str]] = mapped_column(JSON, nullable=False)
    page: Mapped[int | None] = mapped_column(Integer)
    kinds: Mapped[list[str]] = mapped_column(JSON, nullable=False)
    block_ids: Mapped[list[int]] = mapped_column(JSON, nullable=False)
    language: Mapped[str | None] = mapped_column(String(16))
    #: Unused since spaCy no longer runs at ingest (classify analyses each passage once);
    #: kept, always ``{}``, so databases created earlier need no migration.
    annotations: Mapped[dict[str, Any]] = mapped_column(JSON, nullable=False)


class PredictionRow(Base):
    """Output of one model version for one passage (written only by the ``tag`` stage)."""

    __tablename__ = "predictions"
    __table_args__ = (Index("ix_predictions_model", "model_name", "model_version"),)

    passage_id: Mapped[str] = mapped_column(
        String(64), ForeignKey("passages.id", ondelete="CASCADE"), primary_key=True
    )
    model_name: Mapped[str] = mapped_column(String(128), primary_key=True)
    model_version: Mapped[str] = mapped_column(String(32), primary_key=True)
    labels: Mapped[list[str]] = mapped_column(JSON, nullable=False)
    scores: Mapped[dict[str, float]] = mapped_column(JSON, nullable=False)
    body: Mapped[str | None] = mapped_column(String(32))
    body_name: Mapped[str | None] = mapped_column(Text)
    topic: Mapped[str | None] = mapped_column(String(32))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False)


class PassageQuestionRow(Base):
    """Which survey question a passage answers (``question`` null: none), worked out per
    document at classify time under the question rules of ``version``."""

    __tablename__ = "passage_questions"
    __table_args__ = (Index("ix_passage_questions_document", "document_id", "version"),)

    passage_id: Mapped[str] = mapped_column(
        String(64), ForeignKey("passages.id", ondelete="CASCADE"), primary_key=True
    )
    document_id: Mapped[str] = mapped_column(
        String(64), ForeignKey("documents.id", ondelete="CASCADE"), nullable=False
    )
    question: Mapped[int | None] = mapped_column(Integer)
    is_question: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False)
    version: Mapped[str] = mapped_column(String(32), nullable=False)


class CorrectionRow(Base):
    """One append-only review record of a passage: who, when, the state before and after.

    ``revision`` counts per passage from 1; the unique (passage, revision) pair makes two
    reviewers saving on top of the same revision collide instead of overwriting each
    other. ``reviewed`` false means the record returned the passage to the model's
    prediction (an undo of the first correction).
    """

    __tablename__ = "corrections"
    __table_args__ = (
        UniqueConstraint("passage_id", "revision", name="uq_corrections_passage_revision"),
        Index("ix_corrections_reviewer", "reviewer"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    passage_id: Mapped[str] = mapped_column(
        String(64), ForeignKey("passages.id", ondelete="CASCADE"), nullable=False
    )
    revision: Mapped[int] = mapped_column(Integer, nullable=False)
    reviewer: Mapped[str] = mapped_column(String(128), nullable=False)
    action: Mapped[str] = mapped_column(String(16), nullable=False)  # correct | accept | undo
    reviewed: Mapped[bool] = mapped_column(Boolean, nullable=False)
    labels: Mapped[list[str] | None] = mapped_column(JSON)
    body: Mapped[str | None] = mapped_column(String(32))
    body_name: Mapped[str | None] = mapped_column(Text)
    topic: Mapped[str | None] = mapped_column(String(32))
    before: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    model_version: Mapped[str | None] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False)


class SourceFileRow(Base):
    """What the last reprocessing of a watched source saw of one file: its size, mtime and
    content hash (an unchanged file is recognised without being read), the document made
    of it, and for a failing file its attempts and when to try again."""

    __tablename__ = "source_files"
    __table_args__ = (CheckConstraint("state IN ('present', 'removed', 'failed')", name="ck_source_files_state"),)

    source_name: Mapped[str] = mapped_column(String(64), primary_key=True)
    path: Mapped[str] = mapped_column(Text, primary_key=True)
    size: Mapped[int | None] = mapped_column(BigInteger)
    mtime_ns: Mapped[int | None] = mapped_column(BigInteger)
    sha256: Mapped[str | None] = mapped_column(String(64))
    document_id: Mapped[str | None] = mapped_column(String(64))
    extraction: Mapped[str | None] = mapped_column(String(64))  # what read it: watext.ingest.files.extraction_version
    state: Mapped[str] = mapped_column(String(16), nullable=False)
    attempts: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    next_attempt: Mapped[datetime | None] = mapped_column(UTCDateTime)
    code: Mapped[str | None] = mapped_column(String(64))
    reason: Mapped[str | None] = mapped_column(Text)
    seen_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False)
    #: What happened to the file that no change report has listed yet (new, changed,
    #: removed, failed), so a run killed before its report loses nothing from the next one.
    change: Mapped[str | None] = mapped_column(String(16))
    previous_id: Mapped[str | None] = mapped_column(String(64))


class ChangeReportRow(Base):
    """The "what changed" report of one reprocessing run of a source, and the state of its
    tables after the run (what the next run compares with)."""

    __tablename__ = "change_reports"
    __table_args__ = (Index("ix_change_reports_source", "source_name", "id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    run_id: Mapped[int | None] = mapped_column(Integer)
    source_name: Mapped[str] = mapped_column(String(64), nullable=False)
    started_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False)
    finished_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False)
    report: Mapped[dict[str, Any]] = mapped_column(JSON, nullable=False)
    #: None when the run rebuilt nothing (the previous snapshot still holds).
    snapshot: Mapped[dict[str, Any] | None] = mapped_column(JSON(none_as_null=True))


class FailureRow(Base):
    """A file that could not be ingested, one row per (source, content hash)."""

    __tablename__ = "failures"
    __table_args__ = (
        UniqueConstraint("source", "content_hash", name="uq_failures_source_hash"),
        Index("ix_failures_source", "source"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    source: Mapped[str] = mapped_column(Text, nullable=False)
    content_hash: Mapped[str | None] = mapped_column(String(64))
    size: Mapped[int | None] = mapped_column(BigInteger)
    code: Mapped[str] = mapped_column(String(64), nullable=False)
    reason: Mapped[str] = mapped_column(Text, nullable=False)
    first_seen: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False)
    last_seen: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False)
    attempts: Mapped[int] = mapped_column(Integer, nullable=False, default=1)
    resolved: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False)


class RunRow(Base):
    """Bookkeeping of one batch run: which paths were given and what came out."""

    __tablename__ = "runs"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    started_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    paths: Mapped[list[str]] = mapped_column(JSON, nullable=False)
    counts: Mapped[dict[str, Any] | None] = mapped_column(JSON)


class OParlListRow(Base):
    """An OParl list (e.g. a body's papers) walked to its end: the time taken before the
    walk began, asked as ``modified_since`` next time."""

    __tablename__ = "oparl_lists"

    url: Mapped[str] = mapped_column(Text, primary_key=True)
    synced_from: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False)


class OParlPaperRow(Base):
    """What the last sync made of one OParl paper: its ``modified`` and, per file id, the
    document, the file's ``modified`` and its cached copy. ``deleted``: the server said so
    (its documents are ``removed``)."""

    __tablename__ = "oparl_papers"
    __table_args__ = (Index("ix_oparl_papers_body", "body_id"),)

    paper_id: Mapped[str] = mapped_column(Text, primary_key=True)
    body_id: Mapped[str | None] = mapped_column(Text)
    modified: Mapped[str | None] = mapped_column(String(64))
    files: Mapped[dict[str, Any]] = mapped_column(JSON, nullable=False)
    deleted: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False)
    synced_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False)
