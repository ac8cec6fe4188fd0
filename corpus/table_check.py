"""Compare the tables the model alone builds from ``corpus/docs/table_test`` with the seed.

    .venv/bin/python corpus/table_check.py [--db sqlite:///…] [--model DIR] [--json]

The seed (``../shared/seeds/000_…txt``: the Darmstadt survey's hand-made tables) is the
measuring stick: nothing here tunes a rule or threshold. Reports the goals matrix cell by
cell (right / wrong / doubtful), the measures table (the seed's 35 measures found under
their goal, and the extra rows) and the cities with no recognised answer to question 1.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
import tempfile
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
SEED = ROOT.parent / "shared" / "seeds" / "000_aa656b9e79e620bb.txt"
TABLE_TEST = ROOT / "corpus" / "docs" / "table_test"


def seed_lines() -> list[str]:
    return SEED.read_text(encoding="utf-8").splitlines()


def seed_goals_matrix() -> dict[str, set[str]]:
    """City -> goals ticked on the seed's Q1 slide."""
    from watext.model import GOAL_LABELS

    lines = seed_lines()
    start = next(i for i, line in enumerate(lines) if line.startswith("Ziele:"))
    out: dict[str, set[str]] = {}
    for line in lines[start + 1:]:
        if not line.strip():
            break
        for col, cell in enumerate(line.split("\t")[1:7]):
            if cell.strip():
                out.setdefault(cell.strip(), set()).add(GOAL_LABELS[col])
    return out


def seed_measures() -> list[tuple[str, str]]:
    """``(goal, measure name)`` of the seed's Q3 table (35 rows)."""
    from watext.model import GOAL_LABELS

    line = next(x for x in seed_lines() if x.count("<ul") == 6)
    out = []
    for goal, cell in zip(GOAL_LABELS, line.split("\t")):
        body = re.sub(r"<ul[^>]*>", "", cell)
        for item in body.split(" - ")[1:]:
            out.append((goal, item.strip()))
    return out


def _words(name: str) -> set[str]:
    from watext.tables.phrases import measure_key

    return {w for w in measure_key(name).split() if len(w) > 2}


def measure_found(seed_name: str, names: list[str]) -> str | None:
    """The produced name that means the seed's measure: equal canonical names, or one's
    significant words contained in the other's (e.g. "Runder Tisch Mare Nostrum"). The
    caller passes only names no other seed measure has taken (one row, one seed measure)."""
    from watext.tables.phrases import canonical_measure, measure_key

    canon, _ = canonical_measure(seed_name)
    sk, sw = measure_key(canon), _words(canon) | _words(seed_name)
    for n in names:
        c, _ = canonical_measure(n)
        if measure_key(c) == sk or measure_key(n) == measure_key(seed_name):
            return n
    for n in names:
        nw = _words(n) | _words(canonical_measure(n)[0])
        if sw and nw and (sw <= nw or nw <= sw):
            return n
    return None


def check(store: Any, model_dir: str | None = None) -> dict[str, Any]:
    from watext.tables.aggregate import build_tables
    from watext.tag.registry import model_info

    info = model_info(model_dir)
    t = build_tables(store, info.name, info.version, doubt_band=info.doubt_band)
    seed = seed_goals_matrix()
    cells, wrong = 0, []
    for c in t.goals:
        if c.city not in seed:
            continue
        cells += 1
        if c.ticked != (c.goal in seed[c.city]):
            wrong.append({"city": c.city, "goal": c.goal, "ticked": c.ticked,
                          "probability": c.probability, "doubtful": c.doubtful})
    doubtful = sum(c.doubtful for c in t.goals if c.city in seed)
    # a seed measure appears when a row under its goal shows it, as its name or as one of the
    # names the cities wrote (variants); each shown name stands for one seed measure only
    by_goal: dict[str, list[tuple[str, str]]] = {}
    for m in t.measures:
        for shown in dict.fromkeys([m.name, *m.variants]):
            by_goal.setdefault(m.goal, []).append((m.name, shown))
    found, missing = [], []
    used: set[tuple[str, str, str]] = set()
    rows_used: set[tuple[str, str]] = set()
    for goal, sname in seed_measures():
        free = [(row, shown) for row, shown in by_goal.get(goal, []) if (goal, row, shown) not in used]
        hit = measure_found(sname, [shown for _, shown in free])
        (found if hit else missing).append((goal, sname, hit))
        if hit:
            row = next(r for r, shown in free if shown == hit)
            used.add((goal, row, hit))
            rows_used.add((goal, row))
    extra = [(m.goal, m.name, m.cities) for m in t.measures if (m.goal, m.name) not in rows_used]
    return {
        "doubt_band": t.goals[0].band if t.goals else None, "goal_cells": cells, "goal_cells_right": cells - len(wrong), "wrong": wrong,
        "wrong_not_doubtful": sum(not w["doubtful"] for w in wrong), "doubtful": doubtful,
        "measures_seed": len(found) + len(missing), "measures_found": len(found),
        "measures_missing": [(g, n) for g, n, _ in missing], "measures_extra": extra,
        "no_answer": t.no_answer, "warnings": t.warnings(),
    }


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--db")
    ap.add_argument("--model")
    ap.add_argument("--json", action="store_true")
    a = ap.parse_args()
    from watext import pipeline
    from watext.settings import get_settings
    from watext.store import open_store

    tmp = tempfile.TemporaryDirectory()
    db = a.db or f"sqlite:///{tmp.name}/w.db"
    store = open_store(db)
    if not a.db:
        settings = get_settings(db=db)
        pipeline.ingest(store, settings, [str(TABLE_TEST)])
        pipeline.classify(store, settings, a.model)
    r = check(store, a.model)
    store.close()
    if a.json:
        print(json.dumps(r, ensure_ascii=False, indent=1))
        return 0
    print(f"goal cells right: {r['goal_cells_right']}/{r['goal_cells']}; doubtful {r['doubtful']} "
          f"(band {r['doubt_band']}); "
          f"wrong and not doubtful: {r['wrong_not_doubtful']}")
    for w in r["wrong"]:
        print(f"  wrong: {w}")
    print(f"seed measures under the right goal: {r['measures_found']}/{r['measures_seed']}; "
          f"extra rows: {len(r['measures_extra'])}")
    for g, n in r["measures_missing"]:
        print(f"  missing: {g}: {n}")
    for g, n, c in r["measures_extra"]:
        print(f"  extra: {g}: {n} {c}")
    for w in r["warnings"]:
        print(f"warning: {w}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
