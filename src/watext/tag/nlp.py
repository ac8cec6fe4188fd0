"""spaCy preprocessing: blank pipelines, lookup lemmas, rule-based annotations.

No pretrained model is downloaded or loaded: each language gets ``spacy.blank(lang)``
with a ``sentencizer``, the lookup ``lemmatizer`` (tables from ``spacy-lookups-data``,
installed as a package) and a token :class:`~spacy.matcher.Matcher` built from
``tag/rules/bodies.jsonl``: responsible bodies (``chefsache``, ``querschnittsaufgabe``,
``fachstelle`` unit names), one Matcher pattern per line.

Rule files are validated on load; a bad line fails with its file and line number.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from functools import lru_cache
from operator import itemgetter
from pathlib import Path
from typing import Any

import spacy
from spacy.language import Language
from spacy.matcher import Matcher
from spacy.tokens import Doc

from watext.errors import ConfigError
from watext.files import read_jsonl, sha256_files
from watext.tag.chunks import ChunkTokenizer
from watext.tag.seqmatch import SeqMatcher, simple
from watext.tag.tokens import LOWER, TEXT, BodyFilter, TokenFacts, facts_for

__all__ = ["Annotator", "MAX_TEXT_CHARS", "RULES_DIR", "bounded", "load_body_rules", "rules_version"]

RULES_DIR = Path(__file__).parent / "rules"
BODY_LABELS = ("chefsache", "querschnittsaufgabe", "fachstelle")
LEMMA_LANGS = {"de", "en"}  # blank pipelines with lookup lemmas; others get "xx"
#: Longest text a pipeline takes in one piece (spaCy's ``max_length``). Passages are cut
#: far below it (``WATEXT_MAX_PASSAGE_CHARS``); :func:`bounded` clips anything longer.
MAX_TEXT_CHARS = 100_000
_UNIT_CODE = re.compile(r"\s?\([0-9A-Z][0-9A-Za-z./-]{0,10}\)")
_TEXT = itemgetter(TEXT)
_TRIM = {",", "und", "and", "&", "/", "-", "(", "der", "des", "für", "of", "for"}


@dataclass(frozen=True, slots=True)
class BodyRule:
    id: str
    label: str
    pattern: list[dict[str, Any]]


def load_body_rules(path: Path | None = None) -> list[BodyRule]:
    """Load and validate responsible-body patterns."""
    path = path or RULES_DIR / "bodies.jsonl"
    rules, seen = [], set()
    probe = Matcher(spacy.blank("de").vocab, validate=True)
    for no, obj in read_jsonl(path):
        rid, label, pattern = obj.get("id"), obj.get("label"), obj.get("pattern")
        if not isinstance(rid, str) or rid in seen:
            raise ConfigError(f"{path.name}:{no}: missing or duplicate id {rid!r}")
        if label not in BODY_LABELS:
            raise ConfigError(f"{path.name}:{no}: label {label!r} not in {BODY_LABELS}")
        if not isinstance(pattern, list) or not pattern:
            raise ConfigError(f"{path.name}:{no}: pattern must be a non-empty list")
        try:
            probe.add(rid, [pattern])
        except Exception as exc:  # spaCy raises MatchPatternError/ValueError
            raise ConfigError(f"{path.name}:{no}: invalid Matcher pattern: {exc}") from exc
        seen.add(rid)
        rules.append(BodyRule(rid, label, pattern))
    return rules


def bounded(text: str) -> str:
    """``text`` clipped to :data:`MAX_TEXT_CHARS` (no text reaches spaCy over its limit)."""
    return text if len(text) <= MAX_TEXT_CHARS else text[:MAX_TEXT_CHARS]


def rules_version() -> str:
    """Short hash over the tagging rule files: changes whenever one of them changes."""
    return sha256_files(RULES_DIR.glob("*.json*"))


@lru_cache(maxsize=8)
def _pipeline(lang: str) -> Language:
    base = lang if lang in LEMMA_LANGS else "xx"
    nlp = spacy.blank(base)
    nlp.max_length = MAX_TEXT_CHARS
    nlp.add_pipe("sentencizer")
    if base in LEMMA_LANGS:
        nlp.add_pipe("lemmatizer", config={"mode": "lookup"})
    nlp.initialize()
    return nlp


class Annotator:
    """Blank pipelines per language and the responsible-body rule matcher on them."""

    def __init__(self) -> None:
        self.rules = load_body_rules()
        self._matchers: dict[str, Matcher] = {}
        self._facts: dict[str, TokenFacts] = {}
        self._filters: dict[str, BodyFilter] = {}
        self._subsets: dict[tuple[str, int], tuple[Matcher, set[str]]] = {}
        self._chunkers: dict[str, ChunkTokenizer] = {}
        self._seqs: dict[tuple[str, int], tuple[BodyRule, SeqMatcher] | None] = {}

    def facts(self, nlp: Language) -> TokenFacts:
        """Per-string token facts of ``nlp`` (see :mod:`.tokens`)."""
        key = nlp.lang
        if key not in self._facts:
            self._facts[key] = facts_for(nlp)
            self._filters[key] = BodyFilter([r.pattern for r in self.rules])
        return self._facts[key]

    def chunker(self, nlp: Language) -> ChunkTokenizer:
        """``nlp``'s tokenizer replayed from cached whitespace runs (see :mod:`.chunks`)."""
        got = self._chunkers.get(nlp.lang)
        if got is None:
            got = self._chunkers[nlp.lang] = ChunkTokenizer(nlp, self.facts(nlp), self._filters[nlp.lang].have,
                                                                 self._filters[nlp.lang].n_bits)
        return got

    def nlp(self, lang: str | None) -> Language:
        """The blank pipeline for ``lang`` (one shared ``xx`` pipeline for languages
        without lookup lemmas, so each vocabulary has exactly one matcher)."""
        return _pipeline(lang if lang in LEMMA_LANGS else "xx" if lang else "de")

    def matcher(self, nlp: Language) -> Matcher:
        """The body-rule matcher on ``nlp``'s vocabulary (built once per language)."""
        key = nlp.lang
        if key not in self._matchers:
            matcher = Matcher(nlp.vocab)
            for rule in self.rules:
                matcher.add(f"{rule.label}|{rule.id}", [rule.pattern], greedy="LONGEST")
            self._matchers[key] = matcher
        return self._matchers[key]

    def docs(self, texts: Iterable[str], lang: str | None) -> Iterator[Doc]:
        """spaCy Docs for ``texts`` (sentences and lookup lemmas set)."""
        yield from self.nlp(lang).pipe((bounded(t) for t in texts), batch_size=256)

    def bodies_of(self, doc: Doc, facts: list[tuple[Any, ...]]) -> list[dict[str, Any]]:
        """:meth:`bodies` of a Doc fresh from ``nlp.tokenizer`` (no component run yet) whose
        token facts are ``facts``: the matcher runs only with the rules that can match,
        after the components those rules read (``IS_SENT_START``: the sentencizer)."""
        return self.bodies_from(self.nlp(doc.lang_), facts, lambda: doc)

    def body_candidates(self, nlp: Language) -> Any:
        """``candidates(facts, have)``: the mask of the body rules that can match (0: none,
        and :meth:`bodies_from` returns no span), :meth:`.BodyFilter.candidates` of ``nlp``."""
        self.facts(nlp)
        return self._filters[nlp.lang].candidates

    def bodies_from(self, nlp: Language, facts: list[tuple[Any, ...]] | None, make_doc: Any,
                    have: int | None = None, source: Any = None) -> list[dict[str, Any]]:  # fmt: skip
        """:meth:`bodies_of` the Doc ``make_doc()`` returns, made only when a rule can match
        (``have``: the rule anchors its tokens meet, :meth:`.BodyFilter.have`; else read
        from their ``facts``). ``source``: ``(text, tokens)`` with ``text`` the Doc's text
        and ``tokens()`` its token facts and offsets, read instead of the Doc for spans."""
        self.facts(nlp)
        filt = self._filters[nlp.lang]
        mask = filt.candidates(facts, have)
        if not mask:
            return []
        if source is not None and mask & (mask - 1) == 0:  # one rule: matched on the tokens
            seq = self._seq(nlp, mask.bit_length() - 1)
            if seq is not None:
                facts, offsets = source[1]()
                found = seq[1]([*map(_TEXT, facts)])
                return self._spans_of(source[0], facts, offsets, seq[0], [(0, s, e) for s, e in found])
        elif source is not None:  # several rules, each matched on the tokens
            seqs = [self._seq(nlp, i) for i in range(len(self.rules)) if mask >> i & 1]
            if all(seq is not None for seq in seqs):
                facts, offsets = source[1]()
                texts = [*map(_TEXT, facts)]
                spans = []
                for rule, seq in seqs:  # type: ignore[misc]
                    spans += self._spans_of(source[0], facts, offsets, rule, [(0, s, e) for s, e in seq(texts)],
                                            longest=False)  # fmt: skip
                # rules are independent; the Matcher's order across rules only breaks ties of
                # spans with the same start and end in _longest: without such ties, none
                if len({(x["start"], x["end"]) for x in spans}) == len(spans):
                    return _longest(spans)
        doc = make_doc()
        key = (nlp.lang, mask)
        got = self._subsets.get(key)
        if got is None:
            matcher = Matcher(nlp.vocab)
            for i, rule in enumerate(self.rules):
                if mask >> i & 1:
                    matcher.add(f"{rule.label}|{rule.id}", [rule.pattern], greedy="LONGEST")
            needs = set().union(*(filt.needs[i] for i in range(len(self.rules)) if mask >> i & 1))
            got = self._subsets[key] = (matcher, needs)
        matcher, needs = got
        for name, proc in nlp.pipeline:
            if name in needs:
                doc = proc(doc)
        matches = matcher(doc)
        if source is not None and matches:
            return self._spans_of(source[0], *source[1](), None, matches, doc.vocab.strings)
        return self._spans(doc, matches)

    def _seq(self, nlp: Language, i: int) -> tuple[BodyRule, SeqMatcher] | None:
        """Rule ``i`` and its :class:`.SeqMatcher` on ``nlp`` (None: not a simple pattern)."""
        key = (nlp.lang, i)
        if key not in self._seqs:
            rule = self.rules[i]
            self._seqs[key] = (rule, SeqMatcher(nlp.vocab, rule.pattern)) if simple(rule.pattern) else None
        return self._seqs[key]

    def bodies(self, doc: Doc) -> list[dict[str, Any]]:
        """Body-rule spans of ``doc`` (label, rule, text, start, end), longest of overlaps."""
        return self._spans(doc, self.matcher(self.nlp(doc.lang_))(doc))

    def _spans(self, doc: Doc, matches: list[tuple[int, int, int]]) -> list[dict[str, Any]]:
        spans = []
        full = doc.text if matches else ""
        for match_id, start, end in matches:
            label, rid = doc.vocab.strings[match_id].split("|", 1)
            while end > start + 1 and doc[end - 1].lower_ in _TRIM:
                end -= 1
            span = doc[start:end]
            text = span.text
            code = _UNIT_CODE.match(full, span.end_char)
            if label == "fachstelle" and code:  # "Koordinierungsstelle ... (16-2)"
                text = full[span.start_char : code.end()]
            spans.append(
                {"label": label, "rule": rid, "text": text,
                 "start": span.start_char, "end": span.start_char + len(text)}
            )
        return _longest(spans)

    @staticmethod
    def _spans_of(full: str, facts: list[tuple[Any, ...]], offsets: list[int], rule: BodyRule | None,
                  matches: list[tuple[int, int, int]], strings: Any = None, longest: bool = True,
                  ) -> list[dict[str, Any]]:  # fmt: skip
        """:meth:`_spans` read from the Doc's text, token facts and offsets (``rule``: the
        rule of all matches, else read from their ids in ``strings``); ``longest=False``:
        every span, before the overlaps are resolved."""
        spans = []
        for match_id, start, end in matches:
            label, rid = (rule.label, rule.id) if rule is not None else strings[match_id].split("|", 1)
            while end > start + 1 and facts[end - 1][LOWER] in _TRIM:
                end -= 1
            s, e = offsets[start], offsets[end - 1] + len(facts[end - 1][TEXT])
            code = _UNIT_CODE.match(full, e) if label == "fachstelle" else None
            if code:  # "Koordinierungsstelle ... (16-2)"
                e = code.end()
            spans.append({"label": label, "rule": rid, "text": full[s:e], "start": s, "end": e})
        return _longest(spans) if longest else spans


def _longest(spans: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The longest of overlapping spans, in text order."""
    spans.sort(key=lambda s: (s["start"], -(s["end"] - s["start"])))
    kept: list[dict[str, Any]] = []
    for s in spans:
        if kept and s["start"] < kept[-1]["end"]:
            continue
        kept.append(s)
    return kept
