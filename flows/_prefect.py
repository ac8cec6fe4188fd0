"""Prefect as watext runs it: analytics off, and a temporary server that dies with us.

Imported by every flow module before Prefect starts anything. Without ``PREFECT_API_URL``
Prefect starts a temporary server as a child process; here that child gets a parent-death
signal, so ``kill -9`` of a watext command does not leave the server running.
"""

from __future__ import annotations

import os
import subprocess
from pathlib import Path
from typing import Any

os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")
os.environ.setdefault("DO_NOT_TRACK", "1")
# Under load a temporary server takes 15-30 s to start; at the default 20 s three
# concurrent commands all timed out, at 90 all came up.
os.environ.setdefault("PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS", "90")

from watext.procs import child_preexec  # noqa: E402


def server_log() -> Path:
    """Where the temporary server's own output goes (not the user's terminal: a server that
    fails to start, e.g. two commands migrating one Prefect database at once, prints
    tracebacks; Prefect then retries on another port, and the command says one line if
    it gives up)."""
    home = Path(os.environ.get("PREFECT_HOME") or Path.home() / ".prefect").expanduser()
    return home / "watext-temporary-server.log"


class _Subprocess:
    """``subprocess`` for Prefect's server module: ``Popen`` children die with their parent,
    and write to :func:`server_log`."""

    def __getattr__(self, name: str) -> Any:
        return getattr(subprocess, name)

    @staticmethod
    def Popen(*args: Any, **kwargs: Any) -> subprocess.Popen[Any]:  # noqa: N802 - mirrors subprocess
        kwargs.setdefault("preexec_fn", child_preexec)
        if "stdout" not in kwargs and "stderr" not in kwargs:
            try:
                log = server_log()
                log.parent.mkdir(parents=True, exist_ok=True)
                with log.open("ab") as fh:  # the child keeps its own copy of the descriptor
                    return subprocess.Popen(*args, **kwargs, stdout=fh, stderr=subprocess.STDOUT)
            except OSError:
                pass  # no writable log: the output stays where it was
        return subprocess.Popen(*args, **kwargs)


def _patch_server() -> None:
    try:
        import prefect.server.api.server as server
    except ImportError:  # pragma: no cover - a Prefect without a local server
        return
    if not isinstance(server.subprocess, _Subprocess):
        server.subprocess = _Subprocess()  # type: ignore[assignment]


_patch_server()
