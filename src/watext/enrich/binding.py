"""How binding a document's statements are: decided by the council, reported to it,
requested, or only announced. From the council-paper metadata (paper type and
Beratungsfolge, from an OParl sync or the parsed header), the document type and the
format, never from the text. The rules are data: ``rules/binding.json``.

    >>> binding_of({"vorlagenart": "Mitteilungsvorlage"}, "council_submission", "pdf")
    'zur_kenntnis'

A pure function of the metadata, so the tables compute it at build time and it follows
metadata updates without re-ingest.
"""

from __future__ import annotations

import re
from datetime import date
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

from watext.enrich.fold import fold
from watext.errors import ConfigError
from watext.files import read_json
from watext.model import DocType, Format

__all__ = ["BINDINGS", "BindingRules", "binding_of", "load_rules", "rules_version", "strength", "strongest"]

#: The values, strongest first.
BINDINGS: tuple[str, ...] = ("beschlossen", "zur_kenntnis", "beantragt", "angekuendigt")
_ROLES = ("decision", "note", "preparation", "unknown")
_STATES = ("authoritative", "not_authoritative", "deciding_body", "other_body")
_PAPER_KEYS = ("vorlage_nr", "vorlagenart", "beratungsfolge")
_RULES = Path(__file__).parent / "rules" / "binding.json"


@dataclass(frozen=True, slots=True)
class BindingRules:
    paper_types: tuple[tuple[re.Pattern[str], str], ...]
    roles: tuple[tuple[re.Pattern[str], str], ...]
    not_deciding: re.Pattern[str]
    deciding: re.Pattern[str]
    consultation: dict[str, dict[str, str | None]]
    paper_fallback: str
    formats: dict[str, str]
    doc_types: dict[str, str]
    default: str


def _binding(value: Any, where: str, nullable: bool = False) -> Any:
    if value is None and nullable:
        return None
    if value not in BINDINGS:
        raise ConfigError(f"binding.json: {where}: {value!r} is not one of {', '.join(BINDINGS)}")
    return value


def _pattern(value: Any, where: str) -> re.Pattern[str]:
    try:
        if not isinstance(value, str) or not value:
            raise TypeError("a non-empty string is needed")
        return re.compile(value)
    except (re.error, TypeError) as exc:
        raise ConfigError(f"binding.json: {where}: invalid pattern: {exc}") from exc


def _parse(data: Any) -> BindingRules:
    try:
        if tuple(data["order"]) != BINDINGS:
            raise ConfigError(f"binding.json: order must be {list(BINDINGS)}")
        papers = tuple((_pattern(r["pattern"], f"paper_types[{i}]"), _binding(r["binding"], f"paper_types[{i}]"))
                       for i, r in enumerate(data["paper_types"]))  # fmt: skip
        roles = []
        for i, r in enumerate(data["roles"]):
            if r["role"] not in _ROLES[:-1]:
                raise ConfigError(f"binding.json: roles[{i}]: unknown role {r['role']!r}")
            roles.append((_pattern(r["pattern"], f"roles[{i}]"), r["role"]))
        table = {}
        for role in _ROLES:
            row = data["consultation"][role]
            table[role] = {s: _binding(row[s], f"consultation.{role}.{s}", nullable=True) for s in _STATES}
        bodies = data["deciding_bodies"]
        formats = {Format(k).value: _binding(v, f"formats.{k}") for k, v in data["formats"].items()}
        doc_types = {DocType(k).value: _binding(v, f"doc_types.{k}") for k, v in data["doc_types"].items()}
        return BindingRules(papers, tuple(roles), _pattern(bodies["not"], "deciding_bodies.not"),
                            _pattern(bodies["pattern"], "deciding_bodies.pattern"), table,
                            _binding(data["paper_fallback"], "paper_fallback"), formats, doc_types,
                            _binding(data["default"], "default"))  # fmt: skip
    except (KeyError, TypeError, ValueError, AttributeError) as exc:
        if isinstance(exc, ConfigError):
            raise
        raise ConfigError(f"binding.json: invalid binding rules: {exc!r}") from exc


@lru_cache(maxsize=4)
def rules_version() -> str:
    """Short hash of ``binding.json`` (the tables depend on it; ingest does not)."""
    from watext.files import sha256_files

    return sha256_files([_RULES])


def load_rules(path: str | None = None) -> BindingRules:
    """The rules of ``rules/binding.json`` (or ``path``), validated (ConfigError when not)."""
    return _parse(read_json(Path(path) if path else _RULES))


def strength(binding: str | None) -> int:
    """Rank of ``binding``: 0 for ``beschlossen`` … 3 for ``angekuendigt``; unknown values last."""
    return BINDINGS.index(binding) if binding in BINDINGS else len(BINDINGS)


def strongest(bindings: Iterable[str | None]) -> str | None:
    """The strongest of ``bindings`` (None when there is none)."""
    known = [b for b in bindings if b in BINDINGS]
    return min(known, key=strength) if known else None


def _first(rules: tuple[tuple[re.Pattern[str], str], ...], text: Any) -> str | None:
    if not isinstance(text, str) or not text.strip():
        return None
    folded = fold(text)
    return next((value for pattern, value in rules if pattern.search(folded)), None)


def _scheduled(entry: Mapping[str, Any], today: date) -> bool:
    """True when the consultation's meeting date lies after ``today`` (not held yet)."""
    try:
        return date.fromisoformat(str(entry.get("datum") or "")[:10]) > today
    except ValueError:
        return False


def _consultation(entry: Mapping[str, Any], rules: BindingRules, today: date) -> str | None:
    found = _decision(entry, rules)
    # a decision on a meeting still to come is not taken yet: the paper is only requested
    return "beantragt" if found == "beschlossen" and _scheduled(entry, today) else found


def _decision(entry: Mapping[str, Any], rules: BindingRules) -> str | None:
    role = _first(rules.roles, entry.get("zustaendigkeit")) or "unknown"
    auth = entry.get("beschliessend")
    if auth is True:
        state = "authoritative"
    elif auth is False:
        state = "not_authoritative"
    else:
        body = fold(str(entry.get("gremium") or ""))
        deciding = bool(body) and not rules.not_deciding.search(body) and bool(rules.deciding.search(body))
        state = "deciding_body" if deciding else "other_body"
    return rules.consultation[role][state]


def _paper(metadata: Mapping[str, Any]) -> dict[str, Any]:
    """The council-paper keys: top level (the shared contract), else the parsed header under ``submission``."""
    nested = metadata.get("submission")
    nested = nested if isinstance(nested, Mapping) else {}
    return {k: metadata.get(k) if metadata.get(k) not in (None, "", []) else nested.get(k) for k in _PAPER_KEYS}


def binding_of(metadata: Mapping[str, Any] | None, doc_type: str | None = None, format: str | None = None,
               rules: BindingRules | None = None, today: date | None = None) -> str:  # fmt: skip
    """``beschlossen``, ``zur_kenntnis``, ``beantragt`` or ``angekuendigt`` for a document.

    A council paper (Vorlage-Nr., paper type or Beratungsfolge known) is as binding as the
    strongest of its paper type's default and its consultations; a document without a
    council paper behind it is placed by its format, then its document type. A decision on a
    meeting after ``today`` (default: today) counts as requested, not decided."""
    rules = rules or load_rules()
    today = today or date.today()
    paper = _paper(metadata or {})
    folge = paper["beratungsfolge"] if isinstance(paper["beratungsfolge"], list) else []
    if paper["vorlage_nr"] or paper["vorlagenart"] or folge:
        found = [_first(rules.paper_types, paper["vorlagenart"])]
        found += [_consultation(e, rules, today) for e in folge if isinstance(e, Mapping)]
        return strongest(found) or rules.paper_fallback
    fmt, kind = getattr(format, "value", format), getattr(doc_type, "value", doc_type)
    return rules.formats.get(fmt or "") or rules.doc_types.get(kind or "") or rules.default
