"""One Prefect server of the tests' own, shared by every test that needs a server but not
the temporary one a command starts by itself (fixture ``prefect_server``, session scope).

A Prefect server costs 6-12 s to start, 18-40 s on a fresh database: paid once per test
session instead of once per flow test. It is started in the background as soon as the
collected tests show that one of them needs it (``start_early``), so its start overlaps
the tests that run before; the fixture then waits until it answers. Tests of what a
command does *without* a server (the temporary server, ``kill -9`` of such a command,
five at once) keep starting their own; all but the five at once on a copy of ``template``
put into their ``PREFECT_HOME`` (a migrated database: no 10-30 s migration).
"""

from __future__ import annotations

import os
import signal
import socket
import sqlite3
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

START_SECONDS = 180.0  # up to 40 s on a fresh database; more while other tests load the machine

#: ``prefect server start`` that dies with pytest (a parent-death signal, kept across exec)
_SERVER_START = """import os, sys
from watext.procs import set_parent_death_signal
set_parent_death_signal()
os.execv(sys.executable, [sys.executable, "-m", "prefect", "server", "start", *sys.argv[1:]])
"""

_LOCAL = urllib.request.build_opener(urllib.request.ProxyHandler({}))


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def answers(url: str) -> bool:
    try:
        with _LOCAL.open(url, timeout=5):
            return True
    except OSError:
        return False


def until(what: str, check: Callable[[], Any], seconds: float, every: float = 0.25) -> Any:
    deadline = time.monotonic() + seconds
    while True:
        value = check()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"not within {seconds:.0f} s: {what}")
        time.sleep(every)


def pids_of(home: Path) -> set[int]:
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


def clean_env() -> dict[str, str]:
    return {k: v for k, v in os.environ.items() if not k.startswith("PREFECT_")}


@dataclass
class PrefectServer:
    """A Prefect server of the tests' own (not one of ``watext serve``)."""

    proc: subprocess.Popen[bytes]
    port: int
    home: Path
    log: Path
    template: Path  # a copy of its database as it was once started: migrated, nothing served yet

    @property
    def api(self) -> str:
        return f"http://127.0.0.1:{self.port}/api"

    @property
    def database(self) -> Path:
        return self.home / "prefect.db"

    def healthy(self) -> bool:
        if self.proc.poll() is not None:
            raise AssertionError(f"the shared Prefect server ended ({self.proc.returncode}): "
                                 f"{self.log.read_text(errors='replace')[-3000:]}")  # fmt: skip
        return answers(f"{self.api}/health")

    def flow_env(self, home: Path) -> dict[str, str]:
        """This process's environment for a command that runs its flows on this server
        (``home``: the command's own PREFECT_HOME)."""
        env = {**os.environ, "PREFECT_HOME": str(home), "PREFECT_API_URL": self.api}
        env.pop("WATEXT_NO_FLOW", None)
        return env

    def stop(self) -> None:
        if self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGTERM)
            try:
                self.proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                pass
        try:
            os.killpg(self.proc.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        self.proc.wait()
        for pid in pids_of(self.home):  # nothing, unless something left its process group
            try:
                os.kill(pid, signal.SIGKILL)
            except ProcessLookupError:
                pass


_STARTED: list[PrefectServer] = []


def _start() -> PrefectServer:
    if _STARTED:
        return _STARTED[0]
    home = Path(tempfile.mkdtemp(prefix="watext-test-prefect-"))
    env = clean_env() | {"PREFECT_HOME": str(home), "PREFECT_SERVER_ANALYTICS_ENABLED": "false", "DO_NOT_TRACK": "1",
                         "PREFECT_API_DATABASE_CONNECTION_URL": f"sqlite+aiosqlite:///{home / 'prefect.db'}"}  # fmt: skip
    port, log = free_port(), home / "server.log"
    with open(log, "wb") as out:
        proc = subprocess.Popen([sys.executable, "-c", _SERVER_START, "--host", "127.0.0.1", "--port", str(port)],
                                stdin=subprocess.DEVNULL, stdout=out, stderr=subprocess.STDOUT, env=env,
                                start_new_session=True)  # fmt: skip
    _STARTED.append(PrefectServer(proc, port, home, log, home / "template" / "prefect.db"))
    return _STARTED[0]


def start_early(items: list[pytest.Item]) -> None:
    """Start the server now when a collected test will ask for it (hook: collection done)."""
    if any("prefect_server" in getattr(item, "fixturenames", ()) for item in items):
        _start()


def stop_started() -> None:
    """Stop the server if one was started (hook: session end)."""
    while _STARTED:
        _STARTED.pop().stop()


@pytest.fixture(scope="session")
def prefect_server() -> Iterator[PrefectServer]:
    """The shared server, answering; a copy of its database taken before any test used it
    (``template``: migrated, nothing served). Stopped, its whole process group, at the end."""
    server = _start()
    until("the shared Prefect server healthy", server.healthy, START_SECONDS, every=0.5)
    if not server.template.exists():
        server.template.parent.mkdir(parents=True, exist_ok=True)
        src, dst = sqlite3.connect(server.database), sqlite3.connect(server.template)
        try:
            src.backup(dst)  # consistent even while the server writes
        finally:
            src.close()
            dst.close()
    yield server
