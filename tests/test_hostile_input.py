"""Hostile and pathological input: every batch finishes within its limits, with a stored
reason per bad file, no traceback, and nothing read outside the input (issue 11)."""

from __future__ import annotations

import logging
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from watext import pipeline
from watext.ingest.discover import discover_entries
from watext.ingest.files import ingest_file
from watext.settings import get_settings
from watext.store import open_store

from . import hostile as H
from .prefect_server import PrefectServer

SECRET = "GEHEIM-ausserhalb-des-Eingangs"


@pytest.fixture(scope="module")
def hostile_batch(tmp_path_factory: pytest.TempPathFactory):
    root = tmp_path_factory.mktemp("hostile")
    inbox, outside = root / "eingang", root / "anderswo"
    inbox.mkdir()
    outside.mkdir()
    (outside / "passwoerter.txt").write_text(f"{SECRET}. Dieser Text darf nie gespeichert werden.", encoding="utf-8")
    H.script_soup_html(inbox, kb=300)
    H.deep_html(inbox, depth=600)
    H.no_sentence_text(inbox, kb=100)
    H.utf8_few_invalid(inbox)
    H.lying_page_count_pdf(inbox, pages=12)
    H.flate_bomb_pdf(inbox, expand_mb=400)
    (inbox / "antwort.txt").write_text("Die Stadt begrüßt alle Neuen mit einer Willkommensmappe.", encoding="utf-8")
    (inbox / "link_nach_aussen.txt").symlink_to(outside / "passwoerter.txt")
    (inbox / "ordner_nach_aussen").symlink_to(outside, target_is_directory=True)
    loop = root / "schleife.txt"
    loop.symlink_to(root / "schleife2.txt")
    (root / "schleife2.txt").symlink_to(loop)
    db = f"sqlite:///{root / 'w.db'}"
    settings = get_settings(db=db, max_pages=10, file_max_mb=250, file_timeout_s=120, ocr="off")
    with open_store(db) as store:
        started = time.monotonic()
        batch = pipeline.ingest(store, settings, [str(inbox), str(loop)])  # a shell glob may pass a loop
        seconds = time.monotonic() - started
        passages = list(store.iter_passages())
        failures = {Path(f["source"]).name: f for f in store.iter_failures()} if hasattr(store, "iter_failures") \
            else {}  # fmt: skip
    yield {"batch": batch, "passages": passages, "seconds": seconds, "settings": settings,
           "failures": failures}  # fmt: skip


def _by_name(batch) -> dict[str, object]:
    return {Path(f.source).name: f for f in batch.files}


def test_hostile_batch_finishes_with_a_reason_per_bad_file(hostile_batch) -> None:
    files = _by_name(hostile_batch["batch"])
    expect = {
        "deep.html": "too_deep",
        "lying_page_count.pdf": "too_large",
        "flate_bomb.pdf": "too_large",
        "link_nach_aussen.txt": "outside_input",
        "ordner_nach_aussen": "outside_input",
        "schleife.txt": "unreadable",
    }
    for name, code in expect.items():
        assert files[name].status == "failed" and files[name].code == code, (name, files[name])
        assert files[name].reason and "Traceback" not in files[name].reason
    for name in ("script_soup.html", "no_sentence_end.txt", "utf8_few_invalid.txt", "antwort.txt"):
        assert files[name].status == "new", files[name]
    assert hostile_batch["seconds"] < 120


def test_hostile_nothing_outside_the_input_is_read(hostile_batch) -> None:
    assert not any(SECRET in p["text"] for p in hostile_batch["passages"])


def test_hostile_every_passage_bounded_and_scripts_gone(hostile_batch) -> None:
    limit = hostile_batch["settings"].max_passage_chars
    assert max(len(p["text"]) for p in hostile_batch["passages"]) <= limit
    texts = [p["text"] for p in hostile_batch["passages"]]
    assert any("Willkommen ist, wer hier lebt" in t for t in texts)
    assert not any("tracking" in t for t in texts)
    long_text = [p for p in hostile_batch["passages"] if p["source"].endswith("no_sentence_end.txt")]
    assert len(long_text) >= 80  # 100 KB without a sentence end: many bounded passages


def test_hostile_utf8_with_a_stray_byte_stays_utf8(hostile_batch) -> None:
    text = " ".join(p["text"] for p in hostile_batch["passages"] if p["source"].endswith("utf8_few_invalid.txt"))
    assert "ungültig" in text and "begrüßt" in text and "Landh\ufffdus" in text


def test_hostile_time_limit_kills_the_worker_and_the_batch_goes_on(tmp_path: Path) -> None:
    slow = H.lying_page_count_pdf(tmp_path, pages=4000)  # several seconds to read
    ok = tmp_path / "z_antwort.txt"
    ok.write_text("Die Stadt bietet Sprachkurse an.", encoding="utf-8")
    db = f"sqlite:///{tmp_path / 'w.db'}"
    settings = get_settings(db=db, file_timeout_s=1, max_pages=5000)
    with open_store(db) as store:
        started = time.monotonic()
        files = _by_name(pipeline.ingest(store, settings, [str(slow), str(ok)]))
        assert time.monotonic() - started < 60
    assert files[slow.name].code == "too_slow" and "1 s" in files[slow.name].reason
    assert files[ok.name].status == "new"  # a fresh worker read the next file


def test_hostile_html_reader_is_iterative() -> None:
    """Below the depth limit the reader walks with its own stack: 3,000 levels read fine."""
    from bs4 import BeautifulSoup

    from watext.extract.html import _Reader

    soup = BeautifulSoup("<div>" * 3000 + "tief<ul><li>eins<ul><li>zwei</li></ul></li></ul>" + "</div>" * 3000,
                         "html.parser")  # fmt: skip
    reader = _Reader()
    reader.read(soup)
    reader.flush()
    assert [(b.text, b.level) for b in reader.blocks] == [("tief", 0), ("eins", 0), ("zwei", 1)]


def test_hostile_unreadable_file_is_a_reason_without_traceback(tmp_path: Path, monkeypatch, caplog) -> None:
    import watext.ingest.files as ingest

    f = tmp_path / "gesperrt.txt"
    f.write_text("Text", encoding="utf-8")

    def denied(path: Path) -> str:
        raise PermissionError(13, "Permission denied", str(path))

    monkeypatch.setattr(ingest, "hash_file", denied)
    db = f"sqlite:///{tmp_path / 'w.db'}"
    with open_store(db) as store, caplog.at_level(logging.DEBUG):
        r = ingest_file(f, store, get_settings(db=db))
    assert r.status == "failed" and r.code == "unreadable" and "Permission denied" in r.reason
    assert not any(rec.exc_info for rec in caplog.records)


def test_hostile_discovery_follows_links_only_when_asked(tmp_path: Path) -> None:
    inbox, outside = tmp_path / "in", tmp_path / "out"
    inbox.mkdir()
    outside.mkdir()
    (outside / "a.txt").write_text("x")
    (inbox / "b.txt").write_text("y")
    (inbox / "innen.txt").symlink_to(inbox / "b.txt")  # inside: the same file once
    (inbox / "aussen").symlink_to(outside, target_is_directory=True)
    plain = {e.path.name: e.code for e in discover_entries([inbox])}
    assert plain == {"b.txt": None, "aussen": "outside_input"}
    followed = {e.path.name: e.code for e in discover_entries([inbox], follow_symlinks=True)}
    assert followed == {"b.txt": None, "a.txt": None}


def test_hostile_killed_run_is_closed_at_the_next_start(tmp_path: Path) -> None:
    from sqlalchemy import update

    from watext.store.schema import RunRow

    gone = subprocess.Popen([sys.executable, "-c", "pass"])
    gone.wait()
    with open_store(f"sqlite:///{tmp_path / 'w.db'}") as store:
        first = store.start_run(["a"])
        with store._engine.begin() as conn:  # the process that started it has died
            conn.execute(update(RunRow.__table__).where(RunRow.__table__.c.id == first)
                         .values(counts={"status": "running", "host": os.uname().nodename, "pid": gone.pid}))  # fmt: skip
        store.start_run(["b"])
        with store._engine.begin() as conn:
            row = conn.execute(RunRow.__table__.select().where(RunRow.__table__.c.id == first)).one()
    assert row.finished_at is not None and row.counts["status"] == "killed"


def test_hostile_stale_scratch_folders_are_removed(tmp_path: Path, monkeypatch) -> None:
    import watext.procs as procs

    monkeypatch.setattr(procs.tempfile, "gettempdir", lambda: str(tmp_path))
    gone = subprocess.Popen([sys.executable, "-c", "pass"])
    gone.wait()
    stale = tmp_path / f"watext-{os.getuid()}" / f"run-{gone.pid}" / "ocr-1"
    stale.mkdir(parents=True)
    (stale / "ocr.pdf").write_bytes(b"%PDF-")
    mine = procs.run_dir()
    assert procs.clean_stale_run_dirs() == 1
    assert not stale.exists() and mine.exists()


@pytest.mark.flow
def test_hostile_kill_9_of_a_flow_command_leaves_no_server(tmp_path: Path, prefect_server: PrefectServer) -> None:
    """The temporary Prefect server and the file worker die with the command. (The
    temporary server starts on a copy of a migrated Prefect database: the kill comes once
    the flow reads files, after any migration; a first start on a fresh database is
    covered by test_cli.py's five concurrent commands.)"""
    home = tmp_path / "prefect"
    home.mkdir()
    shutil.copyfile(prefect_server.template, home / "prefect.db")
    env = {**os.environ, "PREFECT_HOME": str(home)}
    env.pop("WATEXT_NO_FLOW", None)
    docs = Path(__file__).resolve().parents[1] / "corpus" / "docs" / "train"
    proc = subprocess.Popen([sys.executable, "-m", "watext", "ingest", str(docs), "--flow", "--db",
                             f"sqlite:///{tmp_path / 'w.db'}"], env=env,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)  # fmt: skip

    def children() -> list[tuple[int, str]]:
        out = []
        for d in os.listdir("/proc"):
            if not d.isdigit():
                continue
            try:
                status = Path(f"/proc/{d}/status").read_text()
                cmd = Path(f"/proc/{d}/cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
            except OSError:
                continue
            ppid = next((int(x.split()[1]) for x in status.splitlines() if x.startswith("PPid:")), 0)
            if ppid == proc.pid:
                out.append((int(d), cmd))
        return out

    deadline, kids = time.monotonic() + 120, []
    while time.monotonic() < deadline:
        kids = children()
        if any("uvicorn" in c for _, c in kids) and any("watext.ingest.worker" in c for _, c in kids):
            break
        time.sleep(0.3)
    assert any("uvicorn" in c for _, c in kids), kids
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    deadline = time.monotonic() + 15
    while time.monotonic() < deadline and any(Path(f"/proc/{pid}").exists() for pid, _ in kids):
        time.sleep(0.3)
    assert not [c for pid, c in kids if Path(f"/proc/{pid}").exists()]
