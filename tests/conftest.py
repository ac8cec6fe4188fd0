"""Shared pytest fixtures of watext (paths to test inputs: ``tests/paths.py``)."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

# =====================================================================================
# Store fixtures: SQLite `store`, PostgreSQL `pg_url` and the `postgres` marker.
# PostgreSQL tests need WATEXT_TEST_PG_URL (see scripts/pg-start.sh). Without it they
# are skipped locally and fail loudly in CI (CI=true), so a missing server is noticed.
# =====================================================================================

PG_URL_ENV = "WATEXT_TEST_PG_URL"


def _require_pg_url() -> str:
    """The PostgreSQL URL for tests, or skip (locally) / fail (in CI) without one."""
    url = os.environ.get(PG_URL_ENV, "").strip()
    if url:
        return url
    if os.environ.get("CI", "").lower() == "true":
        pytest.fail(
            f"CI=true but {PG_URL_ENV} is not set: PostgreSQL tests must run in CI "
            "(start a server with scripts/pg-start.sh)",
            pytrace=False,
        )
    pytest.skip(f"no PostgreSQL server: set {PG_URL_ENV}")


def pytest_runtest_setup(item: pytest.Item) -> None:
    """Apply the skip/fail rule to every test marked ``postgres``."""
    if item.get_closest_marker("postgres") is not None:
        _require_pg_url()


@pytest.fixture
def store(tmp_path: Path) -> Iterator[object]:
    """A :class:`watext.store.Store` on a fresh SQLite file."""
    from watext.store import open_store

    st = open_store(f"sqlite:///{tmp_path / 'watext.db'}")
    try:
        yield st
    finally:
        st.close()


@pytest.fixture
def pg_url() -> Iterator[str]:
    """URL of a fresh, empty PostgreSQL schema for this test (dropped afterwards).

    The schema is selected through libpq's ``options=-csearch_path=...``, so a
    Store opened on this URL creates its tables there and tests can run in parallel.
    """
    import sqlalchemy as sa

    from watext.store import normalize_url

    base = normalize_url(_require_pg_url())
    schema = f"t_{uuid.uuid4().hex[:12]}"
    admin = sa.create_engine(base)
    try:
        with admin.begin() as conn:
            conn.execute(sa.text(f'CREATE SCHEMA "{schema}"'))
        url = base.update_query_dict({"options": f"-csearch_path={schema}"})
        yield url.render_as_string(hide_password=False)
    finally:
        with admin.begin() as conn:
            conn.execute(sa.text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
        admin.dispose()


# ======================================================== end of store fixtures =====


@pytest.fixture(scope="module")
def partner_store(tmp_path_factory: pytest.TempPathFactory) -> Iterator[object]:
    """The seven partner cities' survey answers (corpus/docs/table_test) ingested and
    classified in-process with the shipped model; one store per test module."""
    from watext import pipeline
    from watext.settings import get_settings
    from watext.store import open_store

    from .paths import TABLE_TEST

    db = f"sqlite:///{tmp_path_factory.mktemp('tables') / 'w.db'}"
    settings = get_settings(db=db)
    store = open_store(db)
    try:
        pipeline.ingest(store, settings, [str(TABLE_TEST)])
        pipeline.classify(store, settings)
        yield store
    finally:
        store.close()


# The headless Chromium of the browser tests (session-scoped; tests/browser.py).
from .browser import browser  # noqa: E402,F401

# One Prefect server shared by the flow tests that need a server (tests/prefect_server.py),
# started in the background once collection shows a test will ask for it.
from .prefect_server import prefect_server, start_early, stop_started  # noqa: E402,F401


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    start_early(items)


def pytest_sessionfinish() -> None:
    stop_started()
