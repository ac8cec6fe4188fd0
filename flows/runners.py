"""Where a flow's tasks run: Prefect's task runner from the settings (wiring only).

- ``workers`` > 1: :class:`~prefect.task_runners.ThreadPoolTaskRunner` with that many
  threads (each thread reads its files in its own worker process);
- ``dask_address``: prefect-dask's ``DaskTaskRunner(address=...)`` on an existing cluster.
  Its workers run the tasks with Prefect's task engine and report to the flow's Prefect
  API: without ``PREFECT_API_URL`` that is the temporary server on 127.0.0.1, which only
  workers on this machine reach (set ``PREFECT_API_URL`` to a server they can reach).
"""

from __future__ import annotations

import flows._prefect  # noqa: F401 - analytics off; the temporary server dies with us

import contextlib  # noqa: E402
from collections.abc import Iterator  # noqa: E402
from typing import Any  # noqa: E402

from watext.ingest.parallel import worker_count  # noqa: E402
from watext.settings import Settings  # noqa: E402

__all__ = ["api_for_workers", "task_runner", "with_runner"]


def task_runner(settings: Settings) -> Any:
    """The task runner for ``settings`` (None: the flow's default)."""
    if settings.dask_address:
        from prefect_dask import DaskTaskRunner

        return DaskTaskRunner(address=settings.dask_address)
    if (workers := worker_count(settings)) > 1:
        from prefect.task_runners import ThreadPoolTaskRunner

        return ThreadPoolTaskRunner(max_workers=workers)
    return None


def with_runner(flow: Any, settings: Settings) -> Any:
    """``flow`` with the task runner of ``settings`` (the flow itself when it needs none)."""
    runner = task_runner(settings)
    return flow if runner is None else flow.with_options(task_runner=runner)


@contextlib.contextmanager
def api_for_workers(settings: Settings) -> Iterator[None]:
    """While tasks go to Dask: the URL of this flow's Prefect API in the settings the tasks
    carry, so Dask workers report to it (else each would start a temporary server of its own)."""
    if not settings.dask_address:
        yield
        return
    from prefect.settings import PREFECT_API_URL, temporary_settings

    if PREFECT_API_URL.value():
        yield
        return
    from prefect.server.api.server import SubprocessASGIServer

    server = SubprocessASGIServer()  # the temporary server this process's client started
    if not getattr(server, "running", False) or server.port is None:
        yield
        return
    with temporary_settings({PREFECT_API_URL: server.api_url}):
        yield
