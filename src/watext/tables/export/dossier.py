"""Per-city dossier: one printable HTML page for a partner city to check its answers.

It lists every passage of the city that the tables used (the ``evidence`` frame, nothing
aggregated again), grouped by survey question: the table a passage supports tells the
question (goals 1, guideline 2, measures 3, responsibility 4, funding 5 and 6, best
practice 7). Each row shows the passage (escaped: document text is untrusted), its file
and page or slide, its origin, the table cell(s) it produced, and empty boxes
"stimmt / stimmt nicht / Anmerkung" for the city to fill in on paper or in a PDF viewer.
Above: the city's goals row and the questions without a recognised answer.

The page has no script and a strict CSP; its print stylesheet is A4 portrait with table
rows kept on one page where they fit. :mod:`watext.tables.export.pdf_print` prints it.
Texts: ``i18n/<lang>/dossier.json``.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from datetime import UTC, datetime
from html import escape
from pathlib import Path
from typing import Any

from watext import i18n
from watext.files import write_text
from watext.model import GOAL_LABELS
from watext.tables.export._common import (
    item_name, Frames, Row, cities, clean, goal_mark, goal_title, label, legend, meta_items, origin_title, question,
    source_label, when,
)  # fmt: skip
from watext.tables.export.html import page_head
from watext.tables.frames import records

__all__ = ["CSP", "SECTIONS", "dossier_filename", "dossier_html", "passages_by_question", "slug", "write_dossier"]

#: Survey question section -> (the questions it answers, the evidence tables behind it).
SECTIONS: dict[str, tuple[tuple[int, ...], tuple[str, ...]]] = {
    "1": ((1,), ("goals",)),
    "2": ((2,), ("guideline",)),
    "3": ((3,), ("measures",)),
    "4": ((4,), ("responsibility",)),
    "5-6": ((5, 6), ("funding",)),
    "7": ((7,), ("best_practice",)),
}
_SECTION_OF = {table: key for key, (_, tables) in SECTIONS.items() for table in tables}

#: No script at all; inline styles only; nothing loaded from anywhere.
CSP = ("default-src 'none'; style-src 'unsafe-inline'; img-src data:; base-uri 'none'; "
       "form-action 'none'; connect-src 'none'; frame-ancestors 'none'")  # fmt: skip

CSS = """
body{font-family:"DejaVu Sans",system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;margin:1rem auto}
body{max-width:1000px;padding:0 1rem;color:#1b1b1b;line-height:1.35}
h1{font-size:1.35rem;margin:0}
h2{font-size:1.1rem;margin:1.4rem 0 .4rem;border-bottom:2px solid #1f4e79;break-after:avoid}
.sub{margin:.1rem 0 .4rem;color:#444}
dl.head{display:grid;grid-template-columns:max-content 1fr;gap:.1rem .8rem;margin:.4rem 0}
dl.head dt{font-weight:600}dl.head dd{margin:0}
.instructions{border:1px solid #1f4e79;background:#f3f7fb;padding:.5rem .8rem;margin:.6rem 0}
table{border-collapse:collapse;width:100%;margin:.3rem 0}thead{display:table-header-group}
th,td{border:1px solid #9a9a9a;padding:.3rem .4rem;vertical-align:top;text-align:left}
th{background:#1f4e79;color:#fff;font-weight:600;font-size:.85rem}
tr{break-inside:avoid;page-break-inside:avoid}
table.goals td,table.goals th{text-align:center;font-size:.85rem}td.no{width:2.2rem;text-align:right}
blockquote{margin:0 0 .2rem;white-space:pre-wrap;overflow-wrap:anywhere}.src{font-size:.8rem;color:#444}
ul.cells{margin:0;padding-left:1rem;font-size:.9rem}td.check{width:3.4rem;text-align:center}td.note{width:20%}
td.text{width:44%}td.cells{width:21%}
.box{display:inline-block;width:1rem;height:1rem;border:1.5px solid #1b1b1b;background:#fff}
.notice{font-style:italic;color:#600}
.additions{border:1px solid #9a9a9a;min-height:4rem;padding:.3rem .4rem;margin:.3rem 0 0;break-inside:avoid}
.additions p{margin:0;font-size:.85rem;color:#444}
.signature{border:1px solid #9a9a9a;min-height:3.5rem;padding:.3rem .4rem;margin-top:1.5rem;break-inside:avoid}
.legend,footer{font-size:.8rem;color:#444}footer{margin-top:1rem}@page{size:A4 portrait;margin:1.4cm 1.2cm}
@media print{body{max-width:none;margin:0;padding:0;font-size:9.5pt}
*{-webkit-print-color-adjust:exact;print-color-adjust:exact}h2{margin-top:.9rem}}
"""


def _e(text: Any) -> str:
    return escape(clean(text), quote=True)


def _t(key: str, **values: Any) -> str:
    return i18n.t("dossier", key, **values)


# --- file names -------------------------------------------------------------------------

_FOLD = str.maketrans({"ä": "ae", "ö": "oe", "ü": "ue", "ß": "ss", "Ä": "Ae", "Ö": "Oe", "Ü": "Ue", "ı": "i"})


def slug(city: str, limit: int = 60) -> str:
    """``city`` as a safe file name part: ASCII letters, digits and ``-`` only (umlauts
    folded, other accents dropped, slashes and dots become ``-``); a short hash of the name
    when nothing readable is left (e.g. a name in another script)."""
    text = unicodedata.normalize("NFKD", clean(city).translate(_FOLD))
    text = "".join(ch for ch in text if not unicodedata.combining(ch)).lower()
    text = re.sub(r"[^a-z0-9]+", "-", text).strip("-")[:limit].strip("-")
    return text or "stadt-" + hashlib.sha256(clean(city).encode("utf-8")).hexdigest()[:10]


def dossier_filename(city: str, among: list[str] | None = None) -> str:
    """``dossier-<slug>.html``; with a short hash of the name added when another city of
    ``among`` has the same slug (e.g. ``Frankfurt/Oder`` and ``Frankfurt (Oder)``)."""
    own = slug(city)
    if among and sum(slug(c) == own for c in dict.fromkeys(among)) > 1:
        own += "-" + hashlib.sha256(clean(city).encode("utf-8")).hexdigest()[:6]
    return f"dossier-{own}.html"


# --- reading the frames -------------------------------------------------------------------


def _belongs(ev: Row, city: str, row: Row | None) -> bool:
    """True when evidence row ``ev`` is a passage of ``city``: its city is ``city``, or (a
    measure or practice passage without a city of its own) the row's cities joined include it."""
    if ev["city"] == city:
        return True
    listed = (row or {}).get("cities") or []
    return bool(listed) and ev["city"] == ", ".join(listed) and city in listed


def _cell_lines(ev: Row, row: Row) -> list[str]:
    """What the passage produced in the tables (``row``: the row it supports), as plain text lines."""
    table, key = ev["table"], clean(ev["key"])
    if table == "goals":
        mark = goal_mark(row) if row else ""
        state = _t("mark_yes") if row and row["ticked"] else _t("mark_no")
        return [_t("cell_goal", goal=goal_title(key), state=f"{state} {mark}".strip())]
    if table == "guideline":
        if key.startswith("status:"):
            return [_t("cell_status", status=label("guideline_status", key.removeprefix("status:")))]
        kind, _, name = key.partition(": ")
        return [f"{label('orientation', kind)}: {name}"]
    if table == "measures":
        goal, _, name = key.partition(": ")
        return [_t("cell_measure", measure=item_name(row.get("measure") or name), goal=goal_title(row.get("goal") or goal))]
    if table == "responsibility":
        units = "; ".join(row.get("units") or []) or "–"
        return [_t("cell_group", group=label("group", row.get("group") or key), units=units)]
    if table == "funding":
        return [_t("cell_funds", funds=label("funds", row.get("funds"))),
                _t("cell_staff", staff=label("staff", row.get("staff"))),
                _t("cell_allocators", allocators="; ".join(row.get("allocators") or []) or "–")]  # fmt: skip
    if table == "best_practice":
        return [_t("cell_practice", name=item_name(row.get("name") or key))]
    return [key]


def passages_by_question(frames: Frames, city: str) -> dict[str, list[dict[str, Any]]]:
    """Section key (:data:`SECTIONS`) -> the city's passages there, in table order; a passage
    behind several cells of one section is one entry ``{"ev": first evidence row, "cells": [...]}``."""
    rows = {"goals": records(frames["goal_cells"])}
    rows |= {t: records(frames[t]) for t in ("guideline", "measures", "responsibility", "funding", "best_practice")}
    out: dict[str, dict[str, dict[str, Any]]] = {key: {} for key in SECTIONS}
    for i, ev in enumerate(records(frames["evidence"])):
        section = _SECTION_OF.get(ev["table"])
        table_rows = rows.get(ev["table"], [])
        row = table_rows[ev["row"]] if 0 <= ev["row"] < len(table_rows) else None
        if section is None or not _belongs(ev, city, row):
            continue
        entry = out[section].setdefault(ev["passage_id"] or f"#{i}", {"ev": ev, "cells": []})
        entry["verified"] = entry.get("verified", False) or ev["verified"]
        for line in _cell_lines(ev, row or {}):
            if line not in entry["cells"]:
                entry["cells"].append(line)
    return {key: list(found.values()) for key, found in out.items()}


def unanswered(frames: Frames, city: str) -> list[int]:
    """The survey questions without a recognised answer in ``city``'s documents."""
    nos = {int(n) for w in records(frames["warnings"]) if w["city"] == city for n in w["questions"]}
    return sorted(nos)


# --- rendering ----------------------------------------------------------------------------


def _box() -> str:
    return f'<span class="box" role="img" aria-label="{_e(_t("box"))}"></span>'


def _goals_row(frames: Frames, city: str) -> str:
    """The city's row of the goals matrix, with its marks (✓, ✓*, ?, ¹ for the fallback)."""
    cells = {c["goal"]: c for c in records(frames["goal_cells"]) if c["city"] == city}
    head = "".join(f'<th scope="col">{_e(goal_title(g))}</th>' for g in GOAL_LABELS)
    marks = []
    for g in GOAL_LABELS:
        cell = cells.get(g)
        mark = (goal_mark(cell) + ("¹" if cell["fallback"] and cell["ticked"] else "")) if cell else ""
        marks.append(f"<td>{_e(mark or '–')}</td>")
    notes = [] if any(c["ticked"] for c in cells.values()) else [f"<p>{_e(_t('goals_none'))}</p>"]
    if any(c["fallback"] for c in cells.values()):
        notes.append(f'<p class="legend">{_e(_t("fallback_note"))}</p>')
    marks_legend = f"{legend()} · {i18n.t('common', 'doubt_legend')}"
    return (f'<section id="ziele"><h2>{_e(_t("goals_heading"))}</h2><table class="goals"><thead><tr>{head}</tr>'
            f'</thead><tbody><tr>{"".join(marks)}</tr></tbody></table>'
            f'<p class="legend">{_e(marks_legend)}</p>{"".join(notes)}</section>')  # fmt: skip


def _unanswered(nos: list[int]) -> str:
    body = ("<ul>" + "".join(f"<li>{_e(question(n))}</li>" for n in nos) + "</ul>" if nos
            else f"<p>{_e(_t('unanswered_none'))}</p>")  # fmt: skip
    return f'<section id="offen"><h2>{_e(_t("unanswered_heading"))}</h2>{body}</section>'


def _passage_row(no: int, entry: dict[str, Any]) -> str:
    ev = entry["ev"]
    title = ev["title"] if ev["title"] and ev["title"] != source_label(ev) else ""
    origin = origin_title(ev | {"verified": entry["verified"]})
    src = " · ".join(x for x in (title, source_label(ev), f"{_t('origin')}: {origin}") if x)
    cells = "".join(f"<li>{_e(c)}</li>" for c in entry["cells"])
    return (f'<tr data-passage="{_e(ev["passage_id"])}"><td class="no">{no}</td>'
            f'<td class="text"><blockquote>{_e(ev["text"])}</blockquote><div class="src">{_e(src)}</div></td>'
            f'<td class="cells"><ul class="cells">{cells}</ul></td>'
            f'<td class="check">{_box()}</td><td class="check">{_box()}</td><td class="note"></td></tr>')  # fmt: skip


def _section(key: str, entries: list[dict[str, Any]], missing: list[int], start: int) -> str:
    nos, _ = SECTIONS[key]
    parts = [f"<h2>{_e(question(n))}</h2>" for n in nos]
    if any(n in missing for n in nos):
        parts.append(f'<p class="notice">{_e(_t("no_answer"))}</p>')
    if entries:
        cols = ("col_no", "col_passage", "col_cells", "col_ok", "col_wrong", "col_note")
        head = "".join(f'<th scope="col">{_e(_t(c))}</th>' for c in cols)
        body = "".join(_passage_row(start + i, e) for i, e in enumerate(entries))
        parts.append(f'<table class="passages"><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>')
    elif not any(n in missing for n in nos):
        parts.append(f'<p class="notice">{_e(_t("no_passages"))}</p>')
    parts.append(f'<div class="additions"><p>{_e(_t("additions"))}</p></div>')
    return f'<section class="question" id="frage-{key}" data-questions="{key}">{"".join(parts)}</section>'


def dossier_html(frames: Frames, city: str) -> str:
    """The dossier of ``city`` (one of the frames' cities) as one HTML page, in the
    language in force. ValueError when ``city`` is not in the tables."""
    if city not in cities(frames):
        raise ValueError(f"unknown city {city!r}; known: {', '.join(cities(frames)) or 'none'}")
    grouped = passages_by_question(frames, city)
    missing = unanswered(frames, city)
    meta = dict(meta_items(frames))
    model = " ".join(x for x in (meta.get("model_name"), meta.get("model_version")) if x) or "–"
    n = sum(len(v) for v in grouped.values())
    head_items = [(_t("city"), city), (_t("built_at"), when(meta.get("built_at"))), (_t("model"), model),
                  (_t("passages"), str(n))]  # fmt: skip
    dl = "".join(f"<dt>{_e(k)}</dt><dd>{_e(v)}</dd>" for k, v in head_items)
    sections, start = [], 1
    for key, entries in grouped.items():
        sections.append(_section(key, entries, missing, start))
        start += len(entries)
    today = i18n.day(datetime.now(UTC).date().isoformat())
    return page_head(_t("title", city=city), csp=CSP, base_css=CSS) + f"""
<body>
<header>
<h1>{_e(_t("heading", city=city))}</h1>
<p class="sub">{_e(_t("subheading"))}</p>
<dl class="head">{dl}</dl>
</header>
<main>
<p class="instructions">{_e(_t("instructions"))}</p>
{_goals_row(frames, city)}
{_unanswered(missing)}
{"".join(sections)}
<div class="signature"><p>{_e(_t("signature"))}</p></div>
</main>
<footer><p>{_e(_t("footer", date=today))}</p></footer>
</body>
</html>
"""


def write_dossier(frames: Frames, city: str, out_dir: str | Path) -> list[Path]:
    """Write ``city``'s dossier as :func:`dossier_filename` into ``out_dir`` atomically
    (kept apart from a city of the tables with the same slug); returns ``[path]``."""
    name = dossier_filename(city, cities(frames))
    return [write_text(Path(out_dir) / name, dossier_html(frames, city))]
