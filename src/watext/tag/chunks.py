"""spaCy's tokenizer, replayed per whitespace-delimited chunk from a cache.

spaCy's ``Tokenizer.__call__`` cuts a text into runs of whitespace and of non-whitespace
(``str.isspace``), drops one ``" "`` after a non-whitespace run (the token's
``whitespace_``) and tokenizes every other run on its own: prefixes, suffixes, infixes,
special cases, ``token_match`` and ``url_match`` all act within one run, and spaCy caches
each run's tokens by its hash. Only the final pass (``_apply_special_cases``, a phrase
matcher over the token sequence) could see across runs; it retokenizes a match only when
the matched text is a special-case string, and a match across runs contains whitespace.
It can still change a text's tokens through overlap filtering when a cross-run match
exists, so a text where two adjacent tokens of different runs are adjacent tokens of some
special-case pattern goes to spaCy itself.

:class:`ChunkTokenizer` thus gives the tokens of ``nlp.tokenizer(text)`` (their
:class:`~watext.tag.tokens.TokenFacts` and character offsets) from a dictionary of runs,
each tokenized once by spaCy alone, with no Doc built per text. A pipeline whose special
cases contain whitespace next to other characters is always left to spaCy.

A new run that differs from a known one only in its ASCII digits (``"(Nr. 2-417)"`` and
``"(Nr. 1-023)"`` share the template ``"(Nr. 0-000)"``, every digit made ``0``) is cut at
the same offsets, when no tokenizer rule can tell one digit from another: every affix,
infix, ``token_match`` and ``url_match`` pattern treats all ten digits alike (checked on
its parse tree once per pipeline: no digit literal, every character class holds all
digits or none, no back-reference), and neither the run nor its template contains a
special case string with a digit (special cases are exact strings, so the others are
met at the same places in both). Then spaCy makes the same decisions at the same
positions for both strings, and only the template goes through spaCy; the facts of the
run's tokens are read from their strings (:meth:`.TokenFacts.of_text`, no lexeme made).
A pipeline whose rules fail the check tokenizes every run with spaCy.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from itertools import pairwise
from typing import Any

from spacy.language import Language
from spacy.tokenizer import Tokenizer
from spacy.tokens import Doc

from watext.tag.digits import DIGITS, ZERO, digit_keys
from watext.tag.tokens import IS_WORD, LEMMA, TEXT, TokenFacts

__all__ = ["ChunkTokenizer"]

_RUNS = re.compile(r"\S+|\s+")  # \s is str.isspace for str patterns (Py_UNICODE_ISSPACE)
_LIMIT = 500_000


def _special_pairs(nlp: Language) -> set[tuple[str, str]] | None:
    """Adjacent token pairs of the special-case patterns (``None``: replay unsafe)."""
    tok = nlp.tokenizer
    rules = tok.rules or {}
    if any(any(c.isspace() for c in k) and not k.isspace() for k in rules):
        return None
    plain = Tokenizer(nlp.vocab, rules={}, prefix_search=tok.prefix_search, suffix_search=tok.suffix_search,
                      infix_finditer=tok.infix_finditer, token_match=tok.token_match, url_match=tok.url_match)  # fmt: skip
    pairs: set[tuple[str, str]] = set()
    for key in rules:
        words = [t.text for t in plain(key)]
        pairs.update(pairwise(words))
    return pairs


def _tokens(parts: list[tuple[int, tuple[Any, ...]]]) -> tuple[list[tuple[Any, ...]], list[int]]:
    facts: list[tuple[Any, ...]] = []
    offsets: list[int] = []
    for pos, r in parts:
        facts += r[0]
        offsets += [pos + o for o in r[1]] if pos else r[1]
    return facts, offsets


class ChunkTokenizer:
    """Token facts and offsets of ``nlp.tokenizer(text)``, assembled from cached runs.

    Per run it also keeps the lemmas of its word tokens and ``have(facts)`` (the body-rule
    anchors its tokens meet, :meth:`.BodyFilter.have`: an OR over tokens, so a text's
    value is the OR over its runs)."""

    def __init__(self, nlp: Language, facts: TokenFacts, have: Any = None, free_bit: int = 0) -> None:
        self.nlp = nlp
        self.facts = facts
        self._have = have or (lambda facts: 0)
        self._free = free_bit  # the lowest bit ``have`` never sets
        self._flags: dict[str, tuple[Any, int]] = {}  # name -> (token test, its bit)
        self.pairs = _special_pairs(nlp)
        self.lefts = {a for a, _ in self.pairs or ()}
        self.keys = digit_keys(nlp) if self.pairs is not None else None  # None: no digit templates
        # run -> (facts, offsets in the run, first token text, last token may pair left, lemmas, have)
        self._runs: dict[str, tuple[Any, ...]] = {}

    def flag(self, name: str, test: Any) -> int:
        """The bit set in a text's anchors (:meth:`cut`) when ``test(fact)`` holds for some
        token; a new or changed test of ``name`` empties the run cache."""
        got = self._flags.get(name)
        if got is None or got[0] is not test and got[0] != test:
            bit = got[1] if got else 1 << (self._free + len(self._flags))
            got = self._flags[name] = (test, bit)
            self._runs.clear()
        return got[1]

    def have(self, facts: Sequence[tuple[Any, ...]]) -> int:
        """Body-rule anchors of ``facts`` and the bits of the :meth:`flag` tests they meet."""
        out = self._have(facts)
        for test, bit in self._flags.values():
            if any(test(f) for f in facts):
                out |= bit
        return out

    def _entry(self, facts: Sequence[tuple[Any, ...]], offsets: Sequence[int]) -> tuple[Any, ...]:
        f = tuple(facts)
        return (f, tuple(offsets), f[0][TEXT] if f else "", bool(f) and f[-1][TEXT] in self.lefts,
                tuple(x[LEMMA] for x in f if x[IS_WORD]), self.have(f))  # fmt: skip

    def _template(self, run: str) -> str | None:
        """``run`` with every ASCII digit made ``0``, when it is cut as that template is
        (None: ``run`` has no digit other than ``0``, or a special case with a digit is in
        reach)."""
        t = run.translate(ZERO)
        if t == run or self.keys is None or self.keys[0].search(run) or self.keys[0].search(t):
            return None
        for guard in self.keys[1:]:  # digit-blind: the same for the template
            if guard.search(run):
                return None
        return t

    def _like(self, run: str, model: tuple[Any, ...]) -> tuple[Any, ...]:
        """The entry of ``run`` from the entry ``model`` of its digit template."""
        of = self.facts.of_text
        facts = []
        for f, o in zip(model[0], model[1]):
            s = run[o : o + len(f[TEXT])]
            facts.append(f if s == f[TEXT] else of(s))
        return self._entry(facts, model[1])

    def _run(self, run: str) -> tuple[Any, ...]:
        t = self._template(run) if self.keys is not None else None
        model = self._runs.get(t) if t is not None else None
        if model is not None:
            got = self._like(run, model)
        else:
            got = self._entry(*self.facts.of(self.nlp.tokenizer(run)))
        if len(self._runs) > _LIMIT:
            self._runs.clear()
        self._runs[run] = got
        return got

    def prime(self, texts: Sequence[str]) -> None:
        """Tokenize the new non-whitespace runs of ``texts`` together: one spaCy call over
        them joined by spaces (a run next to a run that may form a special-case pattern
        pair with it is left to :meth:`_run`)."""
        if self.pairs is None:
            return
        runs = self._runs
        new = list(dict.fromkeys(r for t in texts for r in t.split() if r not in runs))
        like: list[tuple[str, str]] = []  # (run, its digit template): cut after the templates
        if self.keys is not None:
            plain = []
            for run in new:
                t = self._template(run) if not DIGITS.isdisjoint(run) else None
                if t is None:
                    plain.append(run)
                else:
                    like.append((run, t))
                    if t not in runs:
                        plain.append(t)
            new = list(dict.fromkeys(plain))
        for k in range(0, len(new), 2000):
            batch = new[k : k + 2000]
            facts, offsets = self.facts.of(self.nlp.tokenizer(" ".join(batch)))
            parts, j, pos = [], 0, 0
            for run in batch:
                end, i0 = pos + len(run), j
                while j < len(offsets) and offsets[j] < end:
                    j += 1
                parts.append((pos, i0, j))
                pos = end + 1
            if j != len(offsets) or any(i0 == i1 for _, i0, i1 in parts):
                continue  # not one token list per run: leave them to _run
            firsts = [i0 for _, i0, _ in parts]
            bad = {q for q in range(1, len(parts)) if (facts[firsts[q] - 1][TEXT], facts[firsts[q]][TEXT]) in self.pairs}
            for q, (run, (pos, i0, i1)) in enumerate(zip(batch, parts)):
                if q not in bad and q + 1 not in bad:
                    runs[run] = self._entry(facts[i0:i1], [o - pos for o in offsets[i0:i1]])
        for run, t in like:
            model = runs.get(t)
            if model is not None:
                runs[run] = self._like(run, model)
        if len(runs) > _LIMIT:
            runs.clear()

    def __call__(self, text: str) -> tuple[list[tuple[Any, ...]], list[int]]:
        """``TokenFacts.of(nlp.tokenizer(text))``: facts and character offsets of the tokens."""
        return self.cut(text)[2]()

    def _whole(self, text: str) -> tuple[list[str], int, Any]:
        facts, offsets = self.facts.of(self.nlp.tokenizer(text))
        return [f[LEMMA] for f in facts if f[IS_WORD]], self.have(facts), lambda: (facts, offsets)

    def cut(self, text: str) -> tuple[list[str], int, Any]:
        """Word lemmas and body-rule anchors (and :meth:`flag` bits) of ``text``'s tokens,
        and a function that returns their facts and character offsets (built on demand)."""
        if self.pairs is None:
            return self._whole(text)
        parts: list[tuple[int, tuple[Any, ...]]] = []
        words: list[str] = []
        have = 0
        get, make, pairs = self._runs.get, self._run, self.pairs
        left = None  # last token text of the previous run, when it may start a pattern pair
        if text.isprintable() and "  " not in text and text[:1] != " ":
            # single spaces only: the runs are text.split(" "), each space dropped
            pos = 0
            for run in text.split(" "):
                if run:
                    r = get(run) or make(run)
                    if left is not None and (left, r[2]) in pairs:
                        return self._whole(text)
                    parts.append((pos, r))
                    words += r[4]
                    have |= r[5]
                    left = r[0][-1][TEXT] if r[3] else None
                pos += len(run) + 1
        else:
            prev_word = False
            for m in _RUNS.finditer(text):
                run, pos = m.group(), m.start()
                if prev_word and run[0] == " ":  # the space after a word is its whitespace_, not a token
                    run, pos = run[1:], pos + 1
                prev_word = not run or not run[0].isspace()
                if not run:
                    continue
                r = get(run) or make(run)
                if not r[0]:
                    continue
                if left is not None and (left, r[2]) in pairs:
                    return self._whole(text)
                parts.append((pos, r))
                words += r[4]
                have |= r[5]
                left = r[0][-1][TEXT] if r[3] else None
        return words, have, lambda: _tokens(parts)

    def doc(self, text: str, facts: list[tuple[Any, ...]], offsets: list[int]) -> Doc:
        """The Doc ``nlp.tokenizer(text)`` makes (same tokens, offsets and whitespace)."""
        words = [f[TEXT] for f in facts]
        ends = [o + len(w) for o, w in zip(offsets, words)]
        spaces = [e < n for e, n in zip(ends, offsets[1:] + [len(text)])]
        return Doc(self.nlp.vocab, words=words, spaces=spaces)
