"""Council-submission headers: Vorlage-Nr., Vorlagenart, Öffentlichkeitsstatus and the
Beratungsfolge table (with ISO dates), preferring table grids and falling back to text
lines. Pure functions over a :class:`~watext.model.Document`."""

from __future__ import annotations

import re
from typing import Any

from watext.enrich.fold import fold
from watext.enrich.formats import parse_family, public_status, role_decides
from watext.model import Document

__all__ = ["UNPARSED", "parse_date", "parse_submission"]

#: Default of the ``submission`` arguments of the detectors: "not parsed yet" (``None``
#: means parsed, and not a submission). :func:`watext.enrich.enrich` parses once per document.
UNPARSED: Any = object()

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
_FOLDED_KINDS = tuple((kind, fold(kind)) for kind in _KINDS)
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
        for kind, k in _FOLDED_KINDS:
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
    family = parse_family(lines, parse_date)
    if family is not None:
        return _with_family(family, vorlage_nr, kind, _find_status(header_text), beratung)
    if not (vorlage_nr or beratung or kind in _STRONG_KINDS):
        return None
    return {"vorlage_nr": vorlage_nr, "vorlagenart": kind,
            "oeffentlichkeitsstatus": _find_status(header_text), "beratungsfolge": beratung}


def _with_family(family: dict[str, Any], vorlage_nr: str | None, kind: str | None, status: str | None,
                 beratung: list[dict[str, Any]]) -> dict[str, Any]:
    """The generic findings overlaid with what a format family's header carries; every
    key of the shared metadata is present, Beratungsfolge entries carry ``beschliessend``
    and ``oeffentlich`` too."""
    out: dict[str, Any] = {"vorlage_nr": vorlage_nr, "vorlagenart": kind, "datum": None,
                           "federfuehrung": None, "urheber": None, "oeffentlichkeitsstatus": status}
    out.update({k: v for k, v in family.items() if v is not None and k != "beratungsfolge"})
    entries = family.get("beratungsfolge") or [
        {**e, "beschliessend": role_decides(e.get("zustaendigkeit")), "oeffentlich": public_status(e.get("sitzungsart"))}
        for e in beratung]
    out["beratungsfolge"] = entries
    return out
