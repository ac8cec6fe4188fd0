"""Prefect flow: survey structure and predictions for what lacks them (wiring only:
:func:`watext.pipeline.classify`)."""

from __future__ import annotations

import flows._prefect  # noqa: F401 - analytics off; the temporary server dies with us

from prefect import flow  # noqa: E402

from flows.tasks import as_task  # noqa: E402
from watext import pipeline  # noqa: E402
from watext.settings import get_settings  # noqa: E402
from watext.store import open_store  # noqa: E402


@flow(name="watext-classify")
def classify_flow(model_dir: str | None = None, batch: int = 500) -> pipeline.ClassifyResult:
    """Classify the passages of the store at ``WATEXT_DB`` that lack a prediction of the
    model in ``model_dir`` (default: the current one); one task per batch."""
    settings = get_settings()
    with open_store(settings.db) as store:
        return pipeline.classify(store, settings, model_dir, batch, step=as_task)
