"""``cities._present`` (one pattern pass, then the cities that may occur) finds exactly the cities
``_mentioned`` finds one by one: random texts made of overlapping spellings, random city lists."""

from __future__ import annotations

import random

from watext.enrich import cities as C
from watext.enrich.cities import City

_SPELLINGS = ["Essen", "Essenbach", "Bach", "Hamburg", "Burg", "Burgau", "Neu-Ulm", "Ulm", "Ulmen", "Au",
              "Aue", "Augsburg", "Sachsen", "Essen-Werden", "Erlangen", "Langen", "Ingen", "ngen", "Hambur",
              "a", "aa", "München", "Muenchen", "Nürnberg", "sen", "senden", "ngenau", "rgau"]  # fmt: skip
_FILLER = ["", " ", "-", "x", "er", "ss", "\n", "en", "a"]


def _city(rng: random.Random, k: int) -> City:
    variants = tuple(sorted(set(rng.sample(_SPELLINGS, rng.randint(1, 3))), key=len, reverse=True))
    if rng.random() < 0.02:
        variants += ("",)
    return City(f"City{k}", variants=variants)


def test_present_matches_mentioned() -> None:
    rng = random.Random(21)
    for _ in range(3_000):
        cities = [_city(rng, k) for k in range(rng.randint(0, 8))]
        parts = rng.choices(_SPELLINGS + _FILLER, k=rng.randint(0, 12))
        text = "".join(p[: rng.randint(1, len(p))] if p and rng.random() < 0.3 else p for p in parts)
        want = [c for c in cities if C._mentioned(c, text)]
        assert C._present(cities, text) == want, (text, [c.variants for c in cities])


def test_present_on_known_cities() -> None:
    cities = C.load_cities()
    text = "Die Landeshauptstadt München und Nürnberg-Fürth, Frankfurt am Main; Erlangens Stadtrat"
    assert C._present(cities, text) == [c for c in cities if C._mentioned(c, text)]


def test_context_patterns_match_the_plain_patterns() -> None:
    """The context patterns with the leading ``\\b`` moved (``_leading_boundary``) find what the
    patterns as written find, with spellings that start with a word character or not."""
    import re

    rng = random.Random(4)
    spellings = ["München", "Muenchen", "Munich", "Ulm", "U", "'s-Hertogenbosch", "(Stadt)", "Köln", "é"]
    glue = ["", " ", "x", "s", "'s", "’s", " Partnerstädte", " partner cities", " City Council", " Kommune",
            "er Stadtrat", " twin towns", "-", "\n", "_", "9", "Stadt ", "Rat der Stadt "]
    for _ in range(2_000):
        variants = tuple(sorted(set(rng.sample(spellings, rng.randint(1, 3))), key=len, reverse=True))
        text = "".join(rng.choices(spellings + glue + glue, k=rng.randint(0, 14)))
        alt = "(?:" + "|".join(re.escape(v) for v in variants) + ")"
        plain = [re.compile(p.format(c=alt)) for p in C._AUTHOR + C._STRONG]
        fast = [pat for pat, _ in C._context_patterns(variants)]
        for want, got in zip(plain, fast, strict=True):
            assert got.findall(text) == want.findall(text), (variants, text, want.pattern)
    assert sum(C._leading_boundary(p, ("Ulm",)) is not None for p in C._AUTHOR + C._STRONG) >= 4


def test_a_file_name_is_matched_only_against_cities_spelled_in_it() -> None:
    """The file-name fallback compiles a city's pattern only when one of its folded spellings is
    in the folded name; the cities found are those the patterns alone find."""
    from watext.model import Block, BlockKind, Document, Format
    from watext.enrich.fold import fold

    rng = random.Random(4)
    known = [City(f"City{k}", variants=tuple(rng.sample(_SPELLINGS, rng.randint(1, 2)))) for k in range(12)]
    doc = Document(id="", source="", format=Format.TEXT, blocks=[Block(BlockKind.PARAGRAPH, "Kein Ort hier.")])
    C._name_pattern.cache_clear()
    for _ in range(400):
        stem = "_".join(rng.choices([*_SPELLINGS, "Vorlage", "2026", "ae", "x"], k=rng.randint(1, 4)))
        doc.source = f"/in/{stem}.pdf"
        names = {c.name for c in known if C._name_pattern((c.name, *c.variants)).search(fold(stem))}
        assert C.detect_city(doc, known) == (names.pop() if len(names) == 1 else None)
    C._name_pattern.cache_clear()
    doc.source = "/in/Vorlage_2026.pdf"
    assert C.detect_city(doc, known) is None and C._name_pattern.cache_info().currsize == 0
