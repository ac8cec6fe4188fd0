"""Reviews survive a new version of a document: states carry over to unchanged passages.

A city sends a corrected answer file; the reviewers' work on the passages that did not
change must still win over the model in the tables, audited as a ``carry`` record.
"""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest

from watext.model import ReviewState
from watext.pipeline import mark_questions
from watext.store import open_store
from watext.tables.aggregate import build_tables

from .review_fixture import MODEL, Q1, VERSION, make_doc, pred

OLD = [Q1, "Vielfalt ist unsere Stärke.", "Wir helfen Geflüchteten.", "Alt: Informationen am Schalter."]
NEW = [Q1, "Vielfalt  ist unsere\nStärke.", "Wir helfen Geflüchteten.", "Neu: Informationen online."]
SOURCE = "/data/in/Darmstadt/antwort.pdf"


def new_version(texts: list[str], digest: str):  # noqa: ANN201
    """The file at SOURCE with new content (its content hash ``digest``)."""
    doc, passages = make_doc(SOURCE, "Darmstadt", texts)
    doc = dataclasses.replace(doc, id=digest)
    return doc, [dataclasses.replace(p, document=digest) for p in passages]


def _carry(store) -> None:  # noqa: ANN001
    d1, p1 = make_doc(SOURCE, "Darmstadt", OLD)
    assert store.save_document(d1, p1).status == "new"
    mark_questions(store, [d1.id])
    store.save_predictions([pred(p.id, {"kulturelle_vielfalt": 0.2}) for p in p1])
    store.save_correction(p1[1].id, "anna", labels=["kulturelle_vielfalt"], topic="verstaendnis", base_revision=0)
    store.save_correction(p1[2].id, "ben", labels=["humanitaere_hilfe"], base_revision=0)
    store.undo_correction(p1[2].id, "ben", base_revision=1)  # undone: nothing to carry
    store.save_correction(p1[3].id, "anna", labels=["dienstleistungsorientierung"], base_revision=0)

    d2, p2 = new_version(NEW, "f" * 64)
    saved = store.save_document(d2, p2)
    assert (saved.status, saved.superseded, saved.carried) == ("new_version", d1.id, 1)
    mark_questions(store, [d2.id])
    store.save_predictions([pred(p.id, {"kulturelle_vielfalt": 0.2}) for p in p2])

    # the unchanged passage (whitespace aside) keeps anna's review; the changed one does not
    state = store.review_state(p2[1].id)
    assert (state.reviewed, state.labels, state.reviewer, state.action, state.topic) == (
        True, ("kulturelle_vielfalt",), "anna", "carry", "verstaendnis")  # fmt: skip
    assert store.history(p2[1].id)[0].before == {"reviewed": False, "carried_from": p1[1].id, "revision": 1}
    assert store.review_state(p2[2].id) == ReviewState()  # its review had been undone
    assert store.review_state(p2[3].id) == ReviewState()  # its text changed
    assert store.review_state(p1[1].id).labels == ("kulturelle_vielfalt",)  # the old record stays

    # the tables built on the new version still show the verified cell
    t = build_tables(store, MODEL, VERSION)
    cell = t.goal_cell("Darmstadt", "kulturelle_vielfalt")
    assert cell.ticked and cell.verified and [e.passage_id for e in cell.evidence] == [p2[1].id]

    # undo of the carried record returns the new passage to the model
    store.undo_correction(p2[1].id, "anna", base_revision=1)
    assert store.review_state(p2[1].id).reviewed is False
    assert not build_tables(store, MODEL, VERSION).goal_cell("Darmstadt", "kulturelle_vielfalt").ticked


def test_reviews_carry_over_to_a_new_version(store) -> None:  # noqa: ANN001
    _carry(store)


@pytest.mark.postgres
def test_reviews_carry_over_to_a_new_version_postgres(pg_url: str) -> None:
    st = open_store(pg_url)
    try:
        _carry(st)
    finally:
        st.close()


def test_ambiguous_text_is_not_carried(tmp_path: Path) -> None:
    st = open_store(f"sqlite:///{tmp_path / 'w.db'}")
    try:
        d1, p1 = make_doc(SOURCE, "Darmstadt", ["Ja.", "Ja.", "Vielfalt."])
        st.save_document(d1, p1)
        st.save_correction(p1[0].id, "anna", labels=["kulturelle_vielfalt"], base_revision=0)
        d2, p2 = new_version(["Ja.", "Ja.", "Vielfalt!"], "e" * 64)
        assert st.save_document(d2, p2).carried == 0  # "Ja." occurs twice: which one?
    finally:
        st.close()
