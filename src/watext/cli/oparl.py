"""``watext oparl sync``: papers and their files from a council information system (OParl)."""

from __future__ import annotations

import sys

import click

from watext.cli.common import (
    EXIT_SOME_FAILED,
    parse_since,
    db_option,
    no_flow_option,
    run_job,
    say,
    settings_for,
    summary,
)
from watext.oparl.sync import SyncResult

__all__ = ["register"]


def register(main: click.Group) -> None:
    @main.group(name="oparl")
    def oparl() -> None:
        """Council information systems that speak OParl."""

    @oparl.command(name="sync")
    @click.argument("url")
    @click.option("--body", default=None, metavar="ID", help="Only this body (its id URL, last id part or short name).")
    @click.option("--since", default=None, metavar="DATE",
                  help="Papers modified since DATE (ISO); default: since the last complete sync.")  # fmt: skip
    @click.option("--max-papers", type=click.IntRange(1), default=None, metavar="N", help="Stop after N papers (trials).")
    @click.option("--cache", "cache_dir", default=None, type=click.Path(path_type=str),
                  help="Folder for downloaded files (default: oparl-files next to the SQLite store).")  # fmt: skip
    @click.option("--retries", type=click.IntRange(0, 10), default=4, help="Retries of a failed request (default 4).")
    @click.option("--timeout", type=click.FloatRange(1), default=30.0, help="Seconds per request (default 30).")
    @db_option
    @no_flow_option
    @click.option("--json", "as_json", is_flag=True, help="Print the summary as one JSON line.")
    def sync(url: str, body: str | None, since: str | None, max_papers: int | None, cache_dir: str | None,
             retries: int, timeout: float, db: str | None, flow: bool | None, as_json: bool) -> None:  # fmt: skip
        """Sync papers (and their files) of the OParl server at URL into the store."""
        settings = settings_for(db)
        result: SyncResult = run_job("sync_oparl", settings, flow, url=url, body=body, since=parse_since(since),
                                     max_papers=max_papers, cache_dir=cache_dir, retries=retries, timeout=timeout)  # fmt: skip
        for e in result.errors:
            click.echo(say("oparl_error", object=e["object"], code=e["code"], reason=e["reason"]), err=True)
        s = result.summary()
        summary(s, say("oparl_sync", **s), as_json)
        if result.errors:
            sys.exit(EXIT_SOME_FAILED)
