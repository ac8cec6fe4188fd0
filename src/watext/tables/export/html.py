"""HTML export: one self-contained ``report.html`` (inline CSS and JS, no network at all).

The goals matrix is a heatmap whose cells are buttons: activating one shows its passages
in the evidence panel (``#evidence``). The other tables carry their passages in
``<details>`` per row. Document text is escaped everywhere (``html.escape`` for markup,
``\\u003c``-escaped JSON for the data block), and the script inserts data only through
``textContent``.

Layout (issue 14): the goals matrix comes first and fits a 1366×768 screen and page 1 of an
A4 landscape print; badges appear only where they carry information (geprüft, verworfen,
zweifelhaft, Ersatzweg, Regel); rules, model and counts follow last, collapsed, in German
(``report_de.json``: German rule texts keyed by rule key).
"""

from __future__ import annotations

import json
from html import escape
from pathlib import Path
from typing import Any

from watext.model import GOAL_LABELS
from watext.tables.frames import records
from watext import i18n
from watext.files import write_text
from watext.tables.export._common import (
    TICK, Frames, Row, by_city, cities, clean, counts_text, de_number, evidence_dict, goal_grid, goal_title,
    join_cities, label, meta_items, meta_label, origin_title, page_label, passages_by_row, question, rule_text,
    rule_title, source_name, warnings, when,
)  # fmt: skip

__all__ = ["FILENAME", "html_text", "write_html"]

FILENAME = "report.html"

CSP = ("default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; "
       "img-src data:; base-uri 'none'; form-action 'none'; connect-src 'none'")  # fmt: skip

CSS = """
body{font-family:system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;margin:.8rem auto;max-width:1200px;padding:0 1rem;color:#1b1b1b;line-height:1.4}
h1{font-size:1.35rem;margin:0}h2{font-size:1.15rem;margin:1.6rem 0 .4rem;border-bottom:2px solid #1f4e79}
h2#ziele{margin-top:.6rem}.sub{margin:.1rem 0 0;color:#444;font-size:.9rem}.hint{margin:.2rem 0;font-size:.9rem}
table{border-collapse:collapse;width:100%;margin:.4rem 0}
th,td{border:1px solid #c9c9c9;padding:.35rem .5rem;vertical-align:top;text-align:left}
th{background:#1f4e79;color:#fff;font-weight:600}dl.meta dt,dl.rules dt{font-weight:600}
dl.meta dd,dl.rules dd{margin:0 0 .4rem 1rem}table.goals th{font-size:.85rem;padding:.3rem .4rem}
table.goals td{padding:0;text-align:center}
table.goals th.city{background:#f2f2f2;color:#1b1b1b;text-align:left;font-size:.95rem;vertical-align:middle}
.cellbtn{width:100%;min-height:2.6rem;border:0;background:transparent;font:inherit;cursor:pointer;padding:.2rem}
.cellbtn:focus-visible{outline:3px solid #ff8c00;outline-offset:-3px}
.cellbtn[aria-pressed=true]{outline:3px solid #1f4e79;outline-offset:-3px}.h0{background:#fff}.h1{background:#e2f0d9}
.h2{background:#c5e0b4}.h3{background:#a9d08e}.h4{background:#70ad47}.rej{background:#ededed}
.tick{font-size:1.2rem;font-weight:700}.n{font-size:.8rem;color:#333;margin-left:.2rem}
.fb{font-weight:700;color:#7f6000;margin-left:.1rem}
.badge{display:inline-block;font-size:.7rem;border-radius:.6rem;padding:0 .4rem;margin-left:.3rem}
.badge.ok{background:#375623;color:#fff}.badge.rule{background:#ddebf7;color:#1f4e79}
.badge.rej{background:#fff;color:#595959;border:1px solid #999}
.badge.doubt{background:#c00000;color:#fff;font-weight:700}
.warnings{border:2px solid #c00000;padding:.3rem .8rem;margin:.5rem 0;color:#600}.warnings ul{margin:.2rem 0}
#evidence{border:2px solid #1f4e79;border-radius:.4rem;padding:.6rem 1rem;margin:1rem 0;background:#fafcff;min-height:3rem}
.passage{border-top:1px solid #ddd;padding:.4rem 0}.passage:first-of-type{border-top:0}
.passage .src{font-size:.85rem;color:#555}.doubt-summary{font-size:.85rem}
.passage blockquote{margin:.3rem 0 0 0;padding-left:.6rem;border-left:3px solid #a9d08e;white-space:pre-wrap}
details{font-size:.9rem}summary{cursor:pointer;color:#1f4e79}
details#grundlagen{margin:2rem 0 1rem;border-top:2px solid #1f4e79;padding-top:.4rem}
details#grundlagen>summary{font-size:1.1rem;font-weight:600}.legend{font-size:.85rem;margin:.2rem 0}
.legend>span{margin-right:.9rem;white-space:nowrap}
.legend .sw{display:inline-block;width:.9rem;height:.9rem;vertical-align:middle;border:1px solid #999;margin-right:.2rem}
@page{size:A4 landscape;margin:1cm}@media print{body{max-width:none;margin:0;padding:0 2px;font-size:10pt}
*{-webkit-print-color-adjust:exact;print-color-adjust:exact}.hint,#evidence{display:none}.cellbtn{min-height:0}
table.goals{break-inside:avoid}#leitfaden{break-before:page}tr{break-inside:avoid}
.cellbtn[aria-pressed=true]{outline:none}}
"""

JS = """
(function(){
  "use strict";
  var data = JSON.parse(document.getElementById("data").textContent);
  var panel = document.getElementById("evidence");
  var ORIGINS = {model: "Modell", review: "Prüfung", rule: "Regel"};
  function de(x){ return Number(x).toFixed(2).replace(".", ","); }
  function el(tag, cls, text){
    var e = document.createElement(tag);
    if (cls) e.className = cls;
    if (text !== undefined && text !== null) e.textContent = String(text);
    return e;
  }
  function show(btn){
    var cell = data.cells[btn.getAttribute("data-cell")];
    if (!cell) return;
    var prev = document.querySelectorAll(".cellbtn[aria-pressed=true]");
    for (var i = 0; i < prev.length; i++) prev[i].setAttribute("aria-pressed", "false");
    btn.setAttribute("aria-pressed", "true");
    while (panel.firstChild) panel.removeChild(panel.firstChild);
    panel.appendChild(el("h3", null, cell.city + " \\u00d7 " + cell.goal_title));
    var state = cell.ticked ? (cell.verified ? "angekreuzt, geprüft" : "angekreuzt, ungeprüft")
      : (cell.verified ? "von Person verworfen" : "nicht angekreuzt");
    panel.appendChild(el("p", "summary", (cell.ticked ? "\\u2713 " : "") + state + " \\u2013 " +
      cell.n + (cell.n === 1 ? " Passage, " : " Passagen, ") + cell.n_verified + " geprüft"));
    if (cell.probability !== null) panel.appendChild(el("p", "prob",
      "Wahrscheinlichkeit " + de(cell.probability) +
      (cell.doubtful ? " \u2013 zweifelhaft, zuerst prüfen" : "")));
    if (cell.fallback) panel.appendChild(el("p", "fallback",
      "\u00b9 Ersatzweg: keine Antwort auf Frage 1 erkannt, Passagen mit Thema \u201eVerständnis\u201c"));
    if (!cell.evidence.length) panel.appendChild(el("p", null, "Keine Passagen."));
    cell.evidence.forEach(function(ev){
      var art = el("article", "passage");
      art.appendChild(el("strong", "doc-title", ev.title));
      var src = [ev.source, ev.page,
        ev.confidence === null ? "" : "Konfidenz " + de(ev.confidence),
        ev.verified ? "geprüft" : (ORIGINS[ev.origin] || ev.origin)].filter(function(x){ return x; }).join(" \\u00b7 ");
      art.appendChild(el("div", "src", src));
      art.appendChild(el("blockquote", "text", ev.text));
      panel.appendChild(art);
    });
    if (cell.near.length) {
      panel.appendChild(el("h4", null, "Knapp unter der Schwelle"));
      cell.near.forEach(function(ev){
        var art = el("article", "passage near");
        art.appendChild(el("strong", "doc-title", ev.title));
        art.appendChild(el("div", "src", [ev.source, ev.page,
          "Konfidenz " + de(ev.confidence)].filter(function(x){ return x; }).join(" \u00b7 ")));
        art.appendChild(el("blockquote", "text", ev.text));
        panel.appendChild(art);
      });
    }
  }
  var btns = document.querySelectorAll(".cellbtn");
  for (var i = 0; i < btns.length; i++) {
    btns[i].addEventListener("click", function(e){ show(e.currentTarget); });
  }
})();
"""


def _e(text: Any) -> str:
    return escape(clean(text), quote=True)


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
        return '<span class="badge rej" title="von einer Person verworfen">verworfen</span>'
    if verified:
        return '<span class="badge ok" title="von einer Person geprüft">geprüft</span>'
    if ticked and evidence and all(e["origin"] == "rule" for e in evidence):
        return '<span class="badge rule" title="aus einer Regel abgeleitet">Regel</span>'
    return ""


def _evidence_details(evidence: list[Row]) -> str:
    if not evidence:
        return '<span class="none">–</span>'
    items = []
    for ev in evidence:
        bits = [source_name(ev), page_label(ev)]
        if ev["confidence"] is not None:
            bits.append(f"Konfidenz {de_number(ev['confidence'])}")
        bits.append(origin_title(ev))
        items.append(
            f'<div class="passage"><strong>{_e(ev["title"] or source_name(ev))}</strong>'
            f'<div class="src">{_e(" · ".join(b for b in bits if b))}</div>'
            f"<blockquote>{_e(ev['text'])}</blockquote></div>"
        )
    return (f"<details><summary>{len(evidence)} Passage{'n' if len(evidence) != 1 else ''}"
            f"</summary>{''.join(items)}</details>")  # fmt: skip


def _table(header: list[str], rows: list[list[str]], cls: str = "") -> str:
    """A table from ``header`` (plain text, escaped here) and ``rows`` of ready HTML."""
    head = "".join(f'<th scope="col">{_e(h)}</th>' for h in header)
    body = "".join("<tr>" + "".join(f"<td>{c}</td>" for c in row) + "</tr>" for row in rows)
    return f'<table class="{cls}"><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>'


def _goals(frames: Frames, data: dict[str, Any]) -> str:
    head = '<th scope="col">Stadt</th>' + "".join(f'<th scope="col">{_e(t)}</th>' for t in i18n.names("goal").values())
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
            }  # fmt: skip
            if ticked:
                state = "angekreuzt, geprüft" if verified else "angekreuzt"
            else:
                state = "von Person verworfen" if verified else "nicht angekreuzt"
            if cell["doubtful"]:
                state += ", zweifelhaft"
            if cell["fallback"]:
                state += ", Ersatzweg"
            aria = f"{clean(city)}, {goal_title(goal)}: {state}, {n} Passagen"
            inner = (f'<span class="tick">{TICK}</span><span class="n">{n}</span>'
                     if ticked else f'<span class="n">{n or ""}</span>')  # fmt: skip
            if cell["fallback"]:
                inner += '<sup class="fb" title="Ersatzweg: keine Antwort auf Frage 1 erkannt">¹</sup>'
            inner += _badge(verified, ticked, evidence)
            if cell["doubtful"]:
                inner += (f'<span class="badge doubt" title="Wahrscheinlichkeit {de_number(cell["probability"])}: '
                          'zuerst prüfen">?</span>')  # fmt: skip
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


def _other_tables(frames: Frames) -> str:
    parts = ['<h2 id="leitfaden">2. Leitfaden</h2>'
             + _table(["Stadt", "Status", "Orientierung", "Belege"], _guideline_rows(frames))]  # fmt: skip
    ev = passages_by_row(frames, "measures")
    rows = [[_e(goal_title(m["goal"])), _e(m["measure"]) + " " + _badge(m["verified"], True, ev.get(i, [])),
             _e("; ".join(m["variants"])), _e(", ".join(m["cities"])), _evidence_details(ev.get(i, []))]
            for i, m in enumerate(records(frames["measures"]))]  # fmt: skip
    parts.append('<h2 id="massnahmen">3. Maßnahmen</h2>'
                 + _table(["Ziel", "Maßnahme", "Varianten", "Städte", "Belege"], rows))  # fmt: skip
    ev = passages_by_row(frames, "responsibility")
    rows = [[_e(label("group", r["group"])), _e(r["city"]) + " " + _badge(r["verified"], True, ev.get(i, [])),
             _e("; ".join(r["units"])), _evidence_details(ev.get(i, []))]
            for i, r in enumerate(records(frames["responsibility"]))]  # fmt: skip
    parts.append('<h2 id="zustaendigkeit">4. Zuständigkeit</h2>'
                 + _table(["Gruppe", "Stadt", "Stellen", "Belege"], rows))  # fmt: skip
    ev = passages_by_row(frames, "funding")
    rows = [[_e(f["city"]) + " " + _badge(f["verified"], True, ev.get(i, [])), _e(label("funds", f["funds"])),
             _e(label("staff", f["staff"])), _e("; ".join(f["allocators"])), _evidence_details(ev.get(i, []))]
            for i, f in enumerate(records(frames["funding"]))]  # fmt: skip
    parts.append('<h2 id="finanzierung">5./6. Finanzierung</h2>'
                 + _table(["Stadt", "Mittel", "Personal", "Vergabe durch", "Belege"], rows))  # fmt: skip
    ev = passages_by_row(frames, "best_practice")
    rows = [[_e(b["name"]) + " " + _badge(b["verified"], True, ev.get(i, [])), _e(", ".join(b["cities"])), _evidence_details(ev.get(i, []))]
            for i, b in enumerate(records(frames["best_practice"]))]  # fmt: skip
    parts.append('<h2 id="best-practice">7. Best Practice</h2>'
                 + _table(["Best Practice", "Städte", "Belege"], rows))  # fmt: skip
    return "\n".join(parts)


def page_head(title: str, extra_css: str = "", csp: str = CSP) -> str:
    """The start of a report page (German, no outside resources, strict CSP) up to ``</head>``;
    ``title`` is escaped here."""
    return f"""<!DOCTYPE html>
<html lang="de">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="{csp}">
<meta name="referrer" content="no-referrer">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{_e(title)}</title>
<style>{CSS}{extra_css}</style>
</head>"""


def _basis(frames: Frames) -> str:
    """The closing ``<details>``: model, build time, counts and the rules, in German."""
    names = list(i18n.names("meta"))
    shown = {"built_at": when, "counts": counts_text}
    items = sorted(meta_items(frames), key=lambda kv: names.index(kv[0]) if kv[0] in names else len(names))
    meta = "".join(f"<dt>{_e(meta_label(k))}</dt><dd>{_e(shown.get(k, str)(v))}</dd>" for k, v in items)
    rules = [f"<dt>{_e(rule_title(r['key']))}</dt>"
             f"<dd>{_e(rule_text(r['key'], r['value']))}</dd>"
             for r in records(frames["info"]) if r["kind"] == "rule"]  # fmt: skip
    return ('<details id="grundlagen"><summary>Grundlagen: Modell, Umfang und Regeln</summary>'
            f'<dl class="meta">{meta}</dl><h3>Regeln der Auswertung</h3><dl class="rules">{"".join(rules)}</dl>'
            "</details>")  # fmt: skip


def _legend(cells: list[Row]) -> str:
    """One line explaining the marks the matrix uses."""
    items = ['<span><span class="sw h1"></span><span class="sw h4"></span>mehr Passagen / höhere Konfidenz</span>',
             f"<span>{TICK} angekreuzt, Zahl = Passagen</span>",
             '<span><span class="badge ok">geprüft</span> von Person geprüft</span>',
             '<span><span class="badge doubt">?</span> zweifelhaft: zuerst prüfen</span>']  # fmt: skip
    if any(c["fallback"] for c in cells):
        items.append('<span><sup class="fb">¹</sup> Ersatzweg (keine Antwort auf Frage 1)</span>')
    if any(c["verified"] and not c["ticked"] for c in cells):
        items.append('<span><span class="sw rej"></span>von Person verworfen</span>')
    return f'<p class="legend">{"".join(items)}</p>'


def html_text(frames: Frames) -> str:
    """The whole report as one HTML string."""
    data: dict[str, Any] = {"cells": {}}
    goals_html = _goals(frames, data)
    cells = records(frames["goal_cells"])
    after = ""
    if warnings(frames):
        after += ('<div class="warnings" role="alert"><strong>Warnungen:</strong><ul>'
                  + "".join(f"<li>⚠ {_e(w)}</li>" for w in warnings(frames)) + "</ul></div>")  # fmt: skip
    doubtful = [c for c in cells if c["doubtful"]]
    if doubtful:
        after += (f'<p class="doubt-summary">{len(doubtful)} von {len(cells)} Zellen sind '
                  "zweifelhaft: "
                  + _e(", ".join(f"{c['city']} × {goal_title(c['goal'])}" for c in doubtful)) + "</p>")  # fmt: skip
    built = dict(meta_items(frames)).get("built_at")
    stand = f" · Stand: {_e(when(built))}" if built else ""
    return f"""{page_head("Willkommens- und Anerkennungskultur – Vergleich der Partnerstädte")}
<body>
<header>
<h1>Willkommens- und Anerkennungskultur – Rückmeldung aus den Partnerstädten</h1>
<p class="sub">Städte: {_e(join_cities(cities(frames)))}{stand}</p>
</header>
<main>
<h2 id="ziele">1. Ziele: Was wird in Ihrer Stadt unter Willkommens- und Anerkennungskultur verstanden?</h2>
{_legend(cells)}
{goals_html}
<p class="hint">Zelle anklicken (oder mit Tab wählen und Enter drücken), um die Belege zu sehen.</p>
{after}
<section id="evidence" tabindex="-1" aria-live="polite" aria-label="Belege">
<p>Keine Zelle gewählt.</p>
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
