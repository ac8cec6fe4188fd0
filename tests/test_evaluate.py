"""Evaluation: grouped folds, hand-computed metrics, baselines."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from watext.train.baselines import KeywordBaseline, RegexBodyBaseline
from watext.train.evaluate import city_folds, cross_validate, format_report, load_gold
from watext.train.metrics import accuracy, body_name_match, goal_metrics, normalize_name, reliability_table

MINI = Path(__file__).parent / "data" / "gold" / "mini.jsonl"


def test_evaluate_folds_never_share_a_city() -> None:
    records = load_gold(MINI)
    folds = city_folds(records, k=5)
    assert len(folds) == 5
    seen = set()
    for train, test in folds:
        tr = {records[i]["city"] for i in train}
        te = {records[i]["city"] for i in test}
        assert not tr & te
        seen |= set(test)
    assert seen == set(range(len(records)))


def test_evaluate_fewer_cities_fewer_folds() -> None:
    recs = [{"text": "x", "city": c} for c in "aabbc"]
    assert len(city_folds(recs, k=5)) == 3


def test_evaluate_metrics_hand_computed() -> None:
    labels = ["a", "b"]
    Y = np.array([[1, 0], [1, 1], [0, 1], [0, 0]])
    Yhat = np.array([[1, 0], [0, 1], [1, 1], [0, 0]])
    P = np.array([[0.9, 0.1], [0.4, 0.8], [0.6, 0.7], [0.0, 0.2]])
    m = goal_metrics(labels, Y, Yhat, P)
    # a: tp=1 fp=1 fn=1 -> P=R=F1=0.5; b: tp=2 fp=0 fn=0 -> 1.0
    assert m["per_label"]["a"] == {"precision": 0.5, "recall": 0.5, "f1": 0.5, "support": 2,
                                   "brier": round((0.01 + 0.36 + 0.36 + 0) / 4, 4)}
    assert m["per_label"]["b"]["f1"] == 1.0
    assert m["per_label"]["b"]["brier"] == round((0.01 + 0.04 + 0.09 + 0.04) / 4, 4)
    assert m["macro_f1"] == 0.75
    assert m["micro_f1"] == round(2 * 3 / (2 * 3 + 1 + 1), 4)  # tp=3 fp=1 fn=1
    rel = reliability_table(np.array([1, 0, 1]), np.array([0.05, 0.07, 0.95]))
    assert rel[0] == {"bin": "0.0-0.1", "n": 2, "mean_p": 0.06, "observed": 0.5}
    assert rel[9]["n"] == 1 and rel[9]["observed"] == 1.0
    assert accuracy(["x", None, "y"], ["x", None, None]) == round(2 / 3, 4)


def test_evaluate_body_name_inflection_insensitive() -> None:
    assert normalize_name("des Kommunalen Integrationszentrums") == normalize_name("Kommunales Integrationszentrum")
    assert body_name_match(["Amt für Bildung", None, "Sozialamt"], ["amt für Bildung", "X", None]) == {"n": 2, "exact": 0.5}


def test_evaluate_baselines_run() -> None:
    recs = [{"text": "Die Interkulturelle Woche"}, {"text": "Der Oberbürgermeister leitet es."},
            {"text": "Zuständig ist das Dezernat für Inklusion und Migration."},
            {"text": "A cross-cutting task for the council"}, {"text": "TOP 4"}]
    Y = KeywordBaseline().predict(recs)
    assert Y[0].tolist() == [1, 0, 0, 0, 0, 0] and Y[4].sum() == 0
    assert RegexBodyBaseline().predict(recs) == [
        (None, None), ("chefsache", None), ("fachstelle", "Dezernat für Inklusion und Migration"),
        ("querschnittsaufgabe", None), (None, None)]


@pytest.mark.slow
def test_evaluate_cross_validate_mini() -> None:
    res = cross_validate(load_gold(MINI), k=3)
    assert res["mode"] == "grouped-cv-3" and res["n"] == 62
    assert 0 <= res["model"]["macro_f1"] <= 1 and "margin" in res
    json.dumps(res)
    assert "macro-F1" in format_report(res)
