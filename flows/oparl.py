"""Prefect flow: sync an OParl server into the store (wiring only:
:func:`watext.pipeline.sync_oparl`, one task per paper)."""

from __future__ import annotations

import flows._prefect  # noqa: F401 - analytics off; the temporary server dies with us

from datetime import datetime  # noqa: E402

from prefect import flow  # noqa: E402

from flows.tasks import as_task  # noqa: E402
from watext import pipeline  # noqa: E402
from watext.settings import get_settings  # noqa: E402
from watext.store import open_store  # noqa: E402


@flow(name="watext-oparl-sync")
def sync_oparl_flow(url: str, body: str | None = None, since: datetime | None = None, max_papers: int | None = None,
                    cache_dir: str | None = None, retries: int = 4, timeout: float = 30.0) -> pipeline.SyncResult:  # fmt: skip
    """Sync the OParl server at ``url`` into the store at ``WATEXT_DB``."""
    settings = get_settings()
    with open_store(settings.db) as store:
        return pipeline.sync_oparl(store, settings, url, body=body, since=since, max_papers=max_papers,
                                   cache_dir=cache_dir, retries=retries, timeout=timeout, step=as_task)  # fmt: skip
