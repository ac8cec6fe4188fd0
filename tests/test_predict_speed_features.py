"""The batch fast paths of the featurizer and the model equal the straightforward code, on
random texts: word ids and bit rows (:mod:`watext.tag.wordtable`), n-gram rows of many
words at once (:mod:`watext.tag.chargrams`), lexicon counts and cue candidates from bit
rows, word n-gram counts from word ids, vectorised rounding of the scores."""

from __future__ import annotations

import random

import numpy as np
import pytest
from sklearn.feature_extraction.text import TfidfVectorizer

from watext.tag import vectors as V
from watext.tag.analysis import load_lexicon
from watext.tag.features import CUES, _split, load_body_cues
from watext.tag.prefilter import RegexSet
from watext.tag.wordtable import BitRows, WordIds, counted, or_rows, to_int

LEX_WORDS = ["integration", "integrationskurs", "vielfalt", "geflüchtete", "flüchtlinge", "sprachkurs", "amt",
             "willkommen", "kultur", "rassismus", "diskriminierung", "fachkräfte", "migrant", "refugees",
             "council", "mayor", "bürgermeister", "begrüßt", "sagte", "leitet", "zuständig", "the", "der", "und"]
CHARS = "aäbcdeéfghiıİklmnoöprsßtuüvwxyzſςΣ0123456789.,;:-–()/&'\"„“!?€§"


def _texts(seed: int, n: int) -> list[str]:
    rng = random.Random(seed)
    out = []
    for _ in range(n):
        parts = []
        for _ in range(rng.randint(0, 14)):
            r = rng.random()
            if r < 0.5:
                w = rng.choice(LEX_WORDS)
                parts.append(w.upper() if rng.random() < 0.1 else w.capitalize() if rng.random() < 0.3 else w)
            elif r < 0.6:
                parts.append(rng.choice(LEX_WORDS) + rng.choice(LEX_WORDS))
            else:
                parts.append("".join(rng.choice(CHARS) for _ in range(rng.randint(1, 9))))
            parts.append(rng.choice([" ", " ", " ", "  ", "\n", "\t", "\xa0", "\u2028"]))
        out.append("".join(parts))
    return out


def test_counted_equals_numpy_unique() -> None:
    rng = np.random.default_rng(3)
    for n in (0, 1, 2, 7, 100, 5000):
        for high in (1, 3, 50, 2**40):
            runs = [np.sort(rng.integers(0, high, size=n)) for _ in range(3)]  # a few ascending runs
            for keys in (rng.integers(0, high, size=n), np.concatenate(runs), np.full(n, high - 1)):
                keys = keys.astype(np.int64)
                got, want = counted(keys), np.unique(keys, return_counts=True)
                assert all(np.array_equal(g, w) for g, w in zip(got, want)), (n, high)


def test_word_ids_and_bit_rows_equal_the_per_text_loop() -> None:
    lex = V.Lexicon(load_lexicon())
    words = WordIds(limit=3000)  # small: the table starts over between batches
    rows = BitRows(lex.words, words)
    for seed in range(4):
        texts = _texts(seed, 1500) + ["", " ", "\n"]
        words.fresh()
        ids, ptr = words.ids(texts, lower=True)
        assert [[words.words[i] for i in ids[a:b]] for a, b in zip(ptr, ptr[1:])] == [t.lower().split() for t in texts]
        got = rows.of(ids, ptr)
        assert [to_int(r) for r in got] == [lex.words.of(t.lower().split()) for t in texts]
    assert words.generation > 0, "the bounded table started over"
    for texts in (["ΟΔΟΣ", "Σ x", "aΣ", "ΣA b\x00c"], ["x\x00", "\x00"], ["ΑΣ"], []):
        ids, ptr = words.ids(texts, lower=True)
        assert [[words.words[i] for i in ids[a:b]] for a, b in zip(ptr, ptr[1:])] == [t.lower().split() for t in texts]
    assert not or_rows(np.zeros((0, 2), dtype=np.uint64), np.zeros(3, dtype=np.int64)).any()


def test_lexicon_counts_from_bit_rows_equal_counts() -> None:
    lexicon = load_lexicon()
    lex = V.Lexicon(lexicon)
    words = WordIds()
    rows = BitRows(lex.words, words)
    texts = _texts(11, 3000)
    rng = random.Random(2)
    lemmas = [" ".join(rng.sample(LEX_WORDS, rng.randint(0, 6))) for _ in texts]
    # the multi-word terms, whole and cut, so that their pieces occur with and without them
    multi = [t for terms in lexicon.values() for t in terms if " " in t]
    texts = [t + " " + (rng.choice(multi) if rng.random() < 0.5 else " x ".join(rng.choice(multi).split()))
             if multi and rng.random() < 0.4 else t for t in texts]
    low, lem = words.ids(texts, lower=True), words.ids(lemmas, lower=False)
    hays = [t.lower() + " \n " + m for t, m in zip(texts, lemmas)]
    got = lex.counts_rows(rows.of(*low) | rows.of(*lem), hays.__getitem__)
    want = np.asarray([[sum(1 for t in terms if t in h) for terms in lexicon.values()] for h in hays])
    assert np.array_equal(got, lex.counts(hays)) and np.array_equal(got, want)
    assert got[:, :].sum() > 0


def test_cue_candidates_from_bit_rows_equal_candidates() -> None:
    cues = load_body_cues()
    cue_set = RegexSet([p for name in CUES for p in cues[name]], boundaries=True)
    words = WordIds()
    rows = BitRows(cue_set.words, words)
    texts = _texts(5, 3000) + ["Die Bürgermeisterin begrüßt", "ſagte der Mayor", "İSTANBUL sagte", ""]
    got = cue_set.candidates_rows(texts, rows.of(*words.ids(texts, lower=True)))
    assert got == [cue_set.candidates(t) for t in texts]
    assert any(got) and not all(got)


@pytest.mark.parametrize("ngrams", [(1, 1), (2, 5), (1, 3), (3, 4), (4, 6)])
def test_gram_codes_equal_per_word_rows(ngrams: tuple[int, int]) -> None:
    texts = _texts(3, 1500)
    vec = TfidfVectorizer(analyzer="char_wb", ngram_range=ngrams, sublinear_tf=True, dtype=np.float32).fit(texts[:700])
    wb = V._CharWB(vec)
    words = sorted({w for t in texts for w in t.lower().split()}) + ["\ud800x", "a" * 40, "x"]
    assert wb.codes.ok
    fast = wb.codes.rows(words)
    assert [sorted(zip(*r)) for r in fast] == [sorted(zip(*wb._row(w))) for w in words]
    assert all(r[0] == sorted(r[0]) for r in fast)


def test_char_and_word_tfidf_from_word_ids_equal_scikit_learn(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(V.WORDS, "limit", 3000)  # the word table starts over between batches
    generation = V.WORDS.generation
    texts = _texts(8, 2500)
    char = TfidfVectorizer(analyzer="char_wb", ngram_range=(2, 5), sublinear_tf=True, dtype=np.float32).fit(texts[:1000])
    rng = random.Random(4)
    vocab = LEX_WORDS + ["x", "X", "-", "nr.", "Nr.", "Amt", "AMT"]
    lemmas = [" ".join(rng.choice(vocab) for _ in range(rng.randint(0, 12))) for _ in texts]
    word = TfidfVectorizer(tokenizer=_split, token_pattern=None, lowercase=False, ngram_range=(1, 2),
                           sublinear_tf=True).fit(lemmas[:1000])  # fmt: skip
    for k in range(0, len(texts), 500):  # several batches: new words in each, the rows kept
        t, m = texts[k : k + 500], lemmas[k : k + 500]
        V.WORDS.fresh()
        for vec, docs, ids in ((char, t, V.WORDS.ids(t, lower=True)), (word, m, V.WORDS.ids(m, lower=False))):
            fast, slow = V.tfidf(vec, docs, _split, words=ids), vec.transform(docs)
            assert np.array_equal(fast.indptr, slow.indptr) and np.array_equal(fast.indices, slow.indices)
            assert np.array_equal(fast.data, slow.data)
    assert V.WORDS.generation > generation


def test_round4_equals_round() -> None:
    from watext.tag.tagger import round4

    rng = np.random.default_rng(0)
    ties = (np.arange(20001) + 0.5) / 1e4
    vals = np.concatenate([rng.random(60000), ties, np.nextafter(ties, 1), np.nextafter(ties, -1),
                           np.arange(20001) / 1e4, rng.random(600) * 1e7, -rng.random(600),
                           [0.0, -0.0, 1.0, np.inf, -np.inf, 5e-5, 0.99995, 1e300]])  # fmt: skip
    vals = vals[: len(vals) // 6 * 6].reshape(-1, 6)
    got = round4(vals)
    want = [[round(v, 4) for v in row] for row in vals.tolist()]
    assert [[repr(x) for x in r] for r in got] == [[repr(x) for x in r] for r in want]


def test_length_columns_are_the_length_buckets() -> None:
    from watext.tag.features import LENGTH_BUCKETS, length_bucket, length_index

    words = np.arange(200)
    assert length_index(words).tolist() == [LENGTH_BUCKETS.index(length_bucket(int(k))) for k in words]


@pytest.mark.parametrize("opts", [dict(sublinear_tf=False), dict(use_idf=False), dict(norm=None), dict(norm="l1"),
                                  dict(smooth_idf=False, dtype=np.float64)])  # fmt: skip
def test_own_tfidf_scaling_equals_scikit_learn(opts: dict) -> None:
    texts = _texts(9, 600)
    base = dict(analyzer="char_wb", ngram_range=(2, 4), sublinear_tf=True, dtype=np.float32)
    char = TfidfVectorizer(**{**base, **opts}).fit(texts[:300])
    for t in (texts[300:], texts[:5], ["", " "]):
        fast, slow = V.tfidf(char, t), char.transform(t)
        assert type(fast) is type(slow) and fast.dtype == slow.dtype
        assert np.array_equal(fast.indptr, slow.indptr) and np.array_equal(fast.indices, slow.indices)
        assert np.array_equal(fast.data, slow.data)


def test_featurizer_stacks_parts_as_scipy_does(monkeypatch: pytest.MonkeyPatch) -> None:
    from watext.tag import features as F

    texts = [t for t in _texts(10, 400) if t.strip()]
    feat = F.PassageFeaturizer().fit([(t, "de") for t in texts[:200]])
    docs = [(t, "de" if i % 3 else "en") for i, t in enumerate(texts[200:])]
    fast = feat.transform(docs)
    with monkeypatch.context() as m:
        m.setattr(F, "_float32", lambda X: X)  # scipy casts while stacking
        slow = feat.transform(docs)
    assert type(fast) is type(slow) and fast.dtype == slow.dtype == np.float32
    assert np.array_equal(fast.indptr, slow.indptr) and np.array_equal(fast.indices, slow.indices)
    assert np.array_equal(fast.data, slow.data)
    x = F._float32(feat.word_.transform([" ".join(t.split()[:3]) for t in texts]))
    assert x.dtype == np.float32 and x.format == "csr"
