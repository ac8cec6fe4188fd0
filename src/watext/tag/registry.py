"""Reading the model registry: ``models/<name>/<version>/{model.joblib,meta.json}`` plus ``CURRENT``.

Saving a new version is the training room's job (:mod:`watext.train.registry`).

``version`` is the UTC time of saving (``YYYYMMDD-HHMMSS``); ``models/<name>/CURRENT``
holds the version in use. :func:`load_model` validates ``meta.json`` before unpickling:
labels must equal the taxonomy (:mod:`watext.model`) and scikit-learn / spaCy must
have the same major.minor version, else :class:`~watext.errors.ModelMismatchError`.
"""

from __future__ import annotations

import json
import platform
from dataclasses import dataclass
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from typing import Any

import joblib

from watext.cache import cached, file_key
from watext.errors import ConfigError, ModelMismatchError
from watext.model import BODY_LABELS, GOAL_LABELS, TOPIC_LABELS
from watext.settings import get_settings

__all__ = [
    "CURRENT_FILE", "DEFAULT_NAME", "META_FILE", "MODEL_FILE", "ModelInfo", "current_version", "library_versions",
    "load_model", "model_info", "read_meta", "resolve_model_dir", "validate_meta",
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


def _major_minor(v: str) -> str:
    return ".".join(v.split(".")[:2])


def current_version(root: str | Path, name: str = DEFAULT_NAME) -> str:
    """The version named in ``models/<name>/CURRENT``; ConfigError when there is none."""
    pointer = Path(root) / name / CURRENT_FILE
    if not pointer.exists():
        raise ConfigError(f"no current model: {pointer} missing (run `watext train`)")
    return pointer.read_text(encoding="utf-8").strip()


def resolve_model_dir(model_dir: str | Path | None, root: str | Path | None = None) -> Path:
    """``model_dir`` itself, ``<model_dir>/<CURRENT>`` for a name dir, or the current
    version under ``root`` (default :attr:`Settings.models_dir <watext.settings.Settings.models_dir>`)."""
    if model_dir is None:
        root = Path(root) if root is not None else get_settings().models_dir
        return root / DEFAULT_NAME / current_version(root)
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
    model_file = p / MODEL_FILE
    # the shipped file is xz-compressed (small to ship, ~2 s to unpack): unpacked once per user
    return cached("model", file_key(model_file), lambda: joblib.load(model_file)), meta


@dataclass(frozen=True, slots=True)
class ModelInfo:
    """Which model the tables are built from: name, version and its doubt band."""

    name: str | None
    version: str | None
    doubt_band: tuple[float, float] | None = None


def model_info(model_dir: str | Path | None = None) -> ModelInfo:
    """:class:`ModelInfo` of the given (or current) model, from its ``meta.json``."""
    meta = read_meta(resolve_model_dir(model_dir))
    band = ((meta.get("metrics") or {}).get("doubt") or {}).get("band")
    return ModelInfo(meta.get("name"), meta.get("version"), (float(band[0]), float(band[1])) if band else None)
