"""Promotion gate of ``watext train``: a new model becomes CURRENT only if it is not worse.

Definition (both scores are cross-validation scores on the *same* city-grouped folds
and the *same* scored passages):

- the folds are ``city_folds(new_records, k)`` of the new training set (gold with the
  review corrections applied);
- **candidate**: the new configuration, a fresh clone fitted per fold on the fold's
  training part of the new training set;
- **current**: ``clone(current_model)`` (the current model's configuration, unfitted),
  fitted per fold on the *current model's own training data* of the fold's training
  cities: today's gold with the corrections that version was trained with
  (``corrections.jsonl`` in its version dir; none for versions that predate it);
- **scored**: the test passages of each fold whose gold labels/body/topic no correction
  (new or the current version's) changed. Corrections cannot be judged against
  themselves: scored on corrected labels, random wrong labels *win* (measured: 0.375 vs
  0.129), because the clean model never predicts the wrong labels. The uncorrected gold
  is the trusted reference both arms are measured on;
- the candidate is promoted when its pooled macro-F1 is not below the current one.

When nothing was corrected, the candidate score is the plain CV score; when also the
configuration is the current one's, the current arm is identical and not recomputed.
Caveats: corrections that fix real gold errors are judged only by their effect on the
other passages; if the gold file changed since the current version was trained, its
arm uses today's gold (``current_training`` in the comparison says what it used).
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from sklearn.base import clone

from watext.errors import WatextError
from watext.files import read_records
from watext.train.dataset import merge_training, records_sha256
from watext.train.evaluate import _group, _scores, city_folds
from watext.tag.registry import CURRENT_FILE, DEFAULT_NAME, META_FILE, current_version, load_model

__all__ = ["CORRECTIONS_FILE", "compare_with_current", "list_models", "score_on_folds"]

#: Corrections a version was trained with (gold-format JSON lines in its version dir).
CORRECTIONS_FILE = "corrections.jsonl"


def _config_key(model: Any) -> str:
    params = model.get_params(deep=True)
    flat = {k: (type(v).__name__ if hasattr(v, "get_params") else v) for k, v in params.items()}
    return f"{type(model).__name__}:{sorted(flat.items(), key=lambda kv: kv[0])!r}"


def _state(r: Mapping[str, Any]) -> tuple[Any, ...]:
    return (tuple(sorted(r.get("labels") or ())), r.get("body"), r.get("body_name"), r.get("topic"))


def score_on_folds(
    template: Any, train_records: Sequence[Mapping[str, Any]],
    eval_records: Sequence[Mapping[str, Any]], k: int, scored: Sequence[int] | None = None,
) -> dict[str, Any]:  # fmt: skip
    """Pooled metrics of ``clone(template)`` on ``city_folds(eval_records, k)``: per fold
    fitted on the ``train_records`` of cities outside the fold's test cities and scored on
    the fold's test records (only those with an index in ``scored``, when given)."""
    eval_records = list(eval_records)
    keep = set(range(len(eval_records)) if scored is None else scored)
    preds: dict[int, dict[str, Any]] = {}
    for _, test in city_folds(eval_records, k):
        test = [i for i in test if i in keep]
        if not test:
            continue
        held = {_group(eval_records[i]) for i in test}
        fitted = clone(template).fit([r for r in train_records if _group(r) not in held])
        preds.update(zip(test, fitted.predict([eval_records[i] for i in test])))
    idx = sorted(preds)
    return _scores([eval_records[i] for i in idx], [preds[i] for i in idx])


def compare_with_current(
    candidate: Any, cv_result: Mapping[str, Any], new_records: Sequence[Mapping[str, Any]],
    gold: Sequence[Mapping[str, Any]], root: str | Path, name: str = DEFAULT_NAME, k: int = 5,
) -> dict[str, Any]:  # fmt: skip
    """The promotion decision: ``{"promote", "reason", "candidate_macro_f1",
    "current_macro_f1", "current_version", "n_reference", ...}`` (see the module docstring)."""
    out: dict[str, Any] = {"candidate_macro_f1": None, "current_macro_f1": None,
                           "current_version": None, "folds": cv_result.get("mode")}  # fmt: skip
    try:
        version = current_version(root, name)
        current, _ = load_model(Path(root) / name / version)
    except WatextError as exc:
        cand = float(cv_result["model"]["macro_f1"])
        return {**out, "candidate_macro_f1": cand, "promote": True, "reason": f"no usable current model ({exc})"}
    out["current_version"] = version
    cur_corr = read_records(Path(root) / name / version / CORRECTIONS_FILE, missing_ok=True)
    cur_records, _ = merge_training(gold, cur_corr)
    out["current_training"] = f"gold + {len(cur_corr)} corrections of version {version}"
    # reference: gold passages whose labels no correction (candidate's or current's) changed
    gold_state = {r["text"]: _state(r) for r in gold}
    changed = {c["text"] for c in cur_corr if gold_state.get(c["text"]) != _state(c)}
    ref = [i for i, r in enumerate(new_records)
           if gold_state.get(r["text"]) == _state(r) and r["text"] not in changed]  # fmt: skip
    out["n_reference"] = len(ref)
    if not ref:
        return {**out, "promote": False, "reason": "no gold passage left that the corrections did not change"}
    if len(ref) == len(new_records):
        cand = float(cv_result["model"]["macro_f1"])  # same folds, same fits, all scored
    else:
        cand = float(score_on_folds(candidate, new_records, new_records, k, ref)["macro_f1"])
    if _config_key(current) == _config_key(candidate) and records_sha256(cur_records) == records_sha256(new_records):
        cur = cand  # same configuration, same data: the same CV
        out["current_training"] += " (identical to the candidate's)"
    else:
        cur = float(score_on_folds(current, cur_records, new_records, k, ref)["macro_f1"])
    out.update(candidate_macro_f1=cand, current_macro_f1=cur)
    where = f"{out['folds']} city folds, {len(ref)} uncorrected gold passages scored"
    if cand >= cur:
        return {**out, "promote": True, "reason": f"candidate macro-F1 {cand:.4f} >= current {cur:.4f} ({where})"}
    return {**out, "promote": False,
            "reason": f"candidate macro-F1 {cand:.4f} < current {version} {cur:.4f} ({where})"}


def list_models(root: str | Path) -> list[dict[str, Any]]:
    """One row per saved version under ``root``: name, version, created, macro_f1,
    n_train, promoted, current."""
    rows = []
    for name_dir in sorted(p for p in Path(root).iterdir() if p.is_dir()) if Path(root).is_dir() else []:
        pointer = name_dir / CURRENT_FILE
        cur = pointer.read_text(encoding="utf-8").strip() if pointer.exists() else None
        for vdir in sorted(p for p in name_dir.iterdir() if (p / META_FILE).exists()):
            meta = json.loads((vdir / META_FILE).read_text(encoding="utf-8"))
            rows.append({
                "name": meta.get("name", name_dir.name), "version": meta.get("version", vdir.name),
                "created": meta.get("created"),
                "macro_f1": (meta.get("metrics") or {}).get("model", {}).get("macro_f1"),
                "n_train": meta.get("n_train"), "promoted": meta.get("promoted", True),
                "current": vdir.name == cur,
            })  # fmt: skip
    return rows
