"""The adapter contract, checked for every format adapter (pdf only when importable)."""

from __future__ import annotations

import importlib
from collections.abc import Callable
from pathlib import Path

import pytest

from watext.errors import InputError
from watext.model import BlockKind, Document, Format
from watext.settings import Settings

DATA = Path(__file__).parent / "data"


def make_pdf(path: Path) -> None:
    """A one-page PDF with two lines of German text (needs reportlab)."""
    canvas = pytest.importorskip("reportlab.pdfgen.canvas")
    c = canvas.Canvas(str(path))
    c.drawString(72, 720, "Willkommenskultur in Osnabrück")
    c.drawString(72, 700, "Die Ausländerbehörde plant Maßnahmen.")
    c.save()


def copy_from(source: Path) -> Callable[[Path], None]:
    return lambda path: path.write_bytes(source.read_bytes())


ADAPTERS = [
    ("pptx", Format.PPTX, ".pptx", copy_from(DATA / "pptx" / "darmstadt_partnerstaedte_willkommenskultur.pptx")),
    ("docx", Format.DOCX, ".docx", copy_from(DATA / "docx" / "osnabrueck_VO-2014-4833_handlungsempfehlungen.docx")),
    ("html", Format.HTML, ".html", copy_from(DATA / "html" / "willkommen_cp1252.html")),
    ("text", Format.TEXT, ".txt", copy_from(DATA / "text" / "osnabrueck_vorlage.txt")),
    ("pdf", Format.PDF, ".pdf", make_pdf),
]  # fmt: skip


def load(name: str):  # noqa: ANN201 - a module
    """Import an adapter module, skipping the test when it does not exist (yet)."""
    try:
        return importlib.import_module(f"watext.extract.{name}")
    except ModuleNotFoundError as exc:
        if exc.name == f"watext.extract.{name}":
            pytest.skip(f"watext.extract.{name} is not available")
        raise


@pytest.mark.parametrize(("name", "fmt", "suffix", "make"), ADAPTERS, ids=[a[0] for a in ADAPTERS])
def test_contract_document_shape(tmp_path: Path, name: str, fmt: Format, suffix: str, make) -> None:
    module = load(name)
    path = tmp_path / f"sample{suffix}"
    make(path)
    doc = module.extract(path, Settings())
    assert isinstance(doc, Document)
    assert doc.id == "" and doc.format is fmt and doc.source == str(path)
    assert doc.blocks, "an adapter returns at least one block for a real file"
    for i, block in enumerate(doc.blocks):
        assert block.text or block.kind is BlockKind.TABLE_CELL
        assert block.text == block.text.strip() and "\r" not in block.text
        if block.parent is not None:
            assert 0 <= block.parent < i and doc.blocks[block.parent].kind is BlockKind.LIST_ITEM
            assert doc.blocks[block.parent].level < block.level
        if block.kind is BlockKind.TABLE_CELL:
            assert None not in (block.table, block.row, block.col)
        if block.page is not None:
            assert doc.pages is not None and 1 <= block.page <= doc.pages
    assert isinstance(doc.metadata, dict)


@pytest.mark.parametrize(("name", "fmt", "suffix", "make"), ADAPTERS, ids=[a[0] for a in ADAPTERS])
def test_contract_bad_bytes_raise_input_error(
    tmp_path: Path, name: str, fmt: Format, suffix: str, make
) -> None:
    module = load(name)
    path = tmp_path / f"bad{suffix}"
    path.write_bytes(b"\x89PNG\r\n\x1a\n" + b"\x00\x00\x00\rIHDR\x08\x02" * 200)
    with pytest.raises(InputError):
        module.extract(path, Settings())
