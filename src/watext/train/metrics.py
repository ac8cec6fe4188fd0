"""Evaluation metrics of watext (pure functions over gold and predicted values)."""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

import numpy as np

__all__ = [
    "accuracy", "body_name_match", "goal_metrics", "normalize_name", "reliability_table",
]

_ENDING = re.compile(r"(es|en|em|er|e|s|n)$")


def normalize_name(name: str | None) -> str | None:
    """Case- and inflection-insensitive key of a body name ("des Kommunalen Integrationszentrums"
    and "Kommunales Integrationszentrum" agree): lowercase, articles dropped, endings cut."""
    if not name:
        return None
    words = re.findall(r"[\w()-]+", name.lower())
    words = [w for w in words if w not in {"der", "des", "dem", "den", "die", "das", "the"}]
    return " ".join(_ENDING.sub("", w) if len(w) > 4 else w for w in words)


def _prf(tp: int, fp: int, fn: int) -> tuple[float, float, float]:
    p = tp / (tp + fp) if tp + fp else 0.0
    r = tp / (tp + fn) if tp + fn else 0.0
    f = 2 * p * r / (p + r) if p + r else 0.0
    return p, r, f


def reliability_table(y: np.ndarray, p: np.ndarray, bins: int = 10) -> list[dict[str, Any]]:
    """Calibration bins over [0, 1]: count, mean predicted probability, observed frequency."""
    y, p = np.ravel(y).astype(float), np.ravel(p).astype(float)
    idx = np.minimum((p * bins).astype(int), bins - 1)
    rows = []
    for b in range(bins):
        m = idx == b
        n = int(m.sum())
        rows.append({
            "bin": f"{b / bins:.1f}-{(b + 1) / bins:.1f}", "n": n,
            "mean_p": round(float(p[m].mean()), 4) if n else None,
            "observed": round(float(y[m].mean()), 4) if n else None,
        })  # fmt: skip
    return rows


def goal_metrics(
    labels: Sequence[str], Y: np.ndarray, Yhat: np.ndarray, P: np.ndarray | None = None
) -> dict[str, Any]:
    """Per-label precision/recall/F1/support (+ Brier with probabilities ``P``), macro-F1,
    micro-F1 and, with ``P``, a pooled 10-bin reliability table."""
    per: dict[str, dict[str, Any]] = {}
    TP = FP = FN = 0
    for j, lab in enumerate(labels):
        y, yh = Y[:, j].astype(bool), Yhat[:, j].astype(bool)
        tp, fp, fn = int((y & yh).sum()), int((~y & yh).sum()), int((y & ~yh).sum())
        TP, FP, FN = TP + tp, FP + fp, FN + fn
        p, r, f = _prf(tp, fp, fn)
        per[lab] = {"precision": round(p, 4), "recall": round(r, 4), "f1": round(f, 4),
                    "support": int(y.sum())}
        if P is not None:
            per[lab]["brier"] = round(float(np.mean((P[:, j] - y) ** 2)), 4)
    out: dict[str, Any] = {
        "per_label": per,
        "macro_f1": round(float(np.mean([v["f1"] for v in per.values()])), 4),
        "micro_f1": round(_prf(TP, FP, FN)[2], 4),
    }
    if P is not None:
        out["reliability"] = reliability_table(Y, P)
    return out


def accuracy(gold: Sequence[Any], pred: Sequence[Any]) -> float:
    """Share of equal values (``None`` is a value: no body / no topic)."""
    if not gold:
        return 0.0
    return round(sum(g == p for g, p in zip(gold, pred)) / len(gold), 4)


def body_name_match(gold: Sequence[str | None], pred: Sequence[str | None]) -> dict[str, Any]:
    """Exact match (after :func:`normalize_name`) on passages whose gold body_name is set."""
    pairs = [(normalize_name(g), normalize_name(p)) for g, p in zip(gold, pred) if g]
    hits = sum(g == p for g, p in pairs)
    return {"n": len(pairs), "exact": round(hits / len(pairs), 4) if pairs else None}
