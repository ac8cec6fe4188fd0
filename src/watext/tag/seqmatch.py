"""spaCy's Matcher (``greedy="LONGEST"``) for one simple token pattern, over token facts.

A pattern is *simple* when each token spec is required (no ``OP``, or ``"1"``) or
optional (``"?"``) and tests only lexical attributes: ``LOWER``/``TEXT``/``ORTH`` as a
string or an ``IN``/``NOT_IN``/``REGEX`` dict, and the flags ``IS_TITLE``, ``IS_ALPHA``,
``IS_PUNCT``, ``IS_UPPER``, ``IS_LOWER``, ``IS_DIGIT``, ``LIKE_NUM`` (read from the
vocabulary's lexeme of the token string, as the Matcher does). :class:`SeqMatcher` finds
every ``(start, end)`` the pattern matches and keeps the longest non-overlapping ones in
the Matcher's order of preference (longer first, then earlier), so no Doc is built.
The match ends from one start depend only on which specs accept the next ``len(pattern)``
tokens (no match is longer), so they are memoised per such window.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

from spacy.attrs import IDS, LOWER
from spacy.vocab import Vocab

__all__ = ["SeqMatcher", "simple"]

_STR_ATTRS = {"LOWER": 1, "TEXT": 0, "ORTH": 0}
_FLAGS = {"IS_TITLE": "is_title", "IS_ALPHA": "is_alpha", "IS_PUNCT": "is_punct", "IS_UPPER": "is_upper",
          "IS_LOWER": "is_lower", "IS_DIGIT": "is_digit", "LIKE_NUM": "like_num"}  # fmt: skip
_FLAG_IX = {name: 2 + i for i, name in enumerate(_FLAGS)}
_FLAG_IDS = [IDS[name] for name in _FLAGS]


def _none(text: str) -> None:
    return None


def _test(attr: str, value: Any) -> Any | None:
    """``fn(attrs) -> bool`` for one ``attr: value`` of a token spec (None: unsupported)."""
    if attr in _STR_ATTRS:
        ix = _STR_ATTRS[attr]
        if isinstance(value, str):
            return lambda a: a[ix] == value
        if not isinstance(value, dict) or not value or set(value) - {"IN", "NOT_IN", "REGEX"}:
            return None
        tests = []
        for kind, v in value.items():
            if kind == "REGEX" and isinstance(v, str):
                tests.append((kind, re.compile(v)))
            elif kind != "REGEX" and isinstance(v, list) and all(isinstance(x, str) for x in v):
                tests.append((kind, frozenset(v)))
            else:
                return None

        def check(a: Any) -> bool:
            s = a[ix]
            for kind, v in tests:
                if (not v.search(s)) if kind == "REGEX" else (s not in v) if kind == "IN" else (s in v):
                    return False
            return True

        return check
    if attr in _FLAGS and isinstance(value, bool):
        ix = _FLAG_IX[attr]
        return lambda a: a[ix] == value
    return None


def _spec(spec: dict[str, Any]) -> tuple[bool, list[Any]] | None:
    op = spec.get("OP")
    if op not in (None, "1", "?"):
        return None
    tests = []
    for attr, value in spec.items():
        if attr == "OP":
            continue
        t = _test(attr, value)
        if t is None:
            return None
        tests.append(t)
    return op == "?", tests


def simple(pattern: Sequence[dict[str, Any]]) -> bool:
    """Whether :class:`SeqMatcher` takes ``pattern``."""
    return bool(pattern) and all(isinstance(s, dict) and _spec(s) is not None for s in pattern)


class SeqMatcher:
    """``[(start, end)]`` the Matcher gives for one simple pattern with ``greedy="LONGEST"``."""

    def __init__(self, vocab: Vocab, pattern: Sequence[dict[str, Any]]) -> None:
        specs = [_spec(s) for s in pattern]
        if not pattern or any(s is None for s in specs):
            raise ValueError("not a simple pattern")
        self.vocab = vocab
        self._getters = dict(vocab.lex_attr_getters or {})
        self.optional = [s[0] for s in specs]  # type: ignore[index]
        self.tests = [s[1] for s in specs]  # type: ignore[index]
        self.n = len(specs)
        self._attrs: dict[str, tuple[Any, ...]] = {}
        self._hits: dict[str, int] = {}  # token text -> bit k set when spec k accepts it
        self._memo: dict[tuple[int, ...], list[int]] = {}  # hits from a start on -> match ends

    def _bits(self, text: str) -> int:
        if text in self.vocab:
            lex = self.vocab[text]
            a = (text, lex.lower_, *(getattr(lex, name) for name in _FLAGS.values()))
        else:  # what a new lexeme would get from the attribute getters, without making one
            lower = self._getters.get(LOWER, _none)(text)
            a = (text, lower if isinstance(lower, str) else "", *(bool(self._getters.get(i, _none)(text)) for i in _FLAG_IDS))
        bits = 0
        for k, tests in enumerate(self.tests):
            if all(t(a) for t in tests):
                bits |= 1 << k
        if len(self._hits) > 500_000:
            self._hits.clear()
        self._hits[text] = bits
        return bits

    def _ends(self, hits: Sequence[int]) -> list[int]:
        """Where matches starting at the first of ``hits`` end (the token hits from the start
        on, up to ``n`` of them: no match is longer; fewer where the text ends)."""
        n, optional, length = self.n, self.optional, len(hits)
        ends: list[int] = []
        states = {0}
        pos = 0
        while states and pos <= length:
            closed = set()
            for q in states:
                while True:
                    closed.add(q)
                    if q < n and optional[q]:
                        q += 1
                    else:
                        break
            if n in closed and pos > 0:
                ends.append(pos)
            if pos == length:
                break
            h = hits[pos]
            states = {q + 1 for q in closed if q < n and h >> q & 1}
            pos += 1
        return ends

    def __call__(self, texts: Sequence[str]) -> list[tuple[int, int]]:
        get, make = self._hits.get, self._bits
        hits = [h if (h := get(t)) is not None else make(t) for t in texts]
        n, optional, length = self.n, self.optional, len(texts)
        first = 0
        k = 0
        while k < n and optional[k]:
            first |= 1 << k
            k += 1
        need_first = 1 << k if k < n else 0  # some spec up to the first required one must accept
        pairs: list[tuple[int, int]] = []
        memo = self._memo
        if len(memo) > 100_000:
            memo.clear()
        for s in range(length):
            if not hits[s] & (first | need_first):
                continue
            window = tuple(hits[s : s + n])  # all a match from s can read
            ends = memo.get(window)
            if ends is None:
                ends = memo[window] = self._ends(window)
            pairs += [(s, s + e) for e in ends]
        pairs.sort(key=lambda x: (x[1] - x[0], -x[0]), reverse=True)
        taken = [False] * length
        out = []
        for s, e in pairs:
            if not any(taken[s:e]):
                out.append((s, e))
                taken[s:e] = [True] * (e - s)
        return out
