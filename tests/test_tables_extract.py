"""Measure names from full sentences, coordinated names, taxonomy goals of synonym groups."""

from __future__ import annotations

import pytest

from watext.tables.aggregate import _split_coordinated
from watext.tables.phrases import canonical_measure, canonical_measure_in, measure_goals, measure_phrase


@pytest.mark.parametrize(("text", "lang", "name"), [
    ("Jedes Jahr findet im Herbst die Interkulturelle Woche mit vielen Vereinen statt.", "de",
     "Interkulturelle Woche"),
    ("Die Stadt bietet kostenlose Deutschkurse für Neuzugewanderte an.", "de",
     "kostenlose Deutschkurse für Neuzugewanderte"),
    ("Seit 2019 betreibt die Stadt ein Welcome Center im Neuen Rathaus für Fachkräfte.", "de",
     "Welcome Center"),
    ("A municipal interpreter service in more than 40 languages is free for residents.", "en",
     "municipal interpreter service"),
    ("Unter Willkommenskultur verstehen wir Offenheit und Respekt.", "de", None),
    ("We believe everyone should feel at home here.", "en", None),
])  # fmt: skip
def test_measure_phrase_names_the_measure_in_a_sentence(text: str, lang: str, name: str | None) -> None:
    assert measure_phrase(text, lang) == name


def test_coordinated_measures_are_split_only_when_each_part_is_one() -> None:
    assert _split_coordinated("Willkommensmappe und Informationsportal für Familien", "de") == [
        "Willkommensmappe", "Informationsportal für Familien"]
    assert _split_coordinated("Beratung und Begleitung von Familien", "de") == [
        "Beratung und Begleitung von Familien"]


def test_synonym_groups_carry_the_taxonomy_goals() -> None:
    assert canonical_measure("ESOL classes") == ("Sprachkurse", True)
    assert measure_goals("Sprachkurse") == ("teilhabe_integration",)
    assert measure_goals("Beratungsstellen") == ()  # context decides (TAXONOMY.md)
    assert measure_goals("Ein Name ohne Gruppe") == ()
    assert canonical_measure_in("Jedes Jahr laden wir zum Empfang für ausländische Studierende ein.") == \
        "Empfang für ausländische Studierende"
