"""Submission headers of real formats: format families (``enrich/rules/submission_formats.json``),
the shared metadata keys, and label/value layouts that become headed passages."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from watext.enrich.formats import load_families
from watext.enrich.submission import parse_submission
from watext.errors import ConfigError
from watext.ingest.files import hash_file, process_file
from watext.model import Block, BlockKind, DocType, Document, Format
from watext.segment import segment
from watext.settings import Settings

from .paths import DATA, REAL_DOCS, needs_real_docs

SUBS = DATA / "submissions"
KEYS = {"vorlage_nr", "vorlagenart", "datum", "federfuehrung", "urheber", "oeffentlichkeitsstatus",
        "beratungsfolge"}
ENTRY_KEYS = {"gremium", "datum", "zustaendigkeit", "beschliessend", "oeffentlich"}


def _process(path: Path):
    return process_file(path, Settings(), doc_id=hash_file(path))


def _entry(sub: dict, **want) -> dict:
    assert all(ENTRY_KEYS <= e.keys() for e in sub["beratungsfolge"])
    return [{k: e[k] for k in want} for e in sub["beratungsfolge"]]


# --------------------------------------------------------------------------- real documents

@pytest.fixture(scope="module")
def munich():
    return _process(REAL_DOCS / "muenchen_sitzungsvorlage_20-26_V_02318_kommunalreferat.pdf")


@needs_real_docs
def test_munich_sitzungsvorlage_header(munich) -> None:
    doc, _ = munich
    sub = doc.metadata["submission"]
    assert KEYS <= sub.keys()
    assert sub["vorlage_nr"] == "20-26 / V 02318"
    assert sub["vorlagenart"] == "Sitzungsvorlage"
    assert sub["format_family"] == "sitzungsvorlage_referat"
    assert _entry(sub, gremium=1, datum=1, zustaendigkeit=1, beschliessend=1, oeffentlich=1) == [
        {"gremium": "Kommunalausschuss", "datum": "2021-02-04", "zustaendigkeit": "Bekanntgabe",
         "beschliessend": False, "oeffentlich": True}]
    assert sub["oeffentlichkeitsstatus"] == "öffentlich"
    assert sub["urheber"] == "Kommunalreferat"
    assert doc.title == "Beschleunigung von Bebauungsplanverfahren; zusätzlicher Personalbedarf im Kommunalreferat"
    assert doc.doc_type is DocType.COUNCIL_SUBMISSION and doc.city == "München"


@needs_real_docs
def test_munich_cover_sheet_label_value_passages(munich) -> None:
    doc, passages = munich
    by_label = {p.heading[-1]: p for p in passages if p.heading}
    assert by_label["Anlass"].text.startswith("Für die Beschleunigung von Bebauungsplanverfahren")
    assert by_label["Inhalt"].text.startswith("Nach Ablauf von drei Jahren")
    assert by_label["Anlass"].kinds == (BlockKind.PARAGRAPH,)
    assert by_label["Entscheidungsvorschlag"].text == "Bekanntgabe"
    # no label is a passage of its own, no paragraph is a heading, "./." is no passage
    cover = [p for p in passages if p.page == 1]
    assert not any(len(h) > 120 for p in cover for h in p.heading)
    assert not any(p.text in ("Anlass", "Inhalt", "./.") for p in cover)
    for p in passages:
        assert doc.text[p.start:p.end] == p.text


@needs_real_docs
def test_munich_district_committee_decision_same_family() -> None:
    # another Munich shape: "Öffentliche Sitzung Sitzungsvorlagen Nr.: …" on one line,
    # "Beschluss des Bezirksausschusses … vom …", the date as "Datum: …"
    doc, _ = _process(REAL_DOCS / "muenchen_ba3_zuschussentscheidung_checkboxen.pdf")
    sub = doc.metadata["submission"]
    assert (sub["format_family"], sub["vorlage_nr"], sub["urheber"], sub["datum"]) == (
        "sitzungsvorlage_referat", "20-26 / V 02474", "Direktorium", "2020-12-30")
    assert _entry(sub, gremium=1, datum=1, zustaendigkeit=1, beschliessend=1, oeffentlich=1) == [
        {"gremium": "Bezirksausschusses des 3. Stadtbezirkes", "datum": "2021-02-09",
         "zustaendigkeit": "Beschluss", "beschliessend": True, "oeffentlich": True}]
    assert doc.title.startswith("Entscheidung über die Gewährung eines Zuschusses")


@pytest.mark.parametrize("name, want", [
    ("erlangen_stbr_einladung_tagesordnung_2020-01-22.pdf", {
        "vorlagenart": "Einladung", "urheber": "Stadtteilbeirat Büchenbach", "datum": "2020-01-09",
        "oeffentlichkeitsstatus": "öffentlich", "doc_type": DocType.OTHER,
        "beratung": [{"gremium": "Stadtteilbeirat Büchenbach", "datum": "2020-01-22", "oeffentlich": True}],
        "tops": [("1", "Status unserer Anträge", True), ("2", "Streckenverlauf der StUB in Büchenbach", True),
                 ("3", "Anfragen aus der Bevölkerung", True)]}),
    ("erlangen_stbr_niederschrift_2023-11-15.pdf", {
        "vorlagenart": "Niederschrift", "urheber": "OBM", "federfuehrung": "13-2", "datum": "2023-12-11",
        "oeffentlichkeitsstatus": "öffentlich", "doc_type": DocType.MINUTES,
        "beratung": [{"gremium": "Stadtteilbeirat Büchenbach", "datum": "2023-11-15", "oeffentlich": True}],
        "tops": [("1", "Sozialentwicklung im Stadtteil Büchenbach", True),
                 ("2 und 3", "Lärmbelästigungen und mögliche Rückzugsmöglichkeiten für Jugendliche", True),
                 ("4", "Anträge / Stellungsnahmen", True), ("5", "Weitere Themen", True)]}),
    ("erlangen_stbr_stellungnahme_zu_beschlussvorlage_text_plus_scan.pdf", {
        "vorlagenart": "Stellungnahme", "urheber": "Stadtteilbeirat Büchenbach", "datum": "2022-09-18",
        "bezug": {"vorlagenart": "Beschlussvorlage", "top": "23", "oeffentlich": True}, "beratung": []}),
])
@needs_real_docs
def test_erlangen_documents(name, want) -> None:
    doc, _ = _process(REAL_DOCS / name)
    sub = doc.metadata["submission"]
    assert KEYS <= sub.keys()
    for key in ("vorlagenart", "urheber", "federfuehrung", "datum", "oeffentlichkeitsstatus", "bezug"):
        if key in want:
            assert sub[key] == want[key], key
    if "doc_type" in want:
        assert doc.doc_type is want["doc_type"]
    assert _entry(sub, gremium=1, datum=1, oeffentlich=1) == want["beratung"]
    tops = [(t["top"], t["titel"], t["oeffentlich"]) for t in sub.get("tagesordnung", [])]
    assert tops[: len(want.get("tops", []))] == want.get("tops", [])


# --------------------------------------------------------------------------- own inputs

def test_own_munich_like_vorlage_docx() -> None:
    doc, passages = _process(SUBS / "sitzungsvorlage_baureferat.docx")
    sub = doc.metadata["submission"]
    assert (sub["vorlage_nr"], sub["urheber"], sub["federfuehrung"]) == ("20-26 / V 04711", "Baureferat", "Baureferat")
    assert doc.title == "Generalsanierung der Grundschule an der Lindenstraße; Projektgenehmigung"
    assert sub["oeffentlichkeitsstatus"] == "nichtöffentlich"
    assert _entry(sub, gremium=1, datum=1, zustaendigkeit=1, beschliessend=1, oeffentlich=1) == [
        {"gremium": "Ausschuss für Bildung und Sport", "datum": "2022-03-02", "zustaendigkeit": "Vorberatung",
         "beschliessend": False, "oeffentlich": False},
        {"gremium": "Vollversammlung des Stadtrates", "datum": "2022-03-23", "zustaendigkeit": "Beschluss",
         "beschliessend": True, "oeffentlich": False}]
    # the cover sheet's label/value table: headed passages, not a table
    by_label = {p.heading[-1]: p.text for p in passages if p.heading}
    assert by_label["Anlass"].startswith("Die Grundschule an der Lindenstraße ist baulich")
    assert by_label["Inhalt"].startswith("Die Vorlage stellt die Planung")
    assert "Gesamtkosten" not in by_label  # "./." says nothing
    assert not any(p.text in ("Anlass", "Inhalt", "Entscheidungsvorschlag") for p in passages)
    # a table with a header row stays a table
    dach = next(p for p in passages if p.text.startswith("Das Dach"))
    assert dach.heading[-2:] == ("Beschreibung", "Dach") and dach.kinds == (BlockKind.TABLE_CELL,)


def test_own_einladung_text() -> None:
    doc, _ = _process(SUBS / "einladung_ortsbeirat.txt")
    sub = doc.metadata["submission"]
    assert (sub["vorlagenart"], sub["urheber"], sub["datum"]) == ("Einladung", "Ortsbeirat Nord", "2023-03-01")
    assert _entry(sub, gremium=1, datum=1) == [{"gremium": "Ortsbeirat Nord", "datum": "2023-03-14"}]
    assert sub["beratungsfolge"][0]["sitzung_nr"] == "3"
    assert [(t["top"], t["oeffentlich"]) for t in sub["tagesordnung"]] == [("1", True), ("2", True), ("3", False)]
    assert doc.doc_type is not DocType.COUNCIL_SUBMISSION


def test_own_niederschrift_text() -> None:
    doc, _ = _process(SUBS / "niederschrift_ausschuss.txt")
    sub = doc.metadata["submission"]
    assert (sub["urheber"], sub["federfuehrung"], sub["datum"]) == ("III", "40", "2024-05-02")
    assert _entry(sub, gremium=1, datum=1, oeffentlich=1) == [
        {"gremium": "Ausschusses für Schule und Sport", "datum": "2024-04-24", "oeffentlich": False}]
    assert sub["oeffentlichkeitsstatus"] == "nichtöffentlich"
    assert [(t["top"], t["titel"]) for t in sub["tagesordnung"]] == [
        ("1", "Haushalt 2025 für die Schulen"), ("2 bis 4", "Schulbauprogramm")]
    assert doc.doc_type is DocType.MINUTES


def test_own_stellungnahme_text() -> None:
    doc, _ = _process(SUBS / "stellungnahme_ortsbeirat.txt")
    sub = doc.metadata["submission"]
    assert (sub["vorlagenart"], sub["urheber"], sub["datum"]) == ("Stellungnahme", "Ortsbeirat Süd", "2021-07-03")
    assert sub["bezug"] == {"vorlagenart": "Antrag", "top": "7", "oeffentlich": False}


def test_label_value_grid_from_any_format() -> None:
    cells = [("Betreff", "Neubau einer Kita in der Gartenstraße mit vier Gruppen."),
             ("Kosten", "1,2 Mio. Euro"), ("Gesucht werden kann auch unter:", "Kita; Neubau")]
    blocks = [Block(BlockKind.TABLE_CELL, v, table=0, row=r, col=c)
              for r, pair in enumerate(cells) for c, v in enumerate(pair)]
    doc = Document(id="lv", source="x.html", format=Format.HTML, blocks=blocks)
    got = [(p.heading, p.text, p.kinds) for p in segment(doc)]
    assert got == [(("Betreff",), cells[0][1], (BlockKind.PARAGRAPH,)),
                   (("Kosten",), "1,2 Mio. Euro", (BlockKind.PARAGRAPH,)),
                   (("Gesucht werden kann auch unter:",), "Kita; Neubau", (BlockKind.PARAGRAPH,))]


def test_grid_with_sentence_labels_stays_a_table() -> None:
    cells = [("Frage", "Antwort"), ("Welche Maßnahmen gibt es?", "Sprachkurse und Beratung.")]
    blocks = [Block(BlockKind.TABLE_CELL, v, table=0, row=r, col=c)
              for r, pair in enumerate(cells) for c, v in enumerate(pair)]
    doc = Document(id="t", source="x.docx", format=Format.DOCX, blocks=blocks)
    assert [p.heading for p in segment(doc)] == [("Frage",), ("Antwort", "Welche Maßnahmen gibt es?")]


# --------------------------------------------------------------------------- fallback, rules

def test_no_family_keeps_generic_result() -> None:
    doc = Document(id="g", source="x.txt", format=Format.TEXT, blocks=[
        Block(BlockKind.PARAGRAPH, t) for t in ["Beschlussvorlage", "Vorlagennummer: 613/123/2020",
                                                "Öffentlichkeitsstatus: nichtöffentlich"]])
    assert parse_submission(doc) == {"vorlage_nr": "613/123/2020", "vorlagenart": "Beschlussvorlage",
                                     "oeffentlichkeitsstatus": "nichtöffentlich", "beratungsfolge": []}


def test_family_keeps_generic_beratungsfolge_table() -> None:
    # a family document whose meetings stand in a Beratungsfolge table, not in role lines
    grid = [["Gremium", "Datum", "Sitzungsart", "Zuständigkeit"],
            ["Bauausschuss", "12.05.2022", "N", "Entscheidung"]]
    blocks = [Block(BlockKind.PARAGRAPH, t) for t in
              ["Baureferat", "Neubau der Brücke am Mühlbach", "Sitzungsvorlage Nr. 20-26 / V 00815"]]
    blocks += [Block(BlockKind.TABLE_CELL, v, table=0, row=r, col=c)
               for r, row in enumerate(grid) for c, v in enumerate(row)]
    sub = parse_submission(Document(id="f", source="x.pdf", format=Format.PDF, blocks=blocks))
    assert sub["format_family"] == "sitzungsvorlage_referat" and sub["urheber"] == "Baureferat"
    assert sub["beratungsfolge"] == [{"gremium": "Bauausschuss", "datum": "2022-05-12", "sitzungsart": "nichtöffentlich",
                                      "zustaendigkeit": "Entscheidung", "top": None, "beschliessend": True,
                                      "oeffentlich": False}]


def test_rules_file_is_valid_and_named() -> None:
    names = [f.name for f in load_families().families]
    assert names == ["sitzungsvorlage_referat", "einladung_tagesordnung", "niederschrift", "stellungnahme"]


@pytest.mark.parametrize("data", [
    {"families": [{"name": "x", "recognise": ["(unclosed"]}]},
    {"families": [{"name": "x", "recognise": ["<<nope>>"]}]},
    {"families": [{"name": "x", "recognise": ["a"], "doc_type": "poem"}]},
    {"families": [{"name": "x", "recognise": ["a"], "fields": {"urheber": [{"regex": "a"}]}}]},
    {"families": [{"name": "x", "recognise": ["a"]}, {"name": "x", "recognise": ["b"]}]},
    {"roles": {"Beschluss": "ja"}, "families": []},
    {"families": "none"},
])
def test_bad_rules_raise_config_error(tmp_path, data) -> None:
    path = tmp_path / "submission_formats.json"
    path.write_text(json.dumps(data), encoding="utf-8")
    with pytest.raises(ConfigError):
        load_families(str(path))
