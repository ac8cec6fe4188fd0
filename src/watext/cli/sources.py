"""The service's one-shot commands: ``watext sources``, ``reprocess`` and ``changes``.

They read the sources from the config (``--config`` or ``WATEXT_CONFIG``, else
``./watext.toml``); ``watext serve`` runs the same reprocessing on the schedules.
"""

from __future__ import annotations

import json
from typing import Any

import click

from watext.cli.common import emit, no_flow_option, parse_since, run_job
from watext.errors import ConfigError
from watext.settings import get_settings
from watext.sources import ServiceConfig, find_config
from watext.store import open_store

__all__ = ["register"]

config_option = click.option(
    "--config", "config_path", default=None, envvar="WATEXT_CONFIG", type=click.Path(path_type=str),
    help="Service config (default WATEXT_CONFIG, else ./watext.toml).",
)  # fmt: skip


def _last_runs(cfg: ServiceConfig) -> dict[str, dict[str, Any]]:
    with open_store(cfg.db) as store:
        return {s.name: next(iter(store.change_reports(s.name)), {}) for s in cfg.sources}


def register(main: click.Group) -> None:
    @main.command(name="sources")
    @config_option
    def sources_cmd(config_path: str | None) -> None:
        """Watched sources with their schedule and the last run's outcome, as JSON lines."""
        cfg = find_config(config_path)
        last = _last_runs(cfg)
        emit([{"name": s.name, "kind": s.kind, "path": str(s.path), "glob": s.glob, "city": s.city,
               "schedule": s.describe_schedule(), "out": str(s.out), "last_run": last[s.name].get("run"),
               "last_finished": last[s.name].get("finished"), "last_summary": last[s.name].get("summary")}
              for s in cfg.sources])  # fmt: skip

    @main.command(name="reprocess")
    @click.argument("source", required=False)
    @config_option
    @no_flow_option
    def reprocess_cmd(source: str | None, config_path: str | None, flow: bool | None) -> None:
        """Reprocess one source (or all) now: new and changed files, removals, classify,
        tables and the change report — what `watext serve` does on schedule."""
        from watext.tables.export.changes import format_changes

        cfg = find_config(config_path)
        settings = get_settings(db=cfg.db)
        chosen = [cfg.source(source)] if source else list(cfg.sources)
        for s in chosen:
            report = run_job("reprocess", settings, flow, config=str(cfg.path), source=s.name,
                             pipeline_kwargs={"source": s})  # fmt: skip
            click.echo(format_changes(report), err=True)
            emit([{"source": s.name, "run": report["run"], **report["summary"], "out": str(s.out)}])

    @main.command(name="changes")
    @config_option
    @click.option("--source", default=None, help="Only this source.")
    @click.option("--since", default=None, help="Reports of runs started since this date/time (ISO, UTC).")
    @click.option("--run", "run_id", type=int, default=None, help="The report of this run.")
    @click.option("--all", "include_empty", is_flag=True, help="Also runs that changed nothing.")
    @click.option("--json", "as_json", is_flag=True, help="The reports as JSON lines.")
    def changes_cmd(config_path: str | None, source: str | None, since: str | None, run_id: int | None,
                    include_empty: bool, as_json: bool) -> None:  # fmt: skip
        """The latest change report (with --since: every report since; --run: one run)."""
        from watext.tables.export.changes import format_changes

        cfg = find_config(config_path)
        if source:
            cfg.source(source)
        with open_store(cfg.db) as store:
            reports = list(store.change_reports(source, parse_since(since), run_id))
        if not include_empty and run_id is None:
            changed = [r for r in reports if r.get("first_run") or any(r["summary"].values())
                       or r["versions"]["before"] != r["versions"]["after"]]
            reports = changed or reports[:1]
        if since is None and run_id is None:
            reports = reports[:1]
        if not reports:
            raise ConfigError("no change report yet (run `watext reprocess` or `watext serve`)")
        for r in reports:
            if as_json:
                click.echo(json.dumps(r, ensure_ascii=False))
            else:
                click.echo(format_changes(r))
