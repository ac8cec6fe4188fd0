"""Tests for the pure text-repair functions of watext.extract.normalize."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from watext.extract.normalize import clean_text, ends_sentence, is_bullet, join_lines, join_pair, repair_cell


@pytest.mark.parametrize(
    ("cell", "expected"),
    [
        ("Dienstleistungsori\nentierung", "Dienstleistungsorientierung"),
        ("Standortförderun\ng", "Standortförderung"),
        ("Zuständigkei\nt", "Zuständigkeit"),
        ("Kenntnisnah\nme", "Kenntnisnahme"),
        ("Beratungsstellen für Sinti\nund Roma", "Beratungsstellen für Sinti und Roma"),
        ("Teilhabe /\nIntegration", "Teilhabe / Integration"),
        ("Rat der Stadt\nOsnabrück", "Rat der Stadt Osnabrück"),
        ("Anti-\nDiskriminierung", "Anti-Diskriminierung"),
        ("Integrations-\nkonzept", "Integrationskonzept"),
        ("Fach-\nund Führungskräfte", "Fach- und Führungskräfte"),
        ("Fach- und", "Fach- und"),
        ("Sinti\nund", "Sinti und"),  # a standalone word is never a word tail
        ("09.12.2014", "09.12.2014"),
        ("", ""),
        ("  \n ", ""),
    ],
)
def test_normalize_repair_cell_joins_broken_words(cell: str, expected: str) -> None:
    assert repair_cell(cell) == expected


@pytest.mark.parametrize(
    ("cell", "expected"),
    [
        (
            "- Interkulturelle Woche\n- Freiberger Fest der\nKulturen\n- Balkan-Kulturfest",
            "- Interkulturelle Woche\n- Freiberger Fest der Kulturen\n- Balkan-Kulturfest",
        ),
        (
            "- Stärkung der\n„Communities“\nVereinsförderung\n- AG „Ausländer im\nStadtparlament“",
            "- Stärkung der „Communities“ Vereinsförderung\n- AG „Ausländer im Stadtparlament“",
        ),
        (
            "- IHK-Audit\n„Ausgezeichneter Wohnort\nfür Fach- und\nFührungskräfte“\n- Gästeempfang",
            "- IHK-Audit „Ausgezeichneter Wohnort für Fach- und Führungskräfte“\n- Gästeempfang",
        ),
        ("• Sprachkurse\n• Dienstleistungsori\nentierung", "• Sprachkurse\n• Dienstleistungsorientierung"),
    ],
)
def test_normalize_repair_cell_keeps_one_item_per_line(cell: str, expected: str) -> None:
    assert repair_cell(cell) == expected


@pytest.mark.parametrize(
    ("lines", "expected"),
    [
        (["eines Integrations-", "konzeptes aufgreifen"], "eines Integrationskonzeptes aufgreifen"),
        (["Willkommens- und", "Anerkennungskultur"], "Willkommens- und Anerkennungskultur"),
        (["der Willkommens-", "und Anerkennungskultur"], "der Willkommens- und Anerkennungskultur"),
        (["auf die (Weiter-)entwicklung von", "Willkommens- und"], "auf die (Weiter-)entwicklung von Willkommens- und"),
        (["die Anti-", "Diskriminierung"], "die Anti-Diskriminierung"),
        (["genannte -", "Fortführung"], "genannte - Fortführung"),
        (["Jahre 2013-", "2015"], "Jahre 2013-2015"),
        (["Sinti", "und Roma"], "Sinti und Roma"),
        (["Zuständigkei", "t"], "Zuständigkei t"),  # running text never breaks mid-word
        (["", "  a  ", ""], "a"),
        ([], ""),
    ],
)
def test_normalize_join_lines_repairs_hyphenation(lines: list[str], expected: str) -> None:
    assert join_lines(lines) == expected


def test_normalize_join_pair_midword_only_for_single_word_lines() -> None:
    assert join_pair("Zuständigkei", "t", midword=True) == "Zuständigkeit"
    assert join_pair("- Zuständigkei", "t", midword=True) == "- Zuständigkeit"
    assert join_pair("für ausl.", "studierende", midword=True) == "für ausl. studierende"
    assert join_pair("Stadt", "und Land", midword=True) == "Stadt und Land"


@pytest.mark.parametrize(("token", "expected"), [("•", True), ("–", True), ("-", True), ("\uf0a7", True), ("➢", True), ("a", False), ("1.", False)])
def test_normalize_is_bullet_recognises_glyphs(token: str, expected: bool) -> None:
    assert is_bullet(token) is expected


@pytest.mark.parametrize(("text", "expected"), [("Ende.", True), ("Frage?", True), ("Sachverhalt:", True), ("„Zitat.“", True), ("werden", False), ("", False)])
def test_normalize_ends_sentence(text: str, expected: bool) -> None:
    assert ends_sentence(text) is expected


@given(st.lists(st.text(alphabet="abcXYZ äö-/ .", max_size=12), max_size=6))
def test_normalize_repair_cell_is_single_line_and_idempotent_for_plain_cells(lines: list[str]) -> None:
    text = "\n".join(lines)
    out = repair_cell(text)
    assert out == clean_text(out)
    if not out.startswith("-"):
        assert "\n" not in out
        assert repair_cell(out) == out
