"""Prefect flow: tag stored passages lacking a prediction of the current model (wiring only).

One task per batch of ~500 passages (never one per passage).
"""

from __future__ import annotations

import flows._prefect  # noqa: E402,F401 - analytics off; the temporary server dies with us

from functools import lru_cache  # noqa: E402
from typing import Any  # noqa: E402

from prefect import flow, task  # noqa: E402
from prefect.cache_policies import NONE  # noqa: E402

from flows.ingest import use_db  # noqa: E402
from watext.settings import get_settings  # noqa: E402
from watext.store import Store, open_store  # noqa: E402
from watext.tag.jobs import classify_batch  # noqa: E402
from watext.tag.registry import load_model, resolve_model_dir  # noqa: E402


@lru_cache(maxsize=4)
def _store(db: str) -> Store:
    return open_store(db)


@lru_cache(maxsize=2)
def _model(path: str) -> tuple[Any, dict[str, Any]]:
    return load_model(path)


@task(name="classify-batch", cache_policy=NONE, retries=0)
def classify_task(model_path: str, rows: list[dict[str, Any]]) -> int:
    model, meta = _model(model_path)
    return classify_batch(_store(get_settings().db), model, meta, rows)


@flow(name="watext-classify")
def classify_flow(db: str | None = None, model_dir: str | None = None, batch: int = 500) -> dict[str, Any]:
    """Classify all passages of ``db`` (a URL without credentials, or None for ``WATEXT_DB``)
    without a prediction of the model in ``model_dir``."""
    db = use_db(db)
    path = str(resolve_model_dir(model_dir))
    _, meta = _model(path)
    n = 0
    for rows in _store(db).passages_without_prediction(meta["name"], meta["version"], batch):
        n += classify_task(path, rows)
    return {"model": meta["name"], "version": meta["version"], "classified": n}
