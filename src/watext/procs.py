"""Child processes and temporary files that do not outlive a killed run.

- :func:`set_parent_death_signal`: Linux kills the calling process when its parent dies;
  used by the file worker and, through :func:`child_preexec`, by ``ocrmypdf``.
- :func:`run_dir`: this process's scratch folder ``$TMPDIR/watext-<uid>/run-<pid>``; OCR
  writes there. :func:`clean_stale_run_dirs` removes the folders of processes that no
  longer run (a run killed with ``kill -9`` leaves its folder; the next start removes it).
- :func:`fork_safe`, :func:`forked_child`, :class:`Forked`: a worker forked from this
  process instead of started as a fresh interpreter (see :mod:`watext.ingest.worker`).
- :func:`api_health`: whether a (Prefect) server child answers, asked by ``watext serve``
  and by its runner, which starts beside the server (:mod:`watext.service`, ``flows/serve.py``).
"""

from __future__ import annotations

import base64
import gc
import logging
import os
import select
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

__all__ = [
    "Forked", "api_health", "child_preexec", "clean_stale_run_dirs", "fork_safe", "forked_child", "pid_alive", "run_dir",
    "set_parent_death_signal",
]

_PR_SET_PDEATHSIG = 1


def set_parent_death_signal(sig: int = signal.SIGKILL) -> None:
    """Ask Linux to send ``sig`` to this process when its parent dies (no-op elsewhere)."""
    if not sys.platform.startswith("linux"):
        return
    try:
        import ctypes

        ctypes.CDLL("libc.so.6", use_errno=True).prctl(_PR_SET_PDEATHSIG, sig)
    except OSError:  # pragma: no cover - no libc: time limits still apply
        pass


def child_preexec() -> None:
    """``preexec_fn`` for helper programs: they die with the process that started them."""
    set_parent_death_signal(signal.SIGKILL)


def _base() -> Path:
    return Path(tempfile.gettempdir()) / f"watext-{os.getuid()}"


def pid_alive(pid: int) -> bool:
    """True when a process with this id runs on this machine."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def clean_stale_run_dirs() -> int:
    """Remove scratch folders of processes that are gone; returns how many."""
    base = _base()
    n = 0
    if not base.is_dir():
        return 0
    for d in base.glob("run-*"):
        try:
            pid = int(d.name.split("-", 1)[1])
        except ValueError:
            continue
        if pid != os.getpid() and not pid_alive(pid):
            shutil.rmtree(d, ignore_errors=True)
            n += 1
    return n


def run_dir() -> Path:
    """This process's scratch folder (created on first use, mode 0700)."""
    d = _base() / f"run-{os.getpid()}"
    d.mkdir(parents=True, exist_ok=True, mode=0o700)
    os.chmod(d.parent, 0o700)
    return d


def fork_safe() -> bool:
    """Forking copies only the calling thread: safe when it is the only one (a lock another
    thread holds would stay locked in the copy). Flows, Dask workers and thread pools run
    other threads, so their workers start as fresh interpreters."""
    return hasattr(os, "fork") and threading.active_count() == 1


def forked_child(keep_r: int, keep_w: int, parent: int) -> None:
    """Make a fresh copy of this process a worker: its own session, dies with its parent, no
    inherited descriptors but its pipe ends (another worker's pipe held open here would hide
    that worker's death), default signals, the parent's log handlers dropped (they may
    belong to threads that do not exist here), the parent's objects left out of garbage
    collection (not scanned, not copied)."""
    gc.freeze()
    os.setsid()
    set_parent_death_signal()
    if os.getppid() != parent:  # the parent died before the signal was asked for
        os._exit(1)
    for sig in (signal.SIGTERM, signal.SIGCHLD, signal.SIGHUP):  # SIGPIPE stays ignored, as Python starts
        signal.signal(sig, signal.SIG_DFL)
    devnull = os.open(os.devnull, os.O_RDONLY)
    os.dup2(devnull, 0)
    os.close(devnull)
    try:
        fds = [int(f) for f in os.listdir("/proc/self/fd")]
    except OSError:
        fds = list(range(3, 256))
    for fd in fds:
        if fd > 2 and fd not in (keep_r, keep_w):
            try:
                os.close(fd)
            except OSError:
                pass
    root = logging.getLogger()
    for logger in [root, *(lg for lg in logging.Logger.manager.loggerDict.values() if isinstance(lg, logging.Logger))]:
        logger.handlers.clear()
        logger.propagate = logger is not root
    root.setLevel(logging.WARNING)


class Forked:
    """The handle of a forked worker, with what :class:`FileWorker` uses of ``Popen``."""

    def __init__(self, pid: int) -> None:
        self.pid = pid
        self.returncode: int | None = None

    def poll(self) -> int | None:
        if self.returncode is None:
            try:
                pid, status = os.waitpid(self.pid, os.WNOHANG)
            except ChildProcessError:
                self.returncode = -signal.SIGKILL  # reaped elsewhere: gone
                return self.returncode
            if pid:
                self.returncode = os.waitstatus_to_exitcode(status)
        return self.returncode

    def wait(self, timeout: float) -> int:
        """The exit code, waiting at most ``timeout`` seconds (woken by the exit itself
        through a pid descriptor where Linux has them, else polling every 2 ms)."""
        end = time.monotonic() + timeout
        if self.poll() is None:
            try:
                fd = os.pidfd_open(self.pid)
            except (AttributeError, OSError):  # no pidfd (old kernel, other OS), or just gone
                fd = None
            if fd is not None:
                try:
                    select.select([fd], [], [], timeout)  # readable once the process has ended
                finally:
                    os.close(fd)
        while self.poll() is None:
            if time.monotonic() > end:
                raise subprocess.TimeoutExpired(f"worker {self.pid}", timeout)
            time.sleep(0.002)
        return self.returncode  # type: ignore[return-value]

    def kill(self) -> None:
        if self.poll() is None:
            try:
                os.kill(self.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass


def _auth_headers() -> dict[str, str]:
    if os.environ.get("PREFECT_API_KEY"):
        return {"Authorization": f"Bearer {os.environ['PREFECT_API_KEY']}"}
    if os.environ.get("PREFECT_API_AUTH_STRING"):
        token = base64.b64encode(os.environ["PREFECT_API_AUTH_STRING"].encode()).decode()
        return {"Authorization": f"Basic {token}"}
    return {}


def api_health(api_url: str, timeout: float = 3.0, local: bool = False) -> str | None:
    """None when ``GET <api_url>/health`` answers, else why not (one phrase). A local
    server is asked without the environment's HTTP proxy."""
    import urllib.error  # here: the file workers import this module and never ask
    import urllib.request

    request = urllib.request.Request(api_url.rstrip("/") + "/health", headers=_auth_headers())
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({})) if local else urllib.request.build_opener()
    try:
        with opener.open(request, timeout=timeout) as response:
            response.read(200)
            return None
    except urllib.error.HTTPError as exc:
        return f"HTTP {exc.code} {exc.reason}"
    except urllib.error.URLError as exc:
        return str(exc.reason)
    except (OSError, ValueError) as exc:
        return str(exc) or type(exc).__name__
