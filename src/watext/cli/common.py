"""What every ``watext`` command shares: options, settings, output, and :func:`run_job`."""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Iterable, Iterator
from pathlib import Path
from contextlib import contextmanager
from typing import Any

import click

from watext.errors import ConfigError, WatextError
from watext.settings import Settings, get_settings
from watext.store import Store, open_store

__all__ = [
    "EXIT_SOME_FAILED", "PrefectUnavailable", "json_option", "summary", "check_prefect", "db_option", "emit", "follow_option", "model_option",
    "no_flow_option", "open_db", "require_paths", "run_job", "settings_for", "use_flow",
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
    "--flow/--no-flow", "flow", default=None,
    help="Run as a Prefect flow (--flow) or in this process (--no-flow); default WATEXT_ORCHESTRATION "
         "(inprocess). Same pipeline code either way.",
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


json_option = click.option(
    "--json", "as_json", is_flag=True,
    help="Print the summary as one JSON line (the default when standard output is not a terminal).",
)  # fmt: skip


def summary(row: dict[str, Any], human: str, as_json: bool) -> None:
    """A command's result: ``human`` for a person at a terminal, else ``row`` as one JSON line."""
    if as_json or not sys.stdout.isatty():
        emit([row])
    else:
        click.echo(human)


def emit(rows: Iterable[dict[str, Any]]) -> None:
    """JSON lines on standard output."""
    out = sys.stdout
    for row in rows:
        out.write(json.dumps(row, ensure_ascii=False, default=str) + "\n")
    out.flush()


@contextmanager
def open_db(db: str | None, create: bool = False) -> Iterator[Store]:
    """The store of a command. Read-only commands (``create`` False) never create one: a
    SQLite file that does not exist is one line, not a new empty database."""
    url = settings_for(db).db
    if not create:
        from watext.store import normalize_url

        parsed = normalize_url(url)
        if parsed.get_backend_name() == "sqlite" and parsed.database and not Path(parsed.database).exists():
            raise ConfigError(f"no database at {parsed.database} (give --db, or ingest something first)")
    with open_store(url) as store:
        yield store


def require_paths(paths: Iterable[str]) -> None:
    """Usage error (exit 2) when a given path does not exist: nothing is run, no empty report."""
    missing = [p for p in paths if not os.path.lexists(p)]
    if missing:
        raise click.UsageError("no such file or folder: " + ", ".join(missing))


def use_flow(flag: bool | None, settings: Settings) -> bool:
    """Whether a command runs as a Prefect flow: its --flow/--no-flow, else the setting
    (``WATEXT_NO_FLOW=1`` from earlier versions still means in-process)."""
    if flag is not None:
        return flag
    if os.environ.get("WATEXT_NO_FLOW", "").strip().lower() in ("1", "true", "yes"):
        return False
    return settings.orchestration == "prefect"


def run_job(job: str, settings: Settings, flow: bool | None, use_store: bool = True,
            pipeline_kwargs: dict[str, Any] | None = None, **kwargs: Any) -> Any:  # fmt: skip
    """Run :func:`watext.pipeline.<job>` in this process or as its Prefect flow
    (``flows.FLOWS[job]``, see :func:`use_flow`); both return the same result.
    ``pipeline_kwargs``: the in-process call's arguments when they differ from the flow's.

    The store is opened once first either way, so an unreachable database is one line
    (StoreError), not a failed flow run with Prefect's tracebacks. Flows get the store URL
    through ``WATEXT_DB``, never as a parameter: Prefect keeps parameters in its database,
    and the URL may hold a password. When Prefect cannot be reached, one line says so and
    the job runs in-process (or stops, ``WATEXT_FLOW_FALLBACK=error``)."""
    if "model_dir" in kwargs:  # a missing or unfit model: one line before any flow run
        from watext.tag.registry import read_meta, resolve_model_dir, validate_meta

        validate_meta(read_meta(resolve_model_dir(kwargs["model_dir"], settings.models_dir)))
    if use_flow(flow, settings):
        try:
            return _run_flow(job, settings, use_store, kwargs)
        except PrefectUnavailable as exc:
            if settings.flow_fallback == "error":
                raise
            click.echo(f"watext: {exc}; running in this process instead", err=True)
    from watext import pipeline

    call_kwargs = pipeline_kwargs if pipeline_kwargs is not None else kwargs
    if not use_store:
        return getattr(pipeline, job)(None, settings, **call_kwargs)
    with open_store(settings.db) as store:
        return getattr(pipeline, job)(store, settings, **call_kwargs)


def _run_flow(job: str, settings: Settings, use_store: bool, kwargs: dict[str, Any]) -> Any:
    if use_store:
        open_store(settings.db).close()
        os.environ["WATEXT_DB"] = settings.db
    check_prefect()
    from flows import FLOWS

    if job == "train":
        kwargs = {**kwargs, "use_store": use_store}
    try:
        return FLOWS[job](**kwargs)
    except (RuntimeError, OSError) as exc:  # the temporary server did not come up, or went away
        text = str(exc)
        if isinstance(exc, OSError) or "Prefect" in text or "ephemeral" in text:
            raise PrefectUnavailable(f"Prefect is not available ({text.splitlines()[0] if text else type(exc).__name__})") from exc
        raise


class PrefectUnavailable(WatextError):
    """Prefect's API cannot be reached, or its temporary server did not start in time."""


def check_prefect(timeout: float = 5.0) -> None:
    """With ``PREFECT_API_URL`` set: its health endpoint answers, else PrefectUnavailable.
    (Without it, Prefect starts a temporary server; a start-up timeout surfaces as an
    error of the flow call and is translated there.)"""
    url = os.environ.get("PREFECT_API_URL", "").rstrip("/")
    if not url:
        return
    import httpx

    try:
        httpx.get(f"{url}/health", timeout=timeout).raise_for_status()
    except httpx.HTTPError as exc:
        raise PrefectUnavailable(f"Prefect API at {url} does not answer ({type(exc).__name__})") from exc
