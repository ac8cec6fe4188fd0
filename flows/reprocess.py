"""Prefect flows of the service (wiring only): ``watext-reprocess`` (one watched source),
``watext-reclassify`` (a new current model) and ``watext-rebuild-tables``.

They take the config file's path, never a database URL (Prefect keeps parameters; a URL
may hold a password): the store is the config's ``[store] db``.
"""

from __future__ import annotations

import flows._prefect  # noqa: F401 - analytics off; the temporary server dies with us

from collections.abc import Iterator  # noqa: E402
from contextlib import contextmanager  # noqa: E402
from typing import Any  # noqa: E402

from prefect import flow  # noqa: E402

from flows.tasks import as_task  # noqa: E402
from watext import pipeline  # noqa: E402
from watext.settings import Settings, get_settings  # noqa: E402
from watext.sources import ServiceConfig, load_config  # noqa: E402
from watext.store import Store, open_store  # noqa: E402


@contextmanager
def _service(config: str) -> Iterator[tuple[ServiceConfig, Settings, Store]]:
    """The config, its settings and its open store."""
    cfg = load_config(config)
    with open_store(cfg.db) as store:
        yield cfg, get_settings(db=cfg.db), store


@flow(name="watext-reprocess")
def reprocess_flow(config: str, source: str) -> dict[str, Any]:
    """One run over the watched source ``source`` of ``config``; returns its change report."""
    with _service(config) as (cfg, settings, store):
        return pipeline.reprocess(store, settings, cfg.source(source), step=as_task)


@flow(name="watext-reclassify")
def reclassify_flow(config: str) -> dict[str, Any]:
    """Predict with the current model what has no prediction of it; rebuild every source."""
    with _service(config) as (cfg, settings, store):
        return pipeline.reclassify(store, settings, cfg.sources, step=as_task)


@flow(name="watext-rebuild-tables")
def rebuild_tables_flow(config: str) -> dict[str, Any]:
    """Rebuild the tables and change reports of every source now."""
    with _service(config) as (cfg, settings, store):
        return pipeline.rebuild_sources(store, settings, cfg.sources, step=as_task)
