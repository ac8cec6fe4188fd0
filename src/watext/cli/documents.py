"""``watext ingest``, ``passages``, ``documents``, ``errors``."""

from __future__ import annotations

import sys

import click

from watext.cli.common import (
    EXIT_SOME_FAILED,
    db_option,
    emit,
    follow_option,
    json_option,
    message,
    no_flow_option,
    open_db,
    parallel_options,
    require_paths,
    run_job,
    say,
    settings_for,
    summary,
)
from watext.ingest.files import BatchResult

__all__ = ["register", "report_failures"]


def report_failures(batch: BatchResult) -> None:
    """One line per file that failed, with its reason (the common ones in the language in force)."""
    for f in batch.failed:
        click.echo(say("failed", source=f.source, reason=message(f.reason or f.code or "")), err=True)


def register(main: click.Group) -> None:
    @main.command()
    @click.argument("paths", nargs=-1, required=True, type=click.Path(path_type=str))
    @db_option
    @follow_option
    @click.option("--city", default=None, help="City of all given files (overrides detection).")
    @parallel_options
    @no_flow_option
    @json_option
    def ingest(paths: tuple[str, ...], db: str | None, follow_symlinks: bool, city: str | None,
               workers: int | None, dask_address: str | None, flow: bool | None, as_json: bool) -> None:  # fmt: skip
        """Ingest files or folders (PDF, PPTX, DOCX, HTML, text) into the store."""
        require_paths(paths)
        settings = settings_for(db, follow_symlinks, workers, dask_address)
        batch: BatchResult = run_job("ingest", settings, flow, paths=list(paths), city=city,
                                     progress=sys.stderr.isatty())  # fmt: skip
        report_failures(batch)
        s = batch.summary()
        summary(s, say("ingest", **s), as_json)
        if batch.failed:
            sys.exit(EXIT_SOME_FAILED)

    @main.command()
    @db_option
    @click.option("--all", "include_old", is_flag=True, help="Include superseded versions.")
    def passages(db: str | None, include_old: bool) -> None:
        """Stored passages as JSON lines."""
        with open_db(db) as store:
            emit(store.iter_passages(current_only=not include_old))

    @main.command()
    @db_option
    @click.option("--all", "include_old", is_flag=True, help="Include superseded versions.")
    def documents(db: str | None, include_old: bool) -> None:
        """Stored documents with their metadata as JSON lines."""
        with open_db(db) as store:
            emit(store.iter_documents(current_only=not include_old))

    @main.command()
    @db_option
    @click.option("--all", "include_resolved", is_flag=True, help="Include failures fixed since.")
    def errors(db: str | None, include_resolved: bool) -> None:
        """Files that could not be ingested, with the reason, as JSON lines."""
        with open_db(db) as store:
            emit(store.iter_failures(include_resolved=include_resolved))
