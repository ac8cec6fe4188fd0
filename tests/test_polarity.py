"""Negation and distancing of goals: clause scope, affirming patterns, and the goal classifier
reading a passage without its negated clauses (examples from GUIDELINE.md, not from the
held-out sets)."""

from __future__ import annotations

import pytest

from watext.tag.polarity import affirmed_text, negated_clauses


@pytest.mark.parametrize(("text", "lang"), [
    ("Sprachkurse gehören nicht zu dem, was die Stadt unter Willkommenskultur versteht.", "de"),
    ("Die Unterbringung von Geflüchteten ist bei uns Sache des Landkreises.", "de"),
    ("Die Koordination der Helferkreise überlässt die Stadt den Kirchengemeinden.", "de"),
    ("Attracting skilled workers is not a task we have set ourselves.", "en"),
    ("We do not run language classes ourselves.", "en"),
    ("Campaigns against racism are left to the trade unions.", "en"),
])  # fmt: skip
def test_polarity_negated_statements_are_found(text: str, lang: str) -> None:
    assert negated_clauses(text, lang)
    assert affirmed_text(text, lang) == ""


@pytest.mark.parametrize(("text", "lang"), [
    ("Niemand soll wegen seiner Herkunft benachteiligt werden.", "de"),
    ("Die Fraktion fordert mehr Sprachkurse, es gibt noch nicht genug Plätze.", "de"),
    ("Nicht nur Geflüchtete, sondern alle Neubürger erhalten die Willkommensmappe.", "de"),
    ("There are still too few language classes for newcomers.", "en"),
    ("No one should face discrimination in our city offices.", "en"),
    ("There is no waiting list for the council's advice centre.", "en"),
])  # fmt: skip
def test_polarity_affirmations_with_negation_words_stay(text: str, lang: str) -> None:
    assert negated_clauses(text, lang) == []
    assert affirmed_text(text, lang) == text


def test_polarity_only_the_negated_clause_is_removed() -> None:
    text = "Sprachkurse bieten wir nicht an; wir beraten aber jede neue Familie im Bürgerbüro."
    rest = affirmed_text(text, "de")
    assert "Sprachkurse" not in rest and "Bürgerbüro" in rest


def test_polarity_model_does_not_tick_a_negated_goal() -> None:
    from watext.tag.registry import load_model, resolve_model_dir

    model, _ = load_model(resolve_model_dir(None))
    neg, pos = model.predict([
        {"text": "Deutschkurse und Integrationskurse bietet die Stadt nicht an, das ist Sache des Bundes.",
         "lang": "de"},
        {"text": "Die Stadt bietet kostenlose Deutschkurse und Integrationskurse für alle Neuzugewanderten an.",
         "lang": "de"},
    ])  # fmt: skip
    assert "teilhabe_integration" in pos["labels"]
    assert "teilhabe_integration" not in neg["labels"]
