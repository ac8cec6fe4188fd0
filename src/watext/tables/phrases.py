"""Text rules behind the comparison tables: names of measures, orientations, practices,
guideline status and funding facts. Patterns live in ``rules/phrases.json`` and
``rules/measures.json``; this module only applies them.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from watext.errors import ConfigError

__all__ = [
    "Phrases", "canonical_measure", "canonical_measure_in", "clean_name", "is_bare_head", "guideline_status", "item_name",
    "load_phrases", "measure_goals", "measure_key", "measure_phrase", "orientation_kind", "strip_article",
]  # fmt: skip

RULES_DIR = Path(__file__).parent / "rules"
_QUOTES = "„“”\"'‚‘’«»"
_VERB_HINT = re.compile(
    r"\b(ist|sind|wird|werden|wurde|wurden|hat|haben|gibt|bietet|bieten|treffen|is|are|was|were|has|have|"
    r"offers|provides|takes|runs|will|would|can|könnte|würden|würde|"
    r"entscheidet|entscheiden|vergibt|vergeben|verwaltet|genehmigt|bewilligt|liegt|"
    r"decides?|adopts?|allocates?|administers|administered|approves?|awarded)\b", re.IGNORECASE)  # fmt: skip


@dataclass(frozen=True, slots=True)
class Phrases:
    """Compiled pattern lists of ``rules/phrases.json`` by key."""

    rules: dict[str, tuple[re.Pattern[str], ...]]

    def any(self, key: str, text: str) -> bool:
        """True when a pattern of ``key`` occurs in ``text``."""
        return any(p.search(text) for p in self.rules[key])


@lru_cache(maxsize=2)
def load_phrases(path: str | None = None) -> Phrases:
    """The phrase rules (validated: every value a list of valid regular expressions)."""
    p = Path(path) if path else RULES_DIR / "phrases.json"
    try:
        data = json.loads(p.read_text(encoding="utf-8"))
        rules = {k: tuple(re.compile(x, re.IGNORECASE) for x in v)
                 for k, v in data.items() if not k.startswith("_")}  # fmt: skip
    except (OSError, ValueError, TypeError, re.error) as exc:
        raise ConfigError(f"{p.name}: invalid phrase rules: {exc}") from exc
    return Phrases(rules)


Groups = tuple[tuple[str, tuple[re.Pattern[str], ...]], ...]


@lru_cache(maxsize=2)
def _group_goals(path: str | None = None) -> dict[str, tuple[str, ...]]:
    from watext.model import GOAL_LABELS

    p = Path(path) if path else RULES_DIR / "measures.json"
    try:
        data = json.loads(p.read_text(encoding="utf-8"))
        out = {g["name"]: tuple(g.get("goals") or ()) for g in data.get("groups", [])}
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise ConfigError(f"{p.name}: invalid measure rules: {exc}") from exc
    bad = {x for goals in out.values() for x in goals} - set(GOAL_LABELS)
    if bad:
        raise ConfigError(f"{p.name}: unknown goals {sorted(bad)}")
    return out


@lru_cache(maxsize=2)
def _group_display(path: str | None = None) -> dict[str, dict[str, str]]:
    """Synonym group name -> ``{language: display name}`` (``measures.json`` ``display``)."""
    from watext import i18n

    p = Path(path) if path else RULES_DIR / "measures.json"
    try:
        data = json.loads(p.read_text(encoding="utf-8"))
        out = {g["name"]: {i18n.DEFAULT: g["name"], **dict(g.get("display") or {})}
               for key in ("groups", "best_practice_groups") for g in data.get(key, [])}  # fmt: skip
    except (OSError, ValueError, KeyError, TypeError, AttributeError) as exc:
        raise ConfigError(f"{p.name}: invalid measure rules: {exc}") from exc
    bad = {code for names in out.values() for code in names} - set(i18n.LANGS)
    if bad:
        raise ConfigError(f"{p.name}: display names in unknown languages {sorted(bad)}")
    return out


def display_name(name: str) -> str:
    """The name of a measure or best practice in the language in force: a synonym group's
    display name (its German ``name`` by default); a name that matched no group as the
    document wrote it."""
    from watext import i18n

    names = _group_display().get(name)
    return names.get(i18n.lang(), name) if names else name


def measure_goals(canonical: str) -> tuple[str, ...]:
    """The goals TAXONOMY.md gives the synonym group ``canonical`` (empty for other names)."""
    return _group_goals().get(canonical, ())


@lru_cache(maxsize=2)
def _all_measure_rules(path: str | None = None) -> tuple[Groups, Groups, frozenset[str]]:
    p = Path(path) if path else RULES_DIR / "measures.json"

    def groups(key: str) -> Groups:
        return tuple((g["name"], tuple(re.compile(x, re.IGNORECASE) for x in g["patterns"]))
                     for g in data.get(key, []))  # fmt: skip

    try:
        data = json.loads(p.read_text(encoding="utf-8"))
        out = groups("groups"), groups("best_practice_groups")
        strip = frozenset(w.casefold() for w in data.get("strip_words", []))
    except (OSError, ValueError, KeyError, TypeError, re.error) as exc:
        raise ConfigError(f"{p.name}: invalid measure rules: {exc}") from exc
    return out[0], out[1], strip


def _measure_rules() -> tuple[Groups, frozenset[str]]:
    groups, _, strip = _all_measure_rules()
    return groups, strip


def clean_name(text: str) -> str:
    """Strip quotes, bullets, trailing punctuation and whitespace from a short name."""
    t = re.sub(r"\s+", " ", text).strip().strip("•–-—·*").strip()
    t = t.rstrip(".:;,").strip()
    if len(t) > 2 and t[0] in _QUOTES and t[-1] in _QUOTES:
        t = t[1:-1].strip()
    return t


def strip_article(name: str) -> str:
    """``name`` without a leading article ("Ein Welcome Center" -> "Welcome Center")."""
    for p in load_phrases().rules["leading_article"]:
        name = p.sub("", name, count=1)
    return name


def item_name(text: str, max_words: int = 8, split: bool = True) -> str | None:
    """The name a short passage gives (a slide fragment, a list heading, the part before
    ``:`` or the first clause), or None when the passage is a sentence without one."""
    raw = re.sub(r"\s+", " ", text).strip().rstrip(".")
    t = clean_name(text)
    if not t or t.endswith("?"):
        return None
    if len(raw) > 2 and raw[0] in _QUOTES and raw[-1] in _QUOTES and len(t.split()) <= 2 * max_words:
        return t  # a quoted title: "Wir sind Freiberg – lokales Netz für ..."
    words = t.split()
    if len(words) <= max_words and not _VERB_HINT.search(t) and not t.endswith(":"):
        return t
    if not split:
        return None
    for sep in (":", " – ", " — ", " - "):
        head = t.split(sep, 1)[0]
        if head != t and 0 < len(head.split()) <= max_words and not _VERB_HINT.search(head):
            return clean_name(head)
    head = re.split(r",\s|\s\(|;", t, maxsplit=1)[0]
    if head != t and len(head.split()) <= max_words and not _VERB_HINT.search(head):
        return clean_name(head)
    return None


@lru_cache(maxsize=2)
def _phrase_rules() -> dict[str, tuple[tuple[str, ...], frozenset[str], frozenset[str]]]:
    """Per language: head-noun endings, link words, stop words (function words)."""
    p = RULES_DIR / "measures.json"
    stop_path = Path(__file__).resolve().parents[1] / "enrich" / "rules" / "stopwords.json"
    try:
        data = json.loads(p.read_text(encoding="utf-8"))
        stop = json.loads(stop_path.read_text(encoding="utf-8"))
        return {lang: (tuple(h.casefold() for h in data["head_nouns"][lang]),
                       frozenset(w.casefold() for w in data["np_links"][lang]),
                       frozenset(w.casefold() for w in stop[lang]) | _DETERMINERS)
                for lang in ("de", "en")}  # fmt: skip
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise ConfigError(f"{p.name}: invalid measure phrase rules: {exc}") from exc


_DETERMINERS = frozenset(
    "der die das den dem des ein eine einen einem einer eines kein keine keinen unser unsere unseren "
    "unserem unserer diese dieser dieses diesen jede jeder jedes alle allen viele mehrere zahlreiche "
    "the a an our this these those each every all many several numerous its their "
    "ihnen ihr ihre ihren ihrem ihrer sie wir uns euch ihm ihn es man sich sein seine seinen "
    "them they we us you it he she his her".split())  # fmt: skip
_TOKEN = re.compile(r"[„“\"‚‘«»]|[\w][\w\-]*(?:[.’'][\w]+)*[“”\"‘’«»]?")
_ADJ_END = ("e", "en", "er", "es", "em", "isch", "ische", "ischen")


def is_bare_head(name: str, lang: str | None) -> bool:
    """True when ``name`` is only a generic head noun ("Beratung", "service"), no measure of its own."""
    heads = _phrase_rules()["de" if lang == "de" else "en"][0]
    return name.strip().casefold() in heads


def measure_phrase(text: str, lang: str | None) -> str | None:
    """A short name for a measure written as a full sentence: the noun phrase around the
    first word ending in a head noun (``rules/measures.json``), with the adjectives before
    it and one linked phrase after it ("die Interkulturelle Woche findet … statt" ->
    "Interkulturelle Woche"; "Municipal interpreter service in 50 languages" ->
    "Municipal interpreter service"). None when the text names no measure."""
    lang = "de" if lang == "de" else "en"
    heads, links, stop = _phrase_rules()[lang]
    toks = [(m.start(), m.end(), m.group()) for m in _TOKEN.finditer(text)]

    def word(i: int) -> str:
        return toks[i][2].strip(_QUOTES).casefold()

    def joined(a: int, b: int) -> bool:  # only spaces (or a hyphen) between tokens a < b
        return not text[toks[a][1]:toks[b][0]].strip(" -")

    for i, (_, _, tok) in enumerate(toks):
        w = word(i)
        if len(w) < 3 or w in stop:
            continue
        # German compounds end in their head noun ("Sprachkurse"); English heads are words
        if not any(w.endswith(h) if lang == "de" else (w in (h, h + "s", h + "es") or w.endswith("-" + h)) for h in heads):
            continue
        if lang == "de" and not tok.strip(_QUOTES)[:1].isupper():
            continue  # German nouns are capitalised
        j = i
        while j > 0 and i - j < 3 and joined(j - 1, j):
            lw, lt = word(j - 1), toks[j - 1][2]
            if not lw or lw in stop or lw in links or lw.isdigit() or _VERB_HINT.fullmatch(lw):
                break
            if lang == "de" and not lw.endswith(_ADJ_END):
                break
            if lt[-1:] in _QUOTES or (lang == "en" and lw.endswith("ly")):
                break
            j -= 1
        k = i
        if k + 1 < len(toks) and joined(k, k + 1) and word(k + 1) in links:
            m = k + 2
            while m < len(toks) and word(m) in _DETERMINERS and joined(m - 1, m):
                m += 1
            end = None
            while m < len(toks) and m - k <= 5 and joined(m - 1, m):
                lw, lt = word(m), toks[m][2].strip(_QUOTES)
                if not lw or lw in stop or lw in links or _VERB_HINT.fullmatch(lw):
                    break
                if lang == "de":
                    if lt[:1].isupper():
                        end = m
                        nxt = toks[m + 1][2] if m + 1 < len(toks) else ""
                        if not (lw.endswith(_ADJ_END) and nxt[:1].isupper() and joined(m, m + 1)):
                            break  # "im Neuen Rathaus": a capitalised adjective goes on to its noun
                    if not lw.endswith(_ADJ_END):
                        break
                else:
                    end = m
                m += 1
            if end is not None:
                k = end
        if k + 1 < len(toks) and toks[k + 1][2] in "„“\"«" and joined(k, k + 1):
            close = text.find("“" if toks[k + 1][2] == "„" else toks[k + 1][2], toks[k + 1][1])
            if close != -1 and len(text[toks[k + 1][1]:close].split()) <= 10:
                return text[toks[j][0]:close + 1].strip()
        name = clean_name(text[toks[j][0]:toks[k][1]])
        return name if name and len(name.split()) <= 8 else None
    return None


def canonical_measure(name: str, kind: str = "measure") -> tuple[str, bool]:
    """``(canonical name, matched a synonym group)`` for a measure name (``kind``
    ``"best_practice"``: the best-practice groups, which keep the survey's own names)."""
    measures, practices, _ = _all_measure_rules()
    canon = _earliest_group(name, practices if kind == "best_practice" else measures)
    return (canon, True) if canon else (name, False)


def _earliest_group(text: str, groups: Groups) -> str | None:
    """The group whose pattern matches earliest in ``text`` (ties: the group listed first):
    "AG Ausländer im Stadtparlament … mit Migrantenvereinen" names the AG, not the Vereine."""
    found = _earliest_group_at(text, groups)
    return found[1] if found else None


def _earliest_group_at(text: str, groups: Groups) -> tuple[int, str] | None:
    best: tuple[int, str] | None = None
    for canon, patterns in groups:
        for p in patterns:
            m = p.search(text)
            if m and (best is None or m.start() < best[0]):
                best = (m.start(), canon)
    return best


def canonical_measure_in(text: str, before: int | None = None) -> str | None:
    """The synonym group named earliest in ``text`` (a whole item sentence), or None; with
    ``before``, only a group named before that character offset."""
    found = _earliest_group_at(text, _all_measure_rules()[0])
    if found is None or (before is not None and found[0] >= before):
        return None
    return found[1]


def measure_key(name: str) -> str:
    """Merge key: case-folded words without punctuation and city adjectives."""
    _, strip = _measure_rules()
    words = re.findall(r"\w+", name.casefold())
    return " ".join(w for w in words if w not in strip)


def guideline_status(texts: list[str]) -> str:
    """``in_development`` > ``exists`` > ``none`` > ``unknown`` from a city's Q2 answers."""
    ph = load_phrases()
    if any(ph.any("guideline_in_development", t) for t in texts):
        return "in_development"
    if any(ph.any("guideline_exists", t) for t in texts):
        return "exists"
    if any(ph.any("guideline_none", t) for t in texts):
        return "none"
    return "unknown"


def orientation_kind(name: str) -> str | None:
    """``national_law`` / ``local_agenda`` / ``recommendations`` for an orientation name,
    None when the name is none of them (or a negation such as "Kein Leitfaden")."""
    ph = load_phrases()
    if ph.any("negation_start", name):
        return None
    for kind in ("national_law", "local_agenda", "recommendations"):
        if ph.any(f"orientation_{kind}", name):
            return kind
    return None
