"""Tests for watext.enrich: submission headers, document type, city."""

from __future__ import annotations


import pytest

from watext.errors import ConfigError
from watext.enrich.cities import detect_city, load_cities
from watext.enrich.doctype import detect_doc_type
from watext.enrich.submission import parse_date, parse_submission
from watext.model import Block, BlockKind, DocType, Document, Format
from .paths import SEEDS

OSNA_ROW = {"gremium": "Rat der Stadt Osnabrück", "datum": "2014-12-09",
            "sitzungsart": "öffentlich", "zustaendigkeit": "Kenntnisnahme", "top": None}
OSNA_GRIDS = [
    [["Mitteilungsvorlage", "Vorlage-Nr: VO/2014/4833"], ["", "Öffentlichkeitsstatus: öffentlich"]],
    [["Gremium", "Datum", "Sitzungsart", "Zuständigkeit", "TOP-Nr."],
     ["Rat der Stadt Osnabrück", "09.12.2014", "Ö", "Kenntnisnahme", ""]],
]


def make_doc(lines: list[str], fmt: Format = Format.TEXT, source: str = "x.txt",
             title: str | None = None, kind: BlockKind = BlockKind.PARAGRAPH) -> Document:
    return Document(id="d", source=source, format=fmt, title=title,
                    blocks=[Block(kind, ln) for ln in lines if ln.strip()])


def grid_doc(grids: list[list[list[str]]], extra: list[Block] = ()) -> Document:
    blocks = []
    for t, grid in enumerate(grids):
        blocks += [Block(BlockKind.TABLE_CELL, v, table=t, row=r, col=c)
                   for r, row in enumerate(grid) for c, v in enumerate(row)]
        if t == 0:
            blocks.append(Block(BlockKind.HEADING, "Beratungsfolge:", level=2))
    return Document(id="g", source="osnabrueck_VO-2014-4833.pdf", format=Format.PDF,
                    blocks=blocks + list(extra))


@pytest.fixture(scope="module")
def cities():
    return load_cities()


@pytest.fixture(scope="module")
def osnabrueck_seed() -> Document:
    path = SEEDS / "004_a51ff658841e56d7.txt"
    if not path.exists():
        pytest.skip("seed text not available")
    return make_doc(path.read_text(encoding="utf-8").split("\n"))


def test_metadata_parse_submission_from_seed_text(osnabrueck_seed):
    sub = parse_submission(osnabrueck_seed)
    assert sub["vorlage_nr"] == "VO/2014/4833"
    assert sub["vorlagenart"] == "Mitteilungsvorlage"
    assert sub["oeffentlichkeitsstatus"] == "öffentlich"
    assert sub["beratungsfolge"][0] == OSNA_ROW


def test_metadata_parse_submission_from_table_grids():
    sub = parse_submission(grid_doc(OSNA_GRIDS))
    assert sub == {"vorlage_nr": "VO/2014/4833", "vorlagenart": "Mitteilungsvorlage",
                   "oeffentlichkeitsstatus": "öffentlich", "beratungsfolge": [OSNA_ROW]}


def test_metadata_parse_submission_from_collapsed_whitespace():
    # clean_text turns tabs into single spaces: rows must still parse.
    doc = make_doc(["Mitteilungsvorlage Vorlage-Nr: Öffentlichkeitsstatus: VO/2014/4833 öffentlich",
                    "Beratungsfolge:", "Gremium Datum Sitzungsart Zuständigkeit TOP-Nr.",
                    "Rat der Stadt Osnabrück 09.12.2014 Ö Kenntnisnahme", "Sachverhalt:"])
    assert parse_submission(doc)["beratungsfolge"] == [OSNA_ROW]


def test_metadata_parse_submission_tolerates_header_variants():
    grid = [["Gremium", "Sitzungstermin", "Ö/N", "Zust.", "TOP"],
            ["Ausschuss für Soziales", "3. März 2015", "NÖ", "Vorberatung", "7"],
            ["Magistrat der Stadt\nDarmstadt", "16.02.15", "N", "Entscheidung", ""]]
    sub = parse_submission(grid_doc([[["Beschlussvorlage", ""]], grid]))
    assert sub["vorlagenart"] == "Beschlussvorlage"
    assert sub["beratungsfolge"] == [
        {"gremium": "Ausschuss für Soziales", "datum": "2015-03-03", "sitzungsart": "nichtöffentlich",
         "zustaendigkeit": "Vorberatung", "top": "7"},
        {"gremium": "Magistrat der Stadt Darmstadt", "datum": "2015-02-16",
         "sitzungsart": "nichtöffentlich", "zustaendigkeit": "Entscheidung", "top": None}]


@pytest.mark.parametrize("lines, nr, kind", [
    (["Landeshauptstadt München", "Kommunalreferat", "Sitzungsvorlage Nr. 20-26 / V 02318",
      "Kurzübersicht"], "20-26 / V 02318", "Sitzungsvorlage"),
    (["Beschlussvorlage", "Vorlagennummer: 613/123/2020", "Öffentlichkeitsstatus: nichtöffentlich"],
     "613/123/2020", "Beschlussvorlage"),
    (["Drucksache 19/1234", "Antrag der Fraktion"], "19/1234", "Drucksache"),
    (["Ergaenzungsvorlage", "Vorlage-Nr.: SV-2015/0187"], "SV-2015/0187", "Ergänzungsvorlage"),
])
def test_metadata_parse_submission_ids_and_kinds(lines, nr, kind):
    sub = parse_submission(make_doc(lines))
    assert (sub["vorlage_nr"], sub["vorlagenart"]) == (nr, kind)


def test_metadata_parse_submission_status_nichtoeffentlich():
    doc = make_doc(["Beschlussvorlage", "Vorlagennummer: 613/123/2020",
                    "Öffentlichkeitsstatus: nicht öffentlich"])
    assert parse_submission(doc)["oeffentlichkeitsstatus"] == "nichtöffentlich"


@pytest.mark.parametrize("lines", [
    ["Pressemitteilung", "Die Stadt lädt zur Interkulturellen Woche ein."],
    ["Sehr geehrte Damen und Herren,", "mit der Beschlussvorlage vom Mai haben wir informiert.",
     "Mit freundlichen Grüßen"],
])
def test_metadata_parse_submission_none_for_other_documents(lines):
    assert parse_submission(make_doc(lines)) is None


@pytest.mark.parametrize("text, iso", [("09.12.2014", "2014-12-09"), ("9. Dezember 2014", "2014-12-09"),
                                       ("1. März 2015", "2015-03-01"), ("3. Maerz 2015", "2015-03-03"),
                                       ("am 31.1.15", "2015-01-31"), ("kein Datum", None)])
def test_metadata_parse_date(text, iso):
    assert parse_date(text) == iso


def test_metadata_doc_type_submission(osnabrueck_seed):
    assert detect_doc_type(osnabrueck_seed) is DocType.COUNCIL_SUBMISSION
    assert detect_doc_type(grid_doc(OSNA_GRIDS)) is DocType.COUNCIL_SUBMISSION


@pytest.mark.parametrize("lines, fmt, expected", [
    (["Niederschrift", "über die 2. Sitzung des Stadtteilbeirats", "TOP 1 Begrüßung"],
     Format.PDF, DocType.MINUTES),
    (["Pressemitteilung", "Interkulturelle Woche eröffnet"], Format.HTML, DocType.PRESS_RELEASE),
    (["Integrationskonzept der Stadt Osnabrück", "1. Ausgangslage"], Format.PDF, DocType.CONCEPT),
    (["Antworten zum Fragebogen", "Was wird unter Willkommenskultur verstanden?"], Format.DOCX,
     DocType.SURVEY_ANSWER),
    (["Einladung", "Sehr geehrte Frau Müller,", "anbei die Unterlagen.", "Mit freundlichen Grüßen"],
     Format.TEXT, DocType.LETTER),
    (["Dear colleagues,", "please find our answers below.", "Yours sincerely"], Format.TEXT,
     DocType.LETTER),
    (["Wochenmarkt", "Der Markt findet dienstags statt."], Format.TEXT, DocType.OTHER),
    (["Anything"], Format.PPTX, DocType.SLIDES),
])
def test_metadata_doc_type(lines, fmt, expected):
    doc = make_doc(lines[1:], fmt=fmt, title=lines[0])
    assert detect_doc_type(doc) is expected


def test_metadata_doc_type_numbered_questions_are_survey():
    lines = ["Rückmeldung", "1. Was wird in Ihrer Stadt unter Willkommenskultur verstanden?",
             "Vielfalt.", "2. Hat Ihre Stadt einen Leitfaden für die Willkommenskultur?", "Nein.",
             "3. Gibt es bereits konkrete Maßnahmen dafür?", "Ja."]
    assert detect_doc_type(make_doc(lines)) is DocType.SURVEY_ANSWER


def test_metadata_doc_type_landscape_pdf_is_slides():
    blocks = [Block(BlockKind.TITLE if i % 2 == 0 else BlockKind.LIST_ITEM, f"Folie {i}", page=i // 2 + 1)
              for i in range(8)]
    doc = Document(id="s", source="deck.pdf", format=Format.PDF, blocks=blocks)
    assert detect_doc_type(doc) is DocType.SLIDES
    doc = Document(id="s", source="deck.pdf", format=Format.PDF, blocks=[Block(BlockKind.PARAGRAPH, "x")],
                   metadata={"page_size": (842.0, 595.0)})
    assert detect_doc_type(doc) is DocType.SLIDES


def test_metadata_detect_city_hint_and_metadata(cities, osnabrueck_seed):
    assert detect_city(osnabrueck_seed, cities, hint="Erlangen") == "Erlangen"
    assert detect_city(osnabrueck_seed, cities, hint="muenchen") == "München"
    assert detect_city(osnabrueck_seed, [c.name for c in cities]) == "Osnabrück"
    assert detect_city(grid_doc(OSNA_GRIDS), cities) == "Osnabrück"


@pytest.mark.parametrize("lines, expected", [
    (["Landeshauptstadt München", "Kommunalreferat", "Bekanntgabe im Kommunalausschuss"], "München"),
    (["Einladung", "Stadt Erlangen", "Stadtteilbeirat Büchenbach"], "Erlangen"),
    (["Answers", "Chesterfield Borough Council is pleased to reply. We met colleagues from Bursa."],
     "Chesterfield"),
    (["Svar", "Trondheim kommune har svart på spørsmålene."], "Trondheim"),
    (["Risposte", "Comune di Brescia, Assessorato."], "Brescia"),
    (["Wir haben ein gemeinsames Essen organisiert.", "Danach gab es Essen für alle."], None),
])
def test_metadata_detect_city_patterns(cities, lines, expected):
    assert detect_city(make_doc(lines), cities) == expected


def _darmstadt_deck(title_line: str) -> Document:
    seed = SEEDS / "000_aa656b9e79e620bb.txt"
    if not seed.exists():
        pytest.skip("seed text not available")
    text = seed.read_text(encoding="utf-8").replace(
        "Willkommens- und Anerkennungskultur in Darmstadt's Partnerstädten", title_line)
    return make_doc(text.split("\n\n"))


def test_metadata_detect_city_partner_list_is_not_author(cities):
    assert detect_city(_darmstadt_deck("Willkommenskultur in den Partnerstädten"), cities) is None
    assert detect_city(_darmstadt_deck("Willkommens- und Anerkennungskultur in Darmstadt's "
                                       "Partnerstädten"), cities) == "Darmstadt"
    assert detect_city(_darmstadt_deck("Umfrage in Darmstadts Partnerstädten"), cities) == "Darmstadt"


def test_metadata_detect_city_title_and_file_name(cities):
    assert detect_city(make_doc(["Leitbild"], title="Integrationskonzept Göttingen"), cities) == "Göttingen"
    doc = make_doc(["Ohne Ortsangabe"], source="/in/osnabrueck_VO-2014-4833.pdf")
    assert detect_city(doc, cities) == "Osnabrück"
    assert detect_city(make_doc(["Ohne Ortsangabe"], source="protokoll.pdf"), cities) is None


def test_metadata_load_cities_contents(cities):
    names = {c.name for c in cities}
    assert {"Bursa", "Brescia", "Chesterfield", "Darmstadt", "Freiberg", "Saanen", "Trondheim",
            "Osnabrück", "München", "Erlangen"} <= names
    assert len(cities) >= 40


def test_metadata_load_cities_reports_bad_line(tmp_path):
    path = tmp_path / "cities.jsonl"
    path.write_text('{"name": "Bursa"}\n{"name": 3}\n', encoding="utf-8")
    with pytest.raises(ConfigError, match="cities.jsonl:2: bad city entry"):
        load_cities(path)
    path.write_text('{"name": "Bursa"}\nnot json\n', encoding="utf-8")
    with pytest.raises(ConfigError, match="cities.jsonl:2: invalid JSON"):
        load_cities(path)


def test_metadata_parse_submission_joins_wrapped_gremium_lines():
    doc = make_doc(["Beschlussvorlage", "Vorlage-Nr.: SV-2015/0187", "Beratungsfolge:",
                    "Gremium Datum Sitzungsart Zuständigkeit TOP-Nr.",
                    "Magistrat der 16.02.2015 N Vorberatung", "Wissenschaftsstadt Darmstadt",
                    "Ausschuss für Integration und 03.03.2015 Ö Vorberatung 4", "Soziales",
                    "Stadtverordnetenversammlung 19.03.2015 Ö Entscheidung 12", "Beschlussvorschlag:"])
    rows = parse_submission(doc)["beratungsfolge"]
    assert [r["gremium"] for r in rows] == ["Magistrat der Wissenschaftsstadt Darmstadt",
                                            "Ausschuss für Integration und Soziales",
                                            "Stadtverordnetenversammlung"]
    assert [r["top"] for r in rows] == [None, "4", "12"]
