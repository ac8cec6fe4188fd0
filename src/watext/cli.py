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


def _settings(db: str | None, follow_symlinks: bool = False) -> Settings:
    if follow_symlinks:  # also for the flows, which read settings from the environment
        os.environ["WATEXT_FOLLOW_SYMLINKS"] = "1"
    return get_settings(db=db, follow_symlinks=follow_symlinks or None)


def _flow_db(settings: Settings) -> None:
    """Hand the store URL to the flows through the environment, never as a flow parameter:
    Prefect stores parameters in its database, and the URL may hold a password. The store
    is opened once first, so an unreachable database is one line (StoreError), not a
    failed flow run with Prefect's tracebacks."""
    os.environ["WATEXT_DB"] = settings.db
    from .store import open_store

    open_store(settings.db).close()


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
follow_option = click.option(
    "--follow-symlinks", is_flag=True, envvar="WATEXT_FOLLOW_SYMLINKS",
    help="Also read files that symbolic links inside the given folders point to elsewhere.",
)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="watext")
def main() -> None:
    """watext: municipal documents on welcome culture -> passages -> comparison tables."""


@main.command()
@click.argument("paths", nargs=-1, required=True, type=click.Path(path_type=str))
@db_option
@follow_option
@click.option("--city", default=None, help="City of all given files (overrides detection).")
@click.option(
    "--no-flow", is_flag=True, envvar="WATEXT_NO_FLOW",
    help="Run in-process without Prefect orchestration (same library code, no flow run).",
)
def ingest(paths: tuple[str, ...], db: str | None, follow_symlinks: bool, city: str | None, no_flow: bool) -> None:
    """Ingest files or folders (PDF, PPTX, DOCX, HTML, text) into the store."""
    settings = _settings(db, follow_symlinks)
    progress = sys.stderr.isatty()
    if no_flow:
        from .progress import run_with_progress

        summary = run_with_progress(list(paths), settings, city, progress)
    else:
        from flows.ingest import ingest_flow

        _flow_db(settings)
        summary = ingest_flow(list(paths), city=city, progress=progress)
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


# --- model commands (train / evaluate / predict / classify) ---------------------------

no_flow_option = click.option(
    "--no-flow", is_flag=True, envvar="WATEXT_NO_FLOW",
    help="Run in-process without Prefect orchestration (same library code, no flow run).",
)
model_option = click.option(
    "--model", "model_dir", default=None, type=click.Path(path_type=str),
    help="Model version dir (or models/<name> to use its CURRENT); default models/watext-goals/<CURRENT>.",
)


@main.command()
@click.option("--gold", default=None, type=click.Path(exists=True, path_type=str),
              help="Gold JSON lines to evaluate on (held out of training).")
@click.option("--suite", is_flag=True,
              help="Everything: train-CV (stored with the model), the held-out gold splits, survey-question "
                   "recognition and negation (files under --corpus).")  # fmt: skip
@click.option("--corpus", default="corpus", show_default=True, type=click.Path(path_type=str),
              help="Corpus folder for --suite.")
@model_option
@click.option("--json", "as_json", is_flag=True, help="Print the metrics as one JSON object.")
def evaluate(gold: str | None, suite: bool, corpus: str, model_dir: str | None, as_json: bool) -> None:
    """Evaluate a saved model on a held-out gold file (or the whole --suite), against baselines."""
    from .tag.evaluate import evaluate_model, format_report, load_gold
    from .tag.registry import load_model, resolve_model_dir

    if not gold and not suite:
        raise click.UsageError("give --gold FILE or --suite")
    model, meta = load_model(resolve_model_dir(model_dir))
    if suite:
        from .tag.suite import evaluate_suite, format_suite

        result = evaluate_suite(model, meta, corpus)
        _emit([result]) if as_json else click.echo(format_suite(result))
        return
    result = evaluate_model(model, load_gold(gold))
    if as_json:
        _emit([result])
    else:
        click.echo(format_report(result))


@main.command()
@model_option
@click.option("--input", "input_file", type=click.File("r", encoding="utf-8"), default="-",
              help="JSON lines {id, text, lang?} (default: standard input).")
@click.option("--batch", default=500, show_default=True, help="Passages per prediction batch.")
def predict(model_dir: str | None, input_file: Any, batch: int) -> None:
    """Tag JSON-lines passages: one line out per line in (id, labels, scores, body, body_name, topic)."""
    from .tag.registry import load_model, resolve_model_dir

    model, _ = load_model(resolve_model_dir(model_dir))
    chunk: list[dict[str, Any]] = []
    for no, line in enumerate(input_file, 1):
        if not line.strip():
            continue
        try:
            rec = json.loads(line)
        except json.JSONDecodeError as exc:
            raise click.UsageError(f"input line {no}: invalid JSON: {exc}") from exc
        if not isinstance(rec, dict) or not isinstance(rec.get("text"), str):
            raise click.UsageError(f"input line {no}: expected an object with a text")
        chunk.append(rec)
        if len(chunk) >= batch:
            _emit(model.predict(chunk))
            chunk = []
    _emit(model.predict(chunk))


@main.command()
@db_option
@model_option
@click.option("--batch", default=500, show_default=True, help="Passages per task/transaction.")
@no_flow_option
def classify(db: str | None, model_dir: str | None, batch: int, no_flow: bool) -> None:
    """Tag stored passages that lack a prediction of the current model version."""
    if no_flow:
        from .tag.jobs import classify_store

        with _store(db) as store:
            summary = classify_store(store, model_dir, batch)
    else:
        from flows.classify import classify_flow

        _flow_db(_settings(db))
        summary = classify_flow(None, model_dir, batch)
    _emit([summary])


# --- tables and the main job -----------------------------------------------------------

formats_option = click.option(
    "--format", "formats", multiple=True, type=click.Choice(["xlsx", "html", "csv", "md", "pptx"]),
    help="Export format (repeatable; default all).",
)


def _report_line(summary: dict[str, Any]) -> None:
    for line in summary.get("warnings") or []:
        click.echo(f"warning: {line}", err=True)
    doubtful = summary.get("goals_doubtful") or []
    if doubtful:
        click.echo(f"goals: {len(doubtful)} doubtful cell(s), check them first (review lane 'tables'): "
                   + ", ".join(f"{c} × {g}" for c, g in doubtful), err=True)  # fmt: skip
    if summary.get("report"):
        click.echo(f"report: {summary['report']}", err=True)


@main.command()
@db_option
@click.option("--out", required=True, type=click.Path(path_type=str), help="Output directory.")
@formats_option
@model_option
@click.option("--city", "cities", multiple=True, help="Only these cities (repeatable; default all).")
@no_flow_option
def tables(db: str | None, out: str, formats: tuple[str, ...], model_dir: str | None,
           cities: tuple[str, ...], no_flow: bool) -> None:  # fmt: skip
    """Build the comparison tables from the store and export them (xlsx, html, csv, md, pptx)."""
    fmts, only = list(formats) or None, list(cities) or None
    if no_flow:
        from .tables.jobs import write_tables

        with _store(db) as store:
            summary = write_tables(store, out, fmts, model_dir, only)
    else:
        from flows.tables import tables_flow

        _flow_db(_settings(db))
        summary = tables_flow(out, None, fmts, model_dir, only)
    _emit([summary])
    _report_line(summary)


@main.command(name="run")
@click.argument("paths", nargs=-1, required=True, type=click.Path(path_type=str))
@click.option("--out", required=True, type=click.Path(path_type=str), help="Output directory.")
@db_option
@follow_option
@formats_option
@model_option
@no_flow_option
def run_cmd(paths: tuple[str, ...], out: str, db: str | None, follow_symlinks: bool, formats: tuple[str, ...],
            model_dir: str | None, no_flow: bool) -> None:  # fmt: skip
    """The main job in one go: ingest PATHS, classify, build and export the tables."""
    import time

    started = time.perf_counter()
    settings, fmts = _settings(db, follow_symlinks), list(formats) or None
    progress = sys.stderr.isatty()
    if no_flow:
        from .progress import run_with_progress
        from .tables.jobs import write_tables
        from .tag.jobs import classify_store

        ingested = run_with_progress(list(paths), settings, None, progress)
        with _store(settings.db) as store:
            classified = classify_store(store, model_dir)
            summary = write_tables(store, out, fmts, model_dir, None)
    else:
        from flows.tables import run_flow

        _flow_db(settings)
        done = run_flow(list(paths), out, None, fmts, model_dir, progress)
        ingested, classified, summary = done["ingest"], done["classify"], done["tables"]
    for failure in ingested.get("failures", []):
        click.echo(f"failed: {failure['source']}: {failure['reason']}", err=True)
    _emit([{"ingest": {k: v for k, v in ingested.items() if k != "failures"},
            "classify": classified, "tables": summary,
            "seconds": round(time.perf_counter() - started, 1)}])  # fmt: skip
    _report_line(summary)
    if ingested.get("failed"):
        sys.exit(EXIT_SOME_FAILED)


# --- review web page ---------------------------------------------------------------------
from .review.cli import register as _register_review  # noqa: E402

_register_review(main)
from .tag.cli_review import register as _register_model_commands  # noqa: E402

_register_model_commands(main)  # train (gold + corrections, promotion rule), corrections, models
