"""spaCy preprocessing: blank pipelines, lookup lemmas, rule-based annotations.

No pretrained model is downloaded or loaded: each language gets ``spacy.blank(lang)``
with a ``sentencizer``, the lookup ``lemmatizer`` (tables from ``spacy-lookups-data``,
installed as a package) and a token :class:`~spacy.matcher.Matcher` /
:class:`~spacy.matcher.PhraseMatcher` built from the versioned rule files in
``tag/rules/``:

- ``bodies.jsonl``: responsible bodies (``chefsache``, ``querschnittsaufgabe``,
  ``fachstelle`` unit names), one Matcher pattern per line;
- ``cities.jsonl``: city names and aliases (PhraseMatcher, case-insensitive).

Rule files are validated on load; a bad line fails with its file and line number.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

import spacy
from spacy.language import Language
from spacy.matcher import Matcher, PhraseMatcher
from spacy.tokens import Doc

from ..errors import ConfigError

__all__ = ["Annotator", "MAX_TEXT_CHARS", "RULES_DIR", "bounded", "load_body_rules", "read_jsonl", "rules_version"]

RULES_DIR = Path(__file__).parent / "rules"
BODY_LABELS = ("chefsache", "querschnittsaufgabe", "fachstelle")
LEMMA_LANGS = {"de", "en"}  # blank pipelines with lookup lemmas; others get "xx"
#: Longest text a pipeline takes in one piece (spaCy's ``max_length``). Passages are cut
#: far below it (``WATEXT_MAX_PASSAGE_CHARS``); :func:`bounded` clips anything longer.
MAX_TEXT_CHARS = 100_000
_UNIT_CODE = re.compile(r"\s?\([0-9A-Z][0-9A-Za-z./-]{0,10}\)")
_TRIM = {",", "und", "and", "&", "/", "-", "(", "der", "des", "für", "of", "for"}


@dataclass(frozen=True, slots=True)
class BodyRule:
    id: str
    label: str
    pattern: list[dict[str, Any]]


def read_jsonl(path: Path) -> Iterator[tuple[int, dict[str, Any]]]:
    with path.open(encoding="utf-8") as fh:
        for no, line in enumerate(fh, 1):
            if not line.strip() or line.lstrip().startswith("//"):
                continue
            try:
                obj = json.loads(line)
            except json.JSONDecodeError as exc:
                raise ConfigError(f"{path.name}:{no}: invalid JSON: {exc}") from exc
            if not isinstance(obj, dict):
                raise ConfigError(f"{path.name}:{no}: expected an object")
            yield no, obj


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


def _load_city_names(path: Path | None = None) -> dict[str, str]:
    """Alias -> canonical city name."""
    path = path or RULES_DIR / "cities.jsonl"
    names: dict[str, str] = {}
    if not path.exists():
        return names
    for no, obj in read_jsonl(path):
        name = obj.get("name")
        if not isinstance(name, str) or not name:
            raise ConfigError(f"{path.name}:{no}: city needs a name")
        for alias in [name, *obj.get("aliases", [])]:
            names[alias] = name
    return names


def bounded(text: str) -> str:
    """``text`` clipped to :data:`MAX_TEXT_CHARS` (no text reaches spaCy over its limit)."""
    return text if len(text) <= MAX_TEXT_CHARS else text[:MAX_TEXT_CHARS]


def rules_version() -> str:
    """Short hash over all rule files: changes whenever a rule changes."""
    h = hashlib.sha256()
    for p in sorted(RULES_DIR.glob("*.json*")):
        h.update(p.name.encode())
        h.update(p.read_bytes())
    return h.hexdigest()[:12]


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
    """Annotates texts with sentences, lemmas and rule matches, language by language."""

    def __init__(self) -> None:
        self.rules = load_body_rules()
        self.cities = _load_city_names()
        self._matchers: dict[str, tuple[Matcher, PhraseMatcher]] = {}

    def nlp(self, lang: str | None) -> Language:
        return _pipeline(lang or "de")

    def _matchers_for(self, nlp: Language) -> tuple[Matcher, PhraseMatcher]:
        key = nlp.lang
        if key not in self._matchers:
            matcher = Matcher(nlp.vocab)
            for rule in self.rules:
                matcher.add(f"{rule.label}|{rule.id}", [rule.pattern], greedy="LONGEST")
            phrases = PhraseMatcher(nlp.vocab, attr="LOWER")
            for alias, name in self.cities.items():
                phrases.add(name, [nlp.make_doc(alias)])
            self._matchers[key] = (matcher, phrases)
        return self._matchers[key]

    def docs(self, texts: Iterable[str], lang: str | None) -> Iterator[Doc]:
        """spaCy Docs for ``texts`` (sentences and lookup lemmas set)."""
        yield from self.nlp(lang).pipe((bounded(t) for t in texts), batch_size=256)

    def annotate(self, texts: list[str], langs: list[str | None]) -> list[dict[str, Any]]:
        """One annotation dict per text: sentence count, tokens, bodies and cities."""
        out: list[dict[str, Any]] = [{} for _ in texts]
        by_lang: dict[str, list[int]] = {}
        for i, lang in enumerate(langs):
            by_lang.setdefault(lang if lang in LEMMA_LANGS else "xx", []).append(i)
        for lang, idxs in by_lang.items():
            nlp = self.nlp(lang)
            matcher, phrases = self._matchers_for(nlp)
            for i, doc in zip(idxs, nlp.pipe((bounded(texts[i]) for i in idxs), batch_size=256)):
                out[i] = {
                    "sentences": sum(1 for _ in doc.sents),
                    "tokens": len(doc),
                    "bodies": self._bodies(doc, matcher),
                    "cities": sorted({nlp.vocab.strings[m] for m, _, _ in phrases(doc)}),
                }
        return out

    @staticmethod
    def _bodies(doc: Doc, matcher: Matcher) -> list[dict[str, Any]]:
        spans = []
        for match_id, start, end in matcher(doc):
            label, rid = doc.vocab.strings[match_id].split("|", 1)
            while end > start + 1 and doc[end - 1].lower_ in _TRIM:
                end -= 1
            span = doc[start:end]
            text = span.text
            code = _UNIT_CODE.match(doc.text, span.end_char)
            if label == "fachstelle" and code:  # "Koordinierungsstelle ... (16-2)"
                text = doc.text[span.start_char : code.end()]
            spans.append(
                {"label": label, "rule": rid, "text": text,
                 "start": span.start_char, "end": span.start_char + len(text)}
            )
        # keep the longest of overlapping matches
        spans.sort(key=lambda s: (s["start"], -(s["end"] - s["start"])))
        kept: list[dict[str, Any]] = []
        for s in spans:
            if kept and s["start"] < kept[-1]["end"]:
                continue
            kept.append(s)
        return kept
