"""The slides and the workbook in one language each: German by default, English with
``WATEXT_LANG=en`` or ``i18n.use("en")``.

Texts come from ``i18n/<lang>/slides.json`` and ``workbook.json``; the word lists checked
here are derived from the catalogues (every word of the other language's texts that the
language in force does not also use), and the document text, city names and other data of
the fixture are taken out of the output before the words are looked at.
"""

from __future__ import annotations

import dataclasses
import os
import re
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from pptx import Presentation

from watext import i18n
from watext.tables.export import export_tables
from watext.tables.export.pptx import CELL_PAD, _pieces, _text_width
from watext.tables.export.pptx import FILENAME as PPTX
from watext.tables.export.xlsx import FILENAME as XLSX
from watext.tables.export.xlsx import SHEETS, sheet_names
from watext.tables.frames import to_frames
from watext.tables.model import ComparisonTables

from .tables_fixture import CITIES, DOUBT_CELL, sample_tables

#: The text areas the two exports read.
AREAS = ("slides", "workbook", "labels", "common")
_WORD = re.compile(r"[^\W\d_]{2,}")
_PLACEHOLDER = re.compile(r"\{[^}]*\}|%\w|&\w")


def _tables() -> ComparisonTables:
    """The fixture with unanswered questions (one city on the fallback path) and measure lists
    long enough to continue over columns and slides."""
    t = sample_tables()
    t.no_answer = {"Freiberg": [1, 5], "Bursa": [1], "Darmstadt": [7]}
    for cell in t.goals:
        if cell.city == "Bursa":
            cell.fallback = True
    t.measures = t.measures * 6
    return t


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """``{lang: directory with the pptx and the xlsx}`` of :func:`_tables` per language."""
    out = {}
    for code in i18n.LANGS:
        d = tmp_path_factory.mktemp(f"office-{code}")
        with i18n.use(code):
            export_tables(_tables(), d, ["pptx", "xlsx"])
        out[code] = d
    return out


# ------------------------------------------------------------------ words and data


def _values(d: Any) -> Iterator[str]:
    if isinstance(d, Mapping):
        for v in d.values():
            yield from _values(v)
    elif isinstance(d, list):
        for v in d:
            yield from _values(v)
    else:
        yield str(d)


def _words(text: str) -> set[str]:
    return {w.casefold() for w in _WORD.findall(_PLACEHOLDER.sub(" ", text))}


def _catalogue_words(code: str) -> set[str]:
    return {w for area in AREAS for v in _values(i18n.texts(area, code)) for w in _words(v)}


def foreign_words(code: str) -> set[str]:
    """Words of the other languages' texts that ``code``'s own texts never use."""
    own = _catalogue_words(code)
    return {w for other in i18n.LANGS if other != code for w in _catalogue_words(other)} - own


def _data(tables: ComparisonTables) -> list[str]:
    """Every string of the tables that comes from documents or the build (not a label id),
    longest first."""
    ids = {k for kind in i18n.texts("labels", i18n.DEFAULT).values() for k in kind}
    ids |= {"model", "review", "rule", "pdf", "pptx"}
    found: set[str] = set()

    def walk(x: Any) -> None:
        if dataclasses.is_dataclass(x):
            for f in dataclasses.fields(x):
                walk(getattr(x, f.name))
        elif isinstance(x, Mapping):
            for v in x.values():
                walk(v)
        elif isinstance(x, (list, tuple, set)):
            for v in x:
                walk(v)
        elif isinstance(x, str) and x and x not in ids:
            found.add(x)
            if "/" in x:
                found.add(os.path.basename(x))

    walk(tables)
    return sorted(found, key=len, reverse=True)


def _ui_words(texts: list[str], data: list[str]) -> dict[str, str]:
    """``{word: text it stands in}`` of ``texts`` with the data taken out."""
    out: dict[str, str] = {}
    for text in texts:
        rest = text
        for d in data:
            rest = rest.replace(d, " ")
        for w in _words(rest):
            out.setdefault(w, text)
    return out


# ------------------------------------------------------------------ reading the files


def _slides_texts(path: Path) -> list[str]:
    prs = Presentation(str(path))
    out = []
    for slide in prs.slides:
        for sh in slide.shapes:
            if not re.search(r" \d+$", sh.name):  # python-pptx's own "Title 1", "TextBox 5" …
                out.append(sh.name)
            if sh.has_text_frame:
                out += [p.text for p in sh.text_frame.paragraphs]
            if sh.has_table:
                out += [c.text for row in sh.table.rows for c in row.cells]
        if slide.has_notes_slide:
            out.append(slide.notes_slide.notes_text_frame.text)
    return out


def _workbook_texts(path: Path) -> list[str]:
    wb = openpyxl.load_workbook(path)
    out = list(wb.sheetnames)
    for ws in wb.worksheets:
        for part in (ws.oddHeader.left, ws.oddHeader.center, ws.oddHeader.right,
                     ws.oddFooter.left, ws.oddFooter.center, ws.oddFooter.right):  # fmt: skip
            out.append(part.text or "")
        for row in ws.iter_rows():
            for c in row:
                if isinstance(c.value, str):
                    out.append(c.value)
                if c.comment is not None:
                    out.append(c.comment.text)
    return out


# ------------------------------------------------------------------ tests


def test_catalogues_hold_usable_sheet_names_and_footers() -> None:
    for code in i18n.LANGS:
        texts = i18n.texts("workbook", code)
        names = list(texts["sheet"].values())
        assert len(set(names)) == len(names), code
        assert all(0 < len(n) <= 31 and not set(n) & set("[]:*?/\\") for n in names), names
        assert "&P" in texts["page_of"] and "&N" in texts["page_of"], code
        # the sheets of the tables carry the table names the Evidence sheet refers to
        tables = i18n.names("table", code)
        assert [texts["sheet"][k] for k in tables] == list(tables.values()), code
    assert SHEETS == tuple(i18n.texts("workbook", "de")["sheet"].values())


def test_the_word_lists_are_not_empty() -> None:
    """The checks below mean something: each language has words the other never uses."""
    assert {"ziele", "stadt", "ja", "nein", "personal", "offen"} <= foreign_words("en")
    assert {"goals", "city", "yes", "no", "staff", "open"} <= foreign_words("de")


@pytest.mark.parametrize("code", i18n.LANGS)
def test_no_word_of_the_other_language_remains(built: dict[str, Path], code: str) -> None:
    data = _data(_tables())
    foreign = foreign_words(code)
    for name, texts in (("pptx", _slides_texts(built[code] / PPTX)), ("xlsx", _workbook_texts(built[code] / XLSX))):
        words = _ui_words(texts, data)
        wrong = {w: words[w][:120] for w in words.keys() & foreign}
        assert not wrong, (code, name, wrong)
        assert words.keys() & _catalogue_words(code), (code, name)  # the check saw texts of its own language


def test_german_is_the_default(built: dict[str, Path], tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("WATEXT_LANG", raising=False)
    export_tables(_tables(), tmp_path, ["pptx", "xlsx"])
    assert _workbook_texts(tmp_path / XLSX) == _workbook_texts(built["de"] / XLSX)
    assert _slides_texts(tmp_path / PPTX) == _slides_texts(built["de"] / PPTX)
    wb = openpyxl.load_workbook(tmp_path / XLSX)
    assert wb.sheetnames == list(SHEETS) == ["Ziele", "Leitfaden", "Maßnahmen", "Zuständigkeit", "Finanzierung",
                                             "Best Practice", "Offen", "Evidenz", "Info"]  # fmt: skip
    assert wb["Ziele"]["A1"].value == "Stadt"
    assert wb["Ziele"].oddFooter.right.text == "Seite &P von &N"
    prs = Presentation(str(tmp_path / PPTX))
    assert prs.slides[0].shapes.title.text == "Rückmeldung aus den Partnerstädten"


def test_watext_lang_en_switches_both_files(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("WATEXT_LANG", "en")
    export_tables(_tables(), tmp_path, ["pptx", "xlsx"])
    wb = openpyxl.load_workbook(tmp_path / XLSX)
    assert tuple(wb.sheetnames) == sheet_names() == ("Goals", "Guideline", "Measures", "Responsibility", "Funding",
                                                     "Best practice", "Open", "Evidence", "Info")  # fmt: skip
    prs = Presentation(str(tmp_path / PPTX))
    assert prs.slides[0].shapes.title.text == i18n.t("slides", "title") == "Feedback from the partner cities"


def test_english_workbook(built: dict[str, Path]) -> None:
    wb = openpyxl.load_workbook(built["en"] / XLSX)
    goals = i18n.names("goal", "en")
    ws = wb["Goals"]
    assert [c.value for c in ws[1]][:7] == ["City", *goals.values()]
    assert ws.oddHeader.center.text == "&A"
    assert (ws.oddFooter.left.text, ws.oddFooter.right.text) == ("watext – comparison tables", "Page &P of &N")
    for c, title in enumerate(goals.values(), start=2):  # no break inside an English goal word either
        width = ws.column_dimensions[openpyxl.utils.get_column_letter(c)].width
        assert width >= max(len(w) for w in title.split()) + 2, title
    cells = [c for row in ws.iter_rows() for c in row]
    assert any(c.value == "Legend:" for c in cells)
    assert any(str(c.value).startswith("⚠ Bursa: no answer to question 1 recognised – goals taken") for c in cells)
    assert any(c.comment is not None and c.comment.text.startswith("passages: 1, checked: 0; model") for c in cells)
    assert [c.value for c in wb["Funding"][1]] == ["City", "Funds", "Staff", "Allocated by", "Passages", "checked"]
    assert {r[2] for r in wb["Funding"].iter_rows(min_row=2, values_only=True)} == {"yes", "no", "unknown"}
    ev = list(wb["Evidence"].iter_rows(min_row=2, values_only=True))
    assert [c.value for c in wb["Evidence"][1]][:3] == ["Table", "City", "Goal/row"]
    assert {r[0] for r in ev} == set(i18n.names("table", "en").values())
    assert {r[7] for r in ev} == {"yes", "no"} and {r[8] for r in ev} == {"model", "review"}
    assert "antwort_darmstadt.pdf, p. 12" in {r[4] for r in ev}
    assert all(isinstance(r[6], float) for r in ev if r[6] is not None)  # numbers stay numbers
    assert all(isinstance(r[4], int) for r in wb["Guideline"].iter_rows(min_row=2, values_only=True))
    open_rows = list(wb["Open"].iter_rows(min_row=2, values_only=True))
    assert [r[1:] for r in open_rows if r[0] == "doubtful cell"] == [
        (DOUBT_CELL[0], 1, goals[DOUBT_CELL[1]], "0.35", "not ticked, check first")]
    assert ("Question without answer", "Freiberg", 5) in {r[:3] for r in open_rows}
    info = {r[0]: r[1] for r in wb["Info"].iter_rows(min_row=2, values_only=True)}
    assert info["Made by"] == "watext" and info["Model version"] == "goals-tfidf-2024.1"
    assert info["Built"] == "2024-05-01 12:00 UTC"
    assert any(str(k).startswith("Rule: ") for k in info)


def test_english_slides(built: dict[str, Path]) -> None:
    prs = Presentation(str(built["en"] / PPTX))
    slides = list(prs.slides)
    titles = [s.shapes.title.text for s in slides]
    assert titles[1] == i18n.names("question", "en")["1"]
    assert all(c in slides[0].placeholders[1].text for c in CITIES)
    texts = "\n".join(_slides_texts(built["en"] / PPTX))
    for part in ("Source: watext", "Model goals-tfidf-2024.1", "built 2024-05-01 12:00 UTC", "(cells: 1)",
                 "Staff: yes", "Allocated by: Stadtregierung, Integrationsbüro", "(cont.):", "Chesterfield and Darmstadt",
                 "Oriented on national law:", "Freiberg: no answer to question 1 recognised – goals row empty"):  # fmt: skip
        assert part in texts, part
    names = {sh.name for s in slides for sh in s.shapes}
    assert {"Footnote", "Notes", "Goals", "Measures"} <= names
    measure_titles = [t for t in titles if t.startswith("3. ")]
    assert len(measure_titles) > 1 and measure_titles[0].endswith(f"(1/{len(measure_titles)})")


def test_english_goal_headers_break_only_between_words(built: dict[str, Path]) -> None:
    """As for the German headers: every line fits its column, lines end only at a word,
    ``-`` or ``/``."""
    prs = Presentation(str(built["en"] / PPTX))
    table = next(sh for sh in list(prs.slides)[1].shapes if sh.has_table).table
    assert table.cell(0, 0).text == "Goals:"
    for c, title in enumerate(i18n.names("goal", "en").values(), start=1):
        cell = table.cell(0, c)
        lines = cell.text.split("\n")
        assert re.sub(r"\s", "", cell.text) == re.sub(r"\s", "", title)
        assert {w for line in lines for w in line.split()} <= set(title.split()) | set(_pieces(title)), lines
        size = cell.text_frame.paragraphs[0].runs[0].font.size.pt
        assert size >= 10, title
        for line in lines:
            assert _text_width(line, size) + CELL_PAD <= table.columns[c].width, (title, line)


def test_german_warnings_read_as_the_tables_word_them() -> None:
    """The warnings rebuilt from the catalogue say in German exactly what the tables say."""
    from watext.tables.export._common import warning_rows

    t = _tables()
    with i18n.use("de"):
        assert [text for _, text in warning_rows(to_frames(t))] == t.warnings()
    with i18n.use("en"):
        assert all("keine" not in text for _, text in warning_rows(to_frames(t)))
