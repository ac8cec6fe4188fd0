"""Prefect flow: train, evaluate and register a model (wiring only: :func:`watext.pipeline.train`)."""

from __future__ import annotations

import flows._prefect  # noqa: F401 - analytics off; the temporary server dies with us

from pathlib import Path  # noqa: E402
from typing import Any  # noqa: E402

from prefect import flow  # noqa: E402

from flows.tasks import as_task  # noqa: E402
from watext import pipeline  # noqa: E402
from watext.settings import get_settings  # noqa: E402
from watext.store import open_store  # noqa: E402


@flow(name="watext-train")
def train_flow(gold: str = "corpus/gold/train.jsonl", out: str | None = None, folds: int = 5,
               use_store: bool = False, force: bool = False) -> tuple[Path, dict[str, Any]]:  # fmt: skip
    """Train a model on ``gold`` (plus the review corrections of the store at ``WATEXT_DB``
    when ``use_store``); promoted to CURRENT only if not worse than the current one, or ``force``."""
    settings = get_settings()
    if not use_store:
        return pipeline.train(None, settings, gold, out=out, folds=folds, force=force, step=as_task)
    with open_store(settings.db) as store:
        return pipeline.train(store, settings, gold, out=out, folds=folds, force=force, step=as_task)
