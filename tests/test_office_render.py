"""Acceptance: the slides and the workbook of the seven partner cities, rendered to PDF by
LibreOffice, read as people see them (issue 14).

Needs LibreOffice (``soffice``; ``bash scripts/setup.sh --system`` installs it). Without it
the tests are skipped locally and fail in CI (``CI=true``), like the PostgreSQL tests.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from pathlib import Path

import pdfplumber
import pytest

from watext import i18n
from watext.i18n import names
from watext.tables.export.pptx import _pieces

GOAL_TITLES = names("goal", "de")

PARTNER_CITIES = ["Brescia", "Bursa", "Chesterfield", "Darmstadt", "Freiberg", "Saanen", "Trondheim"]


@pytest.fixture(scope="module")
def office() -> str:
    """The LibreOffice binary, or skip (locally) / fail (in CI) without one."""
    found = shutil.which("soffice") or shutil.which("libreoffice")
    if found:
        return found
    if os.environ.get("CI", "").lower() == "true":
        pytest.fail("CI=true but LibreOffice (soffice) is missing: install libreoffice-impress and "
                    "libreoffice-calc (bash scripts/setup.sh --system)", pytrace=False)  # fmt: skip
    pytest.skip("LibreOffice (soffice) is not installed")


def _render(office: str, store, out: Path, lang: str) -> dict[str, Path]:
    """The slides and the workbook of ``store`` in ``lang``, rendered to PDF in ``out``."""
    from watext import pipeline
    from watext.settings import get_settings

    with i18n.use(lang):
        pipeline.build_tables(store, get_settings(), out, ["pptx", "xlsx"])
    files = [out / "rueckmeldung_partnerstaedte.pptx", out / "tables.xlsx"]
    profile = (out / "lo-profile").as_uri()  # an own profile: no clash with a running LibreOffice
    subprocess.run([office, f"-env:UserInstallation={profile}", "--headless", "--convert-to", "pdf",
                    "--outdir", str(out), *map(str, files)],
                   check=True, capture_output=True, timeout=300)  # fmt: skip
    result = {"pptx": out / "rueckmeldung_partnerstaedte.pdf", "xlsx": out / "tables.pdf"}
    assert all(p.is_file() for p in result.values()), sorted(p.name for p in out.iterdir())
    return result


@pytest.fixture(scope="module")
def pdfs(office: str, partner_store, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """``{"pptx": slides.pdf, "xlsx": workbook.pdf}`` of the partner cities' tables (LibreOffice
    is looked for first, so a missing one skips or fails before the corpus is ingested)."""
    return _render(office, partner_store, tmp_path_factory.mktemp("office"), "de")


@pytest.fixture(scope="module")
def pdfs_en(office: str, partner_store, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """The same in English (``WATEXT_LANG=en``): one more LibreOffice run."""
    return _render(office, partner_store, tmp_path_factory.mktemp("office-en"), "en")


def _allowed_header_words() -> set[str]:
    """What may stand on a line of a goals header: whole words, or the parts of a word
    split after ``-`` or ``/`` ("Anti-" / "Diskriminierung"), never a piece cut inside a word."""
    return {"Ziele:"} | {w for t in GOAL_TITLES.values() for w in [*t.split(), *_pieces(t)]}


def test_office_slides_goal_headers_never_break_inside_a_word(pdfs: dict[str, Path]) -> None:
    with pdfplumber.open(pdfs["pptx"]) as pdf:
        page = next(p for p in pdf.pages if (p.extract_text() or "").startswith("1. Was wird"))
        words = page.extract_words()
    first_city = min(w["top"] for w in words if w["text"].startswith(PARTNER_CITIES[0]))
    title_bottom = max(w["bottom"] for w in words if w["text"] == "Anerkennungskultur" or w["text"] == "verstanden?")
    marks = re.compile(r"[✓?*]+")  # the first row's marks stand a little higher than its city
    header = [w["text"] for w in words if title_bottom < w["top"] < first_city and not marks.fullmatch(w["text"])]
    assert header, [w["text"] for w in words]
    assert set(header) <= _allowed_header_words(), header
    for title in GOAL_TITLES.values():  # every word whole, or cut only after - or /
        for word in title.split():
            assert word in header or all(p in header for p in _pieces(word)), (word, header)
    for city in PARTNER_CITIES:
        assert any(w["text"] == city for w in words), city


def test_office_measure_slides_are_readable_lists(pdfs: dict[str, Path]) -> None:
    with pdfplumber.open(pdfs["pptx"]) as pdf:
        pages = [p for p in pdf.pages if (p.extract_text() or "").startswith("3. Gibt es")]
        assert pages
        for page in pages:
            body = [c for c in page.chars if c["top"] < page.height - 0.7 * 72 and c["text"].strip()]  # no footnote
            assert body and min(c["size"] for c in body) >= 11.5, page.page_number
            text = page.extract_text()
            assert "Kulturelle Vielfalt" in text or "(Forts.)" in text
            # nothing runs off the slide
            assert max(c["bottom"] for c in page.chars) <= page.height


def test_office_workbook_page_one_shows_the_whole_goals_matrix(pdfs: dict[str, Path]) -> None:
    with pdfplumber.open(pdfs["xlsx"]) as pdf:
        first = pdf.pages[0]
        words = {w["text"] for w in first.extract_words()}
        text = first.extract_text()
        n_pages = len(pdf.pages)
    assert "Ziele" in text.splitlines()[0]  # the print title: the sheet name
    for title in GOAL_TITLES.values():
        for word in title.split():
            assert word in words, (title, word)  # whole words: no break inside one
    for city in PARTNER_CITIES:
        assert city in words, city
    assert re.search(r"Seite 1 von \d+", text) and n_pages > 1


def test_office_english_slides_and_workbook(pdfs_en: dict[str, Path]) -> None:
    """In English the goal headers keep their words whole too, and the print titles and
    footers are English."""
    titles = names("goal", "en")
    allowed = {"Goals:"} | {w for t in titles.values() for w in [*t.split(), *_pieces(t)]}
    with pdfplumber.open(pdfs_en["pptx"]) as pdf:
        texts = [p.extract_text() or "" for p in pdf.pages]
        page = next(p for p, text in zip(pdf.pages, texts, strict=True) if text.startswith("1. What does"))
        words = page.extract_words()
    assert texts[0].startswith("Feedback from the partner cities")
    first_city = min(w["top"] for w in words if w["text"].startswith(PARTNER_CITIES[0]))
    title_bottom = max(w["bottom"] for w in words if w["text"] == "recognition?")
    marks = re.compile(r"[✓?*]+")
    header = [w["text"] for w in words if title_bottom < w["top"] < first_city and not marks.fullmatch(w["text"])]
    assert header and set(header) <= allowed, header
    for title in titles.values():
        for word in title.split():
            assert word in header or all(p in header for p in _pieces(word)), (word, header)
    assert all("Source: watext" in t and "Quelle" not in t for t in texts)
    with pdfplumber.open(pdfs_en["xlsx"]) as pdf:
        first = pdf.pages[0]
        words = {w["text"] for w in first.extract_words()}
        text = first.extract_text()
    assert text.splitlines()[0].strip() == "Goals"  # the print title: the sheet name
    for title in titles.values():
        for word in title.split():
            assert word in words, (title, word)
    assert re.search(r"Page 1 of \d+", text) and "Seite" not in text and "Stadt" not in words
