"""Prefect flows: build the comparison tables, and the whole main job (wiring only).

``tables_flow``: one task that builds and exports the tables from the store.
``run_flow``: ingest (one task per document) -> classify (one task per batch) -> tables.
All the work is in :mod:`watext.ingest`, :mod:`watext.tag.jobs` and
:mod:`watext.tables.jobs`, which the tests call directly.
"""

from __future__ import annotations

import flows._prefect  # noqa: E402,F401 - analytics off; the temporary server dies with us

from typing import Any  # noqa: E402

from prefect import flow, task  # noqa: E402
from prefect.cache_policies import NONE  # noqa: E402

from flows.classify import classify_flow  # noqa: E402
from flows.ingest import _store, ingest_flow, use_db  # noqa: E402
from watext.settings import get_settings  # noqa: E402
from watext.tables.jobs import write_tables  # noqa: E402


@task(name="build-tables", cache_policy=NONE, retries=0)
def tables_task(out: str, formats: list[str] | None, model_dir: str | None,
                cities: list[str] | None) -> dict[str, Any]:  # fmt: skip
    return write_tables(_store(get_settings().db), out, formats, model_dir, cities)


@flow(name="watext-tables")
def tables_flow(out: str, db: str | None = None, formats: list[str] | None = None,
                model_dir: str | None = None, cities: list[str] | None = None) -> dict[str, Any]:  # fmt: skip
    """Build the six comparison tables from ``db`` (a URL without credentials, or None for
    ``WATEXT_DB``) and export them to ``out``."""
    use_db(db)
    return tables_task(out, formats, model_dir, cities)


@flow(name="watext-run")
def run_flow(paths: list[str], out: str, db: str | None = None, formats: list[str] | None = None,
             model_dir: str | None = None, progress: bool = False) -> dict[str, Any]:  # fmt: skip
    """The main job: ingest ``paths``, classify new passages, build and export the tables."""
    use_db(db)
    ingested = ingest_flow(paths, progress=progress)
    classified = classify_flow(None, model_dir)
    tables = tables_task(out, formats, model_dir, None)
    return {"ingest": ingested, "classify": classified, "tables": tables}
