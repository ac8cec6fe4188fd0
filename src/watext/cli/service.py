"""``watext serve``: the service that reprocesses the configured sources on their schedules."""

from __future__ import annotations

import sys

import click

from watext.errors import WatextError

__all__ = ["register"]


def register(main: click.Group) -> None:
    @main.command()
    @click.option(
        "--config", "config_path", default=None, type=click.Path(path_type=str),
        help="Service config (default: $WATEXT_CONFIG, else ./watext.toml).",
    )  # fmt: skip
    def serve(config_path: str | None) -> None:
        """Run the service until Ctrl-C or SIGTERM: a local Prefect server (unless
        PREFECT_API_URL names one) and a runner that reprocesses each source of the
        config on its schedule, reclassifies when the current model changes, and rebuilds
        the tables on demand. Prints the address of the Prefect UI; logs go to
        <data>/logs. One service per data folder."""
        from watext.service import ServiceError, run_service
        from watext.sources import find_config
        from watext.store import open_store

        config = find_config(config_path)
        open_store(config.db).close()  # an unusable store is one line here, not a failing flow run later
        try:
            code = run_service(config, echo=lambda line: click.echo(line, err=True))
        except WatextError:
            raise
        except Exception as exc:  # the boundary: one line, never a traceback
            raise ServiceError(f"serve failed: {type(exc).__name__}: {exc}") from exc
        sys.exit(code)
