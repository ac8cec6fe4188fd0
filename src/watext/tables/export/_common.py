"""Helpers shared by the exporters: atomic writes, German labels, safe text, evidence rows.

All text handed to the exporters comes from documents and is untrusted; the helpers here
strip characters no file format can hold and neutralise spreadsheet formulas.
"""

from __future__ import annotations

import contextlib
import os
import re
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from watext.tables.model import GOAL_TITLES, ComparisonTables, Evidence

#: Table ids (used in csv, evidence rows and ``meta["rules"]``) → German titles.
TABLE_TITLES: dict[str, str] = {
    "goals": "Ziele",
    "guideline": "Leitfaden",
    "measures": "Maßnahmen",
    "responsibility": "Zuständigkeit",
    "funding": "Finanzierung",
    "best_practice": "Best Practice",
}

#: The survey questions of the Darmstadt partner-city slides.
QUESTIONS: dict[int, str] = {
    1: "1. Was wird in Ihrer Stadt unter Willkommens- und Anerkennungskultur verstanden?",
    2: "2. Hat Ihre Stadt/Stadtverwaltung einen Leitfaden bzw. ein Konzept im Bereich "
    "Willkommens- und Anerkennungskultur?",
    3: "3. Gibt es bereits konkrete Maßnahmen für eine Willkommens- und Anerkennungskultur?",
    4: "4. Bei welcher Behörde/Institution ist die Umsetzung der Willkommens- und "
    "Anerkennungskultur in Ihrer Stadt angesiedelt?",
    5: "5. Gibt es für die Implementierung einer Willkommens- und Anerkennungskultur spezielle "
    "Finanz- und Personalmittel?",
    6: "6. Wer ist für die Vergabe dieser Mittel verantwortlich?",
    7: "7. Gibt es Konzepte oder Maßnahmen anderer Städte, Regionen oder Institutionen, die Sie "
    "gerne im Sinne von Best Practice umsetzen würden?",
}

STATUS_TITLES = {
    "exists": "Leitfaden/Konzept vorhanden",
    "in_development": "Leitfaden/Konzept in Entwicklung",
    "none": "kein Leitfaden/Konzept",
    "unknown": "unbekannt",
}
ORIENTATION_TITLES = {
    "national_law": "Orientierung an nationalen Gesetzen",
    "recommendations": "Orientierung an nationalen und regionalen Empfehlungen",
    "local_agenda": "Orientierung an lokalen Agenden",
    "other": "Sonstige Orientierung",
}
GROUP_TITLES = {
    "chefsache": "„Chefsache“",
    "querschnittsaufgabe": "Querschnittsaufgabe",
    "fachstelle": "Zuständigkeit bei einzelnen Verwaltungsstellen",
}
FUNDS_TITLES = {
    "dedicated": "eigene Mittel",
    "single_measures": "Mittel für einzelne Maßnahmen",
    "none": "keine Mittel",
    "unknown": "unbekannt",
}
STAFF_TITLES = {"yes": "ja", "no": "nein", "unknown": "unbekannt"}

TICK = "✓"
LEGEND = "✓ = vom Modell abgeleitet · ✓* = von einer Person geprüft"

_ILLEGAL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ufffe\uffff]")
_RISKY_START = ("=", "+", "-", "@", "\t", "\r", "\n")


def label(mapping: dict[str, str], code: str | None) -> str:
    """German title of ``code`` (the code itself when unknown)."""
    return mapping.get(code or "", code or "")


def goal_title(goal: str) -> str:
    return GOAL_TITLES.get(goal, goal)


def clean(text: Any) -> str:
    """``text`` as a str without characters XML-based formats cannot hold."""
    if text is None:
        return ""
    return _ILLEGAL.sub("", str(text))


def is_formula_like(text: str) -> bool:
    """True when a spreadsheet could take ``text`` for a formula."""
    stripped = text.lstrip(" ")
    return bool(stripped) and stripped.startswith(_RISKY_START)


def csv_safe(value: Any) -> Any:
    """A csv cell value: risky strings get a leading ``'`` so no formula runs."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return int(value)
    if isinstance(value, (int, float)):
        return value
    text = clean(value)
    return "'" + text if is_formula_like(text) else text


def page_label(ev: Evidence) -> str:
    """``Folie 3`` for slides, ``S. 3`` for pages, ``""`` when unknown."""
    if ev.page is None:
        return ""
    return f"Folie {ev.page}" if (ev.format or "").lower() in {"pptx", "ppt"} else f"S. {ev.page}"


def source_name(ev: Evidence) -> str:
    """The file name of the evidence source (no directories)."""
    return os.path.basename(clean(ev.source).replace("\\", "/")) or clean(ev.source)


def origin_title(ev: Evidence) -> str:
    if ev.verified:
        return "geprüft"
    return {"model": "Modell", "review": "Prüfung", "rule": "Regel"}.get(ev.origin, ev.origin)


def ev_verified(evidence: list[Evidence]) -> bool:
    return any(e.verified for e in evidence)


def join_cities(cities: list[str]) -> str:
    """``A, B und C`` as on the slides."""
    cities = [clean(c) for c in cities]
    if len(cities) <= 1:
        return "".join(cities)
    return ", ".join(cities[:-1]) + " und " + cities[-1]


def evidence_dict(ev: Evidence) -> dict[str, Any]:
    """JSON-ready evidence with display fields."""
    return {
        "passage_id": clean(ev.passage_id),
        "document_id": clean(ev.document_id),
        "title": clean(ev.title) or source_name(ev),
        "source": source_name(ev),
        "page": page_label(ev),
        "text": clean(ev.text),
        "confidence": ev.confidence,
        "verified": bool(ev.verified),
        "origin": clean(ev.origin),
        "city": clean(ev.city),
    }


EVIDENCE_COLUMNS = (
    "table", "city", "key", "title", "source", "page", "text", "confidence", "verified",
    "origin", "format", "passage_id", "document_id",
)  # fmt: skip


def evidence_rows(tables: ComparisonTables) -> Iterator[dict[str, Any]]:
    """One row per cell × passage over all six tables (keys: :data:`EVIDENCE_COLUMNS`)."""

    def rows(table: str, city: str, key: str, evidence: list[Evidence]) -> Iterator[dict[str, Any]]:
        for ev in evidence:
            yield {
                "table": table, "city": clean(city or ev.city), "key": clean(key),
                "title": clean(ev.title), "source": clean(ev.source), "page": page_label(ev),
                "text": clean(ev.text), "confidence": ev.confidence, "verified": bool(ev.verified),
                "origin": clean(ev.origin), "format": clean(ev.format),
                "passage_id": clean(ev.passage_id), "document_id": clean(ev.document_id),
            }  # fmt: skip

    for cell in tables.goals:
        yield from rows("goals", cell.city, cell.goal, cell.evidence)
    for g in tables.guideline:
        yield from rows("guideline", g.city, f"status:{g.status}", g.evidence)
        for o in g.orientations:
            yield from rows("guideline", g.city, f"{o.kind}: {o.name}", o.evidence)
    for m in tables.measures:
        for ev in m.evidence:
            yield from rows("measures", ev.city or ", ".join(m.cities), f"{m.goal}: {m.name}", [ev])
    for r in tables.responsibility:
        yield from rows("responsibility", r.city, r.group, r.evidence)
    for f in tables.funding:
        yield from rows("funding", f.city, "funding", f.evidence)
    for b in tables.best_practice:
        for ev in b.evidence:
            yield from rows("best_practice", ev.city or ", ".join(b.cities), b.name, [ev])


def meta_items(tables: ComparisonTables) -> list[tuple[str, str]]:
    """Displayable (key, value) pairs of ``meta`` except the rules (see :func:`rules`)."""
    out = []
    meta = tables.meta or {}
    for key in ("model_version", "built_at"):
        if key in meta:
            out.append((key, clean(meta[key])))
    for key, value in meta.items():
        if key in ("model_version", "built_at", "rules"):
            continue
        out.append((clean(key), clean(value)))
    return out


def rules(tables: ComparisonTables) -> list[tuple[str, str]]:
    """(table title, rule sentence) of ``meta["rules"]``."""
    raw = (tables.meta or {}).get("rules") or {}
    if isinstance(raw, dict):
        return [(TABLE_TITLES.get(str(k), clean(k)), clean(v)) for k, v in raw.items()]
    return [("", clean(raw))]


@contextlib.contextmanager
def atomic_path(target: Path) -> Iterator[Path]:
    """Yield a temp path next to ``target``; on success it replaces ``target`` atomically,
    on error it is removed (no half-written report is ever left)."""
    target = Path(target)
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp_name = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
    os.close(fd)
    tmp = Path(tmp_name)
    try:
        yield tmp
        with open(tmp, "rb") as fh:
            os.fsync(fh.fileno())
        os.replace(tmp, target)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            tmp.unlink()
        raise


def write_text_atomic(target: Path, text: str, *, newline: str | None = None) -> Path:
    with atomic_path(target) as tmp:
        with open(tmp, "w", encoding="utf-8", newline=newline) as fh:
            fh.write(text)
    return Path(target)


def write_with(target: Path, writer: Callable[[Path], None]) -> Path:
    """Atomically write ``target`` with ``writer(tmp_path)``."""
    with atomic_path(target) as tmp:
        writer(tmp)
    return Path(target)
