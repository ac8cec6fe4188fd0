"""The review page speaks one language at a time: German by default, English with
``WATEXT_LANG=en``. Its sentences come from ``i18n/<lang>/review.json``, label names from
``i18n/<lang>/labels.json``; no word of the other language's catalogue shows up.

The word lists are derived from the catalogues (words of one language's ``review.json``
that the other language's catalogues do not use), not picked by hand; what the documents
themselves say (passage texts, titles, cities, names) is taken out of a page before it is
checked, since a German page may quote an English document and vice versa.
"""

from __future__ import annotations

import html
import re
import string
import warnings
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

import pytest

with warnings.catch_warnings():  # starlette 1.x nags about httpx vs httpx2
    warnings.simplefilter("ignore")
    from starlette.testclient import TestClient

from watext import i18n
from watext.review.app import create_app
from watext.store import Store, open_store

from .review_fixture import MODEL, VERSION, fill
from .test_review_app import BASE, client, form_of, save

TEMPLATES = Path(__file__).resolve().parents[1] / "src" / "watext" / "review" / "templates"
WORD = re.compile(r"[^\W\d_]{3,}")  # words of three letters or more (no key names like a, s, u)
#: Attributes whose values a person reads (tooltips, screen readers).
READ_ATTRS = re.compile(r'\s(?:title|aria-label|placeholder|alt)="([^"]*)"')


def _values(d: Mapping[str, Any]) -> Iterator[str]:
    for v in d.values():
        if isinstance(v, Mapping):
            yield from _values(v)
        else:
            yield str(v)


def _words(text: str) -> set[str]:
    """The words of a catalogue text: without markup, entities and ``{placeholders}``."""
    plain = "".join(lit for lit, *_ in string.Formatter().parse(text))
    plain = html.unescape(re.sub(r"<[^>]+>", " ", plain))
    return {w.casefold() for w in WORD.findall(plain)}


def catalogue_words(code: str, areas: tuple[str, ...] = ("review",)) -> set[str]:
    return set().union(*(_words(v) for area in areas for v in _values(i18n.texts(area, code))))


def foreign_words(code: str) -> set[str]:
    """Words of the other language's review.json that no catalogue of ``code`` uses."""
    other = next(c for c in i18n.LANGS if c != code)
    return catalogue_words(other) - catalogue_words(code, ("review", "labels", "common"))


def readable(page: str, data: list[str]) -> str:
    """What a person reads on ``page`` (text, tooltips, aria labels), without the texts that
    come from the data (``data``: passages, titles, cities, reviewers, the model)."""
    text = " ".join([re.sub(r"<[^>]+>", " ", page), *READ_ATTRS.findall(page)])
    text = html.unescape(text)
    for s in sorted(data, key=len, reverse=True):
        text = text.replace(s, " ")
    return text


@pytest.fixture
def store(tmp_path: Path) -> Iterator[tuple[Store, dict[str, str]]]:
    with open_store(f"sqlite:///{tmp_path / 'review.db'}") as s:
        yield s, fill(s, tmp_path)


def pages_of(app: Any, ids: dict[str, str]) -> tuple[dict[str, str], list[str]]:
    """Every kind of page the app shows (queue, card, stats, help, login, error pages),
    and the data strings on them."""
    anna, ben = client(app, "anna"), client(app, "ben")
    pid, other = ids["answer"], ids["bursa0"]
    assert save(anna, other, ["humanitaere_hilfe"], 0, body="chefsache", topic="massnahme").status_code == 303
    assert save(ben, other, ["kulturelle_vielfalt"], 1, body_name="Amt für Integration").status_code == 303
    pages = {url: anna.get(url) for url in ("/queue", "/queue?status=all&lane=random", f"/passage/{pid}",
                                            f"/passage/{other}?status=all", "/stats", "/adjudicate",
                                            "/passage/nope", "/no-such-page")}  # fmt: skip
    pages["/login"] = TestClient(app, base_url=BASE).get("/login")
    pages["405"] = anna.post("/queue")
    pages["csrf"] = save(anna, pid, ["standortfoerderung"], 0, csrf=None)
    pages["invalid"] = save(anna, pid, ["standortfoerderung"], 0, body="amt")
    pages["incomplete"] = save(anna, pid, ["standortfoerderung"], "x")
    undo = form_of(anna.get(f"/passage/{ids['xss']}").text, "undo-form")
    pages["nothing to undo"] = anna.post(f"/passage/{ids['xss']}", data=undo, headers={"Origin": BASE})
    stale = {**form_of(anna.get(f"/passage/{other}").text, "undo-form"), "base_revision": "0"}
    pages["conflict"] = anna.post(f"/passage/{other}", data=stale, headers={"Origin": BASE})
    statuses = {k: r.status_code for k, r in pages.items()}
    assert statuses["/passage/nope"] == statuses["/no-such-page"] == 404 and statuses["405"] == 405
    assert (statuses["csrf"], statuses["invalid"], statuses["incomplete"], statuses["conflict"]) == (403, 400, 400, 409)
    snap = app.state.review.service.snapshot()
    data = [MODEL, VERSION, "anna", "ben", "Amt für Integration", "amt", *snap.cities, *snap.documents.values()]
    for p in snap.passages.values():
        data += [p.text, p.source or "", *p.heading]
    return {k: r.text for k, r in pages.items()}, [d for d in data if d]


@pytest.mark.parametrize("code", i18n.LANGS)
def test_no_word_of_the_other_language(store, monkeypatch: pytest.MonkeyPatch, code: str) -> None:
    s, ids = store
    if code == i18n.DEFAULT:
        monkeypatch.delenv("WATEXT_LANG", raising=False)
    else:
        monkeypatch.setenv("WATEXT_LANG", code)
    foreign = foreign_words(code)
    assert len(foreign) > 100, sorted(foreign)  # the lists are real
    pages, data = pages_of(create_app(s, model_dir=ids["model_dir"]), ids)
    own = catalogue_words(code)
    for url, page in pages.items():
        found = {w.casefold() for w in WORD.findall(readable(page, data))}
        assert not found & foreign, (code, url, sorted(found & foreign))
        assert f'<html lang="{code}">' in page and 'id="help"' in page, url
        assert _words(i18n.texts("review", code)["help"]["score_heading"]) <= found, url  # the help overlay
        assert len(found & own) > 10, url
    # the catalogue's sentences, with the numbers in the language's format
    t = i18n.texts("review", code)
    card = pages[f"/passage/{ids['answer']}"]
    with i18n.use(code):
        tick = t["card"]["score_ticked"].format(score=i18n.number(0.52), threshold=i18n.number(0.5))
        assert f'title="{tick}"' in card and f">{i18n.number(0.52)} / {i18n.number(0.5)}</span>" in card
    assert f"<td>{'0,020' if code == 'de' else '0.020'}</td>" in pages["/queue?status=all&lane=random"]
    assert f'id="message">{t["message"]["no_passage"]}</p>' in pages["/passage/nope"]
    assert f'id="message">{t["error"]["no_page"]}</p>' in pages["/no-such-page"]
    assert f'id="message">{t["error"]["csrf"]}</p>' in pages["csrf"]
    assert f'id="message">{t["message"]["form_incomplete"]}</p>' in pages["incomplete"]
    assert t["message"]["nothing_to_undo"] in pages["nothing to undo"]
    assert t["message"]["unknown_body"].format(x="&#39;amt&#39;") in pages["invalid"]
    assert f"<h1>{t['error']['409']}</h1>" not in pages["conflict"]  # a conflict shows the card again
    assert t["card"]["conflict_heading"] in pages["conflict"] and "<strong>ben</strong>" in pages["conflict"]
    assert f"<h1>{t['login']['heading']}</h1>" in pages["/login"]


@pytest.mark.parametrize("code", i18n.LANGS)
def test_label_names_come_from_labels_json(store, code: str) -> None:
    s, ids = store
    app = create_app(s, model_dir=ids["model_dir"], lang=code)
    pages, _ = pages_of(app, ids)
    card, queue = pages[f"/passage/{ids['bursa0']}?status=all"], pages["/queue"]
    for kind, page in (("goal", card), ("body", card), ("topic", card), ("lane", queue), ("review_status", queue)):
        for label, name in i18n.names(kind, code).items():
            assert f'value="{label}"' in page or kind == "goal", (kind, label)
            assert html.escape(name, quote=False) in page, (code, kind, name)
    names = {k: i18n.names(k, code) for k in ("action", "goal", "body", "topic")}
    assert (f"<strong>ben</strong> · {names['action']['correct']}:\n      {names['goal']['kulturelle_vielfalt']}"
            in card)  # fmt: skip
    assert f"· {names['body']['chefsache']} · {names['topic']['massnahme']}" in card
    assert f"<td>{names['goal']['humanitaere_hilfe']}</td>" in pages["/adjudicate"]
    # the review page keeps no table of names of its own
    from watext.review import texts

    assert not [n for n in vars(texts) if n.endswith("_NAMES") or n in ("SCORE_HELP", "number_de", "message_de")]


def test_the_language_holds_per_app_and_request(store) -> None:
    """Two apps in one process, German and English, answered in turn."""
    s, ids = store
    with i18n.use("en"):
        en = client(create_app(s, model_dir=ids["model_dir"]), "anna")  # the language in force when created
    de = client(create_app(s, model_dir=ids["model_dir"], lang="de"), "anna")
    for _ in range(2):
        for c, code in ((de, "de"), (en, "en"), (de, "de")):
            r = c.get("/queue?status=all&lane=random")
            assert f'<html lang="{code}">' in r.text
            assert f"<h1>{i18n.texts('review', code)['queue']['title']}</h1>" in r.text
            assert ("<td>0,020</td>" if code == "de" else "<td>0.020</td>") in r.text
    assert i18n.lang() == "de"  # nothing leaked into the test's own context
    with pytest.raises(ValueError, match="choose de or en"):
        create_app(s, model_dir=ids["model_dir"], lang="fr")


def test_templates_hold_no_text_of_their_own() -> None:
    """Every word a template shows comes from a catalogue (key names on <kbd> aside)."""
    keys = {"enter", "tab", "esc"}
    for path in sorted(TEMPLATES.glob("*.html")):
        src = path.read_text(encoding="utf-8")
        src = re.sub(r"\{% block main_\w+ %\}.*?\{% endblock %\}", " ", src)  # <main>'s id and attributes
        outside = re.sub(r"\{#.*?#\}|\{%.*?%\}|\{\{.*?\}\}", " ", src, flags=re.DOTALL)
        shown = [re.sub(r"<[^>]+>", " ", outside), *READ_ATTRS.findall(outside)]
        words = {w.casefold() for w in WORD.findall(html.unescape(" ".join(shown)))} - keys
        assert not words, (path.name, sorted(words))
        blocks = re.findall(r"\{\{.*?\}\}|\{%.*?%\}", src, flags=re.DOTALL)
        literals = {lit for b in blocks for lit in re.findall(r"'([^']*)'", b) if WORD.search(lit)}
        assert set(literals) <= {"selected", "checked", "model", "disabled", "reviewed", "unreviewed", "pptx"}, (
            path.name, literals)
