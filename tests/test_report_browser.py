"""report.html in a real browser (Playwright + Debian chromium at /usr/bin/chromium).

German under the default setting, English with ``WATEXT_LANG=en``: no readable text of the
page (body text, evidence panel, titles, aria labels) uses a word of the other language's
catalogue (derived from ``i18n/<lang>/report.json``, ``labels.json``, ``common.json``; see
tests/test_i18n_report.py). Screenshots go to each test's tmp dir.

Skipped locally when playwright or chromium is missing; with ``CI=true`` a missing
browser fails the run instead, so it cannot go unnoticed.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest

from watext.tables.aggregate import RULES
from watext.tables.export import export_tables
from watext.i18n import names

GOAL_TITLES = names("goal", "de")

from .tables_fixture import (
    CITIES, DOUBT_CELL, FORMULA_CELL, FORMULA_TEXT, NEAR_TEXT, PLAIN_CELL, PLAIN_TEXT, PLAIN_TITLE,
    XSS_CELL, XSS_TEXT, sample_tables,
)  # fmt: skip
from .test_i18n_report import DATA, found, foreign_words


pytestmark = pytest.mark.browser
GOALS = list(GOAL_TITLES)
#: Words of the old report's English labels, rules and raw meta data (issue 14).
ENGLISH = re.compile(r"\b(passages|model|models|rules?|counts|verified|doubtful|classified|reviewed|"
                     r"model_name|model_version|built_at|when|city|goal|threshold)\b", re.I)  # fmt: skip


def _export(out: Path) -> Path:
    """The sample report with the meta data a real build carries (English rules, counts)."""
    tables = sample_tables()
    tables.meta.update(
        model_name="watext-goals", model_version="20261129-094251",
        counts={"passages": 315, "classified": 315, "reviewed": 0, "unclassified": 0},
        rules={k: v.format(min_support=1, doubt_low=0.3, doubt_high=0.7) for k, v in RULES.items()},
    )  # fmt: skip
    return export_tables(tables, out, formats=["html"])["html"][0]


@pytest.fixture(scope="module")
def report(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The sample report under the default setting (German)."""
    with pytest.MonkeyPatch.context() as mp:
        mp.delenv("WATEXT_LANG", raising=False)
        return _export(tmp_path_factory.mktemp("report"))


@pytest.fixture(scope="module")
def report_en(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The same report written with ``WATEXT_LANG=en``."""
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("WATEXT_LANG", "en")
        return _export(tmp_path_factory.mktemp("report_en"))


class Page:
    """A page on report.html that records dialogs, network requests and errors."""

    def __init__(self, browser, report: Path) -> None:  # noqa: ANN001
        self.context = browser.new_context()
        self.page = self.context.new_page()
        self.dialogs: list[str] = []
        self.requests: list[str] = []
        self.errors: list[str] = []

        def on_dialog(dialog) -> None:  # noqa: ANN001
            self.dialogs.append(dialog.message)
            dialog.dismiss()

        self.page.on("dialog", on_dialog)
        self.page.on("request", lambda req: self.requests.append(req.url))
        self.page.on("pageerror", lambda err: self.errors.append(str(err)))
        self.page.on("console", lambda msg: self.errors.append(msg.text) if msg.type == "error" else None)
        self.page.goto(report.as_uri())

    def button(self, cell: tuple[str, str]):  # noqa: ANN201
        r, c = CITIES.index(cell[0]), GOALS.index(cell[1])
        return self.page.locator(f"#c{r}-{c}")


@pytest.fixture()
def page(browser, report: Path) -> Iterator[Page]:  # noqa: ANN001
    p = Page(browser, report)
    try:
        yield p
    finally:
        p.context.close()


def test_click_cell_shows_its_evidence(page: Page) -> None:
    from playwright.sync_api import expect

    panel = page.page.locator("#evidence")
    expect(panel).to_contain_text("Keine Zelle gewählt")
    page.button(PLAIN_CELL).click()
    expect(panel).to_contain_text(PLAIN_TEXT)
    expect(panel).to_contain_text(PLAIN_TITLE)
    expect(panel).to_contain_text("Darmstadt × Teilhabe / Integration")
    expect(panel).to_contain_text("geprüft")
    expect(panel.locator(".passage")).to_have_count(3)
    expect(page.button(PLAIN_CELL)).to_have_attribute("aria-pressed", "true")
    assert page.errors == []


def test_doubtful_cell_shows_probability_and_near_misses(page: Page) -> None:
    from playwright.sync_api import expect

    panel = page.page.locator("#evidence")
    expect(page.page.locator(".doubt-summary")).to_contain_text("1 von 24 Zellen sind zweifelhaft")
    page.button(DOUBT_CELL).click()
    expect(panel).to_contain_text("Wahrscheinlichkeit 0,35")
    expect(panel).to_contain_text("zweifelhaft")
    expect(panel).to_contain_text("Knapp unter der Schwelle")
    assert NEAR_TEXT in panel.locator("blockquote").all_text_contents()
    assert panel.locator("img").count() == 0
    assert page.dialogs == [] and page.errors == []


def test_script_passage_is_literal_text_and_never_runs(page: Page) -> None:
    from playwright.sync_api import expect

    panel = page.page.locator("#evidence")
    page.button(XSS_CELL).click()
    expect(panel).to_contain_text("<script>alert(1)</script>")
    texts = panel.locator("blockquote").all_text_contents()
    assert XSS_TEXT in texts
    assert panel.locator("script").count() == 0
    assert panel.locator("b").count() == 0  # the passage's <b> tag is text, not markup
    # the same passage in the best-practice <details> is text as well
    page.page.locator("#best-practice + table details").nth(1).locator("summary").click()
    assert XSS_TEXT in page.page.locator("#best-practice + table blockquote").all_text_contents()
    assert page.dialogs == []
    assert page.errors == []


def test_cell_activates_with_keyboard(page: Page) -> None:
    from playwright.sync_api import expect

    panel = page.page.locator("#evidence")
    btn = page.button(FORMULA_CELL)
    btn.focus()
    page.page.keyboard.press("Enter")
    expect(panel).to_contain_text(FORMULA_TEXT)
    expect(panel).to_contain_text("Modell")
    # Space works too, on another cell reached by focus
    page.button(PLAIN_CELL).focus()
    page.page.keyboard.press(" ")
    expect(panel).to_contain_text(PLAIN_TEXT)
    assert page.dialogs == []


def test_report_loads_nothing_from_the_network(page: Page) -> None:
    page.button(FORMULA_CELL).click()  # a passage holding an http URL
    page.page.wait_for_load_state("load")
    external = [u for u in page.requests if not u.startswith(("file:", "data:", "about:"))]
    assert external == []
    assert page.errors == []


def _english_words(text: str) -> list[str]:
    return sorted({m.group(0) for m in ENGLISH.finditer(text)})


#: Words of the English catalogue (i18n/en/report.json, labels, common) that German never
#: uses and no document text of the fixture holds: none may show under the default setting;
#: and the mirror list for WATEXT_LANG=en (the English rules as built count as data there).
ENGLISH_WORDS = foreign_words("de", *DATA["de"])
GERMAN_WORDS = foreign_words("en", *DATA["en"])

_LABELS_JS = """() => {
  const out = [document.title];
  for (const e of document.querySelectorAll("[title], [aria-label]")) {
    out.push(e.getAttribute("title") || "", e.getAttribute("aria-label") || "");
  }
  return out.join(" | ");
}"""


def _rendered_text(page) -> str:
    """What a person can read: the rendered text of the body plus titles and aria labels."""
    return page.locator("body").inner_text() + "\n" + page.evaluate(_LABELS_JS)


def _read_everything(page, shots: Path, name: str) -> str:
    """The page's text with the evidence panel filled by a verified, a doubtful (near
    misses) and a plain cell, a table's passages opened and the closing details opened;
    screenshots on the way."""
    texts = [_rendered_text(page)]
    for cell in (PLAIN_CELL, DOUBT_CELL, FORMULA_CELL):
        r, c = CITIES.index(cell[0]), GOALS.index(cell[1])
        page.locator(f"#c{r}-{c}").click()
        texts.append(page.locator("#evidence").inner_text())
    page.screenshot(path=str(shots / f"{name}-evidence.png"), full_page=True)
    page.locator("#leitfaden + table details summary").first.click()
    page.locator("details#grundlagen > summary").click()
    texts.append(_rendered_text(page))
    page.screenshot(path=str(shots / f"{name}-open.png"), full_page=True)
    return "\n".join(texts)


def _matrix_fits(page) -> None:
    box = page.locator("table#goals").bounding_box()
    assert box is not None and box["x"] >= 0 and box["y"] >= 0
    assert box["x"] + box["width"] <= 1366 and box["y"] + box["height"] <= 768, box
    assert page.evaluate("document.documentElement.scrollWidth") <= 1366  # no sideways scrolling


def test_matrix_first_and_page_german_at_1366x768(browser, report: Path, tmp_path: Path) -> None:  # noqa: ANN001
    context = browser.new_context(viewport={"width": 1366, "height": 768})
    try:
        page = context.new_page()
        page.goto(report.as_uri())
        assert page.locator("html").get_attribute("lang") == "de"
        _matrix_fits(page)
        page.screenshot(path=str(tmp_path / "report-1366x768.png"))
        legend = page.locator("p.legend")
        assert legend.bounding_box()["height"] < 30  # one line
        for mark in ("angekreuzt", "geprüft", "zweifelhaft"):
            assert mark in legend.inner_text()
        # the visible text (document passages are collapsed) holds no English label or rule
        assert _english_words(page.locator("body").inner_text()) == []
        assert found(_rendered_text(page), ENGLISH_WORDS) == []
        # model, counts and rules: last, collapsed, German, no raw structures
        basis = page.locator("details#grundlagen")
        assert not basis.locator("dl.rules").is_visible()
        basis.locator("summary").click()
        text = basis.inner_text()
        page.screenshot(path=str(tmp_path / "report-grundlagen.png"), full_page=True)
        assert "315 Textabschnitte, davon 315 vom Modell klassifiziert, 0 geprüft" in text
        assert "von 0,30 bis unter 0,70" in text and "{" not in text
        assert _english_words(text) == []
        assert page.evaluate("document.querySelector('main').lastElementChild.id") == "grundlagen"
        # every text the page can show (evidence panel, passages, titles, aria labels): German
        page.reload()
        assert found(_read_everything(page, tmp_path, "report-de"), ENGLISH_WORDS) == []
    finally:
        context.close()


def test_word_lists_are_derived_and_substantial() -> None:
    assert len(ENGLISH_WORDS) >= 40 and {"evidence", "checked", "threshold"} <= ENGLISH_WORDS
    assert len(GERMAN_WORDS) >= 40 and {"belege", "geprüft", "schwelle"} <= GERMAN_WORDS


def test_matrix_first_and_page_english_with_watext_lang_en(browser, report_en: Path, tmp_path: Path) -> None:
    context = browser.new_context(viewport={"width": 1366, "height": 768})
    try:
        page = context.new_page()
        errors: list[str] = []
        page.on("pageerror", lambda err: errors.append(str(err)))
        page.goto(report_en.as_uri())
        assert page.locator("html").get_attribute("lang") == "en"
        _matrix_fits(page)
        page.screenshot(path=str(tmp_path / "report-en-1366x768.png"))
        legend = page.locator("p.legend")
        assert legend.bounding_box()["height"] < 30  # one line
        assert "ticked" in legend.inner_text() and "doubtful" in legend.inner_text()
        assert found(_rendered_text(page), GERMAN_WORDS) == []
        text = _read_everything(page, tmp_path, "report-en")
        assert found(text, GERMAN_WORDS) == []
        assert "Probability 0.35 – doubtful, check first" in text and "Just below the threshold" in text
        assert "Confidence 0.71" in text and "0,71" not in text
        assert "315 passages, 315 of them classified by the model, 0 checked" in text
        assert "from 0.30 to below 0.70" in text
        assert errors == []
    finally:
        context.close()


def test_german_and_english_lists_catch_the_other_report(browser, report: Path, report_en: Path) -> None:
    context = browser.new_context(viewport={"width": 1366, "height": 768})
    try:
        page = context.new_page()
        page.goto(report.as_uri())
        assert len(found(_rendered_text(page), GERMAN_WORDS)) >= 20
        page.goto(report_en.as_uri())
        assert len(found(_rendered_text(page), ENGLISH_WORDS)) >= 20
    finally:
        context.close()


def test_cells_carry_badges_only_where_they_inform(page: Page) -> None:
    assert page.page.locator("table#goals .badge.model").count() == 0
    assert page.button(PLAIN_CELL).locator(".badge.ok").count() == 1  # verified
    assert page.button(FORMULA_CELL).locator(".badge").count() == 0  # a plain model result
    assert page.button(DOUBT_CELL).locator(".badge.doubt").count() == 1


def test_print_puts_the_matrix_on_page_one(browser, report: Path, tmp_path: Path) -> None:  # noqa: ANN001
    # A4 landscape less 1 cm margins at 96 dpi: 277 mm × 190 mm ≈ 1047 × 718 px
    context = browser.new_context(viewport={"width": 1047, "height": 718})
    try:
        page = context.new_page()
        page.goto(report.as_uri())
        page.emulate_media(media="print")
        box = page.locator("table#goals").bounding_box()
        assert box is not None and box["y"] + box["height"] <= 718, box
        assert not page.locator("#evidence").is_visible()
        page.screenshot(path=str(tmp_path / "report-print.png"))
        page.pdf(path=str(tmp_path / "report.pdf"), prefer_css_page_size=True)
    finally:
        context.close()
    import pdfplumber

    with pdfplumber.open(tmp_path / "report.pdf") as pdf:
        first = pdf.pages[0]
        assert first.width > first.height  # landscape
        assert round(first.width / 72 * 25.4) == 297 and round(first.height / 72 * 25.4) == 210
        text = first.extract_text()
    assert all(city in text for city in CITIES) and "Standortförderung" in text
    assert "Leitfaden/Konzept" not in text  # table 2 starts on page 2
