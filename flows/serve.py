"""The runner of ``watext serve``: the deployments of one service config, served.

``python -m flows.serve --config FILE [--ready-fd N]``, started by :mod:`watext.service`
with ``PREFECT_API_URL`` set (wiring only, the work is in :mod:`flows.reprocess`):

- ``reprocess-<source>`` per source on its interval or cron, ``reclassify`` every
  ``reclassify_every``, ``rebuild-tables`` without a schedule (run it from the UI); one
  run of each deployment at a time, a run due while one runs is cancelled;
- runs an unclean stop left behind are cleared first: due scheduled and late runs are
  deleted (after ``kill -9`` they pile up and would all start at once), pending and
  running ones cancelled;
- with ``--await-api SECONDS`` (a server started at the same time by ``watext serve``,
  so this process's imports overlap the server's start), first waits for the API;
- a line of JSON on ``--ready-fd`` once the deployments are registered, then
  :func:`prefect.aserve` until SIGINT, which pauses the deployments and deletes their
  scheduled runs; runs it was running are then marked cancelled.

All of it runs in one event loop (``prefect.serve`` registers the deployments from a
helper thread before its loop starts, and a SIGINT in that second aborted the process
with "FATAL: exception not rethrown" and left the deployments unpaused).

Each flow run is a ``python -m prefect.engine`` child of the runner; here it first arms a
parent-death signal, so a killed runner leaves no flow run working on.
"""

from __future__ import annotations

import flows._prefect  # noqa: F401 - analytics off

import argparse  # noqa: E402
import asyncio  # noqa: E402
import json  # noqa: E402
import os  # noqa: E402
import sys  # noqa: E402
from collections.abc import Awaitable, Callable  # noqa: E402
from datetime import UTC, datetime  # noqa: E402
from typing import TYPE_CHECKING, Any  # noqa: E402
from uuid import UUID  # noqa: E402

from prefect import aserve  # noqa: E402
from prefect.client.orchestration import get_client  # noqa: E402
from prefect.client.schemas.filters import (  # noqa: E402  # fmt: skip
    FlowRunFilter, FlowRunFilterDeploymentId, FlowRunFilterExpectedStartTime, FlowRunFilterState,
    FlowRunFilterStateType,
)
from prefect.client.schemas.objects import ConcurrencyLimitConfig, ConcurrencyLimitStrategy, StateType  # noqa: E402
from prefect.client.schemas.sorting import FlowRunSort  # noqa: E402
from prefect.states import Cancelled  # noqa: E402
from prefect.types.entrypoint import EntrypointType  # noqa: E402

from watext.errors import WatextError  # noqa: E402
from watext.sources import ServiceConfig, load_config  # noqa: E402

if TYPE_CHECKING:
    from prefect.deployments.runner import RunnerDeployment

__all__ = ["build_deployments", "clear_stale_runs", "main", "poll_seconds"]

_STARTED = [StateType.PENDING, StateType.RUNNING, StateType.CANCELLING, StateType.PAUSED]


def _common() -> dict[str, Any]:
    one_at_a_time = ConcurrencyLimitConfig(limit=1, collision_strategy=ConcurrencyLimitStrategy.CANCEL_NEW)
    return {"entrypoint_type": EntrypointType.MODULE_PATH, "paused": False, "tags": ["watext"],
            "concurrency_limit": one_at_a_time}  # fmt: skip


def poll_seconds(config: ServiceConfig) -> float:
    """How often the runner asks for due runs: every 10 s, more often for a shorter
    interval (runs start when due instead of up to Prefect's 10 s prefetch early, so two
    runs of a short interval do not collide)."""
    shortest = min((s.interval.total_seconds() for s in config.sources if s.interval), default=20.0)
    return max(1.0, min(10.0, shortest / 2))


async def build_deployments(config: ServiceConfig) -> list[tuple[RunnerDeployment, str]]:
    """The deployments of ``config``, each with its schedule in words."""
    from flows.reprocess import rebuild_tables_flow, reclassify_flow, reprocess_flow

    path = str(config.path)
    out = []
    for s in config.sources:
        d = await reprocess_flow.ato_deployment(
            f"reprocess-{s.name}", interval=s.interval.total_seconds() if s.interval else None, cron=s.cron,
            parameters={"config": path, "source": s.name}, description=f"Reprocess the source {s.name!r} ({s.path}).",
            **_common(),
        )  # fmt: skip
        out.append((d, s.describe_schedule()))
    every = config.reclassify_every.total_seconds()
    out.append((await reclassify_flow.ato_deployment("reclassify", interval=every, parameters={"config": path},
                                                     **_common()), f"every {every:g} s"))  # fmt: skip
    out.append((await rebuild_tables_flow.ato_deployment("rebuild-tables", parameters={"config": path},
                                                         **_common()), "on demand"))  # fmt: skip
    return out


async def _drain(client: Any, where: FlowRunFilter, act: Callable[[UUID], Awaitable[Any]]) -> int:
    """``act`` on every run matching ``where``; each run leaves the match when acted on."""
    done = 0
    for _ in range(500):  # pages of 200
        runs = await client.read_flow_runs(flow_run_filter=where, sort=FlowRunSort.ID_DESC, limit=200)
        for run in runs:
            await act(run.id)
        done += len(runs)
        if len(runs) < 200:
            break
    return done


async def clear_stale_runs(deployment_ids: list[UUID], why: str = "left by an unclean stop of watext serve",
                           ) -> tuple[int, int]:  # fmt: skip
    """Delete the due scheduled (and late) runs of these deployments, cancel their pending
    and running ones (the state message says ``why``); returns (deleted, cancelled)."""
    ids = FlowRunFilterDeploymentId(any_=deployment_ids)
    scheduled = FlowRunFilterState(type=FlowRunFilterStateType(any_=[StateType.SCHEDULED]))
    due = FlowRunFilter(deployment_id=ids, state=scheduled,
                        expected_start_time=FlowRunFilterExpectedStartTime(before_=datetime.now(UTC)))  # fmt: skip
    started = FlowRunFilter(deployment_id=ids, state=FlowRunFilterState(type=FlowRunFilterStateType(any_=_STARTED)))
    async with get_client() as client:

        async def cancel(run_id: UUID) -> None:
            await client.set_flow_run_state(run_id, Cancelled(message=why), force=True)

        return await _drain(client, due, client.delete_flow_run), await _drain(client, started, cancel)


#: A flow-run process: the parent-death signal is armed before anything slow is imported
#: (a runner killed in that second leaves no orphan), then ``python -m prefect.engine``.
_ENGINE = """import os, runpy, sys
from watext.procs import set_parent_death_signal
set_parent_death_signal()
if os.getppid() != int(sys.argv[1]):
    sys.exit(1)
sys.argv = [sys.argv[0]]
runpy.run_module("prefect.engine", run_name="__main__", alter_sys=True)
"""


def _engine_dies_with_runner() -> None:
    """Start the runner's flow runs through :data:`_ENGINE`: they die with the runner."""
    import prefect.runner._starter_engine as starter  # the module's documented override point

    run_process = starter.run_process
    if getattr(run_process, "watext", False):
        return

    async def run_engine_process(command: list[str], **kwargs: Any) -> Any:
        if list(command[1:]) == ["-m", "prefect.engine"]:
            command = [command[0], "-c", _ENGINE, str(os.getpid())]
        return await run_process(command, **kwargs)

    run_engine_process.watext = True  # type: ignore[attr-defined]
    starter.run_process = run_engine_process


def _ready(fd: int | None, message: dict[str, Any]) -> None:
    line = json.dumps(message) + "\n"
    if fd is None:
        print(line, end="", flush=True)
        return
    os.write(fd, line.encode())
    os.close(fd)


async def _stop_serving(deployment_ids: list[UUID]) -> None:
    """Pause the deployments (``aserve`` does so only once its loop runs; a SIGINT may come
    sooner) and mark the runs it was running, killed by now, cancelled. Without an API
    (the server died) the next start clears up instead."""
    try:
        async with get_client() as client:
            for dep_id in deployment_ids:
                await client.pause_deployment(dep_id)
        _, cancelled = await clear_stale_runs(deployment_ids, "stopped with watext serve")
    except Exception as exc:  # noqa: BLE001 - the log gets one line; the next start clears up
        print(f"watext serve runner: stopped; could not pause the deployments: {exc}", file=sys.stderr)
        return
    print(f"watext serve runner: stopped; deployments paused, {cancelled} run(s) cancelled", file=sys.stderr)


async def _api_up(seconds: float) -> None:
    """Wait until the Prefect API (``PREFECT_API_URL``, a server on this machine that starts
    beside this process, ``--await-api``) answers, at most ``seconds``."""
    from watext.errors import ServiceError
    from watext.procs import api_health

    api_url = os.environ["PREFECT_API_URL"]
    deadline = asyncio.get_running_loop().time() + seconds
    while (reason := await asyncio.to_thread(api_health, api_url, 2.0, True)) is not None:
        if asyncio.get_running_loop().time() > deadline:
            raise ServiceError(f"the Prefect API at {api_url} did not answer within {seconds:.0f} s: {reason}")
        await asyncio.sleep(0.25)


async def _serve(config: ServiceConfig, ready_fd: int | None, await_api: float | None = None) -> None:
    if await_api:
        await _api_up(await_api)
    deployments = await build_deployments(config)
    ids = [await d.aapply() for d, _ in deployments]
    try:
        deleted, cancelled = await clear_stale_runs(ids)
        _ready(ready_fd, {"deployments": [{"name": d.name, "schedule": when} for d, when in deployments],
                          "deleted": deleted, "cancelled": cancelled})  # fmt: skip
        _engine_dies_with_runner()
        await aserve(*(d for d, _ in deployments), print_starting_message=False, query_seconds=poll_seconds(config),
                     prefetch_seconds=0)  # fmt: skip
    finally:
        await _stop_serving(ids)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m flows.serve",
                                     description="Serve the deployments of a watext service config.")  # fmt: skip
    parser.add_argument("--config", required=True, help="the service config (watext.toml)")
    parser.add_argument("--ready-fd", type=int, default=None, help="write the start message to this pipe")
    parser.add_argument("--await-api", type=float, default=None, metavar="SECONDS",
                        help="first wait up to SECONDS for the Prefect API to answer (a server starting beside)")
    args = parser.parse_args(argv)
    try:
        asyncio.run(_serve(load_config(args.config), args.ready_fd, args.await_api))
    except KeyboardInterrupt:  # SIGINT: the way watext serve stops the runner
        pass
    except WatextError as exc:
        print(f"watext serve runner: {exc}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
