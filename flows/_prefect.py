"""Prefect as watext runs it: analytics off, and a temporary server that dies with us.

Imported by every flow module before Prefect starts anything. Without ``PREFECT_API_URL``
Prefect starts a temporary server as a child process; here that child gets a parent-death
signal, so ``kill -9`` of a watext command does not leave the server running.
"""

from __future__ import annotations

import os
import subprocess
from typing import Any

os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")
os.environ.setdefault("DO_NOT_TRACK", "1")
# Under load a temporary server takes 15-30 s to start; at the default 20 s three
# concurrent commands all timed out, at 90 all came up.
os.environ.setdefault("PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS", "90")

from watext.procs import child_preexec  # noqa: E402


class _Subprocess:
    """``subprocess`` for Prefect's server module: ``Popen`` children die with their parent."""

    def __getattr__(self, name: str) -> Any:
        return getattr(subprocess, name)

    @staticmethod
    def Popen(*args: Any, **kwargs: Any) -> subprocess.Popen[Any]:  # noqa: N802 - mirrors subprocess
        kwargs.setdefault("preexec_fn", child_preexec)
        return subprocess.Popen(*args, **kwargs)


def _patch_server() -> None:
    try:
        import prefect.server.api.server as server
    except ImportError:  # pragma: no cover - a Prefect without a local server
        return
    if not isinstance(server.subprocess, _Subprocess):
        server.subprocess = _Subprocess()  # type: ignore[assignment]


_patch_server()
