"""Prefect flow: ingest files and folders into the store (wiring only).

One task per document (Prefect costs ~7 ms per task; never one per passage). All the
work is in :func:`watext.ingest.ingest_file`, which the tests call directly.
"""

from __future__ import annotations

import os

os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")
os.environ.setdefault("DO_NOT_TRACK", "1")

from functools import lru_cache  # noqa: E402
from pathlib import Path  # noqa: E402
from typing import Any  # noqa: E402

from prefect import flow, task  # noqa: E402
from prefect.cache_policies import NONE  # noqa: E402

from watext.ingest import BatchResult, FileResult, discover, ingest_file  # noqa: E402
from watext.metadata import load_cities  # noqa: E402
from watext.progress import batch_summary, progress_callback  # noqa: E402
from watext.settings import get_settings  # noqa: E402
from watext.store import Store, open_store  # noqa: E402
from watext.tag.nlp import Annotator  # noqa: E402


@lru_cache(maxsize=4)
def _store(db: str) -> Store:
    return open_store(db)


@lru_cache(maxsize=1)
def _annotator() -> Annotator:
    return Annotator()


@task(name="ingest-document", cache_policy=NONE, retries=0)
def ingest_document(path: str, db: str, city: str | None) -> dict[str, Any]:
    settings = get_settings(db=db)
    known = [c.name for c in load_cities()]
    return ingest_file(Path(path), _store(db), settings, _annotator(), city, known).to_dict()


@flow(name="watext-ingest")
def ingest_flow(
    paths: list[str], db: str | None = None, city: str | None = None, progress: bool = False
) -> dict[str, Any]:
    """Ingest ``paths`` (files or folders); returns counts and the failures."""
    db = db or get_settings().db
    files = discover(paths)
    store = _store(db)
    run_id = store.start_run(list(paths))
    bar, advance = progress_callback(len(files), progress)
    batch = BatchResult()
    with bar:
        for f in files:
            result = FileResult(**ingest_document(str(f), db, city))
            batch.files.append(result)
            advance(result)
    store.finish_run(run_id, batch.summary())
    return batch_summary(batch)
