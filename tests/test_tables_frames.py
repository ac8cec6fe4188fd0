"""The comparison tables as pandas DataFrames: ``watext.tables.build`` and what the exports read."""

from __future__ import annotations

import csv
import math
from pathlib import Path

import pandas as pd
import pytest

import watext.tables
from watext.model import GOAL_LABELS
from watext.tables.aggregate import build_tables
from watext.tables.export import export_tables
from watext.tables.frames import records, to_frames
from watext.tables.model import ComparisonTables
from watext.tables.write import write_tables
from watext.tag.registry import model_info

from .tables_fixture import DOUBT_CELL, NEAR_TEXT, sample_tables

PARTNERS = ["Brescia", "Bursa", "Chesterfield", "Darmstadt", "Freiberg", "Saanen", "Trondheim"]
LISTS = "list"  # a column of Python lists (object dtype)


def _kind(col: pd.Series) -> str:
    """``str``, ``bool``, ``int``, ``float``, ``Int`` (nullable) or ``list``: what a column holds."""
    if col.dtype == object and all(isinstance(v, list) for v in col):
        return LISTS
    if pd.api.types.is_bool_dtype(col):
        return "bool"
    if str(col.dtype) == "Int64":
        return "Int"
    if pd.api.types.is_integer_dtype(col):
        return "int"
    if pd.api.types.is_float_dtype(col):
        return "float"
    if pd.api.types.is_string_dtype(col) and all(isinstance(v, str) for v in col):
        return "str"
    return str(col.dtype)


EXPECTED = {
    "goals_matrix": {"city": "str", **{g: "bool" for g in GOAL_LABELS}},
    "goal_cells": {
        "city": "str", "goal": "str", "ticked": "bool", "verified": "bool", "doubtful": "bool",
        "fallback": "bool", "reviewed_against": "bool", "n_passages": "int", "n_verified": "int",
        "probability": "float", "max_confidence": "float", "passage_ids": LISTS, "binding": "str",
    },  # fmt: skip
    "guideline": {
        "city": "str", "status": "str", "orientation_kind": "str", "orientation_name": "str",
        "n_evidence": "int", "verified": "bool", "status_verified": "bool", "orientation_verified": "bool",
        "passage_ids": LISTS,
    },  # fmt: skip
    "measures": {"goal": "str", "measure": "str", "variants": LISTS, "cities": LISTS, "n_evidence": "int",
                 "verified": "bool", "passage_ids": LISTS, "binding": "str"},  # fmt: skip
    "responsibility": {"group": "str", "city": "str", "units": LISTS, "n_evidence": "int", "verified": "bool",
                       "passage_ids": LISTS},  # fmt: skip
    "funding": {"city": "str", "funds": "str", "staff": "str", "allocators": LISTS, "n_evidence": "int",
                "verified": "bool", "passage_ids": LISTS},  # fmt: skip
    "best_practice": {"name": "str", "cities": LISTS, "n_evidence": "int", "verified": "bool", "passage_ids": LISTS},
    "evidence": {
        "table": "str", "row": "int", "city": "str", "key": "str", "title": "str", "source": "str", "page": "Int",
        "format": "str", "text": "str", "confidence": "float", "verified": "bool", "origin": "str",
        "passage_id": "str", "document_id": "str", "binding": "str",
    },  # fmt: skip
    "warnings": {"city": "str", "questions": LISTS, "warning": "str"},
    "info": {"kind": "str", "key": "str", "value": "str"},
}
EXPECTED["candidates"] = EXPECTED["evidence"]


@pytest.fixture(scope="module")
def frames(partner_store) -> dict[str, pd.DataFrame]:  # noqa: F811
    return watext.tables.build(partner_store)


def _csv(path: Path) -> list[dict[str, str]]:
    with open(path, encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


def test_tables_build_is_the_public_function() -> None:
    assert callable(watext.tables.build) and watext.tables.build.__module__ == "watext.tables.frames"
    with pytest.raises(AttributeError):
        watext.tables.no_such_thing  # noqa: B018


def test_frames_columns_and_dtypes(frames) -> None:
    assert list(frames) == ["goals_matrix", "goal_cells", "guideline", "measures", "responsibility", "funding",
                            "best_practice", "evidence", "candidates", "warnings", "info"]  # fmt: skip
    for name, columns in EXPECTED.items():
        frame = frames[name]
        assert list(frame.columns) == list(columns), name
        assert isinstance(frame.index, pd.RangeIndex), name
        if len(frame):
            assert {c: _kind(frame[c]) for c in frame.columns} == columns, name
    assert str(frames["goal_cells"]["probability"].dtype) == "float64"
    assert str(frames["goal_cells"]["n_passages"].dtype) == "int64"
    assert frames["goal_cells"]["ticked"].dtype == bool


def test_frames_of_the_partner_cities(frames) -> None:
    matrix, cells = frames["goals_matrix"], frames["goal_cells"]
    assert matrix["city"].tolist() == PARTNERS
    assert len(cells) == len(PARTNERS) * len(GOAL_LABELS)
    assert cells[["city", "goal"]].drop_duplicates().shape[0] == len(cells)
    # the matrix is the goal cells' ticks, pivoted
    pivot = cells.pivot(index="city", columns="goal", values="ticked").loc[PARTNERS, list(GOAL_LABELS)]
    assert (pivot.to_numpy() == matrix[list(GOAL_LABELS)].to_numpy()).all()
    assert cells["probability"].between(0, 1).all()
    assert 0 < cells["doubtful"].sum() < len(cells)
    assert (cells["n_passages"] == cells["passage_ids"].map(len)).all()
    info = {(r["kind"], r["key"]): r["value"] for r in records(frames["info"])}
    assert info[("meta", "model_version")] == model_info().version
    assert ("rule", "goals") in info
    # every evidence row points at a row of its table that belongs to its city
    ev = frames["evidence"]
    assert set(ev["table"]) == {"goals", "guideline", "measures", "responsibility", "funding", "best_practice"}
    for table, frame in [("goals", cells), ("guideline", frames["guideline"]),
                         ("responsibility", frames["responsibility"]), ("funding", frames["funding"])]:  # fmt: skip
        rows = ev[ev["table"] == table]
        assert (frame.loc[rows["row"], "city"].to_numpy() == rows["city"].to_numpy()).all(), table
    for table, name in [("goals", "goal_cells"), ("measures", "measures"), ("responsibility", "responsibility"),
                        ("funding", "funding"), ("best_practice", "best_practice")]:  # fmt: skip
        rows = ev[ev["table"] == table]
        for i, row in frames[name].iterrows():
            assert rows.loc[rows["row"] == i, "passage_id"].tolist() == row["passage_ids"], (table, i)
    guideline = frames["guideline"]
    assert (guideline["n_evidence"] == guideline["passage_ids"].map(len)).all()
    assert guideline["passage_ids"].map(len).sum() >= (ev["table"] == "guideline").sum()


def test_frames_agree_with_the_csv_export(partner_store, frames, tmp_path: Path) -> None:  # noqa: F811
    write_tables(partner_store, tmp_path, model_info(), formats=["csv"])
    rows = _csv(tmp_path / "goals_cells.csv")
    cells = records(frames["goal_cells"])
    assert [(r["city"], r["goal"]) for r in rows] == [(c["city"], c["goal"]) for c in cells]
    for r, c in zip(rows, cells, strict=True):
        assert r["ticked"] == str(int(c["ticked"])) and r["doubtful"] == str(int(c["doubtful"]))
        assert int(r["n_passages"]) == c["n_passages"] and int(r["n_verified"]) == c["n_verified"]
        assert math.isclose(float(r["probability"]), c["probability"], abs_tol=5e-5)
    matrix = _csv(tmp_path / "goals_matrix.csv")
    assert [{g: r[g] == "1" for g in GOAL_LABELS} for r in matrix] == [
        {g: m[g] for g in GOAL_LABELS} for m in records(frames["goals_matrix"])]
    measures = _csv(tmp_path / "measures.csv")
    assert [(r["goal"], r["measure"], r["cities"].split("; "), int(r["n_evidence"])) for r in measures] == [
        (m["goal"], m["measure"], m["cities"], m["n_evidence"]) for m in records(frames["measures"])]
    guideline = _csv(tmp_path / "guideline.csv")
    assert [(r["city"], r["status"], r["orientation_name"], r["verified"]) for r in guideline] == [
        (g["city"], g["status"], g["orientation_name"], str(int(g["verified"]))) for g in records(frames["guideline"])]
    evidence = _csv(tmp_path / "evidence.csv")
    assert [(r["table"], r["passage_id"], r["key"]) for r in evidence] == list(
        frames["evidence"][["table", "passage_id", "key"]].itertuples(index=False, name=None))
    conf = frames["evidence"]["confidence"]
    assert [r["confidence"] == "" for r in evidence] == conf.isna().tolist()


def test_frames_follow_the_tables_object(partner_store, frames) -> None:  # noqa: F811
    info = model_info()
    tables = build_tables(partner_store, info.name, info.version, doubt_band=info.doubt_band)
    cells = records(frames["goal_cells"])
    assert len(cells) == len(tables.goals)
    for c, cell in zip(cells, tables.goals, strict=True):
        assert (c["city"], c["goal"], c["ticked"], c["doubtful"]) == (cell.city, cell.goal, cell.ticked, cell.doubtful)
        assert c["passage_ids"] == [e.passage_id for e in cell.evidence]
    rows = [(r.group, r.city, r.units) for r in tables.responsibility]
    assert [(r["group"], r["city"], r["units"]) for r in records(frames["responsibility"])] == rows
    n_candidates = sum(len(c.candidates) for c in tables.goals)
    assert n_candidates > 0 and len(frames["candidates"]) == n_candidates


def test_build_keeps_the_cities_asked_for(partner_store) -> None:  # noqa: F811
    frames = watext.tables.build(partner_store, cities=["Saanen", "Bursa"])
    assert frames["goals_matrix"]["city"].tolist() == ["Saanen", "Bursa"]
    assert set(frames["goal_cells"]["city"]) == {"Saanen", "Bursa"}
    assert set(frames["funding"]["city"]) == {"Saanen", "Bursa"}


def test_to_frames_warnings_candidates_and_missing_values() -> None:
    t = sample_tables()
    t.no_answer = {"Bursa": [1, 5]}
    f = to_frames(t)
    assert records(f["warnings"]) == [
        {"city": "Bursa", "questions": [1], "warning": t.warnings()[0]},
        {"city": "Bursa", "questions": [5], "warning": "Bursa: keine Antwort auf Frage 5 erkannt"},
    ]
    cells = f["goal_cells"]
    doubt = cells[(cells["city"] == DOUBT_CELL[0]) & (cells["goal"] == DOUBT_CELL[1])].index[0]
    near = f["candidates"]
    assert near.loc[near["row"] == doubt, "text"].tolist() == [NEAR_TEXT]
    assert cells["probability"].isna().sum() == len(cells) - 1  # the fixture sets one probability
    assert records(cells)[0]["probability"] is None  # NaN becomes None for the exporters
    assert f["evidence"]["page"].notna().all() and f["evidence"]["confidence"].isna().any()
    # who verified what: Darmstadt's status, Bursa's orientation (see tables_fixture)
    assert [(g["city"], g["status_verified"], g["orientation_verified"], g["verified"])
            for g in records(f["guideline"])] == [("Bursa", False, True, True), ("Chesterfield", False, False, False),
                                                  ("Darmstadt", True, False, True), ("Freiberg", False, False, False)]
    # a city without orientations keeps one guideline row with empty orientation columns
    t.guideline[0].orientations = []
    g = records(to_frames(t)["guideline"])[0]
    assert (g["city"], g["orientation_kind"], g["orientation_name"], g["n_evidence"]) == ("Bursa", "", "", 1)


def test_empty_tables_give_typed_empty_frames() -> None:
    f = to_frames(ComparisonTables([], [], [], [], [], [], []))
    assert all(len(frame) == 0 for frame in f.values())
    assert f["goal_cells"]["ticked"].dtype == bool and str(f["evidence"]["page"].dtype) == "Int64"
    assert str(f["goal_cells"]["probability"].dtype) == "float64" and str(f["measures"]["n_evidence"].dtype) == "int64"


def test_export_from_edited_frames(tmp_path: Path) -> None:
    t = sample_tables()
    export_tables(t, tmp_path / "tables", formats=["csv", "md"])
    f = to_frames(t)
    export_tables(f, tmp_path / "frames", formats=["csv", "md"])
    for name in ("goals_cells.csv", "measures.csv", "evidence.csv", "tables.md"):
        assert (tmp_path / "frames" / name).read_bytes() == (tmp_path / "tables" / name).read_bytes(), name
    # a notebook keeps only some measures: the export follows the frame
    f["measures"] = f["measures"][f["measures"]["goal"] == "teilhabe_integration"].reset_index(drop=True)
    export_tables(f, tmp_path / "edited", formats=["csv"])
    assert [r["measure"] for r in _csv(tmp_path / "edited" / "measures.csv")] == ["Sprachkurse"]
