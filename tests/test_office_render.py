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

from watext.tables.export.pptx import _pieces
from watext.i18n import names

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


@pytest.fixture(scope="module")
def pdfs(office: str, partner_store, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:  # noqa: ANN001
    """``{"pptx": slides.pdf, "xlsx": workbook.pdf}`` of the partner cities' tables (LibreOffice
    is looked for first, so a missing one skips or fails before the corpus is ingested)."""
    from watext import pipeline
    from watext.settings import get_settings

    out = tmp_path_factory.mktemp("office")
    pipeline.build_tables(partner_store, get_settings(), out, ["pptx", "xlsx"])
    files = [out / "rueckmeldung_partnerstaedte.pptx", out / "tables.xlsx"]
    profile = (out / "lo-profile").as_uri()  # an own profile: no clash with a running LibreOffice
    subprocess.run([office, f"-env:UserInstallation={profile}", "--headless", "--convert-to", "pdf",
                    "--outdir", str(out), *map(str, files)],
                   check=True, capture_output=True, timeout=300)  # fmt: skip
    result = {"pptx": out / "rueckmeldung_partnerstaedte.pdf", "xlsx": out / "tables.pdf"}
    assert all(p.is_file() for p in result.values()), sorted(p.name for p in out.iterdir())
    return result


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
