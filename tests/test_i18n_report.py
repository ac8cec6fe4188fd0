"""report.html and tables.md in one language per audience (``i18n/<lang>/report.json``):
German by default, English with ``WATEXT_LANG=en`` or ``i18n.use("en")``; no word of the
other language's catalogue outside document text; numbers per language; document text
escaped in both. CSV headers are machine ids in every language.

The word lists are derived from the catalogues (``report``, ``labels`` and ``common``): a
word of one language's texts that the other language's texts never use, and that no
document text of the fixture (the data a report shows as it is) contains.
"""

from __future__ import annotations

import dataclasses
import json
import re
from collections.abc import Iterable, Iterator, Mapping
from html import escape, unescape
from typing import Any

import pytest

from watext import i18n
from watext.tables.aggregate import RULES
from watext.tables.export._common import warning_lines, warnings
from watext.tables.export.csv_md import csv_tables, md_text
from watext.tables.export.html import html_text
from watext.tables.frames import to_frames

from .tables_fixture import DOUBT_CELL, NEAR_TEXT, XSS_TEXT, sample_tables

#: The areas a report's texts come from.
AREAS = ("report", "labels", "common")
_WORD = re.compile(r"[^\W\d_]{3,}")


def _strings(value: Any, keys: bool = True) -> Iterator[str]:
    """Every string inside ``value`` (dataclasses, mappings with or without their keys, lists)."""
    if isinstance(value, str):
        yield value
    elif dataclasses.is_dataclass(value) and not isinstance(value, type):
        for f in dataclasses.fields(value):
            yield from _strings(getattr(value, f.name), keys)
    elif isinstance(value, Mapping):
        for k, v in value.items():
            if keys:
                yield from _strings(k)
            yield from _strings(v, keys)
    elif isinstance(value, (list, tuple, set)):
        for v in value:
            yield from _strings(v, keys)


def words(texts: Iterable[str]) -> set[str]:
    return {w.lower() for text in texts for w in _WORD.findall(text)}


def catalogue_words(code: str) -> set[str]:
    """The words of the texts a report takes from ``i18n/<code>/``."""
    texts = (s for area in AREAS for s in _strings(dict(i18n.texts(area, code)), keys=False))
    return words(re.sub(r"\{\w+\}", " ", s) for s in texts if "%" not in s)  # no placeholders, date formats


def data_words(*extra: Any) -> set[str]:
    """The words of the fixture's document data (shown as it is in every language) and ``extra``."""
    return words(_strings([sample_tables(), *extra], keys=False))


def foreign_words(code: str, *data: Any) -> set[str]:
    """Words of the other language's catalogue that must not appear in an output in ``code``."""
    other = next(c for c in i18n.LANGS if c != code)
    return catalogue_words(other) - catalogue_words(code) - data_words(*data)


def found(text: str, vocabulary: set[str]) -> list[str]:
    """The words of ``vocabulary`` that occur in ``text`` (whole words, any case)."""
    return sorted(words([text]) & vocabulary)


#: The built rules are English and quote German label ids and names ('verstaendnis',
#: Chefsache): under English they are shown as built, so they count as data there.
DATA = {"de": (), "en": (RULES,)}


def real_tables():  # noqa: ANN201
    """The sample with the meta data a real build carries (English rules, counts) and
    warnings: one city without an answer to question 1 (fallback), one without 5 and 6."""
    tables = sample_tables()
    tables.meta.update(
        model_name="watext-goals", model_version="20261129-094251", built_at="2026-11-29T11:42:05+00:00",
        counts={"passages": 315, "classified": 310, "reviewed": 5, "unclassified": 0},
        rules={k: v.format(min_support=1, doubt_low=0.3, doubt_high=0.7) for k, v in RULES.items()},
    )  # fmt: skip
    tables.no_answer = {"Freiberg": [1], "Bursa": [5, 6]}
    for cell in tables.goals:
        if cell.city == "Freiberg" and cell.ticked:
            cell.fallback = True
    return tables


@pytest.fixture(scope="module")
def frames() -> dict:
    return to_frames(real_tables())


def render(frames: dict, code: str) -> tuple[str, str]:
    with i18n.use(code):
        return html_text(frames), md_text(frames)


def visible(html: str) -> str:
    """The text of the page outside scripts and styles, with document passages removed."""
    html = re.sub(r"<(script|style)\b.*?</\1>", " ", html, flags=re.DOTALL)
    html = re.sub(r"<blockquote>.*?</blockquote>", " ", html, flags=re.DOTALL)
    attrs = " ".join(re.findall(r'(?:title|aria-label)="([^"]*)"', html))
    return unescape(re.sub(r"<[^>]+>", " ", html) + " " + attrs)


def script_texts(html: str) -> dict[str, Any]:
    data = json.loads(re.search(r'<script type="application/json" id="data">(.*?)</script>', html, re.DOTALL).group(1))
    return {"texts": data["texts"], "origins": data["origins"], "verified": data["verified"]}


def script_words(html: str) -> str:
    """The texts the script shows (values only, not their keys)."""
    data = script_texts(html)
    text = " ".join([*data["texts"].values(), *data["origins"].values(), data["verified"]])
    return re.sub(r"\{\w+\}", " ", text)  # not the placeholders


# ----------------------------------------------------------------------------- word lists


def test_word_lists_are_real() -> None:
    english, german = foreign_words("de", *DATA["de"]), foreign_words("en", *DATA["en"])
    assert len(english) >= 40 and len(german) >= 40, (len(english), len(german))
    assert {"evidence", "checked", "passages", "confidence", "probability", "threshold", "warnings"} <= english
    assert {"belege", "geprüft", "passagen", "konfidenz", "wahrscheinlichkeit", "schwelle", "warnungen"} <= german


# ----------------------------------------------------------------------------- html


def test_html_german_by_default(frames: dict, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("WATEXT_LANG", raising=False)
    html = html_text(frames)
    assert '<html lang="de">' in html
    assert "<title>Willkommens- und Anerkennungskultur – Vergleich der Partnerstädte</title>" in html
    assert "Konfidenz 0,80" in html and "Konfidenz 0.80" not in html
    assert 'title="Wahrscheinlichkeit 0,35: zuerst prüfen"' in html
    assert '<h2 id="leitfaden">2. Leitfaden</h2>' in html and '<h2 id="best-practice">7. Best Practice</h2>' in html
    assert "1 von 24 Zellen sind zweifelhaft" in html
    assert "29.11.2026, 11:42 UTC" in html and "von 0,30 bis unter 0,70" in html
    assert "Freiberg: keine Antwort auf Frage 1 erkannt – Ziele aus Passagen mit erkanntem Thema" in html
    assert script_texts(html)["texts"]["near"] == "Knapp unter der Schwelle"
    assert found(visible(html), foreign_words("de", *DATA["de"])) == []
    assert found(script_words(html), foreign_words("de")) == []
    # the English list is real: it finds the English page's words
    assert len(found(visible(render(frames, "en")[0]), foreign_words("de", *DATA["de"]))) >= 30


@pytest.mark.parametrize("how", ["use", "env"])
def test_html_english(frames: dict, monkeypatch: pytest.MonkeyPatch, how: str) -> None:
    if how == "env":
        monkeypatch.setenv("WATEXT_LANG", "en")
        html = html_text(frames)
    else:
        monkeypatch.delenv("WATEXT_LANG", raising=False)
        html = render(frames, "en")[0]
    assert '<html lang="en">' in html
    assert "<title>Culture of welcome and recognition – comparison of the partner cities</title>" in html
    assert "Confidence 0.80" in html and "0,80" not in html
    assert 'title="Probability 0.35: check first"' in html
    assert '<h2 id="leitfaden">2. Guideline</h2>' in html
    assert "1. Goals: What does your city understand by a culture of welcome and recognition?" in html
    assert "1 of 24 cells are doubtful: Bursa × Anti-discrimination" in html
    assert "Cities: Bursa, Chesterfield, Darmstadt and Freiberg · As of: 2026-11-29 11:42 UTC" in html
    assert "315 passages, 310 of them classified by the model, 5 checked" in html
    assert "from 0.30 to below 0.70" in html  # the rule as built, numbers with a point
    assert "Freiberg: no answer to question 1 recognised – goals taken from passages" in html
    assert "Bursa: no answer to questions 5, 6 recognised" in html
    data = script_texts(html)
    assert data["texts"]["near"] == "Just below the threshold" and data["verified"] == "checked"
    assert data["origins"]["model"] == "model"
    assert '"decimal":"."' in html
    assert found(visible(html), foreign_words("en", *DATA["en"])) == []
    assert found(script_words(html), foreign_words("en")) == []
    # the German list is real: it finds the German page's words
    assert len(found(visible(render(frames, "de")[0]), foreign_words("en", *DATA["en"]))) >= 30


def test_html_document_text_stays_escaped_in_every_language(frames: dict) -> None:
    for code in i18n.LANGS:
        html, _ = render(frames, code)
        assert escape(XSS_TEXT) in html, code
        assert "<script>alert" not in html and 'onmouseover="x()"' not in html and "<img" not in html
        assert len(re.findall(r"<script\b", html)) == 2
        data = re.search(r'<script type="application/json" id="data">(.*?)</script>', html, re.DOTALL).group(1)
        assert "<" not in data and ">" not in data
        assert NEAR_TEXT in json.loads(data)["cells"]["c0-2"]["near"][0]["text"]
        assert DOUBT_CELL == ("Bursa", "anti_diskriminierung")


def test_warnings_rebuilt_from_data_equal_the_model_text_in_german(frames: dict) -> None:
    with i18n.use("de"):
        assert warning_lines(frames) == warnings(frames)
    with i18n.use("en"):
        assert warning_lines(frames) == [
            ("Freiberg: no answer to question 1 recognised – goals taken from passages on the topic "
             "“understanding” (fallback), please check"),
            "Bursa: no answer to questions 5, 6 recognised",
        ]


# ----------------------------------------------------------------------------- md and csv


def test_md_in_both_languages(frames: dict) -> None:
    de, en = render(frames, "de")[1], render(frames, "en")[1]
    assert "# Willkommens- und Anerkennungskultur: Rückmeldung aus den Partnerstädten" in de
    assert "## 2. Leitfaden" in de and "| Stadt | Status | Orientierung | Herkunft |" in de
    assert "Bursa × Anti-Diskriminierung: – nicht angekreuzt (0 Passagen, 0 geprüft, Wahrscheinlichkeit 0,35, " \
           "zweifelhaft)" in de
    assert "- **Modellversion**: 20261129-094251" in de and "- **Erstellt am**: 29.11.2026, 11:42 UTC" in de
    assert "- **Umfang**: 315 Textabschnitte, davon 310 vom Modell klassifiziert, 5 geprüft" in de
    assert "- **Regel Ziele**: " in de and "von 0,30 bis unter 0,70" in de

    assert "# Culture of welcome and recognition: feedback from the partner cities" in en
    assert "## 2. Guideline" in en and "| City | Status | Orientation | Origin |" in en
    assert "| City | Cultural diversity | Participation / integration |" in en
    assert "Bursa × Anti-discrimination: – not ticked (0 passages, 0 checked, probability 0.35, doubtful)" in en
    assert "Bursa × Humanitarian aid: ✓ checked" in en and "Bursa × Cultural diversity: ✓ model" in en
    assert "- **Model version**: 20261129-094251" in en and "- **Built**: 2026-11-29 11:42 UTC" in en
    assert "- **Rule Goals**: " in en and "from 0.30 to below 0.70" in en
    assert "**Warnings:**" in en and "¹ Fallback: no answer to question 1 recognised" in en
    for md in (de, en):
        assert "Wir sind Freiberg \\| lokales Netz" in md and "<b>" not in md
        assert "model_version" not in md and "{'passages'" not in md
    assert found(de, foreign_words("de", *DATA["de"])) == []
    assert found(en, foreign_words("en", *DATA["en"])) == []


def test_csv_headers_are_ids_in_every_language(frames: dict) -> None:
    with i18n.use("de"):
        german = csv_tables(frames)
    with i18n.use("en"):
        english = csv_tables(frames)
    assert {k: v.splitlines()[0] for k, v in english.items()} == {k: v.splitlines()[0] for k, v in german.items()}
    assert german["goals_matrix.csv"].splitlines()[0].startswith("city,kulturelle_vielfalt,")
    # the cells hold ids too; only the page label of evidence.csv reads per language
    assert english["goals_cells.csv"] == german["goals_cells.csv"] and ",S. 3," in german["evidence.csv"]


def test_measure_and_practice_names_follow_the_language_where_the_rules_have_one() -> None:
    """A synonym group's name is shown in the language in force (German ``name``, English
    ``display.en``); a name no group matched stays as the document wrote it."""
    from watext.tables.frames import to_frames
    from watext.tables.model import Measure, BestPractice
    from tests.tables_fixture import sample_tables

    t = sample_tables()
    t.measures = [Measure("teilhabe_integration", "Sprachkurse", ["ESOL classes"], ["Chesterfield"]),
                  Measure("kulturelle_vielfalt", "Neighbourhood forums", ["Neighbourhood forums"], ["Chesterfield"])]
    t.best_practice = [BestPractice("Patenschaftsprogramme für Flüchtlinge", ["Brescia"])]
    frames = to_frames(t)
    from watext.tables.export.html import html_text
    from watext.tables.export.csv_md import md_text

    with i18n.use("de"):
        html, md = html_text(frames), md_text(frames)
        assert "Sprachkurse" in html and "Sprachkurse" in md and "Language courses" not in html + md
        assert "Patenschaftsprogramme für Flüchtlinge" in html
    with i18n.use("en"):
        html, md = html_text(frames), md_text(frames)
        assert "Language courses" in html and "Language courses" in md
        assert "Mentoring programmes for refugees" in html
        assert "Neighbourhood forums" in html  # no group: as written
        assert "ESOL classes" in html  # the variants stay as the documents wrote them


def test_a_long_list_of_doubtful_cells_is_folded_per_city() -> None:
    from watext.tables.export.html import DOUBT_INLINE, html_text
    from watext.tables.frames import to_frames
    from tests.tables_fixture import sample_tables

    t = sample_tables()
    unverified = [c for c in t.goals if not c.verified]
    for c in unverified[: DOUBT_INLINE + 3]:
        c.probability = (c.band[0] + c.band[1]) / 2
    n = sum(c.doubtful for c in t.goals)
    assert n > DOUBT_INLINE
    with i18n.use("de"):
        html = html_text(to_frames(t))
    block = re.search(r'<details class="doubt-summary"><summary>(.*?)</summary><ul>(.*?)</ul></details>', html, re.S)
    assert block, "a long list is folded"
    assert block.group(1).startswith(f"{n} von {len(t.goals)} Zellen sind zweifelhaft")
    cities = {c.city for c in t.goals if c.doubtful}
    assert block.group(2).count("<li>") == len(cities)
