"""``watext serve`` as processes: a lock on the data folder, a local Prefect server, the
runner that serves the deployments (``flows/serve.py``), and an orderly stop.

::

    watext serve ─┬─ python -m prefect server start    unless PREFECT_API_URL is set
                  └─ python -m flows.serve --config …  the runner, with PREFECT_API_URL
                        └─ one process per flow run    (dies with the runner)

Both children run in sessions of their own (a Ctrl-C at the terminal reaches only
``watext serve``) and get a parent-death signal (``kill -9`` of ``watext serve`` leaves
nothing behind). A stop (Ctrl-C, SIGTERM, SIGHUP) sends SIGINT to the runner first, which
cancels its runs, pauses its deployments and deletes their scheduled runs, and only then
SIGTERM to the server: the other way round the runner hangs on an API that is gone, and
SIGTERM to the runner leaves runs PENDING. The lock is an ``flock`` on
``<data>/watext-serve.lock``: the kernel drops it with the process, so a killed service
never blocks the next start.
"""

from __future__ import annotations

import fcntl
import json
import os
import re
import select
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import IO, Any

from watext import i18n
from watext.errors import ServiceError
from watext.procs import api_health, set_parent_death_signal
from watext.sources import ServiceConfig

__all__ = ["HOST", "LOCK_FILE", "ServiceError", "api_health", "hold_lock", "pick_port", "run_service"]

HOST = "127.0.0.1"
LOCK_FILE = "watext-serve.lock"
SERVER_START_SECONDS = 120.0  # 6-12 s on an existing Prefect database, 18-40 s on a fresh one
RUNNER_START_SECONDS = 120.0
RUNNER_STOP_SECONDS = 20.0
SERVER_STOP_SECONDS = 15.0
_LOG_ROTATE_BYTES = 20_000_000
_ANSI = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]")


class _Stopped(Exception):
    """A stop was asked for while the service was still starting."""


# --- lock, port, health -----------------------------------------------------------------


def hold_lock(data: Path) -> IO[str]:
    """Lock ``data`` for this process (released by the kernel when it ends); one line
    naming the holder when another ``watext serve`` has it."""
    try:
        data.mkdir(parents=True, exist_ok=True)
        f = open(data / LOCK_FILE, "a+", encoding="utf-8")  # noqa: SIM115 - held for the service's lifetime
    except OSError as exc:
        raise ServiceError(f"cannot use the data folder {data}: {exc.strerror or exc}") from exc
    try:
        fcntl.flock(f, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError as exc:
        f.seek(0)
        holder = f.read().strip()
        f.close()
        who = f" (pid {holder})" if holder.isdigit() else ""
        raise ServiceError(f"another 'watext serve'{who} already runs on the data folder {data}") from exc
    f.seek(0)
    f.truncate()
    f.write(f"{os.getpid()}\n")
    f.flush()
    return f


def pick_port(preferred: int) -> int:
    """``preferred`` if it is free on 127.0.0.1, else (and for 0) a free port."""
    for port in ([preferred] if preferred else []) + [0]:
        with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
            s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # as the server binds
            try:
                s.bind((HOST, port))
            except OSError:
                continue
            return int(s.getsockname()[1])
    raise ServiceError(f"no free port on {HOST}")  # pragma: no cover - bind to 0 does not fail


# --- child processes --------------------------------------------------------------------


def _child_preexec(parent: int) -> None:
    """In a child before exec: default SIGINT/SIGTERM (a non-interactive shell starts
    background jobs with SIGINT ignored, which Python then keeps), death with ``parent``."""
    signal.signal(signal.SIGINT, signal.SIG_DFL)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    set_parent_death_signal(signal.SIGKILL)
    if os.getppid() != parent:  # the parent died before the signal was armed
        os._exit(1)


def _rotate(log: Path) -> None:
    try:
        if log.stat().st_size > _LOG_ROTATE_BYTES:
            log.replace(log.with_name(log.name + ".1"))
    except FileNotFoundError:
        pass


def _tail(log: Path) -> str:
    """The last non-empty line of a log, for a one-line message."""
    try:
        with open(log, "rb") as f:
            f.seek(max(0, f.seek(0, os.SEEK_END) - 8192))
            lines = [_ANSI.sub("", ln).strip() for ln in f.read().decode("utf-8", "replace").splitlines()]
    except OSError:
        return ""
    last = next((ln for ln in reversed(lines) if ln), "")
    return last if len(last) <= 200 else last[:197] + "..."


def _signal_name(number: int) -> str:
    try:
        return signal.Signals(number).name
    except ValueError:
        return f"signal {number}"


@dataclass
class Child:
    """A child process in its own session; its exit status is read without reaping it,
    so its process group can still be killed as a whole afterwards."""

    name: str
    proc: subprocess.Popen[bytes]
    log: Path

    @classmethod
    def start(cls, name: str, argv: list[str], env: dict[str, str], log: Path,
              pass_fds: tuple[int, ...] = ()) -> Child:  # fmt: skip
        log.parent.mkdir(parents=True, exist_ok=True)
        _rotate(log)
        with open(log, "ab") as out:
            out.write(f"\n--- {time.strftime('%Y-%m-%d %H:%M:%S')} watext serve: {' '.join(argv)}\n".encode())
            out.flush()
            proc = subprocess.Popen(
                argv, stdin=subprocess.DEVNULL, stdout=out, stderr=subprocess.STDOUT, env=env, pass_fds=pass_fds,
                start_new_session=True,
                preexec_fn=partial(_child_preexec, os.getpid()),  # noqa: PLW1509 - watext serve runs no threads
            )  # fmt: skip
        return cls(name, proc, log)

    def running(self) -> bool:
        if self.proc.returncode is not None:
            return False
        try:
            return os.waitid(os.P_PID, self.proc.pid, os.WEXITED | os.WNOHANG | os.WNOWAIT) is None
        except ChildProcessError:
            return False

    def send(self, sig: int) -> None:
        if self.running():
            try:
                os.kill(self.proc.pid, sig)
            except ProcessLookupError:
                pass

    def wait(self, seconds: float, hurry: threading.Event | None = None) -> bool:
        """Wait up to ``seconds`` for the child to end (less once ``hurry`` is set)."""
        deadline = time.monotonic() + seconds
        while self.running():
            if time.monotonic() > deadline or (hurry is not None and hurry.is_set()):
                return False
            time.sleep(0.05)
        return True

    def reap(self) -> int:
        """Kill whatever is left in the child's process group, then collect its status."""
        try:
            os.killpg(self.proc.pid, signal.SIGKILL)
        except (ProcessLookupError, PermissionError):
            pass
        return self.proc.wait()

    def stop(self, sig: int, seconds: float, hurry: threading.Event) -> int:
        self.send(sig)
        self.wait(seconds, hurry)
        return self.reap()

    def describe_exit(self) -> str:
        code = self.proc.returncode
        if code is None:
            info = os.waitid(os.P_PID, self.proc.pid, os.WEXITED | os.WNOHANG | os.WNOWAIT)
            code = None if info is None else (info.si_status if info.si_code == os.CLD_EXITED else -info.si_status)
        how = f"killed by {_signal_name(-code)}" if code is not None and code < 0 else f"exit {code}"
        tail = _tail(self.log)
        return f"{how}; see {self.log}" + (f": {tail}" if tail else "")


# --- the service ------------------------------------------------------------------------


def _base_env(config: ServiceConfig) -> dict[str, str]:
    env = dict(os.environ)
    env.update({"PREFECT_HOME": str(config.data / "prefect"), "PREFECT_SERVER_ANALYTICS_ENABLED": "false",
                "DO_NOT_TRACK": "1", "PYTHONUNBUFFERED": "1", "WATEXT_CONFIG": str(config.path)})  # fmt: skip
    return env


def _server_env(config: ServiceConfig) -> dict[str, str]:
    env = _base_env(config)
    db = config.data / "prefect" / "prefect.db"
    env.setdefault("PREFECT_API_DATABASE_CONNECTION_URL", f"sqlite+aiosqlite:///{db}")
    env.pop("PREFECT_API_URL", None)
    return env


@contextmanager
def _stop_signals(stop: threading.Event, hurry: threading.Event) -> Iterator[None]:
    """SIGINT, SIGTERM and SIGHUP ask for a stop; a second one cuts the graceful waits short."""

    def handler(signum: int, frame: Any) -> None:
        (hurry if stop.is_set() else stop).set()

    sigs = (signal.SIGINT, signal.SIGTERM, signal.SIGHUP)
    old = {s: signal.signal(s, handler) for s in sigs}
    try:
        yield
    finally:
        for s, h in old.items():
            signal.signal(s, h)


def _wait_server(api_url: str, server: Child, stop: threading.Event) -> None:
    deadline = time.monotonic() + SERVER_START_SECONDS
    while api_health(api_url, timeout=2.0, local=True) is not None:
        if stop.is_set():
            raise _Stopped
        if not server.running():
            raise ServiceError(f"the Prefect server stopped while starting ({server.describe_exit()})")
        if time.monotonic() > deadline:
            raise ServiceError(f"the Prefect server did not answer {api_url}/health within "
                               f"{SERVER_START_SECONDS:.0f} s; see {server.log}")  # fmt: skip
        stop.wait(0.25)


def _wait_ready(runner: Child, fd: int, stop: threading.Event) -> dict[str, Any]:
    """The runner's line of JSON on its ready pipe: what it serves."""
    deadline = time.monotonic() + RUNNER_START_SECONDS
    buf = b""
    while b"\n" not in buf:
        if stop.is_set():
            raise _Stopped
        if time.monotonic() > deadline:
            raise ServiceError(f"the runner did not start within {RUNNER_START_SECONDS:.0f} s; see {runner.log}")
        if select.select([fd], [], [], 0.25)[0]:
            chunk = os.read(fd, 65536)
            if not chunk:  # the runner closed the pipe without a word: it ended
                runner.wait(5.0)
                raise ServiceError(f"the runner stopped while starting ({runner.describe_exit()})")
            buf += chunk
    try:
        return dict(json.loads(buf.split(b"\n", 1)[0]))
    except ValueError as exc:
        raise ServiceError(f"the runner sent an unreadable start message; see {runner.log}") from exc


def _start_runner(config: ServiceConfig, api_url: str, logs: Path, await_api: bool = False) -> tuple[Child, int]:
    """The runner; ``await_api``: started beside the server it uses, it waits for its API."""
    read_fd, write_fd = os.pipe()
    env = _base_env(config) | {"PREFECT_API_URL": api_url}
    argv = [sys.executable, "-m", "flows.serve", "--config", str(config.path), "--ready-fd", str(write_fd)]
    if await_api:
        argv += ["--await-api", str(SERVER_START_SECONDS)]
    try:
        runner = Child.start("runner", argv, env, logs / "runner.log", pass_fds=(write_fd,))
    except BaseException:
        os.close(read_fd)
        raise
    finally:
        os.close(write_fd)
    return runner, read_fd


def _ready_line(ui: str, ready: dict[str, Any], logs: Path) -> str:
    served = ", ".join(f"{d['name']} ({d['schedule']})" for d in ready.get("deployments", []))
    stale = ready.get("deleted", 0) + ready.get("cancelled", 0)
    note = i18n.t("cli", "serve_stale", n=stale) if stale else ""
    return i18n.t("cli", "serve_ready", ui=ui, served=served, note=note, logs=logs)


def _external_api() -> tuple[str, str]:
    api_url = os.environ["PREFECT_API_URL"].rstrip("/")
    reason = api_health(api_url, timeout=10.0)
    if reason is not None:
        raise ServiceError(f"the Prefect API at {api_url} (PREFECT_API_URL) is not reachable: {reason}")
    ui = os.environ.get("PREFECT_UI_URL") or api_url.removesuffix("/api")
    return api_url, ui


def run_service(config: ServiceConfig, echo: Callable[[str], None]) -> int:
    """Run the service until SIGINT, SIGTERM or SIGHUP; 0 after a clean stop. Raises
    :class:`ServiceError` (after stopping what did start) when it cannot start or a child
    stops unexpectedly."""
    lock = hold_lock(config.data)
    logs = config.data / "logs"
    stop, hurry = threading.Event(), threading.Event()
    children: list[Child] = []  # in start order; stopped in reverse
    read_fd = -1
    try:
        with _stop_signals(stop, hurry):
            try:
                if os.environ.get("PREFECT_API_URL"):
                    api_url, ui = _external_api()
                    runner, read_fd = _start_runner(config, api_url, logs)
                    children.append(runner)
                else:
                    port = pick_port(config.port)
                    ui, api_url = f"http://{HOST}:{port}", f"http://{HOST}:{port}/api"
                    argv = [sys.executable, "-m", "prefect", "server", "start", "--host", HOST, "--port", str(port)]
                    children.append(Child.start("Prefect server", argv, _server_env(config),
                                                logs / "prefect-server.log"))  # fmt: skip
                    # the runner's imports (4-6 s) overlap the server's start: it waits for the API
                    runner, read_fd = _start_runner(config, api_url, logs, await_api=True)
                    children.append(runner)
                    _wait_server(api_url, children[0], stop)
                echo(_ready_line(ui, _wait_ready(runner, read_fd, stop), logs))
                while not stop.wait(0.25):
                    for child in children:
                        if not child.running():
                            raise ServiceError(f"the {child.name} stopped unexpectedly ({child.describe_exit()})")
            except _Stopped:
                pass
            except OSError as exc:
                raise ServiceError(f"serve: {exc}") from exc
            finally:
                _stop(children, hurry, echo if stop.is_set() else None)
    finally:
        if read_fd >= 0:
            os.close(read_fd)
        lock.close()
    return 0


def _stop(children: list[Child], hurry: threading.Event, echo: Callable[[str], None] | None) -> None:
    """The runner first (SIGINT), then the server (SIGTERM); SIGKILL for what is left."""
    started = time.monotonic()
    for child in reversed(children):
        if child.name == "runner":
            child.stop(signal.SIGINT, RUNNER_STOP_SECONDS, hurry)
        else:
            child.stop(signal.SIGTERM, SERVER_STOP_SECONDS, hurry)
    if echo is not None:
        echo(i18n.t("cli", "serve_stopped", seconds=i18n.number(time.monotonic() - started, 1)))
