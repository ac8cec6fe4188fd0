"""CSV export (one UTF-8 file per table, plus evidence) and the Markdown report ``tables.md``.

CSV headers are machine ids and stay as they are; the Markdown report takes every text a
person reads from ``i18n/<lang>/report.json`` (``md_*`` and the shared ``col_*`` keys).
"""

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
    item_name, EVIDENCE_COLUMNS, TICK, Frames, Row, by_city, cities, clean, counts_text, csv_safe, de_number, goal_grid,
    goal_title, join_cities, label, meta_items, meta_label, no_answer_q1, page_label, rule_text, rule_title,
    warning_lines, when,
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
        "doubtful", "fallback", "binding",
    ]),  # fmt: skip
    "warnings.csv": ("warnings", [
        "city", ("questions_without_answer", lambda w: " ".join(str(n) for n in w["questions"])), "warning",
    ]),  # fmt: skip
    "guideline.csv": ("guideline", ["city", "status", "orientation_kind", "orientation_name", "n_evidence",
                                    "verified"]),  # fmt: skip
    "measures.csv": ("measures", ["goal", "measure", "variants", "cities", "n_evidence", "verified", "binding"]),
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


def _t(key: str, **values: Any) -> str:
    """The report text ``key`` (``i18n/<lang>/report.json``) in the language in force."""
    return i18n.t("report", key, **values)


def _mark(verified: bool) -> str:
    return _t("md_verified" if verified else "md_model")


def _binding(cell: Row | None) -> str:
    """`` beschlossen`` after a ticked goal cell's mark: how binding its strongest source is."""
    return " " + label("binding", cell["binding"]) if cell and cell["binding"] else ""


def _meta_value(key: str, value: Any) -> str:
    """A meta value for people: build time and counts in the language in force."""
    return {"built_at": when, "counts": counts_text}.get(key, str)(value)


def _rule_title(key: str) -> str:
    title = rule_title(key)
    return _t("rule_passages") if key == "passages" and title == key else title


def _heading(numbers: str, table: str) -> list[str]:
    return ["", f"## {numbers} {label('table', table)}", ""]


def md_text(frames: Frames) -> str:
    out = [f"# {_t('md_title')}", ""]
    out.append(md_cell(_t("cities", cities=join_cities(cities(frames)))))
    out.append("")
    for key, value in meta_items(frames):
        out.append(f"- **{md_cell(meta_label(key))}**: {md_cell(_meta_value(key, value))}")
    for r in records(frames["info"]):
        if r["kind"] == "rule":
            out.append(f"- **{md_cell(_t('md_rule', table=_rule_title(r['key'])))}**: "
                       f"{md_cell(rule_text(r['key'], r['value']))}")  # fmt: skip
    out += ["", _t("md_legend"), ""]
    if (frames["goal_cells"]["binding"] != "").any() or (frames["measures"]["binding"] != "").any():
        out += [f"{TICK} {_t('legend_binding')}", ""]

    warned = warning_lines(frames)
    if warned:
        out += [f"**{_t('warnings')}**", ""] + [f"- ⚠ {md_cell(w)}" for w in warned] + [""]
    grid, missing = goal_grid(frames), no_answer_q1(frames)
    out += _heading("1.", "goals")[1:]
    rows = []
    for city in cities(frames):
        row = [city + (" ⚠" if city in missing else "")]
        for g in GOAL_LABELS:
            c = grid[(city, g)]
            row.append(((TICK + ("*" if c["verified"] else "")) if c["ticked"] else "")
                       + ("?" if c["doubtful"] else "") + ("¹" if c["fallback"] and c["ticked"] else "")
                       + _binding(c if c["ticked"] else None))
        rows.append(row)
    out += _md_table([_t("col_city"), *i18n.names("goal").values()], rows)
    if frames["goal_cells"]["fallback"].any():
        out += ["", _t("md_fallback")]
    out += ["", _t("md_per_cell"), ""]
    for city in cities(frames):
        for g in GOAL_LABELS:
            c = grid[(city, g)]
            mark = TICK if c["ticked"] else "–"
            if c["ticked"]:
                state = _mark(c["verified"])
            else:
                state = _t("state_rejected" if c["verified"] else "state_unticked")
            prob = "" if c["probability"] is None else _t("md_probability", p=de_number(c["probability"]))
            doubt = _t("state_doubtful") if c["doubtful"] else ""
            bound = _t("md_binding", binding=label("binding", c["binding"])) if c["ticked"] and c["binding"] else ""
            out.append("- " + _t("md_cell", city=md_cell(city), goal=md_cell(goal_title(g)), mark=mark, state=state,
                                 n=c["n_passages"], verified=c["n_verified"], details=prob + doubt + bound))  # fmt: skip

    out += _heading("2.", "guideline")
    gl = []
    for rows_of_city in by_city(records(frames["guideline"])):
        g = rows_of_city[0]
        orient = "; ".join(f"{label('orientation', o['orientation_kind'])}: {o['orientation_name']}"
                           for o in rows_of_city if o["orientation_kind"])  # fmt: skip
        verified = any(o["verified"] for o in rows_of_city)
        gl.append([g["city"], label("guideline_status", g["status"]), orient, _mark(verified)])
    city, cities_, origin = _t("col_city"), _t("col_cities"), _t("col_origin")
    out += _md_table([city, _t("col_status"), _t("col_orientation"), origin], gl)

    out += _heading("3.", "measures")
    out += _md_table([_t("col_goal"), _t("col_measure"), cities_, origin, _t("col_binding")],
                     [[goal_title(m["goal"]), item_name(m["measure"]), ", ".join(m["cities"]), _mark(m["verified"]),
                       (TICK + " " + label("binding", m["binding"])) if m["binding"] else ""]
                      for m in records(frames["measures"])])  # fmt: skip

    out += _heading("4.", "responsibility")
    out += _md_table([_t("col_group"), city, _t("col_units"), origin],
                     [[label("group", r["group"]), r["city"], "; ".join(r["units"]), _mark(r["verified"])]
                      for r in records(frames["responsibility"])])  # fmt: skip

    out += _heading("5./6.", "funding")
    out += _md_table([city, _t("col_funds"), _t("col_staff"), _t("col_allocators"), origin],
                     [[f["city"], label("funds", f["funds"]), label("staff", f["staff"]),
                       "; ".join(f["allocators"]), _mark(f["verified"])]
                      for f in records(frames["funding"])])  # fmt: skip

    out += _heading("7.", "best_practice")
    out += _md_table([_t("col_best_practice"), cities_, origin],
                     [[item_name(b["name"]), ", ".join(b["cities"]), _mark(b["verified"])]
                      for b in records(frames["best_practice"])])  # fmt: skip
    out.append("")
    return "\n".join(out)


def write_md(frames: Frames, out_dir: Path) -> list[Path]:
    """Write ``tables.md`` into ``out_dir`` atomically."""
    return [write_text(Path(out_dir) / MD_FILENAME, md_text(frames))]
