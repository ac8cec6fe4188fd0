"""CSV export (one UTF-8 file per table, plus evidence) and the Markdown report ``tables.md``."""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Callable, Iterable, Sequence
from operator import itemgetter
from pathlib import Path
from typing import Any

from watext.model import GOAL_LABELS
from watext.tables.frames import records
from watext import i18n
from watext.files import write_text
from watext.tables.export._common import (
    EVIDENCE_COLUMNS, TICK, Frames, Row, by_city, cities, clean, csv_safe, de_number, goal_grid, goal_title,
    join_cities, label, meta_items, no_answer_q1, page_label, question, rules_de, warnings,
)  # fmt: skip

__all__ = ["CSV_FILES", "MD_FILENAME", "write_csv", "write_md"]

CSV_FILES = (
    "goals_matrix.csv", "goals_cells.csv", "guideline.csv", "measures.csv", "responsibility.csv", "funding.csv",
    "best_practice.csv", "evidence.csv",
)  # fmt: skip
MD_FILENAME = "tables.md"

#: csv file -> (frame, columns); a column is a frame column or (header, value of a row).
_CSV: dict[str, tuple[str, Sequence[str | tuple[str, Callable[[Row], Any]]]]] = {
    "goals_matrix.csv": ("goals_matrix", ["city", *GOAL_LABELS]),
    "goals_cells.csv": ("goal_cells", [
        "city", "goal", "ticked", "n_passages", "n_verified", "verified",
        ("probability", lambda c: "" if c["probability"] is None else f"{c['probability']:.4f}"),
        "doubtful", "fallback",
    ]),  # fmt: skip
    "warnings.csv": ("warnings", [
        "city", ("questions_without_answer", lambda w: " ".join(str(n) for n in w["questions"])), "warning",
    ]),  # fmt: skip
    "guideline.csv": ("guideline", ["city", "status", "orientation_kind", "orientation_name", "n_evidence",
                                    "verified"]),  # fmt: skip
    "measures.csv": ("measures", ["goal", "measure", "variants", "cities", "n_evidence", "verified"]),
    "responsibility.csv": ("responsibility", ["group", "city", "units", "n_evidence", "verified"]),
    "funding.csv": ("funding", ["city", "funds", "staff", "allocators", "n_evidence", "verified"]),
    "best_practice.csv": ("best_practice", ["name", "cities", "n_evidence", "verified"]),
    "evidence.csv": ("evidence", [("page", page_label) if c == "page" else c for c in EVIDENCE_COLUMNS]),
}


def _csv_text(header: Sequence[str], rows: Iterable[Sequence[Any]]) -> str:
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow([csv_safe(h) for h in header])
    for row in rows:
        w.writerow([csv_safe(v) for v in row])
    return buf.getvalue()


def csv_tables(frames: Frames) -> dict[str, str]:
    """``{file name: csv text}`` for all tables."""
    out = {}
    for name, (frame, columns) in _CSV.items():
        header = [c if isinstance(c, str) else c[0] for c in columns]
        cells = [itemgetter(c) if isinstance(c, str) else c[1] for c in columns]
        out[name] = _csv_text(header, [[cell(r) for cell in cells] for r in records(frames[frame])])
    return out


def write_csv(frames: Frames, out_dir: Path) -> list[Path]:
    """Write the csv files into ``out_dir`` (each atomically)."""
    return [write_text(Path(out_dir) / name, text, newline="")
            for name, text in csv_tables(frames).items()]  # fmt: skip


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


def md_text(frames: Frames) -> str:
    out = ["# Willkommens- und Anerkennungskultur: Rückmeldung aus den Partnerstädten", ""]
    out.append("Städte: " + md_cell(join_cities(cities(frames))))
    out.append("")
    for key, value in meta_items(frames):
        out.append(f"- **{md_cell(key)}**: {md_cell(value)}")
    for table, rule in rules_de(frames):
        out.append(f"- **Regel {md_cell(table)}**: {md_cell(rule)}")
    out += ["", "Legende: ✓ = vom Modell abgeleitet, ✓* = von einer Person geprüft, "
            "? = zweifelhaft (zuerst prüfen).", ""]

    if warnings(frames):
        out += ["**Warnungen:**", ""] + [f"- ⚠ {md_cell(w)}" for w in warnings(frames)] + [""]
    grid, missing = goal_grid(frames), no_answer_q1(frames)
    out += ["## 1. Ziele", ""]
    rows = []
    for city in cities(frames):
        row = [city + (" ⚠" if city in missing else "")]
        for g in GOAL_LABELS:
            c = grid[(city, g)]
            row.append(((TICK + ("*" if c["verified"] else "")) if c["ticked"] else "")
                       + ("?" if c["doubtful"] else "") + ("¹" if c["fallback"] and c["ticked"] else ""))
        rows.append(row)
    out += _md_table(["Stadt", *i18n.names("goal").values()], rows)
    if frames["goal_cells"]["fallback"].any():
        out += ["", "¹ Ersatzweg: keine Antwort auf Frage 1 erkannt, Ziel aus Passagen mit erkanntem Thema "
                "„Verständnis“."]
    out += ["", "Belege je Zelle:", ""]
    for city in cities(frames):
        for g in GOAL_LABELS:
            c = grid[(city, g)]
            mark = TICK if c["ticked"] else "–"
            if c["ticked"]:
                state = "geprüft" if c["verified"] else "Modell"
            else:
                state = "von Person verworfen" if c["verified"] else "nicht angekreuzt"
            prob = "" if c["probability"] is None else f", Wahrscheinlichkeit {de_number(c['probability'])}"
            doubt = ", zweifelhaft" if c["doubtful"] else ""
            out.append(f"- {md_cell(city)} × {md_cell(goal_title(g))}: {mark} {state} "
                       f"({c['n_passages']} Passagen, {c['n_verified']} geprüft{prob}{doubt})")  # fmt: skip

    out += ["", "## 2. Leitfaden", ""]
    gl = []
    for rows_of_city in by_city(records(frames["guideline"])):
        g = rows_of_city[0]
        orient = "; ".join(f"{label('orientation', o['orientation_kind'])}: {o['orientation_name']}"
                           for o in rows_of_city if o["orientation_kind"])  # fmt: skip
        verified = any(o["verified"] for o in rows_of_city)
        gl.append([g["city"], label("guideline_status", g["status"]), orient, _mark(verified)])
    out += _md_table(["Stadt", "Status", "Orientierung", "Herkunft"], gl)

    out += ["", "## 3. Maßnahmen", ""]
    out += _md_table(["Ziel", "Maßnahme", "Städte", "Herkunft"],
                     [[goal_title(m["goal"]), m["measure"], ", ".join(m["cities"]), _mark(m["verified"])]
                      for m in records(frames["measures"])])  # fmt: skip

    out += ["", "## 4. Zuständigkeit", ""]
    out += _md_table(["Gruppe", "Stadt", "Stellen", "Herkunft"],
                     [[label("group", r["group"]), r["city"], "; ".join(r["units"]), _mark(r["verified"])]
                      for r in records(frames["responsibility"])])  # fmt: skip

    out += ["", "## 5./6. Finanzierung", ""]
    out += _md_table(["Stadt", "Mittel", "Personal", "Vergabe durch", "Herkunft"],
                     [[f["city"], label("funds", f["funds"]), label("staff", f["staff"]),
                       "; ".join(f["allocators"]), _mark(f["verified"])]
                      for f in records(frames["funding"])])  # fmt: skip

    out += ["", "## 7. Best Practice", ""]
    out += _md_table(["Best Practice", "Städte", "Herkunft"],
                     [[b["name"], ", ".join(b["cities"]), _mark(b["verified"])]
                      for b in records(frames["best_practice"])])  # fmt: skip
    out.append("")
    return "\n".join(out)


def write_md(frames: Frames, out_dir: Path) -> list[Path]:
    """Write ``tables.md`` into ``out_dir`` atomically."""
    return [write_text(Path(out_dir) / MD_FILENAME, md_text(frames))]
