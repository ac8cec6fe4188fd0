"""The review page in a real browser (uvicorn + Playwright + Debian chromium).

Skipped locally when playwright or chromium is missing; with ``CI=true`` a missing
browser fails instead, so it cannot go unnoticed.
"""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from watext.store import open_store
from watext.tables.aggregate import build_tables

from .review_fixture import ENGLISH, MODEL, RAW_KEYS, VERSION, XSS, fill, make_doc, pred


pytestmark = pytest.mark.browser



@pytest.fixture
def served(tmp_path: Path) -> Iterator[tuple[str, object, dict[str, str]]]:
    """The review app on a free loopback port, served by uvicorn in a thread."""
    import uvicorn

    from watext.review.app import create_app

    with open_store(f"sqlite:///{tmp_path / 'review.db'}") as store:
        ids = fill(store, tmp_path)
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            port = s.getsockname()[1]
        server = uvicorn.Server(uvicorn.Config(create_app(store, model_dir=ids["model_dir"]), host="127.0.0.1",
                                               port=port, log_level="warning"))  # fmt: skip
        thread = threading.Thread(target=server.run, daemon=True)
        thread.start()
        deadline = time.monotonic() + 15
        while not server.started:
            assert time.monotonic() < deadline, "uvicorn did not start"
            time.sleep(0.05)
        try:
            yield f"http://127.0.0.1:{port}", store, ids
        finally:
            server.should_exit = True
            thread.join(10)


def card_of(page: object, pid: str, revision: int | None = None) -> None:
    sel = f'main#card[data-pid="{pid}"]' + (f'[data-revision="{revision}"]' if revision is not None else "")
    page.wait_for_selector(sel, timeout=10_000)


def test_keyboard_review_undo_and_tables(browser, served) -> None:
    base, store, ids = served
    page = browser.new_page()
    dialogs, errors = [], []
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.goto(f"{base}/queue")  # redirected to the name form (autofocus)
    page.wait_for_selector("input[name=name]")
    page.keyboard.type("anna")
    page.keyboard.press("Enter")
    page.wait_for_selector("main#queue")
    page.screenshot(path="/tmp/review-queue.png", full_page=True)

    page.keyboard.press("Enter")  # start reviewing: the most uncertain passage first
    card_of(page, ids["answer"], 0)
    assert page.is_checked("#goal-1") and not page.is_checked("#goal-2")  # model pre-selected
    page.screenshot(path="/tmp/review-card.png", full_page=True)
    page.keyboard.press("2")
    assert page.is_checked("#goal-2")
    t0 = time.perf_counter()
    page.keyboard.press("a")
    card_of(page, ids["bursa0"])
    elapsed = (time.perf_counter() - t0) * 1000
    print(f"\nkey press 'a' -> next card shown: {elapsed:.0f} ms")

    page.keyboard.press("b")  # back to the passage just saved
    card_of(page, ids["answer"], 1)
    assert page.is_checked("#goal-1") and page.is_checked("#goal-2")
    page.keyboard.press("u")
    card_of(page, ids["answer"], 2)
    assert page.is_checked("#goal-1") and not page.is_checked("#goal-2")  # back to the model
    page.keyboard.press("2")
    t0 = time.perf_counter()
    page.keyboard.press("a")
    card_of(page, ids["bursa0"])
    print(f"key press 'a' -> next card shown (2nd): {(time.perf_counter() - t0) * 1000:.0f} ms")
    page.keyboard.press("s")  # skip
    card_of(page, ids["bursa1"])

    hist = store.history(ids["answer"])
    assert [(h.action, h.reviewer, h.revision) for h in hist] == [
        ("correct", "anna", 1), ("undo", "anna", 2), ("correct", "anna", 3)]
    assert hist[-1].labels == ("kulturelle_vielfalt", "teilhabe_integration")
    assert hist[1].reviewed is False
    assert store.history(ids["bursa0"]) == []

    tables = build_tables(store, MODEL, VERSION)
    cells = {(c.city, c.goal): c for c in tables.goals}
    cell = cells[("Darmstadt", "teilhabe_integration")]
    assert cell.ticked and cell.verified
    assert cells[("Darmstadt", "kulturelle_vielfalt")].verified
    assert not cells[("Darmstadt", "humanitaere_hilfe")].ticked
    assert not dialogs and not errors, (dialogs, errors)


def test_script_text_renders_as_text(browser, served) -> None:
    base, store, ids = served
    page = browser.new_page()
    dialogs = []
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    page.goto(f"{base}/login")
    page.fill("input[name=name]", "ben")
    page.keyboard.press("Enter")
    page.wait_for_selector("main#queue")
    page.goto(f"{base}/passage/{ids['xss']}?status=all")
    card_of(page, ids["xss"])
    assert page.inner_text("#passage-text") == XSS
    assert page.locator("#passage-text script, #passage-text img").count() == 0
    page.goto(f"{base}/queue?status=all")
    assert "<script>alert(1)</script>" in page.inner_text("table.queue")
    page.wait_for_timeout(200)
    assert dialogs == []


_SENTENCE = ("Die Stadt versteht Willkommenskultur als Querschnittsaufgabe aller Ämter und fördert "
             "Teilhabe, Sprachkurse und Beratung für neu zugewanderte Menschen in allen Stadtteilen. ")
#: Three passages of the longest kind (``Settings.max_passage_chars`` = 1200 characters).
LONG = tuple((_SENTENCE * 8)[:1199].rstrip() + "." for _ in range(3))


def _inside(box: dict[str, float] | None, width: int, height: int) -> bool:
    return box is not None and box["x"] >= 0 and box["y"] >= 0 and box["x"] + box["width"] <= width \
        and box["y"] + box["height"] <= height


def _german(page: object) -> str:
    """The visible text of ``page``, checked: no old English word, no raw label id."""
    text = page.inner_text("body").replace(MODEL, "")  # the model's name is an identifier
    assert not ENGLISH.findall(text), (page.url, ENGLISH.findall(text))
    assert not [k for k in RAW_KEYS if k in text], page.url
    return text


def test_card_fits_a_laptop_screen_in_german(browser, served, tmp_path: Path) -> None:
    """At 1366×768 the passage, the six goal toggles and the save button show without
    scrolling; every page reads German; ``?`` opens the help that explains the scores."""
    base, store, ids = served
    doc, passages = make_doc("/data/in/Lang/konzept.pdf", "Langenfeld", list(LONG))
    doc.title = ("Handlungskonzept Willkommens- und Anerkennungskultur der Stadt Langenfeld (Rheinland), "
                 "Fortschreibung 2024 bis 2030, Anlage 3")  # a long name in the document filter
    store.save_document(doc, passages)  # before the app's first request loads its snapshot
    store.save_predictions([pred(passages[1].id, {"teilhabe_integration": 0.8, "anti_diskriminierung": 0.3})])
    ids = {**ids, "long": passages[1].id}
    width, height = 1366, 768
    page = browser.new_page(viewport={"width": width, "height": height})
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.goto(f"{base}/login")
    _german(page)
    page.fill("input[name=name]", "anna")
    page.keyboard.press("Enter")
    page.wait_for_selector("main#queue")
    page.screenshot(path=str(tmp_path / "queue.png"))
    assert "Unsichere Passagen zuerst" in _german(page)
    # every filter keeps its name and its choice on one line, inside the screen
    filters = page.locator("form.filters label")
    assert filters.count() == 7
    for i in range(filters.count()):
        label, select = filters.nth(i).bounding_box(), filters.nth(i).locator("select").bounding_box()
        assert select["y"] - label["y"] < 0.8 * select["height"], (i, label, select)  # not wrapped
        assert _inside(label, width, height), (i, label)
    page.keyboard.press("Enter")
    card_of(page, ids["answer"], 0)
    page.screenshot(path=str(tmp_path / "card.png"))
    assert page.evaluate("window.scrollY") == 0
    assert page.locator("#passage-text").is_visible()
    assert _inside(page.locator("#passage-text").bounding_box(), width, height)
    goals = page.locator("label.goal")
    assert goals.count() == 6
    for i in range(6):
        assert goals.nth(i).is_visible() and _inside(goals.nth(i).bounding_box(), width, height), i
        assert _inside(page.locator(f"#goal-{i + 1}").bounding_box(), width, height), i
    assert page.locator("#save-btn").is_visible() and _inside(page.locator("#save-btn").bounding_box(), width, height)
    text = _german(page)
    assert "Speichern" in text and "Kulturelle Vielfalt" in text and "0,52 / 0,50" in text
    assert "Schwelle 0,50" in page.locator("label.goal .score").first.get_attribute("title")
    # the help overlay: "?" opens it, Esc closes it; it takes the keys meanwhile
    assert not page.locator("#help").is_visible()
    page.keyboard.press("?")
    assert page.locator("#help").is_visible()
    page.screenshot(path=str(tmp_path / "help.png"))
    assert "Modellwert und Schwelle" in _german(page)
    page.keyboard.press("2")
    assert not page.is_checked("#goal-2")
    page.keyboard.press("Escape")
    assert not page.locator("#help").is_visible()
    page.click("#help-open")
    assert page.locator("#help").is_visible()
    page.click("#help-close")
    assert not page.locator("#help").is_visible()
    page.keyboard.press("2")
    assert page.is_checked("#goal-2")
    # the longest passage segmenting makes (1200 characters), between two long neighbours
    page.goto(f"{base}/passage/{ids['long']}?status=all")
    card_of(page, ids["long"])
    page.screenshot(path=str(tmp_path / "card-long.png"))
    for sel in ["#passage-text", "#save-btn"] + [f"#goal-{i}" for i in range(1, 7)]:
        assert _inside(page.locator(sel).bounding_box(), width, height), sel
    assert page.inner_text("#passage-text") == LONG[1]
    for url in ("/stats", "/adjudicate", f"/passage/{ids['bursa1']}?status=all", "/nichts"):
        page.goto(base + url)
        _german(page)
    page.screenshot(path=str(tmp_path / "error.png"))
    print(f"\nscreenshots: {tmp_path}")
    assert not errors, errors
