"""The pipeline's units of work as Prefect tasks, and the ``step`` that runs them so.

Each task's ``.fn`` is the pipeline function itself; nothing else happens here.
Prefect costs ~7 ms per task: units are one file, 50 documents or ~500 passages, never
one passage.
"""

from __future__ import annotations

import flows._prefect  # noqa: F401 - analytics off; the temporary server dies with us

from collections.abc import Callable  # noqa: E402
from typing import Any  # noqa: E402

from prefect import task  # noqa: E402
from prefect.cache_policies import NONE  # noqa: E402

from watext import pipeline, reprocess  # noqa: E402

__all__ = ["TASKS", "as_task"]


def _task(fn: Callable[..., Any], name: str, run_name: str | None = None) -> Any:
    return task(fn, name=name, cache_policy=NONE, retries=0, task_run_name=run_name)


# a task run is named after its file, so Prefect's log lines say which file is read
ingest_document = _task(pipeline.ingest_one, "ingest-document", "ingest {entry.path.name}")
mark_questions = _task(pipeline.mark_questions, "mark-survey-questions")
classify_batch = _task(pipeline.classify_batch, "classify-batch")
build_tables = _task(pipeline.build_tables, "build-tables")
train_model = _task(pipeline.train_model, "train-model")
reprocess_file = _task(reprocess.reprocess_file, "reprocess-file", "read {found.entry.path.name}")
source_tables = _task(reprocess.source_tables, "source-tables")
write_report = _task(reprocess.write_report, "change-report")

#: pipeline unit -> its task
TASKS: dict[Callable[..., Any], Any] = {t.fn: t for t in (
    ingest_document, mark_questions, classify_batch, build_tables, train_model, reprocess_file, source_tables,
    write_report)}  # fmt: skip


def as_task(unit: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
    """The pipeline ``step`` of the flows: run ``unit`` as its Prefect task."""
    return TASKS[unit](*args, **kwargs)
