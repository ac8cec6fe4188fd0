"""Pure functions of the review queue: ordering, filters, progress, agreement."""

from __future__ import annotations

import math

import pytest

from watext.model import GOAL_LABELS, EffectivePassage, Prediction, ReviewRecord, ReviewState
from watext.review import queue as Q

TH = {g: 0.5 for g in GOAL_LABELS}


def passage(pid: str, scores: dict[str, float] | None, city: str = "A", doc: str = "d1",
            topic: str | None = None) -> EffectivePassage:  # fmt: skip
    pred = None if scores is None else Prediction(pid, "m", "1", tuple(g for g, s in scores.items() if s >= .5),
                                                  scores, topic=topic)  # fmt: skip
    return EffectivePassage(pid, doc, f"/in/{doc}.pdf", f"title {doc}", "pdf", city, None, 1, "paragraph", (),
                            f"text {pid}", "de", None, False, pred, None)  # fmt: skip


def item(pid: str, scores: dict[str, float] | None, city: str = "A", doc: str = "d1",
         topic: str | None = None) -> Q.Item:  # fmt: skip
    return Q.build_items([passage(pid, scores, city, doc, topic)], TH)[0]


def reviewed(labels: list[str], topic: str | None = None) -> ReviewState:
    return ReviewState(1, True, tuple(labels), topic=topic, reviewer="anna", action="correct")


def test_build_items_from_effective_passages() -> None:
    kv = "kulturelle_vielfalt"
    rows = [passage("a0", {kv: 0.6}, doc="a", topic="massnahme"), passage("a1", None, city="B", doc="a"),
            passage("b0", {kv: 0.45}, doc="b"), passage("a2", {kv: 0.9}, doc="a")]
    items = Q.build_items(rows, {kv: 0.4}, topics={"a0": "verstaendnis", "a2": None})
    by = {it.id: it for it in items}
    assert [it.id for it in items] == ["a0", "a1", "b0", "a2"]
    # the ordinal is the place within the document (passages come in reading order)
    assert [(by[i].document, by[i].ordinal) for i in ("a0", "a1", "a2", "b0")] == [
        ("a", 0), ("a", 1), ("a", 2), ("b", 0)]  # fmt: skip
    assert (by["a0"].title, by["a0"].city, by["a0"].text) == ("title a", "A", "text a0")
    assert by["a0"].topic == "verstaendnis" and by["a2"].topic is None  # ``topics`` wins over the model
    assert by["b0"].topic is None and by["a1"].topic is None
    assert by["a0"].model_labels == [kv] and by["a0"].predicted and by["a0"].scores == {kv: 0.6}
    assert by["a0"].uncertainty == pytest.approx(0.2) and by["b0"].uncertainty == pytest.approx(0.05)
    assert not by["a1"].predicted and by["a1"].model_labels == [] and math.isinf(by["a1"].uncertainty)


def test_uncertainty_and_order() -> None:
    assert Q.uncertainty({"kulturelle_vielfalt": 0.45, "teilhabe_integration": 0.9}, TH) == pytest.approx(0.05)
    assert math.isinf(Q.uncertainty({}, TH))
    items = [item("far", {"kulturelle_vielfalt": 0.99}), item("none", None),
             item("near", {"kulturelle_vielfalt": 0.51}), item("mid", {"humanitaere_hilfe": 0.3})]
    assert [i.id for i in Q.order_items(items)] == ["near", "mid", "far", "none"]
    r1 = [i.id for i in Q.order_items(items, "random", seed="x")]
    assert r1 == [i.id for i in Q.order_items(list(reversed(items)), "random", seed="x")]
    assert sorted(r1) == sorted(i.id for i in items)
    many = [item(f"p{i}", {"kulturelle_vielfalt": i / 100}) for i in range(50)]
    assert [i.id for i in Q.order_items(many, "random", "a")] != [i.id for i in Q.order_items(many, "random", "b")]


def test_tables_lane_puts_passages_behind_doubtful_cells_first() -> None:
    from watext.tables.model import Evidence, GoalCell

    def ev(pid: str, conf: float) -> Evidence:
        return Evidence(pid, "d1", "s.pdf", None, "A", 1, pid, conf, False, "model")

    cells = [
        GoalCell("A", "kulturelle_vielfalt", True, [ev("sure", 0.97)], probability=0.97, candidates=[ev("sure", 0.97)]),
        GoalCell("A", "humanitaere_hilfe", False, [], probability=0.3, candidates=[ev("far", 0.2), ev("mid", 0.1)]),
        GoalCell("A", "standortfoerderung", True, [ev("mid", 0.45)], probability=0.52, candidates=[ev("mid", 0.45)]),
    ]  # fmt: skip
    ranks = Q.table_ranks(cells, {"sure": "verstaendnis", "far": "verstaendnis", "mid": "verstaendnis",
                                  "q3": "massnahme"})  # fmt: skip
    assert ranks["mid"] == (1.0, pytest.approx(0.02), -0.45)  # its most doubtful cell wins
    assert ranks["far"][0] == 1.0 and ranks["sure"] == (2.0,) and ranks["q3"] == (2.5,)
    items = [item(pid, {"kulturelle_vielfalt": u}) for pid, u in
             (("other", 0.5), ("q3", 0.5), ("sure", 0.9), ("far", 0.9), ("mid", 0.9))]  # fmt: skip
    for it in items:
        it.table_rank = ranks.get(it.id, it.table_rank)
    assert [i.id for i in Q.order_items(items, "tables")] == ["mid", "far", "sure", "q3", "other"]
    assert "tables" in Q.LANES


def test_filters_and_neighbours() -> None:
    items = [item("a", {"kulturelle_vielfalt": 0.9}, city="X", topic="verstaendnis"),
             item("b", {"humanitaere_hilfe": 0.9}, city="Y", doc="d2"),
             item("c", {"kulturelle_vielfalt": 0.2}, city="X")]
    rev = {"c": reviewed(["kulturelle_vielfalt"], topic="massnahme")}
    ids = lambda xs: [x.id for x in xs]  # noqa: E731
    assert ids(Q.filter_items(items, rev, city="X")) == ["a", "c"]
    assert ids(Q.filter_items(items, rev, document="d2")) == ["b"]
    assert ids(Q.filter_items(items, rev, goal="kulturelle_vielfalt")) == ["a", "c"]  # c by its review
    assert ids(Q.filter_items(items, rev, topic="massnahme")) == ["c"]
    assert ids(Q.filter_items(items, rev, status="unreviewed")) == ["a", "b"]
    assert ids(Q.filter_items(items, rev, status="reviewed")) == ["c"]
    assert Q.neighbours(items, "a", rev, "unreviewed") == (None, "b")
    assert Q.neighbours(items, "b", rev, "unreviewed") == ("a", "a")  # wraps, skips reviewed c
    assert Q.neighbours(items, "c", rev, "all") == ("b", "a")
    assert Q.neighbours(items, "zzz", rev, "reviewed") == (None, "c")
    assert [[i.id for i in items if Q.status_ok(i.id, rev, st)] for st in Q.STATUSES] == [
        ["a", "b"], ["c"], ["a", "b", "c"]]  # fmt: skip


def test_precision_from_random_prefix() -> None:
    items = [item(f"p{i}", {"kulturelle_vielfalt": 0.9}) for i in range(6)]
    order = Q.order_items(items, "random")
    rev = {order[0].id: reviewed(["kulturelle_vielfalt"]), order[1].id: reviewed([]),
           order[3].id: reviewed(["kulturelle_vielfalt"])}  # fmt: skip
    sample = Q.random_prefix(order, rev)
    assert [s.id for s in sample] == [order[0].id, order[1].id]
    pr = Q.progress(items, rev, order)
    assert pr["reviewed"] == 3 and pr["left"] == 3 and pr["random_sample"] == 2
    assert pr["precision_random"]["kulturelle_vielfalt"] == {"n": 2, "tp": 1, "precision": 0.5}
    assert pr["precision_all"]["kulturelle_vielfalt"]["precision"] == pytest.approx(2 / 3)
    assert pr["precision_random"]["humanitaere_hilfe"]["precision"] is None


def test_kappa() -> None:
    assert Q.cohen_kappa([]) is None
    assert Q.cohen_kappa([(True, True), (False, False)]) == 1.0
    assert Q.cohen_kappa([(True, False), (False, True)]) == pytest.approx(-1.0)
    # textbook example: 20 yes/yes, 5 yes/no, 10 no/yes, 15 no/no -> kappa 0.4
    pairs = [(True, True)] * 20 + [(True, False)] * 5 + [(False, True)] * 10 + [(False, False)] * 15
    assert Q.cohen_kappa(pairs) == pytest.approx(0.4)
    assert Q.cohen_kappa([(False, False)] * 3) == 1.0


def rec(pid: str, who: str, rev: int, labels: list[str], action: str = "correct", reviewed: bool = True,
        body: str | None = None) -> ReviewRecord:  # fmt: skip
    return ReviewRecord(rev, pid, rev, who, action, reviewed, tuple(labels), body, None, None, None, "1",
                        "2099-01-01T00:00:00")  # fmt: skip


def test_agreement_and_disagreements() -> None:
    kv, th = "kulturelle_vielfalt", "teilhabe_integration"
    records = [
        rec("p1", "anna", 1, [kv]), rec("p1", "ben", 2, [kv]),              # agree
        rec("p2", "anna", 1, [kv]), rec("p2", "ben", 2, [th]),              # disagree
        rec("p3", "anna", 1, [th]), rec("p3", "anna", 2, [kv]), rec("p3", "ben", 3, [kv]),  # anna's latest
        rec("p4", "anna", 1, [kv]), rec("p4", "ben", 2, [th]), rec("p4", "ben", 3, [kv], "undo", False),
        rec("p5", "anna", 1, [th]),                                          # one reviewer only
    ]  # fmt: skip
    by = Q.latest_by_reviewer(records)
    assert by["p3"]["anna"].labels == (kv,) and set(by["p4"]) == {"anna"}
    ag = Q.agreement(by)
    assert ag["passages"] == 3 and ag["pairs"] == 3
    # kv: (T,T),(T,F),(T,T) -> po 2/3, pa 1, pe = pb -> kappa 0
    assert ag["kappa"][kv] == pytest.approx(0.0)
    assert ag["agree"][kv] == pytest.approx(2 / 3)
    assert ag["kappa"]["humanitaere_hilfe"] == 1.0
    assert [pid for pid, _ in Q.disagreements(by)] == ["p2"]
    # the same goals but another body type is a disagreement too
    by = Q.latest_by_reviewer([rec("p6", "anna", 1, [kv], body="fachstelle"), rec("p6", "ben", 2, [kv])])
    assert [(pid, sorted(states)) for pid, states in Q.disagreements(by)] == [("p6", ["anna", "ben"])]


def test_double_review_share_is_blind_and_needs_two_reviewers() -> None:
    from watext.review import queue as Q

    ids = [f"p{i:04d}" for i in range(2000)]
    doubles = [p for p in ids if Q.is_double(p)]
    assert 150 < len(doubles) < 250  # about DOUBLE_SHARE = 10 %
    d, single = doubles[0], next(p for p in ids if not Q.is_double(p))
    states = {d: reviewed([]), single: reviewed([])}
    by = Q.latest_by_reviewer([rec(d, "anna", 1, []), rec(single, "anna", 1, [])])
    assert set(Q.seen_by(states, by, "anna")) == {d, single}  # anna is done with both
    assert set(Q.seen_by(states, by, "ben")) == {single}  # ben still has to review d
    assert Q.needs_second(d, by, "ben") and not Q.needs_second(single, by, "ben")
    by = Q.latest_by_reviewer([rec(d, "anna", 1, []), rec(single, "anna", 1, []),
                               rec(d, "ben", 2, ["kulturelle_vielfalt"])])  # fmt: skip
    assert set(Q.seen_by(states, by, "carl")) == {d, single}  # two reviewers: done for all
