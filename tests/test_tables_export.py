"""Exporters of the comparison tables: xlsx, csv, md, pptx, html (static checks)."""

from __future__ import annotations

import csv
import re
from html import escape
from pathlib import Path

import openpyxl
import pytest
from pptx import Presentation

from watext.tables.export import FORMATS, export_tables
from watext.tables.export._common import csv_safe
from watext.tables.model import GOAL_TITLES

from .tables_fixture import (
    CITIES, DOUBT_CELL, FORMULA_CELL, FORMULA_TEXT, NEAR_TEXT, PLAIN_TEXT, TICKED, XSS_TEXT,
    sample_tables,
)  # fmt: skip

GOALS = list(GOAL_TITLES)


@pytest.fixture(scope="module")
def out(tmp_path_factory: pytest.TempPathFactory) -> Path:
    d = tmp_path_factory.mktemp("export")
    export_tables(sample_tables(), d)
    return d


def test_export_writes_all_formats_and_returns_paths(tmp_path: Path) -> None:
    written = export_tables(sample_tables(), tmp_path)
    assert set(written) == set(FORMATS) == {"xlsx", "html", "csv", "md", "pptx"}
    for paths in written.values():
        assert paths and all(p.is_file() and p.parent == tmp_path for p in paths)
    names = {p.name for ps in written.values() for p in ps}
    assert {"tables.xlsx", "report.html", "tables.md", "rueckmeldung_partnerstaedte.pptx",
            "goals_matrix.csv", "evidence.csv"} <= names  # fmt: skip


def test_export_is_atomic_no_temp_files_left(tmp_path: Path) -> None:
    export_tables(sample_tables(), tmp_path)
    export_tables(sample_tables(), tmp_path)  # overwrite in place
    leftovers = [p.name for p in tmp_path.iterdir() if p.name.startswith(".") or p.suffix == ".tmp"]
    assert leftovers == []


def test_failed_export_leaves_neither_temp_nor_partial_file(tmp_path: Path, monkeypatch) -> None:
    from watext.tables.export import xlsx

    def boom(self, filename):  # noqa: ANN001
        Path(filename).write_bytes(b"PK half written")
        raise OSError("disk full")

    monkeypatch.setattr(xlsx.Workbook, "save", boom)
    with pytest.raises(OSError, match="disk full"):
        export_tables(sample_tables(), tmp_path, formats=["xlsx"])
    assert list(tmp_path.iterdir()) == []


def test_unknown_format_is_rejected_before_writing(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="docx"):
        export_tables(sample_tables(), tmp_path, formats=["md", "docx"])
    assert list(tmp_path.iterdir()) == []


def test_single_format(tmp_path: Path) -> None:
    written = export_tables(sample_tables(), tmp_path, formats=("md",))
    assert list(written) == ["md"]
    assert [p.name for p in tmp_path.iterdir()] == ["tables.md"]


# ----------------------------------------------------------------------------- xlsx


def test_xlsx_sheets_ticks_frozen_panes(out: Path) -> None:
    wb = openpyxl.load_workbook(out / "tables.xlsx")
    assert wb.sheetnames == ["Ziele", "Leitfaden", "Maßnahmen", "Zuständigkeit", "Finanzierung",
                             "Best Practice", "Evidenz", "Info"]  # fmt: skip
    ws = wb["Ziele"]
    assert [c.value for c in ws[1]][:7] == ["Stadt", *GOAL_TITLES.values()]
    assert ws.freeze_panes == "B2"
    for r, city in enumerate(CITIES, start=2):
        assert ws.cell(r, 1).value == city
        for c, goal in enumerate(GOALS, start=2):
            cell = ws.cell(r, c)
            if (city, goal) in TICKED:
                assert cell.value == "✓", (city, goal)
                assert cell.comment is not None and "Passagen" in cell.comment.text
                assert cell.font.bold is TICKED[(city, goal)], (city, goal)  # verified → bold
            else:
                assert cell.value in (None, ""), (city, goal)
    assert any("Legende" in str(c.value) for row in ws.iter_rows() for c in row)
    for name in wb.sheetnames[1:]:
        assert wb[name].freeze_panes == "A2", name
        assert wb[name].cell(1, 1).font.bold
        assert wb[name].max_row >= 2, name
    info = {r[0].value: r[1].value for r in wb["Info"].iter_rows(min_row=2)}
    assert info["Modellversion"] == "goals-tfidf-2024.1"
    assert any(str(k).startswith("Regel") for k in info)


def test_xlsx_formula_like_text_is_a_string(out: Path) -> None:
    wb = openpyxl.load_workbook(out / "tables.xlsx")
    ws = wb["Evidenz"]
    cells = [c for row in ws.iter_rows() for c in row if c.value == FORMULA_TEXT]
    assert cells, "formula-like passage missing from Evidenz"
    for c in cells:
        assert c.data_type == "s"
    # nothing anywhere in the workbook is a formula
    for sheet in wb.worksheets:
        for row in sheet.iter_rows():
            for c in row:
                assert c.data_type != "f", (sheet.title, c.coordinate, c.value)
    # and the raw sheet XML holds no <f> element
    import zipfile

    with zipfile.ZipFile(out / "tables.xlsx") as z:
        for name in z.namelist():
            if name.startswith("xl/worksheets/"):
                assert b"<f>" not in z.read(name) and b"<f " not in z.read(name)


def test_xlsx_evidence_sheet_lists_passages(out: Path) -> None:
    wb = openpyxl.load_workbook(out / "tables.xlsx")
    rows = list(wb["Evidenz"].iter_rows(min_row=2, values_only=True))
    texts = {r[6] for r in rows}
    assert {PLAIN_TEXT, XSS_TEXT, FORMULA_TEXT} <= texts
    tables = {r[0] for r in rows}
    assert tables == {"Ziele", "Leitfaden", "Maßnahmen", "Zuständigkeit", "Finanzierung", "Best Practice"}


# ----------------------------------------------------------------------------- csv


def test_csv_goals_matrix_exact(out: Path) -> None:
    with open(out / "goals_matrix.csv", encoding="utf-8", newline="") as fh:
        rows = list(csv.reader(fh))
    assert rows[0] == ["city", "kulturelle_vielfalt", "teilhabe_integration", "anti_diskriminierung",
                       "humanitaere_hilfe", "dienstleistungsorientierung", "standortfoerderung"]  # fmt: skip
    assert [r[0] for r in rows[1:]] == CITIES
    for row in rows[1:]:
        for goal, value in zip(GOALS, row[1:], strict=True):
            assert value == ("1" if (row[0], goal) in TICKED else "0")


def test_csv_all_tables_and_formula_safety(out: Path) -> None:
    for name in ("guideline", "measures", "responsibility", "funding", "best_practice", "evidence"):
        with open(out / f"{name}.csv", encoding="utf-8", newline="") as fh:
            rows = list(csv.DictReader(fh))
        assert rows, name
        for row in rows:
            for value in row.values():
                assert not value.startswith(("=", "+", "-", "@")), (name, value)
    with open(out / "evidence.csv", encoding="utf-8", newline="") as fh:
        ev = list(csv.DictReader(fh))
    assert "'" + FORMULA_TEXT in {r["text"] for r in ev}
    assert XSS_TEXT in {r["text"] for r in ev}
    n_cell_passages = sum(c.n for c in sample_tables().goals)
    assert sum(1 for r in ev if r["table"] == "goals") == n_cell_passages


def test_csv_goal_cells_carry_probability_and_doubt(out: Path) -> None:
    with open(out / "goals_cells.csv", encoding="utf-8", newline="") as fh:
        rows = {(r["city"], r["goal"]): r for r in csv.DictReader(fh)}
    assert len(rows) == len(CITIES) * len(GOALS)
    doubt = rows[DOUBT_CELL]
    assert (doubt["ticked"], doubt["probability"], doubt["doubtful"]) == ("0", "0.3500", "1")
    assert {k for k, r in rows.items() if r["doubtful"] == "1"} == {DOUBT_CELL}
    assert all(r["probability"] == "" for k, r in rows.items() if k != DOUBT_CELL)  # fixture sets none


def test_csv_safe() -> None:
    assert csv_safe("=1+1") == "'=1+1"
    assert csv_safe("@SUM(A1)") == "'@SUM(A1)"
    assert csv_safe("  -2") == "'  -2"
    assert csv_safe("Bursa") == "Bursa"
    assert csv_safe(3) == 3 and csv_safe(True) == 1 and csv_safe(None) == ""


# ----------------------------------------------------------------------------- md


def test_md_contains_tables(out: Path) -> None:
    md = (out / "tables.md").read_text(encoding="utf-8")
    assert "| Stadt | " + " | ".join(GOAL_TITLES.values()) + " |" in md
    for heading in ("## 1. Ziele", "## 2. Leitfaden", "## 3. Maßnahmen", "## 4. Zuständigkeit",
                    "## 5./6. Finanzierung", "## 7. Best Practice"):  # fmt: skip
        assert heading in md
    assert "| Bursa | ✓ |  | ? | ✓* |  | ✓ |" in md  # ? = doubtful
    assert "Bursa × Anti-Diskriminierung: – nicht angekreuzt (0 Passagen, 0 geprüft, Wahrscheinlichkeit 0.35, zweifelhaft)" in md
    assert "Bursa × Humanitäre Hilfe: ✓ geprüft" in md
    assert "Bursa × Kulturelle Vielfalt: ✓ Modell" in md
    assert "Wir sind Freiberg \\| lokales Netz" in md  # | escaped inside a cell
    assert "<b>" not in md  # raw HTML from meta/documents is escaped
    for line in md.splitlines():
        if line.startswith("|"):
            assert len(re.findall(r"(?<!\\)\|", line)) >= 3


# ----------------------------------------------------------------------------- pptx


def test_pptx_goals_slide_has_real_table(out: Path) -> None:
    prs = Presentation(str(out / "rueckmeldung_partnerstaedte.pptx"))
    slides = list(prs.slides)
    assert len(slides) == 7  # title + Q1, Q2, Q3, Q4, Q5/6, Q7
    title_texts = [s.shapes.title.text for s in slides]
    assert title_texts[0] == "Rückmeldung aus den Partnerstädten"
    assert all(c in slides[0].placeholders[1].text for c in CITIES)
    assert title_texts[1].startswith("1. Was wird in Ihrer Stadt")
    assert "5. " in title_texts[5] and "6. Wer ist" in title_texts[5]
    assert title_texts[6].startswith("7. ")
    tables = [sh for sh in slides[1].shapes if sh.has_table]
    assert len(tables) == 1
    table = tables[0].table
    assert len(table.rows) == len(CITIES) + 1 and len(table.columns) == 7
    assert [table.cell(0, c).text for c in range(7)] == ["Ziele:", *GOAL_TITLES.values()]
    for r, city in enumerate(CITIES, start=1):
        assert table.cell(r, 0).text == city
        for c, goal in enumerate(GOALS, start=1):
            text = table.cell(r, c).text
            if (city, goal) in TICKED:
                assert text == ("✓*" if TICKED[(city, goal)] else "✓"), (city, goal)
            else:
                assert text == "", (city, goal)
    for slide in slides:
        assert any("✓*" in sh.text_frame.text for sh in slide.shapes if sh.has_text_frame), "footnote"


def test_pptx_other_slides(out: Path) -> None:
    prs = Presentation(str(out / "rueckmeldung_partnerstaedte.pptx"))
    slides = list(prs.slides)

    def text(slide) -> str:  # noqa: ANN001
        return "\n".join(sh.text_frame.text for sh in slide.shapes if sh.has_text_frame)

    q2 = text(slides[2])
    assert "Orientierung an nationalen Gesetzen:" in q2
    assert "Foreigners and International Protection (Bursa)*" in q2
    assert "Orientierung an lokalen Agenden:" in q2 and "(Chesterfield)" in q2
    measures = [sh for sh in slides[3].shapes if sh.has_table]
    assert measures and len(measures[0].table.columns) == 6
    assert "Interkulturelle Woche" in measures[0].table.cell(1, 0).text
    q4 = text(slides[4])
    assert "Chefsache" in q4 and "Querschnittsaufgabe" in q4
    assert "Zuständigkeit bei einzelnen Verwaltungsstellen" in q4
    assert "Chesterfield und Darmstadt" in q4
    assert "Stadtregierung" in text(slides[5])
    assert "Interkulturelle Gärten in Dresden (Freiberg)*" in text(slides[6])


def test_pptx_many_cities_shrink_font(tmp_path: Path) -> None:
    from watext.tables.export.pptx import build_presentation
    from watext.tables.frames import to_frames
    from watext.tables.model import ComparisonTables, GoalCell

    cities = [f"Stadt {i}" for i in range(20)]
    t = sample_tables()
    big = ComparisonTables(cities, [GoalCell(c, g, i % 2 == 0) for i, c in enumerate(cities) for g in GOALS],
                           t.guideline, t.measures, t.responsibility, t.funding, t.best_practice, t.meta)  # fmt: skip
    small_size = _goal_font(build_presentation(to_frames(t)))
    big_size = _goal_font(build_presentation(to_frames(big)))
    assert big_size < small_size


def _goal_font(prs) -> int:  # noqa: ANN001
    table = next(sh for sh in list(prs.slides)[1].shapes if sh.has_table).table
    return table.cell(1, 0).text_frame.paragraphs[0].runs[0].font.size.pt


# ----------------------------------------------------------------------------- html


def test_html_escapes_and_is_self_contained(out: Path) -> None:
    html = (out / "report.html").read_text(encoding="utf-8")
    assert "<script>alert" not in html
    assert "alert(1)</script>" not in html
    assert escape(XSS_TEXT) in html  # shown as text in the table details
    assert 'onmouseover="x()"' not in html
    # only our two script blocks exist
    assert len(re.findall(r"<script\b", html)) == 2
    assert len(re.findall(r"</script>", html)) == 2
    data = re.search(r'<script type="application/json" id="data">(.*?)</script>', html, re.S)
    assert data and "<" not in data.group(1) and ">" not in data.group(1)
    assert "Content-Security-Policy" in html and "default-src 'none'" in html
    # no external resources: no http(s) in attributes, CSS or markup outside document text
    assert not re.search(r"""(?:src|href|action|poster|data)\s*=\s*["']?\s*(?:https?:)?//""", html, re.I)
    assert "@import" not in html and "url(" not in html
    stripped = html.replace(data.group(0), "")
    stripped = re.sub(r"<blockquote>.*?</blockquote>", "", stripped, flags=re.S)
    assert not re.search(r"https?://", stripped)


def test_html_goals_cells_are_buttons_with_data(out: Path) -> None:
    import json

    html = (out / "report.html").read_text(encoding="utf-8")
    buttons = re.findall(r'<button type="button" class="cellbtn" id="(c\d+-\d+)"', html)
    assert len(buttons) == len(CITIES) * len(GOALS)
    data = json.loads(re.search(r'<script type="application/json" id="data">(.*?)</script>', html, re.S).group(1))
    r, c = CITIES.index(FORMULA_CELL[0]), GOALS.index(FORMULA_CELL[1])
    cell = data["cells"][f"c{r}-{c}"]
    assert cell["evidence"][0]["text"] == FORMULA_TEXT
    assert cell["ticked"] is True and cell["verified"] is False
    assert 'id="evidence"' in html
    assert "geprüft" in html and "Modell" in html
    assert html.count("<details>") >= 10
    r, c = CITIES.index(DOUBT_CELL[0]), GOALS.index(DOUBT_CELL[1])
    doubt = data["cells"][f"c{r}-{c}"]
    assert doubt["doubtful"] is True and doubt["probability"] == 0.35
    assert [e["text"] for e in doubt["near"]] == [NEAR_TEXT] and doubt["evidence"] == []
    assert html.count('class="badge doubt"') == 2  # the legend and the one doubtful cell
    assert "<img" not in html  # the near-miss text only travels as escaped JSON
