"""Language scores kept per text (``language._evidence``) add up to what scoring each text afresh
gives: random texts of stopwords and cue characters, scored alone and as documents (texts repeated,
as passages repeat blocks), against the plain scoring kept here."""

from __future__ import annotations

import random

from watext.enrich import language as L


def _plain_score(text: str, scores: dict[str, int]) -> None:
    index = L._stopword_index()
    for word in L._WORD.findall(text.lower()):
        for lang in index.get(word, ()):
            scores[lang] += 1
    weak = 0
    for ch in L._CUE_CHARS.intersection(text):
        langs, weight = L._CUES[ch]
        if weight == 1:
            weak += 1
            if weak > 2:
                continue
        for lang in langs:
            scores[lang] += weight
    if "İ" in text:
        scores["tr"] += L._DECISIVE


def _plain_document(texts: list[str], default: str | None) -> str | None:
    scores = dict.fromkeys(L.LANGUAGES, 0)
    for text in texts:
        _plain_score(text, scores)
    return L._decide(scores, default)


def test_cached_scores_match_plain_scoring() -> None:
    rng = random.Random(8)
    index = sorted(L._stopword_index())
    extra = ["Stadt", "İstanbul", "ß", "é", "à", "ü", "ö", "ä", "ñ", "ø", "å", "œ", "ł", "123", "don't", "l’eau"]
    pool = [" ".join(rng.choices(index + extra, k=rng.randint(0, 12))) for _ in range(300)]
    for _ in range(2_000):
        texts = rng.choices(pool, k=rng.randint(0, 6))
        default = rng.choice([None, "de"])
        assert L.detect_document_language(texts, default) == _plain_document(texts, default), texts
        for text in texts:
            assert L.detect_language(text, default) == _plain_document([text], default), text
            scores, plain = dict.fromkeys(L.LANGUAGES, 0), dict.fromkeys(L.LANGUAGES, 0)
            L._score(text, scores)
            _plain_score(text, plain)
            assert scores == plain, text
