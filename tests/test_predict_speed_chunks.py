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


def test_runs_like_their_template_equal_their_own_entry() -> None:
    """A run cut by its digit template (:meth:`ChunkTokenizer._like`, the template's tokens
    without a ``0`` kept per template) has the entry spaCy's own cut of it gives."""
    import random

    from .test_digits import PIECES, _redigit

    ann = Annotator()
    nlp = ann.nlp("de")
    ann.facts(nlp)
    filt = ann._filters[nlp.lang]
    chunker = ChunkTokenizer(nlp, ann.facts(nlp), filt.have, filt.n_bits)
    chunker.flag("probe", lambda f: f[1] in ("12", "nicht", "€", "5"))
    chunker.run_bits("digits", lambda run: sum(c in "13579" for c in run) % 4, 2)
    rng = random.Random(7)
    seen = 0
    for _ in range(3000):
        run = "".join(_redigit(rng, rng.choice(PIECES)).replace(" ", "") for _ in range(rng.randint(1, 3)))
        t = chunker._template(run)
        if t is None:
            continue
        seen += 1
        want = chunker._entry(*chunker.facts.of(nlp.tokenizer(run)), run)
        assert chunker._like(run, t) == want, run
    assert seen > 1000 and len(chunker._shapes) > 100


def test_prime_sorts_the_new_runs_as_template_does() -> None:
    """:meth:`ChunkTokenizer.prime` lists each new run once, in order of first occurrence,
    and cuts by its digit template exactly the runs :meth:`ChunkTokenizer._template` allows."""
    from .test_digits import _texts

    ann = Annotator()
    nlp = ann.nlp("de")
    chunker = ann.chunker(nlp)
    texts = _texts(11, 1500) + ["a\tb\n(Nr. 1-23)", "  x  1-24)  ", ""]
    known = set(chunker._runs)
    runs = [r for t in texts for r in t.split() if r not in known]
    want_like = [(r, chunker._template(r)) for r in dict.fromkeys(runs) if chunker._template(r) is not None]
    want_plain = [r for r in dict.fromkeys(runs) if chunker._template(r) is None]
    seen_like, seen_plain = [], []
    like, batch = chunker._like, chunker._batch
    chunker._like = lambda run, t: seen_like.append((run, t)) or like(run, t)
    chunker._batch = lambda tok, b: (seen_plain.extend(b) if tok is nlp.tokenizer else None) or batch(tok, b)
    try:
        chunker.prime(texts)
    finally:
        del chunker._like, chunker._batch
    assert seen_like == want_like and len(want_like) > 500
    assert seen_plain == want_plain
