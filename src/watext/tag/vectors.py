"""Fast, exact counting for :class:`~watext.tag.features.PassageFeaturizer`'s transform.

scikit-learn's ``TfidfVectorizer.transform`` builds every n-gram string of every passage
in Python and looks each one up; here the work is per distinct word instead:

- a batch's texts are cut into words once, as ids of the process-wide word table
  :data:`WORDS` (:mod:`.wordtable`), shared by the char n-grams, the lexicon and the
  body cues (and the lemmas' ids by the word n-grams and the lexicon);
- ``char_wb`` n-grams never cross whitespace, so a passage's n-gram counts are the sum
  of its words' counts: each distinct word is cut into n-grams once (the new words of a
  batch together, :mod:`.chargrams`), and the count matrix is (passages x words) @
  (words x n-grams), a sparse product (computed transposed: the CSC form of the
  transposed product has sorted indices, no sort pass);
- word 1–2-grams are counted with numpy from each word's token id (looked up once per
  word id), bigrams by binary search;
- a lexicon term without whitespace occurs in a text exactly when it occurs in one of
  its whitespace-separated words, so the terms each distinct word contains are found
  once (as bit rows, OR'ed per passage with numpy); terms with whitespace are searched
  in the text only when all their pieces occur.

The counts become the same sparse matrix scikit-learn builds (same dtype, sorted
indices), turned into TF-IDF with the fitted ``TfidfTransformer``'s own steps and weights
(not re-validated), so the output equals ``vectorizer.transform`` exactly. A vectorizer configured in a way
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
from sklearn.utils.sparsefuncs_fast import inplace_csr_row_normalize_l2

from watext.tag.chargrams import GramCodes
from watext.tag.wordtable import WordIds, counted

__all__ = ["WORDS", "Lexicon", "log1p_counts", "remember", "tfidf"]

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
    """``char_wb`` counts through per-word n-gram rows, kept per id of :data:`WORDS`."""

    def __init__(self, vec: Any) -> None:
        self.vocab = vec.vocabulary_
        self.ids = {g: int(j) for g, j in self.vocab.items()}  # Python ints (numpy's hash and convert slowly)
        self.lo, self.hi = vec.ngram_range
        self.n_features = len(self.vocab)
        self._slices: dict[int, tuple[slice, ...]] = {}  # padded word length -> its n-gram slices
        self.generation = -1
        self.rows: list[tuple[list[int], list[int]] | None] = []  # per word id: (feature ids, counts)
        self.codes = GramCodes(self.ids, self.lo, self.hi)

    def _row(self, w: str) -> tuple[list[int], list[int]]:
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
            return found, [1] * len(found)
        counts: dict[int, int] = {}
        for j in found:
            counts[j] = counts.get(j, 0) + 1
        return list(counts), list(counts.values())

    def counts(self, n_texts: int, ids: np.ndarray, ptr: np.ndarray) -> sp.csr_matrix:
        """The count matrix (as int64 counts, indices sorted per row) of ``n_texts`` texts
        whose lowercased words have the :data:`WORDS` ids ``ids[ptr[i]:ptr[i + 1]]``."""
        if self.generation != WORDS.generation:
            self.generation, self.rows = WORDS.generation, []
        rows, words = self.rows, WORDS.words
        if len(rows) < len(words):
            rows += [None] * (len(words) - len(rows))
        # the words of this batch, renumbered, and their n-gram rows
        # np.unique(ids, return_inverse=True) without a sort: ids are below len(words)
        seen = np.zeros(len(words), dtype=bool)
        seen[ids] = True
        uniq = np.flatnonzero(seen)
        renumber = np.zeros(len(words), dtype=np.int64)
        renumber[uniq] = np.arange(len(uniq))
        local = renumber[ids]
        todo = [u for u in uniq.tolist() if rows[u] is None]
        if len(todo) >= _MANY and self.codes.ok:  # many new words: cut together (same rows)
            for u, row in zip(todo, self.codes.rows([words[u] for u in todo])):
                rows[u] = row
        r_ptr, r_idx, r_val = [0], [], []
        for u in uniq.tolist():
            row = rows[u]
            if row is None:
                row = rows[u] = self._row(words[u])
            r_idx += row[0]
            r_val += row[1]
            r_ptr.append(len(r_idx))
        # (words x n-grams) and (texts x words) as their transposes, multiplied transposed:
        # the product's CSC form is the count matrix with sorted indices (no sort pass)
        Mt = sp.csc_matrix((np.asarray(r_val, dtype=np.int64), np.asarray(r_idx, dtype=np.int64), np.asarray(r_ptr)),
                           shape=(self.n_features, len(uniq))).tocsr()  # fmt: skip
        Wt = sp.csc_matrix((np.ones(len(ids), dtype=np.int64), local.ravel(), ptr),
                           shape=(len(uniq), n_texts)).tocsr()  # fmt: skip
        C = (Mt @ Wt).tocsc()
        return sp.csr_matrix((C.data, C.indices, C.indptr), shape=(n_texts, self.n_features))


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
        self.generation = -1
        self.tok = np.zeros(0, dtype=np.int64)  # per WORDS id: its token id (-1: not looked up)

    def _tokens(self, ids: np.ndarray) -> np.ndarray:
        """The token ids (``n - 1``: none) of :data:`WORDS` ids, looked up once per word."""
        if self.generation != WORDS.generation or len(self.tok) < len(WORDS.words):
            keep = self.tok if self.generation == WORDS.generation else np.zeros(0, dtype=np.int64)
            self.tok = np.full(max(2 * len(WORDS.words), 1024), -1, dtype=np.int64)
            self.tok[: len(keep)] = keep
            self.generation = WORDS.generation
        t = self.tok[ids]
        new = t < 0
        if new.any():
            todo = np.unique(ids[new])
            get, oov, words = self.tok_ids.get, self.n - 1, WORDS.words
            self.tok[todo] = [get(words[u], oov) for u in todo.tolist()]
            t = self.tok[ids]
        return t

    def counts(self, docs: Sequence[str], words: Any = None) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """``(data, indices, indptr)`` of the count matrix, indices sorted per row;
        ``words``: ``WORDS.ids(docs, lower=False)``, when known."""
        oov = self.n - 1
        if words is not None:
            t = self._tokens(words[0])
            lens = np.diff(words[1])
        else:
            get = self.tok_ids.get
            ids: list[int] = []
            lens: list[int] = []  # type: ignore[no-redef]
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
        pairs, cnt = counted(r[keep] * len(self.vocab) + f[keep])
        rows, cols = np.divmod(pairs, len(self.vocab))
        indptr = np.searchsorted(rows, np.arange(len(docs) + 1))
        return cnt.astype(np.intc), cols.astype(np.int32), indptr.astype(np.int32)


_WORDS: dict[int, tuple[Any, _Words12]] = {}
_CHAR: dict[int, tuple[Any, _CharWB]] = {}
_WORDS_LIMIT = 500_000
_MANY = 64  # new words in one batch from which GramCodes cuts them
#: the lowercased words of the texts the featurizer reads (char n-grams, lexicon, cues)
WORDS = WordIds()
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


def tfidf(vec: Any, docs: Sequence[str], word_tokenizer: Any = None, words: Any = None) -> Any:
    """``vec.transform(docs)``, counted per word where the vectorizer allows it; ``words``:
    ``WORDS.ids(docs, lower=vec.lowercase)``, when the caller has them."""
    if not _plain(vec):
        return vec.transform(docs)
    if vec.analyzer == "char_wb" and vec.lowercase:
        wb = remember(_CHAR, vec, _CharWB)
        if wb.vocab is not vec.vocabulary_:  # refitted in place
            _CHAR.pop(id(vec))
            wb = remember(_CHAR, vec, _CharWB)
        if words is None:
            with WORDS.lock:
                return tfidf(vec, docs, word_tokenizer, WORDS.batch(docs, lower=True)[0])
        ids, ptr = words
        X = wb.counts(len(docs), ids, ptr)
        X = sp.csr_array((X.data, X.indices.astype(np.int32, copy=False), X.indptr.astype(np.int32, copy=False)),
                         shape=X.shape, dtype=vec.dtype)  # fmt: skip
    elif vec.analyzer == "word" and word_tokenizer is not None and vec.tokenizer is word_tokenizer and not vec.lowercase:
        try:
            w12 = remember(_WORDS, vec, _Words12) if tuple(vec.ngram_range) in ((1, 1), (1, 2), (2, 2)) else None
        except ValueError:
            w12 = None
        if w12 is not None and w12.vocab is vec.vocabulary_:
            val, idx, ptr = w12.counts(docs, words)
        else:
            idx, val, ptr = _word_counts(vec, docs)
        X = sp.csr_array((np.asarray(val, dtype=np.intc), np.asarray(idx, dtype=np.int32),
                          np.asarray(ptr, dtype=np.int32)), shape=(len(docs), len(vec.vocabulary_)),
                         dtype=vec.dtype)  # fmt: skip
    else:
        return vec.transform(docs)
    X.sort_indices()
    return _tfidf_scaled(vec._tfidf, _align_api_if_sparse(X))


def _tfidf_scaled(tr: Any, X: Any) -> Any:
    """``tr.transform(X, copy=False)`` for a fitted ``TfidfTransformer`` and a count matrix
    ``X`` made here (CSR, float32/64, finite): the same in-place steps (``log`` + 1, IDF
    weights, scikit-learn's own row L2 normalisation) without re-validating ``X``."""
    if tr.norm not in ("l2", None) or X.format != "csr" or X.dtype not in (np.float32, np.float64):
        return tr.transform(X, copy=False)
    if tr.sublinear_tf:
        np.log(X.data, X.data)
        X.data += 1.0
    if hasattr(tr, "idf_"):
        X.data *= tr.idf_[X.indices]
    if tr.norm == "l2":
        inplace_csr_row_normalize_l2(X)
    return X


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

    def counts_rows(self, bits: np.ndarray, hay: Any) -> np.ndarray:
        """:meth:`counts` from the bits of each hay's words (``(n, k)`` ``uint64`` rows of
        :attr:`words`, :class:`~.wordtable.BitRows`); ``hay(i)`` makes the ``i``-th hay, read
        only where a term with whitespace has all its pieces."""
        k = bits.shape[1]
        masks = np.frombuffer(b"".join(m.to_bytes(8 * k, "little") for m in self.label_masks),
                              dtype="<u8").reshape(-1, k)  # fmt: skip
        out = np.bitwise_count(bits[:, None, :] & masks[None]).sum(axis=2, dtype=np.int64)
        if not self.multi or not len(bits):
            return out
        if self.multi_keys < 0:  # a term without pieces: any bit set lets the terms be tried
            gate = bits.any(axis=1)
        else:
            key = np.frombuffer(self.multi_keys.to_bytes(8 * k, "little"), dtype="<u8")
            gate = (bits & key).any(axis=1)
        rows = np.flatnonzero(gate)
        if not len(rows):
            return out
        sub = bits[rows]
        hays: dict[int, str] = {}
        for j, t, need, _ in self.multi:
            want = np.frombuffer(need.to_bytes(8 * k, "little"), dtype="<u8")
            cols = np.flatnonzero(want)
            ok = ((sub[:, cols] & want[cols]) == want[cols]).all(axis=1)
            for i in rows[ok].tolist():
                h = hays.get(i)
                if h is None:
                    h = hays[i] = hay(i)
                if t in h:
                    out[i, j] += 1
        return out
