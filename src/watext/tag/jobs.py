"""Plain functions behind ``watext train`` / ``watext classify`` and their Prefect flows.

Flows only sequence these; tests and ``--no-flow`` call them directly.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sklearn.base import clone

from .corrections import correction_records, merge_training, records_sha256, write_jsonl
from .evaluate import cross_validate, format_report, load_gold
from .predict import WatextModel
from .promote import CORRECTIONS_FILE, compare_with_current
from .registry import CURRENT_FILE, DEFAULT_NAME, data_sha256, load_model, resolve_model_dir, save_model

__all__ = ["classify_batch", "classify_store", "train_model"]


def _version_id(root: str | Path, name: str) -> str:
    """A new version id (UTC seconds; ``-2``, ``-3``… when that second is taken)."""
    base = datetime.now(UTC).strftime("%Y%m%d-%H%M%S")
    vid, n = base, 1
    while (Path(root) / name / vid).exists():
        n += 1
        vid = f"{base}-{n}"
    return vid


def train_model(
    gold: str | Path, out: str | Path = "models", name: str = DEFAULT_NAME, k: int = 5,
    evaluate: bool = True, *, db: str | None = None, store: Any = None, force: bool = False,
    model: Any = None,
) -> tuple[Path, dict[str, Any]]:  # fmt: skip
    """Cross-validate on ``gold`` plus the review corrections of ``store`` (or the store at
    ``db``), grouped by city; fit on all of it and save a new version to the registry.

    The version becomes CURRENT only if its CV macro-F1 is not below the current model's
    on the same folds (:mod:`watext.tag.promote`), or with ``force``; without evaluation
    it always does. ``model`` is the unfitted configuration (default :class:`WatextModel`).
    Returns the version dir and the CV result, with ``result["promotion"]``."""
    gold_records = load_gold(gold)
    corrections: list[dict[str, Any]] = []
    if store is not None:
        corrections = correction_records(store)
    elif db:
        from ..store import open_store

        with open_store(db) as st:
            corrections = correction_records(st)
    records, counts = merge_training(gold_records, corrections)
    template = model if model is not None else WatextModel()
    result = cross_validate(records, model=template, k=k) if evaluate else {}
    if result:
        decision = compare_with_current(template, result, records, gold_records, out, name, k)
    else:
        decision = {"promote": True, "reason": "not evaluated"}
    promote = bool(force or decision["promote"])
    if force and not decision["promote"]:
        decision["reason"] = "forced: " + decision["reason"]
    fitted = clone(template).fit(records)
    metrics = {key: result[key] for key in ("mode", "n", "model", "baseline", "margin", "doubt")
               if key in result} if result else {}  # fmt: skip
    data_hash = records_sha256(records) if corrections else data_sha256(gold)
    extra = {"promoted": promote, "reason": decision["reason"], "comparison": decision,
             "gold_sha256": data_sha256(gold), "corrections": {"n": len(corrections), **counts}}
    path = save_model(fitted, out, name, data_hash=data_hash, metrics=metrics, set_current=False,
                      version_id=_version_id(out, name), extra=extra)  # fmt: skip
    if corrections:
        write_jsonl(corrections, path / CORRECTIONS_FILE)
    if promote:  # only now: CURRENT never names a version without its corrections file
        (path.parent / CURRENT_FILE).write_text(path.name + "\n", encoding="utf-8")
    result = {**result, "promotion": {**decision, "promoted": promote, "version": path.name}}
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
    return format_report(result) if result.get("model") else "(no evaluation)"
