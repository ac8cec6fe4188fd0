"""The bundled watext model: one featurizer feeding the goal, body and topic classifiers.

    model = WatextModel().fit(gold_records)
    model.predict([{"id": "p1", "text": "Sprachkurse für Geflüchtete", "lang": "de"}])
    # [{"id": "p1", "labels": [...], "scores": {...}, "body": ..., "body_name": ..., "topic": ...}]
"""

from __future__ import annotations

import gc
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from typing import Any

import numpy as np
import scipy.sparse as sp
from sklearn.base import BaseEstimator, clone
from sklearn.utils.validation import check_is_fitted

from watext.tag.analysis import Analysis, analyze, as_pairs
from watext.tag.classifier import BodyClassifier, GoalClassifier, TopicClassifier, pick_body_name
from watext.tag.features import PassageFeaturizer
from watext.model import NONE, Prediction
from watext.tag.polarity import negated_clauses, without_spans

__all__ = ["WatextModel"]


@contextmanager
def _gc_paused() -> Iterator[None]:
    """No cyclic garbage collection during one batch: the per-string caches grow by many
    small objects, and full collections over them cost a quarter of a cold batch. Nothing
    a batch makes lives in a reference cycle that must go before the batch ends."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


class WatextModel(BaseEstimator):
    """Goals + responsible body (type and name span) + survey topic for passages.

    ``fit(records)`` reads gold records (``text``, ``lang``, ``labels``, ``body``,
    ``topic``); ``predict(records)`` returns one dict per record. The sub-estimators are
    parameters (cloned on fit), so ``clone(model)`` gives an unfitted twin.
    """

    def __init__(
        self, features: Any = None, goals: Any = None, body: Any = None, topic: Any = None,
        random_state: int | None = 0,
    ) -> None:  # fmt: skip
        self.features = features
        self.goals = goals
        self.body = body
        self.topic = topic
        self.random_state = random_state

    def _goal_matrix(self, pairs: Sequence[tuple[str, str]], X: Any, docs: Sequence[Analysis] | None = None
                     ) -> tuple[Any, list[bool]]:  # fmt: skip
        """Goal features: those of each passage without its negated clauses
        (:mod:`.polarity`); and which passages are negated as a whole.

        Rows are independent, so only the rows of passages that lose a clause are
        featurised again; the others are ``X``'s rows."""
        docs = docs if docs is not None else analyze(pairs)
        affirmed = [
            (without_spans(t, d.negated if d.negated is not None else negated_clauses(t, lang)) if t else t, lang)
            for (t, lang), d in zip(pairs, docs)
        ]
        changed = [i for i, ((a, _), (t, _)) in enumerate(zip(affirmed, pairs)) if a != t]
        if not changed:
            return X, [False] * len(pairs)
        Xc = self.features_.transform(analyze([affirmed[i] for i in changed]))
        rows = np.arange(X.shape[0])
        rows[changed] = X.shape[0] + np.arange(len(changed))
        Xg = sp.vstack([X, Xc], format="csr")[rows]
        return Xg, [not a.strip() for a, _ in affirmed]

    def fit(self, records: Sequence[Mapping[str, Any]], y: Any = None) -> WatextModel:
        """Fit all three classifiers on gold ``records``."""
        pairs = as_pairs(records)
        docs = analyze(pairs)
        self.features_ = clone(self.features) if self.features is not None else PassageFeaturizer()
        X = self.features_.fit_transform(docs)
        rs = self.random_state
        self.goals_ = clone(self.goals or GoalClassifier(features="passthrough", random_state=rs))
        cities = [str(r.get("city") or "").strip().lower() or None for r in records]
        groups = cities if all(cities) else None
        Xg, _ = self._goal_matrix(pairs, X, docs)
        self.goals_.fit(Xg, [r.get("labels") or [] for r in records], groups=groups)
        self.body_ = clone(self.body or BodyClassifier(features="passthrough", random_state=rs))
        self.body_.fit(X, [r.get("body") for r in records])
        self.topic_ = clone(self.topic or TopicClassifier(features="passthrough", random_state=rs))
        self.topic_.fit(X, [r.get("topic") for r in records])
        self.n_train_ = len(records)
        return self

    @property
    def labels_(self) -> list[str]:
        """Goal labels in score order."""
        return [str(c) for c in self.goals_.classes_]

    def predictions(self, rows: Sequence[Mapping[str, Any]], model_name: str, model_version: str) -> list[Prediction]:
        """:class:`~watext.model.Prediction` of this model version for each ``{"id", "text", "lang"}`` row."""
        return [Prediction(str(r["id"]), model_name, model_version, tuple(p["labels"]), p["scores"], p["body"],
                           p["body_name"], p["topic"]) for r, p in zip(rows, self.predict(rows))]  # fmt: skip

    def predict(self, records: Sequence[Mapping[str, Any] | str]) -> list[dict[str, Any]]:
        """``{"id", "labels", "scores", "body", "body_name", "topic"}`` per record."""
        check_is_fitted(self, "goals_")
        if not records:
            return []
        with _gc_paused():
            return self._predict(records)

    def _predict(self, records: Sequence[Mapping[str, Any] | str]) -> list[dict[str, Any]]:
        pairs = as_pairs(records)
        docs = analyze(pairs)
        X = self.features_.transform(docs)
        Xg, negated = self._goal_matrix(pairs, X, docs)
        proba = self.goals_.predict_proba(Xg)
        proba[np.asarray(negated, dtype=bool)] = 0.0  # every clause negates: no goal
        thresholds = self.goals_.effective_thresholds()
        bodies = self.body_.predict(X)
        topics = self.topic_.predict(X)
        labels = self.labels_
        # per row: the labels at or above their threshold (float64 comparisons, as of the
        # Python floats), one list per distinct choice, copied per record
        above = (proba >= thresholds) @ (1 << np.arange(len(labels), dtype=np.int64))
        chosen = {k: [lab for j, lab in enumerate(labels) if k >> j & 1] for k in set(above.tolist())}
        out = []
        for rec, k, row, b, t, doc in zip(records, above.tolist(), round4(proba), np.asarray(bodies).tolist(),
                                             np.asarray(topics).tolist(), docs):  # fmt: skip
            body = None if b == NONE else str(b)
            out.append({
                "id": rec.get("id") if type(rec) is dict or isinstance(rec, Mapping) else None,
                "labels": list(chosen[k]),
                "scores": dict(zip(labels, row)),
                "body": body,
                "body_name": pick_body_name(doc) if body == "fachstelle" else None,
                "topic": None if t == NONE else str(t),
            })  # fmt: skip
        return out


def round4(values: np.ndarray) -> list[list[float]]:
    """``[[round(v, 4) for v in row] for row in values.tolist()]``, vectorised.

    ``round(v, 4)`` is the double nearest to ``N / 10**4``, ``N`` the integer nearest to
    the exact ``v * 10**4`` (ties to even). For ``|v * 1e4| < 2**20`` the product is off
    by less than ``2**-32``, so ``np.rint(v * 1e4)`` is that ``N`` unless the product lies
    within ``1e-6`` of a tie; those entries, and larger or non-finite ones, take Python's
    ``round``. ``N / 1e4`` (both exact doubles) is the correctly rounded quotient: the
    same double."""
    v = np.asarray(values, dtype=np.float64)
    with np.errstate(invalid="ignore"):
        scaled = v * 1e4
        out = np.rint(scaled) / 1e4
        unsure = ~(np.abs(scaled) < 2.0**20) | (np.abs(np.abs(scaled - np.trunc(scaled)) - 0.5) < 1e-6)
    rows = out.tolist()
    if unsure.any():
        for i, j in zip(*np.nonzero(unsure)):
            rows[i][j] = round(float(v[i, j]), 4)
    return rows
