"""Blank spaCy pipelines, lookup lemmas and rule files."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from watext.errors import ConfigError
from watext.tag.nlp import Annotator, load_body_rules


@pytest.fixture(scope="module")
def annotator() -> Annotator:
    return Annotator()


@pytest.mark.parametrize(
    ("text", "label", "name"),
    [
        ("Brescia: Dezernat für Inklusion und Migration", "fachstelle", "Dezernat für Inklusion und Migration"),
        ("Freiberg: Amt für Bildung, Jugend und Soziales → Integration und Interkulturelles",
         "fachstelle", "Amt für Bildung, Jugend und Soziales"),
        ("vom Fachbereich Stadtentwicklung und Integration faktisch kostenneutral umgesetzt",
         "fachstelle", "Fachbereich Stadtentwicklung und Integration"),
        ("werden durch die Koordinierungsstelle für Migration und Teilhabe (16-2) bzw. verfolgt",
         "fachstelle", "Koordinierungsstelle für Migration und Teilhabe (16-2)"),
        ("Freiberg: Oberbürgermeister → „weltoffene Stadt“", "chefsache", "Oberbürgermeister"),
        ("Integration ist eine Querschnittsaufgabe der Verwaltung", "querschnittsaufgabe", "Querschnittsaufgabe"),
        ("Welcome is a cross-cutting task of the council", "querschnittsaufgabe", "cross-cutting task"),
    ],
)
def test_nlp_body_rules_find_seed_bodies(annotator, text, label, name) -> None:
    doc = next(annotator.docs([text], "en" if text.startswith("Welcome") else "de"))
    bodies = annotator.bodies(doc)
    found = [(b["label"], b["text"]) for b in bodies]
    assert (label, name) in found
    for b in bodies:
        assert text[b["start"]:b["end"]] == b["text"]


def test_nlp_sentences(annotator) -> None:
    doc = next(annotator.docs(["Die Stadt Osnabrück lädt ein. Auch Trondheim macht mit."], "de"))
    assert [s.text for s in doc.sents] == ["Die Stadt Osnabrück lädt ein.", "Auch Trondheim macht mit."]


def test_nlp_one_matcher_per_vocabulary(annotator) -> None:
    """Languages without lookup lemmas share the one ``xx`` pipeline, so a French and a
    Polish passage are matched with the rules built on their own vocabulary."""
    assert annotator.nlp("fr") is annotator.nlp("pl") is annotator.nlp("xx")
    doc = next(annotator.docs(["Oberbürgermeister"], "fr"))
    assert [b["label"] for b in annotator.bodies(doc)] == ["chefsache"]


def test_nlp_lookup_lemmas_without_downloads(annotator) -> None:
    doc = next(annotator.docs(["Die Städte haben Sprachkurse angeboten."], "de"))
    assert [t.lemma_ for t in doc][:3] == ["der", "Stadt", "haben"]


@pytest.mark.parametrize(
    ("line", "message"),
    [
        ("{not json", "invalid JSON"),
        ('{"id": "x", "label": "boss", "pattern": [{"LOWER": "a"}]}', "label"),
        ('{"id": "x", "label": "fachstelle", "pattern": [{"LOWERX": "a"}]}', "invalid Matcher pattern"),
        ('{"id": "x", "label": "fachstelle", "pattern": []}', "non-empty"),
    ],
)
def test_nlp_bad_rule_file_names_the_line(tmp_path: Path, line: str, message: str) -> None:
    p = tmp_path / "bodies.jsonl"
    good = json.dumps({"id": "ok", "label": "chefsache", "pattern": [{"LOWER": "mayor"}]})
    p.write_text(good + "\n" + line + "\n", encoding="utf-8")
    with pytest.raises(ConfigError, match=rf"bodies.jsonl:2: .*{message}"):
        load_body_rules(p)
