"""An OParl Paper -> the metadata of its documents, under the keys the parsed submission
header uses (``vorlage_nr``, ``vorlagenart``, ``datum``, ``federfuehrung``, ``urheber``,
``beratungsfolge``), plus ``oparl`` as provenance.

Organizations and meetings may be given as URLs (OParl 1.1) or embedded objects; URLs are
looked up through the callables the sync passes (None when the lookup failed: the key
stays empty, the failure is recorded by the sync).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

__all__ = ["iso_date", "meeting_date", "paper_files", "paper_metadata", "ref_id"]

Lookup = Callable[[str], dict[str, Any] | None]


def iso_date(value: Any) -> str | None:
    """``2014-04-04`` of an OParl date or date-time (None when absent or malformed)."""
    if not isinstance(value, str) or len(value) < 10:
        return None
    day = value[:10]
    return day if day[4] == "-" and day[7] == "-" and day.replace("-", "").isdigit() else None


def ref_id(ref: Any) -> str | None:
    """The id of a reference: a URL, or an embedded object's ``id``."""
    if isinstance(ref, str):
        return ref
    if isinstance(ref, dict) and isinstance(ref.get("id"), str):
        return str(ref["id"])
    return None


def _refs(value: Any) -> list[Any]:
    if value is None:
        return []
    return list(value) if isinstance(value, list) else [value]


def _obj(ref: Any, lookup: Lookup) -> dict[str, Any] | None:
    if isinstance(ref, dict):
        return ref
    return lookup(ref) if isinstance(ref, str) else None


def _names(refs: Any, lookup: Lookup) -> list[str]:
    names = []
    for ref in _refs(refs):
        obj = _obj(ref, lookup)
        name = (obj or {}).get("name") or (obj or {}).get("shortName")
        if isinstance(name, str) and name.strip() and name.strip() not in names:
            names.append(name.strip())
    return names


def meeting_date(meeting: dict[str, Any] | None) -> str | None:
    """The day a meeting (began)."""
    return iso_date((meeting or {}).get("start")) or iso_date((meeting or {}).get("end"))


def paper_metadata(paper: dict[str, Any], body_id: str | None, organization: Lookup, meeting: Lookup) -> dict[str, Any]:
    """The document metadata of ``paper`` (see the module's doc)."""
    lead = _names(paper.get("underDirectionOf"), organization)
    folge = []
    for c in _refs(paper.get("consultation")):
        if not isinstance(c, dict):
            continue
        auth = c.get("authoritative")
        folge.append({
            "gremium": "; ".join(_names(c.get("organization"), organization)) or None,
            "datum": meeting_date(_obj(c.get("meeting"), meeting)) if c.get("meeting") else None,
            "zustaendigkeit": c.get("role") if isinstance(c.get("role"), str) else None,
            "beschliessend": auth if isinstance(auth, bool) else None,
            "oeffentlich": None,
        })  # fmt: skip
    return {
        "vorlage_nr": paper.get("reference") if isinstance(paper.get("reference"), str) else None,
        "vorlagenart": paper.get("paperType") if isinstance(paper.get("paperType"), str) else None,
        "datum": iso_date(paper.get("date")),
        "federfuehrung": "; ".join(lead) or None,
        "urheber": "; ".join(_names(paper.get("originatorOrganization"), organization)) or None,
        "beratungsfolge": folge,
        "oparl": {"paper": paper.get("id"), "body": body_id, "modified": paper.get("modified"),
                  "web": paper.get("web"), "name": paper.get("name")},
    }


def paper_files(paper: dict[str, Any]) -> list[Any]:
    """``mainFile`` then the ``auxiliaryFile``s (objects or URLs), each once."""
    seen, out = set(), []
    for ref in [paper.get("mainFile"), *_refs(paper.get("auxiliaryFile"))]:
        key = ref_id(ref)
        if ref is None or key is None or key in seen:
            continue
        seen.add(key)
        out.append(ref)
    return out
