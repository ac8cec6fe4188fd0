"""CSV export (one UTF-8 file per table, plus evidence) and the Markdown report ``tables.md``."""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

from watext.tables.model import GOAL_TITLES, ComparisonTables
from watext.tables.export._common import (
    EVIDENCE_COLUMNS, FUNDS_TITLES, GROUP_TITLES, ORIENTATION_TITLES, STAFF_TITLES, STATUS_TITLES,
    TICK, clean, csv_safe, ev_verified, evidence_rows, goal_title, join_cities, label, meta_items,
    rules, write_text_atomic,
)  # fmt: skip

__all__ = ["CSV_FILES", "MD_FILENAME", "write_csv", "write_md"]

CSV_FILES = (
    "goals_matrix.csv", "goals_cells.csv", "guideline.csv", "measures.csv", "responsibility.csv", "funding.csv",
    "best_practice.csv", "evidence.csv",
)  # fmt: skip
MD_FILENAME = "tables.md"


def _csv_text(header: Sequence[str], rows: Iterable[Sequence[Any]]) -> str:
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow([csv_safe(h) for h in header])
    for row in rows:
        w.writerow([csv_safe(v) for v in row])
    return buf.getvalue()


def csv_tables(tables: ComparisonTables) -> dict[str, str]:
    """``{file name: csv text}`` for all tables."""
    goals = list(GOAL_TITLES)
    matrix = tables.goals_matrix()
    out = {"goals_matrix.csv": _csv_text(["city", *goals],
                                         [[c, *(matrix[c][g] for g in goals)] for c in tables.cities])}  # fmt: skip
    out["goals_cells.csv"] = _csv_text(
        ["city", "goal", "ticked", "n_passages", "n_verified", "verified", "probability", "doubtful", "fallback"],
        [[c.city, c.goal, int(c.ticked), c.n, c.n_verified, int(c.verified),
          "" if c.probability is None else f"{c.probability:.4f}", int(c.doubtful), int(c.fallback)]
         for c in tables.goals])  # fmt: skip
    out["warnings.csv"] = _csv_text(
        ["city", "questions_without_answer", "warning"],
        [[city, " ".join(str(n) for n in nos), text] for city, nos, text in tables.warning_rows()])
    gl = []
    for g in tables.guideline:
        for o in g.orientations or [None]:
            gl.append([g.city, g.status, o.kind if o else "", o.name if o else "",
                       len(g.evidence) + (len(o.evidence) if o else 0),
                       int(ev_verified(g.evidence) or bool(o and ev_verified(o.evidence)))])  # fmt: skip
    out["guideline.csv"] = _csv_text(
        ["city", "status", "orientation_kind", "orientation_name", "n_evidence", "verified"], gl)
    out["measures.csv"] = _csv_text(
        ["goal", "measure", "variants", "cities", "n_evidence", "verified"],
        [[m.goal, m.name, "; ".join(m.variants), "; ".join(m.cities), len(m.evidence),
          int(ev_verified(m.evidence))] for m in tables.measures])  # fmt: skip
    out["responsibility.csv"] = _csv_text(
        ["group", "city", "units", "n_evidence", "verified"],
        [[r.group, r.city, "; ".join(r.units), len(r.evidence), int(ev_verified(r.evidence))]
         for r in tables.responsibility])  # fmt: skip
    out["funding.csv"] = _csv_text(
        ["city", "funds", "staff", "allocators", "n_evidence", "verified"],
        [[f.city, f.funds, f.staff, "; ".join(f.allocators), len(f.evidence),
          int(ev_verified(f.evidence))] for f in tables.funding])  # fmt: skip
    out["best_practice.csv"] = _csv_text(
        ["name", "cities", "n_evidence", "verified"],
        [[b.name, "; ".join(b.cities), len(b.evidence), int(ev_verified(b.evidence))]
         for b in tables.best_practice])  # fmt: skip
    out["evidence.csv"] = _csv_text(
        EVIDENCE_COLUMNS, [[r[k] for k in EVIDENCE_COLUMNS] for r in evidence_rows(tables)])
    return out


def write_csv(tables: ComparisonTables, out_dir: Path) -> list[Path]:
    """Write the csv files into ``out_dir`` (each atomically)."""
    return [write_text_atomic(Path(out_dir) / name, text, newline="")
            for name, text in csv_tables(tables).items()]  # fmt: skip


# --------------------------------------------------------------------------- Markdown

_NEWLINES = re.compile(r"\r\n|\r|\n")


def md_cell(text: Any) -> str:
    """Text safe inside a Markdown table cell (no raw HTML, ``|`` and newlines escaped)."""
    s = clean(text).replace("\\", "\\\\").replace("&", "&amp;").replace("<", "&lt;")
    s = s.replace(">", "&gt;").replace("|", "\\|").replace("`", "\\`")
    return _NEWLINES.sub("<br>", s)


def _md_table(header: Sequence[str], rows: Iterable[Sequence[Any]]) -> list[str]:
    lines = ["| " + " | ".join(md_cell(h) for h in header) + " |",
             "|" + "|".join(" --- " for _ in header) + "|"]  # fmt: skip
    for row in rows:
        lines.append("| " + " | ".join(md_cell(v) for v in row) + " |")
    return lines


def _mark(verified: bool) -> str:
    return "geprüft" if verified else "Modell"


def md_text(tables: ComparisonTables) -> str:
    out = ["# Willkommens- und Anerkennungskultur: Rückmeldung aus den Partnerstädten", ""]
    out.append("Städte: " + md_cell(join_cities(tables.cities)))
    out.append("")
    for key, value in meta_items(tables):
        out.append(f"- **{md_cell(key)}**: {md_cell(value)}")
    for table, rule in rules(tables):
        out.append(f"- **Regel {md_cell(table)}**: {md_cell(rule)}")
    out += ["", "Legende: ✓ = vom Modell abgeleitet, ✓* = von einer Person geprüft, "
            "? = zweifelhaft (zuerst prüfen).", ""]

    warnings = tables.warnings()
    if warnings:
        out += ["**Warnungen:**", ""] + [f"- ⚠ {md_cell(w)}" for w in warnings] + [""]
    goals = list(GOAL_TITLES)
    out += ["## 1. Ziele", ""]
    rows = []
    for city in tables.cities:
        row = [city + (" ⚠" if 1 in tables.no_answer.get(city, []) else "")]
        for g in goals:
            c = tables.goal_cell(city, g)
            row.append(((TICK + ("*" if c.verified else "")) if c.ticked else "") + ("?" if c.doubtful else "")
                       + ("¹" if c.fallback and c.ticked else ""))
        rows.append(row)
    out += _md_table(["Stadt", *GOAL_TITLES.values()], rows)
    if any(c.fallback for c in tables.goals):
        out += ["", "¹ Ersatzweg: keine Antwort auf Frage 1 erkannt, Ziel aus Passagen mit erkanntem Thema "
                "„Verständnis“."]
    out += ["", "Belege je Zelle:", ""]
    for city in tables.cities:
        for g in goals:
            c = tables.goal_cell(city, g)
            mark = TICK if c.ticked else "–"
            if c.ticked:
                state = "geprüft" if c.verified else "Modell"
            else:
                state = "von Person verworfen" if c.verified else "nicht angekreuzt"
            prob = "" if c.probability is None else f", Wahrscheinlichkeit {c.probability:.2f}"
            doubt = ", zweifelhaft" if c.doubtful else ""
            out.append(f"- {md_cell(city)} × {md_cell(goal_title(g))}: {mark} {state} "
                       f"({c.n} Passagen, {c.n_verified} geprüft{prob}{doubt})")  # fmt: skip

    out += ["", "## 2. Leitfaden", ""]
    gl = []
    for g in tables.guideline:
        orient = "; ".join(f"{label(ORIENTATION_TITLES, o.kind)}: {o.name}" for o in g.orientations)
        verified = ev_verified(g.evidence) or any(ev_verified(o.evidence) for o in g.orientations)
        gl.append([g.city, label(STATUS_TITLES, g.status), orient, _mark(verified)])
    out += _md_table(["Stadt", "Status", "Orientierung", "Herkunft"], gl)

    out += ["", "## 3. Maßnahmen", ""]
    out += _md_table(["Ziel", "Maßnahme", "Städte", "Herkunft"],
                     [[goal_title(m.goal), m.name, ", ".join(m.cities), _mark(ev_verified(m.evidence))]
                      for m in tables.measures])  # fmt: skip

    out += ["", "## 4. Zuständigkeit", ""]
    out += _md_table(["Gruppe", "Stadt", "Stellen", "Herkunft"],
                     [[label(GROUP_TITLES, r.group), r.city, "; ".join(r.units),
                       _mark(ev_verified(r.evidence))] for r in tables.responsibility])  # fmt: skip

    out += ["", "## 5./6. Finanzierung", ""]
    out += _md_table(["Stadt", "Mittel", "Personal", "Vergabe durch", "Herkunft"],
                     [[f.city, label(FUNDS_TITLES, f.funds), label(STAFF_TITLES, f.staff),
                       "; ".join(f.allocators), _mark(ev_verified(f.evidence))]
                      for f in tables.funding])  # fmt: skip

    out += ["", "## 7. Best Practice", ""]
    out += _md_table(["Best Practice", "Städte", "Herkunft"],
                     [[b.name, ", ".join(b.cities), _mark(ev_verified(b.evidence))]
                      for b in tables.best_practice])  # fmt: skip
    out.append("")
    return "\n".join(out)


def write_md(tables: ComparisonTables, out_dir: Path) -> list[Path]:
    """Write ``tables.md`` into ``out_dir`` atomically."""
    return [write_text_atomic(Path(out_dir) / MD_FILENAME, md_text(tables))]
