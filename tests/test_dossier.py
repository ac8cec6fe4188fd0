"""The per-city dossier: passages by question, escaped, with boxes to tick; HTML and PDF."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from html import escape
from pathlib import Path

import pytest

from watext import i18n
from watext.tables.export.dossier import SECTIONS, dossier_filename, dossier_html, slug, write_dossier
from watext.tables.export.pdf_print import PrintError, print_pdf
from watext.tables.frames import records, to_frames

from .paths import TABLE_TEST
from .tables_fixture import CITIES, XSS_TEXT, sample_tables

CHROMIUM = "/usr/bin/chromium"
SECTION_OF = {table: key for key, (_, tables) in SECTIONS.items() for table in tables}


@pytest.fixture(scope="module")
def frames() -> dict:
    return to_frames(sample_tables())


def _sections(html: str) -> dict[str, str]:
    """Section key -> its HTML."""
    parts = re.split(r'<section class="question" id="frage-([0-9-]+)"', html)
    return {parts[i]: parts[i + 1].split("</section>")[0] for i in range(1, len(parts), 2)}


def _expected(frames: dict, city: str) -> dict[str, dict[str, str]]:
    """Section key -> {passage id: text} of the city's evidence (by the table it supports)."""
    out: dict[str, dict[str, str]] = {key: {} for key in SECTIONS}
    for ev in records(frames["evidence"]):
        if ev["city"] == city:
            out[SECTION_OF[ev["table"]]][ev["passage_id"]] = ev["text"]
    return out


@pytest.mark.parametrize("city", CITIES)
def test_every_passage_of_the_city_is_listed_once_under_its_question(frames: dict, city: str) -> None:
    html = dossier_html(frames, city)
    sections = _sections(html)
    assert list(sections) == list(SECTIONS)
    expected = _expected(frames, city)
    assert sum(map(len, expected.values())) > 3
    for key, passages in expected.items():
        listed = re.findall(r'<tr data-passage="([^"]+)"', sections[key])
        assert sorted(listed) == sorted(passages), key  # each once, nothing else
        for text in passages.values():
            assert escape(text, quote=True) in sections[key]
    others = {ev["text"] for ev in records(frames["evidence"]) if ev["city"] != city}
    own = {t for passages in expected.values() for t in passages.values()}
    for text in others - own:
        assert escape(text, quote=True) not in html
    numbers = [int(n) for n in re.findall(r'<td class="no">(\d+)</td>', html)]
    assert numbers == list(range(1, len(numbers) + 1))


def test_cells_produced_and_the_goals_row(frames: dict) -> None:
    sections = _sections(dossier_html(frames, "Darmstadt"))
    assert "Ziel „Teilhabe / Integration“: angekreuzt ✓*" in sections["1"]
    assert "Leitfaden: Leitfaden/Konzept in Entwicklung" in sections["2"]
    assert "Maßnahme „Willkommensmappe“ (Ziel: Dienstleistungsorientierung)" in sections["3"]
    assert "„Chefsache“: Oberbürgermeister; „weltoffene Stadt“" in sections["4"]
    assert "Vergabe durch: Stadtregierung; Integrationsbüro" in sections["5-6"]
    assert "Best Practice: Welcome Center" in sections["7"]
    html = dossier_html(frames, "Darmstadt")
    goals = html.split('<section id="ziele">')[1].split("</section>")[0]
    assert re.findall(r"<td>([^<]*)</td>", goals) == ["✓", "✓*", "✓", "–", "✓", "–"]


def test_hostile_text_is_escaped_and_there_is_no_script(frames: dict) -> None:
    html = dossier_html(frames, "Chesterfield")
    assert escape(XSS_TEXT, quote=True) in html
    assert "<script" not in html.lower() and "onmouseover=" not in html.replace("onmouseover=&quot;", "")
    assert "<b " not in html
    csp = re.search(r'http-equiv="Content-Security-Policy" content="([^"]+)"', html).group(1)
    assert "default-src 'none'" in csp and "script-src" not in csp


def test_checkbox_columns_and_print_layout(frames: dict) -> None:
    html = dossier_html(frames, "Bursa")
    rows = html.count("<tr data-passage=")
    assert rows and html.count('<td class="check"><span class="box"') == 2 * rows
    assert html.count('<td class="note"></td>') == rows
    for head in ("stimmt", "stimmt nicht", "Anmerkung"):
        assert f'<th scope="col">{head}</th>' in html
    assert "@page{size:A4 portrait" in html and "tr{break-inside:avoid" in html
    assert '<html lang="de">' in html and "Rückmeldebogen für Bursa" in html
    assert "goals-tfidf-2024.1" in html and "01.05.2024, 12:00 UTC" in html


def test_unanswered_questions_are_named(frames: dict) -> None:
    tables = sample_tables()
    tables.no_answer = {"Freiberg": [5, 6]}
    html = dossier_html(to_frames(tables), "Freiberg")
    offen = html.split('<section id="offen">')[1].split("</section>")[0]
    assert i18n.name("question", "5") in offen and i18n.name("question", "6") in offen
    assert "keine Antwort erkannt" in _sections(html)["5-6"]
    assert "keine Antwort erkannt" not in _sections(html)["3"]
    assert "Zu jeder Frage wurde" in dossier_html(frames, "Freiberg")


def test_english_under_watext_lang(frames: dict, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("WATEXT_LANG", "en")
    html = dossier_html(frames, "Darmstadt")
    assert '<html lang="en">' in html and "Feedback form for Darmstadt" in html
    assert '<th scope="col">correct</th>' in html and '<th scope="col">not correct</th>' in html
    assert "Goal “" in html and "Guideline: " in html
    assert "stimmt nicht" not in html and "Rückmeldebogen" not in html
    with i18n.use("de"):
        assert "Rückmeldebogen für Darmstadt" in dossier_html(frames, "Darmstadt")


def test_unknown_city_is_refused(frames: dict) -> None:
    with pytest.raises(ValueError, match="Bursa, Chesterfield"):
        dossier_html(frames, "Atlantis")


@pytest.mark.parametrize("city", ["Frankfurt/Oder", "../../etc/passwd", "St. Gallen", "Київ", "Gießen", "", "..."])
def test_file_names_are_safe_for_any_city(city: str) -> None:
    name = dossier_filename(city)
    assert re.fullmatch(r"dossier-[a-z0-9]+(-[a-z0-9]+)*\.html", name), name
    assert slug("Gießen") == "giessen" and slug("São Paulo") == "sao-paulo"
    assert dossier_filename("Frankfurt/Oder", ["Frankfurt/Oder", "Frankfurt (Oder)"]) != dossier_filename(
        "Frankfurt (Oder)", ["Frankfurt/Oder", "Frankfurt (Oder)"])


def test_write_dossier_writes_one_file_in_the_folder(frames: dict, tmp_path: Path) -> None:
    [path] = write_dossier(frames, "Chesterfield", tmp_path)
    assert path == tmp_path / "dossier-chesterfield.html"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["dossier-chesterfield.html"]


# --- printing ----------------------------------------------------------------------------


def _fake_chromium(tmp_path: Path, body: str) -> str:
    exe = tmp_path / "fake-chromium"
    exe.write_text("#!/bin/sh\n" + body + "\n", encoding="utf-8")
    exe.chmod(0o755)
    return str(exe)


HALF = 'for a in "$@"; do case "$a" in --print-to-pdf=*) printf "%%PDF-1.4 half" > "${a#--print-to-pdf=}";; esac; done'


@pytest.mark.parametrize("body, reason", [(HALF, "no complete PDF"), ("exit 3", "exit 3"), ("exec sleep 30", "within")])
def test_a_failed_print_leaves_no_pdf(tmp_path: Path, body: str, reason: str) -> None:
    html = tmp_path / "d.html"
    html.write_text("<!DOCTYPE html><p>x</p>", encoding="utf-8")
    with pytest.raises(PrintError, match=reason):
        print_pdf(html, tmp_path / "d.pdf", binary=_fake_chromium(tmp_path, body), timeout=2)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["d.html", "fake-chromium"]


def test_missing_chromium_is_one_reason(tmp_path: Path) -> None:
    with pytest.raises(PrintError, match="set WATEXT_CHROMIUM"):
        print_pdf(tmp_path / "d.html", tmp_path / "d.pdf", binary=str(tmp_path / "nowhere"))
    assert not (tmp_path / "d.pdf").exists()


# --- the command on a small real run -----------------------------------------------------


def _watext(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "watext", *args], capture_output=True, text=True, timeout=600,
                          env={**os.environ, **(env or {})})  # fmt: skip


@pytest.fixture(scope="module")
def saanen_db(tmp_path_factory: pytest.TempPathFactory) -> str:
    db = f"sqlite:///{tmp_path_factory.mktemp('dossier') / 'w.db'}"
    assert _watext("ingest", str(TABLE_TEST / "e-saanen-survey-2015.txt"), "--db", db, "--no-flow").returncode == 0
    assert _watext("classify", "--db", db, "--no-flow").returncode == 0
    return db


def test_command_writes_html_and_pdf(saanen_db: str, tmp_path: Path) -> None:
    proc = _watext("dossier", "--db", saanen_db, "--city", "saanen", "--out", str(tmp_path), "--json")
    assert proc.returncode == 0, proc.stderr[-2000:]
    result = json.loads(proc.stdout)
    html = tmp_path / "dossier-saanen.html"
    assert result["cities"] == ["Saanen"] and str(html) in result["files"]
    text = html.read_text(encoding="utf-8")
    assert "Rückmeldebogen für Saanen" in text and text.count("<tr data-passage=") > 0
    if not os.path.exists(CHROMIUM):
        pytest.skip(f"no chromium at {CHROMIUM}")
    pdf = tmp_path / "dossier-saanen.pdf"
    assert result["pdf_error"] is None and str(pdf) in result["files"]
    assert pdf.read_bytes()[:4] == b"%PDF"
    import pdfplumber

    with pdfplumber.open(pdf) as doc:
        assert "Saanen" in "".join(page.extract_text() or "" for page in doc.pages)


def test_command_without_chromium_still_writes_the_html(saanen_db: str, tmp_path: Path) -> None:
    proc = _watext("dossier", "--db", saanen_db, "--city", "Saanen", "--out", str(tmp_path), "--json",
                   env={"WATEXT_CHROMIUM": str(tmp_path / "no-chromium")})  # fmt: skip
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["dossier-saanen.html"]
    [line] = proc.stderr.strip().splitlines()
    assert line.startswith("watext: kein PDF, das HTML ist geschrieben: Chromium nicht gefunden") and "WATEXT_CHROMIUM" in line
    assert _watext("dossier", "--db", saanen_db, "--city", "Saanen", "--out", str(tmp_path / "n"),
                   "--no-pdf").returncode == 0  # fmt: skip
    assert [p.name for p in (tmp_path / "n").iterdir()] == ["dossier-saanen.html"]


def test_unknown_city_exits_2_naming_the_known_ones(saanen_db: str, tmp_path: Path) -> None:
    proc = _watext("dossier", "--db", saanen_db, "--city", "Atlantis", "--out", str(tmp_path / "o"))
    assert proc.returncode == 2
    assert proc.stderr.strip().splitlines() == ["watext: unbekannte Stadt 'Atlantis'; bekannte Städte: Saanen"]
    assert not (tmp_path / "o").exists()


def test_command_never_creates_a_database(tmp_path: Path) -> None:
    proc = _watext("dossier", "--db", f"sqlite:///{tmp_path / 'none.db'}", "--city", "X", "--out", str(tmp_path / "o"))
    assert proc.returncode == 1 and len(proc.stderr.strip().splitlines()) == 1
    assert not (tmp_path / "none.db").exists()
