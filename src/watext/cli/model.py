"""Model commands: ``classify``, ``predict``, ``evaluate``, ``train``, ``corrections``, ``models``."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import click

from watext.cli.common import (
    UsageError,
    db_option,
    emit,
    model_option,
    no_flow_option,
    open_db,
    run_job,
    say,
    settings_for,
)
from watext.settings import get_settings

__all__ = ["register"]


def register(main: click.Group) -> None:
    @main.command()
    @db_option
    @model_option
    @click.option("--batch", default=500, show_default=True, help="Passages per task/transaction.")
    @no_flow_option
    def classify(db: str | None, model_dir: str | None, batch: int, flow: bool | None) -> None:
        """Tag stored passages that lack a prediction of the current model version."""
        emit([run_job("classify", settings_for(db), flow, model_dir=model_dir, batch=batch).to_dict()])

    @main.command()
    @model_option
    @click.option("--input", "input_file", type=click.File("r", encoding="utf-8"), default="-",
                  help="JSON lines {id, text, lang?} (default: standard input).")
    @click.option("--batch", default=500, show_default=True, help="Passages per prediction batch.")
    def predict(model_dir: str | None, input_file: Any, batch: int) -> None:
        """Tag JSON-lines passages: one line out per line in (id, labels, scores, body, body_name, topic)."""
        from watext.tag.registry import load_model, resolve_model_dir

        model, _ = load_model(resolve_model_dir(model_dir))
        chunk: list[dict[str, Any]] = []
        for no, line in enumerate(input_file, 1):
            if not line.strip():
                continue
            try:
                rec = json.loads(line)
            except json.JSONDecodeError as exc:
                raise UsageError(say("input_invalid_json", no=no, error=exc)) from exc
            if not isinstance(rec, dict) or not isinstance(rec.get("text"), str):
                raise UsageError(say("input_needs_text", no=no))
            chunk.append(rec)
            if len(chunk) >= batch:
                emit(model.predict(chunk))
                chunk = []
        emit(model.predict(chunk))

    @main.command()
    @click.option("--gold", default=None, type=click.Path(exists=True, path_type=str),
                  help="Gold JSON lines to evaluate on (held out of training).")
    @click.option("--suite", is_flag=True,
                  help="Everything: train-CV (stored with the model), the held-out gold splits, survey-question "
                       "recognition and negation (files under --corpus).")  # fmt: skip
    @click.option("--corpus", default="corpus", show_default=True, type=click.Path(path_type=str),
                  help="Corpus folder for --suite.")
    @model_option
    @click.option("--json", "as_json", is_flag=True, help="Print the metrics as one JSON object.")
    def evaluate(gold: str | None, suite: bool, corpus: str, model_dir: str | None, as_json: bool) -> None:
        """Evaluate a saved model on a held-out gold file (or the whole --suite), against baselines."""
        from watext.tag.registry import load_model, resolve_model_dir
        from watext.train.evaluate import evaluate_model, format_report, load_gold

        if not gold and not suite:
            raise UsageError(say("evaluate_needs"))
        model, meta = load_model(resolve_model_dir(model_dir))
        if suite:
            from watext.train.suite import evaluate_suite, format_suite

            result = evaluate_suite(model, meta, corpus)
            emit([result]) if as_json else click.echo(format_suite(result))
            return
        result = evaluate_model(model, load_gold(gold))
        emit([result]) if as_json else click.echo(format_report(result))

    @main.command(name="train")
    @click.option("--corpus", default="corpus/gold", show_default=True, type=click.Path(path_type=str),
                  help="Gold directory (uses train.jsonl) or a gold JSON-lines file.")
    @click.option("--out", default=None, type=click.Path(path_type=str),
                  help="Registry root: writes <out>/watext-goals/<version>/ (and CURRENT if promoted); "
                       "default WATEXT_MODELS_DIR or ./models.")  # fmt: skip
    @click.option("--folds", default=5, show_default=True, help="Grouped-by-city CV folds.")
    @click.option("--db", default=None, help="Also train on the review corrections of this store.")
    @click.option("--force", is_flag=True, help="Make the new version CURRENT even if it scores worse.")
    @no_flow_option
    def train_cmd(corpus: str, out: str | None, folds: int, db: str | None, force: bool, flow: bool | None) -> None:
        """Cross-validate by city on gold (+ corrections), fit, save; promote if not worse."""
        from watext.train.trainer import report

        gold = Path(corpus) / "train.jsonl" if Path(corpus).is_dir() else Path(corpus)
        path, result = run_job("train", get_settings(db=db), flow, use_store=bool(db), gold=str(gold),
                               out=out, folds=folds, force=force)  # fmt: skip
        click.echo(report(result), err=True)
        promo = result.get("promotion", {})
        verdict = "train_promoted" if promo.get("promoted") else "train_not_promoted"
        click.echo(say(verdict, name=Path(path).name, reason=promo.get("reason")), err=True)
        emit([{"model": str(path), "macro_f1": result.get("model", {}).get("macro_f1"),
               "promoted": promo.get("promoted"), "reason": promo.get("reason"),
               "current_macro_f1": promo.get("current_macro_f1")}])  # fmt: skip

    @main.command(name="corrections")
    @click.option("--out", required=True, type=click.Path(path_type=str), help="Output JSON-lines file.")
    @db_option
    def corrections_cmd(out: str, db: str | None) -> None:
        """Export reviewed passages (latest review, not undone) as gold JSON lines."""
        from watext.train.dataset import export_corrections

        with open_db(db) as store:
            n = export_corrections(store, out)
        emit([{"out": out, "corrections": n}])

    @main.command(name="models")
    @click.option("--root", default=None, type=click.Path(path_type=str),
                  help="Registry root (default WATEXT_MODELS_DIR or ./models).")
    def models_cmd(root: str | None) -> None:
        """Saved model versions as JSON lines (macro_f1, n_train, promoted, current)."""
        from watext.train.promote import list_models

        emit(list_models(root or get_settings().models_dir))
