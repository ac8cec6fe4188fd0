"""Tests of the DOCX adapter: the Osnabrück seed plus tiny documents built here."""

from __future__ import annotations

from pathlib import Path

import docx
import pytest

from watext.errors import CorruptFileError
from watext.extract.docx import extract
from watext.model import BlockKind, Document
from watext.settings import Settings

from .golden import check_golden, document_golden

DATA = Path(__file__).parent / "data" / "docx"
SEED = DATA / "osnabrueck_VO-2014-4833_handlungsempfehlungen.docx"



@pytest.fixture(scope="module")
def seed() -> Document:
    return extract(SEED, Settings())


def test_docx_seed_matches_golden(seed: Document) -> None:
    check_golden(document_golden(seed), SEED.with_suffix(".expected.json"))


def test_docx_seed_eleven_numbered_items(seed: Document) -> None:
    items = [b.text for b in seed.blocks if b.kind is BlockKind.LIST_ITEM]
    starts = ["1. Wandel", "2. ", "3. ", "4. ", "5. ", "6. ", "7. ", "8. ", "9. Prozess",
              "10. Umsetzung", "11. Einrichtung"]  # fmt: skip
    assert len(items) == 11
    assert all(text.startswith(s) for text, s in zip(items, starts, strict=True))
    assert items[10] == "11. Einrichtung eines „Willkommensbüros“ für alle"


def test_docx_seed_tables(seed: Document) -> None:
    assert seed.tables() == {
        0: [["Mitteilungsvorlage", "Vorlage-Nr: VO/2014/4833"],
            ["", "Öffentlichkeitsstatus: öffentlich"]],
        1: [["Gremium", "Datum", "Sitzungsart", "Zuständigkeit", "TOP-Nr."],
            ["Rat der Stadt Osnabrück", "09.12.2014", "Ö", "Kenntnisnahme", ""]],
    }  # fmt: skip


def test_docx_seed_headings_and_title(seed: Document) -> None:
    headings = {b.text: b.level for b in seed.blocks if b.kind is BlockKind.HEADING}
    assert headings["Sachverhalt:"] == 2
    assert headings["Beratungsfolge:"] == 2
    title = "Handlungsempfehlungen zur Willkommens- und Anerkennungskultur in Osnabrück"
    assert seed.title == title
    assert [b.text for b in seed.blocks if b.kind is BlockKind.TITLE] == [title]
    assert seed.pages is None and seed.metadata["author"] == "python-docx"
    paragraphs = [b.text for b in seed.blocks if b.kind is BlockKind.PARAGRAPH]
    assert "Die Handlungsempfehlungen enthalten folgende Kernaussagen:" in paragraphs


def build_docx(path: Path) -> None:
    """Heading styles, auto lists (bullets, fresh numbers, nesting), merged cells."""
    d = docx.Document()
    d.core_properties.title = "Kerntitel"
    d.add_paragraph("Konzept", style="Title")
    d.add_paragraph("Ziele", style="Heading 1")
    d.add_paragraph("Erstes", style="List Number")
    d.add_paragraph("Zweites", style="List Number")
    d.add_paragraph("Punkt", style="List Bullet")
    d.add_paragraph("Unterpunkt", style="List Bullet 2")
    d.add_paragraph("- manuell")
    table = d.add_table(rows=2, cols=3)
    table.cell(0, 0).merge(table.cell(0, 1)).text = "breit"
    table.cell(0, 2).text = "rechts"
    table.cell(1, 0).text = "a"
    table.cell(1, 2).text = "c"
    section = d.sections[0]
    section.header.paragraphs[0].text = "Kopfzeile"
    d.add_paragraph("Schluss")
    d.save(str(path))


def test_docx_styles_lists_and_merged_cells(tmp_path: Path) -> None:
    path = tmp_path / "built.docx"
    build_docx(path)
    doc = extract(path, Settings())
    got = [(b.kind, b.text, b.level) for b in doc.blocks if b.kind is not BlockKind.TABLE_CELL]
    assert got == [
        (BlockKind.TITLE, "Konzept", 1),
        (BlockKind.HEADING, "Ziele", 1),
        (BlockKind.LIST_ITEM, "1. Erstes", 0),
        (BlockKind.LIST_ITEM, "2. Zweites", 0),
        (BlockKind.LIST_ITEM, "Punkt", 0),
        (BlockKind.LIST_ITEM, "Unterpunkt", 1),
        (BlockKind.LIST_ITEM, "manuell", 0),
        (BlockKind.PARAGRAPH, "Schluss", 0),
    ]
    sub = next(b for b in doc.blocks if b.text == "Unterpunkt")
    assert doc.blocks[sub.parent].text == "Punkt"
    assert doc.title == "Kerntitel"
    cells = [(b.row, b.col, b.text) for b in doc.blocks if b.kind is BlockKind.TABLE_CELL]
    assert cells == [(0, 0, "breit"), (0, 2, "rechts"), (1, 0, "a"), (1, 1, ""), (1, 2, "c")]
    assert "Kopfzeile" not in doc.text


@pytest.mark.parametrize(
    "payload", [b"", b"not a zip at all", b"PK\x03\x04" + b"\x00" * 50], ids=["empty", "text", "zip"]
)
def test_docx_damaged_file_raises_corrupt(tmp_path: Path, payload: bytes) -> None:
    path = tmp_path / "bad.docx"
    path.write_bytes(payload)
    with pytest.raises(CorruptFileError, match="damaged docx file"):
        extract(path, Settings())


def test_docx_truncated_seed_raises_corrupt(tmp_path: Path) -> None:
    path = tmp_path / "cut.docx"
    path.write_bytes(SEED.read_bytes()[: SEED.stat().st_size // 2])
    with pytest.raises(CorruptFileError):
        extract(path, Settings())
