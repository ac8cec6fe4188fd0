"""The pipeline's units of work as Prefect tasks, and the ``step`` that runs them so.

Each task's ``.fn`` is the pipeline function itself; nothing else happens here.
Prefect costs ~7 ms per task: units are one file, 50 documents or ~500 passages, never
one passage. On Dask a task costs ~0.3-0.4 s more: there the unit is a batch of files
(``ingest-files``). :func:`as_tasks` is the pipeline's ``fan``: it submits the tasks to the
flow's task runner (threads for ``--workers N``, Dask for ``--dask``).
"""

from __future__ import annotations

import flows._prefect  # noqa: F401 - analytics off; the temporary server dies with us

from collections.abc import Callable, Iterator, Sequence  # noqa: E402
from typing import Any  # noqa: E402

from prefect import task  # noqa: E402
from prefect.cache_policies import NONE  # noqa: E402
from prefect.futures import as_completed  # noqa: E402

from watext import pipeline, reprocess  # noqa: E402
from watext.train import trainer  # noqa: E402

__all__ = ["FAN_TASKS", "TASKS", "as_task", "as_tasks"]


def _task(fn: Callable[..., Any], name: str, run_name: str | None = None) -> Any:
    return task(fn, name=name, cache_policy=NONE, retries=0, task_run_name=run_name)


# a task run is named after its file, so Prefect's log lines say which file is read
ingest_document = _task(pipeline.ingest_one, "ingest-document", "ingest {entry.path.name}")
mark_questions = _task(pipeline.mark_questions, "mark-survey-questions")
classify_batch = _task(pipeline.classify_batch, "classify-batch")
build_tables = _task(pipeline.build_tables, "build-tables")
train_model = _task(trainer.train_model, "train-model")
reprocess_file = _task(reprocess.reprocess_file, "reprocess-file", "read {found.entry.path.name}")
source_tables = _task(reprocess.source_tables, "source-tables")
write_report = _task(reprocess.write_report, "change-report")
sync_paper = _task(pipeline.sync_paper, "oparl-paper")
oparl_tables = _task(pipeline.oparl_tables, "oparl-source-tables")

#: pipeline unit -> its task
TASKS: dict[Callable[..., Any], Any] = {t.fn: t for t in (
    ingest_document, mark_questions, classify_batch, build_tables, train_model, reprocess_file, source_tables,
    write_report, sync_paper, oparl_tables)}  # fmt: skip


def as_task(unit: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
    """The pipeline ``step`` of the flows: run ``unit`` as its Prefect task."""
    return TASKS[unit](*args, **kwargs)


# a batch of files read and stored by a Dask worker (the unit of ``--dask``)
ingest_files = _task(pipeline.ingest_files, "ingest-files", "ingest batch from {entries[0].path.name}")

#: pipeline unit -> its task, for units that run side by side only (see :func:`as_tasks`)
FAN_TASKS: dict[Callable[..., Any], Any] = {ingest_files.fn: ingest_files}


def as_tasks(unit: Callable[..., Any], calls: Sequence[tuple[Any, ...]]) -> Iterator[tuple[int, bool, Any]]:
    """The pipeline ``fan`` of the flows: submit ``unit``'s task once per argument tuple to
    the flow's task runner; ``(index, ok, result or exception)`` as the runs finish."""
    task = FAN_TASKS.get(unit) or TASKS[unit]
    futures = [task.submit(*args) for args in calls]
    index = {f.task_run_id: i for i, f in enumerate(futures)}
    for f in as_completed(futures):
        try:
            yield index[f.task_run_id], True, f.result()
        except Exception as exc:  # noqa: BLE001 - the pipeline decides (a lost Dask batch is recorded per file)
            yield index[f.task_run_id], False, exc
