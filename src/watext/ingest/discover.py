"""Which files a batch reads: folders expanded, hidden and temp files skipped, and
links outside the given paths refused (with a reason the batch stores)."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

__all__ = ["Entry", "discover_entries"]

_IGNORED_NAMES = {"thumbs.db", "desktop.ini"}


@dataclass(frozen=True, slots=True)
class Entry:
    """A file found by :func:`discover_entries`; ``code``/``reason`` set when it must not be read."""

    path: Path
    code: str | None = None
    reason: str | None = None


def _skip_name(rel: tuple[str, ...], name: str) -> bool:
    return any(part.startswith(".") for part in rel) or name.startswith("~$") or name.lower() in _IGNORED_NAMES


def discover_entries(paths: Iterable[str | Path], follow_symlinks: bool = False) -> list[Entry]:
    """Expand folders recursively into files (sorted); skip hidden and temp files.

    Never raises for one bad path: a path that does not exist is returned as it is (the
    batch records it), a link loop or an unreadable folder becomes an entry with code
    ``unreadable``, and a symbolic link whose target lies outside the given paths one with
    code ``outside_input`` (unless ``follow_symlinks``). Folders are walked without
    following links, so nothing outside the input is read by accident.
    """
    paths = [Path(p) for p in paths]
    roots: list[Path] = []
    for p in paths:
        try:
            roots.append(p.resolve(strict=False))
        except (OSError, RuntimeError):
            pass
    out: list[Entry] = []

    def inside(target: Path) -> bool:
        return any(target == r or r in target.parents for r in roots)

    def check_link(q: Path) -> Entry | None:
        if not q.is_symlink():
            return None
        try:
            target = q.resolve(strict=True)
        except (OSError, RuntimeError) as exc:
            what = "a symbolic link loop" if isinstance(exc, RuntimeError) or "loop" in str(exc).lower() \
                else "a broken symbolic link"
            return Entry(q, "unreadable", f"{what}; not read")
        if not follow_symlinks and not inside(target):
            return Entry(q, "outside_input", f"symbolic link to {target}, outside the given paths; not read "
                                             "(--follow-symlinks reads it)")  # fmt: skip
        return None

    for p in paths:
        bad = check_link(p) if p.is_symlink() and not p.is_dir() else None
        if bad:
            out.append(bad)
            continue
        try:
            is_dir = p.is_dir()
        except OSError as exc:
            out.append(Entry(p, "unreadable", f"cannot be opened: {exc.strerror or exc}"))
            continue
        if not is_dir:
            out.append(Entry(p))
            continue
        out.extend(sorted(_walk(p, check_link, follow_symlinks, set()), key=lambda e: str(e.path)))
    seen: set[str] = set()
    unique = []
    for e in out:
        try:
            key = str(e.path.resolve()) if e.code is None else f"{e.code}:{e.path}"
        except (OSError, RuntimeError):
            key = f"unreadable:{e.path}"
        if key not in seen:
            seen.add(key)
            unique.append(e)
    return unique


def _walk(top: Path, check_link: Callable[[Path], Entry | None], follow: bool, visited: set[Path]) -> list[Entry]:
    """Files under ``top`` without following links (a followed link's folder is walked
    once, as a folder of its own)."""
    found: list[Entry] = []
    try:
        visited.add(top.resolve())
    except (OSError, RuntimeError):
        pass

    def walk_error(exc: OSError) -> None:
        found.append(Entry(Path(exc.filename or top), "unreadable", f"cannot be opened: {exc.strerror or exc}"))

    for dirpath, dirnames, filenames in os.walk(top, onerror=walk_error, followlinks=False):
        base = Path(dirpath)
        rel_dir = base.relative_to(top).parts
        dirnames[:] = sorted(d for d in dirnames if not d.startswith("."))
        for d in list(dirnames):
            q = base / d
            if not q.is_symlink():
                continue
            dirnames.remove(d)
            bad = check_link(q)
            if bad:
                found.append(bad)
            elif follow and q.resolve() not in visited:
                found.extend(_walk(q, check_link, follow, visited))
            # a link to a folder inside the input: its files are found under their own path
        for name in sorted(filenames):
            if not _skip_name((*rel_dir, name), name):
                q = base / name
                found.append(check_link(q) or Entry(q))
    return found
