"""The flows are wiring only: each task's ``.fn`` is a pipeline unit, and each unit works
when called directly. One real Prefect run of ``watext train`` (the other flows run for
real in test_cli.py, test_cli_run.py and test_hostile_input.py)."""

from __future__ import annotations

import inspect
import json
import subprocess
import sys
from pathlib import Path

import pytest

from flows import FLOWS, tasks
from watext import pipeline
from watext.ingest.discover import Entry
from watext.ingest.worker import FileWorker
from watext.model import Prediction
from watext.settings import get_settings
from watext.store import open_store
from watext.tag.registry import current_version, read_meta, resolve_model_dir
from watext.tag.survey import questions_version

from .paths import DATA, ROOT
from .prefect_server import PrefectServer

MINI = DATA / "gold" / "mini.jsonl"


def test_every_task_is_a_pipeline_unit() -> None:
    from watext import reprocess
    from watext.train import trainer

    units = {pipeline.ingest_one, pipeline.mark_questions, pipeline.classify_batch, pipeline.build_tables,
             trainer.train_model, reprocess.reprocess_file, reprocess.source_tables, reprocess.write_report,
             pipeline.sync_paper, pipeline.oparl_tables}  # fmt: skip
    assert set(tasks.TASKS) == units
    for unit, task in tasks.TASKS.items():
        assert task.fn is unit and task.cache_policy is not None  # NONE: never cached
    with pytest.raises(KeyError):
        tasks.as_task(print, "not a unit")


def test_every_flow_wraps_the_pipeline_function_of_its_name() -> None:
    for job, flow in FLOWS.items():
        body = inspect.getsource(flow.fn)
        assert f"pipeline.{job}" in body or f"as_task(pipeline.{job}" in body, job
        assert "for " not in body and "while " not in body, f"{job}: a flow holds no loop"


def test_task_fns_do_the_work(tmp_path: Path) -> None:
    """ingest-document, mark-survey-questions, classify-batch and build-tables, called as
    their ``.fn`` in order on one survey answer, give the tables a ticked, evidenced cell."""
    db = f"sqlite:///{tmp_path / 'w.db'}"
    settings = get_settings(db=db)
    answer = DATA / "survey" / "lakeside_answer_en.txt"

    with open_store(db) as store, FileWorker(settings) as worker:
        result = tasks.ingest_document.fn(store, settings, worker, Entry(answer), "Lakeside", ["Lakeside"])
        assert result.status == "new" and result.passages > 0
        docs = store.documents_without_questions(questions_version())
        assert docs == [result.document_id]
        assert tasks.mark_questions.fn(store, docs) == 1
        assert store.documents_without_questions(questions_version()) == []
        model_dir = resolve_model_dir(None, settings.models_dir)
        meta = read_meta(model_dir)
        (rows,) = list(store.passages_without_prediction(meta["name"], meta["version"], 10_000))
        assert tasks.classify_batch.fn(store, str(model_dir), rows) == len(rows)
        assert tasks.classify_batch.fn(store, str(model_dir), rows) == 0  # stored once
        preds = list(store.predictions(meta["name"], meta["version"]))
        assert len(preds) == len(rows) and all(isinstance(p, Prediction) for p in preds)
        summary = tasks.build_tables.fn(store, settings, tmp_path / "out", ["csv"], None, None)
    assert summary["cities"] == ["Lakeside"] and summary["version"] == meta["version"]
    cells = (tmp_path / "out" / "goals_cells.csv").read_text(encoding="utf-8")
    assert "Lakeside" in cells


def test_train_task_fn_saves_and_promotes(tmp_path: Path) -> None:
    path, result = tasks.train_model.fn(MINI, tmp_path / "models", "m", 2, False)
    assert path.parent == tmp_path / "models" / "m" and (path / "model.joblib").exists()
    assert current_version(tmp_path / "models", "m") == path.name
    assert result["promotion"]["promoted"] is True and result["promotion"]["reason"] == "not evaluated"


@pytest.mark.flow
def test_train_runs_as_a_prefect_flow(tmp_path: Path, prefect_server: PrefectServer) -> None:
    """``watext train`` without --no-flow: one flow run, the model saved under --out and
    made CURRENT, no traceback on standard error."""
    env = prefect_server.flow_env(tmp_path / "prefect")
    proc = subprocess.run(
        [sys.executable, "-m", "watext", "train", "--corpus", str(MINI), "--out", str(tmp_path / "models"),
         "--folds", "2", "--flow"],
        capture_output=True, text=True, timeout=600, env=env, cwd=ROOT,
    )  # fmt: skip
    assert proc.returncode == 0, proc.stderr[-3000:]
    row = json.loads(proc.stdout.strip().splitlines()[-1])
    assert row["promoted"] is True and Path(row["model"]).parent == tmp_path / "models" / "watext-goals"
    assert "watext-train" in proc.stderr and "Traceback" not in proc.stderr
    assert current_version(tmp_path / "models") == Path(row["model"]).name


def test_tables_redo_a_stale_survey_structure(partner_store, tmp_path: Path) -> None:  # noqa: ANN001
    """A store whose survey structure is gone (made before it was stored, or under other
    question rules) gets it back when the tables are built: same cells as before."""
    settings = get_settings(db="sqlite://")
    first = pipeline.build_tables(partner_store, settings, tmp_path / "a", ["csv"])
    with partner_store._writer.begin() as conn:  # noqa: SLF001 - simulate a store from before
        conn.exec_driver_sql("DELETE FROM passage_questions")
    assert partner_store.documents_without_questions(questions_version())
    again = pipeline.build_tables(partner_store, settings, tmp_path / "b", ["csv"])
    assert partner_store.documents_without_questions(questions_version()) == []
    assert again["goals_matrix"] == first["goals_matrix"] and again["no_answer"] == first["no_answer"]
    assert (tmp_path / "a" / "goals_cells.csv").read_bytes() == (tmp_path / "b" / "goals_cells.csv").read_bytes()
