"""Reading files in a child process the parent can kill: time and memory limits per file.

    with FileWorker(settings) as worker:
        doc, passages = worker.process(path, doc_id=digest, city=None, known_cities=known)

Every file is read (sniff, extract, OCR, enrich, segment, annotate: :func:`process_file`)
in a worker process, not in the batch's own process:

- **time**: the parent waits at most ``settings.file_timeout_s`` for the answer, then kills
  the worker (and its children, e.g. ``ocrmypdf``) and raises :class:`TooSlowError`;
- **memory**: the worker's address space is capped at its start-up size plus
  ``settings.file_max_mb`` (``RLIMIT_AS``); an allocation beyond it fails inside the worker
  (:class:`TooLargeError`), and a worker that dies anyway is reported the same way;
- a worker that was killed or died is replaced for the next file; the batch goes on.

A worker runs in its own session with a parent-death signal, talking over a private pipe
pair. When the batch's process runs no other thread (``watext ingest --no-flow``, the
benchmarks), the worker is a fork of it with the readers already imported (about 10 ms);
otherwise (flows, Dask workers, threads of a parallel ingest after their first worker, or
``WATEXT_WORKER_START=exec``) it is ``python -m watext.ingest.worker``, a fresh interpreter
that imports watext first (0.2-0.5 s). Either way it costs nothing per file after that.
A parallel ingest (``--workers N``) runs N of these side by side, one per thread
(:class:`watext.ingest.parallel.WorkerPool`).
"""

from __future__ import annotations

import contextlib
import functools
import importlib
import logging
import os
import resource
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any

from watext.errors import InputError, TooDeepError, TooLargeError, TooSlowError
from watext.procs import Forked, clean_stale_run_dirs, fork_safe, forked_child, set_parent_death_signal
from watext.settings import Settings

__all__ = ["FileWorker", "WorkerCrashedError"]

log = logging.getLogger(__name__)

_START_TIMEOUT_S = 120.0
#: Workers are started one at a time: ``preexec_fn`` runs between fork and exec, where a
#: lock held by another thread of a parallel ingest would never be released.
_SPAWN_LOCK = threading.Lock()


class WorkerCrashedError(InputError):
    code = "worker_crashed"


@dataclass(frozen=True, slots=True)
class _Request:
    path: str
    doc_id: str
    city: str | None
    known_cities: tuple[str, ...] | None


def _vm_bytes() -> int:
    """This process's current virtual memory size (Linux); 0 when unknown."""
    try:
        with open("/proc/self/statm", encoding="ascii") as fh:
            return int(fh.read().split()[0]) * os.sysconf("SC_PAGE_SIZE")
    except (OSError, ValueError, IndexError):
        return 0


def _cap_memory(extra_mb: float) -> None:
    base = _vm_bytes()
    if base and extra_mb > 0:
        limit = base + int(extra_mb * 1_048_576)
        resource.setrlimit(resource.RLIMIT_AS, (limit, limit))


def _worker_main(conn: Any, settings: Settings) -> None:
    """The worker's loop: read a request, answer ("ok", doc, passages) or ("err", code, reason)."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # the parent decides when to stop
    from watext.ingest.files import process_file

    _cap_memory(settings.file_max_mb)
    conn.send(("ready",))
    while True:
        try:
            req = conn.recv()
        except (EOFError, OSError):
            return
        if req is None:
            return
        try:
            doc, passages = process_file(Path(req.path), settings, doc_id=req.doc_id,
                                         city=req.city, known_cities=list(req.known_cities or []) or None)  # fmt: skip
            answer: tuple[Any, ...] = ("ok", doc, passages)
        except InputError as exc:
            answer = ("err", exc.code, str(exc))
        except MemoryError:
            answer = ("err", TooLargeError.code,
                      f"reading it needs more than {settings.file_max_mb:.0f} MB of memory (WATEXT_FILE_MAX_MB)")
        except RecursionError:
            answer = ("err", TooDeepError.code, "nested too deeply to read")
        except Exception as exc:  # noqa: BLE001 - a bug on one file must not end the worker
            log.error("unexpected error on %s: %s: %s", req.path, type(exc).__name__, exc)
            answer = ("err", "internal_error", f"unexpected error ({type(exc).__name__}): {exc}")
        try:
            conn.send(answer)
        except MemoryError:
            conn.send(("err", TooLargeError.code, "the result is too large to hand over"))


_ERRORS: dict[str, type[InputError]] = {}


def _error(code: str, reason: str) -> InputError:
    """The typed error for ``code`` (an InputError subclass, or a generic one with that code)."""
    if not _ERRORS:
        from watext import errors

        for name in errors.__all__:
            cls = getattr(errors, name)
            if isinstance(cls, type) and issubclass(cls, InputError):
                _ERRORS[cls.code] = cls
        _ERRORS[WorkerCrashedError.code] = WorkerCrashedError
    cls = _ERRORS.get(code)
    if cls is not None:
        return cls(reason)
    err = InputError(reason)
    err.code = code
    return err


class FileWorker:
    """One worker process at a time, replaced after a kill (see the module doc)."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self._proc: Any = None
        self._conn: Any = None
        self._pending: tuple[Any, _Duplex] | None = None  # started, its "ready" not yet read
        self._sent = 0.0

    def __enter__(self) -> FileWorker:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def forks(self) -> bool:
        """Whether a worker started now is forked from this process (else a fresh interpreter)."""
        return self.settings.worker_start == "auto" and fork_safe()

    def start(self, wait: bool = True) -> None:
        """Start the worker process now (else it starts at the first file). ``wait=False``:
        return once it is forked or spawned; :meth:`ready` (or the first file) waits until
        it has started, so several workers start side by side."""
        if self._pending is None and (self._proc is None or self._proc.poll() is not None):
            self._drop()
            self._start()
        if wait:
            self.ready()

    def ready(self) -> None:
        """Wait until the worker started by ``start(wait=False)`` is ready (see :meth:`start`)."""
        if self._pending is not None:
            proc, conn = self._pending
            self._pending = None
            self._await_ready(proc, conn)

    def _start(self) -> None:
        """Start a worker: forked from this process when it runs no other thread (nothing to
        import again: milliseconds), else ``python -m watext.ingest.worker`` (a fresh
        interpreter, a few hundred milliseconds)."""
        if self.forks():
            try:
                self._fork()
                return
            except OSError as exc:  # no memory or processes left to copy this one: try a fresh one
                log.warning("forking a file worker failed (%s); starting a fresh interpreter", exc)
        self._spawn()

    def _fork(self) -> None:
        """A copy of this process as the worker, on a private pipe pair, in its own session with
        a parent-death signal; it keeps only its two pipe ends and stdin/out/err."""
        _preload()
        to_child_r, to_child_w = os.pipe()
        from_child_r, from_child_w = os.pipe()
        parent = os.getpid()
        with _SPAWN_LOCK:
            try:
                pid = os.fork()
            except OSError:
                for fd in (to_child_r, to_child_w, from_child_r, from_child_w):
                    os.close(fd)
                raise
            if pid == 0:  # the worker: never returns
                code = 1
                try:
                    forked_child(to_child_r, from_child_w, parent)
                    _worker_main(_Duplex(Connection(from_child_w, readable=False),
                                         Connection(to_child_r, writable=False)), self.settings)  # fmt: skip
                    code = 0
                finally:
                    _exit_now(code)
        os.close(to_child_r)
        os.close(from_child_w)
        self._pending = (Forked(pid), _Duplex(Connection(to_child_w, readable=False),
                                              Connection(from_child_r, writable=False)))  # fmt: skip

    def _spawn(self) -> None:
        """Start ``python -m watext.ingest.worker`` with a private pipe pair (its own session, a
        parent-death signal; stdout and stderr stay free for libraries' chatter)."""
        to_child_r, to_child_w = os.pipe()
        from_child_r, from_child_w = os.pipe()
        cmd = [sys.executable, "-m", "watext.ingest.worker", str(to_child_r), str(from_child_w)]
        try:
            with _SPAWN_LOCK:
                proc = subprocess.Popen(cmd, pass_fds=(to_child_r, from_child_w), stdin=subprocess.DEVNULL,
                                        start_new_session=True, preexec_fn=set_parent_death_signal)  # fmt: skip
        finally:
            os.close(to_child_r)
            os.close(from_child_w)
        conn = _Duplex(Connection(to_child_w, readable=False), Connection(from_child_r, writable=False))
        self._pending = (proc, conn)
        conn.send(self.settings.model_dump())

    def _await_ready(self, proc: Any, conn: _Duplex) -> None:
        if not conn.poll(_START_TIMEOUT_S):
            self._kill(proc)
            conn.close()
            raise RuntimeError("the file worker did not start")
        try:
            conn.recv()
        except (EOFError, OSError) as exc:
            self._kill(proc)
            conn.close()
            raise RuntimeError(f"the file worker ended at start (exit code {proc.poll()})") from exc
        self._proc, self._conn = proc, conn

    @staticmethod
    def _kill(proc: Any) -> None:
        try:
            os.killpg(proc.pid, signal.SIGKILL)  # the worker and its children (ocrmypdf, tesseract)
        except (ProcessLookupError, PermissionError, OSError):
            pass
        try:
            proc.kill()
            proc.wait(5)
        except (OSError, subprocess.TimeoutExpired):
            pass

    def _drop(self) -> None:
        if self._pending is not None:
            self._proc, self._conn = self._pending
            self._pending = None
        if self._proc is not None:
            self._kill(self._proc)
        if self._conn is not None:
            self._conn.close()
        self._proc = self._conn = None

    def process(self, path: Path, *, doc_id: str, city: str | None = None,
                known_cities: Sequence[str] | None = None) -> tuple[Any, Any]:  # fmt: skip
        """``(Document, passages)`` for ``path``; raises an :class:`InputError` subclass for a
        bad file, :class:`TooSlowError` after the time limit, :class:`TooLargeError` after
        the memory limit."""
        self.submit(path, doc_id=doc_id, city=city, known_cities=known_cities)
        return self.collect()

    def submit(self, path: Path, *, doc_id: str, city: str | None = None,
               known_cities: Sequence[str] | None = None) -> None:  # fmt: skip
        """Hand ``path`` to the worker and return at once; :meth:`collect` gives its answer (one
        file at a time: the time limit runs from here)."""
        self.start()
        req = _Request(str(path), doc_id, city, tuple(known_cities) if known_cities else None)
        self._sent = time.monotonic()
        self._conn.send(req)

    def collect(self) -> tuple[Any, Any]:
        """The answer to the file of the last :meth:`submit` (see :meth:`process`)."""
        t0 = self._sent
        timeout = self.settings.file_timeout_s
        try:
            ready = self._conn.poll(max(0.0, timeout - (time.monotonic() - t0)))
        except (EOFError, OSError):
            ready = True
        if not ready:
            self._drop()
            raise TooSlowError(f"reading it took longer than {timeout:.0f} s (WATEXT_FILE_TIMEOUT_S); stopped")
        try:
            answer = self._conn.recv()
        except (EOFError, OSError):
            try:
                code = self._proc.wait(5) if self._proc is not None else None
            except subprocess.TimeoutExpired:
                code = None
            self._drop()
            elapsed = time.monotonic() - t0
            if code in (-signal.SIGKILL, -signal.SIGSEGV, -signal.SIGABRT, -signal.SIGBUS):
                raise TooLargeError(
                    f"the reader stopped after {elapsed:.0f} s (signal {-code}), most likely out of memory "
                    f"(limit {self.settings.file_max_mb:.0f} MB, WATEXT_FILE_MAX_MB)") from None
            raise WorkerCrashedError(f"the reader stopped unexpectedly (exit code {code})") from None
        if answer[0] == "ok":
            return answer[1], answer[2]
        raise _error(answer[1], answer[2])

    def stop(self) -> None:
        """Ask the worker to end after its current file, without waiting (:meth:`close` waits):
        several workers then end side by side."""
        if self._pending is not None:  # still starting: nothing to finish
            self._drop()
        if self._conn is not None and self._proc is not None and self._proc.poll() is None:
            with contextlib.suppress(OSError):
                self._conn.send(None)

    def close(self) -> None:
        """Stop the worker and wait for its end (it also dies with its parent)."""
        self.stop()
        if self._proc is not None:
            with contextlib.suppress(OSError, subprocess.TimeoutExpired):
                self._proc.wait(5)
        self._drop()


@functools.cache
def _preload() -> None:
    """Before forking (once): import the readers, load the enrichment rules (no forked worker
    does it again at its first file), remove OCR scratch folders of killed runs."""
    from watext.enrich import warm_up
    from watext.extract import EXTRACTOR_VERSIONS

    for name in EXTRACTOR_VERSIONS:
        try:
            importlib.import_module(f"watext.extract.{name}")
        except ImportError:  # pragma: no cover - a reader's library missing: that format fails per file
            pass
    clean_stale_run_dirs()
    try:
        warm_up()
    except Exception as exc:  # noqa: BLE001 - a broken rule file fails each file with its reason instead
        log.debug("enrichment warm-up failed: %s", exc)


class _Duplex:
    """A send-only and a receive-only :class:`Connection` used as one."""

    def __init__(self, out: Connection, inp: Connection) -> None:
        self._out, self._in = out, inp

    def send(self, obj: Any) -> None:
        self._out.send(obj)

    def recv(self) -> Any:
        return self._in.recv()

    def poll(self, timeout: float) -> bool:
        return self._in.poll(timeout)

    def close(self) -> None:
        for c in (self._out, self._in):
            try:
                c.close()
            except OSError:
                pass


def main(argv: Sequence[str] | None = None) -> int:
    """Entry of ``python -m watext.ingest.worker READ_FD WRITE_FD`` (started by :class:`FileWorker`)."""
    args = list(sys.argv[1:] if argv is None else argv)
    inp, out = Connection(int(args[0]), writable=False), Connection(int(args[1]), readable=False)
    settings = Settings(**inp.recv())
    clean_stale_run_dirs()  # OCR scratch folders of killed runs (a forking parent: in _preload)
    _worker_main(_Duplex(out, inp), settings)
    return 0


def _exit_now(code: int) -> None:
    """End the worker without the interpreter's teardown (freeing spaCy pipelines, PDFium and
    every module costs more than all the files of a small batch); output is flushed first."""
    logging.shutdown()
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except (OSError, ValueError, AttributeError):
            pass
    os._exit(code)


if __name__ == "__main__":
    _exit_now(main())
