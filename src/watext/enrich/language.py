"""Offline, deterministic language identification for passages and documents.

Supported languages (ISO 639-1): de, en, fr, it, es, nl, tr, no (Norwegian Bokmål),
sv, da, pl. Scoring = stopword hits (lists kept as data in ``tag/rules/stopwords.json``)
plus character cues: *decisive* cues (ß -> de; ş ğ ı İ -> tr; ñ ¿ ¡ -> es; ł ą ę ś ź ż
-> pl; œ -> fr; æ ø -> no/da; å -> no/da/sv) add 3 points, *weak* cues (ä ö ü, à è ì ò
ù, é ê ç …) add 1. A text is assigned a language only when the best language reaches
3 points and beats the runner-up; otherwise ``default`` is returned, so short slide
fragments ("Willkommensmappe") inherit the document's language. Exact ties (e.g. a
Norwegian/Danish sentence made only of shared words) also return ``default``.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from functools import lru_cache
from pathlib import Path

__all__ = ["LANGUAGES", "detect_document_language", "detect_language"]

STOPWORDS_PATH = Path(__file__).parent / "rules" / "stopwords.json"
LANGUAGES = ("de", "en", "fr", "it", "es", "nl", "tr", "no", "sv", "da", "pl")
MIN_EVIDENCE = 3
_DECISIVE = 3
_WORD = re.compile(r"[^\W\d_]+(?:['’][^\W\d_]+)?")

_CUES: dict[str, tuple[tuple[str, ...], int]] = {
    "ß": (("de",), _DECISIVE),
    **{c: (("tr",), _DECISIVE) for c in "şğı"},
    **{c: (("es",), _DECISIVE) for c in "ñ¿¡"},
    **{c: (("pl",), _DECISIVE) for c in "łąęśźżćń"},
    "œ": (("fr",), _DECISIVE),
    **{c: (("no", "da"), _DECISIVE) for c in "æø"},
    "å": (("no", "da", "sv"), _DECISIVE),
    "ä": (("de", "sv"), 1),
    "ö": (("de", "sv", "tr"), 1),
    "ü": (("de", "tr"), 1),
    **{c: (("it",), 1) for c in "ìòù"},
    **{c: (("it", "fr"), 1) for c in "àè"},
    **{c: (("fr",), 1) for c in "êâîôûëïç"},
    "é": (("fr", "es", "it"), 1),
    **{c: (("es",), 1) for c in "áíú"},
    "ó": (("es", "pl"), 1),
}
_CUE_CHARS = frozenset(_CUES)


@lru_cache(maxsize=1)
def _stopword_index() -> dict[str, tuple[str, ...]]:
    data = json.loads(STOPWORDS_PATH.read_text(encoding="utf-8"))
    index: dict[str, list[str]] = {}
    for lang in LANGUAGES:
        for word in data[lang]:
            index.setdefault(word.lower(), []).append(lang)
    return {w: tuple(langs) for w, langs in index.items()}


def _score(text: str, scores: dict[str, int]) -> None:
    """Add stopword hits and character cues of ``text`` into ``scores``."""
    evidence = _evidence if len(text) <= _CACHED_CHARS else _evidence.__wrapped__
    for lang, points in evidence(text):
        scores[lang] += points


#: Texts up to this long have their evidence kept (4096 of them: at most ~8 MB of text).
_CACHED_CHARS = 2000


@lru_cache(maxsize=4096)
def _evidence(text: str) -> tuple[tuple[str, int], ...]:
    """The points :func:`_score` adds for ``text``, per language. Kept per short text: a
    passage is mostly the text of a block scored for the document just before."""
    index = _stopword_index()
    scores = dict.fromkeys(LANGUAGES, 0)
    lower = text.lower()
    for word in _WORD.findall(lower):
        langs = index.get(word)
        if langs:
            for lang in langs:
                scores[lang] += 1
    weak = 0
    for ch in _CUE_CHARS.intersection(text):  # per distinct character; İ lower()s to i̇
        langs, weight = _CUES[ch]
        if weight == 1:
            weak += 1
            if weak > 2:
                continue
        for lang in langs:
            scores[lang] += weight
    if "İ" in text:
        scores["tr"] += _DECISIVE
    return tuple((lang, n) for lang, n in scores.items() if n)


def _decide(scores: dict[str, int], default: str | None) -> str | None:
    ranked = sorted(scores.items(), key=lambda kv: -kv[1])
    (best, top), (_, second) = ranked[0], ranked[1]
    if top < MIN_EVIDENCE or top == second:
        return default
    return best


def detect_language(text: str, default: str | None = None) -> str | None:
    """ISO 639-1 code of ``text``, or ``default`` when the evidence is too thin."""
    scores = dict.fromkeys(LANGUAGES, 0)
    _score(text, scores)
    return _decide(scores, default)


def detect_document_language(texts: Iterable[str], default: str | None = None) -> str | None:
    """Language of a whole document, scoring all its texts (blocks/passages) together."""
    scores = dict.fromkeys(LANGUAGES, 0)
    for text in texts:
        _score(text, scores)
    return _decide(scores, default)
