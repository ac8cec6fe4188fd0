"""Negation and distancing: which clauses of a passage say a goal is *not* the city's.

    negated_clauses("Sprachkurse bieten wir nicht an; wir beraten aber jede Familie.", "de")
    # -> [(0, 31)]  ("Sprachkurse bieten wir nicht an")
    affirmed_text(...)  # -> "wir beraten aber jede Familie."

The goal classifier reads a passage's goals from :func:`affirmed_text`: the passage with
its negated clauses removed (at training and at prediction time), so "… gehört nicht zu
dem, was wir unter Willkommenskultur verstehen" ticks nothing while the goals a passage
affirms next to a negation keep their evidence. Body and topic still read the whole text.

Rules are data (``rules/polarity.json``), applied to spaCy tokens of the blank pipeline
(lookup lemmas): a clause is negated when it holds a negator and a stance word (offer,
aim, task, responsible, understand …) or a distancing pattern ("ist Sache des Landes",
"left to the voluntary sector"), unless an affirming pattern matches (negation inside the
measure's aim: "niemand soll benachteiligt werden"; "not only"; demands and criticism of
a lack). Clause scope ends at sentence ends, ``;`` and contrastive conjunctions.
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

from watext.errors import ConfigError
from watext.tag.nlp import RULES_DIR, _pipeline, bounded
from watext.tag.tokens import LEMMA, LOWER, TEXT, facts_for, sentence_starts
from watext.tag.prefilter import RegexSet

__all__ = ["PolarityRules", "affirmed_text", "load_polarity", "negated_clauses", "polarity_for", "without_spans"]

_CLAUSE_PUNCT = {";", ".", "!", "?", "–", "—", ":"}
AFFIRM_LOOKAHEAD = 30  # characters after a clause that affirming patterns may see


@dataclass(frozen=True, slots=True)
class LangRules:
    negators: tuple[str, ...]
    stance: tuple[str, ...]
    distancing: tuple[re.Pattern[str], ...]
    affirm: tuple[re.Pattern[str], ...]
    breaks: frozenset[str]


def _words_match(word: str, entries: tuple[str, ...]) -> bool:
    for e in entries:
        if e.endswith("*"):
            if word.startswith(e[:-1]):
                return True
        elif word == e:
            return True
    return False


@dataclass(frozen=True, slots=True)
class PolarityRules:
    langs: dict[str, LangRules]

    def for_lang(self, lang: str | None) -> LangRules:
        return self.langs.get(lang or "de") or self.langs["en" if lang != "de" else "de"]


@lru_cache(maxsize=2)
def load_polarity(path: str | None = None) -> PolarityRules:
    """The polarity rules (validated)."""
    p = Path(path) if path else RULES_DIR / "polarity.json"
    try:
        data = json.loads(p.read_text(encoding="utf-8"))
        langs = {}
        for lang, r in data.items():
            if lang.startswith("_"):
                continue
            langs[lang] = LangRules(
                tuple(w.lower() for w in r["negators"]), tuple(w.lower() for w in r["stance"]),
                tuple(re.compile(x, re.IGNORECASE) for x in r["distancing"]),
                tuple(re.compile(x, re.IGNORECASE) for x in r["affirm"]),
                frozenset(w.lower() for w in r["breaks"]),
            )  # fmt: skip
        if "de" not in langs or "en" not in langs:
            raise ValueError("rules for 'de' and 'en' are required")
    except (OSError, ValueError, KeyError, TypeError, re.error) as exc:
        raise ConfigError(f"{p.name}: invalid polarity rules: {exc}") from exc
    return PolarityRules(langs)


def _matcher(entries: tuple[str, ...]) -> Any:
    """:func:`_words_match` against ``entries`` as one set lookup and one ``startswith``."""
    exact = frozenset(e for e in entries if not e.endswith("*"))
    prefixes = tuple(e[:-1] for e in entries if e.endswith("*"))
    return lambda word: word in exact or word.startswith(prefixes)


class _Polarity:
    """Rules of one language applied to token facts: flags per token string, joined patterns."""

    def __init__(self, rules: LangRules) -> None:
        self.rules = rules
        self.negators, self.stance = _matcher(rules.negators), _matcher(rules.stance)
        self.distancing = RegexSet(rules.distancing)
        self.affirm = RegexSet(rules.affirm)
        self._flags: dict[str, tuple[bool, bool, bool, bool]] = {}

    def flags(self, f: tuple[Any, ...]) -> tuple[bool, bool, bool, bool]:
        """``(negator, stance, break, clause punctuation)`` of a token."""
        got = self._flags.get(f[TEXT])
        if got is None:
            r, low, lem = self.rules, f[LOWER], f[LEMMA]
            got = (self.negators(low) or self.negators(lem), self.stance(low) or self.stance(lem),
                   low in r.breaks, low in _CLAUSE_PUNCT)  # fmt: skip
            if len(self._flags) > 500_000:
                self._flags.clear()
            self._flags[f[TEXT]] = got
        return got

    def is_negator(self, f: tuple[Any, ...]) -> bool:
        """Whether a token is a negator (:meth:`flags`)."""
        return self.flags(f)[0]

    def may_negate(self, text: str, negator: bool, runs: int | None = None) -> bool:
        """False when :meth:`negated` finds nothing in ``text``: no token is a negator
        (``negator``) and no distancing pattern can match (``runs``: the OR of
        :meth:`run_bits` over the text's runs, when known)."""
        if negator:
            return True
        if runs is None:
            return bool(self.distancing.candidates(text))
        safe = not runs & 1
        return bool(self.distancing.chosen(safe, runs >> 1 if safe else 0, 0))

    def run_bits(self, run: str) -> int:
        """:meth:`.RegexSet.run_bits` of the distancing patterns (see :meth:`may_negate`)."""
        return self.distancing.run_bits(run)

    @property
    def run_width(self) -> int:
        """How many bits :meth:`run_bits` uses (0: the patterns need exact words too)."""
        return 0 if self.distancing.exact else 1 + self.distancing.words.n

    def negated(self, text: str, facts: Sequence[tuple[Any, ...]], offsets: Sequence[int],
                starts: Sequence[bool]) -> list[tuple[int, int]]:  # fmt: skip
        """Negated clause spans of ``text`` from its tokens (see :func:`negated_clauses`)."""
        clauses = []
        start, n, neg, stance = 0, 0, False, False
        for f, idx, sent_start in zip(facts, offsets, starts):
            fl = self._flags.get(f[TEXT]) or self.flags(f)
            if n and (sent_start or fl[2]):
                clauses.append((start, idx, neg and stance))
                start, n, neg, stance = idx, 0, False, False
            n += 1
            neg, stance = neg or fl[0], stance or fl[1]
            if fl[3]:
                end = idx + len(f[TEXT])
                clauses.append((start, end, neg and stance))
                start, n, neg, stance = end, 0, False, False
        if n:
            clauses.append((start, len(text), neg and stance))
        spans: list[tuple[int, int]] = []
        # a pattern none of whose literals is in the text matches no clause of it
        distancing, affirm = self.distancing.candidates(text), None
        for start, end, both in clauses:
            if not (both or any(p.search(text[start:end]) for p in distancing)):
                continue
            if affirm is None:
                affirm = self.affirm.candidates(text)
            # affirming patterns may reach into what follows ("nicht eingestellt, sondern ausgebaut")
            if not any(p.search(text[start:end + AFFIRM_LOOKAHEAD]) for p in affirm):
                spans.append((start, end))
        return spans


@lru_cache(maxsize=4)
def polarity_for(lang: str | None) -> _Polarity:
    """The rules of ``lang`` (``de``, else ``en``) ready for :meth:`_Polarity.negated`."""
    return _Polarity(load_polarity().for_lang("de" if lang == "de" else "en"))


def polarity_lang(lang: str | None) -> str:
    """The pipeline (and rules) polarity reads a text of ``lang`` with."""
    return "de" if lang == "de" else "en"


def negated_clauses(text: str, lang: str | None) -> list[tuple[int, int]]:
    """Character spans of the clauses of ``text`` that negate or distance a goal."""
    nlp = _pipeline(polarity_lang(lang))
    facts, offsets = facts_for(nlp).of(nlp.make_doc(bounded(text)))
    return polarity_for(lang).negated(text, facts, offsets, sentence_starts(facts))


def affirmed_text(text: str, lang: str | None) -> str:
    """``text`` without its negated clauses (the whole text when none is negated)."""
    if not text:
        return text
    return without_spans(text, negated_clauses(text, lang))


def without_spans(text: str, spans: Sequence[tuple[int, int]]) -> str:
    """``text`` with the (negated) ``spans`` cut out; ``text`` itself when there are none."""
    if not spans:
        return text
    parts, last = [], 0
    for s, e in spans:
        parts.append(text[last:s])
        last = e
    parts.append(text[last:])
    return re.sub(r"\s+", " ", " ".join(parts)).strip(" ,;:–—")
