"""Plain functions behind ``watext train`` / ``watext classify`` and their Prefect flows.

Flows only sequence these; tests and ``--no-flow`` call them directly.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

from .evaluate import cross_validate, format_report, load_gold
from .predict import WatextModel
from .registry import DEFAULT_NAME, data_sha256, load_model, resolve_model_dir, save_model

__all__ = ["classify_batch", "classify_store", "train_model"]


def train_model(
    gold: str | Path, out: str | Path = "models", name: str = DEFAULT_NAME, k: int = 5,
    evaluate: bool = True,
) -> tuple[Path, dict[str, Any]]:  # fmt: skip
    """Cross-validate on ``gold`` (grouped by city), fit on all of it and save to the
    registry (new version, CURRENT updated). Returns the version dir and the CV result."""
    records = load_gold(gold)
    result = cross_validate(records, k=k) if evaluate else {}
    model = WatextModel().fit(records)
    metrics = {key: result[key] for key in ("mode", "n", "model", "baseline", "margin")} if result else {}
    path = save_model(model, out, name, data_hash=data_sha256(gold), metrics=metrics)
    return path, result


def classify_batch(store: Any, model: WatextModel, meta: dict[str, Any], rows: Sequence[dict[str, Any]]) -> int:
    """Predict ``rows`` (``{"id", "text", "lang"}``) and save the predictions; returns the count."""
    preds = model.predict(list(rows))
    return store.save_predictions([
        {"passage_id": r["id"], "model_name": meta["name"], "model_version": meta["version"],
         "labels": p["labels"], "scores": p["scores"], "body": p["body"],
         "body_name": p["body_name"], "topic": p["topic"]}
        for r, p in zip(rows, preds)
    ])  # fmt: skip


def classify_store(store: Any, model_dir: str | Path | None = None, batch: int = 500) -> dict[str, Any]:
    """Tag every stored passage lacking a prediction of the current (or given) model."""
    model, meta = load_model(resolve_model_dir(model_dir))
    n = 0
    for rows in store.passages_without_prediction(meta["name"], meta["version"], batch):
        n += classify_batch(store, model, meta, rows)
    return {"model": meta["name"], "version": meta["version"], "classified": n}


def report(result: dict[str, Any]) -> str:
    """The metrics table of a CV result (empty when evaluation was skipped)."""
    return format_report(result) if result else "(no evaluation)"
