"""The ``watext`` command.

Output contract: listings are JSON lines on standard output; progress and messages go
to standard error (a progress bar only when standard error is a terminal).

Exit status: 0 success; 1 unexpected error; 2 usage error; 3 some input files failed
(the others were ingested; ``watext errors`` lists the failures with their reasons).
"""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from typing import Any

import click

from .errors import WatextError
from .settings import Settings, get_settings

EXIT_SOME_FAILED = 3

# Prefect must not phone home (set before anything imports prefect).
os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")
os.environ.setdefault("DO_NOT_TRACK", "1")


def _settings(db: str | None) -> Settings:
    return get_settings(db=db)


def _emit(rows: Iterable[dict[str, Any]]) -> None:
    out = sys.stdout
    for row in rows:
        out.write(json.dumps(row, ensure_ascii=False, default=str) + "\n")
    out.flush()


@contextmanager
def _store(db: str | None) -> Iterator[Any]:
    from .store import open_store

    with open_store(_settings(db).db) as store:
        yield store


db_option = click.option(
    "--db", envvar="WATEXT_DB", default=None,
    help="Database URL (default sqlite:///watext.db; postgresql+psycopg://… works too).",
)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="watext")
def main() -> None:
    """watext: municipal documents on welcome culture -> passages -> comparison tables."""


@main.command()
@click.argument("paths", nargs=-1, required=True, type=click.Path(path_type=str))
@db_option
@click.option("--city", default=None, help="City of all given files (overrides detection).")
@click.option(
    "--no-flow", is_flag=True, envvar="WATEXT_NO_FLOW",
    help="Run in-process without Prefect orchestration (same library code, no flow run).",
)
def ingest(paths: tuple[str, ...], db: str | None, city: str | None, no_flow: bool) -> None:
    """Ingest files or folders (PDF, PPTX, DOCX, HTML, text) into the store."""
    settings = _settings(db)
    progress = sys.stderr.isatty()
    if no_flow:
        from .progress import run_with_progress

        summary = run_with_progress(list(paths), settings, city, progress)
    else:
        from flows.ingest import ingest_flow

        summary = ingest_flow(list(paths), db=settings.db, city=city, progress=progress)
    for failure in summary.get("failures", []):
        click.echo(f"failed: {failure['source']}: {failure['reason']}", err=True)
    _emit([{k: v for k, v in summary.items() if k != "failures"}])
    if summary.get("failed"):
        sys.exit(EXIT_SOME_FAILED)


@main.command()
@db_option
@click.option("--all", "include_old", is_flag=True, help="Include superseded versions.")
def passages(db: str | None, include_old: bool) -> None:
    """Stored passages as JSON lines."""
    with _store(db) as store:
        _emit(store.iter_passages(current_only=not include_old))


@main.command()
@db_option
@click.option("--all", "include_old", is_flag=True, help="Include superseded versions.")
def documents(db: str | None, include_old: bool) -> None:
    """Stored documents with their metadata as JSON lines."""
    with _store(db) as store:
        _emit(store.iter_documents(current_only=not include_old))


@main.command()
@db_option
@click.option("--all", "include_resolved", is_flag=True, help="Include failures fixed since.")
def errors(db: str | None, include_resolved: bool) -> None:
    """Files that could not be ingested, with the reason, as JSON lines."""
    with _store(db) as store:
        _emit(store.iter_failures(include_resolved=include_resolved))


def run() -> None:
    """Entry point that renders watext errors as one readable line."""
    try:
        main(standalone_mode=True)
    except WatextError as exc:
        click.echo(f"watext: {exc}", err=True)
        sys.exit(1)
