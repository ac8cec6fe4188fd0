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

from .review_fixture import MODEL, VERSION, XSS, fill


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
