"""Agreement of the two PDF engines: PDFium (the default, fast) and pdfplumber (the reference).

Every PDF under ``tests/data``, the seed PDFs and the real documents (``../shared/real-docs``,
read in place; skipped when absent) is extracted with both engines and cut into passages as
ingest does (extract -> enrich -> segment). Over all files, at least 98 % of the passages
must have the same text after whitespace normalisation; every difference is printed
(``pytest -s``) with its kind. On the golden seeds the block sequence (reading order, kinds,
table cells) must be identical.
"""

from __future__ import annotations

import difflib
import re
from functools import cache
from pathlib import Path

import pytest

from watext.enrich import enrich
from watext.enrich.cities import load_cities
from watext.errors import InputError
from watext.extract.pdf import extract
from watext.model import BlockKind, Document
from watext.segment import segment
from watext.settings import Settings

from .paths import DATA, REAL_DOCS, SEEDS, needs_seeds

ENGINES = ("pdfplumber", "pdfium")
MIN_AGREEMENT = 0.98


def _files() -> list[Path]:
    files = sorted(DATA.rglob("*.pdf")) + sorted(SEEDS.glob("*.pdf"))
    if REAL_DOCS.is_dir():
        files += sorted(REAL_DOCS.glob("*.pdf"))
    return files


@cache
def _read(path: Path, engine: str) -> Document | str:
    """The document, or the error code when the engine refuses the file."""
    try:
        doc = extract(path, Settings(pdf_engine=engine))
    except InputError as exc:
        return exc.code
    return doc


@cache
def _passages(path: Path, engine: str) -> list[str] | str:
    doc = _read(path, engine)
    if isinstance(doc, str):
        return doc
    doc.id = "x"
    enrich(doc, None, [c.name for c in load_cities()])
    return [_norm(p.text) for p in segment(doc, Settings().max_passage_chars)]


def _norm(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()


def _kind(a: str, b: str) -> str:
    if re.sub(r"\s", "", a) == re.sub(r"\s", "", b):
        return "word boundaries"
    if re.sub(r"\W", "", a) == re.sub(r"\W", "", b):
        return "punctuation/symbols"
    return "text"


def _compare(path: Path) -> tuple[int, int, list[str]]:
    """(passages that agree, passages in all, printable differences) of one file."""
    ref, fast = _passages(path, "pdfplumber"), _passages(path, "pdfium")
    if isinstance(ref, str) or isinstance(fast, str):
        same = ref == fast
        return int(same), 1, [] if same else [f"{path.name}: pdfplumber {ref!r:.60} / pdfium {fast!r:.60}"]
    matcher = difflib.SequenceMatcher(a=ref, b=fast, autojunk=False)
    equal = sum(size for _, _, size in matcher.get_matching_blocks())
    notes = []
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal":
            continue
        for k in range(max(i2 - i1, j2 - j1)):
            a = ref[i1 + k] if i1 + k < i2 else ""
            b = fast[j1 + k] if j1 + k < j2 else ""
            notes.append(f"{path.name} [{_kind(a, b)}]\n    pdfplumber: {a[:160]!r}\n    pdfium:     {b[:160]!r}")
    return equal, max(len(ref), len(fast)), notes


def test_pdf_engines_agree_on_passages() -> None:
    agree = total = 0
    notes: list[str] = []
    for path in _files():
        a, t, n = _compare(path)
        agree, total, notes = agree + a, total + t, notes + n
        print(f"{path.name}: {a}/{t} passages agree")
    print(f"\n{len(notes)} differences:")
    for note in notes:
        print(note)
    print(f"\nagreement: {agree}/{total} = {agree / total:.1%}")
    assert total and agree / total >= MIN_AGREEMENT


def _blocks(doc: Document) -> list[tuple[object, ...]]:
    return [(b.kind, b.text, b.page, b.level, b.parent, b.table, b.row, b.col) for b in doc.blocks]


@needs_seeds
@pytest.mark.parametrize("name", ["darmstadt_partnerstaedte_willkommenskultur.pdf",
                                  "osnabrueck_VO-2014-4833_handlungsempfehlungen.pdf"])  # fmt: skip
def test_pdf_engines_same_blocks_and_tables_on_golden_seeds(name: str) -> None:
    ref, fast = _read(SEEDS / name, "pdfplumber"), _read(SEEDS / name, "pdfium")
    assert isinstance(ref, Document) and isinstance(fast, Document)
    assert _blocks(fast) == _blocks(ref)
    assert fast.tables() == ref.tables()
    assert [b.kind for b in fast.blocks].count(BlockKind.TABLE_CELL) > 0
    assert fast.title == ref.title and fast.pages == ref.pages
    assert {k: v for k, v in fast.metadata.items()} == {k: v for k, v in ref.metadata.items()}


def test_pdf_engines_same_errors_for_bad_files(tmp_path: Path) -> None:
    junk = tmp_path / "junk.pdf"
    junk.write_bytes(b"%PDF-1.7\n" + bytes(range(256)) * 16)
    assert _read(junk, "pdfium") == _read(junk, "pdfplumber") == "corrupt"
