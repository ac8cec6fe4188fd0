"""Schema 1 -> 2 on open: documents may be ``removed``; nothing stored is lost."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
import sqlalchemy as sa

from watext.store import open_store
from watext.store.schema import SCHEMA_VERSION

from .paths import DATA

V1 = DATA / "store" / "schema_v1.db"  # written by watext at schema 1 (one document, one review)


def _remove_one(url: str) -> None:
    with open_store(url) as store:
        doc = next(iter(store.iter_documents()))
        assert store.mark_removed("s", doc["source"]) == doc["id"]
        assert [d["status"] for d in store.iter_documents(current_only=False)] == ["removed"]


def test_a_schema_1_sqlite_file_is_migrated(tmp_path: Path) -> None:
    db = tmp_path / "v1.db"
    shutil.copy(V1, db)
    url = f"sqlite:///{db}"
    with open_store(url) as store:
        before = store.counts()
        reviews = list(store.iter_corrections())
    engine = sa.create_engine(url)
    with engine.connect() as conn:
        assert conn.execute(sa.text("SELECT max(version) FROM schema_version")).scalar() == SCHEMA_VERSION == 3
        assert conn.exec_driver_sql("PRAGMA foreign_key_check").fetchall() == []
        ddl = conn.execute(sa.text("SELECT sql FROM sqlite_master WHERE name='documents'")).scalar()
        indexes = {r[0] for r in conn.execute(sa.text("SELECT name FROM sqlite_master WHERE tbl_name='documents'"))}
    engine.dispose()
    assert "'removed'" in ddl and {"uq_documents_current_source", "ix_documents_source"} <= indexes
    assert before["documents_current"] == 1 and before["passages"] == 44 and len(reviews) == 1
    _remove_one(url)
    with open_store(url) as store:  # a second open changes nothing
        assert store.counts()["passages_total"] == 44


def test_the_v1_fixture_is_schema_1() -> None:
    """The migration test would prove nothing on a file that is already migrated."""
    engine = sa.create_engine(f"sqlite:///{V1}")
    with engine.connect() as conn:
        assert conn.execute(sa.text("SELECT max(version) FROM schema_version")).scalar() == 1
        assert "'removed'" not in conn.execute(sa.text("SELECT sql FROM sqlite_master WHERE name='documents'")).scalar()
    engine.dispose()


@pytest.mark.postgres
def test_a_schema_1_postgres_database_is_migrated(pg_url: str, tmp_path: Path) -> None:
    from watext import pipeline
    from watext.settings import get_settings

    from .paths import TABLE_TEST

    with open_store(pg_url) as store:
        pipeline.ingest(store, get_settings(db=pg_url), [str(TABLE_TEST / "e-saanen-survey-2015.txt")])
    engine = sa.create_engine(pg_url)
    with engine.begin() as conn:  # back to schema 1
        conn.execute(sa.text("ALTER TABLE documents DROP CONSTRAINT ck_documents_status"))
        conn.execute(sa.text("ALTER TABLE documents ADD CONSTRAINT ck_documents_status "
                             "CHECK (status IN ('current', 'superseded'))"))
        conn.execute(sa.text("DELETE FROM schema_version WHERE version >= 2"))
        conn.execute(sa.text("INSERT INTO schema_version (version, applied_at) SELECT 1, now() "
                             "WHERE NOT EXISTS (SELECT 1 FROM schema_version WHERE version = 1)"))
    engine.dispose()
    _remove_one(pg_url)
