"""How a file worker starts: forked from a batch process that runs no other thread, else a
fresh interpreter; both read the same, obey the same limits and keep to their own pipes."""

from __future__ import annotations

import os
import signal
import subprocess
import threading
import time
from pathlib import Path

import pytest

from watext import pipeline
from watext.errors import TooSlowError
from watext.ingest import worker as worker_mod
from watext.ingest.parallel import WorkerPool
from watext.ingest.worker import FileWorker
from watext.settings import get_settings
from watext.store import open_store

from . import hostile as H
from .mixed_inputs import FORMATS


def _cmdline(pid: int) -> str:
    return Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode()


def _pipes(pid: int) -> set[str]:
    """The pipes process ``pid`` holds open (as ``pipe:[inode]``)."""
    out = set()
    for fd in os.listdir(f"/proc/{pid}/fd"):
        try:
            target = os.readlink(f"/proc/{pid}/fd/{fd}")
        except OSError:
            continue
        if target.startswith("pipe:"):
            out.add(target)
    return out


@pytest.fixture
def forking(monkeypatch: pytest.MonkeyPatch) -> None:
    """This test process as if it ran no other thread (pytest may have some from other tests)."""
    monkeypatch.setattr(worker_mod, "fork_safe", lambda: True)


def _read_all(settings, files: list[Path]) -> list[tuple[str, list[str]]]:
    out = []
    with FileWorker(settings) as w:
        for f in files:
            doc, passages = w.process(f, doc_id="x")
            out.append((doc.title or "", [p.text for p in passages]))
    return out


def test_forked_and_fresh_workers_read_every_format_the_same(forking: None) -> None:
    files = list(FORMATS)
    forked = _read_all(get_settings(), files)
    fresh = _read_all(get_settings(worker_start="exec"), files)
    assert forked == fresh and all(passages for _, passages in forked)


def test_a_forked_worker_holds_only_its_own_pipes(forking: None) -> None:
    """A second worker must not hold the first one's pipe ends: the batch would never see
    the first one die (its pipe stays open in the other)."""
    a, b = FileWorker(get_settings()), FileWorker(get_settings())
    try:
        a.start()
        b.start()
        assert a.forks() and "watext.ingest.worker" not in _cmdline(b._proc.pid)  # noqa: SLF001
        assert len(_pipes(b._proc.pid)) == 2  # noqa: SLF001 - its request and answer pipes
        assert not _pipes(b._proc.pid) & _pipes(a._proc.pid)  # noqa: SLF001
        os.kill(a._proc.pid, 9)  # noqa: SLF001
        assert a._proc.wait(5) == -9  # noqa: SLF001 - seen although b was forked after a
        doc, _ = a.process(FORMATS[0], doc_id="x")  # replaced, read
        assert doc.blocks
    finally:
        a.close()
        b.close()


def test_a_forked_worker_is_stopped_at_its_time_limit(tmp_path: Path, forking: None) -> None:
    slow = H.lying_page_count_pdf(tmp_path, pages=4000)  # several seconds to read
    w = FileWorker(get_settings(file_timeout_s=1, max_pages=5000))
    try:
        w.start()
        pid = w._proc.pid  # noqa: SLF001
        started = time.monotonic()
        with pytest.raises(TooSlowError):
            w.process(slow, doc_id="x")
        assert time.monotonic() - started < 30
        assert not Path(f"/proc/{pid}").exists() or "Z" in Path(f"/proc/{pid}/stat").read_text().split()[2]
        doc, _ = w.process(FORMATS[0], doc_id="x")  # a new worker reads the next file
        assert doc.blocks and w._proc.pid != pid  # noqa: SLF001
    finally:
        w.close()


def test_a_forked_worker_ends_with_its_batch(forking: None) -> None:
    w = FileWorker(get_settings())
    w.start()
    proc = w._proc  # noqa: SLF001
    w.close()
    assert proc.poll() == 0


def test_with_other_threads_running_the_worker_is_a_fresh_interpreter() -> None:
    stop = threading.Event()
    t = threading.Thread(target=stop.wait, daemon=True)
    t.start()
    try:
        w = FileWorker(get_settings())
        assert not w.forks()
        try:
            w.start()
            assert "watext.ingest.worker" in _cmdline(w._proc.pid)  # noqa: SLF001
        finally:
            w.close()
    finally:
        stop.set()
        t.join()


def test_exec_setting_always_starts_a_fresh_interpreter(forking: None) -> None:
    w = FileWorker(get_settings(worker_start="exec"))
    try:
        assert not w.forks()
        w.start()
        assert "watext.ingest.worker" in _cmdline(w._proc.pid)  # noqa: SLF001
    finally:
        w.close()


def test_a_pool_forks_its_workers_before_its_threads_start(tmp_path: Path, forking: None) -> None:
    settings = get_settings(db=f"sqlite:///{tmp_path / 'p.db'}", workers=2)
    with WorkerPool(settings, 2) as pool:
        started = [w._proc.pid for w in pool._all]  # noqa: SLF001
        assert len(started) == 2 and all("watext.ingest.worker" not in _cmdline(p) for p in started)
    with open_store(settings.db) as store:
        batch = pipeline.ingest(store, settings, [str(f) for f in FORMATS])
    assert batch.summary()["new"] == len(FORMATS)


def test_a_pool_starts_and_stops_its_workers_side_by_side(tmp_path: Path, forking: None, monkeypatch) -> None:
    """Every worker is forked before the first one is awaited, and asked to end before the
    first one is waited for: N start-ups (and exits) overlap instead of adding up."""
    events: list[str] = []
    fork, await_ready, stop = FileWorker._fork, FileWorker._await_ready, FileWorker.stop  # noqa: SLF001
    monkeypatch.setattr(FileWorker, "_fork", lambda self: (events.append("fork"), fork(self))[1])
    monkeypatch.setattr(FileWorker, "_await_ready", lambda self, *a: (events.append("ready"), await_ready(self, *a))[1])
    monkeypatch.setattr(FileWorker, "stop", lambda self: (events.append("stop"), stop(self))[1])
    pool = WorkerPool(get_settings(db=f"sqlite:///{tmp_path / 'p.db'}", workers=3), 3)
    assert events == ["fork"] * 3 + ["ready"] * 3
    procs = [w._proc for w in pool._all]  # noqa: SLF001
    events.clear()
    for proc in procs:
        proc.wait = lambda t, wait=proc.wait: (events.append("wait"), wait(t))[1]
    pool.close()
    assert "wait" in events and events[: events.index("wait")].count("stop") >= 3
    assert all(p.returncode == 0 for p in procs)  # each ended on its own, none was killed


def test_a_forked_worker_that_ended_is_waited_for_without_polling_past_its_end() -> None:
    from watext.procs import Forked

    pid = os.fork()
    if pid == 0:
        os._exit(3)
    assert Forked(pid).wait(5) == 3
    pid = os.fork()
    if pid == 0:
        time.sleep(5)
        os._exit(0)
    child = Forked(pid)
    try:
        with pytest.raises(subprocess.TimeoutExpired):
            child.wait(0.05)
    finally:
        child.kill()
        assert child.wait(5) == -signal.SIGKILL


def test_when_forking_fails_a_fresh_interpreter_reads_the_file(forking: None, monkeypatch) -> None:
    def no_fork() -> int:
        raise BlockingIOError(11, "Resource temporarily unavailable")

    monkeypatch.setattr(worker_mod.os, "fork", no_fork)
    before = len(os.listdir("/proc/self/fd"))
    w = FileWorker(get_settings())
    try:
        doc, _ = w.process(FORMATS[0], doc_id="x")
        assert doc.blocks and "watext.ingest.worker" in _cmdline(w._proc.pid)  # noqa: SLF001
    finally:
        w.close()
    assert len(os.listdir("/proc/self/fd")) == before  # no pipe left open


def _ignored_signals(pid: int) -> int:
    line = next(x for x in Path(f"/proc/{pid}/status").read_text().splitlines() if x.startswith("SigIgn:"))
    return int(line.split()[1], 16)


def test_forked_and_fresh_workers_ignore_the_same_signals(forking: None) -> None:
    """SIGPIPE ignored (a closed pipe is an exception, not a silent death), SIGINT ignored (the
    batch decides when its worker stops), SIGTERM not."""
    masks = []
    for start in ("auto", "exec"):
        w = FileWorker(get_settings(worker_start=start))
        try:
            w.start()
            masks.append(_ignored_signals(w._proc.pid))  # noqa: SLF001
        finally:
            w.close()
    bit = lambda sig: 1 << (sig - 1)  # noqa: E731
    for mask in masks:
        assert mask & bit(signal.SIGPIPE) and mask & bit(signal.SIGINT) and not mask & bit(signal.SIGTERM)


def test_rules_are_loaded_before_the_workers_are_forked(monkeypatch) -> None:
    """``_preload`` (run before a fork) enriches a small made-up submission once, so every
    forked worker starts with the rule files loaded and their patterns compiled."""
    from watext.enrich import doctype, formats, language, warm_up

    for loader in (formats.load_families, doctype._rules, language._stopword_index, language._evidence):  # noqa: SLF001
        loader.cache_clear()
    warm_up()
    assert all(loader.cache_info().currsize for loader in
               (formats.load_families, doctype._rules, language._stopword_index))  # noqa: SLF001
    calls: list[int] = []
    monkeypatch.setattr("watext.enrich.warm_up", lambda: calls.append(1))
    worker_mod._preload.cache_clear()  # noqa: SLF001
    worker_mod._preload()  # noqa: SLF001
    worker_mod._preload()  # noqa: SLF001
    assert calls == [1]
