"""Batch runner with an optional terminal progress bar, shared by the CLI and flows."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from contextlib import nullcontext
from typing import Any

from .ingest import BatchResult, FileResult, discover, ingest_paths
from .settings import Settings
from .store import open_store

__all__ = ["batch_summary", "progress_callback", "run_with_progress"]


def progress_callback(total: int, enabled: bool) -> tuple[Any, Callable[[FileResult], None]]:
    """A rich progress bar (on stderr) and the callback that advances it."""
    if not enabled or total < 2:
        return nullcontext(), lambda _r: None
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

    bar = Progress(
        TextColumn("ingest"), BarColumn(), MofNCompleteColumn(), TimeRemainingColumn(),
        TextColumn("{task.description}"), console=Console(stderr=True), transient=True,
    )
    task = bar.add_task("", total=total)

    def advance(result: FileResult) -> None:
        name = result.source.rsplit("/", 1)[-1]
        bar.update(task, advance=1, description=f"{result.status}: {name}"[:60])

    return bar, advance


def batch_summary(batch: BatchResult) -> dict[str, Any]:
    summary = batch.summary()
    summary["failures"] = [
        {"source": f.source, "code": f.code, "reason": f.reason} for f in batch.failed
    ]
    return summary


def run_with_progress(
    paths: Sequence[str], settings: Settings, city: str | None, progress: bool
) -> dict[str, Any]:
    """Ingest ``paths`` in-process; returns the summary with the failures listed."""
    bar, advance = progress_callback(len(discover(paths)) if progress else 0, progress)
    with open_store(settings.db) as store, bar:
        batch = ingest_paths(paths, store, settings, city, on_result=advance)
    return batch_summary(batch)
