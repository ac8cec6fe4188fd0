"""Tests of watext.store on SQLite and (marker ``postgres``) PostgreSQL."""

from __future__ import annotations

import hashlib
import threading
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path

import pytest

from watext.errors import StoreError
from watext.model import Block, BlockKind, DocType, Document, Format, Passage
from watext.store import SaveResult, Store, normalize_url, open_store


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """A URL of an empty database on each backend."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'store.db'}"
    return request.getfixturevalue("pg_url")


@pytest.fixture
def st(db_url: str) -> Iterator[Store]:
    with open_store(db_url) as s:
        yield s


def make_doc(source: str = "in/Köln/vorlage.pdf", salt: str = "a") -> tuple[Document, list[Passage]]:
    """A small hand-built document with a heading, list, table and two passages."""
    blocks = [
        Block(BlockKind.TITLE, "Integrationskonzept", page=1, bbox=(10.0, 20.0, 300.5, 40.0)),
        Block(BlockKind.HEADING, f"1. Willkommenskultur {salt}", page=1, level=1, style="H1"),
        Block(BlockKind.PARAGRAPH, "Die Stadt begrüßt Zugewanderte.", page=1),
        Block(BlockKind.LIST_ITEM, "Sprachkurse", page=2, level=0),
        Block(BlockKind.LIST_ITEM, "für Kinder", page=2, level=1, parent=3),
        Block(BlockKind.TABLE_CELL, "Jahr", page=2, table=0, row=0, col=0),
        Block(BlockKind.TABLE_CELL, "2024", page=2, table=0, row=1, col=0),
    ]
    doc_id = hashlib.sha256(f"{source}|{salt}".encode()).hexdigest()
    doc = Document(
        id=doc_id, source=source, format=Format.PDF, blocks=blocks, title="Integrationskonzept",
        city="Köln", doc_type=DocType.CONCEPT, language="de", pages=2, size=1234,
        metadata={"author": "Amt für Integration", "keywords": ["a", "b"]},
    )  # fmt: skip
    text, offs = doc.text, doc.block_offsets()
    p0_end = offs[2] + len(blocks[2].text)
    passages = [
        Passage(
            document=doc_id, ordinal=0, text=text[offs[1]:p0_end], start=offs[1], end=p0_end,
            heading=("Integrationskonzept",), page=1,
            kinds=(BlockKind.HEADING, BlockKind.PARAGRAPH), blocks=(1, 2),
        ),
        Passage(
            document=doc_id, ordinal=1, text=blocks[3].text, start=offs[3],
            end=offs[3] + len(blocks[3].text), heading=("Integrationskonzept", blocks[1].text),
            page=2, kinds=(BlockKind.LIST_ITEM,), blocks=(3,), language="en",
        ),
    ]  # fmt: skip
    assert all(text[p.start:p.end] == p.text for p in passages)
    return doc, passages


def test_round_trip(st: Store) -> None:
    doc, passages = make_doc()
    assert not st.has_document(doc.id)
    assert st.save_document(doc, passages) == SaveResult("new", doc.id, None)
    assert st.has_document(doc.id)
    loaded = st.get_document(doc.id)
    assert [b.to_dict() for b in loaded.blocks] == [b.to_dict() for b in doc.blocks]
    assert loaded == doc
    assert loaded.text == doc.text
    with pytest.raises(KeyError):
        st.get_document("0" * 64)
    [row] = st.iter_documents()
    assert row["id"] == doc.id and row["version"] == 1 and row["status"] == "current"
    assert row["metadata"] == doc.metadata and "text" not in row
    assert datetime.fromisoformat(row["ingested_at"]).utcoffset() is not None


def test_idempotent_save(st: Store) -> None:
    doc, passages = make_doc()
    st.save_document(doc, passages)
    before = st.counts()
    assert st.save_document(doc, passages).status == "unchanged"
    # same content at another path: also unchanged, nothing recorded
    moved = Document(**{**{f: getattr(doc, f) for f in doc.__slots__}, "source": "other.pdf"})
    assert st.save_document(moved, passages) == SaveResult("unchanged", doc.id, None)
    assert st.counts() == before
    assert [d["source"] for d in st.iter_documents()] == [doc.source]


def test_new_version_supersedes_old(st: Store) -> None:
    old, old_p = make_doc(salt="v1")
    new, new_p = make_doc(salt="v2")
    assert st.save_document(old, old_p).status == "new"
    assert st.save_document(new, new_p) == SaveResult("new_version", new.id, old.id)
    [cur] = st.iter_documents()
    assert (cur["id"], cur["version"], cur["status"]) == (new.id, 2, "current")
    both = {d["id"]: d for d in st.iter_documents(current_only=False)}
    assert both[old.id]["status"] == "superseded"
    assert both[old.id]["superseded_by"] == new.id
    assert st.get_document(old.id) == old  # the old version is kept
    assert {p["document"] for p in st.iter_passages()} == {new.id}
    assert len(list(st.iter_passages(current_only=False))) == 4
    c = st.counts()
    assert (c["documents_current"], c["documents_superseded"]) == (1, 1)
    assert (c["passages"], c["passages_total"]) == (2, 4)
    # a third version chains on
    third, third_p = make_doc(salt="v3")
    assert st.save_document(third, third_p) == SaveResult("new_version", third.id, new.id)
    assert [d["version"] for d in st.iter_documents(current_only=False)] == [1, 2, 3]


def test_failure_upsert_and_resolution(st: Store) -> None:
    st.record_failure("in/a.pdf", "h1", 10, "corrupt", "kaputt")
    st.record_failure("in/a.pdf", "h1", 10, "encrypted", "Passwort")
    st.record_failure("in/a.pdf", None, None, "empty", "leer")
    st.record_failure("in/a.pdf", None, None, "empty", "immer noch leer")
    st.record_failure("in/b.pdf", "h2", 5, "needs_ocr", "kein Text")
    fails = list(st.iter_failures())
    assert [(f["source"], f["content_hash"], f["attempts"]) for f in fails] == [
        ("in/a.pdf", "h1", 2), ("in/a.pdf", None, 2), ("in/b.pdf", "h2", 1),
    ]  # fmt: skip
    first = fails[0]
    assert (first["code"], first["reason"], first["size"]) == ("encrypted", "Passwort", 10)
    assert first["first_seen"] <= first["last_seen"]
    assert datetime.fromisoformat(first["last_seen"]).utcoffset() is not None
    assert st.counts()["failures_unresolved"] == 3

    doc, passages = make_doc(source="in/a.pdf")
    st.save_document(doc, passages)
    assert [f["source"] for f in st.iter_failures()] == ["in/b.pdf"]
    assert len(list(st.iter_failures(include_resolved=True))) == 3
    assert st.counts()["failures_unresolved"] == 1
    # the same failure coming back reopens it
    st.record_failure("in/a.pdf", "h1", 10, "corrupt", "wieder kaputt")
    again = [f for f in st.iter_failures() if f["source"] == "in/a.pdf"]
    assert [(f["attempts"], f["reason"]) for f in again] == [(3, "wieder kaputt")]


def test_rollback_leaves_nothing(st: Store) -> None:
    old, old_p = make_doc(salt="v1")
    st.save_document(old, old_p)
    st.record_failure(old.source, "x", 1, "corrupt", "kaputt")
    doc, passages = make_doc(salt="v2")
    dup = Passage(document=doc.id, ordinal=1, text="dup", start=0, end=3)  # same id as #1
    with pytest.raises(StoreError):
        st.save_document(doc, [*passages, dup])
    assert not st.has_document(doc.id)
    assert all(p["document"] != doc.id for p in st.iter_passages(current_only=False))
    [cur] = st.iter_documents(current_only=False)
    assert (cur["id"], cur["status"], cur["superseded_by"]) == (old.id, "current", None)
    assert st.counts()["failures_unresolved"] == 1
    # and the document can still be saved properly afterwards
    assert st.save_document(doc, passages).status == "new_version"


def test_iter_passages_fields(st: Store) -> None:
    doc_b, pb = make_doc(source="b.pdf")
    doc_a, pa = make_doc(source="a.pdf", salt="x")
    st.save_document(doc_b, pb)
    st.save_document(doc_a, pa)
    rows = list(st.iter_passages())
    assert [(r["source"], r["ordinal"]) for r in rows] == [
        ("a.pdf", 0), ("a.pdf", 1), ("b.pdf", 0), ("b.pdf", 1),
    ]  # fmt: skip
    r0, r1 = rows[0], rows[1]
    assert set(r0) == {
        "id", "document", "source", "city", "doc_type", "language", "page", "kind",
        "kinds", "heading", "text", "start", "end", "ordinal",
    }  # fmt: skip
    assert r0["id"] == pa[0].id and r0["document"] == doc_a.id
    assert (r0["city"], r0["doc_type"], r0["page"]) == ("Köln", "concept", 1)
    assert r0["language"] == "de"  # falls back to the document's language
    assert r1["language"] == "en"  # the passage's own language wins
    assert (r0["kind"], r0["kinds"]) == ("heading", ["heading", "paragraph"])
    assert r0["heading"] == ["Integrationskonzept"]
    assert doc_a.text[r0["start"]:r0["end"]] == r0["text"] == pa[0].text


def test_counts_and_runs(st: Store) -> None:
    assert st.counts() == {
        "documents_current": 0, "documents_superseded": 0, "passages": 0,
        "passages_total": 0, "failures_unresolved": 0,
    }  # fmt: skip
    run = st.start_run(["in/", Path("more")])
    doc, passages = make_doc()
    st.save_document(doc, passages)
    st.record_failure("x.pdf", None, 0, "empty", "leer")
    st.finish_run(run, {"new": 1, "failed": 1})
    assert st.start_run([]) == run + 1
    with pytest.raises(KeyError):
        st.finish_run(9999, {})
    c = st.counts()
    assert (c["documents_current"], c["passages"], c["failures_unresolved"]) == (1, 2, 1)


@pytest.mark.parametrize("second_source", ["same", "other"])
def test_concurrent_save(db_url: str, second_source: str) -> None:
    """Two stores save the same content at once: one 'new', one 'unchanged', no crash."""
    doc, passages = make_doc()
    docs = [doc, doc]
    if second_source == "other":  # same content at a different path (PK race)
        docs[1] = Document(**{**{f: getattr(doc, f) for f in doc.__slots__}, "source": "z.pdf"})
    stores = [open_store(db_url) for _ in range(2)]
    barrier = threading.Barrier(2)
    results: list[str] = []
    errors: list[BaseException] = []

    def work(s: Store, d: Document) -> None:
        try:
            barrier.wait()
            results.append(s.save_document(d, passages).status)
        except BaseException as exc:  # noqa: BLE001 - reported below
            errors.append(exc)

    threads = [threading.Thread(target=work, args=(s, d)) for s, d in zip(stores, docs)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    for s in stores:
        s.close()
    assert not errors, errors
    assert sorted(results) == ["new", "unchanged"]
    with open_store(db_url) as s:
        assert s.counts()["documents_current"] == 1
        assert s.counts()["passages"] == 2


def test_schema_version_and_reopen(db_url: str) -> None:
    with open_store(db_url) as s:
        doc, passages = make_doc()
        s.save_document(doc, passages)
    with open_store(db_url) as s:  # create_all on an existing schema is a no-op
        assert s.has_document(doc.id)


def test_url_normalisation_and_errors(tmp_path: Path) -> None:
    assert normalize_url("postgres://u@h/db").drivername == "postgresql+psycopg"
    assert normalize_url("postgresql://u@h/db").drivername == "postgresql+psycopg"
    assert normalize_url("sqlite:///x.db").drivername == "sqlite"
    with pytest.raises(StoreError, match="unsupported"):
        normalize_url("mysql://u@h/db")
    with pytest.raises(StoreError, match="cannot open database"):
        open_store("postgresql://nobody:secret@127.0.0.1:1/none?connect_timeout=2")
    with pytest.raises(StoreError, match="cannot open database"):
        open_store(f"sqlite:///{tmp_path / 'missing-dir' / 'x.db'}")


def test_sqlite_pragmas(store: Store) -> None:
    """The shared `store` fixture: a SQLite file in WAL mode with foreign keys on."""
    import sqlalchemy as sa

    with store._engine.connect() as conn:  # noqa: SLF001 - white-box check
        pragma = lambda name: conn.exec_driver_sql(f"PRAGMA {name}").scalar()  # noqa: E731
        assert pragma("journal_mode") == "wal"
        assert pragma("foreign_keys") == 1
        assert pragma("busy_timeout") == 30000
        assert pragma("synchronous") == 1
    # foreign keys are enforced, not just switched on: an orphan passage is refused
    with pytest.raises(sa.exc.IntegrityError), store._engine.begin() as conn:  # noqa: SLF001
        conn.exec_driver_sql(
            "INSERT INTO passages (id, document_id, ordinal, text, span_start, span_end, heading, kinds,"
            " block_ids, annotations) VALUES ('p', 'no-such-document', 0, 't', 0, 1, '[]', '[]', '[]', '{}')")
