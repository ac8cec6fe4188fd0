"""What a person reads, in one language per audience: German by default, English as a
setting (``WATEXT_LANG=en``).

Label ids (goals, bodies, topics, statuses …) stay as they are everywhere in data, URLs and
files; only their display names and the surrounding texts come from here. Texts live as
data, one JSON file per area and language (``i18n/<lang>/<area>.json``); ``labels.json``
holds the display names of every label kind, the other areas (``report``, ``slides``,
``workbook``, ``review``, ``cli`` …) the sentences of one output. A test checks that
every area has the same keys and the same ``{placeholders}`` in every language.

The language of an output is chosen at the boundary (CLI, review app) with
:func:`use`; below that, :func:`lang` answers which one is in force (``WATEXT_LANG``
when nothing chose one).
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import UTC, datetime
from functools import cache
from pathlib import Path
from typing import Any

__all__ = ["DEFAULT", "LANGS", "join", "lang", "name", "names", "number", "t", "texts", "use", "when"]

#: Supported languages; the first is the default.
LANGS: tuple[str, ...] = ("de", "en")
DEFAULT = LANGS[0]
_HERE = Path(__file__).parent
_current: ContextVar[str | None] = ContextVar("watext_lang", default=None)


def check(value: str | None) -> str:
    """``value`` as a supported language code (``DEFAULT`` for None or empty); ValueError
    naming the choices otherwise."""
    code = (value or DEFAULT).strip().lower()
    if code not in LANGS:
        raise ValueError(f"unknown language {value!r}: choose {' or '.join(LANGS)}")
    return code


def lang() -> str:
    """The language in force: the one chosen with :func:`use`, else ``WATEXT_LANG``, else German.
    An unsupported ``WATEXT_LANG`` falls back to German here (the CLI refuses it up front)."""
    chosen = _current.get()
    if chosen:
        return chosen
    try:
        return check(os.environ.get("WATEXT_LANG"))
    except ValueError:
        return DEFAULT


@contextmanager
def use(code: str | None) -> Iterator[str]:
    """Render everything inside the block in ``code`` (None: keep the language in force)."""
    token = _current.set(check(code) if code else lang())
    try:
        yield _current.get() or DEFAULT
    finally:
        _current.reset(token)


@cache
def _area(code: str, area: str) -> Mapping[str, Any]:
    path = _HERE / code / f"{area}.json"
    data = json.loads(path.read_text(encoding="utf-8"))
    data.pop("_comment", None)
    return data


def texts(area: str, code: str | None = None) -> Mapping[str, Any]:
    """All texts of ``area`` in ``code`` (default: the language in force), e.g. for a template."""
    return _area(code or lang(), area)


def t(area: str, key: str, **values: Any) -> str:
    """The text ``key`` of ``area`` in the language in force, with ``values`` filled in."""
    text = texts(area)[key]
    return text.format(**values) if values else text


def names(kind: str, code: str | None = None) -> Mapping[str, str]:
    """Display names of one label kind (``goal``, ``body``, ``topic``, ``table`` …), ids in order."""
    return texts("labels", code)[kind]


def name(kind: str, value: str | None) -> str:
    """The display name of label ``value`` of ``kind`` (the value itself when unknown)."""
    return names(kind).get(value or "", value or "")


def number(value: Any, digits: int = 2) -> str:
    """``value`` with ``digits`` decimals: a decimal comma in German (``0,55``), a point in
    English; ``–`` when unknown."""
    if value is None or (isinstance(value, float) and value != value):
        return "–"
    text = f"{float(value):.{digits}f}"
    return text.replace(".", ",") if lang() == "de" else text


def when(value: Any) -> str:
    """An ISO timestamp as ``29.11.2026, 11:42 UTC`` (German) or ``2026-11-29 11:42 UTC``;
    ``–`` when unknown, the value as given when it cannot be read."""
    if not value:
        return "–"
    try:
        dt = value if isinstance(value, datetime) else datetime.fromisoformat(str(value))
    except ValueError:
        return str(value)
    if dt.tzinfo is None:
        dt = dt.replace(tzinfo=UTC)
    return dt.astimezone(UTC).strftime(t("common", "datetime_format"))


def day(value: Any) -> str:
    """A date (ISO string or date) as ``04.02.2021`` / ``2021-02-04``; as given when unreadable."""
    if not value:
        return "–"
    try:
        dt = datetime.fromisoformat(str(value)[:10])
    except ValueError:
        return str(value)
    return dt.strftime(t("common", "date_format"))


def join(items: Iterable[str]) -> str:
    """``A, B und C`` (``A, B and C``)."""
    items = list(items)
    if len(items) <= 1:
        return "".join(items)
    return ", ".join(items[:-1]) + t("common", "and") + items[-1]


def areas() -> list[str]:
    """The text areas shipped (file stems of the default language)."""
    return sorted(p.stem for p in (_HERE / DEFAULT).glob("*.json"))
