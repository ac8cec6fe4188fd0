"""HTML export: one self-contained ``report.html`` (inline CSS and JS, no network at all).

The goals matrix is a heatmap whose cells are buttons: activating one shows its passages
in the evidence panel (``#evidence``). The other tables carry their passages in
``<details>`` per row. Document text is escaped everywhere (``html.escape`` for markup,
``\\u003c``-escaped JSON for the data block), and the script inserts data only through
``textContent``.

Layout (issue 14): the goals matrix comes first and fits a 1366×768 screen and page 1 of an
A4 landscape print; badges appear only where they carry information (geprüft, verworfen,
zweifelhaft, Ersatzweg, Regel); rules, model and counts follow last, collapsed.

Every text a person reads comes from ``i18n/<lang>/report.json`` (German by default,
English with ``WATEXT_LANG=en``); the script gets its texts, origin names and decimal
mark in the data block. Rule texts: :func:`rule_text` (German from ``report_de.json``).
"""

from __future__ import annotations

import json
import re
from html import escape
from pathlib import Path
from typing import Any

from watext.model import GOAL_LABELS
from watext.tables.frames import records
from watext import i18n
from watext.files import write_text
from watext.tables.export._common import (
    item_name, TICK, Frames, Row, by_city, cities, clean, counts_text, de_number, evidence_dict, goal_grid, goal_title,
    join_cities, label, meta_items, meta_label, origin_title, page_label, passages_by_row, question, rule_text,
    rule_title, source_name, warning_lines, when,
)  # fmt: skip

__all__ = ["FILENAME", "html_text", "write_html"]

FILENAME = "report.html"
_STATIC = Path(__file__).with_name("static")
#: Up to this many doubtful cells are named in one line under the matrix; more are listed per city, folded.
DOUBT_INLINE = 4

CSP = ("default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; "
       "img-src data:; base-uri 'none'; form-action 'none'; connect-src 'none'")  # fmt: skip

CSS = (_STATIC / "report.css").read_text(encoding="utf-8")

JS = (_STATIC / "report.js").read_text(encoding="utf-8")


def _e(text: Any) -> str:
    return escape(clean(text), quote=True)


def _t(key: str, **values: Any) -> str:
    """The report text ``key`` (``i18n/<lang>/report.json``) in the language in force."""
    return i18n.t("report", key, **values)


def _passages(n: int) -> str:
    return _t("passages_one" if n == 1 else "passages_many", n=n)


#: The texts the script shows in the evidence panel (sent in the data block).
_JS_TEXTS = (
    "state_ticked_verified", "state_ticked_unverified", "state_rejected", "state_unticked", "cell_summary",
    "passages_one", "passages_many", "probability", "probability_doubt", "fallback_note", "no_passages",
    "confidence", "near",
)  # fmt: skip


def _script_texts() -> dict[str, Any]:
    """Texts, origin names and decimal mark of the script, in the language in force."""
    return {"texts": {k: _t(k) for k in _JS_TEXTS}, "origins": dict(i18n.names("origin")),
            "verified": i18n.t("common", "verified"), "decimal": i18n.number(0.5, 1)[1]}  # fmt: skip


def json_for_script(obj: Any) -> str:
    """JSON that cannot end its ``<script>`` block (``<``, ``>``, ``&`` escaped)."""
    s = json.dumps(obj, ensure_ascii=False, separators=(",", ":"))
    s = s.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
    return s.replace("\u2028", "\\u2028").replace("\u2029", "\\u2029")


def _heat(cell: Row) -> str:
    if not cell["ticked"]:
        return "rej" if cell["verified"] else "h0"
    conf, n = cell["max_confidence"], cell["n_passages"]
    level = 1 + (n >= 2) + (n >= 4) + (conf is not None and conf >= 0.9 or cell["n_verified"] > 0)
    return f"h{min(4, level)}"


def _badge(verified: bool, ticked: bool = True, evidence: list[Row] | None = None) -> str:
    """A badge only where it tells something: verified, rejected, or derived by a rule
    (an unverified model result is the normal case and carries none)."""
    if verified and not ticked:
        kind, key = "rej", "badge_rejected"
    elif verified:
        kind, key = "ok", "badge_verified"
    elif ticked and evidence and all(e["origin"] == "rule" for e in evidence):
        kind, key = "rule", "badge_rule"
    else:
        return ""
    return f'<span class="badge {kind}" title="{_e(_t(key + "_title"))}">{_e(_t(key))}</span>'


def _binding(binding: str | None) -> str:
    """A small badge naming how binding the strongest source is (``beschlossen`` …); ``""`` unknown."""
    if not binding:
        return ""
    return (f'<span class="bind b-{_e(binding)}" title="{_e(_t("binding_title"))}">'
            f"{_e(label('binding', binding))}</span>")


def _evidence_details(evidence: list[Row]) -> str:
    if not evidence:
        return '<span class="none">–</span>'
    items = []
    for ev in evidence:
        bits = [source_name(ev), page_label(ev)]
        if ev["confidence"] is not None:
            bits.append(_t("confidence", p=de_number(ev["confidence"])))
        bits.append(origin_title(ev))
        items.append(
            f'<div class="passage"><strong>{_e(ev["title"] or source_name(ev))}</strong>'
            f'<div class="src">{_e(" · ".join(b for b in bits if b))}</div>'
            f"<blockquote>{_e(ev['text'])}</blockquote></div>"
        )
    return f"<details><summary>{_e(_passages(len(evidence)))}</summary>{''.join(items)}</details>"


def _table(header: list[str], rows: list[list[str]], cls: str = "") -> str:
    """A table from ``header`` (plain text, escaped here) and ``rows`` of ready HTML."""
    head = "".join(f'<th scope="col">{_e(h)}</th>' for h in header)
    body = "".join("<tr>" + "".join(f"<td>{c}</td>" for c in row) + "</tr>" for row in rows)
    return f'<table class="{cls}"><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>'


def _goals(frames: Frames, data: dict[str, Any]) -> str:
    head = f'<th scope="col">{_e(_t("col_city"))}</th>' + "".join(f'<th scope="col">{_e(t)}</th>' for t in i18n.names("goal").values())
    grid = goal_grid(frames)
    support, near = passages_by_row(frames, "goals"), passages_by_row(frames, "goals", "candidates")
    body = []
    for r, city in enumerate(cities(frames)):
        cells = [f'<th scope="row" class="city">{_e(city)}</th>']
        for c, goal in enumerate(GOAL_LABELS):
            cell = grid[(city, goal)]
            evidence = support.get(cell["row"], [])
            ticked, verified, n = cell["ticked"], cell["verified"], cell["n_passages"]
            cid = f"c{r}-{c}"
            data["cells"][cid] = {
                "city": clean(city), "goal": goal, "goal_title": goal_title(goal),
                "ticked": ticked, "verified": verified, "n": n,
                "n_verified": cell["n_verified"], "evidence": [evidence_dict(e) for e in evidence],
                "probability": cell["probability"], "doubtful": cell["doubtful"], "fallback": cell["fallback"],
                "near": [evidence_dict(e) for e in near.get(cell["row"], []) if not ticked],
                "binding": label("binding", cell["binding"]) if cell["binding"] else "",
            }  # fmt: skip
            if ticked:
                state = _t("state_ticked_verified" if verified else "state_ticked")
            else:
                state = _t("state_rejected" if verified else "state_unticked")
            if cell["doubtful"]:
                state += _t("state_doubtful")
            if cell["fallback"]:
                state += _t("state_fallback")
            if ticked and cell["binding"]:
                state += ", " + label("binding", cell["binding"])
            aria = _t("aria_cell", city=clean(city), goal=goal_title(goal), state=state, n=n)
            inner = (f'<span class="tick">{TICK}</span><span class="n">{n}</span>'
                     if ticked else f'<span class="n">{n or ""}</span>')  # fmt: skip
            if cell["fallback"]:
                inner += f'<sup class="fb" title="{_e(_t("fallback_title"))}">¹</sup>'
            inner += _badge(verified, ticked, evidence) + (_binding(cell["binding"]) if ticked else "")
            if cell["doubtful"]:
                inner += f'<span class="badge doubt" title="{_e(_t("doubt_title", p=de_number(cell["probability"])))}">?</span>'
            cells.append(
                f'<td class="{_heat(cell)}"><button type="button" class="cellbtn" id="{cid}" '
                f'data-cell="{cid}" aria-pressed="false" aria-controls="evidence" '
                f'aria-label="{_e(aria)}">{inner}</button></td>'
            )
        body.append("<tr>" + "".join(cells) + "</tr>")
    return (f'<table class="goals" id="goals"><thead><tr>{head}</tr></thead>'
            f'<tbody>{"".join(body)}</tbody></table>')  # fmt: skip


def _guideline_rows(frames: Frames) -> list[list[str]]:
    evidence = passages_by_row(frames, "guideline")
    rows, first = [], 0
    for group in by_city(records(frames["guideline"])):
        g = group[0]
        status_key = f"status:{g['status']}"
        status_ev = [e for e in evidence.get(first, []) if e["key"] == status_key]
        orient = "<br>".join(
            f"{_e(label('orientation', o['orientation_kind']))}: {_e(o['orientation_name'])} "
            f"{_badge(o['orientation_verified'], True, ev)}{_evidence_details(ev)}"
            for i, o in enumerate(group) if o["orientation_kind"]
            for ev in [[e for e in evidence.get(first + i, []) if e["key"] != status_key]]) or "–"  # fmt: skip
        rows.append([_e(g["city"]), _e(label("guideline_status", g["status"])) + " " + _badge(g["status_verified"], True, status_ev),
                     orient, _evidence_details(status_ev)])  # fmt: skip
        first += len(group)
    return rows


def _heading(anchor: str, numbers: str, table: str) -> str:
    """``<h2 id=…>2. Leitfaden</h2>``: the survey question numbers and the table's name."""
    return f'<h2 id="{anchor}">{_e(numbers)} {_e(label("table", table))}</h2>'


def _other_tables(frames: Frames) -> str:
    city, cities_, evidence = _t("col_city"), _t("col_cities"), _t("evidence")
    parts = [_heading("leitfaden", "2.", "guideline")
             + _table([city, _t("col_status"), _t("col_orientation"), evidence], _guideline_rows(frames))]  # fmt: skip
    ev = passages_by_row(frames, "measures")
    rows = [[_e(goal_title(m["goal"])), _e(item_name(m["measure"])) + " " + _badge(m["verified"], True, ev.get(i, []))
             + _binding(m["binding"]),
             _e("; ".join(m["variants"])), _e(", ".join(m["cities"])), _evidence_details(ev.get(i, []))]
            for i, m in enumerate(records(frames["measures"]))]  # fmt: skip
    parts.append(_heading("massnahmen", "3.", "measures")
                 + _table([_t("col_goal"), _t("col_measure"), _t("col_variants"), cities_, evidence], rows))
    ev = passages_by_row(frames, "responsibility")
    rows = [[_e(label("group", r["group"])), _e(r["city"]) + " " + _badge(r["verified"], True, ev.get(i, [])),
             _e("; ".join(r["units"])), _evidence_details(ev.get(i, []))]
            for i, r in enumerate(records(frames["responsibility"]))]  # fmt: skip
    parts.append(_heading("zustaendigkeit", "4.", "responsibility")
                 + _table([_t("col_group"), city, _t("col_units"), evidence], rows))
    ev = passages_by_row(frames, "funding")
    rows = [[_e(f["city"]) + " " + _badge(f["verified"], True, ev.get(i, [])), _e(label("funds", f["funds"])),
             _e(label("staff", f["staff"])), _e("; ".join(f["allocators"])), _evidence_details(ev.get(i, []))]
            for i, f in enumerate(records(frames["funding"]))]  # fmt: skip
    parts.append(_heading("finanzierung", "5./6.", "funding")
                 + _table([city, _t("col_funds"), _t("col_staff"), _t("col_allocators"), evidence], rows))
    ev = passages_by_row(frames, "best_practice")
    rows = [[_e(item_name(b["name"])) + " " + _badge(b["verified"], True, ev.get(i, [])), _e(", ".join(b["cities"])), _evidence_details(ev.get(i, []))]
            for i, b in enumerate(records(frames["best_practice"]))]  # fmt: skip
    parts.append(_heading("best-practice", "7.", "best_practice")
                 + _table([_t("col_best_practice"), cities_, evidence], rows))
    return "\n".join(parts)


def page_head(title: str, extra_css: str = "", csp: str = CSP, base_css: str | None = None) -> str:
    """The start of a report page (in the language in force, no outside resources, strict CSP)
    up to ``</head>``; ``title`` is escaped here. ``base_css`` replaces the report's stylesheet."""
    return f"""<!DOCTYPE html>
<html lang="{i18n.lang()}">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="{csp}">
<meta name="referrer" content="no-referrer">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{_e(title)}</title>
<style>{CSS if base_css is None else base_css}{extra_css}</style>
</head>"""


def _rule_title(key: str) -> str:
    """:func:`rule_title`, with the report's own name for rules that have no table."""
    title = rule_title(key)
    return _t("rule_passages") if key == "passages" and title == key else title


def _basis(frames: Frames) -> str:
    """The closing ``<details>``: model, build time, counts and the rules."""
    names = list(i18n.names("meta"))
    shown = {"built_at": when, "counts": counts_text}
    items = sorted(meta_items(frames), key=lambda kv: names.index(kv[0]) if kv[0] in names else len(names))
    meta = "".join(f"<dt>{_e(meta_label(k))}</dt><dd>{_e(shown.get(k, str)(v))}</dd>" for k, v in items)
    rules = [f"<dt>{_e(_rule_title(r['key']))}</dt>"
             f"<dd>{_e(rule_text(r['key'], r['value']))}</dd>"
             for r in records(frames["info"]) if r["kind"] == "rule"]  # fmt: skip
    return (f'<details id="grundlagen"><summary>{_e(_t("basis"))}</summary>'
            f'<dl class="meta">{meta}</dl><h3>{_e(_t("rules"))}</h3><dl class="rules">{"".join(rules)}</dl>'
            "</details>")  # fmt: skip


def _legend(cells: list[Row]) -> str:
    """One line explaining the marks the matrix uses."""
    items = [f'<span><span class="sw h1"></span><span class="sw h4"></span>{_e(_t("legend_heat"))}</span>',
             f"<span>{TICK} {_e(_t('legend_tick'))}</span>",
             f'<span><span class="badge ok">{_e(_t("badge_verified"))}</span> {_e(_t("legend_verified"))}</span>',
             f'<span><span class="badge doubt">?</span> {_e(_t("legend_doubt"))}</span>']  # fmt: skip
    if any(c["binding"] for c in cells):
        items.append(f'<span>{TICK} {_e(_t("legend_binding"))}</span>')
    if any(c["fallback"] for c in cells):
        items.append(f'<span><sup class="fb">¹</sup> {_e(_t("legend_fallback"))}</span>')
    if any(c["verified"] and not c["ticked"] for c in cells):
        items.append(f'<span><span class="sw rej"></span>{_e(_t("legend_rejected"))}</span>')
    return f'<p class="legend">{"".join(items)}</p>'


def html_text(frames: Frames) -> str:
    """The whole report as one HTML string."""
    data: dict[str, Any] = {"cells": {}, **_script_texts()}
    goals_html = _goals(frames, data)
    cells = records(frames["goal_cells"])
    after = ""
    warned = warning_lines(frames)
    if warned:
        after += (f'<div class="warnings" role="alert"><strong>{_e(_t("warnings"))}</strong><ul>'
                  + "".join(f"<li>⚠ {_e(w)}</li>" for w in warned) + "</ul></div>")  # fmt: skip
    doubtful = [c for c in cells if c["doubtful"]]
    if doubtful:
        names = ", ".join(f"{c['city']} × {goal_title(c['goal'])}" for c in doubtful)
        if len(doubtful) <= DOUBT_INLINE:
            after += f'<p class="doubt-summary">{_e(_t("doubt_summary", n=len(doubtful), total=len(cells), cells=names))}</p>'
        else:  # a long list: one line per city, folded
            by_city: dict[str, list[str]] = {}
            for c in doubtful:
                by_city.setdefault(c["city"], []).append(goal_title(c["goal"]))
            items = "".join(f"<li><b>{_e(city)}</b>: {_e(', '.join(goals))}</li>" for city, goals in by_city.items())
            after += (f'<details class="doubt-summary"><summary>{_e(_t("doubt_count", n=len(doubtful), total=len(cells)))}'
                      f"</summary><ul>{items}</ul></details>")  # fmt: skip
    built = dict(meta_items(frames)).get("built_at")
    stand = _e(_t("as_of", when=when(built))) if built else ""
    question_1 = re.sub(r"^\d+\.\s*", "", question(1))  # "1. Was wird …?" without its number
    return f"""{page_head(_t("title"))}
<body>
<header>
<h1>{_e(_t("heading"))}</h1>
<p class="sub">{_e(_t("cities", cities=join_cities(cities(frames))))}{stand}</p>
</header>
<main>
<h2 id="ziele">1. {_e(label("table", "goals"))}: {_e(question_1)}</h2>
{_legend(cells)}
{goals_html}
<p class="hint">{_e(_t("hint"))}</p>
{after}
<section id="evidence" tabindex="-1" aria-live="polite" aria-label="{_e(_t("evidence"))}">
<p>{_e(_t("no_cell"))}</p>
</section>
{_other_tables(frames)}
{_basis(frames)}
</main>
<script type="application/json" id="data">{json_for_script(data)}</script>
<script>{JS}</script>
</body>
</html>
"""


def write_html(frames: Frames, out_dir: Path) -> list[Path]:
    """Write ``report.html`` into ``out_dir`` atomically."""
    return [write_text(Path(out_dir) / FILENAME, html_text(frames))]
