"""Child processes and temporary files that do not outlive a killed run.

- :func:`set_parent_death_signal`: Linux kills the calling process when its parent dies;
  used by the file worker and, through :func:`child_preexec`, by ``ocrmypdf``.
- :func:`run_dir`: this process's scratch folder ``$TMPDIR/watext-<uid>/run-<pid>``; OCR
  writes there. :func:`clean_stale_run_dirs` removes the folders of processes that no
  longer run (a run killed with ``kill -9`` leaves its folder; the next start removes it).
"""

from __future__ import annotations

import os
import shutil
import signal
import sys
import tempfile
from pathlib import Path

__all__ = ["child_preexec", "clean_stale_run_dirs", "pid_alive", "run_dir", "set_parent_death_signal"]

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
