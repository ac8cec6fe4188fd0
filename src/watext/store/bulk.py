"""Inserting many rows of one table at once, past SQLAlchemy's per-row work.

A document's blocks and passages are hundreds of rows. ``conn.execute(insert(table), rows)``
checks, orders and processes every row's parameters in Python; over the batch that was
most of the store's share of an ingest (see ``benchmarks/README.md``). :func:`insert_rows`
compiles the ``INSERT`` once per table and dialect, turns each row into the driver's
parameters with the columns' own bind processors (the JSON type's encoder, exactly as
SQLAlchemy applies it: the same text in the database), and hands the batch to the driver's
``executemany`` through :meth:`Connection.exec_driver_sql`, in the caller's transaction.
Values of JSON columns that repeat within a batch (a section's heading, a passage's
kinds) are encoded once.

Every row must give every column of the statement (the converters in
:mod:`watext.store.convert` do); server defaults are not applied here.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from sqlalchemy import JSON, Connection, Table, insert

__all__ = ["insert_rows"]

#: (table name, dialect name) -> (SQL, column names in parameter order, per-column processor or None, positional)
_COMPILED: dict[tuple[str, str], tuple[str, tuple[str, ...], tuple[Callable[[Any], Any] | None, ...], bool]] = {}


def _compiled(conn: Connection, table: Table, names: Sequence[str]) -> tuple[str, tuple[str, ...], tuple[Any, ...], bool]:
    dialect = conn.dialect
    key = (table.name, dialect.name, tuple(names))
    hit = _COMPILED.get(key)  # type: ignore[arg-type]
    if hit is None:
        compiled = insert(table).values({n: None for n in names}).compile(dialect=dialect)
        order = tuple(compiled.positiontup) if dialect.positional else tuple(names)
        procs = tuple(table.c[n].type._cached_bind_processor(dialect) for n in order)  # noqa: SLF001
        hit = (str(compiled), order, procs, bool(dialect.positional))
        _COMPILED[key] = hit  # type: ignore[index]
    return hit


def _memo(proc: Callable[[Any], Any]) -> Callable[[Any], Any]:
    """``proc`` for JSON values, encoding each distinct list/dict once per batch."""
    seen: dict[str, Any] = {}

    def encode(value: Any) -> Any:
        if not isinstance(value, list | dict):
            return proc(value)
        key = repr(value)  # equal reprs: equal JSON (str, int, float, bool, None inside)
        out = seen.get(key)
        if out is None:
            out = seen[key] = proc(value)
        return out

    return encode


def insert_rows(conn: Connection, table: Table, rows: Sequence[dict[str, Any]]) -> None:
    """``INSERT`` every row of ``rows`` (dicts with the same keys: column names) into
    ``table`` in one ``executemany`` on ``conn`` (see the module doc)."""
    if not rows:
        return
    sql, order, procs, positional = _compiled(conn, table, list(rows[0]))
    encoders = [(i, _memo(p) if isinstance(table.c[order[i]].type, JSON) else p)
                for i, p in enumerate(procs) if p is not None]  # fmt: skip
    params: list[Any] = []
    for row in rows:
        values = [row[n] for n in order]
        for i, enc in encoders:
            values[i] = enc(values[i])
        params.append(tuple(values) if positional else dict(zip(order, values, strict=True)))
    conn.exec_driver_sql(sql, params)
