"""Document-level metadata: council submission headers, document type and city.

Pure functions over a :class:`~watext.model.Document` (no I/O except :func:`load_cities`,
which reads the city list kept as data in ``tag/rules/cities.jsonl``).

- :func:`parse_submission` reads Vorlage-Nr., Vorlagenart, Öffentlichkeitsstatus and the
  Beratungsfolge table, preferring table grids and falling back to text lines.
- :func:`detect_doc_type` classifies the document (title/heading signals before body).
- :func:`detect_city` finds the author city: hint, metadata, title, weighted mentions,
  then the source file name. Cities only listed among several partners are not returned.
"""

from __future__ import annotations

import json
import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

from watext.errors import ConfigError
from watext.model import BlockKind, DocType, Document, Format

__all__ = [
    "City",
    "detect_city",
    "detect_doc_type",
    "fold",
    "load_cities",
    "parse_date",
    "parse_submission",
]

DEFAULT_CITIES = Path(__file__).parent / "tag" / "rules" / "cities.jsonl"


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
            spellings.append(_transliterate(s))
            spellings.append(re.split(r" (?:am|im|an der) ", s)[0])
        # Drop "Stadt X"-style aliases: the patterns below cover them.
        names = {s for s in spellings if not re.match(r"(?:Stadt|Gemeinde|Landeshauptstadt) ", s)}
        names |= {re.sub(r"^\S+ ", "", s) for s in spellings if " " in s and s not in names}
        return cls(name, tuple(aliases), variants=tuple(sorted(names, key=len, reverse=True)), **kw)


def load_cities(path: str | Path | None = None) -> list[City]:
    """Read a JSONL city list; raise :class:`ConfigError` naming the bad line."""
    path = Path(path) if path else DEFAULT_CITIES
    cities = []
    for no, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if not line.strip():
            continue
        try:
            d = json.loads(line)
            if not isinstance(d, dict) or not isinstance(d.get("name"), str) or not d["name"]:
                raise ValueError("'name' must be a non-empty string")
            aliases = d.get("aliases", [])
            if not isinstance(aliases, list) or not all(isinstance(a, str) for a in aliases):
                raise ValueError("'aliases' must be a list of strings")
            unknown = set(d) - {"name", "aliases", "country", "lang", "ambiguous"}
            if unknown:
                raise ValueError(f"unknown keys {sorted(unknown)}")
            cities.append(City.of(d["name"], aliases, country=str(d.get("country", "")),
                                  lang=str(d.get("lang", "")), ambiguous=bool(d.get("ambiguous"))))
        except ValueError as exc:  # json.JSONDecodeError is a ValueError
            raise ConfigError(f"{path}: line {no}: bad city entry: {exc}") from exc
    return cities


@lru_cache(maxsize=1)
def _default_cities() -> dict[str, City]:
    return {c.name: c for c in load_cities()} if DEFAULT_CITIES.exists() else {}


def _transliterate(s: str) -> str:
    return (s.replace("ä", "ae").replace("ö", "oe").replace("ü", "ue").replace("Ä", "Ae")
            .replace("Ö", "Oe").replace("Ü", "Ue").replace("ß", "ss").replace("ñ", "n")
            .replace("ł", "l").replace("Ł", "L"))


def fold(s: str) -> str:
    """Lower-case and transliterate umlauts, for spelling-tolerant comparisons."""
    return _transliterate(s.lower())


# --------------------------------------------------------------------------- dates
_MONTHS = {"januar": 1, "jan": 1, "jaenner": 1, "februar": 2, "feb": 2, "maerz": 3, "mrz": 3,
           "mar": 3, "april": 4, "apr": 4, "mai": 5, "juni": 6, "jun": 6, "juli": 7, "jul": 7,
           "august": 8, "aug": 8, "september": 9, "sep": 9, "sept": 9, "oktober": 10, "okt": 10,
           "november": 11, "nov": 11, "dezember": 12, "dez": 12}
_DATE_NUM = r"\d{1,2}\.\s?\d{1,2}\.\s?(?:\d{4}|\d{2})\b"
_DATE_WORD = r"\d{1,2}\.\s?[A-Za-zÄÖÜäöü]{3,9}\.?\s\d{4}\b"
_DATE_RE = re.compile(f"(?:{_DATE_NUM}|{_DATE_WORD})")


def parse_date(text: str) -> str | None:
    """``09.12.2014`` / ``9. Dezember 2014`` / ``09.12.14`` -> ``2014-12-09``; else None."""
    m = re.search(r"(\d{1,2})\.\s?(\d{1,2})\.\s?(\d{4}|\d{2})\b", text)
    if m:
        d, mo, y = int(m[1]), int(m[2]), int(m[3])
    else:
        m = re.search(r"(\d{1,2})\.\s?([A-Za-zÄÖÜäöü]{3,9})\.?\s(\d{4})\b", text)
        if not m or fold(m[2]) not in _MONTHS:
            return None
        d, mo, y = int(m[1]), _MONTHS[fold(m[2])], int(m[3])
    y += 2000 if y < 100 else 0
    return f"{y:04d}-{mo:02d}-{d:02d}" if 1 <= mo <= 12 and 1 <= d <= 31 else None


# --------------------------------------------------------------------------- submissions
_KINDS = ["Mitteilungsvorlage", "Beschlussvorlage", "Informationsvorlage", "Sitzungsvorlage",
          "Dringlichkeitsvorlage", "Ergänzungsvorlage", "Tischvorlage", "Verwaltungsvorlage",
          "Berichtsvorlage", "Änderungsantrag", "Antrag", "Anfrage", "Bekanntgabe", "Drucksache"]
_STRONG_KINDS = {k for k in _KINDS if k.endswith("vorlage")} | {"Drucksache"}
_ID = (r"[A-ZÄÖÜ]{1,6}[/-]\d{2,4}/\d{1,6}(?:-\d+)?"  # VO/2014/4833, SV-2015/0187
       r"|\d{2}-\d{2}\s?/\s?[A-Z]\s?\d{3,6}"  # 20-26 / V 02318 (München)
       r"|\d{1,4}/\d{1,4}/\d{4}"  # 613/123/2020 (Erlangen)
       r"|\d{1,4}/\d{1,6}")  # 19/1234
_ID_LABEL = re.compile(r"Vorlage[n]?[- ]?(?:Nr|Nummer)\.?|Vorlagennummer|Drucksache(?:n)?(?:[- ]?Nr\.?)?"
                       r"|Sitzungsvorlage[n]?\s+Nr\.?|Vorlage\s+Nr\.?", re.I)
_STATUS = re.compile(r"nicht[- ]?öffentlich|öffentlich", re.I)
_COLS = {"gremium": ("gremium", "beratungsgremium", "organ"), "datum": ("datum", "sitzungstermin", "termin"),
         "sitzungsart": ("sitzungsart", "art", "oe/n", "n/oe", "status"),
         "zustaendigkeit": ("zustaendigkeit", "zust.", "zust", "zustaendig", "beratungsart"),
         "top": ("top-nr.", "top-nr", "top", "top nr.", "tagesordnungspunkt")}
_ZUST = ["Kenntnisnahme", "Entscheidung", "Vorberatung", "Beschlussfassung", "Beratung",
         "Anhörung", "Empfehlung", "Bekanntgabe", "Vorberatung und Empfehlung"]


def _lines(doc: Document) -> list[str]:
    text = re.sub(r"</?[a-zA-Z][^>]*>|\*\*", "", doc.text)
    return [ln.strip() for ln in text.split("\n") if ln.strip()]


def _fields(line: str) -> list[str]:
    return [f.strip() for f in re.split(r"\t| {2,}", line)]


def _find_kind(doc: Document, lines: list[str]) -> str | None:
    candidates = [doc.title or ""] + [f for ln in lines[:40] for f in _fields(ln)]
    for f in candidates:
        ff = fold(f)
        for kind in _KINDS:
            k = fold(kind)
            if ff.startswith(k) and (len(ff) == len(k) or not ff[len(k)].isalpha() or ff[len(k)] == "n"):
                if len(f) < 80 or kind in _STRONG_KINDS and f is candidates[0]:
                    return kind
    return None


def _find_id(text: str) -> str | None:
    for m in _ID_LABEL.finditer(text):
        found = re.search(_ID, text[m.end(): m.end() + 120])
        if found:
            munich = re.fullmatch(r"(\d{2}-\d{2})\s?/\s?([A-Z])\s?(\d+)", found[0])
            return f"{munich[1]} / {munich[2]} {munich[3]}" if munich else found[0]
    return None


def _find_status(text: str) -> str | None:
    m = re.search(r"Öffentlichkeitsstatus|Status", text)
    if m:
        s = _STATUS.search(text[m.end(): m.end() + 120])
        if s:
            return _sitzungsart(s[0])
    return None


def _sitzungsart(v: str) -> str | None:
    f = fold(v).replace(" ", "").replace("-", "")
    if f in ("n", "noe", "nichtoeffentlich", "nichtoeff.", "nichtoeff") or f.startswith("nicht"):
        return "nichtöffentlich"
    if f in ("oe", "o", "oeffentlich", "oeff.", "oeff", "ö"):
        return "öffentlich"
    return None


def _zustaendigkeit(v: str) -> str | None:
    v = v.strip()
    for z in _ZUST:
        if fold(v) == fold(z) or (fold(v) == "kenntnis" and z == "Kenntnisnahme"):
            return z
    return v or None


def _column_of(cell: str) -> str | None:
    c = fold(cell).strip(" :")
    for key, names in _COLS.items():
        if c in names:
            return key
    return None


def _row_to_entry(cols: dict[int, str], row: list[str]) -> dict[str, Any] | None:
    vals = {key: (" ".join(row[i].split()) if i < len(row) else "") for i, key in cols.items()}
    if not vals.get("gremium") or not parse_date(vals.get("datum", "")):
        return None
    return {"gremium": vals["gremium"], "datum": parse_date(vals.get("datum", "")),
            "sitzungsart": _sitzungsart(vals.get("sitzungsart", "")),
            "zustaendigkeit": _zustaendigkeit(vals.get("zustaendigkeit", "")),
            "top": vals.get("top") or None}


def _rows_to_beratungsfolge(rows: list[list[str]]) -> list[dict[str, Any]]:
    for h, header in enumerate(rows):
        cols = {i: k for i, c in enumerate(header) if (k := _column_of(c))}
        if "gremium" in cols.values() and "datum" in cols.values():
            entries = [e for r in rows[h + 1:] if (e := _row_to_entry(cols, r))]
            if entries:
                return entries
    return []


_ROW_RE = re.compile(rf"^(?P<gremium>\D.+?)\s+(?P<datum>{_DATE_RE.pattern})"
                     r"(?:\s+(?P<art>NÖ|Ö|N|nicht[- ]?öffentlich|öffentlich)\b)?"
                     r"(?:\s+(?P<zust>[A-ZÄÖÜ][\wäöüß]+(?: und [\wäöüß]+)?))?(?:\s+(?P<top>\S+))?\s*$")


_DANGLING = re.compile(r"(?:\b(?:der|des|für|und|im|am|of|the|and)|[,-])$")


def _text_beratungsfolge(raw_lines: list[str]) -> list[dict[str, Any]]:
    start = next((i for i, ln in enumerate(raw_lines)
                  if re.search(r"Gremium", ln) and re.search(r"Datum", ln)), None)
    if start is None:
        return []
    header = _fields(raw_lines[start])
    entries: list[dict[str, Any]] = []
    for ln in raw_lines[start + 1:]:
        fields = [f for f in _fields(ln)]
        while fields and not fields[-1]:
            fields.pop()
        entry = None
        if len(fields) >= 3:
            entry = _rows_to_beratungsfolge([header, fields])
            entry = entry[0] if entry else None
        if entry is None and (m := _ROW_RE.match(" ".join(ln.split()))):
            entry = _row_to_entry({0: "gremium", 1: "datum", 2: "sitzungsart",
                                   3: "zustaendigkeit", 4: "top"},
                                  [m["gremium"], m["datum"], m["art"] or "", m["zust"] or "",
                                   m["top"] or ""])
        if entry is None and entries and _DANGLING.search(entries[-1]["gremium"]) \
                and len(ln) <= 60 and not _DATE_RE.search(ln):
            entries[-1]["gremium"] += " " + " ".join(ln.split())  # wrapped table cell
            continue
        if entry is None:
            break
        entries.append(entry)
    return entries


def parse_submission(doc: Document) -> dict[str, Any] | None:
    """Council submission header and Beratungsfolge, or None when not a submission."""
    lines = _lines(doc)
    header_text = "\n".join(lines[:60])
    beratung: list[dict[str, Any]] = []
    for grid in doc.tables().values():
        beratung = _rows_to_beratungsfolge(grid)
        if beratung:
            break
    if not beratung:
        beratung = _text_beratungsfolge(lines)
    kind = _find_kind(doc, lines)
    vorlage_nr = _find_id(header_text)
    if not (vorlage_nr or beratung or kind in _STRONG_KINDS):
        return None
    return {"vorlage_nr": vorlage_nr, "vorlagenart": kind,
            "oeffentlichkeitsstatus": _find_status(header_text), "beratungsfolge": beratung}


# --------------------------------------------------------------------------- doc type
_TYPE_RULES: list[tuple[DocType, re.Pattern[str]]] = [
    (DocType.COUNCIL_SUBMISSION, re.compile(r"\bBeratungsfolge\b|\bSitzungsvorlagen?\s+Nr\b|"
                                            r"\b(?:Beschluss|Mitteilungs|Informations)vorlage\b")),
    (DocType.MINUTES, re.compile(r"\b(?:Niederschrift|Sitzungsprotokoll|Ergebnisprotokoll|Protokoll"
                                 r"|Minutes of the)\b", re.I)),
    (DocType.PRESS_RELEASE, re.compile(r"\b(?:Pressemitteilung|Presseinformation|Pressestelle"
                                       r"|Press release)\b", re.I)),
    (DocType.SURVEY_ANSWER, re.compile(r"Fragen an die Partnerst|\bFragebogen|\bUmfrage\b|"
                                       r"\bquestionnaire\b|\bsurvey\b", re.I)),
    (DocType.CONCEPT, re.compile(r"konzept\b|\bLeitbild|\bLeitlinien\b|\bstrategy\b", re.I)),
    (DocType.LETTER, re.compile(r"\bSehr geehrte|\bMit freundlichen Grüßen|^Dear\b|"
                                r"\byours sincerely\b|\bkind regards\b", re.I | re.M)),
]
_QUESTION = re.compile(r"^\s*(?:\d{1,2}|[a-g])[.)]\s+.{10,}\?\s*$", re.M)


def _title_text(doc: Document) -> str:
    heads = [b.text for b in doc.blocks[:8] if b.kind in (BlockKind.TITLE, BlockKind.HEADING)]
    return "\n".join([doc.title or "", *heads[:3]])


def _looks_like_slides(doc: Document) -> bool:
    size = doc.metadata.get("page_size")
    if isinstance(size, (list, tuple)) and len(size) == 2 and size[0] > size[1]:
        return True
    pages = {b.page for b in doc.blocks if b.page is not None}
    if len(pages) < 3:
        return False
    titled = {b.page for b in doc.blocks if b.kind is BlockKind.TITLE}
    chars = sum(len(b.text) for b in doc.blocks) / len(pages)
    return len(titled) >= 0.6 * len(pages) and chars < 700


def detect_doc_type(doc: Document) -> DocType:
    """Classify a document: structure first, then title/heading signals, then body."""
    if doc.format is Format.PPTX:
        return DocType.SLIDES
    if parse_submission(doc) is not None:
        return DocType.COUNCIL_SUBMISSION
    title = _title_text(doc)
    for doc_type, pattern in _TYPE_RULES:
        if doc_type is not DocType.LETTER and pattern.search(title):
            return doc_type
    if doc.format is Format.PDF and _looks_like_slides(doc):
        return DocType.SLIDES
    body = doc.text[:8000]
    head = body[:1500]
    for doc_type, pattern in _TYPE_RULES:
        if doc_type is DocType.CONCEPT:
            continue  # a concept names itself in the title; body mentions are too common
        where = head if doc_type in (DocType.MINUTES, DocType.PRESS_RELEASE) else body
        if pattern.search(where):
            return doc_type
    if len(_QUESTION.findall(body)) >= 3 and re.search(r"Willkommens|[Ww]elcom", body):
        return DocType.SURVEY_ANSWER
    return DocType.OTHER


# --------------------------------------------------------------------------- city
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


def _alt(city: City) -> str:
    return "(?:" + "|".join(re.escape(v) for v in city.variants) + ")"


@lru_cache(maxsize=4096)
def _bare_pattern(variants: tuple[str, ...]) -> re.Pattern[str]:
    return re.compile(r"(?<![\w-])(?:" + "|".join(re.escape(v) for v in variants) + r")(?![\w-])")


@lru_cache(maxsize=4096)
def _context_patterns(variants: tuple[str, ...]) -> tuple[tuple[re.Pattern[str], int], ...]:
    alt = "(?:" + "|".join(re.escape(v) for v in variants) + ")"
    return tuple((re.compile(p.format(c=alt)), w) for p, w in [(p, 10) for p in _AUTHOR] + [(p, 4) for p in _STRONG])


def _mentioned(city: City, text: str) -> bool:
    """Cheap pre-check: does any variant occur in ``text`` at all (the patterns need one)?"""
    return any(v in text for v in city.variants)


def _score_text(text: str, cities: list[City], plain: bool = True) -> Counter[str]:
    scores: Counter[str] = Counter()
    blocks = [b for b in re.split(r"\n\s*\n|\n", text) if b.strip()]
    present = [c for c in cities if _mentioned(c, text)]  # most known cities never occur
    for city in present:
        for pat, weight in _context_patterns(tuple(city.variants)):
            scores[city.name] += weight * len(pat.findall(text))
    if plain:
        plain_cities = [c for c in present if not c.ambiguous]
        for b in blocks:
            found = {c.name for c in plain_cities if _mentioned(c, b) and _bare_pattern(tuple(c.variants)).search(b)}
            bare = re.fullmatch(r"[\W\d]*[\w .-]{1,30}[\W\d]*", b.strip()) is not None
            if len(found) == 1 and not bare:  # lists of cities and bare name lines don't count
                scores[found.pop()] += 1
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


def detect_city(doc: Document, known_cities: Sequence[str | City],
                hint: str | None = None) -> str | None:
    """The document's author city from the hint, metadata, title, text, or file name."""
    cities = _as_cities(known_cities)
    by_variant = {fold(v): c.name for c in cities for v in (c.name, *c.variants)}
    if hint:
        return by_variant.get(fold(hint), hint)
    meta = [str(v) for k, v in doc.metadata.items() if isinstance(v, str)]
    sub = parse_submission(doc)
    meta += [e["gremium"] for e in (sub or {}).get("beratungsfolge", [])]
    if doc.city:
        meta.append(f"Stadt {doc.city}")
    if city := _decide(_score_text("\n".join(meta), cities, plain=False), need_strong=True):
        return city
    title = _title_text(doc)
    in_title = {c.name for c in cities if not c.ambiguous
                and re.search(rf"(?<![\w-]){_alt(c)}(?![\w-])", title)}
    if len(in_title) == 1:
        return in_title.pop()
    if city := _decide(_score_text(doc.text, cities)):
        return city
    stem = fold(Path(doc.source).stem) if doc.source else ""
    in_name = {c.name for c in cities for v in (c.name, *c.variants)
               if re.search(rf"(?<![a-z]){re.escape(fold(v))}(?![a-z])", stem)}
    return in_name.pop() if len(in_name) == 1 else None
