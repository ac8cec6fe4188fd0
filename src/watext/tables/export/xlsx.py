"""Excel export: ``tables.xlsx`` with one formatted sheet per table plus Offen, Evidenz and Info
(names and texts from ``i18n/<lang>/workbook.json``; German by default).

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

from watext import i18n
from watext.files import write_with
from watext.model import GOAL_LABELS
from watext.tables.export._common import (
    item_name, Frames, cities, clean, counts_text, de_number, evidence_key_title, goal_grid, goal_mark, goal_title,
    is_formula_like, label, meta_items, meta_label, no_answer_q1, origin_name, question, rules_de, source_label,
    warning_rows, when,
)  # fmt: skip
from watext.tables.frames import records

__all__ = ["FILENAME", "SHEETS", "sheet_names", "write_xlsx"]

FILENAME = "tables.xlsx"
#: The sheet ids in order; their names in ``i18n/<lang>/workbook.json`` (``sheet``).
SHEET_IDS = (
    "goals", "guideline", "measures", "responsibility", "funding", "best_practice", "open", "evidence", "info",
)  # fmt: skip
#: The German sheet names (the default language).
SHEETS = tuple(i18n.texts("workbook", i18n.DEFAULT)["sheet"][k] for k in SHEET_IDS)


def _t(key: str, **values: Any) -> str:
    """A text of the workbook (``i18n/<lang>/workbook.json``) in the language in force."""
    return i18n.t("workbook", key, **values)


def _col(*keys: str) -> list[str]:
    """Column headers in the language in force."""
    names = i18n.texts("workbook")["column"]
    return [names[k] for k in keys]


def _sheet(key: str) -> str:
    return i18n.texts("workbook")["sheet"][key]


def sheet_names() -> tuple[str, ...]:
    """The sheet names in order, in the language in force."""
    return tuple(_sheet(k) for k in SHEET_IDS)

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
    ws.title = _sheet("goals")
    names, grid, missing = cities(frames), goal_grid(frames), no_answer_q1(frames)
    _header(ws, [*_col("city"), *i18n.names("goal").values()])
    for r, city in enumerate(names, start=2):
        put(ws, r, 1, city).font = Font(bold=True)
        ws.cell(row=r, column=1).border = BORDER
        for c, goal in enumerate(GOAL_LABELS, start=2):
            cell_data = grid[(city, goal)]
            ticked, verified = cell_data["ticked"], cell_data["verified"]
            cell = put(ws, r, c, goal_mark(cell_data, star=False) or None)
            cell.alignment = CENTER
            cell.border = BORDER
            state = _t("state_verified") if verified else (_t("state_model") if ticked else "–")
            if ticked and verified:
                cell.font = Font(bold=True, color="375623")
                cell.fill = VERIFIED_FILL
            elif ticked:
                cell.fill = MODEL_FILL
            elif verified:
                cell.fill = REJECTED_FILL
            conf, probability = cell_data["max_confidence"], cell_data["probability"]
            parts = [_t("note_counts", passages=cell_data["n_passages"], verified=cell_data["n_verified"]), state]
            if conf is not None:
                parts.append(_t("note_confidence", value=de_number(conf)))
            if probability is not None:
                parts.append(_t("note_probability", value=de_number(probability)))
            if cell_data["doubtful"]:
                parts.append(_t("note_doubtful"))
                cell.border = DOUBT_BORDER
            if cell_data["fallback"]:
                parts.append(_t("note_fallback"))
            if ticked and cell_data["binding"]:
                parts.append(_t("note_binding", value=label("binding", cell_data["binding"])))
            cell.comment = Comment("; ".join(parts), "watext", width=260, height=70)
    for r, city in enumerate(names, start=2):
        if city in missing:
            first = ws.cell(row=r, column=1)
            first.value = f"{city} ⚠"
            first.comment = Comment(_t("no_answer_q1"), "watext", width=260, height=50)
    # legend, then the passage counts as an adjacent matrix
    row = len(names) + 3
    texts = [text for _, text in warning_rows(frames)]
    for w in texts:
        put(ws, row, 1, f"⚠ {w}").font = Font(bold=True, color="C00000")
        row += 1
    if texts:
        row += 1
    legend = put(ws, row, 1, _t("legend"))
    legend.font = Font(bold=True)
    put(ws, row, 2, _t("legend_ticked")).alignment = WRAP
    c = put(ws, row, 3, _t("legend_verified"))
    c.fill, c.font = VERIFIED_FILL, Font(bold=True, color="375623")
    put(ws, row, 4, _t("legend_model")).fill = MODEL_FILL
    put(ws, row, 5, _t("legend_rejected")).fill = REJECTED_FILL
    put(ws, row, 6, _t("legend_comment"))
    put(ws, row, 7, _t("legend_doubt")).border = DOUBT_BORDER
    for col in range(2, 8):
        ws.cell(row=row, column=col).alignment = WRAP
    ws.row_dimensions[row].height = 45
    row += 2
    _city_goal_matrix(ws, frames, row, _t("counts_title"), lambda cd: f"{cd['n_passages']} / {cd['n_verified']}")
    _city_goal_matrix(ws, frames, ws.max_row + 2, _t("binding_title"),  # the strongest binding of each ticked cell
                      lambda cd: label("binding", cd["binding"]) if cd["ticked"] and cd["binding"] else None)
    ws.freeze_panes = "B2"
    ws.column_dimensions["A"].width = max(12, max((len(c) for c in names), default=8) + 4)
    for col, goal in enumerate(GOAL_LABELS, start=2):  # as wide as the longest word: no break inside one
        longest = max(len(w) for w in goal_title(goal).split())
        ws.column_dimensions[get_column_letter(col)].width = max(14, longest * 1.2 + 3)
    ws.row_dimensions[1].height = 32
    ws.print_area = f"A1:{get_column_letter(len(GOAL_LABELS) + 1)}{ws.max_row}"


def _city_goal_matrix(ws: Worksheet, frames: Frames, row: int, title: str, value: Any) -> None:
    """A city × goal matrix titled ``title`` from ``row`` on; ``value(cell row)`` fills a cell."""
    names, grid = cities(frames), goal_grid(frames)
    put(ws, row, 1, title).font = Font(bold=True)
    _header(ws, [*_col("city"), *i18n.names("goal").values()], row=row + 1)
    ws.row_dimensions[row + 1].height = 32
    for r, city in enumerate(names, start=row + 2):
        put(ws, r, 1, city).border = BORDER
        for col, goal in enumerate(GOAL_LABELS, start=2):
            cell = put(ws, r, col, value(grid[(city, goal)]))
            cell.alignment = CENTER
            cell.border = BORDER


def _binding_name(code: str) -> str:
    return label("binding", code) if code else ""


def _yes(flag: bool) -> str:
    return _t("yes") if flag else _t("no")


def build_workbook(frames: Frames) -> Workbook:
    wb = Workbook()
    _goals_sheet(wb, frames)
    _table_sheet(wb, _sheet("guideline"), _col("city", "status", "orientation", "name", "passages", "verified"), [
        [g["city"], label("guideline_status", g["status"]), label("orientation", g["orientation_kind"]),
         g["orientation_name"], g["n_evidence"], _yes(g["verified"])]
        for g in records(frames["guideline"])
    ])  # fmt: skip
    _table_sheet(wb, _sheet("measures"), _col("goal", "measure", "variants", "cities", "passages", "verified",
                                              "binding"), [
        [goal_title(m["goal"]), item_name(m["measure"]), "; ".join(m["variants"]), ", ".join(m["cities"]), m["n_evidence"],
         _yes(m["verified"]), _binding_name(m["binding"])]
        for m in records(frames["measures"])
    ])  # fmt: skip
    _table_sheet(wb, _sheet("responsibility"), _col("group", "city", "units", "passages", "verified"), [
        [label("group", r["group"]), r["city"], "; ".join(r["units"]), r["n_evidence"], _yes(r["verified"])]
        for r in records(frames["responsibility"])
    ])  # fmt: skip
    _table_sheet(wb, _sheet("funding"),
                 _col("city", "funds", "staff", "allocators", "passages", "verified"), [
        [f["city"], label("funds", f["funds"]), label("staff", f["staff"]), "; ".join(f["allocators"]),
         f["n_evidence"], _yes(f["verified"])]
        for f in records(frames["funding"])
    ])  # fmt: skip
    _table_sheet(wb, _sheet("best_practice"), _col("best_practice", "cities", "passages", "verified"), [
        [item_name(b["name"]), ", ".join(b["cities"]), b["n_evidence"], _yes(b["verified"])]
        for b in records(frames["best_practice"])
    ])  # fmt: skip
    _open_sheet(wb, frames)
    ws = _table_sheet(wb, _sheet("evidence"), _col(
        "table", "city", "key", "document", "source", "text", "confidence", "verified", "origin", "binding",
    ), [
        [label("table", e["table"]), e["city"], evidence_key_title(e), e["title"], source_label(e),
         e["text"], e["confidence"], _yes(e["verified"]), origin_name(e["origin"]), _binding_name(e["binding"])]
        for e in records(frames["evidence"])
    ])  # fmt: skip
    ws.column_dimensions["F"].width = 80
    for row in ws.iter_rows(min_row=2, min_col=7, max_col=7):
        for cell in row:
            cell.number_format = "0.00"
    info = [[_t("made_by"), "watext"]] + [[meta_label(k), _meta_value(k, v)] for k, v in meta_items(frames)]
    info += [[_t("rule_of", title=t) if t else _t("rule"), rule] for t, rule in rules_de(frames)]
    ws = _table_sheet(wb, _sheet("info"), _col("info_key", "info_value"), info)
    ws.column_dimensions["B"].width = 100
    for sheet in wb.worksheets:
        _print_setup(sheet)
    return wb



def _meta_value(key: str, value: str) -> str:
    """A meta value for people: dates and the passage counts in the language in force."""
    if key == "built_at":
        return when(value)
    return counts_text(value) if key == "counts" else value


def _open_sheet(wb: Workbook, frames: Frames) -> None:
    """``Offen`` (Open): doubtful goal cells and survey questions without a recognised answer."""
    rows: list[list[Any]] = []
    for c in records(frames["goal_cells"]):
        if c["doubtful"]:
            state = _t("open_ticked") if c["ticked"] else _t("open_unticked")
            rows.append([_t("open_doubtful"), c["city"], 1, goal_title(c["goal"]), de_number(c["probability"]),
                         state])  # fmt: skip
    for w in records(frames["warnings"]):
        for no in w["questions"]:
            text = question(no).split(". ", 1)[-1]
            rows.append([_t("open_question"), w["city"], no, text, "", _t("open_no_answer")])
    if not rows:
        rows.append(["–", "", "", _t("open_nothing"), "", ""])
    ws = _table_sheet(wb, _sheet("open"), _col("kind", "city", "question", "goal_or_question", "probability",
                                               "state"), rows)  # fmt: skip
    ws.column_dimensions["D"].width = 60
    for row in ws.iter_rows(min_row=2, min_col=5, max_col=5):
        for cell in row:
            cell.alignment = Alignment(horizontal="right", vertical="top")


def _print_setup(ws: Worksheet) -> None:
    """Landscape A4, as wide as one page, the header row on every page, the sheet name on top."""
    ws.page_setup.orientation = "landscape"
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.print_title_rows = "1:1"
    ws.print_options.gridLines = False
    ws.oddHeader.center.text = "&A"  # the sheet name
    ws.oddHeader.center.size = 12
    ws.oddHeader.center.font = "Calibri,Bold"
    ws.oddFooter.left.text = _t("footer")
    ws.oddFooter.right.text = _t("page_of")


def write_xlsx(frames: Frames, out_dir: Path) -> list[Path]:
    """Write ``tables.xlsx`` into ``out_dir`` atomically."""
    wb = build_workbook(frames)
    return [write_with(Path(out_dir) / FILENAME, lambda tmp: wb.save(tmp))]
