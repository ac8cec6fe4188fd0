"""Exporters of the comparison tables: xlsx, html, csv, md and pptx.

:func:`export_tables` builds the tables' DataFrames once (:func:`watext.tables.frames.to_frames`)
and writes the requested formats from them into one directory. Every file is
written to a temporary file in that directory first and then moved into place with
``os.replace``, so a failed or interrupted export never leaves a half-written report.
All document text is treated as untrusted: HTML is escaped, spreadsheet cells never hold
formulas, Markdown cells hold no raw HTML.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path

from watext.tables.frames import to_frames
from watext.tables.model import ComparisonTables
from watext.tables.export._common import Frames
from watext.tables.export.csv_md import write_csv, write_md
from watext.tables.export.html import write_html
from watext.tables.export.pptx import write_pptx
from watext.tables.export.xlsx import write_xlsx

__all__ = ["FORMATS", "export_tables"]

_WRITERS: dict[str, Callable[[Frames, Path], list[Path]]] = {
    "xlsx": write_xlsx,
    "html": write_html,
    "csv": write_csv,
    "md": write_md,
    "pptx": write_pptx,
}

#: Supported export formats, in default order.
FORMATS: tuple[str, ...] = tuple(_WRITERS)


def export_tables(
    tables: ComparisonTables | Frames,
    out_dir: Path,
    formats: Sequence[str] = FORMATS,
) -> dict[str, list[Path]]:
    """Write ``tables`` in each of ``formats`` into ``out_dir``.

    ``tables`` may also be the frames of :func:`watext.tables.build` (all of them), e.g. after
    filtering rows in a notebook. Returns ``{format: [written paths]}``. Raises ``ValueError`` for an unknown format
    before anything is written.
    """
    if isinstance(formats, str):
        formats = [formats]
    wanted = [f.lower().strip().lstrip(".") for f in formats]
    unknown = [f for f in wanted if f not in _WRITERS]
    if unknown:
        raise ValueError(f"unknown export format(s): {', '.join(unknown)}; choose from {', '.join(FORMATS)}")
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    frames = tables if isinstance(tables, dict) else to_frames(tables)
    written: dict[str, list[Path]] = {}
    for fmt in dict.fromkeys(wanted):
        written[fmt] = _WRITERS[fmt](frames, out)
    return written
