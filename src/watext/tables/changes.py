"""What changed in the tables between two runs: a snapshot of the tables after each run,
and the difference of two snapshots (flipped goal cells, new doubtful cells, questions
that lost their answers, rows added to or gone from the measures, responsibility and
best-practice tables).

A snapshot is plain JSON (stored with the run's change report); the report's other parts
(documents, versions) come from the pipeline (:func:`watext.pipeline.reprocess`).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import pandas as pd

from watext.tables.frames import records

__all__ = ["ROW_TABLES", "diff", "snapshot"]

#: Tables whose rows are compared by key: frame -> (key columns, detail columns).
ROW_TABLES: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    "measures": (("goal", "measure"), ("cities",)),
    "responsibility": (("group", "city"), ("units",)),
    "best_practice": (("name",), ("cities",)),
}
_TEXT = 2000  # passage text kept per evidence entry


def _evidence(frames: Mapping[str, pd.DataFrame]) -> dict[str, list[dict[str, Any]]]:
    out: dict[str, list[dict[str, Any]]] = {}
    for e in records(frames["evidence"]):
        if e["table"] == "goals":
            out.setdefault(f"{e['city']}|{e['key']}", []).append({
                "passage_id": e["passage_id"], "source": e["source"], "page": e["page"],
                "text": (e["text"] or "")[:_TEXT], "origin": e["origin"]})  # fmt: skip
    return out


def _detail(row: Mapping[str, Any], cols: tuple[str, ...]) -> str:
    parts = []
    for c in cols:
        v = row.get(c)
        parts.append(", ".join(map(str, v)) if isinstance(v, list) else "" if v is None else str(v))
    return "; ".join(p for p in parts if p)


def snapshot(frames: Mapping[str, pd.DataFrame]) -> dict[str, Any]:
    """The state of the tables that the next run compares with."""
    evidence = _evidence(frames)
    cells = {
        f"{c['city']}|{c['goal']}": {
            "ticked": bool(c["ticked"]), "verified": bool(c["verified"]), "doubtful": bool(c["doubtful"]),
            "probability": c["probability"], "passages": evidence.get(f"{c['city']}|{c['goal']}", []),
        }
        for c in records(frames["goal_cells"])
    }  # fmt: skip
    rows = {
        name: {" / ".join(str(r[k]) for k in keys): _detail(r, detail) for r in records(frames[name])}
        for name, (keys, detail) in ROW_TABLES.items()
    }  # fmt: skip
    unanswered = {w["city"]: sorted(int(q) for q in w["questions"] or []) for w in records(frames["warnings"])}
    cities = sorted({c["city"] for c in records(frames["goal_cells"])})
    return {"cells": cells, "rows": rows, "unanswered": unanswered, "cities": cities}


def diff(before: Mapping[str, Any] | None, after: Mapping[str, Any]) -> dict[str, Any]:
    """``cells``, ``doubtful``, ``unanswered`` and ``rows`` of the change report. Without a
    ``before`` (the first run) nothing has flipped; new doubtful cells and missing answers
    are then all that the run found."""
    prev_cells = (before or {}).get("cells", {})
    cells, doubtful = [], []
    for key, now in sorted(after["cells"].items()):
        city, goal = key.split("|", 1)
        old = prev_cells.get(key)
        if before is not None and old is not None and old["ticked"] != now["ticked"]:
            behind = now["passages"] if now["ticked"] else old["passages"]
            cells.append({"city": city, "goal": goal, "before": old["ticked"], "after": now["ticked"],
                          "verified_before": old["verified"], "probability_before": old["probability"],
                          "probability_after": now["probability"], "passages": behind})  # fmt: skip
        elif before is not None and old is None and now["ticked"]:  # a city new to the tables
            cells.append({"city": city, "goal": goal, "before": False, "after": True, "verified_before": False,
                          "probability_before": None, "probability_after": now["probability"],
                          "passages": now["passages"]})  # fmt: skip
        if now["doubtful"] and not (old or {}).get("doubtful"):
            doubtful.append({"city": city, "goal": goal, "probability": now["probability"]})
    prev_unanswered = (before or {}).get("unanswered", {})
    prev_cities = set((before or {}).get("cities", []))
    unanswered = [
        {"city": city, "question": q}
        for city, qs in sorted(after["unanswered"].items())
        for q in qs
        if before is None or (city in prev_cities and q not in prev_unanswered.get(city, []))
    ]  # fmt: skip
    rows: dict[str, dict[str, list[dict[str, str]]]] = {}
    for name in ROW_TABLES:
        old_rows, new_rows = (before or {}).get("rows", {}).get(name, {}), after["rows"].get(name, {})
        rows[name] = {
            "added": [{"key": k, "detail": v} for k, v in new_rows.items() if before is not None and k not in old_rows],
            "removed": [{"key": k, "detail": v} for k, v in old_rows.items() if k not in new_rows],
        }  # fmt: skip
    return {"cells": cells, "doubtful": doubtful, "unanswered": unanswered, "rows": rows}
