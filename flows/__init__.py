"""Prefect flows of watext: wiring only. Each flow opens the store named by ``WATEXT_DB``
and runs one :mod:`watext.pipeline` function with ``step=flows.tasks.as_task``.

``FLOWS`` maps a pipeline function's name to its flow (what ``watext.cli`` runs)."""

from __future__ import annotations

from typing import Any

from flows.classify import classify_flow
from flows.ingest import ingest_flow
from flows.oparl import sync_oparl_flow
from flows.reprocess import rebuild_tables_flow, reclassify_flow, reprocess_flow
from flows.tables import run_flow, tables_flow
from flows.train import train_flow

__all__ = ["FLOWS"]

FLOWS: dict[str, Any] = {
    "ingest": ingest_flow, "classify": classify_flow, "build_tables": tables_flow, "run": run_flow,
    "train": train_flow, "reprocess": reprocess_flow, "reclassify": reclassify_flow,
    "rebuild_sources": rebuild_tables_flow, "sync_oparl": sync_oparl_flow,
}  # fmt: skip
