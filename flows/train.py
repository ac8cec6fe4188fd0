"""Prefect flow: evaluate with grouped CV, fit on all gold, save to the registry (wiring only)."""

from __future__ import annotations

import os

import flows._prefect  # noqa: E402,F401 - analytics off; the temporary server dies with us

from typing import Any  # noqa: E402

from prefect import flow, task  # noqa: E402
from prefect.cache_policies import NONE  # noqa: E402

from watext.settings import get_settings  # noqa: E402
from watext.tag.jobs import report, train_model  # noqa: E402
from watext.tag.registry import DEFAULT_NAME  # noqa: E402


@task(name="train-model", cache_policy=NONE, retries=0)
def train_task(gold: str, out: str, name: str, k: int, use_store: bool = False,
               force: bool = False) -> dict[str, Any]:  # fmt: skip
    path, result = train_model(gold, out, name, k, db=get_settings().db if use_store else None, force=force)
    return {"path": str(path), "result": result}


@flow(name="watext-train")
def train_flow(
    gold: str = "corpus/gold/train.jsonl", out: str = "models", name: str = DEFAULT_NAME, k: int = 5,
    db: str | None = None, force: bool = False, use_store: bool = False,
) -> dict[str, Any]:
    """Train and register a model from ``gold`` (plus the review corrections of the store
    at ``db``); promoted only if not worse than the current model unless ``force``."""
    if db:  # a URL without credentials; the CLI passes use_store and WATEXT_DB instead
        os.environ["WATEXT_DB"] = db
    done = train_task(gold, out, name, k, bool(db) or use_store, force)
    print(report(done["result"]))
    return done
