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
from watext.i18n import names

GOAL_TITLES = names("goal", "de")

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
                             "Best Practice", "Offen", "Evidenz", "Info"]  # fmt: skip
    ws = wb["Ziele"]
    assert [c.value for c in ws[1]][:7] == ["Stadt", *GOAL_TITLES.values()]
    assert ws.freeze_panes == "B2"
    for r, city in enumerate(CITIES, start=2):
        assert ws.cell(r, 1).value == city
        for c, goal in enumerate(GOALS, start=2):
            cell = ws.cell(r, c)
            mark = "?" if (city, goal) == DOUBT_CELL else ""  # doubtful cells carry a "?" as in tables.md
            if (city, goal) in TICKED:
                assert cell.value == "✓" + mark, (city, goal)
                assert cell.comment is not None and "Passagen" in cell.comment.text
                assert cell.font.bold is TICKED[(city, goal)], (city, goal)  # verified → bold
            else:
                assert cell.value in ((mark,) if mark else (None, "")), (city, goal)
    assert any("Legende" in str(c.value) for row in ws.iter_rows() for c in row)
    for name in wb.sheetnames[1:]:
        assert wb[name].freeze_panes == "A2", name
        assert wb[name].cell(1, 1).font.bold
        assert wb[name].max_row >= 2, name
    info = {r[0].value: r[1].value for r in wb["Info"].iter_rows(min_row=2)}
    assert info["Modellversion"] == "goals-tfidf-2024.1"
    assert info["Erstellt am"] == "01.05.2024, 12:00 UTC"
    assert any(str(k).startswith("Regel") for k in info)


def test_xlsx_print_setup_on_every_sheet(out: Path) -> None:
    wb = openpyxl.load_workbook(out / "tables.xlsx")
    for ws in wb.worksheets:
        assert ws.page_setup.orientation == "landscape", ws.title
        assert (ws.page_setup.fitToWidth, ws.page_setup.fitToHeight) == (1, 0), ws.title
        assert ws.sheet_properties.pageSetUpPr.fitToPage, ws.title
        assert ws.print_title_rows == "$1:$1", ws.title
        assert "&A" in ws.oddHeader.center.text, ws.title  # the sheet name on every page


def test_xlsx_goal_headers_fit_their_longest_word(out: Path) -> None:
    ws = openpyxl.load_workbook(out / "tables.xlsx")["Ziele"]
    for c, title in enumerate(GOAL_TITLES.values(), start=2):
        width = ws.column_dimensions[openpyxl.utils.get_column_letter(c)].width
        assert width >= max(len(w) for w in title.split()) + 2, title


def test_xlsx_open_sheet_lists_doubtful_cells_and_unanswered_questions(tmp_path: Path) -> None:
    t = sample_tables()
    t.no_answer = {"Freiberg": [1, 5]}
    export_tables(t, tmp_path, formats=["xlsx"])
    ws = openpyxl.load_workbook(tmp_path / "tables.xlsx")["Offen"]
    assert [c.value for c in ws[1]] == ["Art", "Stadt", "Frage", "Ziel bzw. Fragetext", "Wahrscheinlichkeit", "Stand"]
    rows = list(ws.iter_rows(min_row=2, values_only=True))
    doubt = [r for r in rows if r[0] == "zweifelhafte Zelle"]
    assert [r[1:5] for r in doubt] == [(DOUBT_CELL[0], 1, GOAL_TITLES[DOUBT_CELL[1]], "0,35")]
    open_q = {(r[1], r[2], r[3]) for r in rows if r[0] == "Frage ohne Antwort"}
    assert open_q == {
        ("Freiberg", 1, "Was wird in Ihrer Stadt unter Willkommens- und Anerkennungskultur verstanden?"),
        ("Freiberg", 5, "Gibt es für die Implementierung einer Willkommens- und Anerkennungskultur spezielle "
                        "Finanz- und Personalmittel?"),
    }  # fmt: skip


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
    ws = wb["Evidenz"]
    assert [c.value for c in ws[1]] == ["Tabelle", "Stadt", "Ziel/Zeile", "Dokument", "Quelle", "Text",
                                        "Konfidenz", "geprüft", "Herkunft", "Verbindlichkeit"]  # fmt: skip
    rows = list(ws.iter_rows(min_row=2, values_only=True))
    texts = {r[5] for r in rows}
    assert {PLAIN_TEXT, XSS_TEXT, FORMULA_TEXT} <= texts
    tables = {r[0] for r in rows}
    assert tables == {"Ziele", "Leitfaden", "Maßnahmen", "Zuständigkeit", "Finanzierung", "Best Practice"}
    # file name with page or slide, never a local path; German values, no raw ids
    assert "antwort_darmstadt.pdf, S. 12" in {r[4] for r in rows}
    assert "antwort_chesterfield.pptx, Folie 4" in {r[4] for r in rows}
    assert not any("/" in r[4] for r in rows)
    assert {r[8] for r in rows} == {"Modell", "Prüfung"}
    assert {r[7] for r in rows} == {"ja", "nein"}
    keys = {r[2] for r in rows}
    assert {"Kulturelle Vielfalt: Interkulturelle Woche", "Leitfaden/Konzept vorhanden", "„Chefsache“",
            "Orientierung an nationalen Gesetzen: Foreigners and International Protection"} <= keys  # fmt: skip
    raw = set(GOAL_TITLES) | {"chefsache", "funding", "querschnittsaufgabe", "fachstelle"}
    assert not any(k in raw or str(k).startswith("status:") or "_" in str(k) for k in keys), keys
    for sheet in wb.worksheets:
        for row in sheet.iter_rows(values_only=True):
            assert not any(v is True or v is False or v in ("True", "False") for v in row), sheet.title


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
    assert "Bursa × Anti-Diskriminierung: – nicht angekreuzt (0 Passagen, 0 geprüft, Wahrscheinlichkeit 0,35, zweifelhaft)" in md
    assert "Bursa × Humanitäre Hilfe: ✓ geprüft" in md
    assert "Bursa × Kulturelle Vielfalt: ✓ Modell" in md
    assert "Wir sind Freiberg \\| lokales Netz" in md  # | escaped inside a cell
    assert "<b>" not in md  # raw HTML from meta/documents is escaped
    for line in md.splitlines():
        if line.startswith("|"):
            assert len(re.findall(r"(?<!\\)\|", line)) >= 3


# ----------------------------------------------------------------------------- pptx


def _one_line(header: str) -> str:
    """A header cell's text without white space (the exporter breaks lines between words or after -//)."""
    return re.sub(r"\s", "", header)


def test_pptx_goals_slide_has_real_table(out: Path) -> None:
    prs = Presentation(str(out / "rueckmeldung_partnerstaedte.pptx"))
    slides = list(prs.slides)
    assert len(slides) == 7  # title + Q1, Q2, Q3, Q4, Q5/6, Q7 (the sample's measures fit one slide)
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
    assert [_one_line(table.cell(0, c).text) for c in range(7)] == [_one_line(t) for t in ["Ziele:",
                                                                                          *GOAL_TITLES.values()]]
    for r, city in enumerate(CITIES, start=1):
        assert table.cell(r, 0).text == city
        for c, goal in enumerate(GOALS, start=1):
            text = table.cell(r, c).text
            if (city, goal) in TICKED:
                assert text == ("✓*" if TICKED[(city, goal)] else "✓"), (city, goal)
            elif (city, goal) == DOUBT_CELL:
                assert text == "?", (city, goal)  # doubtful, not ticked
            else:
                assert text == "", (city, goal)
    notes = next(sh for sh in slides[1].shapes if sh.name == "Hinweise").text_frame.text
    assert "✓? / ? = zweifelhaft" in notes and "(1 Zellen)" in notes
    for slide in slides:
        assert any("✓*" in sh.text_frame.text for sh in slide.shapes if sh.has_text_frame), "footnote"


def test_pptx_goal_headers_break_only_between_words(out: Path) -> None:
    """Each header line fits its column (generous width estimate) and lines end only at a
    word, ``-`` or ``/``: "Anti-" may end a line, "Anti-Diskriminierun" may not."""
    from watext.tables.export.pptx import CELL_PAD, _pieces, _text_width

    prs = Presentation(str(out / "rueckmeldung_partnerstaedte.pptx"))
    table = next(sh for sh in list(prs.slides)[1].shapes if sh.has_table).table
    for c, title in enumerate(GOAL_TITLES.values(), start=1):
        cell = table.cell(0, c)
        lines = cell.text.split("\n")
        assert {w for line in lines for w in line.split()} <= set(title.split()) | set(_pieces(title)), lines
        size = cell.text_frame.paragraphs[0].runs[0].font.size.pt
        assert size >= 10, title
        for line in lines:
            assert _text_width(line, size) + CELL_PAD <= table.columns[c].width, (title, line)


def test_pptx_other_slides(out: Path) -> None:
    prs = Presentation(str(out / "rueckmeldung_partnerstaedte.pptx"))
    slides = list(prs.slides)

    def text(slide) -> str:  # noqa: ANN001
        return "\n".join(sh.text_frame.text for sh in slide.shapes if sh.has_text_frame)

    q2 = text(slides[2])
    assert "Orientierung an nationalen Gesetzen:" in q2
    assert "Foreigners and International Protection (Bursa)*" in q2
    assert "Orientierung an lokalen Agenden:" in q2 and "(Chesterfield)" in q2
    assert slides[3].shapes.title.text.startswith("3. ") and not any(sh.has_table for sh in slides[3].shapes)
    lists = [sh for sh in slides[3].shapes if sh.name == "Maßnahmen"]
    paragraphs = [p for sh in lists for p in sh.text_frame.paragraphs]
    lines = [p.text for p in paragraphs]
    assert lines.index("Kulturelle Vielfalt:") + 1 == lines.index("– Interkulturelle Woche (Darmstadt, Freiberg)*")
    assert "– Sprachkurse (Bursa, Darmstadt)" in lines and "Standortförderung:" in lines
    assert min(r.font.size.pt for p in paragraphs for r in p.runs) >= 12
    q4 = text(slides[4])
    assert "Chefsache" in q4 and "Querschnittsaufgabe" in q4
    assert "Zuständigkeit bei einzelnen Verwaltungsstellen" in q4
    assert "Chesterfield und Darmstadt" in q4
    assert "Stadtregierung" in text(slides[5])
    assert "Interkulturelle Gärten in Dresden (Freiberg)*" in text(slides[6])


def test_pptx_long_measure_lists_go_on_more_slides(tmp_path: Path) -> None:
    from watext.tables.export.pptx import build_presentation
    from watext.tables.frames import to_frames
    from watext.tables.model import Measure

    t = sample_tables()
    t.measures = [Measure(g, f"Maßnahme {i} für {GOAL_TITLES[g]}", [], ["Bursa", "Darmstadt"], [])
                  for g in GOALS for i in range(15)]  # fmt: skip
    slides = [s for s in build_presentation(to_frames(t)).slides if s.shapes.title.text.startswith("3. ")]
    assert len(slides) >= 3
    assert [s.shapes.title.text[-5:] for s in slides] == [f"({i}/{len(slides)})" for i in range(1, len(slides) + 1)]
    paragraphs = [p for s in slides for sh in s.shapes if sh.name == "Maßnahmen" for p in sh.text_frame.paragraphs]
    items = [p.text for p in paragraphs if p.text.startswith("– ")]
    assert len(items) == len(t.measures)  # every measure once
    assert min(r.font.size.pt for p in paragraphs for r in p.runs) >= 12
    assert any(p.text.endswith("(Forts.):") for p in paragraphs)  # a goal continued in the next column


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


def _report_with_real_meta(**change) -> str:  # noqa: ANN003
    """report.html text of the sample with the meta data a real build carries."""
    from watext.tables.aggregate import RULES
    from watext.tables.export.html import html_text
    from watext.tables.frames import to_frames

    tables = sample_tables()
    tables.meta.update(
        model_name="watext-goals", model_version="20261129-094251", built_at="2026-11-29T11:42:05+00:00",
        counts={"passages": 315, "classified": 310, "reviewed": 5, "unclassified": 0},
        rules={k: v.format(min_support=1, doubt_low=0.3, doubt_high=0.7) for k, v in RULES.items()},
    )  # fmt: skip
    for name, value in change.items():
        setattr(tables, name, value)
    return html_text(to_frames(tables))


def test_html_german_rule_texts_translate_the_current_rules() -> None:
    import json

    from watext.tables.aggregate import RULES

    from watext.tables.export import html as html_export

    path = Path(html_export.__file__).with_name("report_de.json")
    german = json.loads(path.read_text(encoding="utf-8"))["rules"]
    assert set(german) == set(RULES)
    # "en" is what each German text translates: a changed English rule needs a new German text
    assert {k: v["en"] for k, v in german.items()} == RULES


def test_html_meta_and_rules_last_in_german() -> None:
    from watext.tables.aggregate import RULES

    html = _report_with_real_meta()
    basis = html[html.index('<details id="grundlagen">'):]
    assert html.index('id="goals"') < html.index('id="leitfaden"') < html.index('id="grundlagen"')
    assert "<dt>Modell</dt><dd>watext-goals</dd>" in basis and "<dt>Modellversion</dt>" in basis
    assert "29.11.2026, 11:42 UTC" in basis
    assert "315 Textabschnitte, davon 310 vom Modell klassifiziert, 5 geprüft" in basis
    assert "{" not in basis.split("</details>")[0] and "counts" not in html and "model_name" not in html
    assert "von 0,30 bis unter 0,70 wird als zweifelhaft markiert" in basis
    assert "mindestens 1 ihrer Textabschnitte" in basis
    assert not any(escape(rule[:40]) in html for rule in RULES.values())


def test_html_badges_only_where_informative() -> None:
    from dataclasses import replace

    html = _report_with_real_meta()
    assert 'class="badge model"' not in html and ">Modell</span>" not in html
    # guideline evidence from a rule carries the rule badge, not a model badge
    tables = sample_tables()
    row = tables.guideline[3]
    rule_ev = [replace(e, origin="rule") for e in row.evidence]
    html = _report_with_real_meta(guideline=[*tables.guideline[:3], replace(row, evidence=rule_ev)])
    leitfaden = html[html.index('id="leitfaden"'):html.index('id="massnahmen"')]
    assert leitfaden.count('class="badge rule"') == 1 and "Modell</span>" not in leitfaden


def test_html_numbers_with_decimal_comma() -> None:
    html = _report_with_real_meta()
    assert "Konfidenz 0,80" in html and "Konfidenz 0.80" not in html
    assert 'title="Wahrscheinlichkeit 0,35: zuerst prüfen"' in html


def test_rules_read_german_in_the_workbook_and_markdown(tmp_path: Path) -> None:
    """The rules a real build records (English in ``RULES``) appear in German in the
    workbook's Info sheet and in tables.md, with decimal commas."""
    from watext.tables.aggregate import tables_from_passages

    built = tables_from_passages([], ["Bursa"])
    export_tables(built, tmp_path, ["xlsx", "md"])
    info = [str(r[1].value) for r in openpyxl.load_workbook(tmp_path / "tables.xlsx")["Info"].iter_rows(min_row=2)
            if str(r[0].value).startswith("Regel")]  # fmt: skip
    md = (tmp_path / "tables.md").read_text(encoding="utf-8")
    assert len(info) == len(built.meta["rules"]) >= 7
    for text in (*info, md):
        assert not re.search(r"\b(passages?|verified|reviewer|answers?|question)\b", text), text[:200]
    assert "0,10" in " ".join(info) and "0,10" in md
