"""Engine set-up for the store: URL checks, SQLite pragmas and transaction modes, and the
translation of driver errors into :class:`~watext.errors.StoreError` (one line, no SQL)."""

from __future__ import annotations

from pathlib import Path

import contextlib
from collections.abc import Iterator
from typing import Any

from sqlalchemy import Connection, MetaData
from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import ArgumentError, DBAPIError
from sqlalchemy.schema import CreateIndex, CreateTable

from watext.errors import StoreError

__all__ = ["create_schema", "normalize_url"]

_SQLITE_PRAGMAS = (
    "PRAGMA busy_timeout=30000",
    "PRAGMA journal_mode=WAL",
    "PRAGMA foreign_keys=ON",
    "PRAGMA synchronous=NORMAL",
)

def normalize_url(url: str) -> URL:
    """Parse ``url`` and pin PostgreSQL URLs to the psycopg 3 driver.

    A plain file path (no ``://``) means a SQLite file there. Raises :class:`StoreError`
    for unparsable URLs and backends other than SQLite/PostgreSQL.
    """
    if "://" not in url and url.strip():
        url = f"sqlite:///{Path(url).expanduser().resolve()}"
    try:
        u = make_url(url)
    except ArgumentError as exc:
        raise StoreError(f"invalid database URL {url!r}") from exc
    if u.drivername in ("postgres", "postgresql"):
        return u.set(drivername="postgresql+psycopg")
    if u.get_backend_name() in ("sqlite", "postgresql"):
        return u
    raise StoreError(f"unsupported database {u.drivername!r}: use sqlite:/// or postgresql://")


def _reason(exc: DBAPIError) -> str:
    """The driver's message of ``exc`` on one line (without SQLAlchemy's SQL dump)."""
    return " ".join(str(exc.orig or exc).split())


@contextlib.contextmanager
def _db_errors(action: str) -> Iterator[None]:
    """Turn driver errors into :class:`StoreError` naming what was attempted."""
    try:
        yield
    except DBAPIError as exc:
        raise StoreError(f"database error while {action}: {_reason(exc)}") from exc


def _sqlite_on_connect(dbapi_conn: Any, _record: Any) -> None:
    dbapi_conn.isolation_level = None  # the driver must not BEGIN on its own; see below
    cur = dbapi_conn.cursor()
    for pragma in _SQLITE_PRAGMAS:
        cur.execute(pragma)
    cur.close()


def _sqlite_on_begin(conn: Connection) -> None:
    # Writers use BEGIN IMMEDIATE: they queue on busy_timeout instead of failing with
    # "database is locked" when upgrading a read transaction. Readers stay DEFERRED.
    conn.exec_driver_sql(f"BEGIN {conn.get_execution_options().get('watext_begin', 'DEFERRED')}")


_DDL: dict[tuple[int, str], tuple[str, ...]] = {}


def create_schema(conn: Connection, metadata: MetaData) -> None:
    """``metadata.create_all(conn)``; on an empty SQLite database (no table, no index) the
    same CREATE statements from a list compiled once per process, not compiled and checked
    table by table (what made opening a new database cost ~10 ms of CPU)."""
    if conn.dialect.name != "sqlite" or conn.exec_driver_sql("SELECT 1 FROM sqlite_master LIMIT 1").first():
        metadata.create_all(conn)
        return
    key = (id(metadata), conn.dialect.name)
    ddl = _DDL.get(key)
    if ddl is None:
        statements: list[Any] = []
        for table in metadata.sorted_tables:  # create_all's order (its indexes in any order)
            statements.append(CreateTable(table))
            statements += [CreateIndex(i) for i in sorted(table.indexes, key=lambda i: str(i.name))]
        ddl = _DDL[key] = tuple(str(s.compile(dialect=conn.dialect)) for s in statements)
    for statement in ddl:
        conn.exec_driver_sql(statement)
