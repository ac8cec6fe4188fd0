"""The whole evaluation of a saved model, as ``watext evaluate --suite`` prints it.

- **train-CV**: the city-grouped cross-validation stored with the model at training time
  (``meta.json`` metrics: P/R/F1 per label, body, topic, the doubt band and its catch);
- **held-out gold splits** (``corpus/gold/{heldout,ood,table_test}.jsonl``): P/R/F1 per label,
  body type and topic against the rule baselines (:func:`~watext.train.evaluate.evaluate_model`);
- **survey-question recognition** on headings written by another writer
  (``corpus/questions/heldout.jsonl``): share right, non-questions taken for a question;
- **negation**: sentences that negate or affirm a goal (``corpus/negation/heldout.jsonl``):
  negated goals not ticked, affirmed goals ticked.

None of these files is used for training or for choosing a rule or threshold.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from watext.errors import ConfigError
from watext.files import read_records
from watext.train.evaluate import evaluate_model, load_gold

__all__ = ["evaluate_negation", "evaluate_questions", "evaluate_suite", "format_suite"]

SPLITS = ("heldout", "ood", "table_test")


def _jsonl(path: Path) -> list[dict[str, Any]]:
    try:
        return read_records(path)
    except OSError as exc:
        raise ConfigError(f"{path}: cannot read evaluation data: {exc}") from exc


def evaluate_questions(rows: Sequence[Mapping[str, Any]]) -> dict[str, Any]:
    """Question recognition on ``{"text", "lang", "question"}`` rows (question None: not one)."""
    from watext.tag.questions import question_recognizer

    found = question_recognizer().match_many([r["text"] for r in rows])
    by_lang: dict[str, Counter[str]] = {}
    right = taken = nq = 0
    for r, m in zip(rows, found):
        got = m.no if m else None
        c = by_lang.setdefault(r.get("lang") or "?", Counter())
        c["n"] += 1
        c["right"] += got == r.get("question")
        if r.get("question"):
            nq += 1
            right += got == r["question"]
        else:
            taken += got is not None
    n_null = len(rows) - nq
    return {"n": len(rows), "questions": nq, "questions_right": right,
            "accuracy": round(right / nq, 4) if nq else None, "non_questions": n_null,
            "non_questions_taken": taken, "by_lang": {k: dict(v) for k, v in sorted(by_lang.items())}}  # fmt: skip


def evaluate_negation(model: Any, rows: Sequence[Mapping[str, Any]]) -> dict[str, Any]:
    """Rows ``{"text", "lang", "goal", "polarity"}``: a negated goal must not be ticked, an
    affirmed one must be."""
    preds = model.predict([{"text": r["text"], "lang": r.get("lang")} for r in rows])
    c: Counter[tuple[str, str, bool]] = Counter()
    for r, p in zip(rows, preds):
        c[(r["polarity"], r.get("lang") or "?", r["goal"] in p["labels"])] += 1
    out: dict[str, Any] = {"n": len(rows)}
    for pol, want in (("negated", False), ("affirmed", True)):
        n = sum(v for (p_, _, _), v in c.items() if p_ == pol)
        ok = sum(v for (p_, _, t), v in c.items() if p_ == pol and t == want)
        out[pol] = {"n": n, "right": ok, "share": round(ok / n, 4) if n else None,
                    "by_lang": {lang: f"{sum(v for (p_, l_, t), v in c.items() if p_ == pol and l_ == lang and t == want)}"
                                f"/{sum(v for (p_, l_, _), v in c.items() if p_ == pol and l_ == lang)}"
                                for lang in sorted({l_ for (_, l_, _) in c})}}  # fmt: skip
    return out


def evaluate_suite(model: Any, meta: Mapping[str, Any], corpus: str | Path = "corpus") -> dict[str, Any]:
    """Everything above for a loaded ``model`` and its ``meta`` (files that are absent are skipped)."""
    corpus = Path(corpus)
    out: dict[str, Any] = {"model": {"name": meta.get("name"), "version": meta.get("version")}}
    metrics = meta.get("metrics") or {}
    if metrics.get("model"):
        out["train_cv"] = {"mode": metrics.get("mode"), "n": metrics.get("n"), "model": metrics["model"],
                           "baseline": metrics.get("baseline"), "margin": metrics.get("margin"),
                           "doubt": metrics.get("doubt")}  # fmt: skip
    for split in SPLITS:
        path = corpus / "gold" / f"{split}.jsonl"
        if path.exists():
            out[split] = evaluate_model(model, load_gold(path))
    q = corpus / "questions" / "heldout.jsonl"
    if q.exists():
        out["questions"] = evaluate_questions(_jsonl(q))
    neg = corpus / "negation" / "heldout.jsonl"
    if neg.exists():
        out["negation"] = evaluate_negation(model, _jsonl(neg))
    return out


def _prf_block(title: str, res: Mapping[str, Any]) -> list[str]:
    m, b = res["model"], res.get("baseline") or {}
    lines = [f"{title} (n={res.get('n')})", f"  {'label':<28}{'P':>7}{'R':>7}{'F1':>7}{'base F1':>9}{'n':>6}"]
    for lab, x in m["per_label"].items():
        base = (b.get("per_label") or {}).get(lab, {}).get("f1")
        lines.append(f"  {lab:<28}{x['precision']:>7.3f}{x['recall']:>7.3f}{x['f1']:>7.3f}"
                     f"{base if base is not None else float('nan'):>9.3f}{x['support']:>6}")  # fmt: skip
    lines.append(f"  {'goal macro-F1':<42}{m['macro_f1']:>7.3f}{b.get('macro_f1', float('nan')):>9.3f}")
    lines.append(f"  {'body type accuracy (base: regex)':<42}{m['body_accuracy']:>7.3f}"
                 f"{b.get('body_accuracy', float('nan')):>9.3f}")
    lines.append(f"  {'topic accuracy (base: majority)':<42}{m['topic_accuracy']:>7.3f}"
                 f"{b.get('topic_accuracy', float('nan')):>9.3f}")
    if res.get("cells"):
        lines.append(f"  goal cells (city × goal from passages with gold topic 'verstaendnis'): "
                     f"{res['cells']['right']}/{res['cells']['n']} right")
    if res.get("doubt"):
        d = res["doubt"]
        lines.append(f"  doubt band {d['band']} chosen on these folds: catches {d['caught']} of {d['wrong']} "
                     f"wrong cells, flags {d['flagged']} of {d['cells']}")
    return lines


def format_suite(res: Mapping[str, Any]) -> str:
    """The suite as text (one block per part)."""
    lines = [f"model {res['model']['name']} {res['model']['version']}", ""]
    if "train_cv" in res:
        lines += _prf_block(f"train, city-grouped CV ({res['train_cv'].get('mode')})", res["train_cv"]) + [""]
    for split in SPLITS:
        if split in res:
            lines += _prf_block(f"held-out split '{split}'", res[split]) + [""]
    if "questions" in res:
        q = res["questions"]
        lines += [f"survey-question recognition (corpus/questions/heldout.jsonl, n={q['n']})",
                  f"  questions recognised right: {q['questions_right']}/{q['questions']} = {q['accuracy']:.3f}",
                  f"  non-question lines taken for a question: {q['non_questions_taken']}/{q['non_questions']}",
                  "  by language (right/n): " + ", ".join(f"{k} {v['right']}/{v['n']}" for k, v in q["by_lang"].items()),
                  ""]  # fmt: skip
    if "negation" in res:
        n = res["negation"]
        lines += [f"negation (corpus/negation/heldout.jsonl, n={n['n']})",
                  f"  negated goal not ticked: {n['negated']['right']}/{n['negated']['n']} = {n['negated']['share']:.3f} "
                  f"({', '.join(f'{k} {v}' for k, v in n['negated']['by_lang'].items())})",
                  f"  affirmed goal ticked:    {n['affirmed']['right']}/{n['affirmed']['n']} = {n['affirmed']['share']:.3f} "
                  f"({', '.join(f'{k} {v}' for k, v in n['affirmed']['by_lang'].items())})"]  # fmt: skip
    return "\n".join(lines)
