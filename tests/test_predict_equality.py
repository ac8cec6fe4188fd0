"""The fast predict path gives the shipped model's predictions of the old path, unchanged.

``tests/data/predict/reference.jsonl.gz`` holds, for every gold passage (train, heldout,
ood, table_test: predicting is not training), what the shipped model predicted before
the predict path was made fast: goal labels, goal probabilities (9 decimals, and the
4-decimal scores ``predict`` returns), body type and name, topic and the body and topic
probabilities. It was written once by the old code (spaCy ``nlp.pipe`` with every
component, the Matcher with all rules, per-clause polarity, scikit-learn's vectorizers).
"""

from __future__ import annotations

import gzip
import json
from pathlib import Path

import numpy as np
import pytest

from watext.files import read_jsonl
from watext.tag import analysis
from watext.tag.analysis import analyze, as_pairs
from watext.tag.nlp import Annotator
from watext.tag.registry import load_model, resolve_model_dir
from watext.tag.tokens import facts_for, sentence_starts

ROOT = Path(__file__).resolve().parents[1]
REFERENCE = ROOT / "tests" / "data" / "predict" / "reference.jsonl.gz"
GOLD = ROOT / "corpus" / "gold"


@pytest.fixture(scope="module")
def reference() -> tuple[dict, list[dict]]:
    with gzip.open(REFERENCE, "rt", encoding="utf-8") as fh:
        head, *rows = [json.loads(line) for line in fh]
    return head, rows


@pytest.fixture(scope="module")
def records(reference: tuple[dict, list[dict]]) -> list[dict]:
    head, _ = reference
    out = []
    for split in head["splits"]:
        for _, obj in read_jsonl(GOLD / f"{split}.jsonl"):
            out.append({"id": obj["id"], "text": obj["text"], "lang": obj.get("lang"), "split": split})
    return out


@pytest.fixture(scope="module")
def model(reference: tuple[dict, list[dict]]):
    model, meta = load_model(resolve_model_dir(None, ROOT / "models"))
    assert meta["version"] == reference[0]["model"]
    return model


def test_predict_equals_reference(model, records: list[dict], reference: tuple[dict, list[dict]]) -> None:
    _, rows = reference
    assert len(rows) == len(records) == reference[0]["n"]
    analysis._cache.clear()
    preds = model.predict(records)
    pairs = as_pairs(records)
    X = model.features_.transform(analyze(pairs))
    Xg, negated = model._goal_matrix(pairs, X)
    raw = model.goals_.predict_proba(Xg)
    raw[np.asarray(negated, dtype=bool)] = 0.0
    body_p, topic_p = model.body_.predict_proba(X), model.topic_.predict_proba(X)
    diffs = []
    for i, (rec, p, ref) in enumerate(zip(records, preds, rows)):
        assert (rec["split"], rec["id"]) == (ref["split"], ref["id"])
        same = (p["labels"] == ref["labels"] and p["scores"] == ref["scores"] and p["body"] == ref["body"]
                and p["body_name"] == ref["body_name"] and p["topic"] == ref["topic"]
                and np.allclose(raw[i], ref["raw"], rtol=0, atol=1e-9)
                and np.allclose(body_p[i], ref["body_proba"], rtol=0, atol=1e-9)
                and np.allclose(topic_p[i], ref["topic_proba"], rtol=0, atol=1e-9))  # fmt: skip
        if not same:
            diffs.append((ref["id"], p, ref))
    assert not diffs, f"{len(diffs)} of {len(rows)} predictions differ, first: {diffs[0]}"


def test_sentence_starts_match_the_sentencizer(records: list[dict]) -> None:
    ann = Annotator()
    for lang in ("de", "en", "xx"):
        nlp = ann.nlp(lang)
        facts = facts_for(nlp)
        for doc in nlp.pipe([r["text"] for r in records[:800]]):
            f, _ = facts.of(nlp.make_doc(doc.text))
            assert sentence_starts(f) == [bool(t.is_sent_start) for t in doc]
            assert [x[2] for x in f] == [(t.lemma_ or t.text).lower() for t in doc]


def test_filtered_matcher_equals_full_matcher(records: list[dict]) -> None:
    ann = Annotator()
    for lang in ("de", "en", "xx"):
        nlp = ann.nlp(lang)
        for doc in nlp.pipe([r["text"] for r in records]):
            fresh = nlp.make_doc(doc.text)
            assert ann.bodies_of(fresh, ann.facts(nlp).of(fresh)[0]) == ann.bodies(doc)


def test_fast_counts_equal_scikit_learn() -> None:
    """:func:`watext.tag.vectors.tfidf` (per-word char n-grams, numpy word 1–2-grams) is
    ``vectorizer.transform``, bit for bit, on random texts."""
    import random

    from sklearn.feature_extraction.text import TfidfVectorizer

    from watext.tag.features import _split
    from watext.tag.vectors import tfidf

    rng = random.Random(3)
    alpha = "ab cdé.-(1)\n\tÄß"
    words = ["stadt", "amt", "für", "integration", "x", "-", "(", "nr.", "ä", "ab"]
    for kind in ("char", "word"):
        if kind == "char":
            make = lambda: "".join(rng.choice(alpha) for _ in range(rng.randint(0, 30)))
        else:
            make = lambda: " ".join(rng.choice(words) for _ in range(rng.randint(0, 12)))
        train, test = [make() for _ in range(1500)], [make() for _ in range(2000)] + ["", " ", "a"]
        for ngrams in ((1, 1), (1, 2), (2, 2), (2, 5)):
            if kind == "char":
                vec = TfidfVectorizer(analyzer="char_wb", ngram_range=ngrams, sublinear_tf=True, dtype=np.float32)
            elif ngrams[1] > 2:
                continue
            else:
                vec = TfidfVectorizer(tokenizer=_split, token_pattern=None, lowercase=False, ngram_range=ngrams,
                                      sublinear_tf=True)  # fmt: skip
            vec.fit(train)
            fast, slow = tfidf(vec, test, _split), vec.transform(test)
            assert np.array_equal(fast.indptr, slow.indptr) and np.array_equal(fast.indices, slow.indices)
            assert np.array_equal(fast.data, slow.data), (kind, ngrams)
