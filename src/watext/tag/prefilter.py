"""Which words a text holds, once per distinct word: substring sets and regex prefilters.

:class:`Substrings` answers "which of these literal strings (without whitespace) occur
in some word of a text" from a per-word cache: a literal without whitespace occurs in a
text exactly when it occurs inside one of its whitespace-separated words.

:class:`RegexSet` runs ``any(p.search(s) for p in patterns)`` only with the patterns
that can match: from each pattern's parse tree it takes literal strings one of which
every match must contain (a literal run, or the alternatives of a branch); a pattern
none of whose literals occurs in the text is not run. Case-insensitive patterns compare
lowercased strings, which is exact for every character whose ``str.lower`` is the
regular-expression engine's own lowercase and the representative of its case class;
a text with any other character (a long s, a final sigma, a dotted capital I …) skips
the filter and runs every pattern.
"""

from __future__ import annotations

import _sre  # type: ignore[import-not-found]
import re
from collections.abc import Sequence
from re import _casefix, _parser  # type: ignore[attr-defined]
from typing import Any

import numpy as np

__all__ = ["RegexSet", "Substrings"]

_SAFE: dict[str, bool] = {}
_ZERO = str.maketrans("123456789", "000000000")
_DIGITS = frozenset("0123456789")
_CACHE_LIMIT = 500_000


def _safe_char(c: str) -> bool:
    ok = _SAFE.get(c)
    if ok is None:
        low = c.lower()
        ok = len(low) == 1 and ord(low) == _sre.unicode_tolower(ord(c)) and all(
            x > ord(low) for x in _casefix._EXTRA_CASES.get(ord(low), ()))  # fmt: skip
        _SAFE[c] = ok
    return ok


_SAFE_SET: set[str] = set()


def caseless_safe(text: str) -> bool:
    """Whether ``text.lower()`` compares as the regex engine's IGNORECASE does."""
    if text.isascii():
        return True
    chars = set(text)
    if chars <= _SAFE_SET:
        return True
    if all(_safe_char(c) for c in chars):
        _SAFE_SET.update(chars)
        return True
    return False


_UNKNOWN: list[tuple[int, re.Pattern[str] | None]] = [(0, None)]  # (size of _SAFE_SET, a char outside it)


def caseless_safe_many(texts: Sequence[str]) -> list[bool]:
    """``[caseless_safe(t) for t in texts]``; one search over the joined texts when none
    holds a character not yet known safe (then each text's characters are known safe,
    and :func:`caseless_safe` says so)."""
    joined = "".join(texts)
    if joined.isascii():
        return [True] * len(texts)
    size, unknown = _UNKNOWN[-1]
    if size != len(_SAFE_SET):
        known = list(_SAFE_SET)
        unknown = re.compile("[^" + "".join(map(re.escape, known)) + "]") if known else None
        _UNKNOWN[-1] = (len(known), unknown)
    if unknown is not None and unknown.search(joined) is None:
        return [True] * len(texts)
    return [caseless_safe(t) for t in texts]


class Substrings:
    """Bit ``k`` set for a text when ``literals[k]`` occurs in one of its words; a literal
    starting with ``"\\x00"`` must occur at a word start (after a non-word character)."""

    def __init__(self, literals: Sequence[str]) -> None:
        self.index: dict[str, int] = {}
        self.bindex: dict[str, int] = {}
        for k, lit in enumerate(literals):
            index, lit = (self.bindex, lit[1:]) if lit.startswith(B) else (self.index, lit)
            index[lit] = index.get(lit, 0) | 1 << k
        self.lengths = sorted({len(x) for x in self.index})
        self.blengths = sorted({len(x) for x in self.bindex})
        self.first = frozenset(x[0] for x in self.index if x)
        self.bfirst = frozenset(x[0] for x in self.bindex if x)
        # per first character: the lengths of the literals that start with it
        self.by_first = {c: sorted({len(x) for x in self.index if x[:1] == c or not x}) for c in self.first}
        self._words: dict[str, int] = {}
        self.n = len(literals)
        # no literal holds an ASCII digit: a word has the bits of its copy with every digit
        # made 0 (a literal meets the same non-digit characters at the same places in both,
        # and a digit before a word-start literal is a word character in both)
        self.blind = _DIGITS.isdisjoint("".join(literals))

    def word(self, w: str) -> int:
        bits = self._words.get(w)
        if bits is None:
            t = w.translate(_ZERO) if self.blind else w
            bits = self._words.get(t) if t != w else None
            if bits is None:
                bits = self._bits(t)
                self._words[t] = bits
            if len(self._words) > _CACHE_LIMIT:
                self._words.clear()
            self._words[w] = bits
        return bits

    def _bits(self, w: str) -> int:
        bits, n = 0, len(w)
        get, by_first = self.index.get, self.by_first.get
        for i, c in enumerate(w) if not self.first.isdisjoint(w) else ():
            lengths = by_first(c)  # a literal occurs only where its first character does
            if lengths:
                for ln in lengths:
                    if i + ln > n:
                        break
                    bits |= get(w[i : i + ln], 0)
        if self.bindex and not self.bfirst.isdisjoint(w):
            get, first = self.bindex.get, self.bfirst
            for i, c in enumerate(w):
                if c in first and (i == 0 or not (w[i - 1].isalnum() or w[i - 1] == "_")):
                    for ln in self.blengths:
                        if i + ln > n:
                            break
                        bits |= get(w[i : i + ln], 0)
        return bits

    def of(self, words: Sequence[str]) -> int:
        bits, get, word = 0, self._words.get, self.word
        for w in words:
            b = get(w)
            bits |= word(w) if b is None else b
        return bits


B = "\x00"  # marks a literal that follows a word boundary (\\b)


def _leading(seq: Any) -> set[str] | None:
    """Literal strings one of which every match of ``seq`` starts with, or None."""
    if not len(seq):
        return None
    op, av = seq[0]
    if op == _parser.LITERAL:
        run = ""
        for o, a in seq:
            if o != _parser.LITERAL:
                break
            run += chr(a)
        return {run}
    if op == _parser.SUBPATTERN and not av[1] and not av[2]:
        return _leading(av[3])
    if op == _parser.BRANCH:
        alts = [_leading(a) for a in av[1]]
        return set().union(*alts) if all(alts) else None
    return None


def _marked(seq: Any) -> set[str] | None:
    lead = _leading(seq)
    if lead and all(x and (x[0].isalnum() or x[0] == "_") for x in lead):
        return {B + x for x in lead}
    return None


def _after_boundary(seq: Any) -> set[str] | None:
    """Literals for what follows a ``\\b``: per alternative of a leading group, its leading
    literal at the boundary, or a longer literal it contains anywhere."""
    op, av = seq[0]
    alts = None
    if op == _parser.SUBPATTERN and not av[1] and not av[2] and len(av[3]) == 1 and av[3][0][0] == _parser.BRANCH:
        alts = av[3][0][1][1]
    elif op == _parser.BRANCH:
        alts = av[1]
    if alts is None:
        return _marked(seq)
    out: set[str] = set()
    for alt in alts:
        lead, req = _marked(alt), _required(alt)
        best = [x for x in (lead, req) if x]
        if not best:
            return None
        out |= max(best, key=lambda f: (min(len(x.lstrip(B)) for x in f), f is lead))
    return out


def _required(seq: Any, boundaries: bool = False) -> set[str] | None:
    """Literal strings one of which every match of the parsed ``seq`` contains, or None;
    with ``boundaries``, a literal right after ``\\b`` is marked (:data:`B`)."""
    found: list[set[str]] = []
    run = ""
    for k, (op, av) in enumerate(seq):
        if boundaries and op == _parser.AT and av == _parser.AT_BOUNDARY and k + 1 < len(seq):
            found.append(_after_boundary(seq[k + 1 :]))
        if op == _parser.LITERAL:
            run += chr(av)
            continue
        if run:
            found.append({run})
            run = ""
        sub = None
        if op == _parser.SUBPATTERN and not av[1] and not av[2]:
            sub = _required(av[3])
        elif op == _parser.BRANCH:
            alts = [_required(a) for a in av[1]]
            sub = set().union(*alts) if all(a is not None for a in alts) else None
        elif op == _parser.IN and all(o == _parser.LITERAL for o, _ in av):
            sub = {chr(a) for _, a in av}
        elif op in (_parser.MAX_REPEAT, _parser.MIN_REPEAT, _parser.POSSESSIVE_REPEAT) and av[0] >= 1:
            sub = _required(av[2])
        if sub:
            found.append(sub)
    if run:
        found.append({run})
    found = [f for f in found if f and all(f)]
    return max(found, key=lambda f: (all(x.startswith(B) for x in f), min(map(len, f)), -len(f))) if found else None


class RegexSet:
    """``any(p.search(s) for p in patterns)``, running only patterns whose literals occur."""

    def __init__(self, patterns: Sequence[re.Pattern[str]], boundaries: bool = False) -> None:
        """``boundaries``: also use ``\\b`` before a literal; only for patterns searched in the
        whole text (in a slice, a word boundary can fall where the text has none)."""
        self.patterns = tuple(patterns)
        pieces: list[str] = []
        # per pattern: (case, bits of one-piece literals, piece bits of each longer literal)
        self.needs: list[tuple[str, int, list[int]] | None] = []
        for p in self.patterns:
            req = None
            try:
                if isinstance(p.pattern, str) and not p.flags & (re.LOCALE | re.VERBOSE):
                    req = _required(_parser.parse(p.pattern, p.flags), boundaries)
            except re.error:
                req = None
            caseless = bool(p.flags & re.IGNORECASE)
            if req and caseless and not all(caseless_safe(r) for r in req):
                req = None
            if not req:
                self.needs.append(None)
                continue
            masks = []
            for r in req:  # r occurs only where each of its pieces occurs in a word
                m = 0
                for piece in (r.lower() if caseless else r).split():
                    if piece not in pieces:
                        pieces.append(piece)
                    m |= 1 << pieces.index(piece)
                masks.append(m)
            single = sum({m for m in masks if m & (m - 1) == 0})  # one-piece literals: any bit will do
            multi = [m for m in masks if m & (m - 1)]
            self.needs.append(("i" if caseless else "s", single, multi) if all(masks) else None)
        self.words = Substrings(pieces)
        self.exact = any(n is not None and n[0] == "s" for n in self.needs)
        self.any_bits = 0  # every bit any filtered pattern can be waiting for
        for n in self.needs:
            if n is not None:
                self.any_bits |= n[1]
                for m in n[2]:
                    self.any_bits |= m
        self.unfiltered = [p for p, n in zip(self.patterns, self.needs) if n is None]
        self._chosen: dict[tuple[bool, int, int], list[re.Pattern[str]]] = {}  # literal bits -> patterns

    def candidates(self, text: str) -> list[re.Pattern[str]]:
        """The patterns that may match ``text`` or any substring of it."""
        safe = caseless_safe(text)
        lower = self.words.of(text.lower().split()) if safe else 0
        exact = self.words.of(text.split()) if self.exact else 0
        return self.chosen(safe, lower, exact)

    def candidates_rows(self, texts: Sequence[str], rows: Any) -> list[list[re.Pattern[str]]]:
        """:meth:`candidates` of each text, given the bits of its lowercased words as a
        ``(n, k)`` ``uint64`` array of :attr:`words` bits (:class:`~.wordtable.BitRows`)."""
        if self.exact:
            return [self.candidates(t) for t in texts]
        from watext.tag.wordtable import to_int

        if not len(texts):
            return []
        k = rows.shape[1]
        # chosen() reads only the bits in any_bits: one call per distinct masked row
        masked = rows & np.frombuffer(self.any_bits.to_bytes(8 * k, "little"), dtype="<u8")
        uniq, inverse = np.unique(masked, axis=0, return_inverse=True)
        per_row = [self.chosen(True, to_int(r), 0) for r in uniq]
        unsafe = None
        out = []
        for safe, u in zip(caseless_safe_many(texts), inverse.ravel().tolist()):
            if safe:
                out.append(per_row[u])
            else:  # the lowercased words are not read: chosen(False, 0, 0)
                if unsafe is None:
                    unsafe = self.chosen(False, 0, 0)
                out.append(unsafe)
        return out

    def run_bits(self, run: str) -> int:
        """What :meth:`candidates` reads of one whitespace-separated run (or whitespace) of
        a text: bit 0 when it is not :func:`caseless_safe`, above it the literal bits of the
        lowercased run (for patterns without ``exact`` literals only). A text is safe when
        all its runs are, and then its lowercase words are its runs lowercased (every
        character lowercases to one character, whitespace to itself), so the OR of
        ``run_bits`` over its runs gives :meth:`chosen` what :meth:`candidates` computes."""
        if not caseless_safe(run):
            return 1
        return self.words.word(run.lower()) << 1 if not run.isspace() else 0

    def chosen(self, safe: bool, lower: int, exact: int) -> list[re.Pattern[str]]:
        """:meth:`candidates` from whether the text is caseless-safe and the bits of its
        lowercased and exact words."""
        if safe and not (lower | exact) & self.any_bits:
            return self.unfiltered  # no literal of any pattern occurs
        key = (safe, lower & self.any_bits, exact & self.any_bits)
        out = self._chosen.get(key)
        if out is not None:
            return out
        if len(self._chosen) > _CACHE_LIMIT:
            self._chosen.clear()
        out = self._chosen[key] = []
        for p, need in zip(self.patterns, self.needs):
            if need is None or (need[0] == "i" and not safe):
                out.append(p)
            else:
                have = lower if need[0] == "i" else exact
                if have & need[1] or any(have & m == m for m in need[2]):
                    out.append(p)
        return out
