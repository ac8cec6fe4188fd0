"""The watext command end to end: idempotent re-ingest, versions, JSON lines, kill and resume."""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest
from click.testing import CliRunner

from watext.cli import main
from watext.cli.common import EXIT_SOME_FAILED
from .paths import SEEDS
from .prefect_server import PrefectServer

PASSAGE_KEYS = {"id", "document", "source", "city", "doc_type", "language", "page", "kind", "heading", "text"}


def _run(*args: str) -> tuple[int, list[dict]]:
    result = CliRunner().invoke(main, list(args), catch_exceptions=False)
    rows = [json.loads(line) for line in result.stdout.splitlines() if line.strip()]
    return result.exit_code, rows


def _seed_dir(tmp_path: Path) -> Path:
    d = tmp_path / "eingang"
    d.mkdir()
    for name in ("osnabrueck_VO-2014-4833_handlungsempfehlungen.docx",
                 "darmstadt_partnerstaedte_willkommenskultur.pptx"):
        (d / name).write_bytes((SEEDS / name).read_bytes())
    (d / "mail.txt").write_bytes(
        "Betreff: Antwort aus Saanen\n\nDie Gemeinde Saanen orientiert sich am Einbürgerungsgesetz.\n".encode("cp1252")
    )
    return d


def test_cli_ingest_is_idempotent_and_lists_json_lines(tmp_path: Path) -> None:
    d, db = _seed_dir(tmp_path), f"sqlite:///{tmp_path / 'w.db'}"
    code, (summary,) = _run("ingest", str(d), "--db", db, "--no-flow")
    assert code == 0 and summary["new"] == 3 and summary["failed"] == 0
    _, passages1 = _run("passages", "--db", db)
    code, (again,) = _run("ingest", str(d), "--db", db, "--no-flow")
    assert code == 0 and again["unchanged"] == 3 and again["new"] == 0
    _, passages2 = _run("passages", "--db", db)
    assert passages1 == passages2 and passages1
    assert all(PASSAGE_KEYS <= set(p) for p in passages1)
    _, docs = _run("documents", "--db", db)
    by_format = {d["format"]: d for d in docs}
    sub = by_format["docx"]["metadata"]["submission"]
    assert sub["vorlage_nr"] == "VO/2014/4833"
    assert by_format["text"]["city"] == "Saanen"
    assert "Einbürgerungsgesetz" in " ".join(p["text"] for p in passages1)


def test_cli_changed_file_becomes_new_version_and_old_is_kept(tmp_path: Path) -> None:
    d, db = _seed_dir(tmp_path), f"sqlite:///{tmp_path / 'w.db'}"
    _run("ingest", str(d), "--db", db, "--no-flow")
    mail = d / "mail.txt"
    mail.write_text("Betreff: Antwort aus Saanen\n\nNeu: Saanen plant einen Willkommensanlass.\n", encoding="utf-8")
    code, (summary,) = _run("ingest", str(d), "--db", db, "--no-flow")
    assert summary["new_version"] == 1 and summary["unchanged"] == 2
    _, current = _run("documents", "--db", db)
    _, everything = _run("documents", "--db", db, "--all")
    old = [x for x in everything if x["status"] == "superseded"]
    new = [x for x in current if x["source"] == str(mail.resolve())]
    assert len(old) == 1 and len(new) == 1
    assert old[0]["superseded_by"] == new[0]["id"] and new[0]["version"] == 2
    _, passages = _run("passages", "--db", db)
    assert not any("orientiert sich" in p["text"] for p in passages)
    assert any("Willkommensanlass" in p["text"] for p in passages)


def test_cli_exit_status_says_some_files_failed(tmp_path: Path) -> None:
    d, db = _seed_dir(tmp_path), f"sqlite:///{tmp_path / 'w.db'}"
    (d / "leer.docx").write_bytes(b"")
    code, (summary,) = _run("ingest", str(d), "--db", db, "--no-flow")
    assert code == EXIT_SOME_FAILED and summary["failed"] == 1 and summary["new"] == 3
    _, errors = _run("errors", "--db", db)
    assert [(e["source"].rsplit("/", 1)[-1], e["reason"]) for e in errors] == [("leer.docx", "empty file (0 bytes)")]


def _db_counts(path: Path) -> tuple[int, int]:
    with sqlite3.connect(path) as con:
        docs = con.execute("select count(*) from documents").fetchone()[0]
        # a document without its passages would be half-written
        orphans = con.execute(
            "select count(*) from documents d where not exists "
            "(select 1 from passages p where p.document_id = d.id)"
        ).fetchone()[0]
    return docs, orphans


@pytest.mark.slow
def test_cli_killed_batch_leaves_no_half_document_and_resumes(tmp_path: Path) -> None:
    d = tmp_path / "stapel"
    d.mkdir()
    pdf = (SEEDS / "osnabrueck_VO-2014-4833_handlungsempfehlungen.pdf").read_bytes()
    n = 24
    for i in range(n):  # distinct content: bytes after %%EOF change the hash, not the text
        (d / f"vorlage_{i:02d}.pdf").write_bytes(pdf + f"\n% copy {i}\n".encode())
    dbfile = tmp_path / "w.db"
    cmd = [sys.executable, "-m", "watext", "ingest", str(d), "--db", f"sqlite:///{dbfile}", "--no-flow"]
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        if dbfile.exists():
            try:
                if _db_counts(dbfile)[0] >= 3:
                    break
            except sqlite3.OperationalError:
                pass  # schema not created yet
        time.sleep(0.05)
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    stored, orphans = _db_counts(dbfile)
    assert proc.returncode == -signal.SIGKILL
    assert 3 <= stored < n, "the kill must land mid-batch"
    assert orphans == 0
    rerun = subprocess.run(cmd, capture_output=True, text=True, timeout=300)
    assert rerun.returncode == 0, rerun.stderr
    summary = json.loads(rerun.stdout)
    assert summary["unchanged"] == stored and summary["new"] == n - stored
    assert _db_counts(dbfile) == (n, 0)


@pytest.mark.flow
def test_cli_ingest_runs_as_prefect_flow(tmp_path: Path, prefect_server: PrefectServer) -> None:
    d, db = _seed_dir(tmp_path), f"sqlite:///{tmp_path / 'w.db'}"
    env = prefect_server.flow_env(tmp_path / "prefect")
    proc = subprocess.run(
        [sys.executable, "-m", "watext", "ingest", str(d), "--db", db, "--flow"],
        capture_output=True, text=True, timeout=300, env=env,
    )
    assert proc.returncode == 0, proc.stderr[-3000:]
    summary = json.loads(proc.stdout.strip().splitlines()[-1])
    assert summary["new"] == 3
    assert "watext-ingest" in proc.stderr  # Prefect logged the flow run
    for f in d.iterdir():  # its progress lines name the file each task run reads
        assert f"ingest {f.name}" in proc.stderr, f.name


@pytest.mark.flow
def test_cli_flow_keeps_the_store_url_out_of_prefects_database(tmp_path: Path, prefect_server: PrefectServer) -> None:
    """The store URL may hold a password: it never becomes a flow or task parameter."""
    secret = "s3cr3t-Pa55word"
    folder = tmp_path / secret  # stands in for a password inside the URL (no server needed)
    folder.mkdir()
    d, db = _seed_dir(tmp_path), f"sqlite:///{folder / 'w.db'}"
    env = prefect_server.flow_env(tmp_path / "prefect")
    env.pop("WATEXT_DB", None)
    proc = subprocess.run([sys.executable, "-m", "watext", "run", str(d), "--db", db, "--out", str(tmp_path / "out"),
                           "--flow"], capture_output=True, text=True, timeout=400, env=env)  # fmt: skip
    assert proc.returncode in (0, 3), proc.stderr[-3000:]
    stored = [f for f in prefect_server.home.rglob("*") if f.is_file() and ".db" in f.name and "template" not in str(f)]
    data = b"".join(f.read_bytes() for f in stored)
    assert str(d).encode() in data  # flow parameters are stored there (the paths are) ...
    assert secret.encode() not in data  # ... but not the store URL
    assert (folder / "w.db").exists()  # the run did use the store


@pytest.mark.parametrize("args", [["ingest", "--no-flow"], ["ingest", "--flow"], ["run", "--out", "OUT", "--flow"],
                                  ["tables", "--out", "OUT", "--flow"], ["classify", "--flow"], ["documents"]])  # fmt: skip
def test_cli_unreachable_database_is_one_line(tmp_path: Path, args: list[str]) -> None:
    """No traceback and no password, on the flow paths too (the store is opened before any flow)."""
    d = _seed_dir(tmp_path)
    url = "postgresql+psycopg://watext:geheim123@127.0.0.1:9/nothing"
    argv = [a.replace("OUT", str(tmp_path / "out")) for a in args]
    if argv[0] in ("ingest", "run"):
        argv.insert(1, str(d))
    env = {**os.environ, "PREFECT_HOME": str(tmp_path / "prefect")}
    env.pop("WATEXT_NO_FLOW", None)
    proc = subprocess.run([sys.executable, "-m", "watext", *argv, "--db", url],
                          capture_output=True, text=True, timeout=300, env=env)  # fmt: skip
    assert proc.returncode == 1
    lines = [x for x in proc.stderr.splitlines() if x.strip()]
    assert len(lines) == 1 and lines[0].startswith("watext: Datenbank postgresql+psycopg://watext:***@"), proc.stderr[-2000:]
    assert "geheim123" not in proc.stderr and "Traceback" not in proc.stderr


@pytest.mark.flow
@pytest.mark.slow
def test_five_concurrent_flow_commands_all_finish(tmp_path: Path) -> None:
    """Five `watext ingest --flow` at once, each starting Prefect's temporary server (one
    shared PREFECT_HOME, as on a user's machine): all finish, as flows or, where Prefect
    could not come up, in-process after one line; no traceback."""
    env = {**os.environ, "PREFECT_HOME": str(tmp_path / "prefect")}
    for key in ("WATEXT_NO_FLOW", "PREFECT_API_URL", "WATEXT_FLOW_FALLBACK"):
        env.pop(key, None)
    d = _seed_dir(tmp_path)
    procs = [subprocess.Popen([sys.executable, "-m", "watext", "ingest", str(d), "--flow", "--db",
                               f"sqlite:///{tmp_path / f'w{i}.db'}"], env=env, text=True,
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE) for i in range(5)]  # fmt: skip
    results = [p.communicate(timeout=600) for p in procs]
    for p, (out, err) in zip(procs, results):
        assert p.returncode == 0, err[-3000:]
        assert json.loads(out.strip().splitlines()[-1])["new"] == 3
        assert "Traceback" not in err
        assert "watext-ingest" in err or "läuft stattdessen in diesem Prozess" in err


def test_cli_without_surprises(tmp_path: Path) -> None:
    """A plain path is a SQLite file; read-only commands create no database; a missing
    input path is a usage error with nothing written; outputs honour the umask."""
    d = _seed_dir(tmp_path)
    plain = tmp_path / "plain.db"
    code, (summary,) = _run("ingest", str(d), "--db", str(plain), "--no-flow")
    assert code == 0 and summary["new"] == 3 and plain.is_file()
    code, rows = _run("documents", "--db", str(plain))
    assert code == 0 and len(rows) == 3

    nothing = tmp_path / "nothing.db"
    proc = subprocess.run([sys.executable, "-m", "watext", "passages", "--db", f"sqlite:///{nothing}"],
                          capture_output=True, text=True, timeout=120)  # fmt: skip
    assert proc.returncode == 1 and proc.stderr.strip().startswith("watext: Keine Datenbank unter")
    assert not nothing.exists()

    out = tmp_path / "out"
    proc = subprocess.run([sys.executable, "-m", "watext", "run", str(tmp_path / "missing"), "--out", str(out),
                           "--db", str(plain), "--no-flow"], capture_output=True, text=True, timeout=120)  # fmt: skip
    assert proc.returncode == 2 and "Datei oder Ordner nicht gefunden" in proc.stderr and not out.exists()

    old = os.umask(0o022)
    try:
        from watext.files import write_text

        assert (write_text(tmp_path / "x.txt", "x").stat().st_mode & 0o777) == 0o644
    finally:
        os.umask(old)


def test_cli_listing_without_db_creates_no_database_in_the_working_directory(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if k != "WATEXT_DB"}
    proc = subprocess.run([sys.executable, "-m", "watext", "documents"], cwd=tmp_path, env=env,
                          capture_output=True, text=True, timeout=120)  # fmt: skip
    assert proc.returncode == 1 and proc.stderr.strip().startswith("watext: Keine Datenbank unter")
    assert "Traceback" not in proc.stderr and not (tmp_path / "watext.db").exists()
