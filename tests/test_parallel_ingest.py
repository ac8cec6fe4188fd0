"""``--workers 2`` reads files side by side and stores the same as ``--workers 1``: the same
documents, passages and failures, results in the order the files were found (SQLite and
PostgreSQL, in-process and as a Prefect flow)."""

from __future__ import annotations

import json
import subprocess
import sys
import threading
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest

from watext import pipeline
from watext.ingest.parallel import SerialWrites, WorkerPool, writes_for
from watext.settings import get_settings
from watext.store import open_store

from .mixed_inputs import BROKEN_PDF, FORMATS, mixed_folder
from .paths import DATA
from .prefect_server import PrefectServer

FILES = [*FORMATS, DATA / "survey" / "lakeside_answer_en.txt"]


def _folder(tmp_path: Path) -> Path:
    return mixed_folder(tmp_path, FILES, {"broken.pdf": BROKEN_PDF, "empty.txt": b""})


def _contents(url: str) -> dict[str, Any]:
    """What a store holds, without times and run ids: documents, passages, failures."""
    with open_store(url) as store:
        docs = sorted((d["id"], Path(d["source"]).name, d["version"]) for d in store.iter_documents())
        passages = sorted((p["id"], p["text"]) for p in store.iter_passages())
        failures = sorted((Path(f["source"]).name, f["code"], f["reason"]) for f in store.iter_failures())
    return {"documents": docs, "passages": passages, "failures": failures}


def _ingest(url: str, folder: Path, workers: int) -> list[tuple[str, str, int]]:
    settings = get_settings(db=url, workers=workers)
    with open_store(url) as store:
        batch = pipeline.ingest(store, settings, [folder])
    return [(Path(f.source).name, f.status, f.passages) for f in batch.files]


def _same_for_one_and_two(folder: Path, url1: str, url2: str) -> None:
    one, two = _ingest(url1, folder, 1), _ingest(url2, folder, 2)
    assert two == one  # same results, in the order the files were found
    assert [name for name, *_ in one] == sorted(name for name, *_ in one)
    assert {s for _, s, _ in one} == {"new", "failed"} and sum(s == "failed" for _, s, _ in one) == 2
    assert _contents(url2) == _contents(url1)
    again = _ingest(url2, folder, 2)  # a second run reads nothing stored again
    assert [s for _, s, _ in again if s != "failed"] == ["unchanged"] * len(FILES)


def test_two_workers_store_what_one_stores_sqlite(tmp_path: Path) -> None:
    folder = _folder(tmp_path)
    _same_for_one_and_two(folder, f"sqlite:///{tmp_path / 'one.db'}", f"sqlite:///{tmp_path / 'two.db'}")


@pytest.mark.postgres
def test_two_workers_store_what_one_stores_postgres(tmp_path: Path, pg_url: str) -> None:
    folder = _folder(tmp_path)
    _same_for_one_and_two(folder, f"sqlite:///{tmp_path / 'one.db'}", pg_url)


def test_each_thread_reads_in_its_own_worker_process(tmp_path: Path) -> None:
    """N threads -> N worker processes, all stopped by ``close``."""
    settings = get_settings(db=f"sqlite:///{tmp_path / 'w.db'}")
    barrier = threading.Barrier(2)
    pids: list[int] = []

    def read(path: Path) -> int:
        barrier.wait(30)  # both threads at once
        doc, _ = pool.process(path, doc_id="x")
        w = pool.worker()
        pids.append(w._proc.pid)  # noqa: SLF001 - the process the file was read in
        return len(doc.blocks)

    with WorkerPool(settings) as pool:
        with ThreadPoolExecutor(2) as threads:
            results = list(threads.map(read, [FILES[0], FILES[5]]))
        assert all(n > 0 for n in results)
        assert len(set(pids)) == 2
        procs = [w._proc for w in pool._all]  # noqa: SLF001
    assert all(p.poll() is not None for p in procs)  # stopped


def test_sqlite_writes_go_one_at_a_time(tmp_path: Path) -> None:
    with open_store(f"sqlite:///{tmp_path / 'w.db'}") as store:
        assert isinstance(writes_for(store), SerialWrites)
        assert writes_for(store).counts() == store.counts()  # reads pass through


def test_cli_workers_option(tmp_path: Path) -> None:
    folder = _folder(tmp_path)
    db1, db2 = f"sqlite:///{tmp_path / 'one.db'}", f"sqlite:///{tmp_path / 'two.db'}"
    rows = []
    for db, workers in ((db1, "1"), (db2, "2")):
        proc = subprocess.run([sys.executable, "-m", "watext", "ingest", str(folder), "--db", db, "--workers",
                               workers, "--no-flow", "--json"], capture_output=True, text=True, timeout=300)  # fmt: skip
        assert proc.returncode == 3, proc.stderr[-3000:]  # two files failed, the others stored
        rows.append(json.loads(proc.stdout.strip().splitlines()[-1]))
    assert rows[0] == rows[1] and rows[1]["new"] == len(FILES) and rows[1]["failed"] == 2
    assert _contents(db1) == _contents(db2)
    bad = subprocess.run([sys.executable, "-m", "watext", "ingest", str(folder), "--db", db1, "--workers", "65"],
                         capture_output=True, text=True, timeout=60)  # fmt: skip
    assert bad.returncode == 2 and "Traceback" not in bad.stderr


@pytest.mark.flow
def test_workers_as_a_prefect_flow(tmp_path: Path, prefect_server: PrefectServer) -> None:
    """``--flow --workers 2``: the flow's tasks run on Prefect's thread pool; same store as in-process."""
    folder = _folder(tmp_path)
    db1, db2 = f"sqlite:///{tmp_path / 'one.db'}", f"sqlite:///{tmp_path / 'two.db'}"
    _ingest(db1, folder, 1)
    env = prefect_server.flow_env(tmp_path / "prefect")
    env.pop("WATEXT_DASK_ADDRESS", None)
    proc = subprocess.run([sys.executable, "-m", "watext", "ingest", str(folder), "--db", db2, "--workers", "2",
                           "--flow", "--json"], capture_output=True, text=True, timeout=400, env=env)  # fmt: skip
    assert proc.returncode == 3, proc.stderr[-3000:]
    assert "watext-ingest" in proc.stderr and "Traceback" not in proc.stderr
    assert json.loads(proc.stdout.strip().splitlines()[-1])["new"] == len(FILES)
    assert _contents(db2) == _contents(db1)


def test_largest_files_are_read_first_and_results_stay_in_the_order_found(tmp_path: Path) -> None:
    from watext.ingest.discover import discover_entries
    from watext.ingest.parallel import largest_first

    folder = tmp_path / "in"
    folder.mkdir()
    for name, size in (("a.txt", 10), ("b.txt", 3000), ("c.txt", 10), ("d.txt", 500)):
        (folder / name).write_text("Die Stadt bietet Sprachkurse an. " * max(1, size // 33), encoding="utf-8")
    entries = discover_entries([str(folder), str(folder / "fehlt.txt")], False)
    names = [e.path.name for e in entries]
    assert [names[i] for i in largest_first(entries)] == ["b.txt", "d.txt", "a.txt", "c.txt", "fehlt.txt"]
    db = f"sqlite:///{tmp_path / 'w.db'}"
    with open_store(db) as store:
        batch = pipeline.ingest(store, get_settings(db=db, workers=2), [str(folder), str(folder / "fehlt.txt")])
    assert [Path(f.source).name for f in batch.files] == names


def test_side_by_side_streams_overlap_reading_and_storing(tmp_path: Path, monkeypatch) -> None:
    """Each thread hands its worker the next file before it stores the one just read."""
    from watext.ingest.worker import FileWorker
    from watext.store import Store

    events: list[tuple[str, str, str]] = []
    submit, save = FileWorker.submit, Store.save_document

    def logged_submit(self: FileWorker, path: Path, **kw: Any) -> None:
        events.append((threading.current_thread().name, "read", Path(path).name))
        submit(self, path, **kw)

    def logged_save(self: Store, doc: Any, passages: Any) -> Any:
        events.append((threading.current_thread().name, "store", Path(doc.source).name))
        return save(self, doc, passages)

    monkeypatch.setattr(FileWorker, "submit", logged_submit)
    monkeypatch.setattr(Store, "save_document", logged_save)
    db = f"sqlite:///{tmp_path / 'w.db'}"
    with open_store(db) as store:
        batch = pipeline.ingest(store, get_settings(db=db, workers=2), [str(f) for f in FILES])
    assert batch.summary()["new"] == len(FILES)
    overlapped = 0
    for thread in {t for t, _, _ in events}:
        mine = [(what, name) for t, what, name in events if t == thread]
        for k, (what, name) in enumerate(mine):
            if what == "store":
                overlapped += any(w == "read" and n != name for w, n in mine[:k][-1:])
    assert overlapped >= 2  # a store right after handing over another file, in some thread


def test_an_error_that_is_no_files_fault_stops_the_side_by_side_batch(tmp_path: Path, monkeypatch) -> None:
    from watext.store import Store

    save = Store.save_document

    def interrupted(self: Store, doc: Any, passages: Any) -> Any:
        if Path(doc.source).name == FILES[2].name:
            raise KeyboardInterrupt
        return save(self, doc, passages)

    monkeypatch.setattr(Store, "save_document", interrupted)
    db = f"sqlite:///{tmp_path / 'w.db'}"
    with open_store(db) as store:
        with pytest.raises(KeyboardInterrupt):
            pipeline.ingest(store, get_settings(db=db, workers=2), [str(f) for f in FILES])
        stored = {Path(d["source"]).name for d in store.iter_documents()}
    assert FILES[2].name not in stored  # raised in the caller, not stored as a failure; nothing half-written


def test_copies_of_one_file_are_read_in_rounds_the_first_found_first(tmp_path: Path) -> None:
    from watext.ingest.discover import discover_entries
    from watext.ingest.parallel import copies_apart, largest_first

    folder = tmp_path / "in"
    folder.mkdir()
    same = "Die Stadt bietet Sprachkurse an. " * 20
    for name, text in (("a1.txt", same), ("b.txt", same.replace("Stadt", "Stabt")), ("a2.txt", same),
                       ("c.txt", "kurz"), ("a3.txt", same), ("d.txt", same + "!")):  # fmt: skip
        (folder / name).write_text(text, encoding="utf-8")
    entries = discover_entries([str(folder)], False)
    names = [e.path.name for e in entries]
    order = largest_first(entries)
    rounds = [[names[i] for i in part] for part in copies_apart(entries, order, 10**9)]
    assert rounds == [["d.txt", "a1.txt", "b.txt", "c.txt"], ["a2.txt"], ["a3.txt"]]  # b: same size, other bytes
    assert copies_apart(entries, order, 10) == [order]  # too large to be stored by content: not hashed


def test_side_by_side_copies_store_the_first_found_path_as_one_after_the_other_does(tmp_path: Path,
                                                                                  monkeypatch) -> None:  # fmt: skip
    """Copies of one file are never in two workers at once, so the first found is stored under
    its path and the others are ``unchanged``, as with one worker (not whichever won a race)."""
    from watext.ingest.worker import FileWorker

    folder = tmp_path / "in"
    folder.mkdir()
    for k in range(4):
        (folder / f"kopie_{k}.txt").write_text("Die Stadt bietet Sprachkurse an. " * 40, encoding="utf-8")
    (folder / "other.txt").write_text("Ein Welcome Center berät Neuzugewanderte. " * 40, encoding="utf-8")
    in_flight: dict[int, str] = {}
    together: list[set[str]] = []
    submit, collect = FileWorker.submit, FileWorker.collect
    changed = threading.Condition()

    def logged_submit(self: FileWorker, path: Path, **kw: Any) -> None:
        with changed:
            in_flight[id(self)] = Path(path).name
            together.append(set(in_flight.values()))
            changed.notify_all()
        submit(self, path, **kw)

    def logged_collect(self: FileWorker) -> Any:
        with changed:  # a file stays in flight until another is handed over too (or 0.3 s passed)
            changed.wait_for(lambda: len(in_flight) > 1, timeout=0.3)
        try:
            return collect(self)
        finally:
            with changed:
                in_flight.pop(id(self), None)

    monkeypatch.setattr(FileWorker, "submit", logged_submit)
    monkeypatch.setattr(FileWorker, "collect", logged_collect)
    one = _ingest(f"sqlite:///{tmp_path / 'one.db'}", folder, 1)
    together.clear()
    two = _ingest(f"sqlite:///{tmp_path / 'two.db'}", folder, 2)
    assert two == one and [s for _, s, _ in one] == ["new", "unchanged", "unchanged", "unchanged", "new"]
    assert not any(sum(n.startswith("kopie") for n in names) > 1 for names in together)
    assert _contents(f"sqlite:///{tmp_path / 'two.db'}") == _contents(f"sqlite:///{tmp_path / 'one.db'}")


def test_by_default_a_batch_reads_one_file_per_core_at_most_four(tmp_path: Path, monkeypatch) -> None:
    from watext.ingest import parallel

    monkeypatch.delenv("WATEXT_WORKERS", raising=False)
    settings = get_settings(db=f"sqlite:///{tmp_path / 'w.db'}")
    assert settings.workers == 0
    for cores, files, expected in ((2, 10, 2), (8, 10, 4), (1, 10, 1), (8, 3, 3), (2, 1, 1), (2, 0, 1)):
        monkeypatch.setattr(parallel.os, "sched_getaffinity", lambda _pid, n=cores: set(range(n)))
        assert parallel.worker_count(settings, files) == expected
    assert parallel.worker_count(settings.model_copy(update={"workers": 3}), 10) == 3  # as asked
    assert parallel.worker_count(settings.model_copy(update={"workers": 3}), 2) == 2
    monkeypatch.setattr(parallel.os, "sched_getaffinity", lambda _pid: {0, 1})
    pools: list[int] = []
    init = WorkerPool.__init__

    def logged(self: WorkerPool, settings: Any, size: int = 0) -> None:
        pools.append(size)
        init(self, settings, size)

    monkeypatch.setattr(WorkerPool, "__init__", logged)
    with open_store(settings.db) as store:
        batch = pipeline.ingest(store, settings, [str(f) for f in FILES])
    assert pools == [2] and batch.summary()["new"] == len(FILES)
