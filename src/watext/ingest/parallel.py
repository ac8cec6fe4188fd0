"""Reading files side by side: on this machine (``--workers N``) or on a Dask cluster (``--dask``).

- :class:`WorkerPool` looks like one :class:`~watext.ingest.worker.FileWorker` but gives
  every thread its own, so N threads reading N files use N worker processes (true
  parallelism: the work of a file happens in its worker, the threads only wait);
- :class:`SerialWrites` lets one thread at a time write to a SQLite store (PostgreSQL
  stores are written concurrently; each document is one transaction either way);
- :func:`streams` (``watext ingest --workers N --no-flow``): N threads, each an overlapped
  :func:`~watext.ingest.files.ingest_stream` with its own worker, over one shared list of
  files, largest first (:func:`largest_first`);
- a *fan* runs one unit over many argument tuples and yields ``(index, ok, result or
  exception)`` as they finish: :func:`dask_fan` (an existing Dask cluster, without
  Prefect); the flows bring their own (Prefect's task runner);
- :func:`local_store`, :func:`local_worker`: what a Dask worker keeps between the batches
  it is given (one store per URL, one FileWorker per thread: a worker process started in
  a Dask worker, which runs threads, is a fresh interpreter, 0.2-0.5 s).
"""

from __future__ import annotations

import atexit
import ctypes  # noqa: F401 - imported before any fork: preexec_fn then only looks it up
import math
import os
import queue
import threading
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from pathlib import Path
from typing import Any

from watext.errors import ConfigError
from watext.ingest.discover import Entry
from watext.ingest.files import FileResult, hash_file, ingest_stream
from watext.ingest.worker import FileWorker
from watext.settings import Settings
from watext.store import Store, open_store

__all__ = [
    "Fan", "SerialWrites", "WorkerPool", "batches", "copies_apart", "dask_fan", "hook_delay", "largest_first",
    "local_store", "local_worker", "streams", "worker_count", "writes_for",
]  # fmt: skip

#: ``fan(unit, calls)`` runs ``unit(*args)`` for every ``args`` of ``calls`` side by side and
#: yields ``(index into calls, ok, result or the exception)`` in the order they finish.
Fan = Callable[[Callable[..., Any], Sequence[tuple[Any, ...]]], Iterator[tuple[int, bool, Any]]]

#: Files per Dask task: Dask and Prefect cost ~0.3-0.4 s per task, so a task reads several.
MAX_BATCH_FILES = 16
#: Most workers of the default (``workers`` = 0): the batch's own process stores what they
#: read (SQLite: one document at a time), so beyond a few cores more workers add little.
AUTO_MAX_WORKERS = 4


def worker_count(settings: Settings, files: int | None = None) -> int:
    """How many files a batch reads side by side: ``settings.workers``, or when that is 0 one
    per CPU core this process may use (at most :data:`AUTO_MAX_WORKERS`); never more than
    ``files``, never fewer than 1."""
    n = settings.workers
    if not n:
        try:
            cores = len(os.sched_getaffinity(0))
        except (AttributeError, OSError):  # not Linux
            cores = os.cpu_count() or 1
        n = min(AUTO_MAX_WORKERS, cores)
    return max(1, min(n, files) if files is not None else n)


class WorkerPool:
    """A :class:`FileWorker` per thread, given to the thread at its first file; ``close`` stops all.

    When workers can be forked (:meth:`FileWorker.forks`), ``size`` of them are forked at
    once by the thread that makes the pool, before the threads that use them exist (all
    forked, then all awaited, so their start-ups overlap); a
    thread beyond them gets a worker of its own, started when it needs it."""

    def __init__(self, settings: Settings, size: int = 0) -> None:
        self.settings = settings
        self._local = threading.local()
        self._all: list[FileWorker] = []
        self._idle: list[FileWorker] = []
        self._lock = threading.Lock()
        try:
            for _ in range(size):
                w = FileWorker(settings)
                if not w.forks():  # fresh interpreters start faster side by side, in the threads
                    break
                self._all.append(w)
                w.start(wait=False)  # all forked first, then all awaited: they start side by side
            for w in self._all:
                w.ready()
                self._idle.append(w)
        except BaseException:
            self.close()
            raise

    def worker(self) -> FileWorker:
        """This thread's worker."""
        w = getattr(self._local, "worker", None)
        if w is None:
            with self._lock:
                w = self._idle.pop() if self._idle else None
                if w is None:
                    w = FileWorker(self.settings)
                    self._all.append(w)
            self._local.worker = w
        return w

    def process(self, path: Path, **kwargs: Any) -> tuple[Any, Any]:
        """:meth:`FileWorker.process` in this thread's worker process."""
        return self.worker().process(path, **kwargs)

    def close(self) -> None:
        with self._lock:
            workers, self._all = self._all, []
        for w in workers:  # all asked to end first, then each waited for: they end side by side
            w.stop()
        for w in workers:
            w.close()

    def __enter__(self) -> WorkerPool:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


class SerialWrites:
    """A store whose document and failure writes run one at a time (one writer for SQLite:
    no thread waits in SQLite's busy loop); everything else goes to the store as it is."""

    def __init__(self, store: Store) -> None:
        self._store = store
        self._lock = threading.Lock()

    def __getattr__(self, name: str) -> Any:
        return getattr(self._store, name)

    def save_document(self, *args: Any, **kwargs: Any) -> Any:
        with self._lock:
            return self._store.save_document(*args, **kwargs)

    def record_failure(self, *args: Any, **kwargs: Any) -> Any:
        with self._lock:
            return self._store.record_failure(*args, **kwargs)


def writes_for(store: Store) -> Any:
    """``store`` for writers in several threads: serialised for SQLite, as it is for PostgreSQL."""
    return store if store.url.get_backend_name() == "postgresql" else SerialWrites(store)


class _Shared:
    """An iterator several threads take from, one item at a time, until ``stop`` is set."""

    def __init__(self, items: Iterable[Any], stop: threading.Event) -> None:
        self._it, self._stop = iter(items), stop
        self._lock = threading.Lock()

    def __iter__(self) -> _Shared:
        return self

    def __next__(self) -> Any:
        if self._stop.is_set():
            raise StopIteration
        with self._lock:
            return next(self._it)


def streams(items: Iterable[tuple[int, Entry]], store: Store, settings: Settings, pool: WorkerPool,
            city: str | None, known_cities: list[str] | None,
            workers: int) -> Iterator[tuple[int, FileResult]]:  # fmt: skip
    """``(index, result)`` of every ``(index, entry)``, as they finish: ``workers``
    threads each run an :func:`~watext.ingest.files.ingest_stream` with its own worker over
    the shared items (a thread takes the next file when its worker is free, and stores one
    file while its worker reads the next). Results reach the caller's thread; an error that
    is not a file's (an interrupt, a store that went away) is raised there after the threads
    stopped taking files."""
    stop, results = threading.Event(), queue.Queue()
    shared = _Shared(items, stop)

    def run() -> None:
        try:
            for i, result in ingest_stream(shared, store, settings, pool.worker(), city, known_cities):
                results.put((i, result, None))
        except BaseException as exc:  # noqa: BLE001 - handed to the caller's thread
            stop.set()
            results.put((None, None, exc))
        finally:
            results.put(None)

    threads = [threading.Thread(target=run, name=f"watext-ingest-{n}", daemon=True) for n in range(workers)]
    for t in threads:
        t.start()
    running, error = len(threads), None
    try:
        while running:
            item = results.get()
            if item is None:
                running -= 1
            elif item[2] is not None:
                error = error or item[2]
            elif error is None:
                yield item[0], item[1]
    finally:
        stop.set()
        for t in threads:
            t.join()
    if error is not None:
        raise error


def dask_fan(address: str) -> Fan:
    """A fan over the Dask cluster at ``address`` (in-process runs; the flows use prefect-dask).
    A task whose worker dies is given to another worker (Dask's ``allowed-failures``)."""

    def fan(unit: Callable[..., Any], calls: Sequence[tuple[Any, ...]]) -> Iterator[tuple[int, bool, Any]]:
        from distributed import Client
        from distributed import as_completed as dask_completed

        try:
            client = Client(address, timeout="30s")
        except (OSError, TimeoutError) as exc:
            raise ConfigError(f"cannot reach the Dask scheduler at {address}: {exc}") from exc
        with client:
            futures = {client.submit(unit, *args, pure=False): i for i, args in enumerate(calls)}
            for f in dask_completed(list(futures)):
                try:
                    yield futures[f], True, f.result()
                except Exception as exc:  # noqa: BLE001 - a lost batch is recorded per file, the rest goes on
                    yield futures[f], False, exc

    return fan


def _size(entry: Entry) -> int | None:
    try:
        return entry.path.stat().st_size
    except OSError:
        return None


def largest_first(entries: Sequence[Entry]) -> list[int]:
    """Indices of ``entries``, largest file first (ties, and files that cannot be sized, in the
    order found): side by side, the batch ends soonest when no large file starts last."""
    sizes = [_size(e) or 0 for e in entries]
    return sorted(range(len(entries)), key=lambda i: -sizes[i])


def copies_apart(entries: Sequence[Entry], order: Sequence[int], max_bytes: int) -> list[list[int]]:
    """``order`` in rounds, so that no two files with the same bytes are read side by side:
    round 0 holds each content's first file in the order found, round k its (k+1)-th copy
    (almost always there is just round 0). Run one round after the other, the batch then
    stores what one-after-the-other reading stores: the first file found under its path,
    its copies ``unchanged``, or read when the first failed; never whichever copy won a race.
    Only files of a size that occurs more than once are hashed (and none over ``max_bytes``,
    which are not stored by content)."""
    sizes = [_size(e) for e in entries]
    counts: dict[int, int] = {}
    for size in sizes:
        if size is not None:
            counts[size] = counts.get(size, 0) + 1
    seen: dict[tuple[int, str], int] = {}
    copy = [0] * len(entries)
    for i, size in enumerate(sizes):
        if size is None or counts[size] < 2 or size > max_bytes or entries[i].code:
            continue
        try:
            key = (size, hash_file(entries[i].path))
        except OSError:  # reported when the file's turn comes
            continue
        copy[i] = seen.get(key, 0)
        seen[key] = copy[i] + 1
    rounds: list[list[int]] = [[] for _ in range(max(copy, default=0) + 1)]
    for i in order:
        rounds[copy[i]].append(i)
    return rounds


def batches(entries: Sequence[Entry], size: int | None = None) -> list[list[Entry]]:
    """``entries`` in batches for Dask tasks: ``size`` files each, by default enough for 16
    tasks and at most :data:`MAX_BATCH_FILES` files per task."""
    n = size or max(1, min(MAX_BATCH_FILES, math.ceil(len(entries) / 16)))
    return [list(entries[i : i + n]) for i in range(0, len(entries), n)]


# --- what a Dask worker keeps between batches ------------------------------------------

_STORES: dict[str, Store] = {}
_WORKERS = threading.local()
_STORE_LOCK = threading.Lock()


def local_store(url: str) -> Store:
    """One store per URL in this process (a Dask worker opens it on its first batch)."""
    with _STORE_LOCK:
        if url not in _STORES:
            _STORES[url] = open_store(url)
        return _STORES[url]


def local_worker(settings: Settings) -> FileWorker:
    """This thread's FileWorker under ``settings``' limits (a new one when they changed)."""
    w: FileWorker | None = getattr(_WORKERS, "worker", None)
    if w is None or w.settings != settings:
        if w is not None:
            w.close()
        w = _WORKERS.worker = FileWorker(settings)
        atexit.register(w.close)
    return w


def hook_delay() -> None:
    """Wait ``WATEXT_TEST_BATCH_DELAY_S`` seconds (unset: not at all) before a file of a Dask
    batch: the hook of the test that stops a Dask worker while it holds a batch."""
    try:
        seconds = float(os.environ.get("WATEXT_TEST_BATCH_DELAY_S", "0") or 0)
    except ValueError:
        seconds = 0.0
    if seconds > 0:
        time.sleep(seconds)
