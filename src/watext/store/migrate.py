"""Schema migrations, run by :class:`~watext.store.repo.Store` when it opens a database.

1 -> 2: documents may have the status ``removed``. PostgreSQL swaps the check constraint;
SQLite cannot alter a constraint, so the ``documents`` table is rebuilt (foreign keys off,
copied, renamed, indexes recreated, ``foreign_key_check``) in one transaction. Tables new
in version 2 (``source_files``, ``change_reports``) are created by ``create_all``.

2 -> 3: new tables only (``oparl_lists``, ``oparl_papers``, made by ``create_all``); the
version row is added.
"""

from __future__ import annotations

from sqlalchemy import Connection, Engine, func, insert, select, text
from sqlalchemy.schema import CreateIndex, CreateTable

from watext.errors import StoreError
from watext.store.schema import DocumentRow, SchemaVersionRow, utcnow

__all__ = ["migrate_postgres", "migrate_sqlite"]

D, V = DocumentRow.__table__, SchemaVersionRow.__table__
_CHECK = "status IN ('current', 'superseded', 'removed')"


def _version(conn: Connection) -> int | None:
    return conn.execute(select(func.max(V.c.version))).scalar()


def migrate_postgres(conn: Connection) -> None:
    """Inside the caller's locked transaction: bring a version-1 or -2 database to version 3."""
    if _version(conn) == 1:
        conn.execute(text("ALTER TABLE documents DROP CONSTRAINT IF EXISTS ck_documents_status"))
        conn.execute(text(f"ALTER TABLE documents ADD CONSTRAINT ck_documents_status CHECK ({_CHECK})"))
        conn.execute(insert(V).values(version=2, applied_at=utcnow()))
    if _version(conn) == 2:
        conn.execute(insert(V).values(version=3, applied_at=utcnow()))


def migrate_sqlite(engine: Engine) -> None:
    """Bring a version-1 or -2 SQLite database to version 3 (each step checks the version
    again under the write lock, so a second process doing the same changes nothing)."""
    _sqlite_1_to_2(engine)
    with engine.execution_options(watext_begin="IMMEDIATE").begin() as conn:
        if _version(conn) == 2:
            conn.execute(insert(V).values(version=3, applied_at=utcnow()))


def _sqlite_1_to_2(engine: Engine) -> None:
    """Rebuild ``documents`` of a version-1 SQLite database with the version-2 constraint.
    Safe against a second process doing the same: the version is checked again under
    the write lock."""
    raw = engine.raw_connection()
    try:
        cur = raw.cursor()
        cur.execute("PRAGMA foreign_keys=OFF")  # only takes effect outside a transaction
        cur.execute("BEGIN IMMEDIATE")
        try:
            found = cur.execute("SELECT max(version) FROM schema_version").fetchone()[0]
            if found != 1:
                cur.execute("ROLLBACK")
                return
            dialect = engine.dialect
            ddl = str(CreateTable(D).compile(dialect=dialect)).strip()
            cur.execute(ddl.replace("CREATE TABLE documents", "CREATE TABLE documents_v2", 1))
            cols = ", ".join(c.name for c in D.columns)
            cur.execute(f"INSERT INTO documents_v2 ({cols}) SELECT {cols} FROM documents")
            cur.execute("DROP TABLE documents")
            cur.execute("ALTER TABLE documents_v2 RENAME TO documents")
            for index in D.indexes:
                cur.execute(str(CreateIndex(index).compile(dialect=dialect)))
            broken = cur.execute("PRAGMA foreign_key_check").fetchall()
            if broken:
                raise StoreError(f"schema migration 1 -> 2 would break {len(broken)} references; database left as it was")
            now = utcnow().strftime("%Y-%m-%d %H:%M:%S.%f")  # SQLAlchemy's SQLite DateTime text (UTC)
            cur.execute("INSERT INTO schema_version (version, applied_at) VALUES (2, ?)", (now,))
            cur.execute("COMMIT")
        except BaseException:
            cur.execute("ROLLBACK")
            raise
        finally:
            cur.execute("PRAGMA foreign_keys=ON")
    finally:
        raw.close()
