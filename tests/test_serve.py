"""``watext serve``: a real Prefect server on 127.0.0.1 and the runner as children, one
service per data folder, an orderly stop that leaves no process behind, reprocessing
end to end, and a ``kill -9`` in the middle of a run that the next start makes good.

Every process of a service carries ``PREFECT_HOME=<data>/prefect`` in its environment;
that is how the tests find them (the server, the runner, its flow-run processes).

A Prefect server costs 6-12 s to start (18-40 s on a fresh database), so the tests share
one server of their own (``prefect_server``, tests/prefect_server.py): it is the server "of another's" that
``PREFECT_API_URL`` names, and a copy of its freshly migrated database is what the
services' own servers start on (``seeded``), all but the first lifecycle test's, which
keeps the first start on a fresh database covered. Each test has a source, so
deployments, of its own. Reprocessing end to end runs on the service restarted after
``kill -9`` (one test: the restart's work, then a new, a changed and a removed file)."""

from __future__ import annotations

import importlib.util
import itertools
import json
import os
import shutil
import signal
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
from .prefect_server import START_SECONDS, PrefectServer
from .prefect_server import answers as _answers
from .prefect_server import clean_env as _clean_env
from .prefect_server import free_port as _free_port
from .prefect_server import pids_of as _pids_of
from .prefect_server import until as _until

pytestmark = [pytest.mark.flow, pytest.mark.slow, pytest.mark.timeout(600)]

_SOURCES = itertools.count()  # a source name per test: deployments of its own on the shared server
needs_reprocess = pytest.mark.skipif(importlib.util.find_spec("flows.reprocess") is None,
                                     reason="flows/reprocess.py not there yet")  # fmt: skip


def _write_config(root: Path, port: int, source: str) -> Path:
    (root / source).mkdir(parents=True, exist_ok=True)
    path = root / "watext.toml"
    path.write_text(f"""
[store]
db = "sqlite:///{root / 'watext.db'}"

[service]
data = "data"
port = {port}
reclassify_every = "60s"

[[sources]]
name = "{source}"
path = "{source}"
interval = "5s"
out = "out"
""", encoding="utf-8")  # fmt: skip
    return path


_LOCAL = urllib.request.build_opener(urllib.request.ProxyHandler({}))


def _post(url: str, body: dict[str, Any]) -> Any:
    request = urllib.request.Request(url, method="POST", data=json.dumps(body).encode(),
                                     headers={"Content-Type": "application/json"})  # fmt: skip
    with _LOCAL.open(request, timeout=10) as response:
        return json.loads(response.read())


class Service:
    """One ``watext serve`` started in a session of its own (as from a terminal)."""

    def __init__(self, root: Path, config: Path, port: int, source: str, env: dict[str, str] | None = None) -> None:
        self.root, self.config, self.port = root, config, port  # port: where the Prefect API answers
        self.source = source
        self.home = root / "data" / "prefect"
        self.err = root / f"serve-{time.monotonic_ns()}.err"
        env = _clean_env() | {"WATEXT_LANG": "en"} | (env or {})  # the messages below are matched in English
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
def service(tmp_path: Path, request: pytest.FixtureRequest) -> Iterator[Callable[..., Service]]:
    """Start ``watext serve`` on a fresh config in ``tmp_path`` with a source name of this
    test's own (each call: one more instance on the same config; ``api_port`` and ``env``
    for a Prefect server of another's; ``seeded``: its own server starts on a copy of a
    migrated Prefect database); everything is killed at the end."""
    port = _free_port()
    source = f"inbox-{next(_SOURCES)}"
    config = _write_config(tmp_path, port, source)
    started: list[Service] = []

    def start(api_port: int | None = None, env: dict[str, str] | None = None, seeded: bool = False) -> Service:
        if seeded:
            db = tmp_path / "data" / "prefect" / "prefect.db"
            if not db.exists():
                template = request.getfixturevalue("prefect_server").template
                db.parent.mkdir(parents=True, exist_ok=True)
                shutil.copyfile(template, db)
        started.append(Service(tmp_path, config, api_port or port, source, env))
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
    # SIGINT: the first start on a fresh Prefect database; SIGTERM: on a migrated one
    s = service(seeded=sig == signal.SIGTERM)
    line = s.ready()
    assert f"http://127.0.0.1:{s.port}" in line
    for name in (f"reprocess-{s.source}", "reclassify", "rebuild-tables"):
        assert name in line
    deployments = _until("deployments registered", lambda: s.deployments(), 30)
    assert {f"reprocess-{s.source}", "reclassify", "rebuild-tables"} <= set(deployments)
    schedule = deployments[f"reprocess-{s.source}"]["schedules"][0]["schedule"]
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


def test_serve_stops_and_says_so_when_a_child_dies(service: Callable[..., Service]) -> None:
    s = service(seeded=True)
    s.ready()
    server = next(pid for pid in _pids_of(s.home) if b"server" in Path(f"/proc/{pid}/cmdline").read_bytes())
    os.kill(server, signal.SIGKILL)
    assert s.proc.wait(timeout=60) == 1
    _until("the runner stopped too", lambda: not _pids_of(s.home), 15)
    last = s.stderr().splitlines()[-1]
    assert last.startswith("watext: the Prefect server stopped unexpectedly (killed by SIGKILL; see ")
    _assert_clean_output(s.stderr())


def test_serve_uses_the_prefect_server_at_prefect_api_url_and_refuses_a_second_instance(
    service: Callable[..., Service], prefect_server: PrefectServer
) -> None:
    unreachable = service(env={"PREFECT_API_URL": "http://127.0.0.1:9/api"})
    assert unreachable.proc.wait(timeout=120) == 1
    refused = unreachable.stderr().splitlines()
    assert len(refused) == 1
    assert refused[0].startswith("watext: the Prefect API at http://127.0.0.1:9/api (PREFECT_API_URL) is not reachable")

    theirs, api = prefect_server, prefect_server.api  # a server of another's: the module's
    s = service(api_port=theirs.port, env={"PREFECT_API_URL": api})
    assert f"Prefect UI http://127.0.0.1:{theirs.port} " in s.ready()
    assert f"reprocess-{s.source}" in s.deployments()
    runs_here = _pids_of(s.home)
    assert runs_here and not any(b"server" in Path(f"/proc/{pid}/cmdline").read_bytes() for pid in runs_here)

    # one service per data folder
    second = service(api_port=theirs.port, env={"PREFECT_API_URL": api})
    assert second.proc.wait(timeout=60) != 0
    lines = [ln for ln in second.stderr().splitlines() if ln.strip()]
    assert len(lines) == 1, lines
    assert lines[0].startswith("watext: ") and "already runs" in lines[0] and str(s.proc.pid) in lines[0]
    assert s.proc.poll() is None  # the first one serves on

    assert s.stop() == 0
    assert _pids_of(s.home) == set()
    assert theirs.proc.poll() is None and _answers(f"{api}/health")  # theirs serves on


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
def test_serve_after_kill_9_mid_run_completes_the_work_and_reprocesses_changes(
    service: Callable[..., Service], tmp_path: Path
) -> None:
    s = service(seeded=True)
    s.ready()
    inbox, out = tmp_path / s.source, tmp_path / "out"
    files = [_drop(TABLE_TEST / name, inbox) for name in
             ("e-bursa-survey-2015.pdf", "e-darmstadt-survey-2015.docx", "e-trondheim-survey-2015.pptx",
              "e-saanen-survey-2015.txt")]  # fmt: skip
    def running() -> list[dict[str, Any]]:
        return [r for r in s.flow_runs(f"reprocess-{s.source}") if r["state_type"] == "RUNNING"]

    killed = _until("a reprocessing run is running", running, 120)[0]
    time.sleep(2.0)  # inside the run: reading files

    os.killpg(s.proc.pid, signal.SIGKILL)  # its children sit in sessions of their own: parent-death signals
    s.proc.wait()
    _until("every process of the killed service gone", lambda: not _pids_of(s.home), 15)

    again = service()
    again.ready()  # the lock of the killed service does not block
    after = {r["id"]: r["state_type"] for r in again.flow_runs(f"reprocess-{again.source}")}
    assert after[killed["id"]] == "CANCELLED"  # cleared at the start, not left running
    db = f"sqlite:///{tmp_path / 'watext.db'}"
    paths = {str(f) for f in files}

    def reported() -> set[str]:
        try:
            with open_store(db) as store:
                return {d["source"] for r in store.change_reports(again.source) for d in r["documents"]["new"]}
        except StoreError:
            return set()

    _until("every file reported new", lambda: paths <= reported(), 300)
    _until("tables written", lambda: (out / "tables.xlsx").is_file() and (out / "goals_cells.csv").is_file(), 60)

    # the service serves on: a new file, then a changed and a removed one (usually reported
    # by the same run), each in changes.json
    saanen = files[-1]
    chesterfield = _drop(TABLE_TEST / "e-chesterfield-survey-2015.html", inbox)
    _until("the new file reported", lambda: _listed(_report(out), "new", chesterfield), 120)

    with open(saanen, "a", encoding="utf-8") as f:
        f.write("\nNachtrag: Die Stadt richtet eine Willkommensstelle für Zugewanderte ein.\n")
    chesterfield.unlink()
    seen: set[str] = set()  # the kinds reported so far (one run, or two when one came between)

    def both_reported() -> bool:
        report = _report(out)
        seen.update(kind for kind, path in (("changed", saanen), ("removed", chesterfield))
                    if _listed(report, kind, path))  # fmt: skip
        return len(seen) == 2

    _until("the changed and the removed file reported", both_reported, 120)

    # the run that reported the last change writes its report before Prefect marks it COMPLETED
    _until("three completed runs in the Prefect API",
           lambda: sum(r["state_type"] == "COMPLETED" for r in again.flow_runs(f"reprocess-{again.source}")) >= 3,
           60)  # fmt: skip
    assert again.stop() == 0
    # each file stored once, none lost; the changed one once, the removed one gone
    assert _current_documents(db) == Counter(paths)
    _assert_clean_output(again.stderr())
