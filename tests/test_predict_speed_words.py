"""A batch's texts cut into word ids with one ``lower()``/``split()`` of the joined texts
(:meth:`watext.tag.wordtable.WordIds.ids`) give the per-text cut, final sigma included."""

from __future__ import annotations

import itertools
import random

import pytest

from watext.tag.wordtable import WordIds

# cased, case-ignorable (apostrophe, combining acute, soft hyphen, middle dot, modifier
# letter), uncased, whitespace and NUL characters around capital sigmas
TRICKY = ["Σ", "Σ", "Α", "β", "x", "'", "\u0301", "\xad", "·", "ʰ", ".", "1", " ", "\n", "\xa0", "\u2028", "İ", "ẞ"]


def _cut(words: WordIds, texts: list[str], lower: bool) -> list[list[str]]:
    ids, ptr = words.ids(texts, lower=lower)
    assert len(ptr) == len(texts) + 1 and ptr[0] == 0 and ptr[-1] == len(ids)
    assert all(words.index[words.words[i]] == i for i in ids.tolist()), "one id per word"
    return [[words.words[i] for i in ids[a:b]] for a, b in zip(ptr, ptr[1:])]


@pytest.mark.parametrize("lower", [True, False])
def test_joined_cut_equals_per_text_cut(lower: bool) -> None:
    words = WordIds()
    short = ["".join(p) for n in range(3) for p in itertools.product(TRICKY[:12], repeat=n)]
    rng = random.Random(0)
    for _ in range(300):
        texts = [rng.choice(short) for _ in range(rng.randint(2, 40))]
        assert _cut(words, texts, lower) == [(t.lower() if lower else t).split() for t in texts]
    for _ in range(300):
        texts = ["".join(rng.choice(TRICKY) for _ in range(rng.randint(0, 12))) for _ in range(rng.randint(2, 30))]
        assert _cut(words, texts, lower) == [(t.lower() if lower else t).split() for t in texts]


def test_final_sigma_at_text_edges() -> None:
    words = WordIds()
    for texts in (["ΑΣ", "ΒΣ"], ["ΑΣ", "Σ"], ["Α", "Σ"], ["ΑΣ'", "Β"], ["Α'", "'Σ"], ["ΑΣ\u0301", "\u0301Β"],
                  ["ΟΔΟΣ", "Σ x"], ["", "Σ", ""], ["ΑΣ", "\x00", "ΒΣ"], ["a\x00b", "ΑΣ"], ["\x00"] * 3):
        assert _cut(words, texts, True) == [t.lower().split() for t in texts]


def test_caseless_safe_many_equals_per_text() -> None:
    from watext.tag import prefilter as P

    rng = random.Random(5)
    chars = "abcKkSsÄäöüßẞſıİΣσςΚκ\u212a\u0130\u1e9e Ωω€–\u0301 ДдǅǄ"
    for _ in range(400):
        texts = ["".join(rng.choice(chars[: rng.randint(3, len(chars))]) for _ in range(rng.randint(0, 8)))
                 for _ in range(rng.randint(0, 12))]  # fmt: skip
        assert P.caseless_safe_many(texts) == [P.caseless_safe(t) for t in texts]
    safe = ["Grüße", "Ämter", "für"]
    [P.caseless_safe(t) for t in safe]
    assert P.caseless_safe_many(safe) == [True] * 3 and P._UNKNOWN[-1][0] == len(P._SAFE_SET)
    assert P.caseless_safe_many(safe + ["İ"]) == [True, True, True, P.caseless_safe("İ")]

