"""Tests of the PPTX adapter: the Darmstadt seed deck plus tiny decks built here."""

from __future__ import annotations

from pathlib import Path

import pytest
from pptx import Presentation
from pptx.util import Inches, Pt

from watext.errors import CorruptFileError
from watext.extract.pptx import extract
from watext.model import BlockKind, Document
from watext.settings import Settings

from .golden import check_golden, document_golden

DATA = Path(__file__).parent / "data" / "pptx"
SEED = DATA / "darmstadt_partnerstaedte_willkommenskultur.pptx"
CITIES = ["Bursa", "Brescia", "Chesterfield", "Darmstadt", "Freiberg", "Saanen", "Trondheim"]



@pytest.fixture(scope="module")
def seed() -> Document:
    return extract(SEED, Settings())


def test_pptx_seed_matches_golden(seed: Document) -> None:
    check_golden(document_golden(seed), SEED.with_suffix(".expected.json"))


def test_pptx_seed_document_fields(seed: Document) -> None:
    assert seed.id == ""
    assert seed.pages == 11
    assert seed.metadata["slide_count"] == 11
    assert seed.title == "Willkommens- und Anerkennungskultur in Darmstadts Partnerstädten"
    assert seed.metadata["created"].startswith("2013-01-27T09:14:16")


def test_pptx_seed_goals_table(seed: Document) -> None:
    grid = seed.tables()[0]
    assert grid[0] == ["Ziele:", "Kulturelle Vielfalt", "Teilhabe / Integration",
                       "Anti-Diskriminierung", "Humanitäre Hilfe",
                       "Dienstleistungsorientierung", "Standortförderung"]  # fmt: skip
    assert [row[0] for row in grid[1:]] == CITIES
    assert all(len(row) == 7 for row in grid)
    assert {b.page for b in seed.blocks if b.table == 0} == {5}


def test_pptx_seed_measures_table_keeps_line_breaks(seed: Document) -> None:
    grid = seed.tables()[1]
    assert len(grid) == 2 and all(len(row) == 6 for row in grid)
    assert grid[1][0] == ("- Interkulturelle Woche\n- Freiberger Fest der Kulturen\n"
                          "- Balkan-Kulturfest\n- Internationales Bürgerfest")  # fmt: skip


def test_pptx_seed_nested_bullets_and_notes(seed: Document) -> None:
    blocks = seed.blocks
    items = [(i, b) for i, b in enumerate(blocks) if b.page == 8 and b.kind is BlockKind.LIST_ITEM]
    tops = {b.text: i for i, b in items if b.level == 0}
    children = {t: [b.text for _, b in items if b.parent == i] for t, i in tops.items()}
    assert len(children["„Chefsache“"]) == 2
    assert len(children["Querschnittsaufgabe"]) == 1
    assert len(children["Zuständigkeit bei einzelnen Verwaltungsstellen:"]) == 3
    assert all(b.level == 1 for _, b in items if b.parent is not None)
    notes = [b for b in blocks if b.kind is BlockKind.NOTES]
    assert [(b.page, b.text) for b in notes] == [
        (8, "Darmstadt erscheint in zwei Gruppen: Chefsache und Querschnittsaufgabe.")
    ]


def test_pptx_seed_title_first_on_each_slide(seed: Document) -> None:
    for page in range(1, 12):
        first = next(b for b in seed.blocks if b.page == page)
        assert first.kind is BlockKind.TITLE
    subtitle = next(b for b in seed.blocks if b.page == 1 and b.kind is not BlockKind.TITLE)
    assert subtitle.kind is BlockKind.HEADING


def build_deck(path: Path) -> None:
    """A deck with a text box below a group (with two boxes) and notes."""
    prs = Presentation()
    slide = prs.slides.add_slide(prs.slide_layouts[5])  # title only
    slide.shapes.title.text = "Gruppen"
    lower = slide.shapes.add_textbox(Inches(1), Inches(5), Inches(4), Inches(1))
    lower.text_frame.text = "Unten"
    group = slide.shapes.add_group_shape()
    right = group.shapes.add_textbox(Inches(5), Inches(2), Inches(2), Inches(1))
    right.text_frame.text = "Oben rechts"
    left = group.shapes.add_textbox(Inches(1), Inches(2), Inches(2), Inches(1))
    left.text_frame.text = "Oben links"
    empty = slide.shapes.add_textbox(Inches(1), Inches(6), Inches(1), Inches(1))
    empty.text_frame.text = "   "
    slide.notes_slide.notes_text_frame.text = "Notiz  mit\tLeerraum"
    prs.save(str(path))


def test_pptx_groups_are_read_in_top_left_order(tmp_path: Path) -> None:
    path = tmp_path / "groups.pptx"
    build_deck(path)
    doc = extract(path, Settings())
    assert [(b.kind, b.text) for b in doc.blocks] == [
        (BlockKind.TITLE, "Gruppen"),
        (BlockKind.PARAGRAPH, "Oben links"),
        (BlockKind.PARAGRAPH, "Oben rechts"),
        (BlockKind.PARAGRAPH, "Unten"),
        (BlockKind.NOTES, "Notiz mit Leerraum"),
    ]
    left = doc.blocks[1]
    assert left.bbox is not None and left.bbox[0] == pytest.approx(72.0)
    assert left.bbox[1] == pytest.approx(144.0)


def test_pptx_textbox_bullets_become_items(tmp_path: Path) -> None:
    prs = Presentation()
    slide = prs.slides.add_slide(prs.slide_layouts[6])  # blank
    frame = slide.shapes.add_textbox(Inches(1), Inches(1), Inches(5), Inches(2)).text_frame
    frame.text = "Einleitung"
    para = frame.add_paragraph()
    para.text = "Punkt"
    para.level = 1
    ppr = para._p.get_or_add_pPr()
    ppr.append(ppr.makeelement("{http://schemas.openxmlformats.org/drawingml/2006/main}buChar",
                               {"char": "•"}))  # fmt: skip
    para.runs[0].font.size = Pt(12)
    path = tmp_path / "bullets.pptx"
    prs.save(str(path))
    doc = extract(path, Settings())
    assert [(b.kind, b.level) for b in doc.blocks] == [
        (BlockKind.PARAGRAPH, 0), (BlockKind.LIST_ITEM, 1)
    ]
    assert doc.title is None


@pytest.mark.parametrize(
    "payload", [b"", b"not a zip at all", b"PK\x03\x04" + b"\x00" * 50], ids=["empty", "text", "zip"]
)
def test_pptx_damaged_file_raises_corrupt(tmp_path: Path, payload: bytes) -> None:
    path = tmp_path / "bad.pptx"
    path.write_bytes(payload)
    with pytest.raises(CorruptFileError, match="damaged pptx file"):
        extract(path, Settings())


def test_pptx_truncated_seed_raises_corrupt(tmp_path: Path) -> None:
    path = tmp_path / "cut.pptx"
    path.write_bytes(SEED.read_bytes()[: SEED.stat().st_size // 2])
    with pytest.raises(CorruptFileError):
        extract(path, Settings())
