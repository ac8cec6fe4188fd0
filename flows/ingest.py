"""Prefect flow: ingest files and folders into the store (wiring only).

One task per document (Prefect costs ~7 ms per task; never one per passage). All the
work is in :func:`watext.ingest.ingest_file`, which the tests call directly.
"""

from __future__ import annotations

import os

import flows._prefect  # noqa: E402,F401 - analytics off; the temporary server dies with us

from functools import lru_cache  # noqa: E402
from pathlib import Path  # noqa: E402
from typing import Any  # noqa: E402

from prefect import flow, task  # noqa: E402
from prefect.cache_policies import NONE  # noqa: E402

from watext.ingest import BatchResult, Entry, FileResult, discover_entries, ingest_file  # noqa: E402
from watext.metadata import load_cities  # noqa: E402
from watext.progress import batch_summary, progress_callback  # noqa: E402
from watext.settings import get_settings  # noqa: E402
from watext.store import Store, open_store  # noqa: E402
from watext.worker import FileWorker  # noqa: E402


@lru_cache(maxsize=4)
def _store(db: str) -> Store:
    return open_store(db)


@lru_cache(maxsize=1)
def _worker() -> FileWorker:
    """This process's file worker (it dies with the process: parent-death signal)."""
    return FileWorker(get_settings())


def use_db(db: str | None) -> str:
    """The store URL for this flow run: ``db`` when given (it then also reaches the tasks
    through the environment), else ``WATEXT_DB``. The CLI never passes a URL here, so a
    password in it never becomes a flow or task parameter in Prefect's database."""
    if db:
        os.environ["WATEXT_DB"] = db
    return get_settings().db


@task(name="ingest-document", cache_policy=NONE, retries=0)
def ingest_document(path: str, city: str | None, code: str | None = None, reason: str | None = None) -> dict[str, Any]:
    settings = get_settings()
    known = [c.name for c in load_cities()]
    entry = Entry(Path(path), code, reason)
    return ingest_file(Path(path), _store(settings.db), settings, None, city, known,
                       worker=_worker(), entry=entry).to_dict()  # fmt: skip


@flow(name="watext-ingest")
def ingest_flow(
    paths: list[str], db: str | None = None, city: str | None = None, progress: bool = False
) -> dict[str, Any]:
    """Ingest ``paths`` (files or folders); returns counts and the failures. ``db``: a URL
    without credentials, or None for ``WATEXT_DB`` (see :func:`use_db`)."""
    db = use_db(db)
    settings = get_settings()
    entries = discover_entries(paths, settings.follow_symlinks)
    store = _store(db)
    run_id = store.start_run(list(paths))
    bar, advance = progress_callback(len(entries), progress)
    batch = BatchResult()
    with bar:
        for e in entries:
            result = FileResult(**ingest_document(str(e.path), city, e.code, e.reason))
            batch.files.append(result)
            advance(result)
    store.finish_run(run_id, batch.summary())
    return batch_summary(batch)
