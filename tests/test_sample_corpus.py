"""Tests for corpus/build_sample.py: the quick-start sample corpus renders and opens."""

from __future__ import annotations

import importlib.util
import io
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
EXPECTED = {
    "chesterfield_survey_answer.html",
    "darmstadt_beschlussvorlage_SV-2015-0187.pdf",
    "darmstadt_pressemitteilung_interkulturelle_woche.html",
    "freiberg_antwort_fragebogen.docx",
    "kaputt_vorlage.pdf",
    "osnabrueck_integrationskonzept_entwurf.pdf",
    "saanen_antwort_email.txt",
    "trondheim_welcome_culture.pptx",
}


def _load_builder():
    spec = importlib.util.spec_from_file_location("build_sample", ROOT / "corpus" / "build_sample.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules["build_sample"] = module  # dataclasses resolve annotations via sys.modules
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def sample(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("sample")
    _load_builder().build(out)
    return out


def test_sample_corpus_expected_files(sample):
    assert {p.name for p in sample.iterdir()} == EXPECTED
    assert all(p.stat().st_size < 100_000 for p in sample.iterdir())


def test_sample_corpus_is_deterministic(sample, tmp_path):
    _load_builder().build(tmp_path)
    for path in sample.iterdir():
        assert (tmp_path / path.name).read_bytes() == path.read_bytes(), path.name


def test_sample_corpus_committed_copy_is_current(sample):
    committed = ROOT / "corpus" / "sample"
    assert {p.name for p in committed.iterdir()} == EXPECTED
    for path in sample.iterdir():
        assert (committed / path.name).read_bytes() == path.read_bytes(), path.name


def test_sample_corpus_beschlussvorlage_pdf(sample):
    pdfplumber = pytest.importorskip("pdfplumber")
    with pdfplumber.open(sample / "darmstadt_beschlussvorlage_SV-2015-0187.pdf") as pdf:
        assert len(pdf.pages) == 2
        first = pdf.pages[0].extract_text()
        tables = pdf.pages[0].extract_tables()
    assert "Seite 1 von 2" in first and "Vorlage-Nr.: SV-2015/0187" in first
    assert tables[1][0] == ["Gremium", "Datum", "Sitzungsart", "Zuständigkeit", "TOP-Nr."]


def test_sample_corpus_concept_pdf(sample):
    pdfplumber = pytest.importorskip("pdfplumber")
    with pdfplumber.open(sample / "osnabrueck_integrationskonzept_entwurf.pdf") as pdf:
        assert len(pdf.pages) >= 3
        text = "\n".join(p.extract_text() for p in pdf.pages)
    assert "Integrationslotsen" in text and "Koordinierungsstelle für Migration und Teilhabe" in text


def test_sample_corpus_broken_pdf_fails(sample):
    pdfplumber = pytest.importorskip("pdfplumber")
    with pytest.raises(Exception):
        with pdfplumber.open(sample / "kaputt_vorlage.pdf") as pdf:
            pdf.pages[0].extract_text()


def test_sample_corpus_docx(sample):
    import docx

    d = docx.Document(str(sample / "freiberg_antwort_fragebogen.docx"))
    headings = [p.text for p in d.paragraphs if p.style.name.startswith("Heading 2")]
    assert len(headings) == 7 and headings[0].startswith("1. Was wird")
    styles = {p.style.name for p in d.paragraphs}
    assert {"List Bullet", "List Bullet 2"} <= styles
    assert any("Amt für Bildung, Jugend und Soziales" in p.text for p in d.paragraphs)


def test_sample_corpus_pptx(sample):
    from pptx import Presentation

    prs = Presentation(str(sample / "trondheim_welcome_culture.pptx"))
    assert len(prs.slides) == 4
    assert all(s.shapes.title.text for s in prs.slides)
    assert any(sh.has_table for s in prs.slides for sh in s.shapes)
    assert all(s.has_notes_slide and s.notes_slide.notes_text_frame.text for s in prs.slides)
    levels = {p.level for s in prs.slides for sh in s.placeholders if sh.has_text_frame
              for p in sh.text_frame.paragraphs}
    assert {0, 1} <= levels


def test_sample_corpus_html(sample):
    from bs4 import BeautifulSoup

    en = BeautifulSoup((sample / "chesterfield_survey_answer.html").read_bytes(), "html.parser")
    assert en.html["lang"] == "en" and len(en.find_all("h2")) == 7
    de = BeautifulSoup((sample / "darmstadt_pressemitteilung_interkulturelle_woche.html").read_bytes(),
                       "html.parser")
    assert "Pressemitteilung" in de.h1.text and "Interkulturelle Woche" in de.get_text()


def test_sample_corpus_email_is_cp1252(sample):
    raw = (sample / "saanen_antwort_email.txt").read_bytes()
    with pytest.raises(UnicodeDecodeError):
        raw.decode("utf-8")
    text = raw.decode("cp1252")
    assert "Sehr geehrte" in text and "Einbürgerungsgesetz" in text and "€" in text
    assert b"\r\n" in raw and io.BytesIO(raw).read(4) == b"Von:"
