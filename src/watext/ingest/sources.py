"""What a reprocessing run of a watched folder has to do, decided without reading files.

:func:`scan` lists the folder's files (the source's glob, hidden and temp files skipped,
links outside the folder refused as in every batch) with size and mtime. :func:`plan`
compares them with what the store saw last time (:class:`~watext.model.FileState`):

- same size and mtime, read by the current extraction: **unchanged**, not opened;
- size or mtime differ: **check** (hashed; same bytes are still unchanged);
- read by an older extraction (another watext version, enrichment rules or passage
  length): **reextract**; only those files are read again;
- failing and not due yet (back-off): **wait**;
- known but no longer there: **removed**.
"""

from __future__ import annotations

import fnmatch
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from watext.ingest.discover import Entry, discover_entries
from watext.model import FileState

__all__ = ["Found", "Plan", "plan", "scan"]


@dataclass(frozen=True, slots=True)
class Found:
    entry: Entry
    size: int | None
    mtime_ns: int | None

    @property
    def path(self) -> str:
        return str(self.entry.path)


@dataclass(slots=True)
class Plan:
    unchanged: list[Found] = field(default_factory=list)
    check: list[Found] = field(default_factory=list)  # new files, and files whose size or mtime changed
    reextract: list[Found] = field(default_factory=list)
    wait: list[Found] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)

    def to_read(self) -> list[Found]:
        return self.check + self.reextract


def _matches(rel: str, pattern: str) -> bool:
    if pattern in ("**/*", "**", "*") or fnmatch.fnmatch(rel, pattern):
        return True
    return pattern.startswith("**/") and fnmatch.fnmatch(rel.rsplit("/", 1)[-1], pattern[3:])


def scan(folder: Path, glob: str = "**/*", follow_symlinks: bool = False) -> list[Found]:
    """The files of a watched folder with their size and mtime (a missing folder: none)."""
    if not folder.is_dir():
        return []
    out = []
    for e in discover_entries([folder], follow_symlinks):
        try:
            rel = e.path.relative_to(folder).as_posix()
        except ValueError:
            rel = e.path.name
        if not _matches(rel, glob):
            continue
        try:
            st = e.path.stat() if e.code is None else None
        except OSError:
            st = None
        out.append(Found(e, st.st_size if st else None, st.st_mtime_ns if st else None))
    return out


def plan(found: list[Found], known: dict[str, FileState], extraction: Callable[[str], str], now: datetime) -> Plan:
    """Sort ``found`` files by what a run must do with them (see the module docstring);
    ``extraction(format)`` is the current extraction version of a format."""
    result = Plan()
    here = {f.path for f in found}
    for f in found:
        old = known.get(f.path)
        same_bytes = old is not None and f.size is not None and (old.size, old.mtime_ns) == (f.size, f.mtime_ns)
        if old is None or old.state == "removed" or not same_bytes:
            result.check.append(f)
        elif old.state == "failed":
            due = old.next_attempt is None or datetime.fromisoformat(old.next_attempt) <= now
            (result.check if due else result.wait).append(f)
        elif old.extraction and old.extraction != extraction(old.extraction.split(":", 1)[0]):
            result.reextract.append(f)
        else:
            result.unchanged.append(f)
    result.removed = sorted(p for p, s in known.items() if p not in here and s.state != "removed")
    return result
