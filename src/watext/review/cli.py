"""``watext review``: register with ``register(main)`` on the click group."""

from __future__ import annotations

import os

import click

__all__ = ["register"]


def register(main: click.Group) -> None:
    """Add the ``review`` command to ``main``."""

    @main.command()
    @click.option("--db", envvar="WATEXT_DB", default=None, help="Database URL (default sqlite:///watext.db).")
    @click.option("--host", default="127.0.0.1", show_default=True, help="Address to bind (non-loopback needs a password).")
    @click.option("--port", default=8765, show_default=True, type=int)
    @click.option("--reviewer", default=None, help="Reviewer name used when nobody logged in (loopback only).")
    @click.option("--password-env", default=None, metavar="VAR",
                  help="Environment variable holding the reviewers' password (required off loopback).")
    @click.option("--model-dir", default=None, help="Model version dir (default: the current model).")
    def review(db: str | None, host: str, port: int, reviewer: str | None, password_env: str | None,
               model_dir: str | None) -> None:  # fmt: skip
        """Serve the keyboard-first review page for correcting passage labels."""
        import uvicorn

        from ..errors import ConfigError
        from ..settings import get_settings
        from ..store import open_store
        from .app import check_bind, create_app

        password = os.environ.get(password_env, "") if password_env else ""
        if password_env and not password:
            raise click.UsageError(f"environment variable {password_env} is empty or unset")
        try:
            check_bind(host, password or None)
        except ConfigError as exc:
            raise click.UsageError(str(exc)) from exc
        with open_store(get_settings(db=db).db) as store:
            app = create_app(store, reviewer_auth=password or None, model_dir=model_dir,
                             default_reviewer=None if password else reviewer)  # fmt: skip
            click.echo(f"watext review on http://{host}:{port}/ (Ctrl-C to stop)", err=True)
            uvicorn.run(app, host=host, port=port, log_level="warning")
