"""Prefect flow: ingest files and folders into the store (wiring only: :func:`watext.pipeline.ingest`)."""

from __future__ import annotations

import flows._prefect  # noqa: F401 - analytics off; the temporary server dies with us

from prefect import flow  # noqa: E402

from flows.runners import api_for_workers  # noqa: E402
from flows.tasks import as_task, as_tasks  # noqa: E402
from watext import pipeline  # noqa: E402
from watext.ingest.files import BatchResult  # noqa: E402
from watext.settings import get_settings  # noqa: E402
from watext.store import open_store  # noqa: E402


@flow(name="watext-ingest")
def ingest_flow(paths: list[str], city: str | None = None, progress: bool = False) -> BatchResult:
    """Ingest ``paths`` (files or folders) into the store at ``WATEXT_DB``: one task per file
    (on Dask: per batch of files), side by side under the task runner the caller gives
    (:func:`flows.runners.with_runner`).
    The store URL never is a flow parameter (Prefect keeps parameters; a URL may hold a password)."""
    settings = get_settings()
    with open_store(settings.db) as store, api_for_workers(settings):
        return pipeline.ingest(store, settings, paths, city=city, progress=progress, step=as_task, fan=as_tasks)
