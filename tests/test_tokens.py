"""The run-cached tokenizer (:mod:`watext.tag.chunks`) cuts exactly as spaCy's tokenizer."""

from __future__ import annotations

import random
from collections.abc import Callable
from pathlib import Path

import pytest

from watext.files import read_jsonl
from watext.tag.nlp import Annotator

GOLD = Path(__file__).resolve().parents[1] / "corpus" / "gold"
PIECES = ["z.B.", "Nr.", "ca.", "u.a.", "bzw.", "d.h.", "Dr.", "St.", "e.V.", "usw.", "Abs.", "vgl.", "etc.",
          "U.S.", "Mr.", "don't", "can't", "it's", "(16-2)", "\"Zitat\"", "„Vielfalt“", "'quote'", "»so«",
          "https://www.example.org/a?b=c&d=1", "www.stadt-koeln.de", "info@stadt.de", "mailto:x@y.de",
          "Integrations-", "-beauftragte", "Ausländer-/Integrationsbeirat", "20.000", "3,5%", "10-15",
          "1.", "2)", "a)", "§", "€", "5€", "€5", ":)", ":-)", "(:", "<3", "...", "…", "--", "–", "—", "/", "&",
          "Geflüchtete", "ÄÖÜß", "straße", "İstanbul", "ǅ", "ﬁ", "ς", "日本", "😀", "x²", "½", "café", "e\u0301",
          "CO2-Ausstoß", "Kita's", "(", ")", "[", "]", "{", "}", "?", "!", ",", ";", ":", ".", "'", "\"", "´", "`"]
SPACES = [" ", " ", " ", " ", "  ", "   ", "\t", "\n", "\n\n", " \n", "\n ", "\xa0", "\u2009", "\r\n", "\u3000",
          "\x0b", "\x0c", "\x1c", "\x1f", "\x85", "\u2028", "\u2029", "\u200b", "\ufeff", "\u00ad", "", "", " \t "]


def _random_texts(rng: random.Random, golds: list[str], n: int) -> list[str]:
    out = []
    for _ in range(n):
        parts = []
        for _ in range(rng.randint(0, 12)):
            kind = rng.random()
            if kind < 0.4 and golds:
                words = rng.choice(golds).split(" ")
                k = rng.randint(0, len(words) - 1)
                parts.append(" ".join(words[k:k + rng.randint(1, 4)]))
            elif kind < 0.8:
                parts.append(rng.choice(PIECES))
            else:
                parts.append("".join(rng.choice("ab.,-/'\"()?!:;… \n\t\xa0Ä1€@%&") for _ in range(rng.randint(1, 6))))
            parts.append(rng.choice(SPACES))
        text = "".join(parts)
        out.append(text if rng.random() < 0.7 else rng.choice(SPACES) + text)
    return out


@pytest.fixture(scope="module")
def texts() -> list[str]:
    golds = [obj["text"] for split in ("train", "heldout") for _, obj in read_jsonl(GOLD / f"{split}.jsonl")]
    rng = random.Random(7)
    return golds + _random_texts(rng, golds, 6000)


@pytest.fixture(scope="module")
def spacy_cuts(texts: list[str]) -> Callable[[str], list[tuple[object, list[tuple[str, str, int]]]]]:
    """``cuts(lang)``: per text, spaCy's tokenizer's token facts and ``(text, whitespace,
    idx)`` of its tokens: the reference, computed once per language (with a TokenFacts of
    its own, so it fills no cache that the tokenizer under test reads)."""
    ann, done = Annotator(), {}

    def cuts(lang: str) -> list[tuple[object, list[tuple[str, str, int]]]]:
        if lang not in done:
            nlp = ann.nlp(lang)
            facts = ann.facts(nlp)
            done[lang] = [(facts.of(doc), [(t.text, t.whitespace_, t.idx) for t in doc])
                          for doc in map(nlp.tokenizer, texts)]  # fmt: skip
        return done[lang]

    return cuts


def naive_word_bits(lits: list[str], w: str) -> int:
    """What ``Substrings(lits).word(w)`` must give: bit k set when literal k occurs in ``w`` (a
    literal marked with ``prefilter.B`` only at a word start)."""
    from watext.tag.prefilter import B

    want = 0
    for k, lit in enumerate(lits):
        if lit.startswith(B):
            lit = lit[1:]
            hit = any(w.startswith(lit, i) and (i == 0 or not (w[i - 1].isalnum() or w[i - 1] == "_"))
                      for i in range(len(w)))
        else:
            hit = lit in w
        want |= hit << k
    return want


@pytest.mark.parametrize("primed", [False, True])
@pytest.mark.parametrize("lang", ["de", "en", "xx"])
def test_chunk_tokenizer_equals_spacy(texts: list[str], spacy_cuts: Callable[[str], list], lang: str,
                                     primed: bool) -> None:  # fmt: skip
    ann = Annotator()
    nlp = ann.nlp(lang)
    chunker, filt = ann.chunker(nlp), ann._filters[nlp.lang]
    if primed:  # runs cut together in one spaCy call
        chunker.prime(texts)
    for text, (want, spacy_tokens) in zip(texts, spacy_cuts(lang), strict=True):
        words, have, tokens = chunker.cut(text)
        got, offsets = tokens()
        assert (got, offsets) == want, text
        assert words == [f[2] for f in got if f[3]]
        assert have == filt.have(got)
        made = chunker.doc(text, got, offsets)
        assert made.text == text == "".join(t + ws for t, ws, _ in spacy_tokens)
        assert [(t.text, t.whitespace_, t.idx) for t in made] == spacy_tokens, text


def test_special_case_pairs_across_runs_go_to_spacy() -> None:
    ann = Annotator()
    nlp = ann.nlp("en")
    chunker = ann.chunker(nlp)
    assert chunker.pairs, "the pipeline has special cases whose plain tokens are several"
    a, b = next(iter(chunker.pairs))
    for text in (f"{a} {b}", f"x{a} {b}y", f"{a}  {b}", f"{a}\n{b}"):
        assert chunker(text) == ann.facts(nlp).of(nlp.tokenizer(text)), text


def test_analysis_equals_the_direct_path(texts: list[str], spacy_cuts: Callable[[str], list]) -> None:
    """Negated clauses and lemmas of :func:`analyze` (runs, negator flags, prefilters)
    are those computed from a fresh spaCy Doc."""
    from watext.tag import analysis
    from watext.tag.polarity import negated_clauses

    ann = Annotator()
    analysis._cache.clear()
    for lang in ("de", "en"):
        nlp = ann.nlp(lang)
        got = analysis.analyze([(t, lang) for t in texts[:3000]])
        assert len(got) == 3000
        for text, a, ((facts, _), _) in zip(texts, got, spacy_cuts(lang)):
            assert a.negated == tuple(negated_clauses(text, lang) if text else ()), text
            assert a.lemmas == " ".join(f[2] for f in facts if f[3]), text
            assert list(a.bodies) == ann.bodies(nlp(text)), text


UNIT_WORDS = ["Amt", "amt", "für", "der", "des", "Bildung", "Soziales", "und", ",", "&", "/", "-", "Integration",
              "Jugend", "Der", "Und", "the", "Of", "Büro", "Zentrum", "Migration", "X", "ABC", "Kultur", "Sport"]


@pytest.mark.parametrize("lang", ["de", "en", "xx"])
def test_seq_matcher_equals_spacy_matcher(texts: list[str], lang: str) -> None:
    """Each simple body rule alone: the token-sequence matcher gives the Matcher's matches, in order.

    One Matcher holds every rule, each under its own key (one pass over each Doc instead of
    one per rule): spaCy finds each pattern's matches on its own and applies ``greedy`` per
    key, so a key's matches, in their order, are those of a Matcher with that rule alone."""
    from spacy.matcher import Matcher

    from watext.tag.seqmatch import SeqMatcher, simple

    ann = Annotator()
    nlp = ann.nlp(lang)
    rng = random.Random(11)
    dense = [" ".join(rng.choice(UNIT_WORDS) for _ in range(rng.randint(1, 14))) for _ in range(3000)]
    docs = [nlp.make_doc(t) for t in texts + dense]
    words = [[t.text for t in doc] for doc in docs]
    rules = [r for r in ann.rules if simple(r.pattern)]
    assert len(rules) >= len(ann.rules) - 3
    assert len({r.id for r in rules}) == len(rules)  # a key per rule
    matcher = Matcher(nlp.vocab)
    for rule in rules:
        matcher.add(rule.id, [rule.pattern], greedy="LONGEST")
    matches: list[dict[int, list[tuple[int, int]]]] = []  # per Doc: rule key -> its matches in order
    for doc in docs:
        by_key: dict[int, list[tuple[int, int]]] = {}
        for key, s, e in matcher(doc):
            by_key.setdefault(key, []).append((s, e))
        matches.append(by_key)
    found = 0
    for rule in rules:
        key = nlp.vocab.strings[rule.id]
        seq = SeqMatcher(nlp.vocab, rule.pattern)
        for doc, ws, by_key in zip(docs, words, matches):
            want = by_key.get(key, [])
            assert seq(ws) == want, (rule.id, doc.text)
            found += bool(want)
    assert found > 500


def test_substrings_bits_equal_the_naive_search() -> None:
    from watext.tag.prefilter import B, Substrings

    rng = random.Random(5)
    alphabet = "abcä1-_.)("
    for _ in range(200):
        lits = ["".join(rng.choice(alphabet) for _ in range(rng.randint(1, 4))) for _ in range(rng.randint(1, 8))]
        lits = [B + x if rng.random() < 0.3 else x for x in lits]
        sub = Substrings(lits)
        for _ in range(30):
            w = "".join(rng.choice(alphabet) for _ in range(rng.randint(0, 9)))
            assert sub.word(w) == naive_word_bits(lits, w), (lits, w)


@pytest.mark.parametrize("lang", ["de", "en"])
def test_distancing_filter_from_run_bits(texts: list[str], lang: str) -> None:
    """The distancing prefilter read from bits OR'ed over cached runs chooses the patterns
    :meth:`RegexSet.candidates` chooses from the text (cased, unsafe and space characters)."""
    from watext.tag.polarity import polarity_for

    ann = Annotator()
    nlp = ann.nlp(lang)
    chunker, pol = ann.chunker(nlp), polarity_for(lang)
    width = pol.run_width
    assert width > 1
    shift = chunker.run_bits("distancing", pol.run_bits, width)
    rng = random.Random(13)
    pieces = sorted(pol.distancing.words.index) + ["Σ", "ς", "İ", "ſ", "K", "ß", "ẞ", "Ω", "ǅ"]
    extra = []
    for _ in range(3000):
        parts = []
        for _ in range(rng.randint(1, 8)):
            w = rng.choice(pieces) if rng.random() < 0.6 else rng.choice(PIECES)
            w = rng.choice([w, w.upper(), w.title(), w.lower()])
            parts += [w, rng.choice(SPACES)]
        extra.append("".join(parts))
    hits = 0
    for text in texts + extra:
        _, have, _ = chunker.cut(text)
        runs = have >> shift & ((1 << width) - 1)
        safe = not runs & 1
        got = pol.distancing.chosen(safe, runs >> 1 if safe else 0, 0)
        assert got == pol.distancing.candidates(text), text
        hits += bool(got)
    assert hits > 300


def test_caseless_safe_characters_keep_whitespace_apart() -> None:
    """What :meth:`RegexSet.run_bits` relies on: a caseless-safe character lowercases to
    one character, which is whitespace exactly when the character is."""
    from watext.tag.prefilter import caseless_safe

    for cp in range(0x110000):
        c = chr(cp)
        if caseless_safe(c):
            low = c.lower()
            assert len(low) == 1 and low.isspace() == c.isspace(), hex(cp)
