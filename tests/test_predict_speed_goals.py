"""The goal classifier's one-product path (:func:`watext.tag.classifier._stacked_proba`)
gives bit for bit the probabilities of the per-label scikit-learn path."""

from __future__ import annotations

import numpy as np
import pytest
import scipy.sparse as sp

from watext.tag import classifier as C
from watext.tag.classifier import GoalClassifier


def _data(seed: int, n: int, d: int, dtype: type) -> sp.csr_matrix:
    rng = np.random.default_rng(seed)
    X = sp.random(n, d, density=0.02, format="csr", random_state=rng, dtype=np.float64)
    X.data = (rng.standard_normal(len(X.data)) * 10.0 ** rng.integers(-3, 3, len(X.data))).astype(dtype)
    return X


@pytest.mark.parametrize("base", ["logreg", "svm"])
def test_stacked_goal_proba_equals_per_label_proba(base: str, monkeypatch: pytest.MonkeyPatch) -> None:
    rng = np.random.default_rng(1)
    X = _data(0, 400, 300, np.float64)
    Y = (rng.random((400, 4)) < [0.3, 0.2, 0.0, 1.0]).astype(int)  # two constant labels
    Y[:, 0] |= (X[:, :5].sum(axis=1).A1 > 0).astype(int)
    clf = GoalClassifier(features="passthrough", labels=list("abcd"), base=base, min_positives=5).fit(X, Y)
    assert isinstance(clf.estimators_[2], float) and isinstance(clf.estimators_[3], float)
    for seed, dtype in ((1, np.float32), (2, np.float64), (3, np.float32)):
        Xt = _data(seed, 700, 300, dtype)
        fast = clf.predict_proba(Xt)
        with monkeypatch.context() as m:
            m.setattr(C, "_stacked_proba", lambda *a: None)
            slow = clf.predict_proba(Xt)
        assert C._stacked_proba(clf.estimators_, Xt) is not None, "the fast path is taken"
        assert fast.dtype == slow.dtype and np.array_equal(fast, slow)
    Xt = _data(4, 5, 300, np.float32)
    Xt.data[0] = np.nan  # scikit-learn's input check still rejects it
    with pytest.raises(ValueError):
        clf.predict_proba(Xt)
    assert C._stacked_proba(clf.estimators_, Xt.toarray()) is None


def test_stacked_goal_proba_with_only_constant_labels() -> None:
    X = _data(0, 50, 20, np.float64)
    clf = GoalClassifier(features="passthrough", labels=["a", "b"]).fit(X, np.zeros((50, 2), dtype=int))
    assert np.array_equal(clf.predict_proba(X[:7]), np.zeros((7, 2)))


def test_stacked_goal_proba_follows_refits_and_replaced_estimators(monkeypatch: pytest.MonkeyPatch) -> None:
    rng = np.random.default_rng(2)
    X = _data(5, 300, 50, np.float64)
    Y = (rng.random((300, 2)) < 0.4).astype(int)
    clf = GoalClassifier(features="passthrough", labels=["a", "b"], min_positives=5).fit(X, Y)
    Xt = _data(6, 40, 50, np.float32)
    first = clf.predict_proba(Xt)
    clf.estimators_[0].base.coef_ = clf.estimators_[0].base.coef_ * 2  # a new array in the same list
    second = clf.predict_proba(Xt)
    with monkeypatch.context() as m:
        m.setattr(C, "_stacked_proba", lambda *a: None)
        slow = clf.predict_proba(Xt)
    assert not np.array_equal(first[:, 0], second[:, 0]) and np.array_equal(second, slow)
    clf.fit(X, 1 - Y)  # refitted: a new list
    with monkeypatch.context() as m:
        m.setattr(C, "_stacked_proba", lambda *a: None)
        slow = clf.predict_proba(Xt)
    assert np.array_equal(clf.predict_proba(Xt), slow)
