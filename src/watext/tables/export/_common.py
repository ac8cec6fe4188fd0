"""Helpers shared by the exporters: atomic writes, German labels, safe text, frame reading.

The exporters render the frames of :func:`watext.tables.frames.to_frames` (built once per
export). All text in them comes from documents and is untrusted; the helpers here strip
characters no file format can hold and neutralise spreadsheet formulas.
"""

from __future__ import annotations

import json
import os
import re
from functools import cache
from pathlib import Path
from typing import Any

import pandas as pd

from watext import i18n
from watext.tables.frames import clean, records
from watext.tables.model import warning_text
from watext.tables.phrases import display_name

#: The frames an export reads (see :mod:`watext.tables.frames`).
Frames = dict[str, pd.DataFrame]
Row = dict[str, Any]

TICK = "✓"


_RISKY_START = ("=", "+", "-", "@", "\t", "\r", "\n")


def label(kind: str, code: str | None) -> str:
    """Display name of label ``code`` of ``kind`` (``guideline_status``, ``funds`` …; see
    ``i18n/<lang>/labels.json``) in the language in force; the code itself when unknown."""
    return i18n.name(kind, code)


def goal_title(goal: str) -> str:
    return i18n.name("goal", goal)


def item_name(name: str) -> str:
    """A measure's or best practice's name in the language in force: the synonym group's
    display name where the rules have one, else as the document wrote it."""
    return display_name(clean(name))


def question(no: int) -> str:
    """The survey question ``no`` (1–7) as on the Darmstadt slides, numbered."""
    return i18n.name("question", str(no))


def legend() -> str:
    """``✓ = vom Modell abgeleitet · ✓* = von einer Person geprüft``."""
    return i18n.t("common", "legend")


def doubt_legend() -> str:
    return i18n.t("common", "doubt_legend")


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
    slide = (ev["format"] or "").lower() in {"pptx", "ppt"}
    return i18n.t("common", "slide" if slide else "page", n=ev["page"])


def source_name(ev: Row) -> str:
    """The file name of the evidence source (no directories)."""
    return os.path.basename(ev["source"].replace("\\", "/")) or ev["source"]


def origin_title(ev: Row) -> str:
    return i18n.t("common", "verified") if ev["verified"] else origin_name(ev["origin"])


def join_cities(cities: list[str]) -> str:
    """``A, B und C`` as on the slides."""
    return i18n.join(clean(c) for c in cities)


def evidence_dict(ev: Row) -> dict[str, Any]:
    """JSON-ready evidence with display fields."""
    return {
        "passage_id": ev["passage_id"], "document_id": ev["document_id"],
        "title": ev["title"] or source_name(ev), "source": source_name(ev), "page": page_label(ev),
        "text": ev["text"], "confidence": ev["confidence"], "verified": ev["verified"],
        "origin": ev["origin"], "city": ev["city"], "binding": label("binding", ev["binding"]) if ev["binding"] else "",
    }  # fmt: skip


#: The columns of ``evidence.csv`` (``page`` as :func:`page_label`).
EVIDENCE_COLUMNS = (
    "table", "city", "key", "title", "source", "page", "text", "confidence", "verified",
    "origin", "format", "passage_id", "document_id", "binding",
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
    return [(label("table", r["key"]), r["value"]) for r in records(frames["info"]) if r["kind"] == "rule"]


# --- German display of dates and numbers (shared by every export) ----------------------


def when(value: Any) -> str:
    """An ISO timestamp as ``29.11.2026, 11:42 UTC`` (``–`` when unknown, as given when unparseable)."""
    return clean(i18n.when(value))


def shorten(text: Any, limit: int = 300) -> str:
    """``text`` cut to about ``limit`` characters at a word boundary, with ``…``."""
    text = clean(text).strip()
    if len(text) <= limit:
        return text
    cut = text[:limit]
    space = cut.rfind(" ")
    return (cut[:space] if space > limit * 0.8 else cut).rstrip() + " …"


def de_number(x: Any, digits: int = 2) -> str:
    """A number in the language in force (``0,55`` in German; ``–`` when unknown)."""
    return i18n.number(x, digits)


# --- German display of evidence rows and doubtful cells (xlsx, pptx) ---------------------

def origin_name(origin: str | None) -> str:
    """``Modell``, ``Prüfung`` or ``Regel`` for an evidence origin (the code itself when unknown)."""
    return label("origin", origin)


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
        return label("guideline_status", key.removeprefix("status:"))
    if table in ("guideline", "measures") and ": " in key:
        head, name = key.split(": ", 1)
        head = label("orientation", head) if table == "guideline" else goal_title(head)
        return f"{head}: {name}"
    if table == "responsibility":
        return label("group", key)
    if table == "funding":
        return i18n.t("common", "funding_key")
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
    text = i18n.t("common", "counts", passages=c.get("passages", 0), classified=c.get("classified", 0),
                  reviewed=c.get("reviewed", 0))
    return text + (i18n.t("common", "counts_unclassified", n=c["unclassified"]) if c.get("unclassified") else "")


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
    m = re.fullmatch(pattern, text, re.DOTALL)
    if not m:
        return None
    nums = {k: de_number(float(v), len(v.split(".")[1])) if "." in v else v for k, v in m.groupdict().items()}
    return entry["de"].format(**nums)


def rule_text(key: str, text: str) -> str:
    """The rule ``key`` (built as ``text``, in English) in the language in force: German from
    ``report_de.json`` while that still translates the built rule, else as built."""
    return (german_rule(key, text) if i18n.lang() == "de" else None) or text


def rule_title(key: str) -> str:
    """The title of the rule ``key`` in the language in force."""
    title = german_texts()["rules"].get(key, {}).get("title") if i18n.lang() == "de" else None
    return title or label("table", key)


def meta_label(key: str) -> str:
    """The display name of a meta data key (``model_version`` → ``Modellversion``)."""
    return i18n.names("meta").get(key, key)


def rules_de(frames: Frames) -> list[tuple[str, str]]:
    """(table title, rule sentence) of the aggregation rules in the language in force (German
    where ``report_de.json`` translates them, the English as built otherwise)."""
    return [(rule_title(r["key"]), rule_text(r["key"], r["value"]))
            for r in records(frames["info"]) if r["kind"] == "rule"]  # fmt: skip


# --- warnings in the language in force (report.html, tables.md) ---------------------------


def warning_rows(frames: Frames) -> list[tuple[Row, str]]:
    """``(warning row, text)``: the warnings rebuilt from their city and questions in the
    language in force (the frames' ``warning`` column holds them in the language the tables
    were built in)."""
    fallback = {c["city"] for c in records(frames["goal_cells"]) if c["fallback"]}
    return [(w, warning_text(clean(w["city"]), [int(n) for n in w["questions"]], w["city"] in fallback))
            for w in records(frames["warnings"])]  # fmt: skip


def warning_lines(frames: Frames) -> list[str]:
    """The texts of :func:`warning_rows`."""
    return [text for _, text in warning_rows(frames)]
