"""CLI commands for training on review corrections: ``corrections``, ``train``, ``models``.

``register(main)`` adds them to the ``watext`` group; ``train`` replaces the plain one
(same options plus ``--db`` and ``--force``).
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

import click

__all__ = ["register"]


def _emit(row: dict[str, Any]) -> None:
    sys.stdout.write(json.dumps(row, ensure_ascii=False, default=str) + "\n")
    sys.stdout.flush()


def register(main: click.Group) -> None:
    """Add ``corrections``, ``train`` (with ``--db``/``--force``) and ``models`` to ``main``."""

    @main.command(name="corrections")
    @click.option("--out", required=True, type=click.Path(path_type=str), help="Output JSON-lines file.")
    @click.option("--db", envvar="WATEXT_DB", default=None, help="Database URL (default sqlite:///watext.db).")
    def corrections_cmd(out: str, db: str | None) -> None:
        """Export reviewed passages (latest review, not undone) as gold JSON lines."""
        from ..settings import get_settings
        from ..store import open_store
        from .corrections import export_corrections

        with open_store(get_settings(db=db).db) as store:
            n = export_corrections(store, out)
        _emit({"out": out, "corrections": n})

    @main.command(name="train")
    @click.option("--corpus", default="corpus/gold", show_default=True, type=click.Path(path_type=str),
                  help="Gold directory (uses train.jsonl) or a gold JSON-lines file.")
    @click.option("--out", default="models", show_default=True, type=click.Path(path_type=str),
                  help="Registry root: writes <out>/watext-goals/<version>/ (and CURRENT if promoted).")
    @click.option("--folds", default=5, show_default=True, help="Grouped-by-city CV folds.")
    @click.option("--db", default=None, help="Also train on the review corrections of this store.")
    @click.option("--force", is_flag=True, help="Make the new version CURRENT even if it scores worse.")
    @click.option("--no-flow", is_flag=True, envvar="WATEXT_NO_FLOW",
                  help="Run in-process without Prefect orchestration (same library code, no flow run).")
    def train_cmd(corpus: str, out: str, folds: int, db: str | None, force: bool, no_flow: bool) -> None:
        """Cross-validate by city on gold (+ corrections), fit, save; promote if not worse."""
        gold = Path(corpus) / "train.jsonl" if Path(corpus).is_dir() else Path(corpus)
        if no_flow:
            from .jobs import report, train_model

            path, result = train_model(gold, out, k=folds, db=db, force=force)
            click.echo(report(result) if result.get("model") else "(no evaluation)", err=True)
        else:
            from flows.train import train_flow

            if db:  # the store URL reaches the flow through the environment, not as a parameter
                import os

                from ..store import open_store

                os.environ["WATEXT_DB"] = db
                open_store(db).close()  # unreachable: one line, before any flow run
            done = train_flow(str(gold), out, k=folds, db=None, use_store=bool(db), force=force)
            path, result = done["path"], done["result"]
        promo = result.get("promotion", {})
        verdict = "promoted to CURRENT" if promo.get("promoted") else "NOT promoted"
        click.echo(f"{Path(path).name}: {verdict}: {promo.get('reason')}", err=True)
        _emit({"model": str(path), "macro_f1": result.get("model", {}).get("macro_f1"),
               "promoted": promo.get("promoted"), "reason": promo.get("reason"),
               "current_macro_f1": promo.get("current_macro_f1")})  # fmt: skip

    @main.command(name="models")
    @click.option("--root", default="models", show_default=True, type=click.Path(path_type=str),
                  help="Registry root.")
    def models_cmd(root: str) -> None:
        """Saved model versions as JSON lines (macro_f1, n_train, promoted, current)."""
        from .promote import list_models

        for row in list_models(root):
            _emit(row)
