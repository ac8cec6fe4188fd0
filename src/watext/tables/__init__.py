"""The comparison tables: aggregation (:mod:`~watext.tables.aggregate`), the tables as
pandas DataFrames (:mod:`~watext.tables.frames`) and their exports (:mod:`~watext.tables.export`).

In a notebook::

    from watext.store import open_store
    import watext.tables

    frames = watext.tables.build(open_store("sqlite:///watext.db"))
    frames["goals_matrix"]

:func:`build` and :func:`to_frames` are loaded on first use, so importing a submodule such
as :mod:`watext.tables.model` does not import pandas.
"""

from __future__ import annotations

from typing import Any

__all__ = ["FRAMES", "build", "to_frames"]


def __getattr__(name: str) -> Any:
    if name in __all__:
        from watext.tables import frames

        return getattr(frames, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
