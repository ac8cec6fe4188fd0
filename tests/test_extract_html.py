"""Tests of the HTML adapter: decoding, chrome removal, structure, metadata."""

from __future__ import annotations

from pathlib import Path

import pytest

from watext.errors import EmptyFileError
from watext.extract.html import decode_html, extract
from watext.model import BlockKind, Document
from watext.settings import Settings

from .golden import check_golden, document_golden

DATA = Path(__file__).parent / "data" / "html"
SEED = DATA / "willkommen_cp1252.html"



def read(tmp_path: Path, html: str, encoding: str = "utf-8") -> Document:
    path = tmp_path / "page.html"
    path.write_bytes(html.encode(encoding))
    return extract(path, Settings())


@pytest.fixture(scope="module")
def seed() -> Document:
    return extract(SEED, Settings())


def test_html_seed_matches_golden(seed: Document) -> None:
    check_golden(document_golden(seed), SEED.with_suffix(".expected.json"))


def test_html_seed_drops_chrome_and_keeps_text_plain(seed: Document) -> None:
    text = seed.text
    for chrome in ("Menü", "Start", "Impressum", "Suche", "alert", "comment"):
        assert chrome not in text
    assert "Die Ausländerbehörde plant Maßnahmen <b>x</b> – 5 €." in text  # escaped markup is data
    assert seed.title == "Willkommenskultur in Osnabrück"
    assert seed.metadata == {"author": "Amt 15", "declared_language": "de", "encoding": "cp1252"}


def test_html_seed_lists_and_tables(seed: Document) -> None:
    items = [(b.text, b.level, b.parent) for b in seed.blocks if b.kind is BlockKind.LIST_ITEM]
    first = next(i for i, b in enumerate(seed.blocks) if b.text == "Eins")
    assert items == [("Eins", 0, None), ("Eins.a", 1, first), ("Eins.b", 1, first), ("Zwei", 0, None)]
    assert seed.tables() == {0: [["A", "B", ""], ["1", "2", ""], ["", "3", "4"]]}


@pytest.mark.parametrize(
    ("html", "encoding", "codec"),
    [('<meta charset="iso-8859-1"><p>Maßnahmen €</p>', "cp1252", "cp1252"),
     ('<meta http-equiv="Content-Type" content="text/html; charset=utf-8"><p>Maßnahmen €</p>',
      "utf-8", "utf-8"),
     ("<p>Maßnahmen €</p>", "utf-8", "utf-8"),
     ("<p>Maßnahmen €</p>", "cp1252", "cp1252"),
     ("<p>Maßnahmen €</p>", "utf-16", "utf-16")],
)  # fmt: skip
def test_html_decodes_declared_and_guessed_encodings(html: str, encoding: str, codec: str) -> None:
    text, used = decode_html(html.encode(encoding))
    assert "Maßnahmen €" in text and used == codec


def test_html_headings_br_and_title_fallback(tmp_path: Path) -> None:
    doc = read(tmp_path, "<html><head><title>Seite | Stadt</title></head><body>"
                         "<h2>Unter<b>titel</b></h2><p>Zeile eins<br>Zeile zwei</p>"
                         "<blockquote>Zitat</blockquote><pre>a\n  b</pre></body></html>")  # fmt: skip
    assert [(b.kind, b.text, b.level) for b in doc.blocks] == [
        (BlockKind.HEADING, "Untertitel", 2),
        (BlockKind.PARAGRAPH, "Zeile eins Zeile zwei", 0),
        (BlockKind.PARAGRAPH, "Zitat", 0),
        (BlockKind.PARAGRAPH, "a b", 0),
    ]
    assert doc.title == "Seite | Stadt"


def test_html_script_content_is_never_text(tmp_path: Path) -> None:
    doc = read(tmp_path, "<p>Hallo</p><script>document.write('<p>böse</p>')</script>"
                         "<template><p>versteckt</p></template><p hidden>weg</p>")  # fmt: skip
    assert [b.text for b in doc.blocks] == ["Hallo"]


@pytest.mark.parametrize("html", ["", "<html><body><script>x()</script></body></html>"])
def test_html_without_text_raises_empty(tmp_path: Path, html: str) -> None:
    with pytest.raises(EmptyFileError):
        read(tmp_path, html)
