"""``watext review``: register with ``register(main)`` on the click group."""

from __future__ import annotations

import os

import click

from watext.cli.common import UsageError, message, open_db, say

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
    @click.option("--tls-cert", default=None, type=click.Path(exists=True, dir_okay=False),
                  help="Serve HTTPS with this certificate (PEM); cookies are then Secure.")
    @click.option("--tls-key", default=None, type=click.Path(exists=True, dir_okay=False),
                  help="Private key (PEM) for --tls-cert.")
    @click.option("--forwarded-allow-ips", default=None, metavar="IPS",
                  help="Behind a reverse proxy that terminates TLS: the proxy's addresses, whose "
                       "X-Forwarded-Proto/For headers are trusted (cookies are Secure over https).")
    def review(db: str | None, host: str, port: int, reviewer: str | None, password_env: str | None,
               model_dir: str | None, tls_cert: str | None, tls_key: str | None,
               forwarded_allow_ips: str | None) -> None:  # fmt: skip
        """Serve the keyboard-first review page for correcting passage labels."""
        import uvicorn

        from watext.errors import ConfigError
        from watext.review.app import check_bind, create_app

        password = os.environ.get(password_env, "") if password_env else ""
        if password_env and not password:
            raise UsageError(say("password_env_empty", name=password_env))
        try:
            check_bind(host, password or None)
        except ConfigError as exc:
            raise UsageError(message(str(exc))) from exc
        with open_db(db) as store:
            app = create_app(store, reviewer_auth=password or None, model_dir=model_dir,
                             default_reviewer=None if password else reviewer)  # fmt: skip
            if bool(tls_cert) != bool(tls_key):
                raise UsageError(say("tls_pair"))
            scheme = "https" if tls_cert else "http"
            click.echo(say("review_serving", url=f"{scheme}://{host}:{port}/"), err=True)
            uvicorn.run(app, host=host, port=port, log_level="warning", log_config=_log_config(),
                        ssl_certfile=tls_cert, ssl_keyfile=tls_key,
                        proxy_headers=bool(forwarded_allow_ips), forwarded_allow_ips=forwarded_allow_ips)  # fmt: skip


def _log_config() -> dict:
    """uvicorn's logging with one line per error (a client that disconnects mid-request
    is a warning line, not an "Exception in ASGI application" traceback)."""
    import copy
    import logging

    from uvicorn.config import LOGGING_CONFIG

    class _OneLine(logging.Filter):
        def filter(self, record: logging.LogRecord) -> bool:
            if record.exc_info:
                exc = record.exc_info[1]
                record.msg = f"{record.getMessage()}: {type(exc).__name__}: {exc}"
                record.args = ()
                record.exc_info = record.exc_text = None
            return True

    cfg = copy.deepcopy(LOGGING_CONFIG)
    cfg.setdefault("filters", {})["one_line"] = {"()": _OneLine}
    for handler in cfg.get("handlers", {}).values():
        handler.setdefault("filters", []).append("one_line")
    return cfg
