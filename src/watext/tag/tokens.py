"""Token facts of the blank pipelines, computed once per distinct token string.

The tokens are spaCy's (cut per whitespace run, :mod:`.chunks`), and everything the
tagging reads of a token is a function of its text alone: lowercase form, lookup lemma
(the ``lemmatizer`` component's ``lemma_lookup`` table), punctuation and space flags and
the ``sentencizer``'s punctuation test. :class:`TokenFacts` keeps those per string (keyed
by spaCy's ORTH hash), and :func:`sentence_starts` is the sentencizer's rule over them,
so no component has to run over a Doc and no Token object is created. For a token
string spaCy has not seen (the digits of a run cut by its template, :mod:`.chunks`),
:meth:`TokenFacts.of_text` reads the same facts from the vocabulary's attribute getters
without making a lexeme.

:class:`BodyFilter` tells from the same per-string facts which body rules of
``rules/bodies.jsonl`` *can* match a Doc (every required token of a rule has a string
constraint that some token meets); the spaCy Matcher then runs only with those rules,
and not at all for most passages. Its results are the full matcher's: a rule whose
required token is absent matches nothing, and rules are independent of each other.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from functools import lru_cache
from typing import Any

from spacy.attrs import IDX, ORTH
from spacy.attrs import IS_PUNCT as IS_PUNCT_ID
from spacy.attrs import IS_SPACE as IS_SPACE_ID
from spacy.attrs import LOWER as LOWER_ID
from spacy.language import Language
from spacy.strings import get_string_id
from spacy.tokens import Doc

__all__ = ["BodyFilter", "TokenFacts", "facts_for", "sentence_starts"]

#: Fields of a token fact tuple.
TEXT, LOWER, LEMMA, IS_WORD, IN_PUNCT_CHARS, IS_PUNCT = range(6)
_REQUIRED_OPS = (None, "1", "+")


def _none(text: str) -> None:
    return None


class TokenFacts:
    """``(text, lower, lemma, is_word, in_punct_chars, is_punct)`` per token string of one pipeline.

    ``lemma`` is ``(token.lemma_ or token.text).lower()`` as the pipeline would set it;
    ``is_word`` is ``not (is_punct or is_space)``.
    """

    def __init__(self, nlp: Language) -> None:
        self.nlp = nlp
        self.strings = nlp.vocab.strings
        self.table = None
        if "lemmatizer" in nlp.pipe_names:
            lem = nlp.get_pipe("lemmatizer")
            if getattr(lem, "mode", None) != "lookup":
                raise ValueError("TokenFacts supports the lookup lemmatizer only")
            self.table = lem.lookups.get_table("lemma_lookup", {})
        self.punct_chars = frozenset(nlp.get_pipe("sentencizer").punct_chars) if "sentencizer" in nlp.pipe_names else None
        self._facts: dict[int, tuple[Any, ...]] = {}
        self._texts: dict[str, tuple[Any, ...]] = {}  # token string -> facts (:meth:`of_text`)
        getters = nlp.vocab.lex_attr_getters or {}
        self._lower, self._punct, self._space = (getters.get(a, _none) for a in (LOWER_ID, IS_PUNCT_ID, IS_SPACE_ID))

    def _make(self, orth: int) -> tuple[Any, ...]:
        text = self.strings[orth]
        lex = self.nlp.vocab[text]
        lemma = ""
        if self.table is not None:
            found = self.table.get(text, text)
            lemma = found if isinstance(found, str) else found[0]
        in_pc = self.punct_chars is not None and text in self.punct_chars
        facts = (text, lex.lower_, (lemma or text).lower(), not (lex.is_punct or lex.is_space), in_pc, lex.is_punct)
        self._facts[orth] = facts
        return facts

    def of_text(self, text: str) -> tuple[Any, ...]:
        """The facts of the token string ``text``, read from the vocabulary's attribute
        getters (as a new lexeme would get them) when it has no lexeme yet: none is made."""
        got = self._texts.get(text)
        if got is None:
            if text in self.nlp.vocab:
                got = self._facts.get(get_string_id(text)) or self._make(get_string_id(text))
            else:
                lower, punct, space = self._lower(text), self._punct(text), self._space(text)
                lemma = ""
                if self.table is not None:
                    found = self.table.get(text, text)
                    lemma = found if isinstance(found, str) else found[0]
                in_pc = self.punct_chars is not None and text in self.punct_chars
                got = (text, lower if isinstance(lower, str) else "", (lemma or text).lower(),
                       not (punct or space), in_pc, bool(punct))  # fmt: skip
            if len(self._texts) > 500_000:
                self._texts.clear()
            self._texts[text] = got
        return got

    def of(self, doc: Doc) -> tuple[list[tuple[Any, ...]], list[int]]:
        """Facts and character offsets of ``doc``'s tokens."""
        if not len(doc):
            return [], []
        arr = doc.to_array([ORTH, IDX]).tolist()
        get, make = self._facts.get, self._make
        return [get(o) or make(o) for o, _ in arr], [i for _, i in arr]


@lru_cache(maxsize=8)
def facts_for(nlp: Language) -> TokenFacts:
    """The one :class:`TokenFacts` of a pipeline."""
    return TokenFacts(nlp)


def sentence_starts(facts: Sequence[tuple[Any, ...]]) -> list[bool]:
    """``Token.is_sent_start`` as spaCy's ``sentencizer`` sets it on a fresh Doc."""
    n = len(facts)
    guesses = [False] * n
    if n:
        start, seen_period = 0, False
        guesses[0] = True
        for i, f in enumerate(facts):
            if seen_period and not f[IS_PUNCT] and not f[IN_PUNCT_CHARS]:
                guesses[start] = True
                start, seen_period = i, False
            elif f[IN_PUNCT_CHARS]:
                seen_period = True
        if start < n:
            guesses[start] = True
    return guesses


def _anchor(spec: dict[str, Any]) -> Any | None:
    """A necessary string test for one token spec (``None``: the spec has none)."""
    tests = []
    for attr, field in (("LOWER", LOWER), ("TEXT", TEXT), ("ORTH", TEXT)):
        value = spec.get(attr)
        if isinstance(value, str):
            tests.append((field, "eq", value))
        elif isinstance(value, dict):
            if isinstance(value.get("IN"), list) and all(isinstance(v, str) for v in value["IN"]):
                tests.append((field, "in", frozenset(value["IN"])))
            if isinstance(value.get("REGEX"), str):
                tests.append((field, "re", re.compile(value["REGEX"])))
    return tuple(tests) or None


def _passes(tests: tuple[Any, ...], facts: tuple[Any, ...]) -> bool:
    for field, kind, value in tests:
        s = facts[field]
        if kind == "eq" and s != value or kind == "in" and s not in value or kind == "re" and not value.search(s):
            return False
    return True


class BodyFilter:
    """Which body rules can match a Doc, from per-string facts (bit ``i`` = rule ``i``)."""

    def __init__(self, patterns: Sequence[list[dict[str, Any]]]) -> None:
        self._anchors: list[tuple[int, tuple[Any, ...]]] = []  # (anchor bit, tests)
        self.required: list[int] = []  # per rule: the anchor bits it needs
        self.always = 0  # rules without any anchor: always candidates
        self.needs: list[set[str]] = []  # per rule: components its attributes need
        for i, pattern in enumerate(patterns):
            need = 0
            for spec in pattern:
                tests = _anchor(spec) if spec.get("OP") in _REQUIRED_OPS else None
                if tests is not None:
                    bit = 1 << len(self._anchors)
                    self._anchors.append((bit, tests))
                    need |= bit
            self.required.append(need)
            if not need:
                self.always |= 1 << i
            keys = {k for spec in pattern for k in spec}
            self.needs.append({name for name, used in (("sentencizer", any("SENT" in k for k in keys)),
                                                       ("lemmatizer", "LEMMA" in keys)) if used})
        self.n_bits = len(self._anchors)
        self._chosen: dict[int, int] = {}  # anchor bits met -> candidate rules
        self._masks: dict[str, int] = {}  # token text -> anchor bits (one filter per pipeline)
        # anchors that are one equality or set test: looked up by value instead of tried
        self._by_value: dict[tuple[int, str], int] = {}
        self._tried: list[tuple[int, tuple[Any, ...]]] = []
        for bit, tests in self._anchors:
            if len(tests) == 1 and tests[0][1] in ("eq", "in"):
                field, kind, value = tests[0]
                for v in ([value] if kind == "eq" else value):
                    self._by_value[(field, v)] = self._by_value.get((field, v), 0) | bit
            else:
                self._tried.append((bit, tests))
        # one search for "no tried anchor passes" when all are a plain regex on one field
        self._none: tuple[int, Any] | None = None
        fields = {t[0][0] for _, t in self._tried}
        if self._tried and len(fields) == 1 and all(
                len(t) == 1 and t[0][1] == "re" and not t[0][2].flags & ~re.UNICODE
                and "\\" not in t[0][2].pattern and "(?" not in t[0][2].pattern for _, t in self._tried):  # fmt: skip
            self._none = (fields.pop(), re.compile("|".join(f"(?:{t[0][2].pattern})" for _, t in self._tried)))

    def _mask(self, facts: tuple[Any, ...]) -> int:
        m = self._by_value.get((LOWER, facts[LOWER]), 0) | self._by_value.get((TEXT, facts[TEXT]), 0)
        if self._none is None or self._none[1].search(facts[self._none[0]]):
            for bit, tests in self._tried:
                if _passes(tests, facts):
                    m |= bit
        if len(self._masks) > 500_000:
            self._masks.clear()
        self._masks[facts[TEXT]] = m
        return m

    def have(self, facts: Sequence[tuple[Any, ...]]) -> int:
        """Anchor bits met by some token of ``facts``."""
        have = 0
        get = self._masks.get
        for f in facts:
            m = get(f[TEXT])
            have |= self._mask(f) if m is None else m
        return have

    def candidates(self, facts: Sequence[tuple[Any, ...]], have: int | None = None) -> int:
        """Bit mask of the rules whose required tokens all occur among ``facts`` (whose
        anchor bits are ``have``, when given)."""
        if have is None:
            have = self.have(facts)
        have &= (1 << self.n_bits) - 1
        out = self._chosen.get(have)
        if out is None:
            out = self.always
            for i, need in enumerate(self.required):
                if need and have & need == need:
                    out |= 1 << i
            if len(self._chosen) > 100_000:
                self._chosen.clear()
            self._chosen[have] = out
        return out
