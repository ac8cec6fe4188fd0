"""Plain functions behind ``watext tables`` and ``watext run`` (flows only sequence them)."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pandas as pd

from watext.files import write_json
from watext.store import Store
from watext.tables.aggregate import build_tables
from watext.tables.frames import to_frames
from watext.tag.registry import ModelInfo

__all__ = ["build_and_write", "write_tables"]


def write_tables(store: Store, out: str | Path, model: ModelInfo, formats: Sequence[str] | None = None,
                 cities: Sequence[str] | None = None, min_support: int = 1, under: str | None = None) -> dict[str, Any]:  # fmt: skip
    """Build the tables from ``store`` with the predictions of ``model`` and export them to
    ``out``; returns a summary with the written files (``report``: the html report)."""
    return build_and_write(store, out, model, formats, cities, min_support, under)[0]


def build_and_write(store: Store, out: str | Path, model: ModelInfo, formats: Sequence[str] | None = None,
                    cities: Sequence[str] | None = None, min_support: int = 1,
                    under: str | None = None) -> tuple[dict[str, Any], dict[str, pd.DataFrame]]:  # fmt: skip
    """:func:`write_tables`, also returning the frames every export was written from."""
    from watext.tables.export import FORMATS, export_tables

    name, version = model.name, model.version
    tables = build_tables(store, name, version, cities, min_support, model.doubt_band, under)
    frames = to_frames(tables)
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    written = export_tables(frames, out, formats or FORMATS)
    write_json(out / "tables.json", tables.to_dict())
    files = sorted(str(p) for ps in written.values() for p in ps) + [str(out / "tables.json")]
    report = next((str(p) for p in written.get("html", [])), None)
    return {"cities": tables.cities, "model": name, "version": version, "counts": tables.meta.get("counts"),
            "goals_matrix": tables.goals_matrix(),
            "goals_doubtful": [[c.city, c.goal] for c in tables.goals if c.doubtful],
            "goals_verified": [[c.city, c.goal] for c in tables.goals if c.verified],
            "goals_fallback": sorted({c.city for c in tables.goals if c.fallback}),
            "no_answer": tables.no_answer, "warnings": tables.warnings(),
            "files": files, "report": report}, frames  # fmt: skip
