"""Acceptance goldens on the seeds, through the whole ingest path (extract -> passages).

The same content must come out of the Darmstadt deck as PPTX and as its PDF export,
and of the Osnabrück submission as DOCX and as PDF.
"""

from __future__ import annotations


import pytest

from watext.ingest.files import hash_file, process_file
from watext.tag.analysis import analyze
from watext.model import BlockKind
from watext.settings import Settings
from .paths import SEEDS, needs_seeds

pytestmark = needs_seeds

GOALS = ["Kulturelle Vielfalt", "Teilhabe / Integration", "Anti-Diskriminierung",
         "Humanitäre Hilfe", "Dienstleistungsorientierung", "Standortförderung"]
SEED_MATRIX = {
    "Bursa": {0, 3, 5}, "Brescia": {1, 2, 3}, "Chesterfield": {0, 1},
    "Darmstadt": {0, 1, 2, 3, 4, 5}, "Freiberg": {0, 1, 2, 3}, "Saanen": {1, 4, 5},
    "Trondheim": {1, 3, 4, 5},
}


@pytest.fixture(scope="module")
def processed() -> dict:
    settings, out = Settings(), {}
    for path in SEEDS.glob("*.*"):
        if path.suffix in {".pptx", ".pdf", ".docx"}:
            out[path.name] = process_file(path, settings, doc_id=hash_file(path))
    return out


def _deck(processed: dict, ext: str):
    return processed[f"darmstadt_partnerstaedte_willkommenskultur.{ext}"]


def _vorlage(processed: dict, ext: str):
    return processed[f"osnabrueck_VO-2014-4833_handlungsempfehlungen.{ext}"]


def _table_with_header(doc, first_cells: list[str]) -> list[list[str]]:
    for grid in doc.tables().values():
        if grid[0][: len(first_cells)] == first_cells:
            return grid
    raise AssertionError(f"no table starting {first_cells}")


@pytest.mark.parametrize("ext", ["pptx", "pdf"])
def test_golden_darmstadt_goals_matrix_with_repaired_words(processed, ext) -> None:
    doc, _ = _deck(processed, ext)
    grid = _table_with_header(doc, ["Ziele:"])
    assert grid[0] == ["Ziele:", *GOALS]
    matrix = {row[0]: {i for i, cell in enumerate(row[1:]) if cell} for row in grid[1:]}
    assert matrix == SEED_MATRIX
    for row in grid[1:]:
        assert all(cell in ("", row[0]) for cell in row[1:])


def test_golden_darmstadt_tables_equal_in_pptx_and_pdf(processed) -> None:
    pptx_doc, _ = _deck(processed, "pptx")
    pdf_doc, _ = _deck(processed, "pdf")
    for header in (["Ziele:"], GOALS[:1]):
        assert _table_with_header(pdf_doc, header) == _table_with_header(pptx_doc, header)


@pytest.mark.parametrize("ext", ["pptx", "pdf"])
def test_golden_darmstadt_measures_become_passages_under_their_goal(processed, ext) -> None:
    _, passages = _deck(processed, ext)
    cells = {p.heading[-1]: p.text for p in passages if p.kinds == (BlockKind.TABLE_CELL,)
             and p.heading and p.heading[-1] in GOALS and p.text.startswith("- ")}
    assert len(cells) == 6
    assert "- Willkommensmappe" in cells["Dienstleistungsorientierung"].split("\n")
    assert "- Beratungsstellen für Sinti und Roma" in cells["Teilhabe / Integration"].split("\n")


@pytest.mark.parametrize("ext", ["pptx", "pdf"])
def test_golden_darmstadt_question4_bullets_keep_parent_child_structure(processed, ext) -> None:
    doc, passages = _deck(processed, ext)
    items = [(i, b) for i, b in enumerate(doc.blocks) if b.kind is BlockKind.LIST_ITEM]
    children: dict[str, list[str]] = {}
    for _, b in items:
        if b.parent is not None:
            children.setdefault(doc.blocks[b.parent].text, []).append(b.text)
    assert children["„Chefsache“"] == ["Freiberg: Oberbürgermeister → „weltoffene Stadt“",
                                       "Darmstadt: Oberbürgermeister → „weltoffene Stadt“"]
    assert children["Querschnittsaufgabe"] == ["Trondheim, Saanen, Chesterfield und Darmstadt"]
    assert children["Zuständigkeit bei einzelnen Verwaltungsstellen:"][2] == (
        "Freiberg: Amt für Bildung, Jugend und Soziales → Integration und Interkulturelles")
    brescia = next(p for p in passages if p.text.startswith("Brescia: Dezernat"))
    assert brescia.heading[-1] == "Zuständigkeit bei einzelnen Verwaltungsstellen:"
    assert brescia.page == 8
    (analysis,) = analyze([(brescia.text, brescia.language or "de")])
    assert {"label": "fachstelle", "text": "Dezernat für Inklusion und Migration"}.items() <= (
        analysis.bodies[0].items())


@pytest.mark.parametrize("ext", ["docx", "pdf"])
def test_golden_osnabrueck_metadata(processed, ext) -> None:
    doc, _ = _vorlage(processed, ext)
    assert doc.city == "Osnabrück"
    assert doc.doc_type.value == "council_submission"
    assert doc.language == "de"
    sub = doc.metadata["submission"]
    assert (sub["vorlage_nr"], sub["vorlagenart"], sub["oeffentlichkeitsstatus"]) == (
        "VO/2014/4833", "Mitteilungsvorlage", "öffentlich")
    assert sub["beratungsfolge"] == [{
        "gremium": "Rat der Stadt Osnabrück", "datum": "2014-12-09", "sitzungsart": "öffentlich",
        "zustaendigkeit": "Kenntnisnahme", "top": None}]


@pytest.mark.parametrize("ext", ["docx", "pdf"])
def test_golden_osnabrueck_eleven_recommendations_are_eleven_passages(processed, ext) -> None:
    doc, passages = _vorlage(processed, ext)
    items = [p for p in passages if p.kinds == (BlockKind.LIST_ITEM,)]
    assert len(items) == 11
    assert items[0].text.split(" ", 1)[1].startswith("Wandel einer kommunalen Integrations- zu einer")
    assert items[4].text.endswith("Fortführung und Weiterentwicklung des Projekts „Integrationslotsen“")
    assert items[10].text.endswith("Einrichtung eines „Willkommensbüros“ für alle")
    for p in items:
        assert doc.text[p.start:p.end] == p.text
        assert "\n" not in p.text


def test_golden_osnabrueck_docx_and_pdf_agree_on_recommendation_text(processed) -> None:
    def strip_number(t: str) -> str:
        return t.split(" ", 1)[1]
    docx_items = [strip_number(p.text) for p in _vorlage(processed, "docx")[1] if p.kinds == (BlockKind.LIST_ITEM,)]
    pdf_items = [strip_number(p.text) for p in _vorlage(processed, "pdf")[1] if p.kinds == (BlockKind.LIST_ITEM,)]
    assert docx_items == pdf_items
