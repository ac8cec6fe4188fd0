"""Classifiers of watext: goals (multi-label), responsible body and survey topic.

All three follow the scikit-learn estimator contract (``clone``, ``fit`` returns
``self``, learned state in ``*_`` attributes, outputs ordered by ``classes_``). Each
takes its input through ``features``: ``None`` builds a :class:`PassageFeaturizer`
on the raw passages; ``"passthrough"`` means ``X`` is already a feature matrix (how
:class:`~watext.tag.tagger.WatextModel` shares one featurizer between them).
"""

from __future__ import annotations

import threading
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import scipy.sparse as sp
from sklearn.base import BaseEstimator, ClassifierMixin, clone
from sklearn.linear_model import LogisticRegression
from sklearn.linear_model._base import LinearClassifierMixin
from sklearn.model_selection import GroupKFold, StratifiedKFold
from sklearn.svm import LinearSVC
from sklearn.utils.validation import check_is_fitted

from watext.tag.analysis import Analysis
from watext.tag.features import PassageFeaturizer
from watext.model import BODY_LABELS, GOAL_LABELS, NONE, TOPIC_LABELS

__all__ = [
    "BodyClassifier", "GoalClassifier", "TopicClassifier", "best_threshold", "pick_body_name",
]

_GRID = np.round(np.arange(0.05, 0.951, 0.025), 3)


def best_threshold(y: np.ndarray, p: np.ndarray) -> float:
    """Threshold on ``p`` maximising F1 for ``y`` (ties: the one closest to 0.5)."""
    best, best_f1 = 0.5, -1.0
    for t in sorted(_GRID, key=lambda t: abs(t - 0.5)):
        pred = p >= t
        tp = float(np.sum(pred & (y == 1)))
        denom = float(pred.sum() + (y == 1).sum())
        f1 = 2 * tp / denom if denom else 0.0
        if f1 > best_f1 + 1e-12:
            best, best_f1 = float(t), f1
    return best


def pick_body_name(analysis: Analysis) -> str | None:
    """The exact text of the best ``fachstelle`` rule span (longest, then first), else None."""
    spans = [b for b in analysis.bodies if b["label"] == "fachstelle"]
    if not spans:
        return None
    best = max(spans, key=lambda b: (b["end"] - b["start"], -b["start"]))
    return analysis.text[best["start"] : best["end"]]


class _Features:
    """Mixin: resolve the ``features`` parameter into a fitted transformer (or none)."""

    features: Any

    def _fit_features(self, X: Any) -> Any:
        if self.features == "passthrough":
            self.features_ = None
            return X
        self.features_ = clone(self.features) if self.features is not None else PassageFeaturizer()
        return self.features_.fit_transform(X)

    def _transform(self, X: Any) -> Any:
        return X if self.features_ is None else self.features_.transform(X)


class _PlattLabel:
    """One label's fitted linear model plus a sigmoid (Platt) map of its decision values.

    The sigmoid is fitted on out-of-fold decision values, so probabilities are calibrated
    for passages the model has not seen (from cities it has not seen, when grouped).
    """

    def __init__(self, base: Any, a: float, b: float) -> None:
        self.base, self.a, self.b = base, a, b

    def predict_proba(self, X: Any) -> np.ndarray:
        p = 1.0 / (1.0 + np.exp(-(self.a * self.base.decision_function(X) + self.b)))
        return np.column_stack([1.0 - p, p])


#: per list of fitted label estimators (held with it): their stacked coefficients, for
#: the :data:`_KEEP_STACKS` lists used last (a model predicts with one; the copies are
#: as large as the coefficients, so few are kept)
_STACKS: dict[int, tuple[list[Any], list[Any], Any]] = {}
_KEEP_STACKS = 2
_STACKS_LOCK = threading.Lock()


def _stack(estimators: list[Any]) -> Any:
    """``(W, intercepts, labels)``: the coefficients of the :class:`_PlattLabel` estimators
    whose base is a plain binary linear model, as the columns of one ``(n_features, k)``
    float64 array, with their intercepts and which labels they are; None if any label
    is neither such an estimator nor a constant. Kept while the list holds the same
    estimators with the same coefficient and intercept arrays (not copied: checked by
    identity)."""
    snap = [(e, getattr(getattr(e, "base", None), "coef_", None), getattr(getattr(e, "base", None), "intercept_", None))
            for e in estimators]  # fmt: skip
    with _STACKS_LOCK:
        hit = _STACKS.pop(id(estimators), None)
        if hit is not None and hit[0] is estimators and len(hit[1]) == len(snap) and all(
                x is y for a, b in zip(hit[1], snap) for x, y in zip(a, b)):  # fmt: skip
            _STACKS[id(estimators)] = hit  # most recently used last
            return hit[2]
    cols, icpt, labels = [], [], []
    for j, est in enumerate(estimators):
        if isinstance(est, float):
            continue
        base = getattr(est, "base", None)
        if (type(est) is not _PlattLabel or type(base) not in (LogisticRegression, LinearSVC)
                or type(base).decision_function is not LinearClassifierMixin.decision_function
                or base.coef_.ndim != 2 or base.coef_.shape[0] != 1 or base.coef_.dtype != np.float64
                or np.shape(base.intercept_) != (1,)):  # fmt: skip
            cols = None
            break
        cols.append(base.coef_[0])
        icpt.append(base.intercept_)
        labels.append(j)
    stack = None
    if cols is not None:
        W = np.ascontiguousarray(np.column_stack(cols)) if cols else None
        stack = (W, icpt, labels)
    with _STACKS_LOCK:
        _STACKS.pop(id(estimators), None)
        _STACKS[id(estimators)] = (estimators, snap, stack)
        while len(_STACKS) > _KEEP_STACKS:
            _STACKS.pop(next(iter(_STACKS)))
    return stack


def _stacked_proba(estimators: list[Any], X: Any) -> np.ndarray | None:
    """``GoalClassifier.predict_proba``'s columns with one sparse-dense product for all
    labels instead of one scikit-learn ``decision_function`` (with its input checks) per
    label; None when ``X`` or an estimator is not of the plain kind this covers.

    Bit-identical: scipy's product sums each row's ``x * w`` in stored order from 0 for
    one column (``csr_matvec``) as for several (``csr_matvecs``), in float64 (``X`` is
    upcast either way); the intercept is added after, and the Platt sigmoid is applied
    to each label's contiguous column, as :meth:`_PlattLabel.predict_proba` does. Input
    scikit-learn would reject (non-finite values) takes its path and its error."""
    if (not sp.issparse(X) or X.format != "csr" or X.ndim != 2 or X.dtype not in (np.float32, np.float64)
            or not np.isfinite(X.data).all()):  # scikit-learn's checks reject non-finite values
        return None
    stack = _stack(estimators)
    if stack is None:
        return None
    W, icpt, labels = stack
    n = X.shape[0]
    out = np.empty((n, len(estimators)), dtype=np.float64)
    for j, est in enumerate(estimators):
        if isinstance(est, float):
            out[:, j] = est
    if W is None:
        return out
    if X.shape[1] != W.shape[0]:
        return None
    D = np.ascontiguousarray((X @ W).T)  # one contiguous row of decision values per label
    for row, b, j in zip(D, icpt, labels):
        est = estimators[j]
        d = row + b
        out[:, j] = 1.0 / (1.0 + np.exp(-(est.a * d + est.b)))
    return out


def _platt(scores: np.ndarray, y: np.ndarray) -> tuple[float, float]:
    lr = LogisticRegression(C=1e4, solver="lbfgs").fit(scores.reshape(-1, 1), y)
    return float(lr.coef_[0, 0]), float(lr.intercept_[0])


class GoalClassifier(_Features, ClassifierMixin, BaseEstimator):
    """Multi-label one-vs-rest goal classifier with calibrated probabilities and tuned thresholds.

    Per label: a linear model (``base``: ``"logreg"`` or ``"svm"``, class-balanced). Its
    decision values are calibrated with a sigmoid (Platt) fitted on out-of-fold decision
    values of a ``calibration_cv``-fold split, and the decision threshold is the one
    maximising F1 on those out-of-fold probabilities. With ``groups`` (the city of each
    passage) the split is ``GroupKFold``, so calibration and thresholds are tuned for
    *unseen cities*, which is how the model is used; without, ``StratifiedKFold``.
    Labels with fewer than ``min_positives`` positives keep the threshold 0.5.
    ``thresholds`` (mapping label -> value) overrides the learned ``thresholds_``.
    """

    def __init__(
        self, features: Any = None, labels: Sequence[str] = GOAL_LABELS, base: str = "logreg",
        C: float = 16.0, calibration_cv: int = 4, min_positives: int = 10,
        thresholds: Mapping[str, float] | None = None, random_state: int | None = 0,
    ) -> None:  # fmt: skip
        self.features = features
        self.labels = labels
        self.base = base
        self.C = C
        self.calibration_cv = calibration_cv
        self.min_positives = min_positives
        self.thresholds = thresholds
        self.random_state = random_state

    def _base_estimator(self) -> Any:
        if self.base == "svm":
            return LinearSVC(C=self.C / 32, class_weight="balanced", random_state=self.random_state)
        if self.base == "logreg":
            return LogisticRegression(
                C=self.C, class_weight="balanced", solver="liblinear", random_state=self.random_state
            )
        raise ValueError(f"base must be 'logreg' or 'svm', not {self.base!r}")

    def _indicator(self, Y: Any) -> np.ndarray:
        if isinstance(Y, np.ndarray) and Y.ndim == 2:
            return Y.astype(int)
        return np.array([[int(lab in set(row or ())) for lab in self.classes_] for row in Y])

    def fit(self, X: Any, Y: Any, groups: Sequence[Any] | None = None) -> GoalClassifier:
        """Fit on passages ``X`` and label lists (or an indicator matrix) ``Y``; ``groups``
        (e.g. the city per passage) makes calibration and thresholds group-aware."""
        self.classes_ = np.asarray(list(self.labels), dtype=object)
        Yb = self._indicator(Y)
        Xf = self._fit_features(X)
        g = None if groups is None else np.asarray([str(x) for x in groups])
        self.estimators_, thresholds = [], []
        for j in range(len(self.classes_)):
            est, t = self._fit_label(Xf, Yb[:, j], g)
            self.estimators_.append(est)
            thresholds.append(t)
        self.thresholds_ = np.asarray(thresholds, dtype=float)
        return self

    def _splits(self, y: np.ndarray, groups: np.ndarray | None) -> list[tuple[np.ndarray, np.ndarray]]:
        if groups is not None and len(set(groups)) >= 2:
            k = min(self.calibration_cv, len(set(groups)))
            splits = list(GroupKFold(n_splits=k).split(y, y, groups))
            # every training part must see both classes, or the fold is useless
            if all(0 < y[tr].sum() < len(tr) for tr, _ in splits):
                return splits
        k = max(2, min(self.calibration_cv, int(y.sum()), int(len(y) - y.sum())))
        return list(StratifiedKFold(k, shuffle=True, random_state=self.random_state).split(y, y))

    def _fit_label(self, X: Any, y: np.ndarray, groups: np.ndarray | None) -> tuple[Any, float]:
        npos, n = int(y.sum()), len(y)
        if npos == 0 or npos == n:
            return float(npos > 0), 0.5  # constant probability
        base = self._base_estimator().fit(X, y)
        if min(npos, n - npos) < 2:
            return _PlattLabel(base, 1.0, 0.0), 0.5
        oof = np.zeros(n)
        for tr, te in self._splits(y, groups):
            oof[te] = clone(self._base_estimator()).fit(X[tr], y[tr]).decision_function(X[te])
        a, b = _platt(oof, y)
        threshold = 0.5
        if min(npos, n - npos) >= self.min_positives:
            threshold = best_threshold(y, 1.0 / (1.0 + np.exp(-(a * oof + b))))
        return _PlattLabel(base, a, b), threshold

    def predict_proba(self, X: Any) -> np.ndarray:
        """Probabilities, shape ``(n, n_labels)``, columns ordered by ``classes_``."""
        check_is_fitted(self, "estimators_")
        Xf = self._transform(X)
        n = Xf.shape[0]
        fast = _stacked_proba(self.estimators_, Xf)
        if fast is not None:
            return fast
        cols = [
            np.full(n, est) if isinstance(est, float) else est.predict_proba(Xf)[:, 1]
            for est in self.estimators_
        ]
        return np.column_stack(cols)

    def effective_thresholds(self) -> np.ndarray:
        """``thresholds_`` with the ``thresholds`` override applied."""
        check_is_fitted(self, "thresholds_")
        t = self.thresholds_.copy()
        for label, value in (self.thresholds or {}).items():
            t[list(self.classes_).index(label)] = float(value)
        return t

    def predict(self, X: Any) -> np.ndarray:
        """Indicator matrix ``(n, n_labels)``: probability ≥ the label's threshold."""
        return (self.predict_proba(X) >= self.effective_thresholds()).astype(int)


class _SingleLabelClassifier(_Features, ClassifierMixin, BaseEstimator):
    """Multiclass logistic regression where a gold ``None`` becomes the class ``"none"``.

    ``class_weight``: ``"balanced"``, None, or a mapping class -> weight (classes not
    named weigh 1)."""

    default_class_weight: Any = "balanced"

    def __init__(
        self, features: Any = None, C: float = 4.0, random_state: int | None = 0,
        class_weight: Any = "default",
    ) -> None:  # fmt: skip
        self.features = features
        self.C = C
        self.random_state = random_state
        self.class_weight = class_weight

    def _class_weight(self) -> Any:
        cw = self.default_class_weight if self.class_weight == "default" else self.class_weight
        if isinstance(cw, Mapping):
            return {c: float(cw.get(str(c), 1.0)) for c in self.classes_}
        return cw

    def fit(self, X: Any, y: Sequence[str | None]) -> _SingleLabelClassifier:
        """Fit on passages ``X`` and one label (or None) per passage."""
        y = np.asarray([v if v else NONE for v in y], dtype=object)
        Xf = self._fit_features(X)
        self.classes_ = np.unique(y)
        if len(self.classes_) == 1:
            self.estimator_ = None
        else:
            self.estimator_ = LogisticRegression(
                C=self.C, class_weight=self._class_weight(), max_iter=2000, random_state=self.random_state
            ).fit(Xf, y)
        return self

    def predict_proba(self, X: Any) -> np.ndarray:
        """Class probabilities ordered by ``classes_``."""
        check_is_fitted(self, "classes_")
        Xf = self._transform(X)
        if self.estimator_ is None:
            return np.ones((Xf.shape[0], 1))
        return self.estimator_.predict_proba(Xf)

    def predict(self, X: Any) -> np.ndarray:
        """The most probable class per passage (``"none"`` for no label)."""
        return self.classes_[np.argmax(self.predict_proba(X), axis=1)]


class BodyClassifier(_SingleLabelClassifier):
    """Responsible-body type: ``fachstelle``/``chefsache``/``querschnittsaufgabe``/``none``.

    Combines rules and learning: the features carry one indicator per body type and per
    rule of ``rules/bodies.jsonl``, so the model learns when a rule hit (a mayor opening a
    festival, an NGO "Büro") is not a responsible body. The unit's name comes from the
    rules, not the model: see :func:`pick_body_name`.
    """

    known_labels = BODY_LABELS
    #: Mild weights, chosen by city-grouped CV on the training gold (accuracy 0.913 against
    #: 0.905 for "balanced" and 0.911 for none): "balanced" over-predicts the rare types.
    default_class_weight: Any = {"none": 1.0, "fachstelle": 1.5, "chefsache": 2.0, "querschnittsaufgabe": 2.0}


class TopicClassifier(_SingleLabelClassifier):
    """Survey topic (``verstaendnis`` … ``best_practice``) or ``none``."""

    known_labels = TOPIC_LABELS
