"""The "what changed" report of a scheduled reprocessing run: ``changes.json`` and ``changes.html``.

The report itself is a plain dict computed elsewhere (run, source, versions before/after,
new/changed/removed/failed documents, flipped goal cells, new doubtful cells, questions
that lost their answer, added/removed table rows, counts). This module only presents it:

- :func:`write_changes` writes the dict as JSON and as one self-contained German HTML page
  (inline CSS, no script, nothing fetched) for integration officers, both atomically;
- :func:`changes_html` renders the page, :func:`format_changes` a short text for the terminal.

Every string in the report comes from documents, file names or the store and is untrusted:
the HTML escapes all of it, the terminal text drops control characters.
"""

from __future__ import annotations

import json
import re
from html import escape
from pathlib import Path
from typing import Any

from watext import files
from watext.tables.export._common import (
    clean, goal_title, label, origin_title, page_label, question, source_name,
)  # fmt: skip
from watext.tables.export._common import de_number, shorten, when
from watext.tables.export.html import page_head
from watext import i18n

__all__ = ["HTML_NAME", "JSON_NAME", "changes_html", "format_changes", "write_changes"]

JSON_NAME = "changes.json"
HTML_NAME = "changes.html"

#: Passage texts longer than this are shortened in the HTML (the JSON keeps them whole).
TEXT_LIMIT = 300

CSP = "default-src 'none'; style-src 'unsafe-inline'; img-src data:; base-uri 'none'; form-action 'none'"

EXTRA_CSS = """
.summary{font-size:1.05rem;font-weight:600}.none{color:#555;font-style:italic}
.first{border:2px solid #1f4e79;background:#ddebf7;padding:.4rem .8rem}
tr.flagged td{background:#fde9e9}tr.flagged td:first-child{border-left:4px solid #c00000}
tr.changed td{background:#fff2cc}.path{font-size:.8rem;color:#555;word-break:break-all}
h3{font-size:1.05rem;margin-bottom:.2rem}
.meta{display:grid;grid-template-columns:max-content auto;gap:.1rem 1rem}.meta dd{margin:0}
"""

#: Row tables whose added/removed rows the report lists, in page order.
ROW_TABLES = ("measures", "responsibility", "best_practice")

#: Stored failure codes (``errors.InputError.code``) in German.
FAILURE_TITLES = {
    "empty": "leere Datei", "too_large": "zu groß", "too_slow": "Verarbeitung dauerte zu lange",
    "too_deep": "zu tief verschachtelt", "outside_input": "außerhalb des Eingabeordners",
    "unreadable": "nicht lesbar", "archive_bomb": "Archiv entpackt zu groß",
    "unsupported_format": "Format nicht unterstützt", "encrypted": "verschlüsselt",
    "corrupt": "beschädigt", "needs_ocr": "nur Bild, Texterkennung nötig", "input_error": "Eingabefehler",
}  # fmt: skip

VERSION_TITLES = {"model": "Modell", "rules": "Regeln", "questions": "Fragen-Erkennung", "watext": "watext"}

#: (summary key, singular, plural) in the order of the summary line.
COUNTS = (
    ("documents_new", "neues Dokument", "neue Dokumente"),
    ("documents_changed", "geändertes Dokument", "geänderte Dokumente"),
    ("documents_removed", "entferntes Dokument", "entfernte Dokumente"),
    ("documents_failed", "Datei mit Fehlern", "Dateien mit Fehlern"),
    ("cells_flipped", "umgeschlagene Zelle", "umgeschlagene Zellen"),
    ("doubtful_new", "neue zweifelhafte Zelle", "neue zweifelhafte Zellen"),
    ("unanswered_new", "Frage ohne Antwort", "Fragen ohne Antwort"),
    ("rows_added", "neue Zeile", "neue Zeilen"),
    ("rows_removed", "entfallene Zeile", "entfallene Zeilen"),
)

_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029]+")


# ------------------------------------------------------------------ small display helpers


def _prob(p: Any, point: str = ",") -> str:
    """A probability with two decimals (German decimal comma unless ``point`` says otherwise)."""
    return de_number(p) if point == "," else "–" if p is None else f"{p:.2f}"


def _state(ticked: Any) -> str:
    return {True: "✓ angekreuzt", False: "nicht angekreuzt"}.get(ticked, "unbekannt")


def _count(n: int, singular: str, plural: str) -> str:
    return f"{n} {singular if n == 1 else plural}"


def _file(source: Any) -> str:
    """File name (escaped HTML) with the full path below it."""
    path = clean(source)
    name = source_name({"source": path}) if path else "–"
    return _e(name) + (f'<div class="path">{_e(path)}</div>' if path and path != name else "")


def _titled(text: Any) -> str:
    """Row text with a leading goal or group id (``teilhabe_integration / …``, ``chefsache: …``)
    shown by its German title."""
    text = clean(text)
    for sep in (" / ", ":"):
        head, found, tail = text.partition(sep)
        codes = {**i18n.names("goal"), **i18n.names("group")}
        if found and head.strip() in codes:
            return codes[head.strip()] + found + tail
    return text


def _e(text: Any) -> str:
    return escape(clean(text), quote=True)


def _table(header: list[str], rows: list[list[str]], classes: list[str] | None = None) -> str:
    """A table from ``header`` (plain text) and ``rows`` of ready HTML; ``classes``: one per row."""
    head = "".join(f'<th scope="col">{_e(h)}</th>' for h in header)
    body = "".join((f'<tr class="{c}">' if c else "<tr>") + "".join(f"<td>{x}</td>" for x in row) + "</tr>"
                   for row, c in zip(rows, classes or [""] * len(rows), strict=True))  # fmt: skip
    return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def _none(text: str) -> str:
    return f'<p class="none">{_e(text)}</p>'


def _section(sid: str, title: str, body: str, level: int = 2) -> str:
    return f'<section id="{sid}"><h{level}>{_e(title)}</h{level}>{body}</section>'


def _counts(report: dict[str, Any]) -> dict[str, int]:
    """The summary counts (counted from the lists where the summary lacks one)."""
    docs, rows = report.get("documents") or {}, report.get("rows") or {}
    counted = {
        "documents_new": len(docs.get("new") or []), "documents_changed": len(docs.get("changed") or []),
        "documents_removed": len(docs.get("removed") or []), "documents_failed": len(docs.get("failed") or []),
        "cells_flipped": len(report.get("cells") or []), "doubtful_new": len(report.get("doubtful") or []),
        "unanswered_new": len(report.get("unanswered") or []),
        "rows_added": sum(len((rows.get(t) or {}).get("added") or []) for t in ROW_TABLES),
        "rows_removed": sum(len((rows.get(t) or {}).get("removed") or []) for t in ROW_TABLES),
    }  # fmt: skip
    given = report.get("summary") or {}
    return {k: int(given[k]) if given.get(k) is not None else n for k, n in counted.items()}


def _verified_flips(report: dict[str, Any]) -> list[dict[str, Any]]:
    return [] if report.get("first_run") else [c for c in report.get("cells") or [] if c.get("verified_before")]


# ------------------------------------------------------------------ HTML sections


def _summary(report: dict[str, Any]) -> str:
    counts = _counts(report)
    first = bool(report.get("first_run"))
    parts = [_count(counts[k], s, p) for k, s, p in COUNTS if not (first and k == "cells_flipped")]
    line = ("Keine Änderungen gegenüber dem vorigen Lauf." if not any(counts.values()) and not first
            else ", ".join(parts) + ".")  # fmt: skip
    html = f'<p class="summary">{_e(line)}</p>'
    if first:
        html += ('<p class="first"><strong>Erster Lauf für diese Quelle.</strong> Es gibt keinen früheren '
                 "Bericht zum Vergleich: alle Dokumente gelten als neu, Zellen werden nicht als umgeschlagen "
                 "gezeigt.</p>")  # fmt: skip
    flagged = _verified_flips(report)
    if flagged:
        names = ", ".join(f"{clean(c.get('city'))} × {goal_title(c.get('goal') or '')}" for c in flagged)
        html += (f'<div class="warnings" role="alert"><strong>Achtung:</strong> '
                 f"{_e(_count(len(flagged), 'Zelle', 'Zellen'))}, die eine Person geprüft hatte, "
                 f"{'ist' if len(flagged) == 1 else 'sind'} umgeschlagen: {_e(names)}</div>")  # fmt: skip
    return html


def _passages(passages: list[dict[str, Any]]) -> str:
    if not passages:
        return '<span class="none">keine Passagen</span>'
    items = []
    for p in passages:
        src = clean(p.get("source"))
        ev = {"source": src, "page": p.get("page"), "format": Path(src).suffix.lstrip("."),
              "origin": p.get("origin"), "verified": False}  # fmt: skip
        bits = [source_name(ev) if src else "", page_label(ev), origin_title(ev) if p.get("origin") else ""]
        items.append(f'<div class="passage"><div class="src">{_e(" · ".join(b for b in bits if b))}</div>'
                     f"<blockquote>{_e(shorten(p.get('text')))}</blockquote></div>")  # fmt: skip
    return "".join(items)


def _cells(report: dict[str, Any]) -> str:
    title = "Umgeschlagene Zellen der Zieltabelle"
    if report.get("first_run"):
        return _section("zellen", title, _none("Erster Lauf: kein früherer Stand, daher keine umgeschlagenen Zellen."))
    cells = report.get("cells") or []
    if not cells:
        return _section("zellen", title, _none("Keine umgeschlagenen Zellen."))
    rows = []
    for c in cells:
        flag = ' <span class="badge doubt">vorher von einer Person geprüft</span>' if c.get("verified_before") else ""
        rows.append([_e(c.get("city")), _e(goal_title(c.get("goal") or "")), _e(_state(c.get("before"))) + flag,
                     _e(_state(c.get("after"))),
                     _e(f"{_prob(c.get('probability_before'))} → {_prob(c.get('probability_after'))}"),
                     _passages(c.get("passages") or [])])  # fmt: skip
    header = ["Stadt", "Ziel", "Vorher", "Nachher", "Wahrscheinlichkeit", "Belege"]
    return _section("zellen", title, _table(header, rows, ["flagged" if c.get("verified_before") else "" for c in cells]))


def _simple(sid: str, title: str, empty: str, header: list[str], rows: list[list[str]]) -> str:
    return _section(sid, title, _table(header, rows) if rows else _none(empty))


def _doubtful(report: dict[str, Any]) -> str:
    rows = [[_e(d.get("city")), _e(goal_title(d.get("goal") or "")), _e(_prob(d.get("probability")))]
            for d in report.get("doubtful") or []]  # fmt: skip
    return _simple("zweifelhaft", "Neue zweifelhafte Zellen", "Keine neuen zweifelhaften Zellen.",
                   ["Stadt", "Ziel", "Wahrscheinlichkeit"], rows)  # fmt: skip


def _unanswered(report: dict[str, Any]) -> str:
    rows = [[_e(u.get("city")), _e(question(u.get("question")) if u.get("question") in range(1, 8) else f"Frage {clean(u.get('question'))}")]
            for u in report.get("unanswered") or []]  # fmt: skip
    return _simple("fragen", "Fragen ohne Antwort", "Keine Fragen haben ihre Antwort verloren.",
                   ["Stadt", "Frage (vorher beantwortet, jetzt ohne Antwort)"], rows)  # fmt: skip


def _rows(report: dict[str, Any]) -> str:
    parts = []
    for table in ROW_TABLES:
        change = (report.get("rows") or {}).get(table) or {}
        rows = [[_e(kind), _e(_titled(r.get("key"))), _e(_titled(r.get("detail")))]
                for kind, key in (("neu", "added"), ("entfallen", "removed")) for r in change.get(key) or []]
        body = _table(["Änderung", "Eintrag", "Details"], rows) if rows else _none("Keine neuen oder entfallenen Zeilen.")
        parts.append(_section(f"zeilen-{table}", label("table", table), body, level=3))
    return _section("zeilen", "Neue/entfallene Zeilen", "".join(parts))


def _documents(report: dict[str, Any]) -> str:
    docs = report.get("documents") or {}

    def base(d: dict[str, Any]) -> list[str]:
        return [_e(d.get("city") or "–"), _e(d.get("title") or "–"), _file(d.get("source"))]

    new = [[*base(d), _e(d.get("passages"))] for d in docs.get("new") or []]
    changed = [[*base(d), _e(d.get("passages")), _e(d.get("reviews_carried"))] for d in docs.get("changed") or []]
    removed = [base(d) for d in docs.get("removed") or []]
    failed = [[_file(f.get("source")),
               _e(FAILURE_TITLES.get(f.get("code") or "", f.get("code") or "–")) + f'<div class="path">{_e(f.get("reason"))}</div>',
               _e(f.get("attempts")), _e(when(f.get("next_attempt")) if f.get("next_attempt") else "keiner geplant")]
              for f in docs.get("failed") or []]  # fmt: skip
    head = ["Stadt", "Titel", "Datei"]
    return "\n".join([
        _simple("neu", "Neue Dokumente", "Keine neuen Dokumente.", [*head, "Passagen"], new),
        _simple("geaendert", "Geänderte Dokumente", "Keine geänderten Dokumente.",
                [*head, "Passagen", "Übernommene Prüfungen"], changed),
        _simple("entfernt", "Entfernte Dokumente", "Keine entfernten Dokumente.", head, removed),
        _simple("fehler", "Dateien mit Fehlern", "Keine Dateien mit Fehlern.",
                ["Datei", "Grund", "Versuche", "Nächster Versuch"], failed),
    ])  # fmt: skip


def _versions(report: dict[str, Any]) -> str:
    versions = report.get("versions") or {}
    before, after = versions.get("before") or {}, versions.get("after") or {}
    keys = list(VERSION_TITLES) + [k for k in {**before, **after} if k not in VERSION_TITLES]
    rows = [[_e(VERSION_TITLES.get(k, k)), _e(before.get(k) or "unbekannt"), _e(after.get(k) or "unbekannt"),
             _e("geändert" if before.get(k) != after.get(k) else "gleich")] for k in keys]  # fmt: skip
    classes = ["changed" if before.get(k) != after.get(k) else "" for k in keys]
    return _section("versionen", "Modell- und Regelversionen vorher/nachher",
                    _table(["Version", "Vorher", "Nachher", "Änderung"], rows, classes))  # fmt: skip


def changes_html(report: dict[str, Any]) -> str:
    """The report as one self-contained German HTML page (all report text escaped)."""
    run, source = report.get("run"), clean(report.get("source"))
    meta = "".join(f"<dt>{_e(k)}</dt><dd>{_e(v)}</dd>" for k, v in (
        ("Lauf", run if run is not None else "–"), ("Quelle", source or "–"),
        ("Begonnen", when(report.get("started"))), ("Beendet", when(report.get("finished")))))  # fmt: skip
    body = "\n".join([_cells(report), _doubtful(report), _unanswered(report), _rows(report),
                      _documents(report), _versions(report)])  # fmt: skip
    title = f"Was sich geändert hat – Lauf {clean(run) or '–'}, Quelle {source or '–'}"
    return f"""{page_head(title, EXTRA_CSS, CSP)}
<body>
<header>
<h1>Was sich geändert hat</h1>
<p>Willkommens- und Anerkennungskultur – Neuverarbeitung der Quelle „{_e(source or "–")}“</p>
<dl class="meta">{meta}</dl>
{_summary(report)}
</header>
<main>
{body}
</main>
</body>
</html>
"""


# ------------------------------------------------------------------ terminal text


def _plain(value: Any) -> str:
    """One line of untrusted text for a terminal (control characters and line breaks become spaces)."""
    return _CONTROL.sub(" ", "" if value is None else str(value)).strip()


def format_changes(report: dict[str, Any]) -> str:
    """A few lines for ``watext changes``: run, source, times, counts, then one line per change."""
    c = _counts(report)
    lines = [
        f"run {_plain(report.get('run'))} · source {_plain(report.get('source'))}"
        + (" · first run (nothing to compare with)" if report.get("first_run") else ""),
        f"started {when(report.get('started'))} · finished {when(report.get('finished'))}",
        (f"documents: {c['documents_new']} new, {c['documents_changed']} changed, {c['documents_removed']} removed, "
         f"{c['documents_failed']} failed · cells: {c['cells_flipped']} flipped, {c['doubtful_new']} newly doubtful"
         f" · questions without answer: {c['unanswered_new']} · rows: {c['rows_added']} added, "
         f"{c['rows_removed']} removed"),
    ]  # fmt: skip
    if not report.get("first_run"):
        for cell in report.get("cells") or []:
            yn = {True: "yes", False: "no"}
            lines.append(
                f"flipped: {_plain(cell.get('city'))} × {_plain(cell.get('goal'))}: "
                f"{yn.get(cell.get('before'), '?')} -> {yn.get(cell.get('after'), '?')} "
                f"(p {_prob(cell.get('probability_before'), '.')} -> {_prob(cell.get('probability_after'), '.')})"
                + (" [WAS VERIFIED BY A PERSON]" if cell.get("verified_before") else ""))  # fmt: skip
    for d in report.get("doubtful") or []:
        lines.append(f"doubtful: {_plain(d.get('city'))} × {_plain(d.get('goal'))} (p {_prob(d.get('probability'), '.')})")
    for u in report.get("unanswered") or []:
        lines.append(f"no answer: {_plain(u.get('city'))} question {_plain(u.get('question'))}")
    docs = report.get("documents") or {}
    for kind in ("new", "changed", "removed"):
        for d in docs.get(kind) or []:
            who = " · ".join(_plain(x) for x in (d.get("city"), d.get("title")) if x)
            lines.append(f"{kind}: {_plain(d.get('source'))}" + (f" ({who})" if who else ""))
    for f in docs.get("failed") or []:
        nxt = f", next attempt {when(f.get('next_attempt'))}" if f.get("next_attempt") else ""
        lines.append(f"failed: {_plain(f.get('source'))}: {_plain(f.get('code'))}: {_plain(f.get('reason'))} "
                     f"({_plain(f.get('attempts'))} attempts{nxt})")  # fmt: skip
    return "\n".join(lines)


# ------------------------------------------------------------------ writing


def write_changes(report: dict[str, Any], out_dir: Path) -> list[Path]:
    """Write ``changes.json`` and ``changes.html`` into ``out_dir``, each atomically.

    Both texts are made before anything is written, so a report that cannot be rendered
    leaves ``out_dir`` as it was. Returns ``[json path, html path]``.
    """
    out = Path(out_dir)
    data = json.dumps(report, ensure_ascii=False, indent=1, default=str) + "\n"
    page = changes_html(report)
    return [files.write_text(out / JSON_NAME, data), files.write_text(out / HTML_NAME, page)]
