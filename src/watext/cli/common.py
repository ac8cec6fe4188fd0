"""What every ``watext`` command shares: options, settings, output, and :func:`run_job`."""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from typing import Any

import click

from watext.settings import Settings, get_settings
from watext.store import Store, open_store

__all__ = [
    "EXIT_SOME_FAILED", "db_option", "emit", "follow_option", "model_option", "no_flow_option", "open_db",
    "run_job", "settings_for",
]  # fmt: skip

EXIT_SOME_FAILED = 3

db_option = click.option(
    "--db", envvar="WATEXT_DB", default=None,
    help="Database URL (default sqlite:///watext.db; postgresql+psycopg://… works too).",
)  # fmt: skip
follow_option = click.option(
    "--follow-symlinks", is_flag=True, envvar="WATEXT_FOLLOW_SYMLINKS",
    help="Also read files that symbolic links inside the given folders point to elsewhere.",
)  # fmt: skip
no_flow_option = click.option(
    "--no-flow", is_flag=True, envvar="WATEXT_NO_FLOW",
    help="Run in-process without Prefect orchestration (same library code, no flow run).",
)  # fmt: skip
model_option = click.option(
    "--model", "model_dir", default=None, type=click.Path(path_type=str),
    help="Model version dir (or models/<name> to use its CURRENT); default: the current model.",
)  # fmt: skip


def settings_for(db: str | None, follow_symlinks: bool = False) -> Settings:
    """The settings of one command: the environment, with its flags winning."""
    if follow_symlinks:  # also for the flows, which read settings from the environment
        os.environ["WATEXT_FOLLOW_SYMLINKS"] = "1"
    return get_settings(db=db, follow_symlinks=follow_symlinks or None)


def emit(rows: Iterable[dict[str, Any]]) -> None:
    """JSON lines on standard output."""
    out = sys.stdout
    for row in rows:
        out.write(json.dumps(row, ensure_ascii=False, default=str) + "\n")
    out.flush()


@contextmanager
def open_db(db: str | None) -> Iterator[Store]:
    with open_store(settings_for(db).db) as store:
        yield store


def run_job(job: str, settings: Settings, no_flow: bool, use_store: bool = True, **kwargs: Any) -> Any:
    """Run :func:`watext.pipeline.<job>` in this process (``no_flow``) or as its Prefect
    flow (``flows.FLOWS[job]``); both return the same result.

    The store is opened once first either way, so an unreachable database is one line
    (StoreError), not a failed flow run with Prefect's tracebacks. Flows get the store URL
    through ``WATEXT_DB``, never as a parameter: Prefect keeps parameters in its database,
    and the URL may hold a password."""
    if "model_dir" in kwargs:  # a missing or unfit model: one line before any flow run
        from watext.tag.registry import read_meta, resolve_model_dir, validate_meta

        validate_meta(read_meta(resolve_model_dir(kwargs["model_dir"], settings.models_dir)))
    if no_flow:
        from watext import pipeline

        if not use_store:
            return getattr(pipeline, job)(None, settings, **kwargs)
        with open_store(settings.db) as store:
            return getattr(pipeline, job)(store, settings, **kwargs)
    if use_store:
        open_store(settings.db).close()
        os.environ["WATEXT_DB"] = settings.db
    from flows import FLOWS

    if job == "train":
        kwargs["use_store"] = use_store
    return FLOWS[job](**kwargs)
