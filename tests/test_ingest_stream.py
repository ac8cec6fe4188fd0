"""A batch in one process stores a file while its worker already reads the next one
(``ingest_stream``): the same stored results as one file after the other, the same limits."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import pytest

from watext import pipeline
from watext.ingest import files as files_mod
from watext.ingest.worker import FileWorker
from watext.settings import get_settings
from watext.store import Store, open_store

from . import hostile as H
from .mixed_inputs import BROKEN_PDF, FORMATS, mixed_folder


def _one_by_one(unit: Any, *args: Any, **kwargs: Any) -> Any:
    """A step that is not ``pipeline.call``: the batch reads and stores one file after the other."""
    return unit(*args, **kwargs)


def _batch(tmp_path: Path) -> Path:
    folder = mixed_folder(tmp_path, FORMATS, {"broken.pdf": BROKEN_PDF, "empty.txt": b"", "zz_leer.pdf": b""})
    shutil.copy(FORMATS[0], folder / "kopie_derselben_datei.txt")  # the same bytes again: unchanged
    return folder


def _stored(url: str) -> dict[str, Any]:
    with open_store(url) as store:
        return {
            "documents": sorted((d["id"], Path(d["source"]).name) for d in store.iter_documents()),
            "passages": sorted((p["id"], p["text"]) for p in store.iter_passages()),
            "failures": sorted((Path(f["source"]).name, f["code"], f["reason"]) for f in store.iter_failures()),
        }


def test_overlapped_batch_stores_what_one_file_after_the_other_stores(tmp_path: Path) -> None:
    folder = _batch(tmp_path)
    results = {}
    for name, step in (("stream", pipeline.call), ("serial", _one_by_one)):
        url = f"sqlite:///{tmp_path / f'{name}.db'}"
        with open_store(url) as store:
            batch = pipeline.ingest(store, get_settings(db=url, workers=1), [str(folder)], step=step)
        results[name] = [(Path(f.source).name, f.status, f.code, f.passages) for f in batch.files]
        results[name + "_store"] = _stored(url)
    assert results["stream"] == results["serial"]  # in the order found, the same statuses
    assert results["stream_store"] == results["serial_store"]
    statuses = {n: s for n, s, _, _ in results["stream"]}
    assert statuses["kopie_derselben_datei.txt"] == "unchanged" or statuses[FORMATS[0].name] == "unchanged"
    assert {statuses["broken.pdf"], statuses["empty.txt"], statuses["zz_leer.pdf"]} == {"failed"}


def test_the_worker_reads_the_next_file_while_this_one_is_stored(tmp_path: Path, monkeypatch) -> None:
    events: list[str] = []
    submit, save = FileWorker.submit, Store.save_document

    def logged_submit(self: FileWorker, path: Path, **kw: Any) -> None:
        events.append(f"read {Path(path).name}")
        submit(self, path, **kw)

    def logged_save(self: Store, doc: Any, passages: Any) -> Any:
        events.append(f"store {Path(doc.source).name}")
        return save(self, doc, passages)

    monkeypatch.setattr(FileWorker, "submit", logged_submit)
    monkeypatch.setattr(Store, "save_document", logged_save)
    url = f"sqlite:///{tmp_path / 's.db'}"
    with open_store(url) as store:
        pipeline.ingest(store, get_settings(db=url, workers=1), [str(f) for f in FORMATS])
    names = [f.name for f in FORMATS]
    for a, b in zip(names, names[1:]):  # b is handed over before a is stored
        assert events.index(f"read {b}") < events.index(f"store {a}")
    assert [e for e in events if e.startswith("store")] == [f"store {n}" for n in names]


def test_a_file_over_the_time_limit_in_the_middle_of_a_stream(tmp_path: Path) -> None:
    slow = H.lying_page_count_pdf(tmp_path, pages=4000)  # several seconds to read
    url = f"sqlite:///{tmp_path / 't.db'}"
    settings = get_settings(db=url, file_timeout_s=1, max_pages=5000, workers=1)
    paths = [str(FORMATS[0]), str(slow), str(FORMATS[1])]
    with open_store(url) as store:
        batch = pipeline.ingest(store, settings, paths)
    assert [(f.status, f.code) for f in batch.files] == [("new", None), ("failed", "too_slow"), ("new", None)]
    assert _stored(url)["failures"][0][1] == "too_slow"


def test_a_store_error_on_one_file_is_that_files_reason(tmp_path: Path, monkeypatch) -> None:
    save = Store.save_document

    def flaky(self: Store, doc: Any, passages: Any) -> Any:
        if Path(doc.source).name == FORMATS[1].name:
            raise RuntimeError("disk said no")
        return save(self, doc, passages)

    monkeypatch.setattr(Store, "save_document", flaky)
    url = f"sqlite:///{tmp_path / 'f.db'}"
    with open_store(url) as store:
        batch = pipeline.ingest(store, get_settings(db=url, workers=1), [str(f) for f in FORMATS[:3]])
    assert [f.status for f in batch.files] == ["new", "failed", "new"]
    assert batch.files[1].code == "internal_error" and "disk said no" in batch.files[1].reason


def test_an_interrupt_is_not_taken_for_a_bad_file(tmp_path: Path, monkeypatch) -> None:
    def interrupted(self: FileWorker) -> Any:
        raise KeyboardInterrupt

    monkeypatch.setattr(FileWorker, "collect", interrupted)
    url = f"sqlite:///{tmp_path / 'i.db'}"
    with open_store(url) as store, pytest.raises(KeyboardInterrupt):
        list(files_mod.ingest_stream(enumerate(pipeline.discover_entries([str(FORMATS[0])])), store,
                                     get_settings(db=url), FileWorker(get_settings(db=url))))  # fmt: skip
