"""Fast, exact counting for :class:`~watext.tag.features.PassageFeaturizer`'s transform.

scikit-learn's ``TfidfVectorizer.transform`` builds every n-gram string of every passage
in Python and looks each one up; here the work is per distinct word instead:

- ``char_wb`` n-grams never cross whitespace, so a passage's n-gram counts are the sum
  of its words' counts: each distinct word is cut into n-grams once, and the count
  matrix is (passages x words) @ (words x n-grams), a sparse product (computed
  transposed: the CSC form of the transposed product has sorted indices, no sort pass);
- word 1–2-grams are counted per passage with dictionary lookups (no exceptions);
- a lexicon term without whitespace occurs in a text exactly when it occurs in one of
  its whitespace-separated words, so the terms each distinct word contains are found
  once; terms with whitespace are searched in the text only when all their pieces occur.

The counts become the same sparse matrix scikit-learn builds (same dtype, sorted
indices), and the vectorizer's own fitted ``TfidfTransformer`` turns it into TF-IDF,
so the output equals ``vectorizer.transform`` exactly. A vectorizer configured in a way
this module does not cover (another analyzer, a preprocessor, stop words, binary
counts …) is left to scikit-learn (:func:`tfidf`).
"""

from __future__ import annotations

from collections.abc import Sequence
from itertools import repeat
from typing import Any

import numpy as np
import scipy.sparse as sp
from sklearn.utils._sparse import _align_api_if_sparse

__all__ = ["Lexicon", "log1p_counts", "remember", "tfidf"]

_LOG1P: list[float] = []


def log1p_counts(counts: np.ndarray) -> np.ndarray:
    """``np.log1p`` of each (small, non-negative) integer count, as float64: the same
    scalar calls the per-passage code made, looked up in a table."""
    top = int(counts.max()) if counts.size else 0
    while len(_LOG1P) <= top:
        _LOG1P.append(float(np.log1p(len(_LOG1P))))
    return np.asarray(_LOG1P, dtype=np.float64)[counts]


def _plain(vec: Any) -> bool:
    return (vec.input == "content" and vec.preprocessor is None and vec.strip_accents is None
            and not vec.binary and vec.stop_words is None and vec.vocabulary is None)  # fmt: skip


def _gram_slices(w_len: int, lo: int, hi: int) -> tuple[slice, ...]:
    """The n-gram slices sklearn's ``_char_wb_ngrams`` takes of one padded word of length
    ``w_len``: every n-gram for ``n < w_len``, then the whole word once (and no longer n)."""
    out = [slice(i, i + n) for n in range(lo, min(hi, w_len - 1) + 1) for i in range(w_len - n + 1)]
    if hi >= w_len:
        out.append(slice(0, w_len))
    return tuple(out)


class _CharWB:
    """``char_wb`` counts through per-word n-gram rows."""

    def __init__(self, vec: Any) -> None:
        self.vocab = vec.vocabulary_
        self.ids = {g: int(j) for g, j in self.vocab.items()}  # Python ints (numpy's hash and convert slowly)
        self.lo, self.hi = vec.ngram_range
        self.n_features = len(self.vocab)
        self._slices: dict[int, tuple[slice, ...]] = {}  # padded word length -> its n-gram slices
        self.word_ids: dict[str, int] = {}
        self.rows: list[tuple[list[int], list[int]]] = []  # per word id: (feature ids, counts)

    def _add(self, w: str) -> int:
        # exactly sklearn's _char_wb_ngrams for one word: every n-gram of " w ", or the
        # padded word once when it is not longer than n (and no longer n then)
        w_pad = " " + w + " "
        sl = self._slices.get(len(w_pad))
        if sl is None:
            sl = _gram_slices(len(w_pad), self.lo, self.hi)
            if len(w_pad) <= 64:
                self._slices[len(w_pad)] = sl
        found = [j for j in map(self.ids.get, map(w_pad.__getitem__, sl)) if j is not None]
        if len(set(found)) == len(found):
            row = (found, [1] * len(found))
        else:
            counts: dict[int, int] = {}
            for j in found:
                counts[j] = counts.get(j, 0) + 1
            row = (list(counts), list(counts.values()))
        self.word_ids[w] = len(self.rows)
        self.rows.append(row)
        return len(self.rows) - 1

    def _id(self, w: str) -> int:
        k = self.word_ids.get(w)
        return self._add(w) if k is None else k

    def counts(self, texts: Sequence[str], lowercase: bool) -> sp.csr_matrix:
        """The count matrix, indices sorted per row (as int64 counts)."""
        if len(self.rows) > _WORDS_LIMIT:  # bounded: start over
            self.word_ids, self.rows = {}, []
        ids: list[int] = []
        indptr = [0]
        get, make = self.word_ids.get, self._id
        for text in texts:
            for w in (text.lower() if lowercase else text).split():
                k = get(w)
                ids.append(make(w) if k is None else k)
            indptr.append(len(ids))
        # the words of this batch, renumbered, and their n-gram rows
        uniq, local = np.unique(np.asarray(ids, dtype=np.int64), return_inverse=True)
        r_ptr, r_idx, r_val = [0], [], []
        rows = self.rows
        for u in uniq.tolist():
            fi, fc = rows[u]
            r_idx += fi
            r_val += fc
            r_ptr.append(len(r_idx))
        # (words x n-grams) and (texts x words) as their transposes, multiplied transposed:
        # the product's CSC form is the count matrix with sorted indices (no sort pass)
        Mt = sp.csc_matrix((np.asarray(r_val, dtype=np.int64), np.asarray(r_idx, dtype=np.int64), np.asarray(r_ptr)),
                           shape=(self.n_features, len(uniq))).tocsr()  # fmt: skip
        Wt = sp.csc_matrix((np.ones(len(ids), dtype=np.int64), local.ravel(), np.asarray(indptr)),
                           shape=(len(uniq), len(texts))).tocsr()  # fmt: skip
        C = (Mt @ Wt).tocsc()
        return sp.csr_matrix((C.data, C.indices, C.indptr), shape=(len(texts), self.n_features))


def _word_counts(vec: Any, docs: Sequence[str]) -> tuple[list[int], list[int], list[int]]:
    """Word 1–2-gram counts of whitespace-split ``docs`` (the ``tokenizer=str.split`` setup)."""
    vocab = vec.vocabulary_
    lo, hi = vec.ngram_range
    get = vocab.get
    idx: list[int] = []
    val: list[int] = []
    ptr = [0]
    for doc in docs:
        toks = doc.split()
        c: dict[int, int] = {}
        for n in range(lo, hi + 1):
            grams = toks if n == 1 else [" ".join(toks[i : i + n]) for i in range(len(toks) - n + 1)]
            for g in grams:
                j = get(g)
                if j is not None:
                    c[j] = c.get(j, 0) + 1
        idx += c
        val += c.values()
        ptr.append(len(idx))
    return idx, val, ptr


class _Words12:
    """Word 1–2-gram counts with numpy: each token is looked up once (its id among the
    tokens of the vocabulary's n-grams), bigrams are id pairs found by binary search."""

    def __init__(self, vec: Any) -> None:
        self.vocab = vec.vocabulary_
        self.lo, self.hi = vec.ngram_range
        toks: dict[str, int] = {}
        grams: list[tuple[int, ...]] = []
        feats: list[int] = []
        for g, j in self.vocab.items():
            parts = g.split(" ")
            if len(parts) > 2 or any(not p for p in parts):
                raise ValueError("not a plain 1-2-gram vocabulary")
            grams.append(tuple(toks.setdefault(p, len(toks)) for p in parts))
            feats.append(j)
        self.tok_ids = toks
        n = len(toks) + 1
        self.uni = np.full(n, -1, dtype=np.int64)  # token id -> unigram feature (-1: none)
        keys, bfeat = [], []
        for ids, j in zip(grams, feats):
            if len(ids) == 1:
                self.uni[ids[0]] = j
            else:
                keys.append(ids[0] * n + ids[1])
                bfeat.append(j)
        order = np.argsort(np.asarray(keys, dtype=np.int64), kind="stable")
        self.bkeys = np.asarray(keys, dtype=np.int64)[order]
        self.bfeat = np.asarray(bfeat, dtype=np.int64)[order]
        self.n = n

    def counts(self, docs: Sequence[str]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """``(data, indices, indptr)`` of the count matrix, indices sorted per row."""
        get, oov = self.tok_ids.get, self.n - 1
        ids: list[int] = []
        lens: list[int] = []
        oovs = repeat(oov)
        for doc in docs:
            toks = doc.split()
            ids += map(get, toks, oovs)
            lens.append(len(toks))
        t = np.asarray(ids, dtype=np.int64)
        row = np.repeat(np.arange(len(docs), dtype=np.int64), lens)
        feat_parts, row_parts = [], []
        if self.lo <= 1 <= self.hi:
            f = self.uni[t]
            feat_parts.append(f)
            row_parts.append(row)
        if self.lo <= 2 <= self.hi and len(t) > 1 and len(self.bkeys):
            same = (row[1:] == row[:-1]) & (t[1:] != oov) & (t[:-1] != oov)
            k = t[:-1][same] * self.n + t[1:][same]
            pos = np.minimum(np.searchsorted(self.bkeys, k), len(self.bkeys) - 1)
            hit = self.bkeys[pos] == k
            feat_parts.append(np.where(hit, self.bfeat[pos], -1))
            row_parts.append(row[:-1][same])
        f = np.concatenate(feat_parts) if feat_parts else np.zeros(0, dtype=np.int64)
        r = np.concatenate(row_parts) if row_parts else np.zeros(0, dtype=np.int64)
        keep = f >= 0
        pairs, cnt = np.unique(r[keep] * len(self.vocab) + f[keep], return_counts=True)
        rows, cols = np.divmod(pairs, len(self.vocab))
        indptr = np.searchsorted(rows, np.arange(len(docs) + 1))
        return cnt.astype(np.intc), cols.astype(np.int32), indptr.astype(np.int32)


_WORDS: dict[int, tuple[Any, _Words12]] = {}
_CHAR: dict[int, tuple[Any, _CharWB]] = {}
_WORDS_LIMIT = 500_000
#: fitted objects whose derived tables are kept (cross-validation fits many; keep the latest)
KEEP = 8


def remember(cache: dict[int, tuple[Any, Any]], key: Any, build: Any) -> Any:
    """``build(key)``, made once per fitted object ``key`` (held with its result; the
    :data:`KEEP` most recent are kept)."""
    hit = cache.get(id(key))
    if hit is None or hit[0] is not key:
        hit = (key, build(key))
        cache.pop(id(key), None)
        cache[id(key)] = hit
        while len(cache) > KEEP:
            cache.pop(next(iter(cache)))
    return hit[1]


def tfidf(vec: Any, docs: Sequence[str], word_tokenizer: Any = None) -> Any:
    """``vec.transform(docs)``, counted per word where the vectorizer allows it."""
    if not _plain(vec):
        return vec.transform(docs)
    if vec.analyzer == "char_wb" and vec.lowercase:
        wb = remember(_CHAR, vec, _CharWB)
        if wb.vocab is not vec.vocabulary_:  # refitted in place
            _CHAR.pop(id(vec))
            wb = remember(_CHAR, vec, _CharWB)
        X = wb.counts(docs, vec.lowercase)
        X = sp.csr_array((X.data, X.indices.astype(np.int32, copy=False), X.indptr.astype(np.int32, copy=False)),
                         shape=X.shape, dtype=vec.dtype)  # fmt: skip
    elif vec.analyzer == "word" and word_tokenizer is not None and vec.tokenizer is word_tokenizer and not vec.lowercase:
        try:
            words = remember(_WORDS, vec, _Words12) if tuple(vec.ngram_range) in ((1, 1), (1, 2), (2, 2)) else None
        except ValueError:
            words = None
        if words is not None and words.vocab is vec.vocabulary_:
            val, idx, ptr = words.counts(docs)
        else:
            idx, val, ptr = _word_counts(vec, docs)
        X = sp.csr_array((np.asarray(val, dtype=np.intc), np.asarray(idx, dtype=np.int32),
                          np.asarray(ptr, dtype=np.int32)), shape=(len(docs), len(vec.vocabulary_)),
                         dtype=vec.dtype)  # fmt: skip
    else:
        return vec.transform(docs)
    X.sort_indices()
    return vec._tfidf.transform(_align_api_if_sparse(X), copy=False)


class Lexicon:
    """Lexicon hit counts (:func:`~watext.tag.analysis.lexicon_hits` per goal) for many texts."""

    def __init__(self, lexicon: dict[str, tuple[str, ...]]) -> None:
        from watext.tag.prefilter import Substrings

        self.labels = list(lexicon)
        literals: list[str] = []
        self.label_masks = [0] * len(self.labels)
        multi: list[tuple[int, str, list[str]]] = []  # (label, term, pieces): terms with whitespace
        for j, terms in enumerate(lexicon.values()):
            for t in terms:
                if t and not any(c.isspace() for c in t):
                    self.label_masks[j] |= 1 << len(literals)
                    literals.append(t)  # one bit per entry: a repeated term counts twice
                else:
                    multi.append((j, t, t.split()))
        pieces = {p: len(literals) + k for k, p in enumerate(sorted({p for _, _, ps in multi for p in ps}))}
        self.words = Substrings(literals + sorted(pieces, key=pieces.get))
        # per term: its label, the term, the bits of all its pieces, the bit of its longest piece
        self.multi = [(j, t, sum(1 << pieces[p] for p in ps), 1 << pieces[max(ps, key=len)] if ps else -1)
                      for j, t, ps in multi]  # fmt: skip
        self._rows: dict[int, list[int]] = {}
        self.multi_keys = 0
        for *_, key in self.multi:
            self.multi_keys |= key

    def counts(self, hays: Sequence[str]) -> np.ndarray:
        """``(n, n_labels)`` hit counts; ``hays[i]`` is the lowercased text + ``" \\n "`` + lemmas."""
        out = []
        of, masks, rows = self.words.of, self.label_masks, self._rows
        if len(rows) > _WORDS_LIMIT:
            rows.clear()
        for hay in hays:
            bits = of(hay.split())
            row = rows.get(bits)  # the counts of the terms without whitespace, per bit set
            if row is None:
                row = rows[bits] = [(bits & m).bit_count() for m in masks]
            if bits & self.multi_keys:
                row = list(row)
                for j, t, need, _ in self.multi:
                    if bits & need == need and t in hay:
                        row[j] += 1
            out.append(row)
        return np.asarray(out, dtype=np.int64).reshape(len(hays), len(self.labels))
