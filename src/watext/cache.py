"""A per-user cache of things watext derives from shipped files and can always rebuild:
the question recogniser fitted on its rule files, a model unpacked from its compressed
``model.joblib``. Entries are pickles written by this user's own watext (never files from
elsewhere), read with the C unpickler. Every process of the service pays these at start (a scheduled run is a
process of its own), so reading them back saves ~4 s per run.

Where: ``WATEXT_CACHE_DIR``, else ``$XDG_CACHE_HOME/watext``, else ``~/.cache/watext``.
A key names the inputs and the library versions; a damaged or unreadable entry is rebuilt,
and a cache that cannot be written is simply not used.
"""

from __future__ import annotations

import hashlib
import logging
import os
import pickle
from collections.abc import Callable
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from typing import TypeVar

from watext.files import write_with

__all__ = ["cache_dir", "cached", "file_key"]

log = logging.getLogger(__name__)
KEEP = 3  # entries kept per kind
T = TypeVar("T")


def cache_dir() -> Path:
    base = os.environ.get("WATEXT_CACHE_DIR") or os.path.join(
        os.environ.get("XDG_CACHE_HOME") or os.path.expanduser("~/.cache"), "watext")
    return Path(base)


def _libs() -> str:
    parts = []
    for pkg in ("watext", "scikit-learn", "numpy", "scipy"):
        try:
            parts.append(version(pkg))
        except PackageNotFoundError:
            parts.append("?")
    return "-".join(parts)


def file_key(*paths: Path) -> str:
    """A short key over the names, sizes and modification times of ``paths``."""
    h = hashlib.sha256(_libs().encode())
    for p in paths:
        st = p.stat()
        h.update(f"{p.resolve()}|{st.st_size}|{st.st_mtime_ns}".encode())
    return h.hexdigest()[:20]


def cached(kind: str, key: str, build: Callable[[], T]) -> T:
    """``build()``, or what an earlier ``build()`` of the same kind and key left in the cache."""
    path = cache_dir() / f"{kind}-{key}.pickle"
    if path.exists():
        try:
            with path.open("rb") as fh:
                return pickle.load(fh)  # type: ignore[no-any-return]  # C unpickler: joblib's is pure Python
        except Exception as exc:  # noqa: BLE001 - a damaged entry is rebuilt
            log.warning("cache entry %s unreadable (%s); rebuilding it", path.name, exc)
    value = build()
    try:
        write_with(path, lambda tmp: tmp.write_bytes(pickle.dumps(value, protocol=5)))
        _prune(kind)
    except OSError as exc:
        log.info("cache not written (%s)", exc)
    return value


def _prune(kind: str, keep: int = KEEP) -> None:
    """Drop all but the ``keep`` newest entries of ``kind`` (older models, older rules)."""
    entries = sorted(cache_dir().glob(f"{kind}-*"), key=lambda p: p.stat().st_mtime, reverse=True)
    for old in entries[keep:]:
        old.unlink(missing_ok=True)
