"""Known cities (data in ``rules/cities.jsonl``), how strongly a text names one, and
which city wrote a document (:func:`detect_city`: hint, metadata, title, weighted
mentions, then the file name; a city only listed among several partners is not returned).

:class:`City` carries the spellings a city is written with; :func:`_score_text` weighs its
mentions (author formulas and "Stadt X" count more than a bare name). Patterns are compiled once per city and only tried on
texts that mention one of its spellings at all.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

from watext.enrich.doctype import title_text
from watext.enrich.fold import fold, transliterate
from watext.enrich.submission import UNPARSED, parse_submission
from watext.errors import ConfigError
from watext.files import read_jsonl
from watext.model import Document

__all__ = ["DEFAULT_CITIES", "City", "detect_city", "fold", "load_cities"]

DEFAULT_CITIES = Path(__file__).parent / "rules" / "cities.jsonl"


# --------------------------------------------------------------------------- cities
@dataclass(frozen=True, slots=True)
class City:
    """A known city; ``ambiguous`` names (e.g. "Essen") only count in strong patterns."""

    name: str
    aliases: tuple[str, ...] = ()
    country: str = ""
    lang: str = ""
    ambiguous: bool = False
    variants: tuple[str, ...] = field(default=(), compare=False)

    @classmethod
    def of(cls, name: str, aliases: Sequence[str] = (), **kw: Any) -> City:
        spellings = [name, *aliases]
        for s in list(spellings):
            spellings.append(transliterate(s))
            spellings.append(re.split(r" (?:am|im|an der) ", s)[0])
        # Drop "Stadt X"-style aliases: the patterns below cover them.
        names = {s for s in spellings if not re.match(r"(?:Stadt|Gemeinde|Landeshauptstadt) ", s)}
        names |= {re.sub(r"^\S+ ", "", s) for s in spellings if " " in s and s not in names}
        return cls(name, tuple(aliases), variants=tuple(sorted(names, key=len, reverse=True)), **kw)


def load_cities(path: str | Path | None = None) -> list[City]:
    """Read a JSONL city list; raise :class:`ConfigError` naming the bad line."""
    path = Path(path) if path else DEFAULT_CITIES
    cities = []
    for no, d in read_jsonl(path):
        try:
            if not isinstance(d.get("name"), str) or not d["name"]:
                raise ValueError("'name' must be a non-empty string")
            aliases = d.get("aliases", [])
            if not isinstance(aliases, list) or not all(isinstance(a, str) for a in aliases):
                raise ValueError("'aliases' must be a list of strings")
            unknown = set(d) - {"name", "aliases", "country", "lang", "ambiguous"}
            if unknown:
                raise ValueError(f"unknown keys {sorted(unknown)}")
            cities.append(_city(d["name"], tuple(aliases), str(d.get("country", "")),
                                str(d.get("lang", "")), bool(d.get("ambiguous"))))
        except ValueError as exc:
            raise ConfigError(f"{path.name}:{no}: bad city entry: {exc}") from exc
    return cities


@lru_cache(maxsize=4096)
def _city(name: str, aliases: tuple[str, ...], country: str, lang: str, ambiguous: bool) -> City:
    """``City.of`` kept per entry (a City is immutable): its spellings take most of a file's loading."""
    return City.of(name, aliases, country=country, lang=lang, ambiguous=ambiguous)


@lru_cache(maxsize=1)
def _default_cities() -> dict[str, City]:
    return {c.name: c for c in load_cities()} if DEFAULT_CITIES.exists() else {}


_STRONG = [r"(?:Rat|Magistrat|Stadtverwaltung|Verwaltung|Oberbürgermeister(?:in)?|Bürgermeister(?:in)?)"
           r" der (?:Landeshauptstadt|Wissenschaftsstadt|Universitätsstadt|Stadt|Gemeinde) {c}",
           r"(?:Landeshauptstadt|Wissenschaftsstadt|Universitätsstadt|Hansestadt|Stadt|Gemeinde"
           r"|Stadtverwaltung|Comune di|City of|Town of|Ville de|Gemeente|Stad) {c}\b",
           r"\b{c} (?:City|Borough|Town) Council\b", r"\b{c} [Kk]ommune\b", r"\b{c}er Stadtrat\b"]
_AUTHOR = [r"\b{c}(?:s|'s|’s) Partnerst", r"Partnerstädte(?:n)? (?:von|der Stadt) {c}\b",
           r"\b{c}(?:'s|’s|s) (?:partner|twin) (?:cities|towns)\b"]


def _as_cities(known: Sequence[str | City]) -> list[City]:
    defaults = _default_cities()
    return [c if isinstance(c, City) else defaults.get(c) or City.of(c) for c in known]


@lru_cache(maxsize=4096)
def _bare_pattern(variants: tuple[str, ...]) -> re.Pattern[str]:
    return re.compile(r"(?<![\w-])(?:" + "|".join(re.escape(v) for v in variants) + r")(?![\w-])")


@lru_cache(maxsize=4096)
def _context_patterns(variants: tuple[str, ...]) -> tuple[tuple[re.Pattern[str], int], ...]:
    alt = "(?:" + "|".join(re.escape(v) for v in variants) + ")"
    return tuple((re.compile(_leading_boundary(p, variants) or p.format(c=alt)), w)
                 for p, w in [(p, 10) for p in _AUTHOR] + [(p, 4) for p in _STRONG])  # fmt: skip


def _leading_boundary(pattern: str, variants: tuple[str, ...]) -> str | None:
    r"""``pattern`` starting ``\b{c}`` with the ``\b`` moved behind each spelling's first character
    (as a look back at it and the character before: not a word character there, or one if the
    spelling starts with none), so the pattern starts with literal characters: ``re`` then skips to
    where one of them is instead of trying every position (the same matches, many times faster).
    None for other patterns."""
    if not pattern.startswith(r"\b{c}") or not all(variants):
        return None
    alt = "|".join(re.escape(v[0]) + ("(?<!\\w" if re.match(r"\w", v[0]) else "(?<=\\w") + re.escape(v[0]) + ")"
                   + re.escape(v[1:]) for v in variants)  # fmt: skip
    return "(?:" + alt + ")" + pattern[len(r"\b{c}") :].format(c="(?:" + "|".join(map(re.escape, variants)) + ")")


def _mentioned(city: City, text: str) -> bool:
    """Cheap pre-check: does any variant occur in ``text`` at all (the patterns need one)?"""
    return any(v in text for v in city.variants)


@lru_cache(maxsize=64)
def _finder(variants: tuple[tuple[str, ...], ...]) -> tuple[re.Pattern[str], dict[str, frozenset[int]], frozenset[int]]:
    """For cities with these ``variants``: one pattern for all spellings (longest first); for each
    spelling it can match, the cities with a spelling that may start within that match (at its
    start: a prefix of it, later: where its end begins one); cities spelled "" (always in a text)."""
    spellings = sorted({v for vs in variants for v in vs if v}, key=len, reverse=True)
    by_start: dict[str, list[tuple[str, int]]] = {}
    for i, vs in enumerate(variants):
        for v in vs:
            if v:
                by_start.setdefault(v[0], []).append((v, i))
    may = {}
    for m in spellings:
        may[m] = frozenset(i for k in range(len(m)) for v, i in by_start.get(m[k], ())
                           if m.startswith(v, k) or v.startswith(m[k:]))  # fmt: skip
    empty = frozenset(i for i, vs in enumerate(variants) if "" in vs)
    return re.compile("|".join(map(re.escape, spellings)) or "(?!)"), may, empty


def _present(cities: list[City], text: str) -> list[City]:
    """``[c for c in cities if _mentioned(c, text)]``, asking only the cities that may occur: where
    one pattern of all spellings matches in one pass over the text (each occurrence of a spelling
    starts at or within a match: the text is read from a match's end on)."""
    pattern, may, empty = _finder(tuple(c.variants for c in cities))
    found = set(empty).union(*[may[m] for m in set(pattern.findall(text))])
    return [c for i, c in enumerate(cities) if i in found and _mentioned(c, text)]


def _score_text(text: str, cities: list[City], plain: bool = True) -> Counter[str]:
    scores: Counter[str] = Counter()
    blocks = [b for b in re.split(r"\n\s*\n|\n", text) if b.strip()]
    present = _present(cities, text)  # most known cities never occur
    for city in present:
        for pat, weight in _context_patterns(tuple(city.variants)):
            scores[city.name] += weight * len(pat.findall(text))
    if plain:
        plain_cities = [c for c in present if not c.ambiguous]
        for b in blocks:
            found = {c.name for c in plain_cities if _mentioned(c, b) and _bare_pattern(tuple(c.variants)).search(b)}
            if len(found) == 1 and not re.fullmatch(r"[\W\d]*[\w .-]{1,30}[\W\d]*", b.strip()):
                scores[found.pop()] += 1  # lists of cities and bare name lines don't count
    return +scores


def _decide(scores: Counter[str], need_strong: bool = False) -> str | None:
    ranked = scores.most_common(2)
    if not ranked or (len(ranked) == 2 and ranked[0][1] == ranked[1][1]):
        return None
    best, top = ranked[0]
    runner = ranked[1][1] if len(ranked) == 2 else 0
    if top >= 4 or (not need_strong and top >= 2 and top >= 2 * runner):
        return best
    return None


@lru_cache(maxsize=4096)
def _folded(*spellings: str) -> tuple[str, ...]:
    return tuple(fold(v) for v in spellings)


@lru_cache(maxsize=4096)
def _name_pattern(spellings: tuple[str, ...]) -> re.Pattern[str]:
    """Any of ``spellings``, folded, as a word of a folded file name."""
    return re.compile(r"(?<![a-z])(?:" + "|".join(re.escape(fold(v)) for v in spellings) + r")(?![a-z])")


def detect_city(doc: Document, known_cities: Sequence[str | City],
                hint: str | None = None, submission: Any = UNPARSED) -> str | None:
    """The document's author city from the hint, metadata, title, text, or file name.
    ``submission``: ``parse_submission(doc)`` when the caller has it already."""
    cities = _as_cities(known_cities)
    if hint:
        by_variant = {fold(v): c.name for c in cities for v in (c.name, *c.variants)}
        return by_variant.get(fold(hint), hint)
    meta = [str(v) for k, v in doc.metadata.items() if isinstance(v, str)]
    sub = parse_submission(doc) if submission is UNPARSED else submission
    meta += [e["gremium"] for e in (sub or {}).get("beratungsfolge", [])]
    if doc.city:
        meta.append(f"Stadt {doc.city}")
    if city := _decide(_score_text("\n".join(meta), cities, plain=False), need_strong=True):
        return city
    title = title_text(doc)
    in_title = {c.name for c in cities if not c.ambiguous
                and _mentioned(c, title) and _bare_pattern(tuple(c.variants)).search(title)}
    if len(in_title) == 1:
        return in_title.pop()
    if city := _decide(_score_text(doc.text, cities)):
        return city
    stem = fold(Path(doc.source).stem) if doc.source else ""
    in_name = {c.name for c in cities  # the pattern only for a city whose spelling is in the name
               if any(f in stem for f in _folded(c.name, *c.variants)) and _name_pattern((c.name, *c.variants)).search(stem)}  # fmt: skip
    return in_name.pop() if len(in_name) == 1 else None
