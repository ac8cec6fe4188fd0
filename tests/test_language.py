"""Tests for watext.enrich.language: stopword + character-cue language identification."""

from __future__ import annotations

import time

import pytest

from watext.enrich.language import LANGUAGES, detect_document_language, detect_language


@pytest.mark.parametrize("text, lang", [
    ("Die Stadt fördert die Willkommenskultur und bietet Sprachkurse für alle Neubürger an.", "de"),
    ("The city offers language courses and a welcome folder for all new residents.", "en"),
    ("Trondheim kommune har et eget program for flyktninger etter introduksjonsloven, "
     "og byen vil gjøre mye mer.", "no"),
    ("La città di Brescia ha un assessorato per l'inclusione e la migrazione che coordina "
     "le attività.", "it"),
    ("Bursa şehrinde göç yönetimi için bir koordinasyon merkezi var ve bu çok önemli.", "tr"),
    ("La ville de Troyes organise une semaine interculturelle avec les associations de migrants.", "fr"),
    ("En la ciudad de Logroño hay cursos de español para los nuevos vecinos.", "es"),
    ("Gemeente Alkmaar heeft een nieuw programma voor de inburgering van nieuwkomers.", "nl"),
    ("Staden Uppsala har ett program för nyanlända och det är viktigt för kommunen.", "sv"),
    ("Miasto Płock prowadzi kursy językowe dla cudzoziemców oraz punkt informacyjny.", "pl"),
    ("Københavns kommune har et program for flygtninge, og byen vil gøre meget mere efter loven.", "da"),
])
def test_language_sentences(text, lang):
    assert detect_language(text) == lang


@pytest.mark.parametrize("text", [
    "Welcome Center für Fachkräfte in Darmstadt",
    "Das Welcome Center für internationale Fachkräfte berät auch die Familien der Fachkräfte.",
    "Die Best Practice aus Trondheim ist ein Welcome Center mit Service für Newcomer.",
])
def test_language_english_loanwords_in_german(text):
    assert detect_language(text) == "de"


@pytest.mark.parametrize("fragment", ["Willkommensmappe", "Dolmetscherservice", "Chesterfield",
                                      "Bursa", "Welcome Center", "1.", "", "Runder Tisch „Mare Nostrum“"])
def test_language_short_fragments_return_default(fragment):
    assert detect_language(fragment, default="de") == "de"
    assert detect_language(fragment) is None


def test_language_mixed_slide_fragments():
    slide = ["Kulturelle Vielfalt", "Interkulturelle Woche", "Welcome Center",
             "Foreigners and International Protection (Bursa)"]
    assert [detect_language(t, default="de") for t in slide] == ["de"] * 4
    assert detect_language("Law of Introduction and Habitation is the basis of the programme",
                           default="de") == "en"


def test_language_document_aggregates_fragments():
    fragments = ["Fragen an die Partnerstädte", "Willkommensmappe", "Sprachkurse",
                 "Was wird in Ihrer Stadt unter Willkommenskultur verstanden?", "Chesterfield"]
    assert detect_document_language(fragments) == "de"
    assert detect_document_language(["Bursa", "Saanen"], default="de") == "de"
    assert detect_document_language([]) is None


def test_language_codes_are_supported_set():
    assert set(LANGUAGES) == {"de", "en", "fr", "it", "es", "nl", "tr", "no", "sv", "da", "pl"}


def test_language_is_fast_enough():
    text = ("Die Stadt fördert die Willkommenskultur und bietet Sprachkurse für alle an. " * 5)[:300]
    start = time.perf_counter()
    for _ in range(5000):
        detect_language(text)
    assert time.perf_counter() - start < 1.0  # target 10k passages/s; leave CI headroom
