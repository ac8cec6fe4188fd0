"""Saving model versions to the registry (reading them: :mod:`watext.tag.registry`)."""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import joblib

from watext.files import write_json, write_text
from watext.model import BODY_LABELS, TOPIC_LABELS
from watext.tag.nlp import rules_version
from watext.tag.registry import CURRENT_FILE, DEFAULT_NAME, META_FILE, MODEL_FILE, library_versions

__all__ = ["data_sha256", "save_model", "set_current_version"]


def data_sha256(path: str | Path) -> str:
    """SHA-256 of a training-data file."""
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()


def save_model(
    model: Any, root: str | Path, name: str = DEFAULT_NAME, *,
    data_hash: str | None = None, metrics: dict[str, Any] | None = None,
    set_current: bool = True, version_id: str | None = None, extra: dict[str, Any] | None = None,
) -> Path:  # fmt: skip
    """Write ``model`` and its ``meta.json`` (plus ``extra`` keys) to a new version dir;
    return that dir. ``set_current=False`` leaves ``CURRENT`` alone (not promoted)."""
    version_id = version_id or datetime.now(UTC).strftime("%Y%m%d-%H%M%S")
    out = Path(root) / name / version_id
    out.mkdir(parents=True, exist_ok=False)
    goals = model.goals_
    meta = {
        "name": name, "version": version_id,
        "created": datetime.now(UTC).isoformat(timespec="seconds"),
        "labels": [str(c) for c in goals.classes_],
        "body_labels": list(BODY_LABELS), "topic_labels": list(TOPIC_LABELS),
        "thresholds": {str(c): float(t) for c, t in zip(goals.classes_, goals.thresholds_)},
        "training_data_sha256": data_hash, "n_train": int(getattr(model, "n_train_", 0)),
        "rules_version": rules_version(), "libraries": library_versions(),
        "metrics": metrics or {}, **(extra or {}),
    }  # fmt: skip
    joblib.dump(model, out / MODEL_FILE, compress=("xz", 9))  # keeps the shipped model small
    write_json(out / META_FILE, meta, indent=2)
    if set_current:
        set_current_version(out)
    return out


def set_current_version(version_dir: Path) -> None:
    """Make ``version_dir`` its name's CURRENT version (atomically)."""
    write_text(version_dir.parent / CURRENT_FILE, version_dir.name + "\n")
