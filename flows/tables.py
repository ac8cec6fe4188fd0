"""Prefect flows: build the comparison tables, and the whole main job (wiring only:
:func:`watext.pipeline.build_tables`, :func:`watext.pipeline.run`)."""

from __future__ import annotations

import flows._prefect  # noqa: F401 - analytics off; the temporary server dies with us

from typing import Any  # noqa: E402

from prefect import flow  # noqa: E402

from flows.runners import api_for_workers  # noqa: E402
from flows.tasks import as_task, as_tasks  # noqa: E402
from watext import pipeline  # noqa: E402
from watext.settings import get_settings  # noqa: E402
from watext.store import open_store  # noqa: E402


@flow(name="watext-tables")
def tables_flow(out: str, formats: list[str] | None = None, model_dir: str | None = None,
                cities: list[str] | None = None) -> dict[str, Any]:  # fmt: skip
    """Build the comparison tables from the store at ``WATEXT_DB`` and export them to ``out``."""
    settings = get_settings()
    with open_store(settings.db) as store:
        return as_task(pipeline.build_tables, store, settings, out, formats, model_dir, cities)


@flow(name="watext-run")
def run_flow(paths: list[str], out: str, formats: list[str] | None = None, model_dir: str | None = None,
             progress: bool = False) -> pipeline.RunResult:  # fmt: skip
    """The main job: ingest ``paths``, classify new passages, build and export the tables."""
    settings = get_settings()
    with open_store(settings.db) as store, api_for_workers(settings):
        return pipeline.run(store, settings, paths, out, formats=formats, model_dir=model_dir,
                            progress=progress, step=as_task, fan=as_tasks)  # fmt: skip
