"""Tests of the plain-text adapter: decoding, structure rules, e-mail headers, errors."""

from __future__ import annotations

import codecs
from pathlib import Path

import pytest
from hypothesis import given, settings as hsettings
from hypothesis import strategies as st

from watext.errors import CorruptFileError, EmptyFileError
from watext.extract.lists import join_wrapped_lines, parse_marker
from watext.extract.text import decode_bytes, extract
from watext.model import BlockKind, Document
from watext.settings import Settings

from .golden import check_golden, document_golden

DATA = Path(__file__).parent / "data" / "text"
GERMAN = "Die Ausländerbehörde plant Maßnahmen: „Anführungszeichen“ – Kosten 135.000 €.\n"



def read(tmp_path: Path, content: str | bytes, name: str = "t.txt") -> Document:
    path = tmp_path / name
    path.write_bytes(content.encode("utf-8") if isinstance(content, str) else content)
    return extract(path, Settings())


def test_text_seed_matches_golden() -> None:
    seed = DATA / "osnabrueck_vorlage.txt"
    doc = extract(seed, Settings())
    check_golden(document_golden(doc), seed.with_suffix(".expected.json"))
    assert doc.blocks[0].text == "<b>Mitteilungsvorlage</b>"  # markup stays literal
    items = [b.text for b in doc.blocks if b.kind is BlockKind.LIST_ITEM]
    assert len(items) == 11 and items[9].startswith("10. Umsetzung")


@pytest.mark.parametrize(
    ("encoding", "expected"),
    [("utf-8", "utf-8"), ("utf-8-sig", "utf-8-sig"), ("utf-16", "utf-16"),
     ("utf-16-le", "utf-16-le"), ("cp1252", "cp1252"), ("latin-1", "cp1252")],
)  # fmt: skip
def test_text_decodes_german_encodings(encoding: str, expected: str) -> None:
    text = GERMAN if encoding != "latin-1" else GERMAN.replace("„", '"').replace("“", '"')
    text = text.replace("–", "-").replace("€", "EUR") if encoding == "latin-1" else text
    decoded, used = decode_bytes(text.encode(encoding))
    assert decoded.lstrip("\ufeff") == text
    assert used == expected


def test_text_records_encoding_in_metadata(tmp_path: Path) -> None:
    doc = read(tmp_path, ("Maßnahmen der Ausländerbehörde\n").encode("cp1252"))
    assert doc.metadata["encoding"] == "cp1252"
    assert doc.blocks[0].text == "Maßnahmen der Ausländerbehörde"


@pytest.mark.parametrize(
    ("lines", "joined"),
    [(["Integrations-", "konzept"], "Integrationskonzept"),
     (["Willkommens-", "und Anerkennungskultur"], "Willkommens- und Anerkennungskultur"),
     (["Das ist", "  ein Satz"], "Das ist ein Satz"),
     (["Bund -", "im Jahr"], "Bund - im Jahr"),
     (["EU-", "Mittel"], "EU- Mittel")],
)  # fmt: skip
def test_lists_join_wrapped_lines(lines: list[str], joined: str) -> None:
    assert join_wrapped_lines(lines) == joined


@pytest.mark.parametrize(
    ("line", "text", "number"),
    [("1. Wandel", "1. Wandel", 1), ("  2) Zwei", "2) Zwei", 2), ("- Punkt", "Punkt", None),
     ("• Punkt", "Punkt", None), ("a) Buchstabe", "a) Buchstabe", None),
     ("27.10.2014 Datum", None, None), ("Nr. 5 ist", None, None), ("-5 Grad", None, None)],
)  # fmt: skip
def test_lists_parse_marker(line: str, text: str | None, number: int | None) -> None:
    marker = parse_marker(line)
    assert (marker.text if marker else None) == text
    assert (marker.number if marker else None) == number


def test_text_structure_rules(tmp_path: Path) -> None:
    content = (
        "# Konzept\n\nSACHVERHALT\n\nDie Stadt plant ein Integrations-\nkonzept für alle.\n\n"
        "Maßnahmen:\n\n- Sprachkurse\n  - für Erwachsene\n  - für Kinder\n- Lotsen\n\n"
        "**Ergebnis:**\n\nName\tOrt\nAmt 15\tOsnabrück\n"
    )
    doc = read(tmp_path, content)
    got = [(b.kind, b.text, b.level, b.parent) for b in doc.blocks if b.kind is not BlockKind.TABLE_CELL]
    assert got == [
        (BlockKind.HEADING, "Konzept", 1, None),
        (BlockKind.HEADING, "SACHVERHALT", 2, None),
        (BlockKind.PARAGRAPH, "Die Stadt plant ein Integrationskonzept für alle.", 0, None),
        (BlockKind.HEADING, "Maßnahmen:", 2, None),
        (BlockKind.LIST_ITEM, "Sprachkurse", 0, None),
        (BlockKind.LIST_ITEM, "für Erwachsene", 1, 4),
        (BlockKind.LIST_ITEM, "für Kinder", 1, 4),
        (BlockKind.LIST_ITEM, "Lotsen", 0, None),
        (BlockKind.HEADING, "Ergebnis:", 2, None),
    ]
    assert doc.tables() == {0: [["Name", "Ort"], ["Amt 15", "Osnabrück"]]}


def test_text_email_headers_go_to_metadata(tmp_path: Path) -> None:
    content = ("Von: Amt 15 <amt15@example.org>\nAn: Rat\nBetreff: Willkommensbüro\n"
               "Datum: 09.12.2014\n\nSehr geehrte Damen und Herren,\n")  # fmt: skip
    doc = read(tmp_path, content, "mail.eml")
    assert doc.title == "Willkommensbüro"
    assert doc.metadata["email_from"] == "Amt 15 <amt15@example.org>"
    assert doc.metadata["email_date"] == "09.12.2014"
    assert [b.text for b in doc.blocks] == ["Sehr geehrte Damen und Herren,"]


@pytest.mark.parametrize("content", [b"", b"   \n\n\t ", "\ufeff\n".encode("utf-8")])
def test_text_blank_raises_empty(tmp_path: Path, content: bytes) -> None:
    with pytest.raises(EmptyFileError):
        read(tmp_path, content)


def test_text_binary_raises_corrupt(tmp_path: Path) -> None:
    with pytest.raises(CorruptFileError):
        read(tmp_path, b"\x89PNG\r\n\x1a\n" + b"\x00\x00\x00\rIHDR" * 500)


def test_text_bomless_utf16_is_not_binary(tmp_path: Path) -> None:
    doc = read(tmp_path, GERMAN.encode("utf-16-le"))
    assert doc.blocks[0].text == GERMAN.strip()


@hsettings(max_examples=60, deadline=None)
@given(st.text(alphabet=st.sampled_from(list("abcÄöüß€„“- \n\t1.*#:")), max_size=200))
def test_text_blocks_never_empty(text: str) -> None:
    try:
        decoded, _ = decode_bytes(codecs.BOM_UTF8 + text.encode("utf-8"))
    except CorruptFileError:
        return
    from watext.extract.text import parse_lines

    for block in parse_lines(decoded.split("\n")):
        assert block.text or block.kind is BlockKind.TABLE_CELL
        assert block.text == block.text.strip()


def test_a_missing_golden_file_fails_and_is_not_written(tmp_path, monkeypatch) -> None:  # noqa: ANN001
    monkeypatch.delenv("WATEXT_REGEN_GOLDEN", raising=False)
    with pytest.raises(pytest.fail.Exception, match="missing"):
        check_golden({"blocks": []}, tmp_path / "x.expected.json")
    assert not (tmp_path / "x.expected.json").exists()
    monkeypatch.setenv("WATEXT_REGEN_GOLDEN", "1")
    check_golden({"blocks": []}, tmp_path / "x.expected.json")
    monkeypatch.delenv("WATEXT_REGEN_GOLDEN")
    with pytest.raises(AssertionError):
        check_golden({"blocks": ["changed"]}, tmp_path / "x.expected.json")


def test_a_printed_email_gets_its_subject_as_title(tmp_path) -> None:  # noqa: ANN001
    mail = tmp_path / "mail.txt"
    mail.write_text("AW: Umfrage Willkommenskultur\n\nVon: Stadt Beispiel <info@example.org>\n\n"
                    "Betreff: AW: Umfrage Willkommenskultur\n\nDatum: 5. Mai 2015\n\n"
                    "1. Was verstehen Sie unter Willkommenskultur?\nOffenheit.\n", encoding="utf-8")  # fmt: skip
    doc = extract(mail, Settings())
    assert doc.title == "AW: Umfrage Willkommenskultur"
    assert doc.metadata["email_from"].startswith("Stadt Beispiel") and doc.metadata["email_date"] == "5. Mai 2015"
    assert not any(b.text.startswith(("Von:", "Betreff:", "AW:")) for b in doc.blocks)
    other = tmp_path / "notes.txt"  # a first line that is not the subject: nothing is taken away
    other.write_text("Protokoll der Sitzung\n\nVon: Amt 16\n\nBetreff: Sprachkurse\n\nText.\n", encoding="utf-8")
    doc = extract(other, Settings())
    assert doc.blocks[0].text == "Protokoll der Sitzung" and "email_from" not in doc.metadata
