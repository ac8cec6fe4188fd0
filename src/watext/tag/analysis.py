"""Text analysis shared by features, classifiers and baselines: one tokenizer pass per text.

:func:`analyze` turns ``(text, lang)`` pairs into :class:`Analysis` objects (lowercase
lookup lemmas, word count, rule matches for responsible bodies, negated clauses) with
the tokens of the :class:`~watext.tag.nlp.Annotator`'s blank pipeline, replayed per
whitespace run from a cache (:mod:`.chunks`; the new runs of a batch go through spaCy's
tokenizer together); what the components would add is read from per-string token facts
(:mod:`.tokens`), with the same result. Results
are memoised in a bounded process-wide cache, so cross-validation folds and the three
classifiers of a model analyse each passage once.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Iterable, Mapping, Sequence
from functools import lru_cache
from pathlib import Path
from typing import Any, NamedTuple

from watext.errors import ConfigError
from watext.enrich.language import detect_language
from watext.files import read_jsonl
from watext.tag.nlp import RULES_DIR, Annotator, bounded
from watext.tag.polarity import polarity_for, polarity_lang
from watext.tag.tokens import sentence_starts

__all__ = ["Analysis", "analyze", "as_pairs", "load_lexicon", "lexicon_hits"]

_CACHE_SIZE = 200_000
_cache: OrderedDict[tuple[str, str], Analysis] = OrderedDict()


class Analysis(NamedTuple):
    """What the models need to know about one passage (immutable; a tuple, which a batch
    makes one of per passage several times faster than a frozen dataclass)."""

    text: str
    lang: str
    lemmas: str  # space-joined lowercase lemmas of word tokens
    n_words: int
    bodies: tuple[dict[str, Any], ...]  # Annotator body spans (label, rule, text, start, end)
    #: negated clause spans (:func:`~watext.tag.polarity.negated_clauses`), or None: not computed
    negated: tuple[tuple[int, int], ...] | None = None


@lru_cache(maxsize=1)
def _annotator() -> Annotator:
    return Annotator()


def as_pairs(X: Iterable[Any], langs: Sequence[str | None] | None = None) -> list[tuple[str, str]]:
    """``(text, lang)`` for each item of ``X`` (a string, a mapping with ``text``/``lang``,
    or a ``(text, lang)`` pair); a missing language is detected (default ``de``)."""
    out = []
    for i, item in enumerate(X):
        if isinstance(item, str):
            text, lang = item, None
        elif type(item) is dict or isinstance(item, Mapping):  # (the abc check is slow)
            text, lang = item.get("text") or "", item.get("lang") or item.get("language")
        else:
            text, lang = item[0], item[1]
        if langs is not None and langs[i]:
            lang = langs[i]
        out.append((text, lang or detect_language(text, default="de") or "de"))
    return out


def analyze(pairs: Sequence[tuple[str, str]]) -> list[Analysis]:
    """Analyse ``(text, lang)`` pairs; texts of one language go through the tokenizer together.

    Tokens, lemmas and body-rule anchors come per whitespace run (:mod:`.chunks`); a
    spaCy Doc is built and the body matcher run (with the rules that can match) only when
    a rule can match, and the negated clauses (:mod:`.polarity`) are read off the same
    tokens when polarity uses the same pipeline (``de``, ``en``) and a token is a negator
    or a distancing pattern can match."""
    result: list[Analysis | None] = [None] * len(pairs)
    todo: dict[str, list[int]] = {}
    for i, key in enumerate(pairs):
        hit = _cache.get(key)
        if hit is None:
            todo.setdefault(key[1], []).append(i)
        else:
            result[i] = hit
    ann = _annotator()
    for lang, idxs in todo.items():
        nlp = ann.nlp(lang)
        chunker = ann.chunker(nlp)
        polarity = polarity_for(lang) if nlp.lang == polarity_lang(lang) else None
        neg_bit = chunker.flag("negator", polarity.is_negator) if polarity is not None else 0
        width = polarity.run_width if polarity is not None else 0
        shift = chunker.run_bits("distancing", polarity.run_bits, width) if width else None
        mask = (1 << width) - 1
        cuts = [bounded(pairs[i][0]) for i in idxs]
        chunker.prime(cuts)
        may_match = ann.body_candidates(nlp)
        for i, cut in zip(idxs, cuts):
            text = pairs[i][0]
            words, have, tokens = chunker.cut(cut)
            negated = None
            if polarity is not None:
                negated = ()
                runs = None if shift is None else have >> shift & mask  # the distancing filter's run bits
                if text and polarity.may_negate(text, bool(have & neg_bit), runs):
                    tokens = _once(tokens)
                    facts, offsets = tokens()
                    negated = tuple(polarity.negated(text, facts, offsets, sentence_starts(facts)))
            bodies: tuple[dict[str, Any], ...] = ()
            if may_match(None, have):  # else bodies_from finds nothing either
                tokens = _once(tokens)
                bodies = tuple(ann.bodies_from(nlp, None, lambda: chunker.doc(cut, *tokens()), have,  # noqa: B023
                                               (cut, tokens)))
            a = Analysis(text, lang, " ".join(words), len(words), bodies, negated)
            result[i] = a
            _cache[pairs[i]] = a
    while len(_cache) > _CACHE_SIZE:
        _cache.popitem(last=False)
    return result  # type: ignore[return-value]


def _once(make: Any) -> Any:
    """``make`` that computes its result on the first call only."""
    got: list[Any] = []

    def call() -> Any:
        if not got:
            got.append(make())
        return got[0]

    return call


def load_lexicon(path: Path | None = None) -> dict[str, tuple[str, ...]]:
    """Goal id -> lowercase terms from a lexicon rule file (validated; bad lines name their number)."""
    from watext.model import GOAL_LABELS

    path = path or RULES_DIR / "lexicon.jsonl"
    lex: dict[str, tuple[str, ...]] = {}
    for no, obj in read_jsonl(path):
        label, terms = obj.get("label"), obj.get("terms")
        if label not in GOAL_LABELS or label in lex:
            raise ConfigError(f"{path.name}:{no}: unknown or duplicate label {label!r}")
        if not isinstance(terms, list) or not all(isinstance(t, str) and t for t in terms):
            raise ConfigError(f"{path.name}:{no}: terms must be non-empty strings")
        lex[label] = tuple(t.lower() for t in terms)
    return lex


def lexicon_hits(a: Analysis, terms: Iterable[str]) -> int:
    """How many ``terms`` occur in the lowercased text or its lemmas (substring match)."""
    hay = a.text.lower() + " \n " + a.lemmas
    return sum(1 for t in terms if t in hay)
