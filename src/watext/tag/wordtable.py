"""Whitespace-separated words of a batch of texts as ids, and per-word bit sets as arrays.

The featurizer reads a passage's lowercased words three times: its char n-grams
(:mod:`.vectors`), its lexicon terms and its body-cue prefilter (:mod:`.prefilter`).
:class:`WordIds` cuts each text once into ids of a process-wide word table;
:class:`BitRows` keeps a :class:`~.prefilter.Substrings`' bits of every word id as a row of
``uint64`` words, so the OR over a passage's words (the bits ``Substrings.of`` gives for
its word list) is one ``np.bitwise_or.reduceat`` for the whole batch instead of a loop
of big-integer ORs per passage.

Both tables are bounded: when the word table grows past its limit it starts over at
the next batch (:meth:`WordIds.fresh`) with a new :attr:`WordIds.generation`, and the
tables keyed by its ids start over with it.
"""

from __future__ import annotations

import threading
from collections.abc import Sequence
from typing import Any

import numpy as np

from watext.tag.digits import ZERO

__all__ = ["BitRows", "WordIds", "counted", "or_rows", "to_int"]

_LIMIT = 500_000


class WordIds:
    """Ids of words (any strings): ``words[i]`` is the word of id ``i``; id 0 is unused."""

    def __init__(self, limit: int = _LIMIT) -> None:
        self.limit = limit
        self.generation = 0
        #: held by a batch from its fresh() until its last use of the ids (threads share the table)
        self.lock = threading.RLock()
        self._reset()

    def _reset(self) -> None:
        self.index: dict[str, int] = {}
        self.words: list[str] = [""]  # id 0: a placeholder, so every real id is truthy

    def _add(self, w: str) -> int:
        k = self.index[w] = len(self.words)
        self.words.append(w)
        return k

    def fresh(self) -> None:
        """Start over when the table has grown past its limit (call it before a batch: ids
        taken before it are void after it; the tables keyed by ids see the new generation)."""
        if len(self.words) > self.limit:
            self._reset()
            self.generation += 1

    def batch(self, *texts: Sequence[str], lower: bool = True) -> list[tuple[np.ndarray, np.ndarray]]:
        """:meth:`fresh`, then :meth:`ids` of each list of texts: of the first lowercased
        (when ``lower``), of the others as they are (call it holding :attr:`lock`)."""
        self.fresh()
        return [self.ids(t, lower=lower and k == 0) for k, t in enumerate(texts)]

    def ids(self, texts: Sequence[str], lower: bool) -> tuple[np.ndarray, np.ndarray]:
        """``(ids, indptr)``: the ids of ``(text.lower() if lower else text).split()`` for
        each text, concatenated, and where each text's ids start (``len(texts) + 1``).

        The texts are joined by ``" \\x00 "`` (a word of its own) and cut with one
        ``lower()`` and ``split()``, unless some text holds ``"\\x00"``. That is the
        per-text cut: ``split()`` never joins across whitespace, and ``lower()`` maps every
        character alone but ``"Σ"``, whose final-sigma context stops at the first
        character that is not case-ignorable (Unicode ``Final_Sigma``), here the space
        of the separator, which is not cased either: the same as at the end or start of
        a text."""
        if len(texts) > 1:
            joined = _SEP.join(texts)
            if joined.count("\x00") == len(texts) - 1:
                return self._joined_ids(joined.lower() if lower else joined)
        get, add = self.index.get, self._add
        out: list[int] = []
        ptr = [0]
        for text in texts:
            out += [get(w) or add(w) for w in (text.lower() if lower else text).split()]
            ptr.append(len(out))
        return np.asarray(out, dtype=np.int64), np.asarray(ptr, dtype=np.int64)

    def _joined_ids(self, joined: str) -> tuple[np.ndarray, np.ndarray]:
        """:meth:`ids` of the texts joined by :data:`_SEP` (no other ``"\\x00"`` in them)."""
        words = joined.split()
        got = list(map(self.index.get, words))
        if None in got:  # new words: added in order of first occurrence
            add, get = self._add, self.index.get
            got = [g or get(w) or add(w) for g, w in zip(got, words)]
        every = np.asarray(got, dtype=np.int64)
        sep = every == self.index["\x00"]
        at = np.flatnonzero(sep)  # the k-th separator ends text k
        ptr = np.empty(len(at) + 2, dtype=np.int64)
        ptr[0], ptr[-1] = 0, len(every) - len(at)
        ptr[1:-1] = at - np.arange(len(at))
        return every[~sep], ptr


_SEP = " \x00 "  # joins a batch's texts: "\x00" is a word of its own, a space on each side


def counted(keys: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """``np.unique(keys, return_counts=True)`` of a 1-D integer array, sorted with the stable
    sort: keys made of a few ascending runs (rows in order, columns in any order within a
    row) sort several times faster with it than with the quicksort ``np.unique`` uses."""
    keys = np.sort(keys, kind="stable")
    if not len(keys):
        return keys, np.zeros(0, dtype=np.intp)
    starts = np.flatnonzero(np.concatenate(([True], keys[1:] != keys[:-1])))
    return keys[starts], np.diff(np.append(starts, len(keys)))


def to_int(row: np.ndarray) -> int:
    """The Python integer whose bits a row of ``uint64`` words holds (word 0 lowest)."""
    return int.from_bytes(np.ascontiguousarray(row, dtype="<u8").tobytes(), "little")


def or_rows(rows: np.ndarray, ptr: np.ndarray) -> np.ndarray:
    """Per segment ``rows[ptr[i]:ptr[i + 1]]``: the OR of its rows (zeros when empty)."""
    n = len(ptr) - 1
    if not len(rows):
        return np.zeros((n, rows.shape[1]), dtype=np.uint64)
    padded = np.vstack([rows, np.zeros((1, rows.shape[1]), dtype=np.uint64)])
    out = np.bitwise_or.reduceat(padded, ptr[:-1], axis=0)
    out[ptr[:-1] == ptr[1:]] = 0  # reduceat gives the row at an empty segment's start
    return out


class BitRows:
    """``substrings.word(w)`` of every id of ``words``, as rows of ``uint64`` words."""

    def __init__(self, substrings: Any, words: WordIds) -> None:
        self.substrings = substrings
        self.words = words
        self.k = max(1, (substrings.n + 63) // 64)
        self.generation = -1
        self.table = np.zeros((0, self.k), dtype=np.uint64)  # capacity doubles as words come
        self.done = np.zeros(0, dtype=bool)  # which rows are computed

    def rows(self, ids: np.ndarray) -> np.ndarray:
        """The bit rows of ``ids`` (computed for the ids not seen yet)."""
        words = self.words
        n = len(words.words)
        if self.generation != words.generation:
            self.generation = words.generation
            self.done[:] = False
        if len(self.table) < n:
            size = max(2 * n, 1024)
            table, done = np.zeros((size, self.k), dtype=np.uint64), np.zeros(size, dtype=bool)
            table[: len(self.table)], done[: len(self.done)] = self.table, self.done
            self.table, self.done = table, done
        todo = ids[~self.done[ids]]
        if len(todo):
            todo = np.unique(todo)
            # substrings.word(w) is the bits of w's digit template when the substrings are
            # digit-blind: each distinct template is looked up once
            keys = [words.words[u] for u in todo.tolist()]
            if self.substrings.blind:
                keys = [w.translate(ZERO) for w in keys]
            word, size = self.substrings.word, 8 * self.k
            row = {k: word(k).to_bytes(size, "little") for k in dict.fromkeys(keys)}
            self.table[todo] = np.frombuffer(b"".join(map(row.__getitem__, keys)), dtype="<u8").reshape(-1, self.k)
            self.done[todo] = True
        return self.table[ids]

    def of(self, ids: np.ndarray, ptr: np.ndarray) -> np.ndarray:
        """Per text (segment of ``ids``): the OR of its words' bit rows, ``(n, k)``."""
        return or_rows(self.rows(ids), ptr)
