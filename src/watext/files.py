"""Files watext reads and writes itself: JSON lines, and writes that are all or nothing.

- :func:`read_jsonl`: ``(line number, object)`` of a JSON-lines file; blank lines and
  ``//`` comments are skipped, a bad line raises :class:`~watext.errors.ConfigError`
  naming the file and line.
- :func:`atomic_path`: a temp path next to the target that replaces it only on success,
  so readers never see a half-written file (a crash leaves the old one, or none).
- :func:`write_text`, :func:`write_json`, :func:`write_jsonl`: built on it.
- :func:`sha256_files`: one short digest over rule files (changes when any rule does).
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import tempfile
from collections.abc import Callable, Iterable, Iterator, Mapping
from pathlib import Path
from typing import Any

from watext.errors import ConfigError

__all__ = [
    "atomic_path", "read_json", "read_jsonl", "read_records", "sha256_files", "write_json", "write_jsonl",
    "write_text", "write_with",
]  # fmt: skip


def read_jsonl(path: str | Path) -> Iterator[tuple[int, dict[str, Any]]]:
    """``(line number, object)`` for each JSON object line of ``path``."""
    path = Path(path)
    with path.open(encoding="utf-8") as fh:
        for no, line in enumerate(fh, 1):
            if not line.strip() or line.lstrip().startswith("//"):
                continue
            try:
                obj = json.loads(line)
            except json.JSONDecodeError as exc:
                raise ConfigError(f"{path.name}:{no}: invalid JSON: {exc}") from exc
            if not isinstance(obj, dict):
                raise ConfigError(f"{path.name}:{no}: expected an object")
            yield no, obj


def read_records(path: str | Path, missing_ok: bool = False) -> list[dict[str, Any]]:
    """All objects of a JSON-lines file (``[]`` for a missing file when ``missing_ok``)."""
    if missing_ok and not Path(path).exists():
        return []
    return [obj for _, obj in read_jsonl(path)]


def read_json(path: str | Path) -> Any:
    """A JSON rule or data file; invalid JSON raises ConfigError naming the file."""
    path = Path(path)
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise ConfigError(f"{path.name}: cannot be read: {exc}") from exc


@contextlib.contextmanager
def atomic_path(target: str | Path) -> Iterator[Path]:
    """Yield a temp path next to ``target``; on success it replaces ``target`` atomically
    (after fsync), on error it is removed."""
    target = Path(target)
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp_name = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
    os.close(fd)
    tmp = Path(tmp_name)
    try:
        yield tmp
        with open(tmp, "rb") as fh:
            os.fsync(fh.fileno())
        os.chmod(tmp, 0o666 & ~_umask())  # mkstemp makes 0600; an output is shared like any file
        os.replace(tmp, target)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            tmp.unlink()
        raise


def _umask() -> int:
    current = os.umask(0)
    os.umask(current)
    return current


def write_with(target: str | Path, writer: Callable[[Path], None]) -> Path:
    """Atomically write ``target`` with ``writer(tmp_path)``."""
    with atomic_path(target) as tmp:
        writer(tmp)
    return Path(target)


def write_text(target: str | Path, text: str, *, newline: str | None = None) -> Path:
    """Atomically write ``text`` (UTF-8) to ``target``."""
    with atomic_path(target) as tmp, open(tmp, "w", encoding="utf-8", newline=newline) as fh:
        fh.write(text)
    return Path(target)


def write_json(target: str | Path, data: Any, indent: int | None = 1) -> Path:
    """Atomically write ``data`` as JSON (non-ASCII kept, unknown types as strings)."""
    return write_text(target, json.dumps(data, ensure_ascii=False, indent=indent, default=str))


def write_jsonl(records: Iterable[Mapping[str, Any]], target: str | Path) -> int:
    """Atomically write ``records`` as JSON lines; returns how many were written."""
    n = 0
    with atomic_path(target) as tmp, open(tmp, "w", encoding="utf-8") as fh:
        for r in records:
            fh.write(json.dumps(r, ensure_ascii=False, default=str) + "\n")
            n += 1
    return n


def sha256_files(paths: Iterable[Path], length: int = 12) -> str:
    """Short SHA-256 over the names and bytes of ``paths`` (in sorted order)."""
    h = hashlib.sha256()
    for p in sorted(paths):
        h.update(p.name.encode())
        h.update(p.read_bytes())
    return h.hexdigest()[:length]
