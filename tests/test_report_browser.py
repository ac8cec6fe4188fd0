"""report.html in a real browser (Playwright + Debian chromium at /usr/bin/chromium).

Skipped locally when playwright or chromium is missing; with ``CI=true`` a missing
browser fails the run instead, so it cannot go unnoticed.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from watext.tables.export import export_tables
from watext.tables.model import GOAL_TITLES

from .tables_fixture import (
    CITIES, DOUBT_CELL, FORMULA_CELL, FORMULA_TEXT, NEAR_TEXT, PLAIN_CELL, PLAIN_TEXT, PLAIN_TITLE,
    XSS_CELL, XSS_TEXT, sample_tables,
)  # fmt: skip


pytestmark = pytest.mark.browser
GOALS = list(GOAL_TITLES)



@pytest.fixture(scope="module")
def report(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("report")
    return export_tables(sample_tables(), out, formats=["html"])["html"][0]


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
    expect(panel).to_contain_text("Wahrscheinlichkeit 0.35")
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
