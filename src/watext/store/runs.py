"""Batch-run bookkeeping of the store (mixed into :class:`watext.store.repo.Store`).

A run records the paths it was given and, while it runs, its owner (host and process id);
a run whose process died is closed as ``killed`` when the next run starts.
"""

from __future__ import annotations

import os
import socket
from collections.abc import Sequence
from typing import Any

from sqlalchemy import Engine, insert, select, update

from watext.procs import pid_alive
from watext.store.engine import _db_errors
from watext.store.schema import RunRow, utcnow

__all__ = ["RunsMixin"]

R = RunRow.__table__


class RunsMixin:
    """Methods of the store for batch runs (needs ``_engine``)."""

    _engine: Engine

    def start_run(self, paths: Sequence[str]) -> int:
        """Open a batch run over ``paths``; returns its id for :meth:`finish_run`. Runs that
        were left open by a process of this machine that no longer runs are closed first,
        with status ``killed``."""
        with _db_errors("starting a run"), self._engine.begin() as conn:
            self._close_killed_runs(conn)
            owner = {"status": "running", "host": socket.gethostname(), "pid": os.getpid()}
            values = {"started_at": utcnow(), "paths": [str(p) for p in paths], "counts": owner}
            return int(conn.execute(insert(R).values(values).returning(R.c.id)).scalar_one())

    @staticmethod
    def _close_killed_runs(conn: Any) -> int:
        """Close open runs whose process is gone (same host, pid not alive) as ``killed``;
        open runs without an owner (written before owners were recorded) after a day."""
        host, now, n = socket.gethostname(), utcnow(), 0
        for row in conn.execute(select(R.c.id, R.c.started_at, R.c.counts).where(R.c.finished_at.is_(None))):
            owner = row.counts or {}
            if owner.get("host") == host and isinstance(owner.get("pid"), int):
                dead = not pid_alive(owner["pid"])
            else:
                dead = not owner and (now - row.started_at).total_seconds() > 86_400
            if dead:
                conn.execute(update(R).where(R.c.id == row.id).values(
                    finished_at=now, counts={**owner, "status": "killed"}))  # fmt: skip
                n += 1
        return n

    def finish_run(self, run_id: int, counts: dict[str, Any]) -> None:
        """Close run ``run_id`` with its result counts. Raises ``KeyError`` if unknown."""
        with _db_errors("finishing a run"), self._engine.begin() as conn:
            counts = {**counts, "status": "finished"}
            stmt = update(R).where(R.c.id == run_id).values(finished_at=utcnow(), counts=counts)
            if conn.execute(stmt).rowcount == 0:
                raise KeyError(run_id)
