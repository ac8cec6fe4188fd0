"""``char_wb`` n-gram rows of many new words at once, with numpy.

scikit-learn's ``_char_wb_ngrams`` pads each word as ``" " + w + " "`` and takes every
n-gram of the padded word for ``n`` below its length, and the whole padded word once when
``n`` reaches it (:func:`~watext.tag.vectors._gram_slices`). :class:`GramCodes` finds the
vocabulary ids of those n-grams for a whole list of words in a few array operations:

- every character of the vocabulary gets a code ``1..A`` and every other character the
  code ``A + 1`` (in no vocabulary n-gram);
- an n-gram of at most ``hi`` characters is the integer ``sum(code(c_i) << (b * i))``
  (``b`` bits per code; codes are never 0, so n-grams of different lengths differ);
- the vocabulary's integers are sorted once, and the n-grams of the words are looked up
  by binary search.

A word's row is its n-gram ids with their counts (the ids ascending) — the same multiset
:class:`~watext.tag.vectors._CharWB` counts one word at a time, and the count matrix sums
rows, so the order within a row does not matter. Vocabularies with too many distinct
characters or too long n-grams for 63 bits are not handled (:attr:`GramCodes.ok`).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from watext.tag.wordtable import counted

__all__ = ["GramCodes"]


class GramCodes:
    """Vocabulary ids of the ``char_wb`` n-grams of words, ``lo <= n <= hi``."""

    def __init__(self, vocab: dict[str, int], lo: int, hi: int) -> None:
        self.lo, self.hi = lo, hi
        chars = sorted({c for g in vocab for c in g})
        self.cps = np.asarray([ord(c) for c in chars], dtype=np.int64)
        self.unknown = len(chars) + 1
        self.b = max(1, self.unknown.bit_length())
        self.ok = 1 <= lo <= hi and hi * self.b <= 63 and all(len(g) <= hi for g in vocab)
        if not self.ok:
            return
        code = {c: i + 1 for i, c in enumerate(chars)}
        keys = np.asarray([sum(code[c] << (self.b * i) for i, c in enumerate(g)) for g in vocab], dtype=np.int64)
        feats = np.asarray(list(vocab.values()), dtype=np.int64)
        order = np.argsort(keys)
        self.keys, self.feats = keys[order], feats[order]

    def rows(self, words: Sequence[str]) -> list[tuple[list[int], list[int]]]:
        """Per word: (n-gram ids ascending, their counts) of its padded n-grams in the vocabulary."""
        if not words or not len(self.keys):
            return [([], []) for _ in words]
        padded = "".join([" " + w + " " for w in words])
        lens = np.asarray([len(w) + 2 for w in words], dtype=np.int64)
        starts = np.zeros(len(words) + 1, dtype=np.int64)
        np.cumsum(lens, out=starts[1:])
        cps = np.frombuffer(padded.encode("utf-32-le", "surrogatepass"), dtype="<u4").astype(np.int64)
        pos = np.minimum(np.searchsorted(self.cps, cps), len(self.cps) - 1)
        code = np.where(self.cps[pos] == cps, pos + 1, self.unknown)
        total = len(code)
        code = np.concatenate([code, np.zeros(self.hi, dtype=np.int64)])  # reads past the end are 0
        wid = np.repeat(np.arange(len(words), dtype=np.int64), lens)
        rel = np.arange(total, dtype=np.int64) - starts[wid]  # position within the padded word
        wlen = lens[wid]
        key = np.zeros(total, dtype=np.int64)
        got_w, got_k = [], []
        for n in range(1, self.hi + 1):
            key |= code[n - 1 : n - 1 + total] << (self.b * (n - 1))  # the n characters from here
            if n >= self.lo:  # every n-gram of a word longer than n
                at = (n < wlen) & (rel + n <= wlen)
                got_w.append(wid[at])
                got_k.append(key[at])
            whole = (rel == 0) & (wlen == n)  # a word of n characters once, when hi reaches it
            got_w.append(wid[whole])
            got_k.append(key[whole])
        w, k = np.concatenate(got_w), np.concatenate(got_k)
        at = np.minimum(np.searchsorted(self.keys, k), len(self.keys) - 1)
        hit = self.keys[at] == k
        pairs, counts = counted(w[hit] * (int(self.feats.max()) + 1) + self.feats[at[hit]])
        wids, feats = np.divmod(pairs, int(self.feats.max()) + 1)
        bounds = np.searchsorted(wids, np.arange(len(words) + 1)).tolist()
        f, c = feats.tolist(), counts.tolist()
        return [(f[a:b], c[a:b]) for a, b in zip(bounds, bounds[1:])]
