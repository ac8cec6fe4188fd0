"""Model registry: ``models/<name>/<version>/{model.joblib,meta.json}`` plus ``CURRENT``.

``version`` is the UTC time of saving (``YYYYMMDD-HHMMSS``); ``models/<name>/CURRENT``
holds the version in use. :func:`load_model` validates ``meta.json`` before unpickling:
labels must equal the taxonomy (:mod:`watext.tag.labels`) and scikit-learn / spaCy must
have the same major.minor version, else :class:`~watext.errors.ModelMismatchError`.
"""

from __future__ import annotations

import hashlib
import json
import platform
from datetime import UTC, datetime
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from typing import Any

import joblib

from ..errors import ConfigError, ModelMismatchError
from .labels import BODY_LABELS, GOAL_LABELS, TOPIC_LABELS
from .nlp import rules_version

__all__ = [
    "DEFAULT_NAME", "current_version", "data_sha256", "library_versions", "load_model",
    "resolve_model_dir", "save_model",
]  # fmt: skip

DEFAULT_NAME = "watext-goals"
MODEL_FILE, META_FILE, CURRENT_FILE = "model.joblib", "meta.json", "CURRENT"
_CHECKED = ("scikit-learn", "spacy")


def _version(pkg: str) -> str:
    try:
        return version(pkg)
    except PackageNotFoundError:
        return "unknown"


def library_versions() -> dict[str, str]:
    """Versions of python, watext, scikit-learn, spacy and numpy in this process."""
    libs = {p: _version(p) for p in ("watext", "scikit-learn", "spacy", "numpy")}
    return {"python": platform.python_version(), **libs}


def data_sha256(path: str | Path) -> str:
    """SHA-256 of a training-data file."""
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()


def _major_minor(v: str) -> str:
    return ".".join(v.split(".")[:2])


def save_model(
    model: Any, root: str | Path = "models", name: str = DEFAULT_NAME, *,
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
    (out / META_FILE).write_text(json.dumps(meta, indent=2, ensure_ascii=False), encoding="utf-8")
    if set_current:
        (out.parent / CURRENT_FILE).write_text(version_id + "\n", encoding="utf-8")
    return out


#: ``models/`` of the checkout this code runs from (editable install).
_BUNDLED = Path(__file__).resolve().parents[3] / "models"


def current_version(root: str | Path = "models", name: str = DEFAULT_NAME) -> str:
    """The version named in ``models/<name>/CURRENT``; ConfigError when there is none."""
    pointer = Path(root) / name / CURRENT_FILE
    if not pointer.exists():
        raise ConfigError(f"no current model: {pointer} missing (run `watext train`)")
    return pointer.read_text(encoding="utf-8").strip()


def resolve_model_dir(model_dir: str | Path | None, root: str | Path = "models") -> Path:
    """``model_dir`` itself, ``<model_dir>/<CURRENT>`` for a name dir, or the default current."""
    if model_dir is None:
        if not (Path(root) / DEFAULT_NAME).exists() and (_BUNDLED / DEFAULT_NAME).exists():
            root = _BUNDLED  # run from elsewhere: the model shipped with the checkout
        return Path(root) / DEFAULT_NAME / current_version(root)
    p = Path(model_dir)
    if (p / CURRENT_FILE).exists() and not (p / META_FILE).exists():
        return p / (p / CURRENT_FILE).read_text(encoding="utf-8").strip()
    return p


def validate_meta(meta: dict[str, Any]) -> None:
    """Raise ModelMismatchError when ``meta`` does not fit this code and these libraries."""
    problems = []
    if list(meta.get("labels", [])) != list(GOAL_LABELS):
        problems.append(f"goal labels {meta.get('labels')} != taxonomy {list(GOAL_LABELS)}")
    for key, expected in (("body_labels", BODY_LABELS), ("topic_labels", TOPIC_LABELS)):
        if key in meta and list(meta[key]) != list(expected):
            problems.append(f"{key} {meta[key]} != taxonomy {list(expected)}")
    here, saved = library_versions(), meta.get("libraries", {})
    for lib in _CHECKED:
        if _major_minor(saved.get(lib, "?")) != _major_minor(here[lib]):
            problems.append(f"{lib} {saved.get(lib, '?')} at training, {here[lib]} installed")
    if problems:
        where = f"{meta.get('name', '?')}/{meta.get('version', '?')}"
        raise ModelMismatchError(f"model {where} does not match: " + "; ".join(problems)
                                 + " (retrain with `watext train`)")


def read_meta(path: str | Path) -> dict[str, Any]:
    """The ``meta.json`` of a model version dir (not validated)."""
    meta_path = Path(path) / META_FILE
    if not meta_path.exists():
        raise ConfigError(f"not a model directory (no {META_FILE}): {path}")
    return dict(json.loads(meta_path.read_text(encoding="utf-8")))


def load_model(path: str | Path) -> tuple[Any, dict[str, Any]]:
    """Load ``(model, meta)`` from a version dir after validating ``meta.json``."""
    p = Path(path)
    meta_path = p / META_FILE
    if not meta_path.exists():
        raise ConfigError(f"not a model directory (no {META_FILE}): {p}")
    meta = json.loads(meta_path.read_text(encoding="utf-8"))
    validate_meta(meta)
    return joblib.load(p / MODEL_FILE), meta
