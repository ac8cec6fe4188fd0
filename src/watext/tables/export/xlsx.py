"""Excel export: ``tables.xlsx`` with one formatted sheet per table plus Evidenz and Info.

Every string is written as a string cell (never a formula), so document text such as
``=HYPERLINK(...)`` cannot run when the file is opened.
"""

from __future__ import annotations

from copy import copy

from pathlib import Path
from typing import Any

from openpyxl import Workbook
from openpyxl.comments import Comment
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from watext.model import GOAL_LABELS
from watext.tables.frames import records
from watext.tables.model import GOAL_TITLES
from watext.files import write_with
from watext.tables.export._common import (
    FUNDS_TITLES, GROUP_TITLES, ORIENTATION_TITLES, STAFF_TITLES, STATUS_TITLES, TABLE_TITLES,
    TICK, Frames, cities, clean, goal_grid, goal_title, is_formula_like, label, meta_items,
    no_answer_q1, page_label, rules, warnings,
)  # fmt: skip

__all__ = ["FILENAME", "SHEETS", "write_xlsx"]

FILENAME = "tables.xlsx"
SHEETS = (
    "Ziele", "Leitfaden", "Maßnahmen", "Zuständigkeit", "Finanzierung", "Best Practice",
    "Evidenz", "Info",
)  # fmt: skip

HEADER_FONT = Font(bold=True, color="FFFFFF")
HEADER_FILL = PatternFill("solid", fgColor="1F4E79")
VERIFIED_FILL = PatternFill("solid", fgColor="A9D08E")
MODEL_FILL = PatternFill("solid", fgColor="FFF2CC")
REJECTED_FILL = PatternFill("solid", fgColor="EDEDED")
THIN = Side(style="thin", color="BFBFBF")
BORDER = Border(left=THIN, right=THIN, top=THIN, bottom=THIN)
_DOUBT_SIDE = Side(style="thick", color="C00000")
DOUBT_BORDER = Border(left=_DOUBT_SIDE, right=_DOUBT_SIDE, top=_DOUBT_SIDE, bottom=_DOUBT_SIDE)
WRAP = Alignment(wrap_text=True, vertical="top")
CENTER = Alignment(horizontal="center", vertical="center", wrap_text=True)


def put(ws: Worksheet, row: int, col: int, value: Any) -> Any:
    """Write ``value``; strings are always stored as text, never as formulas."""
    cell = ws.cell(row=row, column=col)
    if value is None or isinstance(value, (bool, int, float)):
        cell.value = value
        return cell
    text = clean(value)
    cell.value = text
    cell.data_type = "s"  # openpyxl would store "=..." as a formula otherwise
    if is_formula_like(text):
        cell.quotePrefix = True  # and Excel keeps it text when the cell is edited
    return cell


def _header(ws: Worksheet, titles: list[str], row: int = 1) -> None:
    for col, title in enumerate(titles, start=1):
        cell = put(ws, row, col, title)
        cell.font = HEADER_FONT
        cell.fill = HEADER_FILL
        cell.alignment = CENTER
        cell.border = BORDER


def _rows(ws: Worksheet, rows: list[list[Any]], start: int = 2) -> None:
    # Setting alignment and border looks both up in the workbook's style lists (~30 µs a
    # cell); every plain cell gets the same style, so the first one's is copied.
    plain = None
    for r, values in enumerate(rows, start=start):
        for c, value in enumerate(values, start=1):
            cell = put(ws, r, c, value)
            if plain is not None and not cell.quotePrefix:
                cell._style = copy(plain)
                continue
            cell.alignment = WRAP
            cell.border = BORDER
            if plain is None and not cell.quotePrefix:
                plain = copy(cell._style)


def _widths(ws: Worksheet, minimum: int = 8, maximum: int = 60) -> None:
    widths: dict[int, int] = {}
    for row in ws.iter_rows():
        for cell in row:
            if cell.value is None:
                continue
            longest = max((len(line) for line in str(cell.value).splitlines()), default=0)
            widths[cell.column] = max(widths.get(cell.column, 0), longest)
    for col, width in widths.items():
        ws.column_dimensions[get_column_letter(col)].width = max(minimum, min(maximum, width + 2))


def _table_sheet(wb: Workbook, title: str, header: list[str], rows: list[list[Any]]) -> Worksheet:
    ws = wb.create_sheet(title)
    _header(ws, header)
    _rows(ws, rows)
    ws.freeze_panes = "A2"
    if rows:
        ws.auto_filter.ref = f"A1:{get_column_letter(len(header))}{len(rows) + 1}"
    _widths(ws)
    return ws


def _goals_sheet(wb: Workbook, frames: Frames) -> None:
    ws = wb.active
    ws.title = "Ziele"
    names, grid, missing = cities(frames), goal_grid(frames), no_answer_q1(frames)
    _header(ws, ["Stadt", *GOAL_TITLES.values()])
    for r, city in enumerate(names, start=2):
        put(ws, r, 1, city).font = Font(bold=True)
        ws.cell(row=r, column=1).border = BORDER
        for c, goal in enumerate(GOAL_LABELS, start=2):
            cell_data = grid[(city, goal)]
            ticked, verified = cell_data["ticked"], cell_data["verified"]
            cell = put(ws, r, c, TICK if ticked else None)
            cell.alignment = CENTER
            cell.border = BORDER
            state = "geprüft" if verified else ("Modell" if ticked else "–")
            if ticked and verified:
                cell.font = Font(bold=True, color="375623")
                cell.fill = VERIFIED_FILL
            elif ticked:
                cell.fill = MODEL_FILL
            elif verified:
                cell.fill = REJECTED_FILL
            conf, probability = cell_data["max_confidence"], cell_data["probability"]
            note = f"{cell_data['n_passages']} Passagen, {cell_data['n_verified']} geprüft; {state}"
            if conf is not None:
                note += f"; max. Konfidenz {conf:.2f}"
            if probability is not None:
                note += f"; Wahrscheinlichkeit {probability:.2f}"
            if cell_data["doubtful"]:
                note += "; zweifelhaft: zuerst prüfen"
                cell.border = DOUBT_BORDER
            if cell_data["fallback"]:
                note += "; Ersatzweg: keine Antwort auf Frage 1 erkannt"
            cell.comment = Comment(note, "watext", width=260, height=70)
    for r, city in enumerate(names, start=2):
        if city in missing:
            first = ws.cell(row=r, column=1)
            first.value = f"{city} ⚠"
            first.comment = Comment("keine Antwort auf Frage 1 erkannt", "watext", width=260, height=50)
    # legend, then the passage counts as an adjacent matrix
    row = len(names) + 3
    for w in warnings(frames):
        put(ws, row, 1, f"⚠ {w}").font = Font(bold=True, color="C00000")
        row += 1
    if warnings(frames):
        row += 1
    legend = put(ws, row, 1, "Legende:")
    legend.font = Font(bold=True)
    put(ws, row, 2, "✓ = angekreuzt").alignment = WRAP
    c = put(ws, row, 3, "✓ fett/grün = von Person geprüft")
    c.fill, c.font = VERIFIED_FILL, Font(bold=True, color="375623")
    put(ws, row, 4, "✓ gelb = nur Modell").fill = MODEL_FILL
    put(ws, row, 5, "grau = von Person verworfen").fill = REJECTED_FILL
    put(ws, row, 6, "Kommentar: Passagen / geprüft / Konfidenz / Wahrscheinlichkeit")
    put(ws, row, 7, "roter Rahmen = zweifelhaft, zuerst prüfen").border = DOUBT_BORDER
    row += 2
    put(ws, row, 1, "Belege (Passagen / davon geprüft)").font = Font(bold=True)
    _header(ws, ["Stadt", *GOAL_TITLES.values()], row=row + 1)
    for r, city in enumerate(names, start=row + 2):
        put(ws, r, 1, city).border = BORDER
        for col, goal in enumerate(GOAL_LABELS, start=2):
            cd = grid[(city, goal)]
            cell = put(ws, r, col, f"{cd['n_passages']} / {cd['n_verified']}")
            cell.alignment = CENTER
            cell.border = BORDER
    ws.freeze_panes = "B2"
    ws.column_dimensions["A"].width = max(12, max((len(c) for c in names), default=8) + 2)
    for col in range(2, len(GOAL_LABELS) + 2):
        ws.column_dimensions[get_column_letter(col)].width = 22


def _yes(flag: bool) -> str:
    return "ja" if flag else "nein"


def build_workbook(frames: Frames) -> Workbook:
    wb = Workbook()
    _goals_sheet(wb, frames)
    _table_sheet(wb, "Leitfaden", ["Stadt", "Status", "Orientierung", "Name", "Passagen", "geprüft"], [
        [g["city"], label(STATUS_TITLES, g["status"]), label(ORIENTATION_TITLES, g["orientation_kind"]),
         g["orientation_name"], g["n_evidence"], _yes(g["verified"])]
        for g in records(frames["guideline"])
    ])  # fmt: skip
    _table_sheet(wb, "Maßnahmen", ["Ziel", "Maßnahme", "Varianten", "Städte", "Passagen", "geprüft"], [
        [goal_title(m["goal"]), m["measure"], "; ".join(m["variants"]), ", ".join(m["cities"]), m["n_evidence"],
         _yes(m["verified"])]
        for m in records(frames["measures"])
    ])  # fmt: skip
    _table_sheet(wb, "Zuständigkeit", ["Gruppe", "Stadt", "Stellen", "Passagen", "geprüft"], [
        [label(GROUP_TITLES, r["group"]), r["city"], "; ".join(r["units"]), r["n_evidence"], _yes(r["verified"])]
        for r in records(frames["responsibility"])
    ])  # fmt: skip
    _table_sheet(wb, "Finanzierung",
                 ["Stadt", "Mittel", "Personal", "Vergabe durch", "Passagen", "geprüft"], [
        [f["city"], label(FUNDS_TITLES, f["funds"]), label(STAFF_TITLES, f["staff"]), "; ".join(f["allocators"]),
         f["n_evidence"], _yes(f["verified"])]
        for f in records(frames["funding"])
    ])  # fmt: skip
    _table_sheet(wb, "Best Practice", ["Best Practice", "Städte", "Passagen", "geprüft"], [
        [b["name"], ", ".join(b["cities"]), b["n_evidence"], _yes(b["verified"])]
        for b in records(frames["best_practice"])
    ])  # fmt: skip
    ws = _table_sheet(wb, "Evidenz", [
        "Tabelle", "Stadt", "Ziel/Zeile", "Dokument", "Quelle", "Seite/Folie", "Text", "Konfidenz",
        "geprüft", "Herkunft",
    ], [
        [TABLE_TITLES.get(e["table"], e["table"]), e["city"],
         goal_title(e["key"]) if e["table"] == "goals" else e["key"], e["title"], e["source"], page_label(e),
         e["text"], e["confidence"], _yes(e["verified"]), e["origin"]]
        for e in records(frames["evidence"])
    ])  # fmt: skip
    ws.column_dimensions["G"].width = 80
    for row in ws.iter_rows(min_row=2, min_col=8, max_col=8):
        for cell in row:
            cell.number_format = "0.00"
    info = [["Erstellt von", "watext"]]
    info += [[{"model_version": "Modellversion", "built_at": "Erstellt am"}.get(k, k), v]
             for k, v in meta_items(frames)]  # fmt: skip
    info += [[f"Regel: {t}" if t else "Regel", rule] for t, rule in rules(frames)]
    ws = _table_sheet(wb, "Info", ["Schlüssel", "Wert"], info)
    ws.column_dimensions["B"].width = 100
    return wb


def write_xlsx(frames: Frames, out_dir: Path) -> list[Path]:
    """Write ``tables.xlsx`` into ``out_dir`` atomically."""
    wb = build_workbook(frames)
    return [write_with(Path(out_dir) / FILENAME, lambda tmp: wb.save(tmp))]
