"""Scheduled reprocessing in-process: new, changed, removed, reverted and failing files,
unchanged files not opened, re-extraction of one format only, a run killed before its
report, and the change report."""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import pytest

from watext import pipeline
from watext.errors import ConfigError
from watext.settings import get_settings
from watext.sources import load_config
from watext.store import open_store

from .paths import TABLE_TEST

SAANEN = TABLE_TEST / "e-saanen-survey-2015.txt"
BURSA = TABLE_TEST / "e-bursa-survey-2015.pdf"
CHESTERFIELD = TABLE_TEST / "e-chesterfield-survey-2015.html"


def _config(tmp_path: Path, extra: str = "") -> Path:
    (tmp_path / "inbox").mkdir()
    cfg = tmp_path / "watext.toml"
    cfg.write_text(f"""
[store]
db = "sqlite:///data/w.db"

[[sources]]
name = "partner"
kind = "folder"
path = "inbox"
interval = "10s"
out = "out"
{extra}
""", encoding="utf-8")
    (tmp_path / "data").mkdir()
    return cfg


def _run(cfg_path: Path, **settings: object) -> dict:
    cfg = load_config(cfg_path)
    with open_store(cfg.db) as store:
        return pipeline.reprocess(store, get_settings(db=cfg.db, **settings), cfg.sources[0])


def _names(report: dict, kind: str) -> list[str]:
    return [Path(d["source"]).name for d in report["documents"][kind]]


@pytest.fixture
def source(tmp_path: Path) -> Path:
    cfg = _config(tmp_path)
    for f in (SAANEN, BURSA):
        shutil.copy(f, tmp_path / "inbox" / f.name)
    return cfg


def test_new_changed_removed_and_the_report_files(source: Path, tmp_path: Path) -> None:
    first = _run(source)
    assert first["first_run"] is True and sorted(_names(first, "new")) == [BURSA.name, SAANEN.name]
    assert (tmp_path / "out" / "tables.xlsx").exists() and (tmp_path / "out" / "changes.html").exists()
    on_disk = json.loads((tmp_path / "out" / "changes.json").read_text(encoding="utf-8"))
    assert on_disk["run"] == first["run"] and on_disk["documents"]["new"] == first["documents"]["new"]

    idle = _run(source)
    assert not any(idle["summary"].values()) and idle["first_run"] is False
    assert json.loads((tmp_path / "out" / "changes.json").read_text(encoding="utf-8"))["run"] == first["run"]

    saanen = tmp_path / "inbox" / SAANEN.name
    saanen.write_text(saanen.read_text(encoding="utf-8") + "\nDie Stadt bietet kostenlose Sprachkurse an.\n",
                      encoding="utf-8")
    shutil.copy(CHESTERFIELD, tmp_path / "inbox" / CHESTERFIELD.name)
    (tmp_path / "inbox" / BURSA.name).unlink()
    third = _run(source)
    assert _names(third, "new") == [CHESTERFIELD.name] and _names(third, "changed") == [SAANEN.name]
    assert _names(third, "removed") == [BURSA.name]
    assert third["documents"]["changed"][0]["previous_id"] == first["documents"]["new"][1]["document_id"]
    assert third["rows"]["measures"]["removed"] or third["rows"]["responsibility"]["removed"]
    cfg = load_config(source)
    with open_store(cfg.db) as store:
        docs = {Path(d["source"]).name: d["status"] for d in store.iter_documents(current_only=False)}
        cities = {c for c in (d["city"] for d in store.iter_documents())}
    assert docs[BURSA.name] == "removed" and "Bursa" not in cities  # kept, never deleted
    tables = json.loads((tmp_path / "out" / "tables.json").read_text(encoding="utf-8"))
    assert "Bursa" not in tables["cities"] and "Chesterfield" in tables["cities"]


def test_unchanged_files_are_not_opened(source: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    _run(source)
    os.utime(tmp_path / "inbox" / SAANEN.name)  # touched: size same, mtime new -> hashed, not parsed
    import watext.ingest.files as files

    def no_parse(*_a: object, **_k: object) -> None:
        raise AssertionError("an unchanged file was parsed")

    monkeypatch.setattr(files.FileWorker, "process", no_parse)
    opened: list[str] = []
    real_hash = files.hash_file
    monkeypatch.setattr(files, "hash_file", lambda p: opened.append(p.name) or real_hash(p))
    report = _run(source)
    assert opened == [SAANEN.name]  # only the touched file was read (hashed), and not parsed
    assert not any(report["summary"].values())


def test_removed_file_that_comes_back_is_current_again(source: Path, tmp_path: Path) -> None:
    _run(source)
    kept = tmp_path / "kept.pdf"
    shutil.move(tmp_path / "inbox" / BURSA.name, kept)
    assert _names(_run(source), "removed") == [BURSA.name]
    shutil.move(kept, tmp_path / "inbox" / BURSA.name)
    back = _run(source)
    assert _names(back, "new") == [BURSA.name]
    with open_store(load_config(source).db) as store:
        statuses = [d["status"] for d in store.iter_documents(current_only=False) if d["source"].endswith(BURSA.name)]
    assert statuses == ["current"]  # the same document again, not a copy


def test_a_failing_file_waits_and_never_blocks(source: Path, tmp_path: Path) -> None:
    bad = tmp_path / "inbox" / "kaputt.pdf"
    bad.write_bytes(b"%PDF-1.7\n" + b"\x00garbage" * 100)
    first = _run(source, retry_backoff_s=0)  # due again at once
    assert sorted(_names(first, "new")) == [BURSA.name, SAANEN.name]
    (failed,) = first["documents"]["failed"]
    assert Path(failed["source"]).name == "kaputt.pdf" and failed["attempts"] == 1 and failed["code"]
    assert _run(source, retry_backoff_s=3600)["documents"]["failed"][0]["attempts"] == 2  # tried again
    waiting = _run(source, retry_backoff_s=3600)["documents"]["failed"][0]  # not due for 2 h: not tried
    assert waiting["attempts"] == 2 and waiting["next_attempt"]
    bad.write_bytes(b"%PDF-1.7\n" + b"\x00other garbage" * 100)  # a changed file is tried at once
    assert _run(source, retry_backoff_s=3600)["documents"]["failed"][0]["attempts"] == 1


def test_a_run_killed_before_its_report_loses_nothing(source: Path, tmp_path: Path,
                                                     monkeypatch: pytest.MonkeyPatch) -> None:  # fmt: skip
    import watext.reprocess as rp

    def killed(*_a: object, **_k: object) -> None:
        raise KeyboardInterrupt("killed")

    monkeypatch.setattr(rp, "write_report", killed)
    with pytest.raises(KeyboardInterrupt):
        _run(source)
    monkeypatch.undo()
    report = _run(source)
    assert sorted(_names(report, "new")) == [BURSA.name, SAANEN.name]
    with open_store(load_config(source).db) as store:
        assert store.counts()["documents_current"] == 2  # stored once, not twice


def test_only_files_of_a_changed_extractor_are_read_again(source: Path, tmp_path: Path,
                                                         monkeypatch: pytest.MonkeyPatch) -> None:  # fmt: skip
    first = _run(source)
    cfg = load_config(source)
    with open_store(cfg.db) as store:
        pid = next(p["id"] for p in store.iter_passages() if p["source"].endswith(SAANEN.name) and len(p["text"]) > 80)
        store.save_correction(pid, "ana", labels=["kulturelle_vielfalt"], base_revision=0)
    import watext.extract as extract

    monkeypatch.setitem(extract.EXTRACTOR_VERSIONS, "text", 99)
    report = _run(source)
    assert _names(report, "changed") == [SAANEN.name] and _names(report, "new") == []  # the PDF is not read
    new_id = report["documents"]["changed"][0]["document_id"]
    assert new_id != first["documents"]["new"][1]["document_id"]
    with open_store(cfg.db) as store:
        carried = [p for p in store.iter_passages() if p["document"] == new_id and store.review_state(p["id"]).reviewed]
    assert len(carried) == 1  # the review moved to the re-extracted version
    assert _names(_run(source), "changed") == []  # and once is enough


def test_config_errors_name_the_problem(tmp_path: Path) -> None:
    cfg = tmp_path / "watext.toml"
    for text, message in [
        ("[[sources]]\nname='a'\npath='x'\nout='o'\n", "exactly one of interval"),
        ("[[sources]]\nname='a'\npath='x'\nout='o'\ninterval='soon'\n", "not a duration"),
        ("[[sources]]\nname='a'\npath='x'\nout='o'\ncron='* *'\n", "five fields"),
        ("[[sources]]\nname='A b'\npath='x'\nout='o'\ninterval='1s'\n", "lower-case"),
        ("[[sources]]\nname='a'\npath='x'\ninterval='1s'\n", "needs out"),
        ("[[sources]]\nname='a'\npath='x'\nout='o'\ninterval='1s'\nwhat=1\n", "unknown keys"),
        ("[store]\ndb='nothing'\n[[sources]]\nname='a'\npath='x'\nout='o'\ninterval='1s'\n", "database URL"),
        ("[[sources]\n", "not valid TOML"),
        ("[store]\n", "at least one"),
    ]:
        cfg.write_text(text, encoding="utf-8")
        with pytest.raises(ConfigError, match=message):
            load_config(cfg)
    with pytest.raises(ConfigError, match="not found"):
        load_config(tmp_path / "missing.toml")


def test_relative_paths_are_relative_to_the_config(tmp_path: Path) -> None:
    cfg = load_config(_config(tmp_path))
    (src,) = cfg.sources
    assert src.path == tmp_path / "inbox" and src.out == tmp_path / "out" and src.interval.total_seconds() == 10
    assert cfg.db == f"sqlite:///{tmp_path / 'data' / 'w.db'}" and cfg.data == tmp_path / "data"


def test_the_commands(source: Path, tmp_path: Path) -> None:
    from click.testing import CliRunner

    from watext.cli import main

    runner = CliRunner()
    done = runner.invoke(main, ["reprocess", "partner", "--config", str(source)])
    assert done.exit_code == 0, done.output
    row = json.loads(done.stdout.strip().splitlines()[-1])
    assert row["source"] == "partner" and row["documents_new"] == 2 and row["out"] == str(tmp_path / "out")
    assert runner.invoke(main, ["reprocess", "--config", str(source)]).exit_code == 0  # all sources, idle
    listed = runner.invoke(main, ["sources", "--config", str(source)])
    (src,) = [json.loads(x) for x in listed.stdout.splitlines()]
    assert src["schedule"] == "every 10 s" and src["last_run"] == row["run"] + 1
    latest = runner.invoke(main, ["changes", "--config", str(source), "--json"])
    (report,) = [json.loads(x) for x in latest.stdout.splitlines()]
    assert report["run"] == row["run"]  # the latest report that changed something, not the idle one
    everything = runner.invoke(main, ["changes", "--config", str(source), "--json", "--all", "--since", "2000-01-01"])
    assert [json.loads(x)["run"] for x in everything.stdout.splitlines()] == [row["run"] + 1, row["run"]]
    text = runner.invoke(main, ["changes", "--config", str(source)])
    assert "2 neu" in text.stdout and SAANEN.name in text.stdout
    unknown = runner.invoke(main, ["reprocess", "nope", "--config", str(source)])
    assert unknown.exit_code != 0 and "no source named 'nope'" in str(unknown.exception)


def test_reclassify_when_the_current_model_changes(source: Path, tmp_path: Path) -> None:
    """Another CURRENT in the registry: only passages without a prediction of it are
    predicted again, the sources' tables are rebuilt and the report names both models."""
    from .paths import ROOT

    first = _run(source)
    registry = tmp_path / "models" / "watext-goals"
    older = sorted(p.name for p in (ROOT / "models" / "watext-goals").iterdir() if p.is_dir())[0]
    shutil.copytree(ROOT / "models" / "watext-goals" / older, registry / older)
    (registry / "CURRENT").write_text(older + "\n", encoding="utf-8")
    cfg = load_config(source)
    settings = get_settings(db=cfg.db, models_dir=tmp_path / "models")
    with open_store(cfg.db) as store:
        done = pipeline.reclassify(store, settings, cfg.sources)
        again = pipeline.reclassify(store, settings, cfg.sources)
        passages = store.counts()["passages"]
    assert done["version"] == older and done["classified"] == passages and len(done["sources"]) == 1
    assert again["classified"] == 0 and again["sources"] == []  # nothing left: no rebuild
    report = json.loads((tmp_path / "out" / "changes.json").read_text(encoding="utf-8"))
    assert report["run"] == done["sources"][0] and report["versions"]["after"]["model"] == f"watext-goals/{older}"
    assert report["versions"]["before"]["model"] == first["versions"]["after"]["model"] != f"watext-goals/{older}"
