"""The service configuration: where the store is and which sources are watched how often.

A ``watext.toml`` (path from ``--config`` or ``WATEXT_CONFIG``)::

    [store]
    db = "sqlite:///data/watext.db"

    [service]                    # optional
    data = "data"                # the service's own files: Prefect's database, lock, logs
    reclassify_every = "60s"     # how often to look for a new current model
    port = 4242                  # the local Prefect server (0: any free port)

    [[sources]]
    name = "partnerstaedte"
    kind = "folder"
    path = "inbox/partnerstaedte"
    glob = "**/*"                # optional
    city = "Darmstadt"           # optional: city of every file of this source
    interval = "10s"             # or: cron = "0 3 * * *"
    out = "out/partnerstaedte"

    [[sources]]                  # a council information system (OParl)
    name = "ratsinfo-erlangen"
    kind = "oparl"
    url = "https://ratsinfo.example.de/oparl/v1.1/system"
    body = "1"                   # optional: only this body
    path = "cache/ratsinfo"      # optional: downloaded files (default oparl-cache/<name>)
    interval = "1d"
    out = "out/ratsinfo"

Relative paths (also in a ``sqlite:///`` URL) are relative to the config file. Every
mistake is a :class:`~watext.errors.ConfigError` naming the file, the source and the key.
"""

from __future__ import annotations

import os
import re
import tomllib
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Any

from watext.errors import ConfigError

__all__ = ["CONFIG_ENV", "ServiceConfig", "Source", "find_config", "load_config", "parse_duration"]

CONFIG_ENV = "WATEXT_CONFIG"
_NAME = re.compile(r"^[a-z0-9][a-z0-9_-]{0,62}$")
_DURATION = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*(s|sec|m|min|h|d)?\s*$")
_UNITS = {None: 1, "s": 1, "sec": 1, "m": 60, "min": 60, "h": 3600, "d": 86400}
_SOURCE_KEYS = {"name", "kind", "path", "glob", "city", "interval", "cron", "out", "url", "body"}
KINDS = ("folder", "oparl")


@dataclass(frozen=True, slots=True)
class Source:
    """One watched source and what to do with it."""

    name: str
    kind: str
    path: Path
    out: Path
    glob: str = "**/*"
    city: str | None = None
    interval: timedelta | None = None
    cron: str | None = None
    url: str | None = None  # kind "oparl": the server's System (or Body) URL
    body: str | None = None  # kind "oparl": only this body

    def describe_schedule(self) -> str:
        return f"cron {self.cron}" if self.cron else f"every {self.interval.total_seconds():g} s" if self.interval else "-"


@dataclass(frozen=True, slots=True)
class ServiceConfig:
    path: Path
    db: str
    data: Path
    sources: tuple[Source, ...]
    reclassify_every: timedelta = timedelta(seconds=60)
    port: int = 4242

    def source(self, name: str) -> Source:
        for s in self.sources:
            if s.name == name:
                return s
        raise ConfigError(f"{self.path.name}: no source named {name!r} (known: {', '.join(self.names())})")

    def names(self) -> list[str]:
        return [s.name for s in self.sources]


def parse_duration(text: str, where: str) -> timedelta:
    """``"10s"``, ``"5 min"``, ``"2h"``, ``"1d"`` or a number of seconds."""
    m = _DURATION.match(str(text))
    if not m or float(m.group(1)) <= 0:
        raise ConfigError(f"{where}: {text!r} is not a duration like '10s', '5min', '2h' or '1d'")
    return timedelta(seconds=float(m.group(1)) * _UNITS[m.group(2)])


def _check_cron(expr: str, where: str) -> str:
    fields = str(expr).split()
    if len(fields) != 5 or not all(re.fullmatch(r"[\d*/,\-A-Za-z]+", f) for f in fields):
        raise ConfigError(f"{where}: cron {expr!r} needs five fields, e.g. '0 3 * * *'")
    return " ".join(fields)


def _resolve(base: Path, value: Any, where: str) -> Path:
    if not isinstance(value, str) or not value.strip():
        raise ConfigError(f"{where}: needs a path")
    p = Path(os.path.expanduser(value))
    return p if p.is_absolute() else (base / p).resolve()


def _db_url(base: Path, url: Any, where: str) -> str:
    if not isinstance(url, str) or "://" not in url:
        raise ConfigError(f"{where}: db must be a database URL like 'sqlite:///data/watext.db'")
    prefix = "sqlite:///"
    if url.startswith(prefix) and not url.startswith(prefix + "/") and url != prefix:
        return prefix + str((base / url[len(prefix):]).resolve())
    return url


def _source(base: Path, raw: Any, i: int, where: str) -> Source:
    at = f"{where}: [[sources]] #{i + 1}"
    if not isinstance(raw, dict):
        raise ConfigError(f"{at}: must be a table")
    name = raw.get("name")
    if not isinstance(name, str) or not _NAME.match(name):
        raise ConfigError(f"{at}: name {name!r} must be lower-case letters, digits, '-' or '_'")
    at = f"{where}: source {name!r}"
    unknown = set(raw) - _SOURCE_KEYS
    if unknown:
        raise ConfigError(f"{at}: unknown keys {sorted(unknown)} (known: {sorted(_SOURCE_KEYS)})")
    kind = raw.get("kind", "folder")
    if kind not in KINDS:
        raise ConfigError(f"{at}: kind {kind!r} is not one of {list(KINDS)}")
    url, body, path = raw.get("url"), raw.get("body"), raw.get("path")
    if kind == "oparl":
        if not isinstance(url, str) or not re.match(r"^https?://[^/\s]+", url):
            raise ConfigError(f"{at}: kind 'oparl' needs url = \"https://...\" (the OParl system or body)")
        if body is not None and (not isinstance(body, str) or not body.strip()):
            raise ConfigError(f"{at}: body must be a body id")
        path = "oparl-cache/" + name if path is None else path
    elif url is not None or body is not None:
        raise ConfigError(f"{at}: url and body are for kind 'oparl' only")
    if ("interval" in raw) == ("cron" in raw):
        raise ConfigError(f"{at}: give exactly one of interval = \"10s\" or cron = \"0 3 * * *\"")
    if "out" not in raw:
        raise ConfigError(f"{at}: needs out = \"folder for its tables\"")
    city = raw.get("city")
    if city is not None and (not isinstance(city, str) or not city.strip()):
        raise ConfigError(f"{at}: city must be a name")
    glob = raw.get("glob", "**/*")
    if not isinstance(glob, str) or not glob or glob.startswith("/") or ".." in Path(glob).parts:
        raise ConfigError(f"{at}: glob {glob!r} must be a relative pattern like '**/*.pdf'")
    return Source(
        name=name, kind=kind, path=_resolve(base, path, f"{at}: path"), url=url, body=body,
        out=_resolve(base, raw["out"], f"{at}: out"), glob=glob, city=city,
        interval=parse_duration(raw["interval"], f"{at}: interval") if "interval" in raw else None,
        cron=_check_cron(raw["cron"], at) if "cron" in raw else None,
    )  # fmt: skip


def load_config(path: str | Path) -> ServiceConfig:
    """Read and validate a ``watext.toml``."""
    path = Path(path).expanduser().resolve()
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError as exc:
        raise ConfigError(f"config file {path} not found") from exc
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"config file {path} cannot be read: {exc}") from exc
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path.name}: not valid TOML: {exc}") from exc
    base, where = path.parent, path.name
    unknown = set(data) - {"store", "service", "sources"}
    if unknown:
        raise ConfigError(f"{where}: unknown sections {sorted(unknown)} (known: store, service, sources)")
    store, service = data.get("store", {}), data.get("service", {})
    if not isinstance(store, dict) or not isinstance(service, dict):
        raise ConfigError(f"{where}: [store] and [service] must be tables")
    raw_sources = data.get("sources", [])
    if not isinstance(raw_sources, list) or not raw_sources:
        raise ConfigError(f"{where}: needs at least one [[sources]] entry")
    sources = tuple(_source(base, s, i, where) for i, s in enumerate(raw_sources))
    dupes = {s.name for s in sources if [t.name for t in sources].count(s.name) > 1}
    if dupes:
        raise ConfigError(f"{where}: source names must be unique: {sorted(dupes)}")
    port = service.get("port", 4242)
    if not isinstance(port, int) or not 0 <= port < 65536:
        raise ConfigError(f"{where}: [service] port must be a number 0..65535")
    return ServiceConfig(
        path=path, db=_db_url(base, store.get("db", "sqlite:///data/watext.db"), f"{where}: [store]"),
        data=_resolve(base, service.get("data", "data"), f"{where}: [service] data"), sources=sources,
        reclassify_every=parse_duration(service.get("reclassify_every", "60s"), f"{where}: [service] reclassify_every"),
        port=port,
    )  # fmt: skip


def find_config(path: str | Path | None) -> ServiceConfig:
    """The config at ``path``, else at ``WATEXT_CONFIG``, else ``./watext.toml``."""
    chosen = path or os.environ.get(CONFIG_ENV) or "watext.toml"
    return load_config(chosen)
