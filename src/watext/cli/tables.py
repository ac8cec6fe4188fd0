"""``watext tables`` and the main job ``watext run``."""

from __future__ import annotations

import sys
import time
from pathlib import Path
from typing import Any

import click

from watext import i18n
from watext.cli.common import (  # fmt: skip
    EXIT_SOME_FAILED,
    db_option,
    follow_option,
    json_option,
    model_option,
    no_flow_option,
    parallel_options,
    require_paths,
    run_job,
    say,
    settings_for,
)
from watext.cli.common import summary as summary_line
from watext.cli.documents import report_failures

__all__ = ["register"]

formats_option = click.option(
    "--format", "formats", multiple=True, type=click.Choice(["xlsx", "html", "csv", "md", "pptx"]),
    help="Export format (repeatable; default all).",
)  # fmt: skip


def _report_line(summary: dict[str, Any]) -> None:
    """Warnings, doubtful goal cells and where the report is, on standard error."""
    for line in summary.get("warnings") or []:
        click.echo(say("warning", text=line), err=True)
    doubtful = summary.get("goals_doubtful") or []
    if doubtful:
        cells = ", ".join(f"{c} × {i18n.name('goal', g)}" for c, g in doubtful)
        click.echo(say("doubtful", n=len(doubtful), lane=i18n.name("lane", "tables"), cells=cells), err=True)
    if summary.get("report"):
        click.echo(say("report", path=summary["report"]), err=True)


def _tables_line(tables: dict[str, Any], out: Any) -> str:
    return say("tables", cities=len(tables.get("cities") or []), doubtful=len(tables.get("goals_doubtful") or []),
               files=len(tables.get("files") or []), out=out)  # fmt: skip


def _human(ingest: dict[str, Any], classify: dict[str, Any], tables: dict[str, Any], seconds: float) -> str:
    """The run's summary for a person at a terminal (``--json`` gives the machine form)."""
    return "\n".join([
        say("run_ingest", **ingest),
        say("run_classify", classified=classify["classified"], model=classify["model"], version=classify["version"]),
        _tables_line(tables, Path(tables["report"]).parent if tables.get("report") else say("no_folder")),
        say("done", seconds=i18n.number(seconds, 1)),
    ])  # fmt: skip


def register(main: click.Group) -> None:
    @main.command()
    @db_option
    @click.option("--out", required=True, type=click.Path(path_type=str), help="Output directory.")
    @formats_option
    @model_option
    @click.option("--city", "cities", multiple=True, help="Only these cities (repeatable; default all).")
    @no_flow_option
    @json_option
    def tables(db: str | None, out: str, formats: tuple[str, ...], model_dir: str | None,
               cities: tuple[str, ...], flow: bool | None, as_json: bool) -> None:  # fmt: skip
        """Build the comparison tables from the store and export them (xlsx, html, csv, md, pptx)."""
        summary = run_job("build_tables", settings_for(db), flow, out=out, formats=list(formats) or None,
                          model_dir=model_dir, cities=list(cities) or None)  # fmt: skip
        summary_line(summary, _tables_line(summary, out), as_json)
        _report_line(summary)

    @main.command(name="run")
    @click.argument("paths", nargs=-1, required=True, type=click.Path(path_type=str))
    @click.option("--out", required=True, type=click.Path(path_type=str), help="Output directory.")
    @db_option
    @follow_option
    @formats_option
    @model_option
    @parallel_options
    @no_flow_option
    @json_option
    def run_cmd(paths: tuple[str, ...], out: str, db: str | None, follow_symlinks: bool, formats: tuple[str, ...],
                model_dir: str | None, workers: int | None, dask_address: str | None, flow: bool | None,
                as_json: bool) -> None:  # fmt: skip
        """The main job in one go: ingest PATHS, classify, build and export the tables."""
        require_paths(paths)
        started = time.perf_counter()
        done = run_job("run", settings_for(db, follow_symlinks, workers, dask_address), flow, paths=list(paths), out=out,
                       formats=list(formats) or None, model_dir=model_dir, progress=sys.stderr.isatty())  # fmt: skip
        report_failures(done.ingest)
        seconds = round(time.perf_counter() - started, 1)
        summary_line({"ingest": done.ingest.summary(), "classify": done.classify.to_dict(), "tables": done.tables,
                      "seconds": seconds}, _human(done.ingest.summary(), done.classify.to_dict(), done.tables, seconds),
                     as_json)  # fmt: skip
        _report_line(done.tables)
        if done.ingest.failed:
            sys.exit(EXIT_SOME_FAILED)
