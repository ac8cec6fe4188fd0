"""Plain functions behind ``watext tables`` and ``watext run`` (flows only sequence them)."""

from __future__ import annotations

import json
import os
import tempfile
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from ..tag.registry import read_meta, resolve_model_dir
from .build import build_tables

__all__ = ["current_model", "model_doubt_band", "write_tables"]


def current_model(model_dir: str | Path | None = None) -> tuple[str | None, str | None]:
    """``(name, version)`` of the given (or current) model, from its ``meta.json``."""
    meta = read_meta(resolve_model_dir(model_dir))
    return meta.get("name"), meta.get("version")


def model_doubt_band(model_dir: str | Path | None = None) -> tuple[float, float] | None:
    """The doubt band the given (or current) model chose on its training folds, if any."""
    band = ((read_meta(resolve_model_dir(model_dir)).get("metrics") or {}).get("doubt") or {}).get("band")
    return (float(band[0]), float(band[1])) if band else None


def _write_json(path: Path, data: Any) -> None:
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            json.dump(data, fh, ensure_ascii=False, indent=1, default=str)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def write_tables(store: Any, out: str | Path, formats: Sequence[str] | None = None,
                 model_dir: str | Path | None = None, cities: Sequence[str] | None = None,
                 min_support: int = 1) -> dict[str, Any]:  # fmt: skip
    """Build the tables from ``store`` and export them to ``out``; returns a summary with
    the written files (``report`` is the html report when written)."""
    from .export import FORMATS, export_tables

    name, version = current_model(model_dir)
    tables = build_tables(store, name, version, cities, min_support, model_doubt_band(model_dir))
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    written = export_tables(tables, out, formats or FORMATS)
    _write_json(out / "tables.json", tables.to_dict())
    files = sorted(str(p) for ps in written.values() for p in ps) + [str(out / "tables.json")]
    report = next((str(p) for p in written.get("html", [])), None)
    return {"cities": tables.cities, "model": name, "version": version, "counts": tables.meta.get("counts"),
            "goals_matrix": tables.goals_matrix(),
            "goals_doubtful": [[c.city, c.goal] for c in tables.goals if c.doubtful],
            "goals_verified": [[c.city, c.goal] for c in tables.goals if c.verified],
            "goals_fallback": sorted({c.city for c in tables.goals if c.fallback}),
            "no_answer": tables.no_answer, "warnings": tables.warnings(),
            "files": files, "report": report}  # fmt: skip
