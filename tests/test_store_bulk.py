"""``store.bulk.insert_rows`` writes exactly what SQLAlchemy's ``insert`` writes (SQLite, PostgreSQL)."""

from __future__ import annotations

import random

import pytest
from sqlalchemy import insert, select, text

from watext.model import Block, BlockKind, Document, Format, Passage
from watext.store import open_store
from watext.store.bulk import insert_rows
from watext.store.convert import block_to_row, passage_to_row
from watext.store.repo import B, D, P


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def url(request: pytest.FixtureRequest, tmp_path) -> str:
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'bulk.db'}"
    return request.getfixturevalue("pg_url")


_WORDS = ["Willkommen", 'Zitat "so"', "Back\\slash", "Umlaut äöü ß", "emoji 🙂", "tab\tand\nline", "{json: [1]}", "", "1", "1.0"]


def _rows(doc_id: str, rng: random.Random) -> tuple[list[dict], list[dict]]:
    kinds = list(BlockKind)
    headings = [tuple(rng.sample(_WORDS, rng.randint(0, 3))) for _ in range(5)]  # repeated: encoded once
    floats = [0.0, -0.0, 1.0, 0.1 + 0.2, 1e-7, 123456789.125, 72.00000000000001, 5e300]
    blocks, passages = [], []
    for i in range(120):
        bbox = (None, (0, 0, 1, 1), (0.0, -0.0, 1.0, 1.0))[i % 3] if i % 2 else \
            tuple(rng.choice(floats) + rng.random() * (i % 3) for _ in range(4))  # equal as tuples, not as JSON
        blocks.append(block_to_row(doc_id, i, Block(
            kind=rng.choice(kinds), text=" ".join(rng.sample(_WORDS, 3)), page=rng.choice([None, 1, 2]),
            level=rng.randint(0, 3), parent=rng.choice([None, 0]), table=rng.choice([None, 0]),
            row=rng.choice([None, 1]), col=rng.choice([None, 2]), bbox=bbox,
            style=rng.choice([None, "bold", "italic"]))))  # fmt: skip
        passages.append(passage_to_row(Passage(
            document=doc_id, ordinal=i, text=rng.choice(_WORDS) or "x", start=i, end=i + 1,
            heading=rng.choice(headings), page=rng.choice([None, 3]),
            kinds=tuple(rng.sample(kinds, rng.randint(0, 2))), blocks=tuple(range(i, i + rng.randint(0, 3))),
            language=rng.choice([None, "de", "en"]))))  # fmt: skip
    return blocks, passages


def _raw(conn, table) -> list[tuple]:
    """Every column as the database holds it, as text (JSON columns: their stored text)."""
    cols = ", ".join(f"CAST({c.name} AS TEXT)" for c in table.c)
    key = "document_id, idx" if table is B else "id"
    return [tuple(r) for r in conn.execute(text(f"SELECT {cols} FROM {table.name} ORDER BY {key}"))]


def test_insert_rows_stores_the_same_text_as_sqlalchemy_insert(url: str) -> None:
    doc = Document(id="d" * 64, source="/x.pdf", format=Format.PDF, blocks=[])
    from watext.store.convert import document_to_row
    from watext.store.schema import utcnow

    with open_store(url) as store, store._engine.begin() as conn:  # noqa: SLF001
        for doc_id in ("a" * 64, "b" * 64):
            conn.execute(insert(D).values(document_to_row(doc, version=1, ingested_at=utcnow()) | {
                "id": doc_id, "source": f"/{doc_id[0]}.pdf"}))  # fmt: skip
        rng = random.Random(5)
        blocks_a, passages_a = _rows("a" * 64, rng)
        conn.execute(insert(B), blocks_a)
        conn.execute(insert(P), passages_a)
        blocks_b = [r | {"document_id": "b" * 64} for r in blocks_a]
        passages_b = [r | {"document_id": "b" * 64, "id": "b" + r["id"][1:]} for r in passages_a]
        insert_rows(conn, B, blocks_b)
        insert_rows(conn, P, passages_b)
        raw_b, raw_p = _raw(conn, B), _raw(conn, P)
        # the rows read back through SQLAlchemy's types are equal as well
        back = {r.document_id: [] for r in conn.execute(select(B.c.document_id).distinct())}
        for r in conn.execute(select(B).order_by(B.c.idx)):
            back[r.document_id].append(tuple(r)[1:])
    half_b, half_p = len(raw_b) // 2, len(raw_p) // 2
    assert half_b == 120 and half_p == 120
    assert [r[1:] for r in raw_b[:half_b]] == [r[1:] for r in raw_b[half_b:]]
    assert [r[2:] for r in raw_p[:half_p]] == [r[2:] for r in raw_p[half_p:]]  # all but id, document
    assert back["a" * 64] == back["b" * 64]


def test_a_document_row_by_insert_rows_equals_sqlalchemy_insert(url: str) -> None:
    """The documents row of ``save_document`` (through ``insert_rows``): metadata JSON,
    a timezone-aware ``ingested_at`` and empty fields stored as SQLAlchemy stores them."""
    from datetime import datetime, timedelta, timezone

    from watext.model import DocType
    from watext.store.convert import document_to_row

    meta = {"title": "Grüße „so“", "pages_seen": [1, 2.5, -0.0], "nested": {"a": None, "b": [True, "x\ny"]},
            "big": 5e300, "emoji": "🙂"}  # fmt: skip
    when = datetime(2026, 11, 29, 23, 1, 2, 345678, tzinfo=timezone(timedelta(hours=1)))
    docs = [Document(id=c * 64, source=f"/{c}.pdf", format=Format.PDF, blocks=[], title=t, city=city,
                     doc_type=DocType.SURVEY_ANSWER, language=lang, pages=n, size=9, metadata=m)
            for c, t, city, lang, n, m in (("a", "T", "Bursa", "de", 3, meta), ("c", None, None, None, None, {}))]  # fmt: skip
    with open_store(url) as store, store._engine.begin() as conn:  # noqa: SLF001
        for d in docs:
            row = document_to_row(d, version=2, ingested_at=when)
            conn.execute(insert(D).values(row))
            insert_rows(conn, D, [row | {"id": "z" + d.id[1:], "source": "/z" + d.source}])
        raw = _raw(conn, D)
    by_id = {r[0]: r for r in raw}
    for d in docs:
        ours = by_id["z" + d.id[1:]]
        assert [v for c, v in zip(D.c, ours) if c.name not in ("id", "source")] == \
            [v for c, v in zip(D.c, by_id[d.id]) if c.name not in ("id", "source")]  # fmt: skip


def test_insert_rows_of_nothing_writes_nothing(url: str) -> None:
    with open_store(url) as store, store._engine.begin() as conn:  # noqa: SLF001
        insert_rows(conn, P, [])
        assert conn.execute(select(P.c.id)).first() is None


def test_a_new_sqlite_database_gets_the_schema_create_all_makes(tmp_path) -> None:
    """``engine.create_schema`` on an empty SQLite database (statements compiled once) makes
    the tables and indexes ``metadata.create_all`` makes; on a database with tables it is
    ``create_all`` itself (here: a missing table is added)."""
    import sqlite3

    from sqlalchemy import create_engine

    from watext.store.schema import Base

    def master(path) -> list[tuple]:
        with sqlite3.connect(path) as conn:
            return conn.execute("SELECT type, name, tbl_name, sql FROM sqlite_master ORDER BY type, name").fetchall()

    engine = create_engine(f"sqlite:///{tmp_path / 'theirs.db'}")
    with engine.begin() as conn:
        Base.metadata.create_all(conn)
    reference = master(tmp_path / "theirs.db")
    with engine.begin() as conn:
        conn.exec_driver_sql("DROP TABLE failures")
    engine.dispose()
    for n in range(2):  # the second new database from the compiled list
        path = tmp_path / f"ours{n}.db"
        with open_store(f"sqlite:///{path}"):
            pass
        assert master(path) == reference
    assert sum(r[0] == "index" for r in reference) >= 8 and sum(r[0] == "table" for r in reference) >= 10
    with open_store(f"sqlite:///{tmp_path / 'theirs.db'}"):  # not empty: create_all adds the table
        pass
    assert master(tmp_path / "theirs.db") == reference
