"""Training a new model version: cross-validate, compare with the current one, fit, save.

:func:`train_model` takes the gold file and the review corrections as records; it never
opens the store (the pipeline reads the corrections and passes them in).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sklearn.base import clone

from watext.files import write_jsonl
from watext.tag.registry import DEFAULT_NAME
from watext.tag.tagger import WatextModel
from watext.train.dataset import merge_training, records_sha256
from watext.train.evaluate import cross_validate, format_report, load_gold
from watext.train.promote import CORRECTIONS_FILE, compare_with_current
from watext.train.registry import data_sha256, save_model, set_current_version

__all__ = ["report", "train_model"]


def _version_id(root: str | Path, name: str) -> str:
    """A new version id (UTC seconds; ``-2``, ``-3``… when that second is taken)."""
    base = datetime.now(UTC).strftime("%Y%m%d-%H%M%S")
    vid, n = base, 1
    while (Path(root) / name / vid).exists():
        n += 1
        vid = f"{base}-{n}"
    return vid


def train_model(
    gold: str | Path, out: str | Path, name: str = DEFAULT_NAME, k: int = 5, evaluate: bool = True, *,
    corrections: Sequence[dict[str, Any]] = (), force: bool = False, model: Any = None,
) -> tuple[Path, dict[str, Any]]:  # fmt: skip
    """Cross-validate on ``gold`` plus ``corrections`` (gold-format records of reviewed
    passages: :func:`watext.train.dataset.correction_records`), grouped by city; fit on
    all of it and save a new version to the registry under ``out``.

    The version becomes CURRENT only if its CV macro-F1 is not below the current model's
    on the same folds (:mod:`watext.train.promote`), or with ``force``; without evaluation
    it always does. ``model`` is the unfitted configuration (default :class:`WatextModel`).
    Returns the version dir and the CV result, with ``result["promotion"]``."""
    gold_records = load_gold(gold)
    corrections = list(corrections)
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
        set_current_version(path)
    result = {**result, "promotion": {**decision, "promoted": promote, "version": path.name}}
    return path, result


def report(result: dict[str, Any]) -> str:
    """The metrics table of a CV result (empty when evaluation was skipped)."""
    return format_report(result) if result.get("model") else "(no evaluation)"
