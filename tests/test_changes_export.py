"""The "what changed" report of a reprocessing run: changes.json, changes.html and the terminal text."""

from __future__ import annotations

import copy
import json
import os
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest

from watext import files, i18n
from watext.tables.export import changes
from watext.tables.export.changes import changes_html, format_changes, shorten, when, write_changes

LONG_TAIL = "ENDE-DER-LANGEN-PASSAGE"
LONG_TEXT = "Die Stadt begrüßt neue Bürgerinnen und Bürger mit einem Willkommenspaket. " * 12 + LONG_TAIL
SCRIPT = "<script>alert(1)</script>"
IMG = '"><img src=x onerror=alert(1)>'
AMP = "&amp;"


def full_report() -> dict[str, Any]:
    return {
        "run": 12,
        "source": "partnerstaedte",
        "started": "2026-11-29T11:42:03+00:00",
        "finished": "2026-11-29T12:43:09+01:00",
        "first_run": False,
        "versions": {
            "before": {"model": "watext-goals/20261001-080000", "rules": "ab12cd34ef56", "questions": "q1",
                       "watext": "0.1.0"},
            "after": {"model": "watext-goals/20261129-094251", "rules": "ab12cd34ef56", "questions": "q1",
                      "watext": "0.1.0"},
        },  # fmt: skip
        "documents": {
            "new": [{"source": "/daten/erlangen/antwort.pdf", "document_id": "sha-new", "city": "Erlangen",
                     "title": "Antwort der Stadt Erlangen", "passages": 12}],
            "changed": [{"source": "/daten/bursa/folien.pptx", "document_id": "sha-b2", "previous_id": "sha-b1",
                         "city": "Bursa", "title": "Folien Bursa", "passages": 7, "reviews_carried": 2}],
            "removed": [{"source": "/daten/alt/entwurf.docx", "document_id": "sha-old", "city": None, "title": None}],
            "failed": [{"source": "/daten/kaputt.pdf", "code": "corrupt", "reason": "xref table broken",
                        "attempts": 3, "next_attempt": "2026-11-29T12:00:00+00:00"}],
        },  # fmt: skip
        "cells": [
            {"city": "Erlangen", "goal": "teilhabe_integration", "before": False, "after": True,
             "verified_before": True, "probability_before": 0.31, "probability_after": 0.88,
             "passages": [{"passage_id": "p1", "source": "/daten/erlangen/antwort.pdf", "page": 3,
                           "text": LONG_TEXT, "origin": "model"}]},
            {"city": "Bursa", "goal": "standortfoerderung", "before": True, "after": False,
             "verified_before": False, "probability_before": 0.7, "probability_after": None,
             "passages": [{"passage_id": "p2", "source": "/daten/bursa/folien.pptx", "page": 5,
                           "text": "Wirtschaftsförderung wirbt Fachkräfte an.", "origin": "review"}]},
        ],  # fmt: skip
        "doubtful": [{"city": "Bursa", "goal": "kulturelle_vielfalt", "probability": 0.42}],
        "unanswered": [{"city": "Bursa", "question": 4}],
        "rows": {
            "measures": {"added": [{"key": "teilhabe_integration / Sprachkurse", "detail": "Erlangen, Bursa"},
                                   {"key": "Lotsen", "detail": "teilhabe_integration: Erlangen"}], "removed": []},
            "responsibility": {"added": [{"key": "chefsache / Erlangen", "detail": "Integrationsbüro"}],
                               "removed": []},
            "best_practice": {"added": [], "removed": [{"key": "Welcome Center Hamburg", "detail": "Bursa"}]},
        },  # fmt: skip
        "summary": {"documents_new": 1, "documents_changed": 1, "documents_removed": 1, "documents_failed": 1,
                    "cells_flipped": 2, "doubtful_new": 1, "unanswered_new": 1, "rows_added": 3,
                    "rows_removed": 1},  # fmt: skip
    }


def empty_report() -> dict[str, Any]:
    r = full_report()
    r["versions"]["before"] = dict(r["versions"]["after"])
    r["documents"] = {"new": [], "changed": [], "removed": [], "failed": []}
    r["cells"], r["doubtful"], r["unanswered"] = [], [], []
    r["rows"] = {t: {"added": [], "removed": []} for t in ("measures", "responsibility", "best_practice")}
    r["summary"] = {k: 0 for k in r["summary"]}
    return r


def hostile_report() -> dict[str, Any]:
    r = full_report()
    bad = f"{SCRIPT} {IMG} {AMP}"
    r["source"] = bad
    for kind in ("new", "changed", "removed"):
        d = r["documents"][kind][0]
        d["title"], d["source"], d["city"] = bad, "/tmp/" + bad + ".pdf", bad
    r["documents"]["failed"][0].update(source=bad, reason=bad, code=bad)
    cell = r["cells"][0]
    cell["city"] = bad
    cell["passages"][0].update(text=bad, source=bad)
    r["doubtful"][0]["city"] = bad
    r["unanswered"][0]["city"] = bad
    r["rows"]["measures"]["added"][0].update(key=bad, detail=bad)
    r["versions"]["after"]["model"] = bad
    return r


class Page(HTMLParser):
    """The tags, attributes and visible text of a page, and the text of each ``<section id>``."""

    def __init__(self, html: str) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.text: list[str] = []
        self.sections: dict[str, list[str]] = {}
        self._open: list[str | None] = []
        self.feed(html)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))
        if tag == "section":
            self._open.append(dict(attrs).get("id"))

    def handle_endtag(self, tag: str) -> None:
        if tag == "section":
            self._open.pop()

    def handle_data(self, data: str) -> None:
        self.text.append(data)
        for sid in self._open:
            self.sections.setdefault(sid or "", []).append(data)

    def section(self, sid: str) -> str:
        return " ".join(" ".join(self.sections[sid]).split())

    def all_text(self) -> str:
        return " ".join(" ".join(self.text).split())


def _flagged_rows(html: str) -> list[str]:
    return [chunk.split("</tr>")[0] for chunk in html.split('<tr class="flagged">')[1:]]


# ------------------------------------------------------------------ files


def test_changes_write_both_files_and_json_round_trips(tmp_path: Path) -> None:
    report = full_report()
    paths = write_changes(report, tmp_path / "run12")
    assert paths == [tmp_path / "run12" / "changes.json", tmp_path / "run12" / "changes.html"]
    raw = paths[0].read_text(encoding="utf-8")
    assert json.loads(raw) == report
    assert list(json.loads(raw)) == list(report)  # keys in the order given
    assert list(json.loads(raw)["summary"]) == list(report["summary"])
    assert "begrüßt" in raw and "\\u00fc" not in raw  # non-ASCII kept
    assert raw.splitlines()[1] == ' "run": 12,'  # indent 1
    assert paths[1].read_text(encoding="utf-8") == changes_html(report)


def test_changes_json_keeps_full_passage_text_html_shortens_it(tmp_path: Path) -> None:
    json_path, html_path = write_changes(full_report(), tmp_path)
    assert json.loads(json_path.read_text(encoding="utf-8"))["cells"][0]["passages"][0]["text"] == LONG_TEXT
    page = Page(html_path.read_text(encoding="utf-8"))
    assert LONG_TAIL not in page.all_text()
    shown = next(t for t in page.text if t.startswith("Die Stadt begrüßt"))
    assert shown.endswith(" …") and 250 <= len(shown) <= 305


def test_changes_write_goes_through_the_atomic_writer(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    seen: list[str] = []
    real = files.write_text

    def spy(target: Path, text: str, **kw: Any) -> Path:
        seen.append(Path(target).name)
        return real(target, text, **kw)

    monkeypatch.setattr(files, "write_text", spy)
    write_changes(full_report(), tmp_path)
    assert seen == ["changes.json", "changes.html"]


def test_changes_failed_render_writes_nothing(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    def boom(report: dict[str, Any]) -> str:
        raise RuntimeError("render failed")

    monkeypatch.setattr(changes, "changes_html", boom)
    with pytest.raises(RuntimeError):
        write_changes(full_report(), tmp_path)
    assert list(tmp_path.iterdir()) == []


def test_changes_failed_html_write_leaves_no_temp_or_half_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    old = "<!DOCTYPE html><p>Lauf 11</p>"
    (tmp_path / "changes.html").write_text(old, encoding="utf-8")
    real_replace = os.replace

    def replace(src: Any, dst: Any) -> None:
        if str(dst).endswith(".html"):
            raise OSError("disk full")
        real_replace(src, dst)

    monkeypatch.setattr(files.os, "replace", replace)
    with pytest.raises(OSError, match="disk full"):
        write_changes(full_report(), tmp_path)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["changes.html", "changes.json"]
    assert not list(tmp_path.glob("*.tmp")) and not list(tmp_path.glob(".*"))
    assert (tmp_path / "changes.html").read_text(encoding="utf-8") == old  # the old page, whole
    assert json.loads((tmp_path / "changes.json").read_text(encoding="utf-8")) == full_report()


# ------------------------------------------------------------------ the page


def test_changes_html_has_german_sections_and_summary() -> None:
    html = changes_html(full_report())
    page = Page(html)
    assert '<html lang="de">' in html
    headings = [t for t in page.text if t.strip()]
    for title in ("Was sich geändert hat", "Neue Dokumente", "Geänderte Dokumente", "Entfernte Dokumente",
                  "Dateien mit Fehlern", "Umgeschlagene Zellen der Zieltabelle", "Neue zweifelhafte Zellen",
                  "Fragen ohne Antwort", "Neue/entfallene Zeilen", "Maßnahmen", "Zuständigkeit", "Best Practice",
                  "Modell- und Regelversionen vorher/nachher"):  # fmt: skip
        assert title in headings, title
    summary = next(t for t in page.text if "neues Dokument" in t)
    assert summary.startswith("1 neues Dokument, 1 geändertes Dokument, 1 entferntes Dokument, 1 Datei mit Fehlern, "
                              "2 umgeschlagene Zellen, 1 neue zweifelhafte Zelle, 1 Frage ohne Antwort")  # fmt: skip
    assert "Lauf" in page.all_text() and "partnerstaedte" in page.all_text()


def test_changes_html_flags_flip_of_a_verified_cell() -> None:
    html = changes_html(full_report())
    flagged = _flagged_rows(html)
    assert len(flagged) == 1
    assert "Erlangen" in flagged[0] and "Teilhabe / Integration" in flagged[0]
    assert "vorher von einer Person geprüft" in flagged[0]
    cells = Page(html).section("zellen")
    assert "Bursa Standortförderung ✓ angekreuzt nicht angekreuzt 0,70 → –" in cells
    assert "0,31 → 0,88" in cells and "antwort.pdf · S. 3 · Modell" in cells and "folien.pptx · Folie 5" in cells
    alert = Page(html).all_text()
    assert "Achtung: 1 Zelle, die eine Person geprüft hatte, ist umgeschlagen: Erlangen × Teilhabe / Integration" in alert


def test_changes_html_shows_goal_titles_not_ids() -> None:
    html = changes_html(full_report())
    page = Page(html)
    rows = page.section("zeilen")
    assert "neu Teilhabe / Integration / Sprachkurse Erlangen, Bursa" in rows  # goal id in the key
    assert "neu Lotsen Teilhabe / Integration: Erlangen" in rows  # goal id in the detail
    assert "neu „Chefsache“ / Erlangen Integrationsbüro" in rows  # group id
    assert "chefsache" not in html
    assert "Kulturelle Vielfalt" in page.section("zweifelhaft")
    for goal in ("teilhabe_integration", "standortfoerderung", "kulturelle_vielfalt"):
        assert goal not in html


def test_changes_html_documents_versions_questions() -> None:
    page = Page(changes_html(full_report()))
    assert "Erlangen Antwort der Stadt Erlangen antwort.pdf /daten/erlangen/antwort.pdf 12" in page.section("neu")
    assert "Bursa Folien Bursa folien.pptx /daten/bursa/folien.pptx 7 2" in page.section("geaendert")
    assert "– – entwurf.docx" in page.section("entfernt")
    assert "beschädigt xref table broken 3 29.11.2026, 12:00 UTC" in page.section("fehler")
    assert "Bei welcher Behörde/Institution" in page.section("fragen")
    versions = page.section("versionen")
    assert "Modell watext-goals/20261001-080000 watext-goals/20261129-094251 geändert" in versions
    assert "Regeln ab12cd34ef56 ab12cd34ef56 gleich" in versions
    assert "29.11.2026, 11:42 UTC" in page.all_text()  # started; finished is given in +01:00
    assert "Beendet 29.11.2026, 11:43 UTC" in page.all_text()


def test_changes_html_is_self_contained() -> None:
    html = changes_html(full_report())
    tags = Page(html).tags
    assert not [t for t, _ in tags if t in {"script", "link", "img", "iframe", "object"}]
    assert "http://" not in html and "https://" not in html and "url(" not in html
    assert "Content-Security-Policy" in html


def test_changes_html_escapes_hostile_strings() -> None:
    report = hostile_report()
    html = changes_html(report)
    assert "<script" not in html.lower() and "<img" not in html.lower()
    page = Page(html)
    assert {t for t, _ in page.tags} <= {"html", "head", "meta", "title", "style", "body", "header", "h1", "p", "dl",
                                         "dt", "dd", "div", "strong", "main", "section", "h2", "h3", "table", "thead",
                                         "tbody", "tr", "th", "td", "span", "blockquote"}  # fmt: skip
    assert not [a for _, attrs in page.tags for a in attrs if a.startswith("on")]
    text = page.all_text()
    assert SCRIPT in text and IMG in text  # shown as text
    assert "&amp;" in text  # the literal "&amp;" is shown, not turned into "&"
    assert "&amp;amp;" in html and "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert SCRIPT in page.section("zellen") and SCRIPT in page.section("fehler") and SCRIPT in page.section("zeilen")


def test_changes_html_empty_report_says_nothing_changed() -> None:
    page = Page(changes_html(empty_report()))
    expected = {
        "neu": "Keine neuen Dokumente.", "geaendert": "Keine geänderten Dokumente.",
        "entfernt": "Keine entfernten Dokumente.", "fehler": "Keine Dateien mit Fehlern.",
        "zellen": "Keine umgeschlagenen Zellen.", "zweifelhaft": "Keine neuen zweifelhaften Zellen.",
        "fragen": "Keine Fragen haben ihre Antwort verloren.",
        "zeilen-measures": "Keine neuen oder entfallenen Zeilen.",
        "zeilen-responsibility": "Keine neuen oder entfallenen Zeilen.",
        "zeilen-best_practice": "Keine neuen oder entfallenen Zeilen.",
    }  # fmt: skip
    for sid, line in expected.items():
        assert line in page.section(sid), sid
    assert [t for t, _ in page.tags].count("table") == 1  # only the versions
    assert "Keine Änderungen gegenüber dem vorigen Lauf." in page.all_text()
    assert "geändert" not in page.section("versionen")


def test_changes_html_first_run_shows_no_flips() -> None:
    report = full_report()
    report["first_run"] = True
    html = changes_html(report)
    page = Page(html)
    assert "Erster Lauf für diese Quelle." in page.all_text()
    cells = page.section("zellen")
    assert "Erster Lauf" in cells and "Erlangen" not in cells and "Bursa" not in cells
    assert "umgeschlagene Zelle" not in next(t for t in page.text if "neues Dokument" in t)
    assert _flagged_rows(html) == [] and "Achtung" not in page.all_text()
    assert "Neue Dokumente" in page.text and "Antwort der Stadt Erlangen" in page.section("neu")


# ------------------------------------------------------------------ helpers and terminal text


@pytest.mark.parametrize(("value", "shown"), [
    ("2026-11-29T11:42:03+00:00", "29.11.2026, 11:42 UTC"),
    ("2026-11-29T00:30:00+01:00", "28.11.2026, 23:30 UTC"),
    ("2026-11-29T11:42:03", "29.11.2026, 11:42 UTC"),
    (None, "–"),
    ("gestern", "gestern"),
])  # fmt: skip
def test_changes_when(value: str | None, shown: str) -> None:
    assert when(value) == shown


def test_changes_shorten() -> None:
    assert shorten("kurz") == "kurz"
    long = "Wort " * 100
    short = shorten(long)
    assert short.endswith(" …") and len(short) <= 302 and not short[:-2].endswith(" ")
    assert shorten("x" * 400) == "x" * 300 + " …"


def test_format_changes_lines() -> None:
    lines = format_changes(full_report()).splitlines()
    assert lines[:3] == [
        "Lauf 12 · Quelle partnerstaedte",
        "begonnen 29.11.2026, 11:42 UTC · beendet 29.11.2026, 11:43 UTC",
        "Dokumente: 1 neu, 1 geändert, 1 entfernt, 1 fehlgeschlagen · Zellen: 2 umgeschlagen, 1 neu zweifelhaft"
        " · Fragen ohne Antwort: 1 · Zeilen: 3 neu, 1 entfallen",
    ]
    assert lines[3:] == [
        "umgeschlagen: Erlangen × teilhabe_integration: nein -> ja (p 0,31 -> 0,88) [VON EINER PERSON GEPRÜFT]",
        "umgeschlagen: Bursa × standortfoerderung: ja -> nein (p 0,70 -> –)",
        "zweifelhaft: Bursa × kulturelle_vielfalt (p 0,42)",
        "ohne Antwort: Bursa Frage 4",
        "neu: /daten/erlangen/antwort.pdf (Erlangen · Antwort der Stadt Erlangen)",
        "geändert: /daten/bursa/folien.pptx (Bursa · Folien Bursa)",
        "entfernt: /daten/alt/entwurf.docx",
        "fehlgeschlagen: /daten/kaputt.pdf: corrupt: xref table broken (3 Versuche, nächster Versuch 29.11.2026, 12:00 UTC)",
    ]
    with i18n.use("en"):
        lines = format_changes(full_report()).splitlines()
    assert lines == [
        "run 12 · source partnerstaedte",
        "started 2026-11-29 11:42 UTC · finished 2026-11-29 11:43 UTC",
        "documents: 1 new, 1 changed, 1 removed, 1 failed · cells: 2 flipped, 1 newly doubtful"
        " · questions without answer: 1 · rows: 3 added, 1 removed",
        "flipped: Erlangen × teilhabe_integration: no -> yes (p 0.31 -> 0.88) [WAS VERIFIED BY A PERSON]",
        "flipped: Bursa × standortfoerderung: yes -> no (p 0.70 -> –)",
        "doubtful: Bursa × kulturelle_vielfalt (p 0.42)",
        "no answer: Bursa question 4",
        "new: /daten/erlangen/antwort.pdf (Erlangen · Antwort der Stadt Erlangen)",
        "changed: /daten/bursa/folien.pptx (Bursa · Folien Bursa)",
        "removed: /daten/alt/entwurf.docx",
        "failed: /daten/kaputt.pdf: corrupt: xref table broken (3 attempts, next attempt 2026-11-29 12:00 UTC)",
    ]


def test_format_changes_first_run_and_empty() -> None:
    first = full_report()
    first["first_run"] = True
    text = format_changes(first)
    assert "erster Lauf" in text.splitlines()[0] and "umgeschlagen:" not in text
    assert len(format_changes(empty_report()).splitlines()) == 3


def test_format_changes_untrusted_text_stays_on_one_line() -> None:
    report = copy.deepcopy(empty_report())
    report["documents"]["new"] = [{"source": "/a.pdf", "document_id": "x", "city": "Erlangen",
                                   "title": "Titel\n\x1b[31mrot\x1b[0m\rweiter", "passages": 1}]  # fmt: skip
    lines = format_changes(report).splitlines()
    assert len(lines) == 4 and "\x1b" not in lines[3] and "\r" not in lines[3]
    assert lines[3].startswith("neu: /a.pdf (Erlangen · Titel")


# ------------------------------------------------------------------ in a browser


@pytest.mark.browser
def test_changes_html_in_browser(browser, tmp_path: Path) -> None:  # noqa: ANN001
    _, html_path = write_changes(hostile_report(), tmp_path)
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    errors: list[str] = []
    requests: list[str] = []
    dialogs: list[str] = []
    page.on("pageerror", lambda err: errors.append(str(err)))
    page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
    page.on("request", lambda req: requests.append(req.url))
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    try:
        page.goto(html_path.as_uri())
        assert page.locator("h1").inner_text() == "Was sich geändert hat"
        assert page.locator("h2").count() == 9
        assert page.locator("tr.flagged").count() == 1
        assert SCRIPT in page.locator("#zellen").inner_text()
        assert page.locator("img, script").count() == 0
        shot = tmp_path / "changes.png"
        page.screenshot(path=str(shot), full_page=True)
        assert shot.stat().st_size > 10_000
        if os.environ.get("WATEXT_KEEP_SCREENSHOT"):
            page.screenshot(path=os.environ["WATEXT_KEEP_SCREENSHOT"], full_page=True)
    finally:
        context.close()
    assert errors == [] and dialogs == []
    assert requests == [html_path.as_uri()]
