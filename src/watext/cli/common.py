"""What every ``watext`` command shares: options, settings, output, :func:`run_job`, and
the language of what a person reads (:func:`say`, :func:`message`, :class:`Group`).

Every line the command prints for a person comes from ``i18n/<lang>/cli.json`` (German by
default, English with ``WATEXT_LANG=en``); JSON output is machine data and stays as it is.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
import os
import re
import sys
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import click

from watext import i18n
from watext.errors import ConfigError, WatextError
from watext.settings import Settings, get_settings
from watext.store import Store, open_store

__all__ = [
    "EXIT_SOME_FAILED",
    "Group",
    "PrefectUnavailable",
    "UsageError",
    "check_lang",
    "check_prefect",
    "db_option",
    "emit",
    "follow_option",
    "json_option",
    "message",
    "model_option",
    "no_flow_option",
    "open_db",
    "parallel_options",
    "require_paths",
    "run_job",
    "say",
    "settings_for",
    "summary",
    "to_terminal",
    "use_flow",
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


def parallel_options(fn: Any) -> Any:
    """``--workers N`` and ``--dask ADDRESS`` (``WATEXT_WORKERS``, ``WATEXT_DASK_ADDRESS``)."""
    fn = click.option("--dask", "dask_address", default=None, metavar="ADDRESS",
                      help="Read the files on the Dask cluster at ADDRESS (tcp://host:8786), in batches; its "
                           "workers write to the store, which must be PostgreSQL (WATEXT_DASK_ADDRESS).")(fn)  # fmt: skip
    return click.option("--workers", type=click.IntRange(0, 64), default=None, metavar="N",
                        help="Read N files side by side on this machine; 1: one after the other; 0 (default): "
                             "one per CPU core, at most 4 (WATEXT_WORKERS).")(fn)  # fmt: skip


def settings_for(db: str | None, follow_symlinks: bool = False, workers: int | None = None,
                 dask_address: str | None = None) -> Settings:  # fmt: skip
    """The settings of one command: the environment, with its flags winning. ``--dask`` with a
    SQLite store is a usage error (exit 2): Dask workers write to the store themselves."""
    if follow_symlinks:  # also for the flows, which read settings from the environment
        os.environ["WATEXT_FOLLOW_SYMLINKS"] = "1"
    if workers is not None:
        os.environ["WATEXT_WORKERS"] = str(workers)
    if dask_address is not None:
        os.environ["WATEXT_DASK_ADDRESS"] = dask_address
    settings = get_settings(db=db, follow_symlinks=follow_symlinks or None, workers=workers,
                            dask_address=dask_address)  # fmt: skip
    if settings.dask_address:
        from watext.store import normalize_url

        if normalize_url(settings.db).get_backend_name() != "postgresql":
            raise UsageError(say("dask_needs_postgres"))
    return settings


json_option = click.option(
    "--json", "as_json", is_flag=True,
    help="Print the summary as one JSON line (the default when standard output is not a terminal).",
)  # fmt: skip


def to_terminal() -> bool:
    """Whether standard output is a person's terminal (then a command's result is ``human``)."""
    return sys.stdout.isatty()


def summary(row: dict[str, Any], human: str, as_json: bool) -> None:
    """A command's result: ``human`` (in the language in force) for a person at a terminal,
    else ``row`` as one JSON line (machine data: never translated)."""
    if as_json or not to_terminal():
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
        raise UsageError(say("missing_paths", paths=", ".join(missing)))


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
            click.echo(say("prefect_fallback", message=message(str(exc))), err=True)
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
    from flows.runners import with_runner

    try:
        return with_runner(FLOWS[job], settings)(**kwargs) if job in ("ingest", "run") else FLOWS[job](**kwargs)
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


# ------------------------------------------------------------------ language of the messages

EXIT_USAGE = 2

#: Error messages raised deep down (English developer strings), by the name of their
#: text in ``cli.json``'s ``messages``: the named groups fill its placeholders.
MESSAGES: dict[str, str] = {
    "no_database": r"no database at (?P<path>.+) \(give --db, or ingest something first\)",
    "cannot_open_database": r"cannot open database (?P<where>.+?): (?P<reason>.*)",
    "database_error": r"database error while (?P<action>.+?): (?P<reason>.*)",
    "schema_newer": r"database schema version (?P<found>\S+) is newer than this watext supports "
                    r"\((?P<supported>[^)]*)\); upgrade watext",
    "invalid_url": r"invalid database URL (?P<url>.*)",
    "unsupported_database": r"unsupported database (?P<driver>.+): use sqlite:/// or postgresql://",
    "no_current_model": r"no current model: (?P<pointer>.+) missing \(run `watext train`\)",
    "not_a_model": r"not a model directory \(no (?P<meta>[^)]+)\): (?P<path>.*)",
    "model_mismatch": r"model (?P<where>\S+) does not match: (?P<problems>.*) \(retrain with `watext train`\)",
    "prefect_unavailable": r"Prefect is not available \((?P<reason>.*)\)",
    "prefect_api_silent": r"Prefect API at (?P<url>\S+) does not answer \((?P<reason>.*)\)",
    "config_not_found": r"config file (?P<path>.+) not found",
    "no_source": r"(?P<config>[^:]+): no source named (?P<name>.+) \(known: (?P<known>.*)\)",
    "no_change_report": r"no change report yet \(run `watext reprocess` or `watext serve`\)",
    "serve_failed": r"serve failed: (?P<detail>.*)",
    "empty_file": r"empty file \(0 bytes\)",
    "no_text": r"no text found in this (?P<format>\S+) file",
    "file_not_found": r"file not found",
    "not_regular": r"not a regular file",
    "unknown_binary": r"binary file of unknown type; not a document watext reads",
    "needs_ocr": r"no text layer \(scanned or image-only PDF\); OCR needed",
    "damaged_pdf": r"damaged or truncated PDF: (?P<detail>.*)",
    "encrypted_pdf": r"password-protected PDF: (?P<detail>.*)",
    "encrypted_office": r"password-protected Office document; remove the password",
    "too_slow": r"reading it took longer than (?P<seconds>\S+) s \(WATEXT_FILE_TIMEOUT_S\); stopped",
    "dask_unreachable": r"cannot reach the Dask scheduler at (?P<address>\S+): (?P<detail>.*)",
    "dask_needs_postgres": r"--dask needs a PostgreSQL store \(Dask workers cannot write to a SQLite file\)",
    "chromium_not_found": r"Chromium not found \((?P<where>.+)\); set WATEXT_CHROMIUM to its path",
    "chromium_timeout": r"Chromium did not finish printing within (?P<seconds>\S+) s",
    "chromium_failed": r"Chromium failed \(exit (?P<code>[^)]+)\)(?P<detail>.*)",
    "chromium_incomplete": r"Chromium wrote no complete PDF",
}  # fmt: skip

#: click's own usage errors (``UsageError.format_message()``), by their name in ``cli.json``'s ``click``.
CLICK_MESSAGES: dict[str, str] = {
    "missing_argument": r"Missing argument (?P<name>.+)\.",
    "missing_option": r"Missing option (?P<name>.+)\.",
    "no_such_option_hint": r"No such option:? (?P<name>\S+?)\.? \(?Did you mean (?:one of: )?(?P<choices>.+?)\?\)?",
    "no_such_option": r"No such option:? (?P<name>\S+?)\.?",
    "no_such_command": r"No such command (?P<name>.+)\.",
    "invalid_value": r"Invalid value for (?P<name>.+?): (?P<detail>.*)",
    "extra_arguments": r"Got unexpected extra arguments? \((?P<args>.*)\)",
    "requires_argument": r"Option (?P<name>\S+) requires an argument\.",
}  # fmt: skip

#: click's reasons inside ``invalid_value`` (its ``{detail}``), by their name in ``cli.json``'s ``click``.
CLICK_DETAILS: dict[str, str] = {
    "not_one_of": r"(?P<value>.+) is not one of (?P<choices>.+)\.",
    "not_a_number": r"(?P<value>.+) is not a valid integer(?: range)?\.",
    "does_not_exist": r"(?:File|Directory|Path) (?P<path>.+) does not exist\.",
}  # fmt: skip


def parse_since(value: str | None) -> datetime | None:
    """A ``--since`` value (ISO date or time; UTC when it names no zone); a usage error
    naming the value otherwise."""
    if not value:
        return None
    try:
        moment = datetime.fromisoformat(value)
    except ValueError as exc:
        raise UsageError(say("since_invalid", value=repr(value))) from exc
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def say(key: str, **values: Any) -> str:
    """The line ``key`` of ``cli.json`` in the language in force, ``values`` filled in."""
    return i18n.t("cli", key, **values)


def _translate(text: str, patterns: dict[str, str], texts: Any, details: dict[str, str] | None = None) -> str:
    for key, pattern in patterns.items():
        m = re.fullmatch(pattern, text, re.DOTALL)
        if m:
            values = m.groupdict()
            if details and values.get("detail"):
                values["detail"] = _translate(values["detail"], details, texts)
            return str(texts[key]).format(**values)
    return text


def message(text: str) -> str:
    """An error message raised deep down (an English developer string) in the language in
    force: the common ones from ``cli.json``'s ``messages``, others as they are."""
    return _translate(str(text), MESSAGES, i18n.texts("cli")["messages"])


class UsageError(click.UsageError):
    """A usage error (exit 2) of watext's own, its text already in the language in force."""


def _show(exc: click.ClickException) -> None:
    """``exc`` for a person, in the language in force (click's own framing translated too)."""
    texts = i18n.texts("cli")["click"]
    text = exc.format_message()
    text = message(_translate(text, CLICK_MESSAGES, texts, CLICK_DETAILS))
    ctx = getattr(exc, "ctx", None)
    if isinstance(exc, click.UsageError) and ctx is not None:
        formatter = ctx.make_formatter()
        formatter.write_usage(ctx.command_path, " ".join(ctx.command.collect_usage_pieces(ctx)),
                              prefix=f"{texts['usage']} ")  # fmt: skip
        help_names = ctx.command.get_help_option_names(ctx)
        hint = texts["hint"].format(command=ctx.command_path, option=max(help_names, key=len)) if help_names else ""
        click.echo(formatter.getvalue().rstrip("\n") + ("\n" + hint if hint else "") + "\n", err=True)
    click.echo(texts["error"].format(message=text), err=True)


def check_lang() -> str:
    """The language asked for by ``WATEXT_LANG``; one line and exit 2 when it is not supported.
    A spelling i18n accepts (``EN``, `` en``, empty for the default) is written back as its
    code, so the settings (and flows started from here) read the same language."""
    value = os.environ.get("WATEXT_LANG")
    try:
        code = i18n.check(value)
    except ValueError:
        with i18n.use(i18n.DEFAULT):
            click.echo(say("lang_invalid", value=value, choices=i18n.join(i18n.LANGS)), err=True)
        sys.exit(EXIT_USAGE)
    if value is not None and value != code:
        os.environ["WATEXT_LANG"] = code
    return code


class Group(click.Group):
    """The ``watext`` group: every command runs in the language of ``WATEXT_LANG`` (an
    unsupported one is one line and exit 2), and click's usage errors are shown in it."""

    def main(self, *args: Any, **kwargs: Any) -> Any:
        with i18n.use(check_lang()):
            return super().main(*args, **kwargs)

    def make_context(self, *args: Any, **kwargs: Any) -> click.Context:
        try:
            return super().make_context(*args, **kwargs)
        except click.ClickException as exc:
            _localized(exc)
            raise

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except click.ClickException as exc:
            _localized(exc)
            raise


def _localized(exc: click.ClickException) -> None:
    """Let click show ``exc`` through :func:`_show` (click calls ``exc.show()``)."""
    exc.show = lambda file=None: _show(exc)  # type: ignore[method-assign]
