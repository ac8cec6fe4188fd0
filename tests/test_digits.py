"""Runs cut by their digit template (:mod:`watext.tag.digits`, :mod:`watext.tag.chunks`)
are cut exactly as spaCy's tokenizer cuts them, and the token facts read from strings
without a lexeme are those of spaCy's lexemes."""

from __future__ import annotations

import random
import re
from re import _parser  # type: ignore[attr-defined]

import pytest

from watext.tag.digits import _guards, digit_keys
from watext.tag.nlp import Annotator

from .test_tokens import naive_word_bits

PIECES = ["12.03.2024", "1.000,50", "1.000,50 €", "3,5%", "20-26 / V 02318", "(Nr. 2-417)", "Nr.123", "§ 5 Abs. 2",
          "§5", "5€", "€5", "10-15", "1.", "2)", "a)", "(16-2)", "12:30", "12:30h", "1/2", "2016/17", "v1.2.3",
          "COVID-19", "4711er", "1990er-Jahre", "2.OG", "3.", "30.", "0.5", "5.0", "0.0", "10.05.", "8)", "8-)",
          ":0", ":1", "<3", "<33", "3am", "10am", "11p.m.", "12pm", "1a.m.", "5pm.", "(3pm)", "192.168.0.1",
          "10.0.0.1", "1.2.3.4", "http://10.1.2.3/x", "https://www.stadt1.de/a?b=2", "www.koeln2030.de",
          "info2@stadt.de", "+49 221 123-45", "0221/123456", "DE89 3704 0044", "B-Plan Nr. 77", "TOP 4",
          "4.1.2", "1.1.", "1,-", "5,- EUR", "2x", "x2", "3D", "²", "½", "٣٤", "１２", "15th", "1st", "2nd", "21st",
          "'90", "'20er", "(1)", "[2]", "{3}", "„2024“", "»5«", "-1", "+1", "1+1", "1-2-3", "1--2", "1—2", "1–2",
          "1…", "…1", "1...", "1'000", "1`", "x1y", "A1", "a1b2c3", "9-Euro-Ticket", "Drs. 20/1234", "S. 12f.",
          "S. 12ff.", "Ziff. 3.2", "Abs.2", "Kita's", "Geflüchtete", "the council", "Die Stadt", "und", "für",
          "z.B.", "u.a.", "Dr.", "e.V.", "U.S.", "don't", "it's", ",", ".", ";", ":", "!", "?", "(", ")", "-", "/"]
SPACES = [" ", " ", " ", " ", "  ", "\n", "\t", "\xa0", ""]


def _redigit(rng: random.Random, s: str) -> str:
    return "".join(rng.choice("0123456789") if c in "0123456789" and rng.random() < 0.8 else c for c in s)


def _texts(seed: int, n: int) -> list[str]:
    rng = random.Random(seed)
    out = []
    for _ in range(n):
        parts = []
        for _ in range(rng.randint(1, 10)):
            piece = rng.choice(PIECES)
            parts.append(_redigit(rng, piece) if rng.random() < 0.9 else piece)
            if rng.random() < 0.2:  # glue pieces into one run
                parts.append(_redigit(rng, rng.choice(PIECES)))
            parts.append(rng.choice(SPACES))
        out.append("".join(parts))
    return out


@pytest.mark.parametrize("primed", [False, True])
@pytest.mark.parametrize("lang", ["de", "en", "xx"])
def test_digit_templates_cut_as_spacy(lang: str, primed: bool) -> None:
    ann = Annotator()
    nlp = ann.nlp(lang)
    chunker, facts, filt = ann.chunker(nlp), ann.facts(nlp), ann._filters[nlp.lang]
    assert chunker.keys is not None, "the pipeline's rules allow digit templates"
    texts = _texts(3 if primed else 4, 4000) + [f"(Nr. {i}-{j})" for i in range(3) for j in range(0, 400, 7)]
    if primed:
        chunker.prime(texts)
    # everything is read before spaCy sees the texts: token strings without lexemes
    got = [(chunker.cut(t)[0], chunker.cut(t)[1], chunker.cut(t)[2]()) for t in texts]
    assert len(chunker._models) > 200, "the template path was taken"
    for text, (words, have, tokens) in zip(texts, got):
        want = facts.of(nlp.tokenizer(text))
        assert tokens == want, text
        assert words == [f[2] for f in tokens[0] if f[3]], text
        assert have == filt.have(tokens[0]), text


@pytest.mark.parametrize("lang", ["de", "en", "xx"])
def test_facts_of_text_equal_the_lexeme_facts(lang: str) -> None:
    ann = Annotator()
    nlp = ann.nlp(lang)
    facts = ann.facts(nlp)
    rng = random.Random(9)
    alphabet = "aZä1٣²½.,-/()'\"?!:;…€%&§ \u00ad\u200b"
    strings = [_redigit(rng, p) for p in PIECES] + ["".join(rng.choice(alphabet) for _ in range(rng.randint(1, 6)))
                                                     for _ in range(3000)]  # fmt: skip
    strings = [s for s in dict.fromkeys(strings) if s not in nlp.vocab]
    got = [facts.of_text(s) for s in strings]
    assert not any(s in nlp.vocab for s in strings), "no lexeme was made"
    for s, g in zip(strings, got):
        assert g == facts._make(nlp.vocab.strings.add(s)), s


def test_seq_matcher_bits_without_lexemes() -> None:
    from watext.tag.seqmatch import SeqMatcher

    nlp = Annotator().nlp("de")
    pattern = [{"IS_TITLE": True}, {"LIKE_NUM": True, "OP": "?"}, {"IS_DIGIT": False, "IS_ALPHA": False},
               {"IS_UPPER": True, "OP": "?"}, {"IS_LOWER": True}, {"IS_PUNCT": True}, {"LOWER": {"REGEX": "^[0-9a-z]+$"}}]
    rng = random.Random(2)
    strings = [s for s in dict.fromkeys(_redigit(rng, p) for p in PIECES * 5) if s not in nlp.vocab]
    fresh = SeqMatcher(nlp.vocab, pattern)
    got = [fresh._bits(s) for s in strings]
    assert not any(s in nlp.vocab for s in strings)
    made = SeqMatcher(nlp.vocab, pattern)
    assert got == [made._bits(nlp.vocab[s].orth_) for s in strings]


def _tree(pattern: str) -> _parser.SubPattern:
    return _parser.parse(pattern, re.compile(pattern).flags)


@pytest.mark.parametrize("pattern", [r"[0-9]+", r"\d{2,}x", r"[^\d]", r"\w+\.", r"[a-z0-9]", r"(?i)foo[^a-z]",
                                     r"(?=\d)\d", r"(?:ab|\d)+$"])
def test_digit_blind_patterns(pattern: str) -> None:
    assert _guards(_tree(pattern), _tree(pattern).state) == []


@pytest.mark.parametrize("pattern", [r"5", r"[1-9]", r"[^1]", r"(a)\1", r"x(?!1)", r"[0-8]\d", r"(?>1|a)"])
def test_digit_telling_patterns(pattern: str) -> None:
    assert _guards(_tree(pattern), _tree(pattern).state) is None


def test_guards_cover_every_match_of_their_alternative() -> None:
    """A widened alternative matches wherever the alternative does: random strings."""
    from re import _compiler  # type: ignore[attr-defined]

    pattern = r"^(?:(?!(?:10|127)(?:\.\d{1,3}){3})(?:[1-9]\d?|1\d\d|2[01]\d)(?:\.(?:1?\d{1,2}|25[0-5])){3}|[a-z]+)$"
    tree = _tree(pattern)
    guards = [_compiler.compile(g, 0) for g in _guards(tree, tree.state)]
    assert len(guards) == 1
    alt = re.compile(r"(?!(?:10|127)(?:\.\d{1,3}){3})(?:[1-9]\d?|1\d\d|2[01]\d)(?:\.(?:1?\d{1,2}|25[0-5])){3}")
    rng = random.Random(1)
    hits = 0
    for _ in range(20000):
        s = "".join(rng.choice("0123456789.a") for _ in range(rng.randint(1, 14)))
        if rng.random() < 0.5:  # address-like
            s = ".".join(str(rng.randint(0, 300)) for _ in range(rng.choice([3, 4, 4, 5]))) + s[: rng.randint(0, 2)]
        if alt.search(s):
            hits += 1
            assert guards[0].search(s), s
        if not guards[0].search(s):
            assert bool(re.match(pattern, s)) == bool(re.match(pattern, s.translate(str.maketrans("123456789", "0" * 9)))), s
    assert hits > 1000


def test_url_pattern_is_guarded() -> None:
    keys = digit_keys(Annotator().nlp("de"))
    assert keys is not None and len(keys) >= 2
    assert any(g.search("192.168.0.1") for g in keys[1:])
    assert not any(g.search("12.03.2024") for g in keys[1:])


def test_substrings_by_digit_template_equal_the_naive_search() -> None:
    """Words that differ only in their digits share cached bits when no literal has a digit."""
    from watext.tag.prefilter import B, Substrings

    rng = random.Random(6)
    words = ["".join(rng.choice("abä0123-_.)(") for _ in range(rng.randint(0, 8))) for _ in range(3000)]
    for round_ in range(300):
        alphabet = "abä-_.)(" if round_ % 3 else "abä12-_.)("
        lits = ["".join(rng.choice(alphabet) for _ in range(rng.randint(1, 3))) for _ in range(rng.randint(1, 8))]
        lits = [B + x if rng.random() < 0.3 else x for x in lits]
        sub = Substrings(lits)
        assert sub.blind == (round_ % 3 != 0 or not any(c in "12" for x in lits for c in x))
        for w in rng.sample(words, 60):
            assert sub.word(w) == naive_word_bits(lits, w), (lits, w)
