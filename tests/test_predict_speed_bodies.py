"""Body spans where several simple rules can match are read off the tokens (one
:class:`~watext.tag.seqmatch.SeqMatcher` per rule) exactly as spaCy's Matcher over the
whole pipeline finds them, on random texts made of unit names and hyphen compounds."""

from __future__ import annotations

import random

import pytest

from watext.tag import analysis
from watext.tag.nlp import Annotator

WORDS = ["Amt", "für", "der", "des", "Bildung", "Soziales", "und", ",", "&", "/", "-", "Integrations-",
         "Migrations-", "Integrationsamt", "Sozialamt", "Jugendamt", "Büro", "Zentrum", "Fachbereich", "Referat",
         "Ausländerbehörde", "Department", "Office", "for", "of", "the", "Integration", "Culture", "and",
         "Stabsstelle", "Koordinierungsstelle", "Bürgermeister", "Mayor", "Leader", "council", "Kultur-",
         "Jugend", "Die", "Stadt", "Amt 12", "(16-2)", "(3.1)", "Welcome", "Center", "Kommunales",
         "Integrationszentrum", "Querschnittsaufgabe", "alle", "Ämter", "whole", "council", "Nr.", "12", "3"]


def _texts(seed: int, n: int) -> list[str]:
    rng = random.Random(seed)
    return [" ".join(rng.choice(WORDS) for _ in range(rng.randint(1, 14))) + rng.choice(["", ".", " (4-7)"])
            for _ in range(n)]


@pytest.mark.parametrize("lang", ["de", "en"])
def test_several_candidate_rules_equal_the_matcher(lang: str) -> None:
    ann = analysis._annotator()
    nlp = ann.nlp(lang)
    ann.facts(nlp)  # makes the pipeline's body filter
    filt = ann._filters[nlp.lang]
    texts = _texts(1 if lang == "de" else 2, 4000)
    analysis._cache.clear()
    got = analysis.analyze([(t, lang) for t in texts])
    several = 0
    full = Annotator()
    for text, a in zip(texts, got):
        mask = filt.candidates(ann.facts(nlp).of(nlp.make_doc(text))[0])
        several += bool(mask & (mask - 1))
        assert list(a.bodies) == full.bodies(nlp(text)), text
    assert several > 500, "texts where several rules are candidates"

