"""``watext ingest --dask ADDRESS``: files read in batches on an existing Dask cluster and
written by its workers to PostgreSQL; a worker killed while it holds a batch costs nothing
(Dask gives the batch to the other worker; every document is stored once).

The cluster is real: one ``dask scheduler`` and two ``dask worker`` processes (one thread
each) on 127.0.0.1, started per test and stopped, with every process they started, in the
finaliser."""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from .mixed_inputs import BROKEN_PDF, FORMATS, mixed_folder
from .prefect_server import PrefectServer

pytestmark = [pytest.mark.postgres, pytest.mark.slow]

DASK = str(Path(sys.executable).parent / "dask")
FILES = FORMATS


def _folder(tmp_path: Path) -> Path:
    return mixed_folder(tmp_path, FILES, {"zz_broken.pdf": BROKEN_PDF})


@dataclass
class Cluster:
    address: str
    procs: list[subprocess.Popen[bytes]] = field(default_factory=list)
    workers: list[subprocess.Popen[bytes]] = field(default_factory=list)


def _start(cmd: list[str], log: Path, env: dict[str, str]) -> subprocess.Popen[bytes]:
    with log.open("wb") as fh:
        return subprocess.Popen(cmd, stdout=fh, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, env=env,
                                start_new_session=True)  # fmt: skip


def _stop(procs: list[subprocess.Popen[bytes]]) -> None:
    """Every process of the cluster and everything they started (file workers), gone."""
    import psutil

    family: list[psutil.Process] = []
    for p in procs:
        try:
            family += [psutil.Process(p.pid), *psutil.Process(p.pid).children(recursive=True)]
        except psutil.NoSuchProcess:
            pass
    # straight to SIGKILL, process group by process group: what a test checks is done, and a
    # worker that ran batches took more than the 3 s of grace a SIGTERM had (then SIGKILL anyway)
    for p in reversed(procs):  # workers first, the scheduler last
        if p.poll() is None:
            try:
                os.killpg(p.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
    for p in procs:
        p.wait(5)
    for q in family:
        try:
            q.kill()
        except psutil.NoSuchProcess:
            pass
    psutil.wait_procs(family, timeout=5)
    assert not [q for q in family if q.is_running() and q.status() != psutil.STATUS_ZOMBIE]


@pytest.fixture
def cluster(tmp_path: Path, request: pytest.FixtureRequest) -> Iterator[Cluster]:
    """A scheduler and two one-thread workers on 127.0.0.1; an indirect parameter is the
    workers' ``WATEXT_TEST_BATCH_DELAY_S`` (seconds each file of a batch waits)."""
    from distributed import Client

    env = {**os.environ, "WATEXT_TEST_BATCH_DELAY_S": str(getattr(request, "param", 0))}
    sched_file = tmp_path / "scheduler.json"
    procs: list[subprocess.Popen[bytes]] = []
    try:
        procs.append(_start([DASK, "scheduler", "--host", "127.0.0.1", "--port", "0", "--no-dashboard",
                             "--scheduler-file", str(sched_file)], tmp_path / "scheduler.log", env))  # fmt: skip
        deadline = time.monotonic() + 60
        while not sched_file.exists() and time.monotonic() < deadline:
            assert procs[0].poll() is None, (tmp_path / "scheduler.log").read_text()
            time.sleep(0.2)
        time.sleep(0.2)  # the file is written whole
        address = json.loads(sched_file.read_text())["address"]
        workers = [
            _start([DASK, "worker", address, "--host", "127.0.0.1", "--nworkers", "1", "--nthreads", "1",
                    "--no-nanny", "--no-dashboard", "--name", f"w{i}", "--death-timeout", "60",
                    "--local-directory", str(tmp_path / f"w{i}")], tmp_path / f"worker{i}.log", env)  # fmt: skip
            for i in (1, 2)
        ]
        procs += workers
        with Client(address, timeout="30s") as client:
            client.wait_for_workers(2, timeout=60)
        yield Cluster(address, procs, workers)
    finally:
        _stop(procs)


def _stored(pg_url: str) -> tuple[list[dict[str, object]], list[dict[str, object]]]:
    from watext.store import open_store

    with open_store(pg_url) as store:
        return list(store.iter_documents(current_only=False)), list(store.iter_failures())


def test_ingest_on_a_dask_cluster(tmp_path: Path, pg_url: str, cluster: Cluster) -> None:
    """All documents stored by the cluster, the broken file recorded with its reason, the batch went
    on. (The same as a flow is part of the flow's killed-worker test below: one Prefect start.)"""
    d = _folder(tmp_path)
    env = {**os.environ, "PREFECT_HOME": str(tmp_path / "prefect")}
    for key in ("WATEXT_NO_FLOW", "PREFECT_API_URL", "WATEXT_WORKERS"):
        env.pop(key, None)
    proc = subprocess.run([sys.executable, "-m", "watext", "ingest", str(d), "--db", pg_url, "--dask",
                           cluster.address, "--no-flow", "--json"], capture_output=True, text=True, timeout=240,
                          env=env)  # fmt: skip
    assert proc.returncode == 3, proc.stderr[-3000:]  # 3: some files failed, the others are stored
    summary = json.loads(proc.stdout.strip().splitlines()[-1])
    assert summary["files"] == 6 and summary["new"] == 5 and summary["failed"] == 1, summary
    docs, failures = _stored(pg_url)
    assert sorted(Path(str(doc["source"])).name for doc in docs) == sorted(f.name for f in FILES)
    assert [Path(str(f["source"])).name for f in failures] == ["zz_broken.pdf"]
    assert failures[0]["code"] == "corrupt" and "PDF" in str(failures[0]["reason"])
    assert "Traceback" not in proc.stderr


def test_dask_refuses_a_sqlite_store(tmp_path: Path) -> None:
    proc = subprocess.run([sys.executable, "-m", "watext", "ingest", str(_folder(tmp_path)), "--db",
                           f"sqlite:///{tmp_path / 'w.db'}", "--dask", "tcp://127.0.0.1:1", "--no-flow"],
                          capture_output=True, text=True, timeout=60)  # fmt: skip
    assert proc.returncode == 2 and "PostgreSQL" in proc.stderr and "Traceback" not in proc.stderr
    assert not (tmp_path / "w.db").exists()


def _kill_a_busy_worker(cluster: Cluster) -> None:
    """SIGKILL the first worker seen holding a batch, well inside that batch."""
    from distributed import Client

    with Client(cluster.address, timeout="30s") as client:
        pids = client.run(os.getpid)  # worker address -> its process id
        victim = None
        deadline = time.monotonic() + 90
        while victim is None and time.monotonic() < deadline:
            busy = [addr for addr, keys in client.processing().items() if keys]
            victim = busy[0] if busy else None
            time.sleep(0.1)
        assert victim is not None, "no worker took a batch"
        time.sleep(1.5)  # well inside its batch: a file read, the next one waiting
        assert client.processing()[victim], "the worker holds its batch when it is killed"
        os.kill(pids[victim], signal.SIGKILL)
        next(w for w in cluster.workers if w.pid == pids[victim]).wait(10)


def _stored_once(pg_url: str) -> None:
    docs, failures = _stored(pg_url)
    names = [Path(str(doc["source"])).name for doc in docs]
    assert sorted(names) == sorted(f.name for f in FILES)  # each exactly once
    assert [Path(str(f["source"])).name for f in failures] == ["zz_broken.pdf"]


@pytest.mark.parametrize("cluster", [1.0], indirect=True)
def test_a_killed_worker_s_batch_is_read_again_by_the_other(tmp_path: Path, pg_url: str, cluster: Cluster) -> None:
    """SIGKILL a worker while it holds a batch of two files (each waits 1 s there): Dask
    gives the batch to the other worker, and every document is stored exactly once."""
    from watext import pipeline
    from watext.settings import get_settings
    from watext.store import open_store

    d = _folder(tmp_path)
    settings = get_settings(db=pg_url, dask_address=cluster.address, workers=1)
    done: dict[str, object] = {}

    def run() -> None:
        try:
            with open_store(pg_url) as store:
                done["batch"] = pipeline.ingest(store, settings, [d], batch_files=2)
        except BaseException as exc:  # noqa: BLE001 - reported by the assertion below
            done["error"] = exc

    job = threading.Thread(target=run)
    job.start()
    _kill_a_busy_worker(cluster)
    job.join(120)
    assert not job.is_alive() and "error" not in done, done.get("error")
    batch = done["batch"]
    statuses = {Path(f.source).name: f.status for f in batch.files}  # type: ignore[attr-defined]
    assert statuses.pop("zz_broken.pdf") == "failed"
    assert set(statuses) == {f.name for f in FILES}
    assert set(statuses.values()) <= {"new", "unchanged"}  # unchanged: stored before the kill
    _stored_once(pg_url)


@pytest.mark.flow
@pytest.mark.parametrize("cluster", [2.0], indirect=True)
def test_a_killed_worker_s_task_is_run_again_in_the_flow(tmp_path: Path, pg_url: str, cluster: Cluster,
                                                        prefect_server: PrefectServer) -> None:
    """The same through ``watext ingest --flow --dask`` (prefect-dask's DaskTaskRunner), which also
    records the broken file and stores the rest, as the in-process test above checks.

    The command starts its temporary Prefect server (so the workers report to it: no
    ``PREFECT_API_URL``), on a copy of the shared server's migrated database instead of a
    fresh one (a first start on a fresh database is covered by test_cli.py's five
    concurrent commands): a migration costs 10-30 s."""
    d = _folder(tmp_path)
    home = tmp_path / "prefect"
    home.mkdir()
    shutil.copyfile(prefect_server.template, home / "prefect.db")
    env = {**os.environ, "PREFECT_HOME": str(home)}
    for key in ("WATEXT_NO_FLOW", "PREFECT_API_URL", "WATEXT_WORKERS"):
        env.pop(key, None)
    with (tmp_path / "cli.log").open("w+") as log:
        proc = subprocess.Popen([sys.executable, "-m", "watext", "ingest", str(d), "--db", pg_url, "--dask",
                                 cluster.address, "--flow", "--json"], stdout=subprocess.PIPE, stderr=log, text=True,
                                env=env)  # fmt: skip
        try:
            _kill_a_busy_worker(cluster)
            out, _ = proc.communicate(timeout=240)
        finally:
            if proc.poll() is None:
                proc.kill()
                proc.wait(10)
        log.seek(0)
        err = log.read()
    assert proc.returncode == 3, err[-3000:]
    summary = json.loads(out.strip().splitlines()[-1])
    assert summary["files"] == 6 and summary["failed"] == 1 and summary["new"] + summary["unchanged"] == 5, summary
    _stored_once(pg_url)
    _, failures = _stored(pg_url)
    assert [Path(str(f["source"])).name for f in failures] == ["zz_broken.pdf"] and failures[0]["code"] == "corrupt"
    assert "watext-ingest" in err and "Traceback" not in err  # ran as the Prefect flow
