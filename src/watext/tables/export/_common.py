"""Helpers shared by the exporters: atomic writes, German labels, safe text, frame reading.

The exporters render the frames of :func:`watext.tables.frames.to_frames` (built once per
export). All text in them comes from documents and is untrusted; the helpers here strip
characters no file format can hold and neutralise spreadsheet formulas.
"""

from __future__ import annotations

import json
import re
import os
from datetime import UTC, datetime
from functools import cache
from pathlib import Path
from typing import Any

import pandas as pd

from watext.tables.frames import clean, records
from watext.tables.model import GOAL_TITLES

#: The frames an export reads (see :mod:`watext.tables.frames`).
Frames = dict[str, pd.DataFrame]
Row = dict[str, Any]

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

_RISKY_START = ("=", "+", "-", "@", "\t", "\r", "\n")


def label(mapping: dict[str, str], code: str | None) -> str:
    """German title of ``code`` (the code itself when unknown)."""
    return mapping.get(code or "", code or "")


def goal_title(goal: str) -> str:
    return GOAL_TITLES.get(goal, goal)


def is_formula_like(text: str) -> bool:
    """True when a spreadsheet could take ``text`` for a formula."""
    stripped = text.lstrip(" ")
    return bool(stripped) and stripped.startswith(_RISKY_START)


def csv_safe(value: Any) -> Any:
    """A csv cell value: risky strings get a leading ``'`` so no formula runs; lists are
    joined with ``"; "``."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return int(value)
    if isinstance(value, (int, float)):
        return value
    text = "; ".join(clean(v) for v in value) if isinstance(value, list) else clean(value)
    return "'" + text if is_formula_like(text) else text


def page_label(ev: Row) -> str:
    """``Folie 3`` for slides, ``S. 3`` for pages, ``""`` when unknown (``ev``: an evidence row)."""
    if ev["page"] is None:
        return ""
    return f"Folie {ev['page']}" if ev["format"].lower() in {"pptx", "ppt"} else f"S. {ev['page']}"


def source_name(ev: Row) -> str:
    """The file name of the evidence source (no directories)."""
    return os.path.basename(ev["source"].replace("\\", "/")) or ev["source"]


def origin_title(ev: Row) -> str:
    if ev["verified"]:
        return "geprüft"
    return {"model": "Modell", "review": "Prüfung", "rule": "Regel"}.get(ev["origin"], ev["origin"])


def join_cities(cities: list[str]) -> str:
    """``A, B und C`` as on the slides."""
    cities = [clean(c) for c in cities]
    if len(cities) <= 1:
        return "".join(cities)
    return ", ".join(cities[:-1]) + " und " + cities[-1]


def evidence_dict(ev: Row) -> dict[str, Any]:
    """JSON-ready evidence with display fields."""
    return {
        "passage_id": ev["passage_id"], "document_id": ev["document_id"],
        "title": ev["title"] or source_name(ev), "source": source_name(ev), "page": page_label(ev),
        "text": ev["text"], "confidence": ev["confidence"], "verified": ev["verified"],
        "origin": ev["origin"], "city": ev["city"],
    }  # fmt: skip


#: The columns of ``evidence.csv`` (``page`` as :func:`page_label`).
EVIDENCE_COLUMNS = (
    "table", "city", "key", "title", "source", "page", "text", "confidence", "verified",
    "origin", "format", "passage_id", "document_id",
)  # fmt: skip

# ------------------------------------------------------------------ reading the frames


def cities(frames: Frames) -> list[str]:
    """The cities in table order."""
    return frames["goals_matrix"]["city"].tolist()


def goal_grid(frames: Frames) -> dict[tuple[str, str], Row]:
    """``(city, goal)`` -> goal cell row; ``row`` is its position in ``goal_cells``."""
    return {(c["city"], c["goal"]): c | {"row": i} for i, c in enumerate(records(frames["goal_cells"]))}


def passages_by_row(frames: Frames, table: str, name: str = "evidence") -> dict[int, list[Row]]:
    """Rows of the ``evidence`` (or ``candidates``) frame for ``table``, by the row they support."""
    out: dict[int, list[Row]] = {}
    for ev in records(frames[name]):
        if ev["table"] == table:
            out.setdefault(ev["row"], []).append(ev)
    return out


def by_city(rows: list[Row]) -> list[list[Row]]:
    """Consecutive rows of one city together (the guideline has a row per orientation)."""
    groups: list[list[Row]] = []
    for row in rows:
        if groups and groups[-1][0]["city"] == row["city"]:
            groups[-1].append(row)
        else:
            groups.append([row])
    return groups


def warnings(frames: Frames) -> list[str]:
    """The warning texts (every export shows them)."""
    return frames["warnings"]["warning"].tolist()


def no_answer_q1(frames: Frames) -> set[str]:
    """Cities without a recognised answer to question 1."""
    return {w["city"] for w in records(frames["warnings"]) if 1 in w["questions"]}


def meta_items(frames: Frames) -> list[tuple[str, str]]:
    """Displayable (key, value) pairs of the meta data (model version and build time first)."""
    return [(r["key"], r["value"]) for r in records(frames["info"]) if r["kind"] == "meta"]


def rules(frames: Frames) -> list[tuple[str, str]]:
    """(table title, rule sentence) of the aggregation rules."""
    return [(TABLE_TITLES.get(r["key"], r["key"]), r["value"]) for r in records(frames["info"]) if r["kind"] == "rule"]


# --- German display of dates and numbers (shared by every export) ----------------------


def when(value: Any) -> str:
    """An ISO timestamp as ``29.11.2026, 11:42 UTC`` (``–`` when unknown, as given when unparseable)."""
    if not value:
        return "–"
    try:
        dt = datetime.fromisoformat(str(value))
    except ValueError:
        return clean(value)
    if dt.tzinfo is None:
        dt = dt.replace(tzinfo=UTC)
    return dt.astimezone(UTC).strftime("%d.%m.%Y, %H:%M UTC")


def shorten(text: Any, limit: int = 300) -> str:
    """``text`` cut to about ``limit`` characters at a word boundary, with ``…``."""
    text = clean(text).strip()
    if len(text) <= limit:
        return text
    cut = text[:limit]
    space = cut.rfind(" ")
    return (cut[:space] if space > limit * 0.8 else cut).rstrip() + " …"


def de_number(x: Any, digits: int = 2) -> str:
    """A number with a German decimal comma (``0,55``; ``–`` when unknown)."""
    if x is None or (isinstance(x, float) and x != x):
        return "–"
    return f"{x:.{digits}f}".replace(".", ",")


# --- German display of evidence rows and doubtful cells (xlsx, pptx) ---------------------

ORIGIN_TITLES = {"model": "Modell", "review": "Prüfung", "rule": "Regel"}
DOUBT_LEGEND = "✓? / ? = zweifelhaft (Modell unsicher): zuerst prüfen"


def origin_name(origin: str | None) -> str:
    """``Modell``, ``Prüfung`` or ``Regel`` for an evidence origin (the code itself when unknown)."""
    return label(ORIGIN_TITLES, origin)


def source_label(ev: Row) -> str:
    """``antwort.pdf, S. 3``: the file name with page or slide (no directories)."""
    where = page_label(ev)
    return f"{source_name(ev)}, {where}" if where else source_name(ev)


def evidence_key_title(ev: Row) -> str:
    """The German title of an evidence row's ``key`` (goal, status, orientation, group …)."""
    table, key = ev["table"], clean(ev["key"])
    if table == "goals":
        return goal_title(key)
    if table == "guideline" and key.startswith("status:"):
        return label(STATUS_TITLES, key.removeprefix("status:"))
    if table in ("guideline", "measures") and ": " in key:
        head, name = key.split(": ", 1)
        head = label(ORIENTATION_TITLES, head) if table == "guideline" else goal_title(head)
        return f"{head}: {name}"
    if table == "responsibility":
        return label(GROUP_TITLES, key)
    if table == "funding":
        return "Mittel und Vergabe"
    return key


def goal_mark(cell: Row, *, star: bool = True) -> str:
    """``✓``, ``✓*`` (verified), ``✓?``/``?`` (doubtful) or ``""`` for a goal cell row."""
    mark = TICK + ("*" if star and cell["verified"] else "") if cell["ticked"] else ""
    return mark + ("?" if cell["doubtful"] else "")


def counts_text(value: Any) -> str:
    """The stored passage counts (a dict, or its ``str`` as in the ``info`` frame) in German:
    ``315 Textabschnitte, davon 315 vom Modell klassifiziert, 0 geprüft``."""
    import ast

    try:
        c = ast.literal_eval(value) if isinstance(value, str) else value
    except (ValueError, SyntaxError):
        return clean(value)
    if not isinstance(c, dict):
        return clean(value)
    text = (f"{c.get('passages', 0)} Textabschnitte, davon {c.get('classified', 0)} vom Modell "
            f"klassifiziert, {c.get('reviewed', 0)} geprüft")  # fmt: skip
    return text + (f", {c['unclassified']} ohne Klassifikation" if c.get("unclassified") else "")


# --- German rule texts (report_de.json), shared by the report, workbook and Markdown -------


@cache
def german_texts() -> dict[str, Any]:
    """``report_de.json``: German rule texts (with the English each translates) and meta labels."""
    return json.loads((Path(__file__).with_name("report_de.json")).read_text(encoding="utf-8"))


def german_rule(key: str, text: str) -> str | None:
    """The German text of the rule ``key`` built as ``text``, with the numbers ``text`` was
    built with (German decimal comma); None when ``text`` is not the English rule translated."""
    entry = german_texts()["rules"].get(key)
    if not entry:
        return None
    parts = re.split(r"\{(\w+)(?::[^}]*)?\}", entry["en"])
    pattern = "".join(re.escape(p) if i % 2 == 0 else rf"(?P<{p}>-?\d+(?:\.\d+)?)" for i, p in enumerate(parts))
    m = re.fullmatch(pattern, text, re.S)
    if not m:
        return None
    nums = {k: de_number(float(v), len(v.split(".")[1])) if "." in v else v for k, v in m.groupdict().items()}
    return entry["de"].format(**nums)


def rules_de(frames: Frames) -> list[tuple[str, str]]:
    """(table title, rule sentence) of the aggregation rules, in German where
    ``report_de.json`` translates them (the English as built otherwise)."""
    titles = {k: v["title"] for k, v in german_texts()["rules"].items()}
    out = []
    for r in records(frames["info"]):
        if r["kind"] == "rule":
            title = titles.get(r["key"]) or TABLE_TITLES.get(r["key"], r["key"])
            out.append((title, german_rule(r["key"], r["value"]) or r["value"]))
    return out
