"""Goal/body/topic classifiers, the bundled model and the registry."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from sklearn.base import clone

from watext.errors import ModelMismatchError
from watext.tag.analysis import analyze, as_pairs
from watext.tag.classifier import BodyClassifier, GoalClassifier, TopicClassifier, pick_body_name
from watext.tag.features import PassageFeaturizer
from watext.model import GOAL_LABELS
from watext.tag.tagger import WatextModel
from watext.tag.registry import current_version, load_model, resolve_model_dir
from watext.train.registry import save_model

MINI = Path(__file__).parent / "data" / "gold" / "mini.jsonl"


@pytest.fixture(scope="module")
def records() -> list[dict]:
    return [json.loads(line) for line in MINI.read_text(encoding="utf-8").splitlines()]


@pytest.fixture(scope="module")
def model(records: list[dict]) -> WatextModel:
    return WatextModel().fit(records)


@pytest.fixture(scope="module")
def shipped() -> WatextModel:
    return load_model(resolve_model_dir(None))[0]


@pytest.mark.parametrize("est", [PassageFeaturizer(), GoalClassifier(C=2.0), BodyClassifier(),
                                 TopicClassifier(), WatextModel(random_state=3)])
def test_classifier_clone_keeps_params(est) -> None:
    twin = clone(est)
    assert twin.get_params() == est.get_params()
    assert not any(k.endswith("_") and not k.startswith("_") for k in vars(twin))


def test_classifier_fit_returns_self(records: list[dict]) -> None:
    texts = [r["text"] for r in records]
    goals = GoalClassifier()
    assert goals.fit(records, [r["labels"] for r in records]) is goals
    assert list(goals.classes_) == list(GOAL_LABELS)
    assert goals.predict_proba(texts).shape == (len(texts), len(GOAL_LABELS))
    body = BodyClassifier()
    assert body.fit(records, [r["body"] for r in records]) is body
    assert "none" in body.classes_
    feats = PassageFeaturizer()
    assert feats.fit(texts) is feats
    assert feats.transform(texts).shape[1] == len(feats.get_feature_names_out())


def test_classifier_thresholds_honoured(records: list[dict], model: WatextModel) -> None:
    texts = [r["text"] for r in records]
    goals = model.goals_
    lab = "humanitaere_hilfe"
    j = GOAL_LABELS.index(lab)
    never = clone(goals).set_params(thresholds={lab: 1.01})
    never.__dict__.update({k: v for k, v in vars(goals).items() if k.endswith("_")})
    assert never.predict(model.features_.transform(texts))[:, j].sum() == 0
    always = clone(goals).set_params(thresholds={lab: 0.0})
    always.__dict__.update({k: v for k, v in vars(goals).items() if k.endswith("_")})
    assert always.predict(model.features_.transform(texts))[:, j].all()
    model.goals_.set_params(thresholds={lab: 1.01})
    try:
        assert all(lab not in p["labels"] for p in model.predict(records))
    finally:
        model.goals_.set_params(thresholds=None)


@pytest.mark.parametrize("text, name", [
    ("Brescia: Dezernat für Inklusion und Migration", "Dezernat für Inklusion und Migration"),
    ("Freiberg: Amt für Bildung, Jugend und Soziales → Integration und Interkulturelles",
     "Amt für Bildung, Jugend und Soziales"),
    ("Koordinierungsstelle für Migration und Teilhabe (16-2)",
     "Koordinierungsstelle für Migration und Teilhabe (16-2)"),
])  # fmt: skip
def test_classifier_body_name_exact_span(text: str, name: str, shipped: WatextModel) -> None:
    """The unit's name is cut from the text at the rule's span (no trailing words or
    punctuation), and the shipped model names it as the responsible body."""
    (a,) = analyze(as_pairs([{"text": text, "lang": "de"}]))
    assert pick_body_name(a) == name
    (span,) = [b for b in a.bodies if b["label"] == "fachstelle"]
    assert text[span["start"]:span["end"]] == name
    (pred,) = shipped.predict([{"id": "x", "text": text, "lang": "de"}])
    assert (pred["body"], pred["body_name"]) == ("fachstelle", name)


def test_classifier_predict_output_shape(model: WatextModel, records: list[dict]) -> None:
    out = model.predict(records[:3])
    assert [p["id"] for p in out] == [r["id"] for r in records[:3]]
    for p in out:
        assert set(p) == {"id", "labels", "scores", "body", "body_name", "topic"}
        assert list(p["scores"]) == list(GOAL_LABELS)
        assert set(p["labels"]) <= set(GOAL_LABELS)


def test_registry_round_trip(model: WatextModel, records: list[dict], tmp_path: Path) -> None:
    path = save_model(model, tmp_path, "m", data_hash="abc", version_id="20240101-000000")
    assert current_version(tmp_path, "m") == "20240101-000000"
    assert resolve_model_dir(tmp_path / "m") == path
    loaded, meta = load_model(path)
    assert meta["labels"] == list(GOAL_LABELS) and meta["n_train"] == len(records)
    assert set(meta["libraries"]) >= {"python", "watext", "scikit-learn", "spacy", "numpy"}
    assert loaded.predict(records) == model.predict(records)


@pytest.mark.parametrize("field, value, needle", [
    ("labels", ["kulturelle_vielfalt"], "labels"),
    ("scikit-learn", "0.24.2", "scikit-learn"),
    ("spacy", "2.3.0", "spacy"),
])  # fmt: skip
def test_registry_refuses_mismatch(model: WatextModel, tmp_path: Path, field: str, value, needle: str) -> None:
    path = save_model(model, tmp_path, "m")
    meta_path = path / "meta.json"
    meta = json.loads(meta_path.read_text())
    if field == "labels":
        meta["labels"] = value
    else:
        meta["libraries"][field] = value
    meta_path.write_text(json.dumps(meta))
    with pytest.raises(ModelMismatchError, match=needle):
        load_model(path)


def test_classifier_few_positives_fallback() -> None:
    X = ["Sprachkurse für Geflüchtete", "Interkulturelle Woche", "TOP 3", "Willkommensmappe"] * 3
    Y = [["teilhabe_integration"], ["kulturelle_vielfalt"], [], []] * 3
    g = GoalClassifier().fit(X, Y)
    assert np.all(g.thresholds_ == 0.5)  # too few positives to tune
    assert g.predict(X).shape == (12, len(GOAL_LABELS))
