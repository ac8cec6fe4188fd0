"""The run cache's per-token ``have`` bits (:meth:`watext.tag.chunks.ChunkTokenizer._entry`)
are those of the token facts, and follow a changed flag test."""

from __future__ import annotations

from watext.tag.chunks import ChunkTokenizer
from watext.tag.nlp import Annotator


def test_token_have_bits_follow_the_flag_tests() -> None:
    ann = Annotator()
    nlp = ann.nlp("de")
    ann.facts(nlp)  # makes the pipeline's body filter
    filt = ann._filters[nlp.lang]
    chunker = ChunkTokenizer(nlp, ann.facts(nlp), filt.have, filt.n_bits)
    texts = ["Das Amt für Bildung (Nr. 4-7) hilft nicht.", "Kein Büro, keine Stelle", "Amt Amt nicht 12-3)"]
    for words in (("nicht",), ("amt", "büro"), ("keine", "12")):
        bit = chunker.flag("probe", lambda f, words=words: f[1] in words)
        chunker.prime(texts)
        for text in texts:
            _, have, tokens = chunker.cut(text)
            facts, _ = tokens()
            assert have & ~bit == filt.have(facts), text  # body anchors: an OR over the tokens
            assert bool(have & bit) == any(f[1] in words for f in facts), (words, text)
