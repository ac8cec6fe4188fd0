"""Tests for the PDF adapter (watext.extract.pdf) on the seed PDFs and real documents.

The seed and real-document PDFs live outside the repository (``../shared``); tests that
need them are skipped when they are missing. Golden files under ``tests/data/pdf`` hold
the expected block lists of the seeds; set ``WATEXT_REGEN_GOLDEN=1`` to rewrite them.
"""

from __future__ import annotations

import os
import time
from pathlib import Path

import pytest

from watext.errors import CorruptFileError, EncryptedError, NeedsOCRError, TooLargeError
from watext.extract.pdf import extract, extract_pages, parse_pdf_date
from watext.extract.pdf_layout import build_blocks, group_lines
from watext.model import BlockKind, Document
from watext.settings import Settings

from .golden import check_golden
from .paths import REAL_DOCS as REAL
from .paths import SEEDS

GOLDEN = Path(__file__).parent / "data" / "pdf"
DARMSTADT = SEEDS / "darmstadt_partnerstaedte_willkommenskultur.pdf"
OSNABRUECK = SEEDS / "osnabrueck_VO-2014-4833_handlungsempfehlungen.pdf"

needs_seeds = pytest.mark.skipif(not DARMSTADT.exists() or not OSNABRUECK.exists(), reason="seed PDFs missing")
needs_real = pytest.mark.skipif(not REAL.is_dir(), reason="../shared/real-docs missing")

_CACHE: dict[tuple[Path, tuple[int, ...] | None, str], Document] = {}
#: Both PDF engines: PDFium (the default) and pdfplumber (the reference).
ENGINES = pytest.mark.parametrize("engine", ["pdfium", "pdfplumber"])


def _doc(path: Path, pages: tuple[int, ...] | None = None, engine: str = "pdfium") -> Document:
    """Extract once per test session (pdfplumber is slow)."""
    key = (path, pages, engine)
    if key not in _CACHE:
        settings = Settings(pdf_engine=engine)
        _CACHE[key] = extract_pages(path, settings, pages) if pages else extract(path, settings)
    return _CACHE[key]


def _tables_on(doc: Document, page: int) -> list[list[list[str]]]:
    numbers = sorted({b.table for b in doc.blocks if b.kind is BlockKind.TABLE_CELL and b.page == page})
    grids = doc.tables()
    return [grids[n] for n in numbers if n is not None]


def _find(doc: Document, text: str) -> int:
    return next(i for i, b in enumerate(doc.blocks) if b.text == text)


def _check_golden(name: str, doc: Document) -> None:
    data = [{k: v for k, v in b.to_dict().items() if k not in ("bbox", "style")} for b in doc.blocks]
    check_golden(data, GOLDEN / f"{name}.json")


# -- seeds ---------------------------------------------------------------------------------


@needs_seeds
def test_extract_pdf_darmstadt_goals_table_page5() -> None:
    (grid,) = _tables_on(_doc(DARMSTADT), 5)
    assert grid == [
        ["Ziele:", "Kulturelle Vielfalt", "Teilhabe / Integration", "Anti-Diskriminierung", "Humanitäre Hilfe",
         "Dienstleistungsorientierung", "Standortförderung"],
        ["Bursa", "Bursa", "", "", "Bursa", "", "Bursa"],
        ["Brescia", "", "Brescia", "Brescia", "Brescia", "", ""],
        ["Chesterfield", "Chesterfield", "Chesterfield", "", "", "", ""],
        ["Darmstadt"] * 7,
        ["Freiberg", "Freiberg", "Freiberg", "Freiberg", "Freiberg", "", ""],
        ["Saanen", "", "Saanen", "", "", "Saanen", "Saanen"],
        ["Trondheim", "", "Trondheim", "", "Trondheim", "Trondheim", "Trondheim"],
    ]


@needs_seeds
def test_extract_pdf_darmstadt_measures_table_page7_matches_pptx_cells() -> None:
    (grid,) = _tables_on(_doc(DARMSTADT), 7)
    assert grid[0] == ["Kulturelle Vielfalt", "Teilhabe / Integration", "Anti-Diskriminierung", "Humanitäre Hilfe",
                       "Dienstleistungsorientierung", "Standortförderung"]
    assert grid[1][0] == "- Interkulturelle Woche\n- Freiberger Fest der Kulturen\n- Balkan-Kulturfest\n- Internationales Bürgerfest"
    assert grid[1][1] == (
        "- Empfang für ausl. Studierende\n- Interkulturelle Bürgerbeteiligung\n- Stadtteilbeiräte\n- Studentenrat\n"
        "- Sprachkurse\n- Stärkung der „Communities“ Vereinsförderung\n- AG „Ausländer im Stadtparlament“\n"
        "- Mediation in den Schulen\n- Beratungsstellen für Sinti und Roma\n- Integrationshilfen"
    )
    assert grid[1][5] == (
        "- Informationsportal für Familien\n- Wissenschaftsaustausch\n"
        "- IHK-Audit „Ausgezeichneter Wohnort für Fach- und Führungskräfte“\n- Informationsmaterial\n- Gästeempfang"
    )


@needs_seeds
def test_extract_pdf_table_text_not_duplicated_as_paragraphs() -> None:
    doc = _doc(DARMSTADT)
    flow = " ".join(b.text for b in doc.blocks if b.kind is not BlockKind.TABLE_CELL and b.page in (5, 7))
    assert "Chesterfield" not in flow and "Wissenschaftsaustausch" not in flow


@needs_seeds
def test_extract_pdf_darmstadt_nested_list_page8() -> None:
    doc = _doc(DARMSTADT)
    blocks = doc.blocks
    chef = _find(doc, "„Chefsache“")
    assert blocks[chef].kind is BlockKind.LIST_ITEM and blocks[chef].level == 0 and blocks[chef].page == 8
    for child in ("Freiberg: Oberbürgermeister → „weltoffene Stadt“", "Darmstadt: Oberbürgermeister → „weltoffene Stadt“"):
        b = blocks[_find(doc, child)]
        assert (b.kind, b.level, b.parent) == (BlockKind.LIST_ITEM, 1, chef)
    quer = _find(doc, "Querschnittsaufgabe")
    assert blocks[_find(doc, "Trondheim, Saanen, Chesterfield und Darmstadt")].parent == quer
    zust = _find(doc, "Zuständigkeit bei einzelnen Verwaltungsstellen:")
    children = [b.text for b in blocks if b.parent == zust]
    assert len(children) == 3
    assert "Freiberg: Amt für Bildung, Jugend und Soziales → Integration und Interkulturelles" in children
    question = "4. Bei welcher Behörde/Institution ist die Umsetzung der Willkommens- und Anerkennungskultur in Ihrer Stadt angesiedelt?"
    assert [(b.page, b.kind) for b in blocks if b.text == question] == [(3, BlockKind.LIST_ITEM), (8, BlockKind.TITLE)]


@needs_seeds
def test_extract_pdf_darmstadt_every_slide_has_a_title_and_bbox() -> None:
    doc = _doc(DARMSTADT)
    assert {b.page for b in doc.blocks if b.kind is BlockKind.TITLE} == set(range(1, 12))
    assert all(b.bbox and b.page for b in doc.blocks)
    assert doc.title == "Willkommens- und Anerkennungskultur in Darmstadts Partnerstädten"
    assert doc.pages == 11 and doc.metadata["page_count"] == 11
    assert doc.metadata["creation_date"].startswith("2026-11-21T05:23:46")
    bullets = [b for b in doc.blocks if b.kind is BlockKind.LIST_ITEM]
    assert not any(b.text[:1] in "•–" for b in bullets)


@needs_seeds
def test_extract_pdf_osnabrueck_header_tables() -> None:
    doc = _doc(OSNABRUECK)
    assert _tables_on(doc, 1) == [
        [["Mitteilungsvorlage", "Vorlage-Nr: VO/2014/4833"], ["", "Öffentlichkeitsstatus: öffentlich"]],
        [["Gremium", "Datum", "Sitzungsart", "Zuständigkeit", "TOP-Nr."],
         ["Rat der Stadt Osnabrück", "09.12.2014", "Ö", "Kenntnisnahme", ""]],
    ]


@needs_seeds
def test_extract_pdf_osnabrueck_recommendations_are_eleven_items() -> None:
    doc = _doc(OSNABRUECK)
    items = [b for b in doc.blocks if b.kind is BlockKind.LIST_ITEM]
    assert len(items) == 11
    assert [b.text.split(".")[0] for b in items] == [str(n) for n in range(1, 10)] + ["1", "2"]
    assert items[3].text == (
        "4. Abseits einer externen Analyse der Ist-Strukturen der Beratungslandschaft, etwa durch eine "
        "wissenschaftliche Untersuchung, kann eine solche Analyse auch auf Basis der Selbstreflexion der "
        "professionellen Integrationsarbeit erfolgen"
    )
    assert items[4].text == "5. Fortführung und Weiterentwicklung des Projekts „Integrationslotsen“"
    assert all(b.level == 0 and b.parent is None for b in items)


@needs_seeds
def test_extract_pdf_osnabrueck_paragraph_joined_across_page_break() -> None:
    doc = _doc(OSNABRUECK)
    (para,) = [b for b in doc.blocks if b.text.startswith("Einzelne Ansätze wie")]
    assert para.page == 2 and para.kind is BlockKind.PARAGRAPH
    assert "werden durch die Koordinierungsstelle für Migration und Teilhabe (16-2)" in para.text
    assert para.text.endswith("bereits verfolgt.")
    assert not any(b.text.startswith("durch die Koordinierungsstelle") for b in doc.blocks)


@needs_seeds
def test_extract_pdf_osnabrueck_headings_title_and_paragraphs() -> None:
    doc = _doc(OSNABRUECK)
    kinds = {b.text: b.kind for b in doc.blocks}
    assert kinds["Sachverhalt:"] is BlockKind.HEADING
    assert kinds["Beratungsfolge:"] is BlockKind.HEADING
    assert kinds["Handlungsempfehlungen zur Willkommens- und Anerkennungskultur in Osnabrück"] is BlockKind.TITLE
    (para,) = [b for b in doc.blocks if b.text.startswith("Mit Schreiben vom 27. Oktober 2014")]
    assert para.kind is BlockKind.PARAGRAPH and para.text.endswith("Trainings von Beschäftigten der Verwaltung.")
    assert doc.metadata["author"] == "python-docx" and doc.metadata["pages_without_text"] == []


@needs_seeds
@ENGINES
@pytest.mark.parametrize("path", [DARMSTADT, OSNABRUECK], ids=["darmstadt", "osnabrueck"])
def test_extract_pdf_seed_matches_golden(path: Path, engine: str) -> None:
    _check_golden(path.stem, _doc(path, engine=engine))


@needs_seeds
def test_extract_pdf_seeds_are_fast() -> None:
    for path in (DARMSTADT, OSNABRUECK):
        start = time.perf_counter()
        extract(path, Settings())
        assert time.perf_counter() - start < 5


@needs_seeds
@ENGINES
def test_extract_pdf_too_many_pages(engine: str) -> None:
    with pytest.raises(TooLargeError):
        extract(DARMSTADT, Settings(max_pages=5, pdf_engine=engine))


# -- bad files -----------------------------------------------------------------------------


@ENGINES
def test_extract_pdf_encrypted_raises(tmp_path: Path, engine: str) -> None:
    from reportlab.pdfgen import canvas

    path = tmp_path / "secret.pdf"
    c = canvas.Canvas(str(path), encrypt="secret")
    c.drawString(100, 700, "Vertraulicher Inhalt der Vorlage")
    c.save()
    with pytest.raises(EncryptedError, match="password-protected PDF"):
        extract(path, Settings(pdf_engine=engine))


@ENGINES
def test_extract_pdf_random_bytes_with_header_raise_corrupt(tmp_path: Path, engine: str) -> None:
    path = tmp_path / "junk.pdf"
    path.write_bytes(b"%PDF-1.7\n" + os.urandom(4000))
    with pytest.raises(CorruptFileError, match="damaged or truncated PDF"):
        extract(path, Settings(pdf_engine=engine))


@needs_seeds
@ENGINES
def test_extract_pdf_truncated_raises_corrupt(tmp_path: Path, engine: str) -> None:
    data = OSNABRUECK.read_bytes()
    path = tmp_path / "half.pdf"
    path.write_bytes(data[: len(data) // 2])
    with pytest.raises(CorruptFileError) as info:
        extract(path, Settings(pdf_engine=engine))
    assert info.value.__cause__ is not None


@ENGINES
def test_extract_pdf_image_only_pdf_needs_ocr(tmp_path: Path, engine: str) -> None:
    from reportlab.pdfgen import canvas

    path = tmp_path / "blank.pdf"
    c = canvas.Canvas(str(path))
    c.rect(100, 100, 300, 300, fill=1)
    c.showPage()
    c.save()
    with pytest.raises(NeedsOCRError):
        extract(path, Settings(pdf_engine=engine))


@ENGINES
def test_extract_pdf_running_headers_and_page_numbers_dropped(tmp_path: Path, engine: str) -> None:
    from reportlab.pdfgen import canvas

    path = tmp_path / "letter.pdf"
    c = canvas.Canvas(str(path), pagesize=(595, 842))
    for n in (1, 2, 3):
        c.setFont("Helvetica", 9)
        c.drawString(72, 820, f"Stadt Musterstadt – Vorlage 2024/{n}")
        c.drawString(280, 20, f"Seite {n} von 3")
        c.setFont("Helvetica", 11)
        c.drawString(72, 700, f"Text der Seite {n} mit Inhalt zur Integration.")
        c.showPage()
    c.save()
    doc = extract(path, Settings(pdf_engine=engine))
    assert [b.text for b in doc.blocks] == [f"Text der Seite {n} mit Inhalt zur Integration." for n in (1, 2, 3)]


def test_extract_pdf_layout_rebuilds_paragraphs_from_words() -> None:
    def word(text: str, x0: float, top: float, size: float = 10.0) -> dict:
        return {"text": text, "x0": x0, "x1": x0 + 6 * len(text), "top": top, "bottom": top + size,
                "size": size, "fontname": "Helvetica"}

    words = [word("Erster", 50, 100), word("Absatz", 90, 100), word("geht", 50, 113), word("weiter.", 80, 113),
             word("•", 50, 140), word("Punkt", 65, 140), word("–", 70, 153), word("Unterpunkt", 85, 153)]
    blocks = build_blocks(group_lines(words))
    assert [b.text() for b in blocks] == ["Erster Absatz geht weiter.", "Punkt", "Unterpunkt"]
    assert [b.marker for b in blocks] == [None, "•", "–"]


def test_extract_pdf_parse_pdf_date() -> None:
    assert parse_pdf_date("D:20261121052346Z'") == "2026-11-21T05:23:46+00:00"
    assert parse_pdf_date("D:20231115103000+01'00'") == "2023-11-15T10:30:00+01:00"
    assert parse_pdf_date("D:2020") == "2020-01-01T00:00:00"
    assert parse_pdf_date("gestern") is None


# -- real documents ------------------------------------------------------------------------

TEXT_DOCS = {
    "erlangen_satzung_orts_stadtteilbeiraete_2026.pdf": None,
    "erlangen_sozialreferat_folien_soziale_entwicklung_2023-11-15.pdf": None,
    "erlangen_stbr_einladung_tagesordnung_2020-01-22.pdf": None,
    "erlangen_stbr_folien_pptexport_2023-06-15.pdf": None,
    "erlangen_stbr_niederschrift_2023-11-15.pdf": None,
    "erlangen_zweckverband_stub_folien_druck_2020-01-22.pdf": (1, 2, 3, 4, 5, 6),
    "muenchen_ba3_zuschussentscheidung_checkboxen.pdf": None,
    "muenchen_por_bvk_bericht_querformat_tabellen.pdf": (1, 2, 3, 4),
    "muenchen_rgu_antwort_stadtratsanfrage_briefkopf.pdf": None,
    "muenchen_sitzungsvorlage_20-26_V_02318_kommunalreferat.pdf": (1, 2, 3, 4),
}


@needs_real
@pytest.mark.parametrize("name", sorted(TEXT_DOCS))
def test_extract_pdf_real_doc_has_text_and_no_page_number_blocks(name: str) -> None:
    doc = _doc(REAL / name, TEXT_DOCS[name])
    assert doc.blocks and all(b.page and b.bbox for b in doc.blocks)
    import re

    seite = re.compile(r"^Seite \d+( von \d+)?$")
    assert not [b.text for b in doc.blocks if seite.match(b.text)]


@needs_real
@pytest.mark.parametrize(
    "name",
    ["muenchen_sozialreferat_antwortschreiben_scan_ohne_text.pdf", "muenchen_ba7_spd_antrag_scan_geschwaerzt.pdf",
     "muenchen_sozialreferat_karte_scan_gedreht.pdf"],
)
def test_extract_pdf_real_scan_needs_ocr(name: str) -> None:
    with pytest.raises(NeedsOCRError, match="no text layer"):
        extract(REAL / name, Settings())


@needs_real
def test_extract_pdf_real_mixed_text_and_scan() -> None:
    doc = _doc(REAL / "erlangen_stbr_stellungnahme_zu_beschlussvorlage_text_plus_scan.pdf")
    assert doc.metadata["pages_without_text"] == [2, 3, 4, 5]
    assert sum(len(b.text) for b in doc.blocks if b.page == 1) > 1000


@needs_real
def test_extract_pdf_real_landscape_table_report_has_cells_on_many_pages() -> None:
    doc = _doc(REAL / "muenchen_por_bvk_bericht_querformat_tabellen.pdf", (1, 2, 3, 4))
    pages = {b.page for b in doc.blocks if b.kind is BlockKind.TABLE_CELL}
    assert len(pages) >= 3
    assert doc.pages == 28


@needs_real
def test_extract_pdf_real_satzung_has_no_running_header_blocks() -> None:
    doc = _doc(REAL / "erlangen_satzung_orts_stadtteilbeiraete_2026.pdf")
    texts = [b.text for b in doc.blocks]
    assert not any(t.startswith("Inkrafttreten: 01.05.2026") for t in texts)
    # the document title on pages 1 and 2 stays; the header line above it (y < 60) goes
    assert [b.page for b in doc.blocks if b.text == "Satzung der Stadt Erlangen über Orts- und Stadtteilbeiräte"] == [1, 2]
    assert not [b.text for b in doc.blocks if b.bbox and b.bbox[1] < 60]


@needs_real
def test_extract_pdf_real_rotated_slides_read_in_order() -> None:
    doc = _doc(REAL / "erlangen_sozialreferat_folien_soziale_entwicklung_2023-11-15.pdf")
    titles = [b.text for b in doc.blocks if b.kind is BlockKind.TITLE]
    assert titles[:3] == ["Soziale Entwicklung im Stadtteil Büchenbach", "Aktuelle Herausforderungen", "Teilhabe im Blick"]
    page2 = [b.text for b in doc.blocks if b.page == 2]
    assert page2[1:3] == ["Multiple Krisen", "Zunahme von Belastungen, Verunsicherung, Erschöpfung"]
    assert not any(b.text.startswith("Soziale Themen Büchenbach") for b in doc.blocks)  # repeated footer


@needs_real
def test_extract_pdf_real_letterhead_not_interleaved_with_page_number() -> None:
    doc = _doc(REAL / "muenchen_rgu_antwort_stadtratsanfrage_briefkopf.pdf")
    assert doc.blocks[0].text == "Landeshauptstadt München"
    assert not [b.text for b in doc.blocks if "Seite" in b.text and "von 2" in b.text]
