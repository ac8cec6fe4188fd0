"""Print a local HTML file to PDF with headless Chromium (the dossier's PDF).

The binary is the one given (``WATEXT_CHROMIUM``, ``Settings.chromium``) when set, else ``chromium`` on the PATH. Chromium runs
with a throw-away profile, no network of its own and a time limit (the pages printed
forbid scripts by their CSP; Chromium's own switch to turn scripts off also stops its
printing); its process group is killed when the limit passes (or this process is
interrupted). The PDF is
written to a temporary file next to the target and moved into place only when it is a
complete PDF, so a failed print never leaves a half-written file. Any failure is a
:class:`PrintError` with a one-line reason.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import tempfile
from pathlib import Path

from watext.errors import WatextError
from watext.files import atomic_path
from watext.procs import child_preexec

__all__ = ["TIMEOUT", "PrintError", "chromium_binary", "print_pdf"]

#: Seconds Chromium may take for one page.
TIMEOUT = 120.0

_ARGS = (
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
    "--disable-extensions", "--disable-sync", "--no-first-run", "--no-default-browser-check",
    "--no-pdf-header-footer",
)  # fmt: skip


class PrintError(WatextError):
    """Chromium is missing, failed, timed out, or wrote no complete PDF."""


def chromium_binary(wanted: str | None = None) -> str | None:
    """The Chromium to print with: ``wanted`` (a path or a command name; ``Settings.chromium``,
    ``WATEXT_CHROMIUM``), else ``chromium`` on the PATH; None when there is none."""
    wanted = (wanted or "").strip()
    if wanted:
        return shutil.which(wanted)
    return shutil.which("chromium")


def _stop(proc: subprocess.Popen[bytes]) -> None:
    """Kill Chromium and the helpers it started (its own process group)."""
    try:
        os.killpg(proc.pid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        pass
    proc.wait()


def _complete(path: Path) -> bool:
    """True when ``path`` starts like a PDF and ends with its end-of-file marker."""
    size = path.stat().st_size
    if size < 64:
        return False
    with open(path, "rb") as fh:
        head = fh.read(5)
        fh.seek(max(0, size - 1024))
        tail = fh.read()
    return head == b"%PDF-" and b"%%EOF" in tail


def print_pdf(html_path: str | Path, pdf_path: str | Path, *, timeout: float = TIMEOUT,
              binary: str | None = None) -> Path:  # fmt: skip
    """Print the local file ``html_path`` to ``pdf_path`` (atomically) with the Chromium
    ``binary`` names (see :func:`chromium_binary`); returns ``pdf_path``."""
    exe = chromium_binary(binary)
    if not exe:
        where = (binary or "").strip() or "chromium on the PATH"
        raise PrintError(f"Chromium not found ({where}); set WATEXT_CHROMIUM to its path")
    url = Path(html_path).resolve().as_uri()
    with tempfile.TemporaryDirectory(prefix="watext-print-") as scratch, atomic_path(pdf_path) as tmp:
        log = Path(scratch) / "chromium.log"
        args = [exe, *_ARGS, f"--user-data-dir={Path(scratch) / 'profile'}", f"--crash-dumps-dir={scratch}",
                f"--print-to-pdf={tmp}", url]  # fmt: skip
        with open(log, "wb") as err:
            try:
                proc = subprocess.Popen(args, stdin=subprocess.DEVNULL, stdout=err, stderr=err,
                                        start_new_session=True, preexec_fn=child_preexec)  # noqa: PLW1509  # fmt: skip
            except OSError as exc:
                raise PrintError(f"cannot start {exe}: {exc.strerror or exc}") from exc
            try:
                code = proc.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                _stop(proc)
                raise PrintError(f"Chromium did not finish printing within {timeout:g} s") from None
            except BaseException:
                _stop(proc)
                raise
        if code != 0:
            last = next((ln for ln in reversed(log.read_text(errors="replace").splitlines()) if ln.strip()), "")
            raise PrintError(f"Chromium failed (exit {code}){': ' + last[-200:] if last else ''}")
        if not _complete(tmp):
            raise PrintError("Chromium wrote no complete PDF")
    return Path(pdf_path)
