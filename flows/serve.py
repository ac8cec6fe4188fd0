"""The runner of ``watext serve``: the deployments of one service config, served.

``python -m flows.serve --config FILE [--ready-fd N]``, started by :mod:`watext.service`
with ``PREFECT_API_URL`` set (wiring only, the work is in :mod:`flows.reprocess`):

- ``reprocess-<source>`` per source on its interval or cron, ``reclassify`` every
  ``reclassify_every``, ``rebuild-tables`` without a schedule (run it from the UI); one
  run of each deployment at a time, a run due while one runs is cancelled;
- runs an unclean stop left behind are cleared first: due scheduled and late runs are
  deleted (after ``kill -9`` they pile up and would all start at once), pending and
  running ones cancelled;
- a line of JSON on ``--ready-fd`` once the deployments are registered, then
  :func:`prefect.serve` until SIGINT, which pauses the deployments and deletes their
  scheduled runs.

Each flow run is a ``python -m prefect.engine`` child of the runner; here it starts as
``python -m flows.serve --engine <runner pid>`` instead, which arms a parent-death signal
first, so a killed runner leaves no flow run working on.
"""

from __future__ import annotations

import flows._prefect  # noqa: F401 - analytics off

import argparse  # noqa: E402
import json  # noqa: E402
import os  # noqa: E402
import runpy  # noqa: E402
import signal  # noqa: E402
import sys  # noqa: E402
from datetime import datetime, timezone  # noqa: E402
from typing import TYPE_CHECKING, Any  # noqa: E402
from uuid import UUID  # noqa: E402

from prefect import serve  # noqa: E402
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
from watext.procs import set_parent_death_signal  # noqa: E402
from watext.sources import ServiceConfig, load_config  # noqa: E402

if TYPE_CHECKING:  # prefect.deployments.runner imports prefect.engine, which the --engine mode runs as __main__
    from prefect.deployments.runner import RunnerDeployment

__all__ = ["build_deployments", "clear_stale_runs", "main", "poll_seconds"]

_STARTED = [StateType.PENDING, StateType.RUNNING, StateType.CANCELLING, StateType.PAUSED]


def _common() -> dict[str, Any]:
    return {"entrypoint_type": EntrypointType.MODULE_PATH, "paused": False, "tags": ["watext"],
            "concurrency_limit": ConcurrencyLimitConfig(limit=1, collision_strategy=ConcurrencyLimitStrategy.CANCEL_NEW)}  # fmt: skip


def poll_seconds(config: ServiceConfig) -> float:
    """How often the runner asks for due runs: every 10 s, more often for a shorter
    interval (runs start when due instead of up to Prefect's 10 s prefetch early, so two
    runs of a short interval do not collide)."""
    shortest = min((s.interval.total_seconds() for s in config.sources if s.interval), default=20.0)
    return max(1.0, min(10.0, shortest / 2))


def build_deployments(config: ServiceConfig) -> list[tuple[RunnerDeployment, str]]:
    """The deployments of ``config``, each with its schedule in words."""
    from flows.reprocess import rebuild_tables_flow, reclassify_flow, reprocess_flow

    path = str(config.path)
    out = []
    for s in config.sources:
        d = reprocess_flow.to_deployment(
            f"reprocess-{s.name}", interval=s.interval.total_seconds() if s.interval else None, cron=s.cron,
            parameters={"config": path, "source": s.name}, description=f"Reprocess the source {s.name!r} ({s.path}).",
            **_common(),
        )  # fmt: skip
        out.append((d, s.describe_schedule()))
    every = config.reclassify_every.total_seconds()
    out.append((reclassify_flow.to_deployment("reclassify", interval=every, parameters={"config": path},
                                              **_common()), f"every {every:g} s"))  # fmt: skip
    out.append((rebuild_tables_flow.to_deployment("rebuild-tables", parameters={"config": path}, **_common()),
                "on demand"))  # fmt: skip
    return out


def _drain(client: Any, where: FlowRunFilter, act: Any) -> int:
    """``act`` on every run matching ``where``; each run leaves the match when acted on."""
    done = 0
    for _ in range(500):  # pages of 200
        runs = client.read_flow_runs(flow_run_filter=where, sort=FlowRunSort.ID_DESC, limit=200)
        for run in runs:
            act(run.id)
        done += len(runs)
        if len(runs) < 200:
            break
    return done


def clear_stale_runs(deployment_ids: list[UUID]) -> tuple[int, int]:
    """Delete the due scheduled (and late) runs of these deployments, cancel their pending
    and running ones; returns (deleted, cancelled)."""
    ids = FlowRunFilterDeploymentId(any_=deployment_ids)
    due = FlowRunFilter(deployment_id=ids, state=FlowRunFilterState(type=FlowRunFilterStateType(any_=[StateType.SCHEDULED])),
                        expected_start_time=FlowRunFilterExpectedStartTime(before_=datetime.now(timezone.utc)))  # fmt: skip
    started = FlowRunFilter(deployment_id=ids, state=FlowRunFilterState(type=FlowRunFilterStateType(any_=_STARTED)))
    stale = Cancelled(message="left by an unclean stop of watext serve")
    with get_client(sync_client=True) as client:
        deleted = _drain(client, due, client.delete_flow_run)
        cancelled = _drain(client, started, lambda run_id: client.set_flow_run_state(run_id, stale, force=True))
    return deleted, cancelled


def _engine_dies_with_runner() -> None:
    """Start the runner's flow runs through :func:`_engine` (parent-death signal first)."""
    import prefect.runner._starter_engine as starter

    run_process = starter.run_process
    if getattr(run_process, "watext", False):
        return

    async def run_engine_process(command: list[str], **kwargs: Any) -> Any:
        if list(command[1:]) == ["-m", "prefect.engine"]:
            command = [command[0], "-m", "flows.serve", "--engine", str(os.getpid())]
        return await run_process(command, **kwargs)

    run_engine_process.watext = True  # type: ignore[attr-defined]
    starter.run_process = run_engine_process


def _engine(runner_pid: int) -> None:
    """``python -m prefect.engine``, dying with the runner that started it."""
    set_parent_death_signal(signal.SIGKILL)
    if os.getppid() != runner_pid:  # the runner died before the signal was armed
        sys.exit(1)
    sys.argv = [sys.argv[0]]  # prefect.engine reads a flow run id from argv[1]
    runpy.run_module("prefect.engine", run_name="__main__", alter_sys=True)


def _ready(fd: int | None, message: dict[str, Any]) -> None:
    line = json.dumps(message) + "\n"
    if fd is None:
        print(line, end="", flush=True)
        return
    os.write(fd, line.encode())
    os.close(fd)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m flows.serve", description=__doc__.split("\n", 1)[0])
    parser.add_argument("--config", help="the service config (watext.toml)")
    parser.add_argument("--ready-fd", type=int, default=None, help="write the start message to this pipe")
    parser.add_argument("--engine", type=int, default=None, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.engine is not None:
        _engine(args.engine)
        return 0
    if not args.config:
        parser.error("--config is required")
    try:
        config = load_config(args.config)
        deployments = build_deployments(config)
        ids = [d.apply() for d, _ in deployments]
        deleted, cancelled = clear_stale_runs(ids)
        _ready(args.ready_fd, {"deployments": [{"name": d.name, "schedule": when} for d, when in deployments],
                               "deleted": deleted, "cancelled": cancelled})  # fmt: skip
        _engine_dies_with_runner()
        serve(*(d for d, _ in deployments), print_starting_message=False, query_seconds=poll_seconds(config),
              prefetch_seconds=0)
    except KeyboardInterrupt:
        pass
    except WatextError as exc:
        print(f"watext serve runner: {exc}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
