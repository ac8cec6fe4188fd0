"""``watext serve``: a real Prefect server on 127.0.0.1 and the runner as children, one
service per data folder, an orderly stop that leaves no process behind, reprocessing
end to end, and a ``kill -9`` in the middle of a run that the next start makes good.

Every process of a service carries ``PREFECT_HOME=<data>/prefect`` in its environment;
that is how the tests find them (the server, the runner, its flow-run processes)."""

from __future__ import annotations

import importlib.util
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from collections import Counter
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from watext.errors import StoreError
from watext.store import open_store

from .paths import TABLE_TEST

pytestmark = [pytest.mark.flow, pytest.mark.slow, pytest.mark.timeout(600)]

SOURCE = "inbox"
START_SECONDS = 180.0  # server (up to 40 s on a fresh database) and runner
needs_reprocess = pytest.mark.skipif(importlib.util.find_spec("flows.reprocess") is None,
                                     reason="flows/reprocess.py not there yet")  # fmt: skip


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _write_config(root: Path, port: int) -> Path:
    (root / SOURCE).mkdir(parents=True, exist_ok=True)
    path = root / "watext.toml"
    path.write_text(f"""
[store]
db = "sqlite:///{root / 'watext.db'}"

[service]
data = "data"
port = {port}
reclassify_every = "60s"

[[sources]]
name = "{SOURCE}"
path = "{SOURCE}"
interval = "5s"
out = "out"
""", encoding="utf-8")  # fmt: skip
    return path


def _until(what: str, check: Callable[[], Any], seconds: float, every: float = 0.25) -> Any:
    deadline = time.monotonic() + seconds
    while True:
        value = check()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"not within {seconds:.0f} s: {what}")
        time.sleep(every)


def _pids_of(home: Path) -> set[int]:
    """Processes with ``PREFECT_HOME=home`` in their environment (zombies have none)."""
    needle = f"PREFECT_HOME={home}".encode() + b"\0"
    found = set()
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                if needle in (entry / "environ").read_bytes():
                    found.add(int(entry.name))
            except OSError:
                continue
    return found


def _clean_env() -> dict[str, str]:
    return {k: v for k, v in os.environ.items() if not k.startswith("PREFECT_")}


_LOCAL = urllib.request.build_opener(urllib.request.ProxyHandler({}))


def _post(url: str, body: dict[str, Any]) -> Any:
    request = urllib.request.Request(url, method="POST", data=json.dumps(body).encode(),
                                     headers={"Content-Type": "application/json"})  # fmt: skip
    with _LOCAL.open(request, timeout=10) as response:
        return json.loads(response.read())


def _answers(url: str) -> bool:
    try:
        with _LOCAL.open(url, timeout=5):
            return True
    except OSError:
        return False


class Service:
    """One ``watext serve`` started in a session of its own (as from a terminal)."""

    def __init__(self, root: Path, config: Path, port: int, env: dict[str, str] | None = None) -> None:
        self.root, self.config, self.port = root, config, port  # port: where the Prefect API answers
        self.home = root / "data" / "prefect"
        self.err = root / f"serve-{time.monotonic_ns()}.err"
        env = _clean_env() | (env or {})
        with open(self.err, "wb") as err:
            self.proc = subprocess.Popen([sys.executable, "-m", "watext", "serve", "--config", str(config)],
                                         stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=err, env=env,
                                         cwd=root, start_new_session=True)  # fmt: skip

    def stderr(self) -> str:
        return self.err.read_text(encoding="utf-8", errors="replace")

    def ready(self) -> str:
        def line() -> str | None:
            text = self.stderr()
            if self.proc.poll() is not None:
                raise AssertionError(f"watext serve ended ({self.proc.returncode}): {text}")
            return next((ln for ln in text.splitlines() if "Prefect UI" in ln), None)

        return str(_until("watext serve ready", line, START_SECONDS))

    def api(self, path: str, body: dict[str, Any] | None = None) -> Any:
        return _post(f"http://127.0.0.1:{self.port}/api{path}", body or {})

    def deployments(self) -> dict[str, dict[str, Any]]:
        return {d["name"]: d for d in self.api("/deployments/filter")}

    def flow_runs(self, deployment: str) -> list[dict[str, Any]]:
        dep_id = self.deployments()[deployment]["id"]
        return list(self.api("/flow_runs/filter", {"flow_runs": {"deployment_id": {"any_": [dep_id]}},
                                                   "sort": "EXPECTED_START_TIME_DESC", "limit": 200}))  # fmt: skip

    def stop(self, sig: int = signal.SIGINT, seconds: float = 30.0) -> int:
        started = time.monotonic()
        self.proc.send_signal(sig)
        code = self.proc.wait(timeout=seconds)
        assert time.monotonic() - started < seconds
        return code

    def kill(self) -> None:
        """Whatever is left, the hard way (test teardown)."""
        for pid in _pids_of(self.home) | ({self.proc.pid} if self.proc.poll() is None else set()):
            try:
                os.kill(pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
        self.proc.wait()


@pytest.fixture
def service(tmp_path: Path) -> Iterator[Callable[..., Service]]:
    """Start ``watext serve`` on a fresh config in ``tmp_path`` (each call: one more
    instance on the same config; ``api_port`` and ``env`` for a Prefect server of
    another's); everything is killed at the end."""
    port = _free_port()
    config = _write_config(tmp_path, port)
    started: list[Service] = []

    def start(api_port: int | None = None, env: dict[str, str] | None = None) -> Service:
        started.append(Service(tmp_path, config, api_port or port, env))
        return started[-1]

    yield start
    for s in started:
        s.kill()


def _assert_clean_output(text: str) -> None:
    assert "Traceback" not in text, text
    assert all(line.startswith("watext") for line in text.splitlines() if line.strip()), text


# --- lifecycle ----------------------------------------------------------------------------


@pytest.mark.parametrize("sig", [signal.SIGINT, signal.SIGTERM], ids=["SIGINT", "SIGTERM"])
def test_serve_starts_serves_and_stops_without_leftovers(service: Callable[..., Service], sig: int) -> None:
    s = service()
    line = s.ready()
    assert f"http://127.0.0.1:{s.port}" in line
    for name in (f"reprocess-{SOURCE}", "reclassify", "rebuild-tables"):
        assert name in line
    deployments = _until("deployments registered", lambda: s.deployments(), 30)
    assert {f"reprocess-{SOURCE}", "reclassify", "rebuild-tables"} <= set(deployments)
    schedule = deployments[f"reprocess-{SOURCE}"]["schedules"][0]["schedule"]
    assert schedule["interval"] == 5.0
    assert deployments["rebuild-tables"]["schedules"] == []
    children = _pids_of(s.home)
    assert len(children) >= 2  # the server and the runner
    assert all(os.getsid(pid) != os.getsid(s.proc.pid) for pid in children)  # sessions of their own

    assert s.stop(sig) == 0
    assert _pids_of(s.home) == set()
    assert not [pid for pid in children if Path(f"/proc/{pid}").exists()]
    _assert_clean_output(s.stderr())
    assert "stopped" in s.stderr().splitlines()[-1]


def test_serve_refuses_a_second_instance_on_the_same_data_folder(service: Callable[..., Service]) -> None:
    first = service()
    first.ready()
    second = service()
    assert second.proc.wait(timeout=60) != 0
    lines = [ln for ln in second.stderr().splitlines() if ln.strip()]
    assert len(lines) == 1, lines
    assert lines[0].startswith("watext: ") and "already runs" in lines[0] and str(first.proc.pid) in lines[0]
    assert first.proc.poll() is None  # the first one serves on
    assert first.stop() == 0


def test_serve_stops_and_says_so_when_a_child_dies(service: Callable[..., Service]) -> None:
    s = service()
    s.ready()
    server = next(pid for pid in _pids_of(s.home) if b"server" in Path(f"/proc/{pid}/cmdline").read_bytes())
    os.kill(server, signal.SIGKILL)
    assert s.proc.wait(timeout=60) == 1
    _until("the runner stopped too", lambda: not _pids_of(s.home), 15)
    last = s.stderr().splitlines()[-1]
    assert last.startswith("watext: the Prefect server stopped unexpectedly (killed by SIGKILL; see ")
    _assert_clean_output(s.stderr())


def test_serve_uses_the_prefect_server_at_prefect_api_url(service: Callable[..., Service], tmp_path: Path) -> None:
    port = _free_port()
    api = f"http://127.0.0.1:{port}/api"
    unreachable = service(env={"PREFECT_API_URL": "http://127.0.0.1:9/api"})
    assert unreachable.proc.wait(timeout=120) == 1
    refused = unreachable.stderr().splitlines()
    assert len(refused) == 1
    assert refused[0].startswith("watext: the Prefect API at http://127.0.0.1:9/api (PREFECT_API_URL) is not reachable")

    home = tmp_path / "their-prefect"
    db = f"sqlite+aiosqlite:///{home / 'prefect.db'}"
    env = _clean_env() | {"PREFECT_HOME": str(home), "PREFECT_SERVER_ANALYTICS_ENABLED": "false",
                          "PREFECT_API_DATABASE_CONNECTION_URL": db}  # fmt: skip
    with open(tmp_path / "their-prefect.log", "wb") as log:
        theirs = subprocess.Popen([sys.executable, "-m", "prefect", "server", "start", "--host", "127.0.0.1",
                                   "--port", str(port)], stdout=log, stderr=subprocess.STDOUT, env=env,
                                  start_new_session=True)  # fmt: skip
    try:
        _until("their server healthy", lambda: _answers(f"{api}/health"), START_SECONDS, every=0.5)
        s = service(api_port=port, env={"PREFECT_API_URL": api})
        assert f"Prefect UI http://127.0.0.1:{port} " in s.ready()
        assert f"reprocess-{SOURCE}" in s.deployments()
        runs_here = _pids_of(s.home)
        assert runs_here and not any(b"server" in Path(f"/proc/{pid}/cmdline").read_bytes() for pid in runs_here)
        assert s.stop() == 0
        assert _pids_of(s.home) == set()
        assert theirs.poll() is None and _answers(f"{api}/health")  # theirs serves on
    finally:
        theirs.kill()
        theirs.wait()


# --- reprocessing end to end -------------------------------------------------------------


def _drop(src: Path, folder: Path, name: str | None = None) -> Path:
    """Put a file into the watched folder in one step (a rename), as a finished upload."""
    target = folder / (name or src.name)
    tmp = folder.parent / f".{target.name}.part"
    shutil.copyfile(src, tmp)
    os.replace(tmp, target)
    return target


def _report(out: Path) -> dict[str, Any]:
    try:
        return dict(json.loads((out / "changes.json").read_text(encoding="utf-8")))
    except (OSError, ValueError):
        return {}


def _listed(report: dict[str, Any], kind: str, path: Path) -> bool:
    return path.name in json.dumps(report.get("documents", {}).get(kind, []))


def _current_documents(db: str) -> Counter[str]:
    try:
        with open_store(db) as store:
            return Counter(d["source"] for d in store.iter_documents(current_only=True))
    except StoreError:  # the service writes right now
        return Counter()


@needs_reprocess
def test_serve_reprocesses_new_changed_and_removed_files(service: Callable[..., Service], tmp_path: Path) -> None:
    s = service()
    s.ready()
    inbox, out = tmp_path / SOURCE, tmp_path / "out"
    saanen = _drop(TABLE_TEST / "e-saanen-survey-2015.txt", inbox)
    _until("the new file reported", lambda: _listed(_report(out), "new", saanen), 240)
    assert (out / "tables.xlsx").is_file() and (out / "goals_cells.csv").is_file()
    chesterfield = _drop(TABLE_TEST / "e-chesterfield-survey-2015.html", inbox)
    _until("the second new file reported", lambda: _listed(_report(out), "new", chesterfield), 120)

    with open(saanen, "a", encoding="utf-8") as f:
        f.write("\nNachtrag: Die Stadt richtet eine Willkommensstelle für Zugewanderte ein.\n")
    _until("the changed file reported", lambda: _listed(_report(out), "changed", saanen), 120)

    chesterfield.unlink()
    _until("the removed file reported", lambda: _listed(_report(out), "removed", chesterfield), 120)

    # the run that reported the removal writes its report before Prefect marks it COMPLETED
    _until("four completed runs in the Prefect API",
           lambda: sum(r["state_type"] == "COMPLETED" for r in s.flow_runs(f"reprocess-{SOURCE}")) >= 4, 60)
    assert s.stop() == 0
    assert _current_documents(f"sqlite:///{tmp_path / 'watext.db'}") == Counter({str(saanen): 1})
    _assert_clean_output(s.stderr())


@needs_reprocess
def test_serve_after_kill_9_mid_run_completes_the_work(service: Callable[..., Service], tmp_path: Path) -> None:
    s = service()
    s.ready()
    inbox, out = tmp_path / SOURCE, tmp_path / "out"
    files = [_drop(TABLE_TEST / name, inbox) for name in
             ("e-bursa-survey-2015.pdf", "e-darmstadt-survey-2015.docx", "e-trondheim-survey-2015.pptx",
              "e-saanen-survey-2015.txt")]  # fmt: skip
    def running() -> list[dict[str, Any]]:
        return [r for r in s.flow_runs(f"reprocess-{SOURCE}") if r["state_type"] == "RUNNING"]

    killed = _until("a reprocessing run is running", running, 120)[0]
    time.sleep(2.0)  # inside the run: reading files

    os.killpg(s.proc.pid, signal.SIGKILL)  # its children sit in sessions of their own: parent-death signals
    s.proc.wait()
    _until("every process of the killed service gone", lambda: not _pids_of(s.home), 15)

    again = service()
    again.ready()  # the lock of the killed service does not block
    after = {r["id"]: r["state_type"] for r in again.flow_runs(f"reprocess-{SOURCE}")}
    assert after[killed["id"]] == "CANCELLED"  # cleared at the start, not left running
    db = f"sqlite:///{tmp_path / 'watext.db'}"
    paths = {str(f) for f in files}

    def reported() -> set[str]:
        try:
            with open_store(db) as store:
                return {d["source"] for r in store.change_reports(SOURCE) for d in r["documents"]["new"]}
        except StoreError:
            return set()

    _until("every file reported new", lambda: paths <= reported(), 300)
    _until("tables written", lambda: (out / "tables.xlsx").is_file() and (out / "goals_cells.csv").is_file(), 60)
    assert again.stop() == 0
    assert _current_documents(db) == Counter(paths)  # each file stored once, none lost
    _assert_clean_output(again.stderr())
