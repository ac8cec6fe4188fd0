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

A new run that differs from a known one only in its ASCII digits (``"2-417)"`` and
``"1-023)"`` share the template ``"0-000)"``, every digit made ``0``) is cut at the same
offsets as its template, read from a cache of templates, when no tokenizer rule can
tell one digit from another (:mod:`.digits`): every affix, infix, ``token_match`` and
``url_match`` pattern treats all ten digits alike (checked once per pipeline on its
parse tree; an alternative that does not, such as the IP ranges of spaCy's URL
pattern, is guarded: a run where a widened copy of it is found goes to spaCy), and the
run holds no special-case string with a digit. The template is cut by :attr:`blind`,
the tokenizer without the special cases that hold a digit: for both strings the other
special cases are found at the same places (a substring with a digit is none of them),
so that tokenizer makes the same decisions at the same positions for both, and for the
run it cuts as the full tokenizer does (no special case with a digit is in it). The
facts of the run's own token strings are read without making lexemes
(:meth:`.TokenFacts.of_text`). A pipeline whose rules fail the check cuts every run
with spaCy.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from functools import reduce
from itertools import chain, pairwise
from operator import itemgetter, or_
from typing import Any

from spacy.language import Language
from spacy.tokenizer import Tokenizer
from spacy.tokens import Doc

from watext.tag.digits import DIGITS, ZERO, digit_keys
from watext.tag.tokens import IS_WORD, LEMMA, TEXT, TokenFacts

__all__ = ["ChunkTokenizer"]

_RUNS = re.compile(r"\S+|\s+")  # \s is str.isspace for str patterns (Py_UNICODE_ISSPACE)
_LIMIT = 500_000
_FLAG_BITS = 64  # bits for the flag() tests; run_bits() values lie above them


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


def _without_digit_cases(tok: Tokenizer) -> Tokenizer:
    """A copy of ``tok`` without the special cases that hold an ASCII digit."""
    rules = {k: v for k, v in (tok.rules or {}).items() if DIGITS.isdisjoint(k)}
    return Tokenizer(tok.vocab, rules=rules, prefix_search=tok.prefix_search, suffix_search=tok.suffix_search,
                     infix_finditer=tok.infix_finditer, token_match=tok.token_match, url_match=tok.url_match,
                     faster_heuristics=tok.faster_heuristics)  # fmt: skip


_FIRST, _LEFT, _LEMMAS, _HAVE = itemgetter(2), itemgetter(3), itemgetter(4), itemgetter(5)


def _joined(runs: list[str], entries: list[tuple[Any, ...]]) -> tuple[list[tuple[Any, ...]], list[int]]:
    """Facts and offsets of the runs of a text split at single spaces, from their entries."""
    facts: list[tuple[Any, ...]] = []
    offsets: list[int] = []
    pos = 0
    for run, r in zip(runs, entries):
        facts += r[0]
        offsets += map(pos.__add__, r[1]) if pos else r[1]
        pos += len(run) + 1
    return facts, offsets


def _tokens(parts: list[tuple[int, tuple[Any, ...]]]) -> tuple[list[tuple[Any, ...]], list[int]]:
    facts: list[tuple[Any, ...]] = []
    offsets: list[int] = []
    for pos, r in parts:
        facts += r[0]
        offsets += map(pos.__add__, r[1]) if pos else r[1]
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
        self._token_have: dict[str, int] = {}  # token text -> have() of that token alone
        self._words: dict[str, tuple[Any, int, int]] = {}  # name -> (run function, its shift, width)
        self.pairs = _special_pairs(nlp)
        self.lefts = {a for a, _ in self.pairs or ()}
        self.keys = digit_keys(nlp) if self.pairs is not None else None  # None: no digit templates
        # the tokenizer without the special cases that hold a digit: cuts digit templates
        self.blind = None if self.keys is None else _without_digit_cases(nlp.tokenizer)
        self._models: dict[str, tuple[list[Any], list[int]]] = {}  # template -> facts, offsets
        # run -> (facts, offsets in the run, first token text, last token text if it may pair left, lemmas, have)
        self._runs: dict[str, tuple[Any, ...]] = {}
        self._shapes: dict[str, tuple[Any, ...]] = {}  # template -> :meth:`_shape` (emptied with _token_have)

    def flag(self, name: str, test: Any) -> int:
        """The bit set in a text's anchors (:meth:`cut`) when ``test(fact)`` holds for some
        token; a new or changed test of ``name`` empties the run cache."""
        got = self._flags.get(name)
        if got is None or got[0] is not test and got[0] != test:
            if got is None and len(self._flags) >= _FLAG_BITS:
                raise ValueError(f"at most {_FLAG_BITS} token flags")
            bit = got[1] if got else 1 << (self._free + len(self._flags))
            got = self._flags[name] = (test, bit)
            self._runs.clear()
            self._token_have.clear()
            self._shapes.clear()
        return got[1]

    def run_bits(self, name: str, fn: Any, width: int) -> int:
        """The shift at which ``fn(run)`` (an int below ``2 ** width``, of a whitespace or
        non-whitespace run) is OR'ed over a text's runs into its anchors (:meth:`cut`); a
        new or changed ``fn`` of ``name`` empties the run cache."""
        got = self._words.get(name)
        if got is None or got[0] is not fn and got[0] != fn or got[2] != width:
            fits = got is not None and got[2] >= width
            shift = got[1] if fits else self._free + _FLAG_BITS + sum(w for *_, w in self._words.values())
            got = self._words[name] = (fn, shift, width)
            self._runs.clear()
        return got[1]

    def _run_bits(self, run: str) -> int:
        out = 0
        for fn, shift, _ in self._words.values():
            out |= fn(run) << shift
        return out

    def have(self, facts: Sequence[tuple[Any, ...]]) -> int:
        """Body-rule anchors of ``facts`` and the bits of the :meth:`flag` tests they meet."""
        out = self._have(facts)
        for test, bit in self._flags.values():
            if any(test(f) for f in facts):
                out |= bit
        return out

    def _entry(self, facts: Sequence[tuple[Any, ...]], offsets: Sequence[int], run: str) -> tuple[Any, ...]:
        f = tuple(facts)
        # have(f) is an OR over the tokens (of anchors and flag tests): kept per token text
        have, get = 0, self._token_have.get
        for x in f:
            b = get(x[TEXT])
            have |= self._token_bits(x[TEXT], x) if b is None else b
        return self._finish(f, tuple(offsets), have, run)

    def _token_bits(self, text: str, x: tuple[Any, ...]) -> int:
        """``have((x,))`` for a token text not kept yet, kept (the cache is bounded)."""
        if len(self._token_have) > _LIMIT:
            self._token_have.clear()
        b = self._token_have[text] = self.have((x,))
        return b

    def _finish(self, f: tuple[Any, ...], offsets: tuple[int, ...], have: int, run: str) -> tuple[Any, ...]:
        """A run's entry from its token facts, offsets and the OR of their ``have`` bits."""
        return (f, offsets, f[0][TEXT] if f else "", f[-1][TEXT] if f and f[-1][TEXT] in self.lefts else None,
                tuple([x[LEMMA] for x in f if x[IS_WORD]]), have | (self._run_bits(run) if self._words else 0))

    def _template(self, run: str) -> str | None:
        """``run`` with every ASCII digit made ``0``, when it is cut as that template is by
        :attr:`blind` (None: no digit other than ``0``, or a special case with a digit or a
        digit-telling pattern alternative is in reach, :mod:`.digits`)."""
        t = run.translate(ZERO)
        if t == run or self.keys is None:
            return None
        for pattern in self.keys:  # digit-blind: the same for the template
            if pattern.search(run):
                return None
        return t

    def _like(self, run: str, t: str) -> tuple[Any, ...]:
        """The entry of ``run`` from the tokens of its digit template ``t``: only the tokens
        whose template text holds a ``0`` can differ from the template's (elsewhere the run
        has the template's characters), so the template's other tokens, their ``have`` bits
        and its offsets are kept per template (:meth:`_shape`)."""
        shape = self._shapes.get(t) or self._shape(t)
        facts, offsets, base, spots = shape
        facts = list(facts)
        have, get, of = base, self._token_have.get, self.facts.of_text
        for i, o, e, f in spots:
            s = run[o:e]
            x = f if s == f[TEXT] else of(s)
            facts[i] = x
            b = get(s)
            have |= self._token_bits(s, x) if b is None else b
        return self._finish(tuple(facts), offsets, have, run)

    def _shape(self, t: str) -> tuple[Any, ...]:
        """Per template ``t``: its facts and offsets, the OR of the ``have`` bits of its
        tokens without a ``0``, and ``(index, start, end, fact)`` of those with one."""
        model = self._models.get(t)
        if model is None:
            if len(self._models) > _LIMIT:
                self._models.clear()
            model = self._models[t] = self.facts.of(self.blind(t))
        facts, offsets = model
        base, get, spots = 0, self._token_have.get, []
        for i, (f, o) in enumerate(zip(facts, offsets)):
            if "0" in f[TEXT]:
                spots.append((i, o, o + len(f[TEXT]), f))
                continue
            b = get(f[TEXT])
            base |= self._token_bits(f[TEXT], f) if b is None else b
        if len(self._shapes) > _LIMIT:
            self._shapes.clear()
        got = self._shapes[t] = (tuple(facts), tuple(offsets), base, spots)
        return got

    def _run(self, run: str) -> tuple[Any, ...]:
        t = self._template(run) if self.keys is not None else None
        got = self._like(run, t) if t is not None else self._entry(*self.facts.of(self.nlp.tokenizer(run)), run)
        if len(self._runs) > _LIMIT:
            self._runs.clear()
        self._runs[run] = got
        return got

    def _batch(self, tokenizer: Any, batch: list[str]) -> list[tuple[list[Any], list[int]] | None]:
        """Per run of ``batch``: the facts and offsets ``tokenizer`` gives it, from one call
        over the runs joined by spaces; None for a run that may form a special-case
        pattern pair with its neighbour (all None when a token crosses runs)."""
        facts, offsets = self.facts.of(tokenizer(" ".join(batch)))
        parts, j, pos = [], 0, 0
        for run in batch:
            end, i0 = pos + len(run), j
            while j < len(offsets) and offsets[j] < end:
                j += 1
            parts.append((pos, i0, j))
            pos = end + 1
        if j != len(offsets) or any(i0 == i1 for _, i0, i1 in parts):
            return [None] * len(batch)  # not one token list per run: leave them to _run
        firsts = [i0 for _, i0, _ in parts]
        bad = {q for q in range(1, len(parts)) if (facts[firsts[q] - 1][TEXT], facts[firsts[q]][TEXT]) in self.pairs}
        return [(facts[i0:i1], [o - pos for o in offsets[i0:i1]]) if q not in bad and q + 1 not in bad else None
                for q, (pos, i0, i1) in enumerate(parts)]  # fmt: skip

    def prime(self, texts: Sequence[str]) -> None:
        """Tokenize the new non-whitespace runs of ``texts`` together: one spaCy call over
        them joined by spaces (a run next to a run that may form a special-case pattern
        pair with it is left to :meth:`_run`); a run with a usable digit template
        (:meth:`_template`) is cut as the template is, the new templates cut together."""
        if self.pairs is None:
            return
        runs = self._runs
        # the runs of all texts with one join and split ("\n" splits as every whitespace does)
        new = [r for r in dict.fromkeys("\n".join(texts).split()) if r not in runs]
        like: list[tuple[str, str]] = []  # (run, its digit template)
        if self.keys is not None:
            plain = []
            for run in new:
                t = self._template(run) if not DIGITS.isdisjoint(run) else None
                (plain.append(run) if t is None else like.append((run, t)))  # type: ignore[func-returns-value]
            new = plain
            todo = list(dict.fromkeys(t for _, t in like if t not in self._models))
            for k in range(0, len(todo), 2000):
                batch = todo[k : k + 2000]
                for t, got in zip(batch, self._batch(self.blind, batch)):
                    if got is not None:
                        self._models[t] = got
        for k in range(0, len(new), 2000):
            batch = new[k : k + 2000]
            for run, got in zip(batch, self._batch(self.nlp.tokenizer, batch)):
                if got is not None:
                    runs[run] = self._entry(*got, run)
        for run, t in like:
            runs[run] = self._like(run, t)
        if len(runs) > _LIMIT:
            runs.clear()
        if len(self._models) > _LIMIT:
            self._models.clear()

    def __call__(self, text: str) -> tuple[list[tuple[Any, ...]], list[int]]:
        """``TokenFacts.of(nlp.tokenizer(text))``: facts and character offsets of the tokens."""
        return self.cut(text)[2]()

    def _whole(self, text: str) -> tuple[list[str], int, Any]:
        facts, offsets = self.facts.of(self.nlp.tokenizer(text))
        have = self.have(facts)
        for run in _RUNS.findall(text) if self._words else ():
            have |= self._run_bits(run)
        return [f[LEMMA] for f in facts if f[IS_WORD]], have, lambda: (facts, offsets)

    def cut(self, text: str) -> tuple[list[str], int, Any]:
        """Word lemmas and body-rule anchors (and :meth:`flag` bits) of ``text``'s tokens,
        and a function that returns their facts and character offsets (built on demand)."""
        if self.pairs is None:
            return self._whole(text)
        single = text.isprintable() and "  " not in text and text[:1] != " "
        if single:  # every run known, none that may start a pattern pair but the last: no loop
            runs = text.split(" ")
            rs = [*map(self._runs.get, runs)]
            # a pair needs a run whose last token may start one (_LEFT); most texts have none
            if all(rs) and (not any(map(_LEFT, rs[:-1]))
                            or self.pairs.isdisjoint(zip(map(_LEFT, rs), map(_FIRST, rs[1:])))):
                return [*chain.from_iterable(map(_LEMMAS, rs))], reduce(or_, map(_HAVE, rs), 0), lambda: _joined(runs, rs)
        parts: list[tuple[int, tuple[Any, ...]]] = []
        words: list[str] = []
        have = 0
        get, make, pairs = self._runs.get, self._run, self.pairs
        left = None  # last token text of the previous run, when it may start a pattern pair
        if single:
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
                    left = r[3]
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
                have |= r[5]
                if not r[0]:
                    continue
                if left is not None and (left, r[2]) in pairs:
                    return self._whole(text)
                parts.append((pos, r))
                words += r[4]
                left = r[3]
        return words, have, lambda: _tokens(parts)

    def doc(self, text: str, facts: list[tuple[Any, ...]], offsets: list[int]) -> Doc:
        """The Doc ``nlp.tokenizer(text)`` makes (same tokens, offsets and whitespace)."""
        words = [f[TEXT] for f in facts]
        ends = [o + len(w) for o, w in zip(offsets, words)]
        spaces = [e < n for e, n in zip(ends, offsets[1:] + [len(text)])]
        return Doc(self.nlp.vocab, words=words, spaces=spaces)
