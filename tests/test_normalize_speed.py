"""The fast paths of the PDF text cleanup (``clean_text``, ``join_pair``) give exactly what the
straightforward code gives.

Random strings over an alphabet of the characters that matter (spaces of all kinds, line breaks,
ligatures, invisible characters, combining marks that NFC composes) go through the fast path and
through the original step-by-step version kept here.
"""

from __future__ import annotations

import random
import re
import unicodedata

from watext.extract import normalize
from watext.extract.normalize import STANDALONE_WORDS, clean_text, is_bullet, join_pair

_SPACES = re.compile(r"[ \t\f\v]+")


def _reference_clean_text(text: str) -> str:
    text = unicodedata.normalize("NFC", text).translate(normalize._LIGATURES)
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    lines = [_SPACES.sub(" ", line).strip() for line in text.split("\n")]
    return "\n".join(lines).strip()


_ALPHABET = (
    list("abcXYZ019-.,") + ["ä", "ß", "é", "e\u0301", "a\u0308", "\u0301", "ﬁ", "ﬀ", "ﬄ"]
    + [" ", " ", " ", "  ", "\t", "\n", "\r", "\r\n", "\f", "\v", "\x1c", "\x85", "\u2028"]
    + ["\u00a0", "\u2009", "\u202f", "\u3000", "\u00ad", "\u200b", "\ufeff", "\ue000", "\u212b"]
)


def test_clean_text_matches_reference_on_random_strings() -> None:
    rng = random.Random(1234)
    for _ in range(20_000):
        n = rng.randint(0, 12)
        weights = None if rng.random() < 0.5 else [20 if len(c) == 1 and c.isalnum() else 1 for c in _ALPHABET]
        text = "".join(rng.choices(_ALPHABET, weights=weights, k=n))
        assert clean_text(text) == _reference_clean_text(text), repr(text)


def test_clean_text_matches_reference_on_plain_lines() -> None:
    rng = random.Random(99)
    words = ["Die", "Stadt", "München", "Straße", "Fuß-", "weg", "3.", "(a)", "café", "ﬁnal", "e\u0301t\u00e9"]
    for _ in range(5_000):
        text = " ".join(rng.choices(words, k=rng.randint(1, 8)))
        if rng.random() < 0.3:
            text = rng.choice([" ", "", "\t"]) + text + rng.choice([" ", "", "\n"])
        assert clean_text(text) == _reference_clean_text(text), repr(text)


def test_clean_text_matches_reference_on_cell_lines() -> None:
    rng = random.Random(7)
    words = ["Die", "Stadt", "Straße", "ﬁnal", "-", "•", "a\u0308b"]
    for _ in range(5_000):
        text = rng.choice(["\n", "\n\n", " \n", "\n "]).join(
            " ".join(rng.choices(words, k=rng.randint(1, 4))) for _ in range(rng.randint(1, 4)))
        assert clean_text(text) == _reference_clean_text(text), repr(text)


_HYPHEN_CONJUNCTIONS = {"und", "oder", "bzw.", "bzw", "sowie", "als", "wie", "bis", "u.", "&", "and", "or"}


def _reference_join_pair(left: str, right: str, *, midword: bool = False) -> str:
    left, right = left.rstrip(), right.lstrip()
    if not left:
        return right
    if not right:
        return left
    last = left.split()[-1]
    first = right.split(maxsplit=1)[0]
    if last.endswith("-") and len(last) > 1 and last[-2].isalnum():
        if first.lower() in _HYPHEN_CONJUNCTIONS or first[0] in "(„\"":
            return f"{left} {right}"
        if first[0].islower():
            return left[:-1] + right
        return left + right
    if midword and first[0].islower() and last[-1].isalpha():
        words = [w for w in left.split() if not is_bullet(w)]
        if len(words) == 1 and first.lower().rstrip(",.;:") not in STANDALONE_WORDS:
            return left + right
    return f"{left} {right}"


def test_join_pair_matches_reference() -> None:
    rng = random.Random(5)
    tokens = ["Zuständigkei", "t", "und", "Fach-", "Anti-", "-", "•", "–", "\ue001", "x", "oder", "(a)", "„b",
              "Integrations-", "konzept", "Wort", "wort,", "in", "ab", " ", "\t"]
    assert _HYPHEN_CONJUNCTIONS == normalize._HYPHEN_CONJUNCTIONS
    for _ in range(20_000):
        left = " ".join(rng.choices(tokens, k=rng.randint(0, 5)))
        right = " ".join(rng.choices(tokens, k=rng.randint(0, 3)))
        for midword in (False, True):
            assert join_pair(left, right, midword=midword) == _reference_join_pair(left, right, midword=midword), \
                (left, right, midword)
