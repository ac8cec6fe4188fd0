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
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from watext.errors import ConfigError
from watext.tag.nlp import RULES_DIR, _pipeline, bounded

__all__ = ["PolarityRules", "affirmed_text", "load_polarity", "negated_clauses"]

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


def _clauses(text: str, lang: str, rules: LangRules) -> list[tuple[int, int, list[tuple[str, str]]]]:
    """``(start, end, [(lower, lemma)])`` per clause."""
    doc = _pipeline(lang if lang in ("de", "en") else "en")(bounded(text))
    out: list[tuple[int, int, list[tuple[str, str]]]] = []
    start, toks = 0, []
    for t in doc:
        low = t.lower_
        if t.is_sent_start and toks:
            out.append((start, t.idx, toks))
            start, toks = t.idx, []
        if low in rules.breaks and toks:
            out.append((start, t.idx, toks))
            start, toks = t.idx, []
        toks.append((low, (t.lemma_ or t.text).lower()))
        if low in _CLAUSE_PUNCT:
            out.append((start, t.idx + len(t), toks))
            start, toks = t.idx + len(t), []
    if toks:
        out.append((start, len(text), toks))
    return out


def negated_clauses(text: str, lang: str | None) -> list[tuple[int, int]]:
    """Character spans of the clauses of ``text`` that negate or distance a goal."""
    lang = "de" if lang == "de" else "en"
    rules = load_polarity().for_lang(lang)
    spans = []
    for start, end, toks in _clauses(text, lang, rules):
        clause = text[start:end]
        # affirming patterns may reach into what follows ("nicht eingestellt, sondern ausgebaut")
        if any(p.search(text[start:end + AFFIRM_LOOKAHEAD]) for p in rules.affirm):
            continue
        words = [w for pair in toks for w in pair]
        negator = any(_words_match(w, rules.negators) for w in words)
        stance = any(_words_match(w, rules.stance) for w in words)
        if (negator and stance) or any(p.search(clause) for p in rules.distancing):
            spans.append((start, end))
    return spans


def affirmed_text(text: str, lang: str | None) -> str:
    """``text`` without its negated clauses (the whole text when none is negated)."""
    if not text:
        return text
    spans = negated_clauses(text, lang)
    if not spans:
        return text
    parts, last = [], 0
    for s, e in spans:
        parts.append(text[last:s])
        last = e
    parts.append(text[last:])
    return re.sub(r"\s+", " ", " ".join(parts)).strip(" ,;:–—")
