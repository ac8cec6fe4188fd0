"""Evaluation of watext models on gold JSON lines, against rule baselines.

- :func:`cross_validate`: ``GroupKFold`` by city (k=5, fewer with fewer cities); each
  fold fits a fresh clone of the model; metrics are pooled over the out-of-fold predictions.
- :func:`evaluate_model`: a fitted model on a held-out file (no CV).

Both return a JSON-ready dict (``model``, ``baseline``, ``margin``) and
:func:`format_report` renders it as a text table (model vs baseline, margin per label).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np
from sklearn.base import clone
from sklearn.model_selection import GroupKFold

from watext.errors import ConfigError
from watext.files import read_jsonl
from watext.train.baselines import KeywordBaseline, RegexBodyBaseline
from watext.model import BODY_LABELS, GOAL_LABELS, TOPIC_LABELS
from watext.train.metrics import accuracy, body_name_match, goal_metrics

__all__ = [
    "choose_doubt_band", "city_folds", "cross_validate", "evaluate_model", "format_report", "goal_cells_oof",
    "load_gold",
]  # fmt: skip

Record = Mapping[str, Any]


def load_gold(path: str | Path) -> list[dict[str, Any]]:
    """Read and validate gold JSON lines (labels, body and topic ids must be taxonomy ids)."""
    path = Path(path)
    records = []
    for no, r in read_jsonl(path):
        bad = set(r.get("labels") or []) - set(GOAL_LABELS)
        if not isinstance(r.get("text"), str) or bad:
            raise ConfigError(f"{path.name}:{no}: missing text or unknown labels {sorted(bad)}")
        if r.get("body") not in (None, *BODY_LABELS) or r.get("topic") not in (None, *TOPIC_LABELS):
            raise ConfigError(f"{path.name}:{no}: unknown body {r.get('body')!r} or topic {r.get('topic')!r}")
        records.append(r)
    return records


def _group(r: Record) -> str:
    return str(r.get("city") or r.get("id", "").split("-")[0]).strip().lower()


def city_folds(records: Sequence[Record], k: int = 5) -> list[tuple[np.ndarray, np.ndarray]]:
    """(train, test) index arrays of ``GroupKFold`` by city; at most one fold per city."""
    groups = np.array([_group(r) for r in records])
    n = min(k, len(set(groups)))
    if n < 2:
        raise ConfigError("grouped cross-validation needs gold from at least two cities")
    return list(GroupKFold(n_splits=n).split(np.zeros(len(records)), groups=groups))


def _indicator(rows: Sequence[Sequence[str]]) -> np.ndarray:
    return np.array([[int(lab in set(r or ())) for lab in GOAL_LABELS] for r in rows]).reshape(-1, len(GOAL_LABELS))


def _scores(gold: Sequence[Record], preds: Sequence[Mapping[str, Any]]) -> dict[str, Any]:
    """Metrics of model predictions (dicts from ``WatextModel.predict``) against ``gold``."""
    P = np.array([[p["scores"][lab] for lab in GOAL_LABELS] for p in preds]).reshape(-1, len(GOAL_LABELS))
    out = goal_metrics(GOAL_LABELS, _indicator([g.get("labels") for g in gold]),
                       _indicator([p["labels"] for p in preds]), P)
    out["body_accuracy"] = accuracy([g.get("body") for g in gold], [p["body"] for p in preds])
    out["body_name"] = body_name_match([g.get("body_name") for g in gold], [p["body_name"] for p in preds])
    out["topic_accuracy"] = accuracy([g.get("topic") for g in gold], [p["topic"] for p in preds])
    return out


def _baseline_scores(gold: Sequence[Record]) -> dict[str, Any]:
    Yk = KeywordBaseline().predict(gold)
    out = goal_metrics(GOAL_LABELS, _indicator([g.get("labels") for g in gold]), Yk, Yk.astype(float))
    bodies = RegexBodyBaseline().predict(gold)
    out["body_accuracy"] = accuracy([g.get("body") for g in gold], [b for b, _ in bodies])
    out["body_name"] = body_name_match([g.get("body_name") for g in gold], [n for _, n in bodies])
    topics = [g.get("topic") for g in gold]
    majority = max(set(topics), key=topics.count) if topics else None
    out["topic_accuracy"] = accuracy(topics, [majority] * len(topics))  # majority class
    return out


def _compare(model: dict[str, Any], base: dict[str, Any]) -> dict[str, float]:
    margin = {lab: round(model["per_label"][lab]["f1"] - base["per_label"][lab]["f1"], 4)
              for lab in GOAL_LABELS}
    margin["macro_f1"] = round(model["macro_f1"] - base["macro_f1"], 4)
    margin["body_accuracy"] = round(model["body_accuracy"] - base["body_accuracy"], 4)
    return margin


#: Most cells a doubt band may flag (share of all cells), when it is chosen on training folds.
MAX_DOUBT_SHARE = 0.35
_BAND_GRID = [round(float(x), 2) for x in np.arange(0.0, 1.001, 0.05)]


def goal_cells_oof(records: Sequence[Record], preds: Sequence[Mapping[str, Any]]) -> list[dict[str, Any]]:
    """City × goal cells as the tables build them, from passages whose gold topic is
    ``verstaendnis`` (what question 1 answers are): ``truth`` = any gold passage carries the
    goal, ``ticked`` = any predicted passage does, ``p`` = noisy-or of the scores."""
    by_city: dict[str, list[int]] = {}
    for i, r in enumerate(records):
        if r.get("topic") == "verstaendnis":
            by_city.setdefault(_group(r), []).append(i)
    cells = []
    for city, idx in sorted(by_city.items()):
        for g in GOAL_LABELS:
            none = 1.0
            for i in idx:
                none *= 1.0 - float(preds[i]["scores"][g])
            cells.append({"city": city, "goal": g, "truth": any(g in (records[i].get("labels") or []) for i in idx),
                          "ticked": any(g in preds[i]["labels"] for i in idx), "p": round(1.0 - none, 4)})  # fmt: skip
    return cells


def choose_doubt_band(cells: Sequence[Mapping[str, Any]], max_share: float = MAX_DOUBT_SHARE) -> dict[str, Any]:
    """The band ``[low, high)`` of cell probabilities to flag as doubtful: most wrong cells
    caught, flagging at most ``max_share`` of the cells (ties: fewer flagged, then narrower)."""
    n = len(cells)
    wrong = [c for c in cells if c["ticked"] != c["truth"]]
    best = (-1, 0, 0.0, (0.1, 0.6))
    for lo in _BAND_GRID:
        for hi in _BAND_GRID:
            if hi <= lo:
                continue
            flagged = sum(lo <= c["p"] < hi for c in cells)
            if n and flagged > max_share * n:
                continue
            caught = sum(lo <= c["p"] < hi for c in wrong)
            key = (caught, -flagged, -(hi - lo))
            if key > best[:3]:
                best = (*key, (lo, hi))
    caught, neg_flagged, _, band = best
    return {"band": [float(band[0]), float(band[1])], "cells": n, "wrong": len(wrong), "caught": int(max(caught, 0)),
            "flagged": int(-neg_flagged), "max_share": max_share}


def cross_validate(records: Sequence[Record], model: Any = None, k: int = 5) -> dict[str, Any]:
    """Grouped-by-city CV of ``model`` (default :class:`WatextModel`) and the baselines."""
    from watext.tag.tagger import WatextModel

    model = model if model is not None else WatextModel()
    records = list(records)
    folds = city_folds(records, k)
    preds: list[dict[str, Any] | None] = [None] * len(records)
    fold_info = []
    for train, test in folds:
        fitted = clone(model).fit([records[i] for i in train])
        for i, p in zip(test, fitted.predict([records[i] for i in test])):
            preds[i] = p
        fold_info.append({"n_train": len(train), "n_test": len(test),
                          "cities": sorted({_group(records[i]) for i in test})})
    result = {"mode": f"grouped-cv-{len(folds)}", "n": len(records), "folds": fold_info,
              "model": _scores(records, preds), "baseline": _baseline_scores(records)}  # type: ignore[arg-type]
    result["margin"] = _compare(result["model"], result["baseline"])
    cells = goal_cells_oof(records, preds)  # type: ignore[arg-type]
    if cells:
        result["doubt"] = choose_doubt_band(cells)
    return result


def evaluate_model(model: Any, records: Sequence[Record]) -> dict[str, Any]:
    """Metrics of a fitted ``model`` on held-out ``records`` (no CV), with baselines."""
    records = list(records)
    preds = model.predict(records)
    result = {"mode": "held-out", "n": len(records),
              "model": _scores(records, preds), "baseline": _baseline_scores(records)}
    result["margin"] = _compare(result["model"], result["baseline"])
    cells = goal_cells_oof(records, preds)
    if cells:
        result["cells"] = {"n": len(cells), "right": sum(c["ticked"] == c["truth"] for c in cells)}
    return result


def format_report(result: Mapping[str, Any]) -> str:
    """Text table: per-label P/R/F1 and Brier of the model, baseline F1 and the margin."""
    m, b, d = result["model"], result["baseline"], result["margin"]
    lines = [f"evaluation: {result['mode']}, n={result['n']}",
             f"{'label':<28}{'P':>7}{'R':>7}{'F1':>7}{'Brier':>7}{'base F1':>9}{'margin':>8}{'n':>6}"]
    for lab in GOAL_LABELS:
        x, y = m["per_label"][lab], b["per_label"][lab]
        lines.append(f"{lab:<28}{x['precision']:>7.3f}{x['recall']:>7.3f}{x['f1']:>7.3f}"
                     f"{x.get('brier', 0):>7.3f}{y['f1']:>9.3f}{d[lab]:>+8.3f}{x['support']:>6}")
    lines.append(f"{'macro-F1':<49}{m['macro_f1']:>7.3f}{b['macro_f1']:>9.3f}{d['macro_f1']:>+8.3f}")
    lines.append(f"{'micro-F1':<49}{m['micro_f1']:>7.3f}{b['micro_f1']:>9.3f}")
    lines.append(f"{'body type accuracy':<49}{m['body_accuracy']:>7.3f}{b['body_accuracy']:>9.3f}"
                 f"{d['body_accuracy']:>+8.3f}")
    bn, bbn = m["body_name"], b["body_name"]
    fmt = lambda v: f"{v:.3f}" if v is not None else "  n/a"  # noqa: E731
    lines.append(f"{'body name exact (n=' + str(bn['n']) + ')':<49}{fmt(bn['exact']):>7}{fmt(bbn['exact']):>9}")
    lines.append(f"{'topic accuracy (baseline: majority)':<49}{m['topic_accuracy']:>7.3f}{b['topic_accuracy']:>9.3f}")
    lines.append("reliability (model, pooled over labels): " + ", ".join(
        f"{r['bin']}: n={r['n']} obs={r['observed']}" for r in m.get("reliability", []) if r["n"]))
    return "\n".join(lines)
