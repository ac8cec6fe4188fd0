"""The "what changed" report of a scheduled reprocessing run: ``changes.json`` and ``changes.html``.

The report itself is a plain dict computed elsewhere (run, source, versions before/after,
new/changed/removed/failed documents, flipped goal cells, new doubtful cells, questions
that lost their answer, added/removed table rows, counts). This module only presents it:

- :func:`write_changes` writes the dict as JSON and as one self-contained HTML page
  (inline CSS, no script, nothing fetched) for integration officers, both atomically;
- :func:`changes_html` renders the page, :func:`format_changes` a short text for the terminal.

Page and text are in the language in force (German by default, English with
``WATEXT_LANG=en``); their texts are ``i18n/<lang>/changes.json``. The JSON keeps ids.

Every string in the report comes from documents, file names or the store and is untrusted:
the HTML escapes all of it, the terminal text drops control characters.
"""

from __future__ import annotations

import json
import re
from html import escape
from pathlib import Path
from typing import Any

from watext import files, i18n
from watext.tables.export._common import (
    clean,
    de_number,
    goal_title,
    label,
    origin_title,
    page_label,
    question,
    shorten,
    source_name,
    when,
)  # fmt: skip
from watext.tables.export.html import page_head

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

#: Summary counts in the order of the summary line (their words: ``changes.json`` ``counts``).
COUNTS = ("documents_new", "documents_changed", "documents_removed", "documents_failed", "cells_flipped",
          "doubtful_new", "unanswered_new", "rows_added", "rows_removed")  # fmt: skip

_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029]+")


# ------------------------------------------------------------------ small display helpers


def _t(key: str) -> Any:
    """The text (or list, or table) ``key`` of ``changes.json`` in the language in force."""
    return i18n.texts("changes")[key]


def _prob(p: Any) -> str:
    """A probability with two decimals (decimal comma in German)."""
    return de_number(p)


def _state(ticked: Any) -> str:
    return {True: _t("ticked"), False: _t("unticked")}.get(ticked, _t("unknown"))


def _count(n: int, key: str) -> str:
    singular, plural = _t("counts")[key]
    return f"{n} {singular if n == 1 else plural}"


def _failure_title(code: Any) -> str:
    return _t("failure_titles").get(code or "", code or "–")


def _file(source: Any) -> str:
    """File name (escaped HTML) with the full path below it."""
    path = clean(source)
    name = source_name({"source": path}) if path else "–"
    return _e(name) + (f'<div class="path">{_e(path)}</div>' if path and path != name else "")


def _titled(text: Any) -> str:
    """Row text with a leading goal or group id (``teilhabe_integration / …``, ``chefsache: …``)
    shown by its title."""
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
    parts = [_count(counts[k], k) for k in COUNTS if not (first and k == "cells_flipped")]
    line = _t("no_changes") if not any(counts.values()) and not first else ", ".join(parts) + "."
    html = f'<p class="summary">{_e(line)}</p>'
    if first:
        html += f'<p class="first"><strong>{_e(_t("first_run_title"))}</strong> {_e(_t("first_run_text"))}</p>'
    flagged = _verified_flips(report)
    if flagged:
        names = ", ".join(f"{clean(c.get('city'))} × {goal_title(c.get('goal') or '')}" for c in flagged)
        text = _t("verified_flipped_one" if len(flagged) == 1 else "verified_flipped_other")
        html += (f'<div class="warnings" role="alert"><strong>{_e(_t("attention"))}</strong> '
                 f"{_e(text.format(n=len(flagged), cells=names))}</div>")  # fmt: skip
    return html


def _passages(passages: list[dict[str, Any]]) -> str:
    if not passages:
        return f'<span class="none">{_e(_t("no_passages"))}</span>'
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
    title = _t("cells_title")
    if report.get("first_run"):
        return _section("zellen", title, _none(_t("cells_first_run")))
    cells = report.get("cells") or []
    if not cells:
        return _section("zellen", title, _none(_t("cells_none")))
    rows = []
    for c in cells:
        badge = _e(_t("cells_verified_before"))
        flag = f' <span class="badge doubt">{badge}</span>' if c.get("verified_before") else ""
        rows.append([_e(c.get("city")), _e(goal_title(c.get("goal") or "")), _e(_state(c.get("before"))) + flag,
                     _e(_state(c.get("after"))),
                     _e(f"{_prob(c.get('probability_before'))} → {_prob(c.get('probability_after'))}"),
                     _passages(c.get("passages") or [])])  # fmt: skip
    return _section("zellen", title, _table(list(_t("cells_header")), rows, ["flagged" if c.get("verified_before") else "" for c in cells]))


def _simple(sid: str, title: str, empty: str, header: list[str], rows: list[list[str]]) -> str:
    return _section(sid, title, _table(header, rows) if rows else _none(empty))


def _doubtful(report: dict[str, Any]) -> str:
    rows = [[_e(d.get("city")), _e(goal_title(d.get("goal") or "")), _e(_prob(d.get("probability")))]
            for d in report.get("doubtful") or []]  # fmt: skip
    return _simple("zweifelhaft", _t("doubtful_title"), _t("doubtful_none"), list(_t("doubtful_header")), rows)


def _unanswered(report: dict[str, Any]) -> str:
    rows = [[_e(u.get("city")), _e(question(u.get("question")) if u.get("question") in range(1, 8)
                                   else _t("question").format(n=clean(u.get("question"))))]
            for u in report.get("unanswered") or []]  # fmt: skip
    return _simple("fragen", _t("unanswered_title"), _t("unanswered_none"), list(_t("unanswered_header")), rows)


def _rows(report: dict[str, Any]) -> str:
    parts = []
    for table in ROW_TABLES:
        change = (report.get("rows") or {}).get(table) or {}
        rows = [[_e(kind), _e(_titled(r.get("key"))), _e(_titled(r.get("detail")))]
                for kind, key in ((_t("row_added"), "added"), (_t("row_removed"), "removed"))
                for r in change.get(key) or []]  # fmt: skip
        body = _table(list(_t("rows_header")), rows) if rows else _none(_t("rows_none"))
        parts.append(_section(f"zeilen-{table}", label("table", table), body, level=3))
    return _section("zeilen", _t("rows_title"), "".join(parts))


def _documents(report: dict[str, Any]) -> str:
    docs = report.get("documents") or {}

    def base(d: dict[str, Any]) -> list[str]:
        return [_e(d.get("city") or "–"), _e(d.get("title") or "–"), _file(d.get("source"))]

    new = [[*base(d), _e(d.get("passages"))] for d in docs.get("new") or []]
    changed = [[*base(d), _e(d.get("passages")), _e(d.get("reviews_carried"))] for d in docs.get("changed") or []]
    removed = [base(d) for d in docs.get("removed") or []]
    failed = [[_file(f.get("source")),
               _e(_failure_title(f.get("code"))) + f'<div class="path">{_e(f.get("reason"))}</div>',
               _e(f.get("attempts")), _e(when(f.get("next_attempt")) if f.get("next_attempt") else _t("no_next_attempt"))]
              for f in docs.get("failed") or []]  # fmt: skip
    head, passages = list(_t("documents_header")), _t("passages")
    return "\n".join([
        _simple("neu", _t("new_title"), _t("new_none"), [*head, passages], new),
        _simple("geaendert", _t("changed_title"), _t("changed_none"), [*head, passages, _t("reviews_carried")], changed),
        _simple("entfernt", _t("removed_title"), _t("removed_none"), head, removed),
        _simple("fehler", _t("failed_title"), _t("failed_none"), list(_t("failed_header")), failed),
    ])  # fmt: skip


def _versions(report: dict[str, Any]) -> str:
    versions = report.get("versions") or {}
    before, after = versions.get("before") or {}, versions.get("after") or {}
    titles, unknown = _t("version_titles"), _t("unknown")
    keys = list(titles) + [k for k in {**before, **after} if k not in titles]
    rows = [[_e(titles.get(k, k)), _e(before.get(k) or unknown), _e(after.get(k) or unknown),
             _e(_t("version_changed") if before.get(k) != after.get(k) else _t("version_same"))] for k in keys]  # fmt: skip
    classes = ["changed" if before.get(k) != after.get(k) else "" for k in keys]
    return _section("versionen", _t("versions_title"), _table(list(_t("versions_header")), rows, classes))


def changes_html(report: dict[str, Any]) -> str:
    """The report as one self-contained HTML page in the language in force (all report text escaped)."""
    run, source = report.get("run"), clean(report.get("source"))
    labels = _t("meta")
    meta = "".join(f"<dt>{_e(k)}</dt><dd>{_e(v)}</dd>" for k, v in (
        (labels["run"], run if run is not None else "–"), (labels["source"], source or "–"),
        (labels["started"], when(report.get("started"))), (labels["finished"], when(report.get("finished")))))  # fmt: skip
    body = "\n".join([_cells(report), _doubtful(report), _unanswered(report), _rows(report),
                      _documents(report), _versions(report)])  # fmt: skip
    title = _t("page_title").format(run=clean(run) or "–", source=source or "–")
    return f"""{page_head(title, EXTRA_CSS, CSP)}
<body>
<header>
<h1>{_e(_t("heading"))}</h1>
<p>{_e(_t("subtitle").format(source=source or "–"))}</p>
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
    """A few lines for ``watext changes`` in the language in force: run, source, times,
    counts, then one line per change."""
    c, t = _counts(report), _t("text")
    lines = [
        t["run"].format(run=_plain(report.get("run")), source=_plain(report.get("source")))
        + (t["first_run"] if report.get("first_run") else ""),
        t["times"].format(started=when(report.get("started")), finished=when(report.get("finished"))),
        t["counts"].format(**c),
    ]  # fmt: skip
    yn = {True: t["yes"], False: t["no"]}
    if not report.get("first_run"):
        for cell in report.get("cells") or []:
            lines.append(t["flipped"].format(
                city=_plain(cell.get("city")), goal=_plain(cell.get("goal")), before=yn.get(cell.get("before"), "?"),
                after=yn.get(cell.get("after"), "?"), p_before=_prob(cell.get("probability_before")),
                p_after=_prob(cell.get("probability_after")))
                + (t["was_verified"] if cell.get("verified_before") else ""))  # fmt: skip
    for d in report.get("doubtful") or []:
        lines.append(t["doubtful"].format(city=_plain(d.get("city")), goal=_plain(d.get("goal")),
                                          p=_prob(d.get("probability"))))  # fmt: skip
    for u in report.get("unanswered") or []:
        lines.append(t["unanswered"].format(city=_plain(u.get("city")), question=_plain(u.get("question"))))
    docs = report.get("documents") or {}
    for kind in ("new", "changed", "removed"):
        for d in docs.get(kind) or []:
            who = " · ".join(_plain(x) for x in (d.get("city"), d.get("title")) if x)
            lines.append(t[kind].format(source=_plain(d.get("source"))) + (f" ({who})" if who else ""))
    for f in docs.get("failed") or []:
        nxt = t["next_attempt"].format(when=when(f.get("next_attempt"))) if f.get("next_attempt") else ""
        lines.append(t["failed"].format(source=_plain(f.get("source")), code=_plain(f.get("code")),
                                        reason=_plain(f.get("reason")), attempts=_plain(f.get("attempts")), next=nxt))
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
