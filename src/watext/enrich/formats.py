"""Header shapes of council documents per format family (a city's Sitzungsvorlage, an
invitation with agenda, minutes, a body's statement). The families are data:
``rules/submission_formats.json``, validated on load. :func:`parse_family` finds the
family a document belongs to and reads the fields its header carries; documents of no
family keep what the generic rules of :mod:`watext.enrich.submission` find."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

from watext.enrich.fold import fold
from watext.errors import ConfigError
from watext.files import read_json
from watext.model import DocType

__all__ = ["Family", "family_doc_type", "load_families", "parse_family", "public_status", "role_decides"]

RULES = Path(__file__).parent / "rules" / "submission_formats.json"
_PLACEHOLDER = re.compile(r"<<(\w+)>>")
_SCALARS = {"vorlagenart", "datum", "federfuehrung", "urheber", "betreff"}


@dataclass(frozen=True)
class Family:
    name: str
    recognise: tuple[re.Pattern[str], ...]
    header_lines: int
    doc_type: str | None
    fields: dict[str, tuple[dict[str, Any], ...]]
    beratung: tuple[re.Pattern[str], ...]
    sitzung: tuple[re.Pattern[str], ...]
    status: tuple[re.Pattern[str], ...]
    agenda: dict[str, Any] | None


@dataclass(frozen=True)
class Formats:
    families: tuple[Family, ...]
    roles: dict[str, bool]


def _expand(pattern: str, defs: dict[str, str], depth: int = 0) -> str:
    if depth > 5:
        raise ConfigError("submission_formats.json: <<placeholders>> nest too deep")

    def sub(m: re.Match[str]) -> str:
        if m[1] not in defs:
            raise ConfigError(f"submission_formats.json: unknown placeholder <<{m[1]}>>")
        return _expand(defs[m[1]], defs, depth + 1)

    return _PLACEHOLDER.sub(sub, pattern)


def _compile(pattern: Any, defs: dict[str, str], where: str) -> re.Pattern[str]:
    if not isinstance(pattern, str) or not pattern:
        raise ConfigError(f"submission_formats.json: {where}: a pattern must be a non-empty string")
    try:
        return re.compile(_expand(pattern, defs), re.MULTILINE)
    except re.error as exc:
        raise ConfigError(f"submission_formats.json: {where}: invalid pattern: {exc}") from exc


def _field_spec(spec: Any, defs: dict[str, str], where: str) -> dict[str, Any]:
    if not isinstance(spec, dict) or len(spec.keys() & {"pattern", "same_as", "between"}) != 1:
        raise ConfigError(f"submission_formats.json: {where}: needs one of pattern, same_as, between")
    if "pattern" in spec:
        return {"pattern": _compile(spec["pattern"], defs, where)}
    if "same_as" in spec:
        return {"same_as": str(spec["same_as"])}
    b = spec["between"]
    if not isinstance(b, dict) or not {"after", "before"} <= b.keys():
        raise ConfigError(f"submission_formats.json: {where}: 'between' needs after and before")
    return {"between": {k: _compile(b[k], defs, f"{where}.{k}") for k in ("after", "before", "exclude") if k in b}}


def _family(raw: Any, defs: dict[str, str]) -> Family:
    if not isinstance(raw, dict) or not isinstance(raw.get("name"), str) or not raw.get("recognise"):
        raise ConfigError("submission_formats.json: a family needs a name and recognise patterns")
    name = raw["name"]

    def pats(key: str) -> tuple[re.Pattern[str], ...]:
        val = raw.get(key, [])
        if not isinstance(val, list):
            raise ConfigError(f"submission_formats.json: {name}.{key} must be a list of patterns")
        return tuple(_compile(p, defs, f"{name}.{key}") for p in val)

    fields = raw.get("fields", {})
    if not isinstance(fields, dict) or not all(isinstance(v, list) for v in fields.values()):
        raise ConfigError(f"submission_formats.json: {name}.fields must map names to lists")
    agenda = raw.get("tagesordnung")
    if agenda is not None:
        if not isinstance(agenda, dict) or not {"start", "end", "items"} <= agenda.keys():
            raise ConfigError(f"submission_formats.json: {name}.tagesordnung needs start, end, items")
        agenda = {"start": _compile(agenda["start"], defs, f"{name}.tagesordnung.start"),
                  "end": _compile(agenda["end"], defs, f"{name}.tagesordnung.end"),
                  "items": tuple(_compile(p, defs, f"{name}.tagesordnung.items") for p in agenda["items"])}
    doc_type = raw.get("doc_type")
    if doc_type is not None and doc_type not in {t.value for t in DocType}:
        raise ConfigError(f"submission_formats.json: {name}.doc_type: unknown document type {doc_type!r}")
    lines = raw.get("header_lines", 40)
    if not isinstance(lines, int) or lines < 1:
        raise ConfigError(f"submission_formats.json: {name}.header_lines must be a positive integer")
    return Family(
        name=name, recognise=pats("recognise"), header_lines=lines, doc_type=doc_type,
        fields={k: tuple(_field_spec(s, defs, f"{name}.fields.{k}") for s in v) for k, v in fields.items()},
        beratung=pats("beratung"), sitzung=pats("sitzung"), status=pats("status"), agenda=agenda)


@lru_cache(maxsize=4)
def load_families(path: str | None = None) -> Formats:
    """The format families of ``rules/submission_formats.json`` (ConfigError when invalid)."""
    data = read_json(Path(path) if path else RULES)
    if not isinstance(data, dict) or not isinstance(data.get("families"), list):
        raise ConfigError("submission_formats.json: needs a list 'families'")
    defs = data.get("defs", {})
    roles = data.get("roles", {})
    if not isinstance(defs, dict) or not all(isinstance(v, str) for v in defs.values()):
        raise ConfigError("submission_formats.json: 'defs' must map names to pattern strings")
    if not isinstance(roles, dict) or not all(isinstance(v, bool) for v in roles.values()):
        raise ConfigError("submission_formats.json: 'roles' must map role names to true/false")
    families = tuple(_family(f, defs) for f in data["families"])
    names = [f.name for f in families]
    if len(set(names)) != len(names):
        raise ConfigError("submission_formats.json: family names must be unique")
    return Formats(families, {fold(k): v for k, v in roles.items()})


def family_doc_type(name: str | None) -> str | None:
    """The document type a family's documents are (None: let the type rules decide)."""
    return next((f.doc_type for f in load_families().families if f.name == name), None)


def role_decides(role: str | None) -> bool | None:
    """Whether a Beratungsfolge role decides (``rules`` 'roles'); None when unknown."""
    return load_families().roles.get(fold(role)) if role else None


def public_status(text: str | None) -> bool | None:
    """``Öffentliche`` / ``Ö`` -> True, ``nichtöffentlich`` / ``N`` / ``NÖ`` -> False."""
    if not text:
        return None
    f = fold(text).replace(" ", "").replace("-", "").strip(".:")
    if f.startswith("nicht") or f in ("n", "noe"):
        return False
    if f.startswith("oeffentlich") or f in ("oe", "o"):
        return True
    return None


def _flat(v: str | None) -> str | None:
    return " ".join(v.split()) if v and v.strip() else None


def _between(lines: list[str], spec: dict[str, re.Pattern[str]]) -> str | None:
    start = next((i for i, ln in enumerate(lines) if spec["after"].search(ln)), None)
    if start is None:
        return None
    found: list[str] = []
    for ln in lines[start + 1:]:
        if spec["before"].search(ln):
            return max(found, key=len) if found else None
        if not ("exclude" in spec and spec["exclude"].search(ln)):
            found.append(ln)
    return None  # no closing line: not this shape


def _field(specs: tuple[dict[str, Any], ...], text: str, lines: list[str], got: dict[str, Any]) -> Any:
    for spec in specs:
        if "same_as" in spec:
            value = got.get(spec["same_as"])
        elif "between" in spec:
            value = _between(lines, spec["between"])
        elif (m := spec["pattern"].search(text)) is None:
            continue
        elif "value" in spec["pattern"].groupindex:
            value = _flat(m["value"])
        else:
            value = {k: _flat(v) for k, v in m.groupdict().items()}
            if "status" in value:
                value["oeffentlich"] = public_status(value.pop("status"))
        if value:
            return value
    return None


def _entry(groups: dict[str, str | None], roles: dict[str, bool], parse_date: Any) -> dict[str, Any]:
    role = _flat(groups.get("zustaendigkeit"))
    public = public_status(groups.get("status"))
    return {"gremium": _flat(groups.get("gremium")),
            "datum": parse_date(groups["datum"]) if groups.get("datum") else None,
            "zustaendigkeit": role, "beschliessend": roles.get(fold(role)) if role else None,
            "oeffentlich": public,
            "sitzungsart": None if public is None else ("öffentlich" if public else "nichtöffentlich"),
            "top": _flat(groups.get("top")), "sitzung_nr": _flat(groups.get("nr"))}


def _agenda(family: Family, text: str) -> list[dict[str, Any]]:
    spec = family.agenda
    if not spec or (start := spec["start"].search(text)) is None:
        return []
    end = spec["end"].search(text, start.end())
    stop = end.start() if end else len(text)
    status = [(m.start(), public_status(m["status"])) for p in family.status for m in p.finditer(text)]
    items: dict[int, dict[str, Any]] = {}
    for p in spec["items"]:
        for m in p.finditer(text, start.start(), stop):
            public = next((s for pos, s in sorted(status, reverse=True) if pos < m.start()), None)
            items.setdefault(m.start(), {"top": _flat(m["top"]), "titel": _flat(m["titel"]), "oeffentlich": public})
    return [items[k] for k in sorted(items)]


def parse_family(lines: list[str], parse_date: Any) -> dict[str, Any] | None:
    """The fields of the first family whose recognise patterns all match the header
    (``lines``: the document's non-empty text lines), or None."""
    formats = load_families()
    for family in formats.families:
        header = "\n".join(lines[: family.header_lines])
        if not all(p.search(header) for p in family.recognise):
            continue
        got: dict[str, Any] = {"format_family": family.name}
        for name, specs in family.fields.items():
            value = _field(specs, header, lines[: family.header_lines], got)
            if value is not None and name.endswith("datum") and isinstance(value, str):
                value = parse_date(value)
            got[name] = value
        statuses = [m["status"] for p in family.status if (m := p.search(header))]
        public = public_status(statuses[0]) if statuses else None
        entries: list[dict[str, Any]] = []
        for p in family.beratung:
            for m in p.finditer(header):
                e = _entry(m.groupdict(), formats.roles, parse_date)
                key = (fold(e["gremium"] or ""), e["datum"], e["zustaendigkeit"])
                if e["gremium"] and e["datum"] and key not in {(fold(x["gremium"]), x["datum"], x["zustaendigkeit"]) for x in entries}:
                    entries.append(e)
        if family.sitzung:
            merged: dict[str, str | None] = {}
            for p in family.sitzung:
                if m := p.search(header):
                    merged.update({k: v for k, v in m.groupdict().items() if v and not merged.get(k)})
            if merged.get("gremium") or merged.get("datum"):
                merged.setdefault("gremium", got.get("urheber"))
                entries.append(_entry(merged, formats.roles, parse_date))
        for e in entries:
            if e["oeffentlich"] is None and public is not None:
                e["oeffentlich"] = public
                e["sitzungsart"] = "öffentlich" if public else "nichtöffentlich"
        if public is None:
            public = next((e["oeffentlich"] for e in entries if e["oeffentlich"] is not None), None)
        got["oeffentlichkeitsstatus"] = None if public is None else ("öffentlich" if public else "nichtöffentlich")
        got["beratungsfolge"] = entries
        agenda = _agenda(family, "\n".join(lines[:3000]))
        for item in agenda:  # the items of a public meeting are public unless marked
            item["oeffentlich"] = public if item["oeffentlich"] is None else item["oeffentlich"]
        if agenda:
            got["tagesordnung"] = agenda
        return got
    return None
