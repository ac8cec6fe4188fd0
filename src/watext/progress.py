"""A terminal progress bar on standard error, or nothing (the pipeline's ``progress`` flag)."""

from __future__ import annotations

from types import TracebackType
from typing import Any

__all__ = ["ProgressBar"]


class ProgressBar:
    """``with ProgressBar("ingest", n, enabled) as bar: bar.advance("new: a.pdf")``.

    Shows nothing unless ``enabled`` and there are at least two steps; rich is imported
    only then."""

    def __init__(self, label: str, total: int, enabled: bool) -> None:
        self._bar: Any = None
        self._task: Any = None
        if enabled and total >= 2:
            from rich.console import Console
            from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

            self._bar = Progress(
                TextColumn(label), BarColumn(), MofNCompleteColumn(), TimeRemainingColumn(),
                TextColumn("{task.description}"), console=Console(stderr=True), transient=True,
            )  # fmt: skip
            self._task = self._bar.add_task("", total=total)

    def advance(self, description: str = "") -> None:
        if self._bar is not None:
            self._bar.update(self._task, advance=1, description=description[:60])

    def __enter__(self) -> ProgressBar:
        if self._bar is not None:
            self._bar.__enter__()
        return self

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:  # fmt: skip
        if self._bar is not None:
            self._bar.__exit__(exc_type, exc, tb)
