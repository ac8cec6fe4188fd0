"""How binding a passage is (issue part 4): the rules of ``enrich/rules/binding.json`` per
combination of paper type, consultation role, ``beschliessend`` and body, document type
and format; the tables' strongest binding per cell; the frames, exports and the review
queue's filter; German and English display names."""

from __future__ import annotations

import dataclasses
import io
import json
import re
import warnings
from pathlib import Path

import openpyxl
import pytest

from watext import i18n
from watext.enrich.binding import BINDINGS, binding_of, load_rules, strength, strongest
from watext.errors import ConfigError
from watext.model import DocType, EffectivePassage, Format, Prediction
from watext.review import queue as Q
from watext.review.service import filters
from watext.store import open_store
from watext.tables.export.csv_md import csv_tables, md_text
from watext.tables.export.html import html_text
from watext.tables.export.xlsx import build_workbook
from watext.tables.frames import records, to_frames
from watext.tables.model import Evidence, GoalCell, Measure

from .review_fixture import MODEL, THRESHOLDS, VERSION, make_doc, pred
from .tables_fixture import sample_tables

with warnings.catch_warnings():
    warnings.simplefilter("ignore")
    from starlette.testclient import TestClient


def folge(gremium: str | None, role: str | None, beschliessend: bool | None = None) -> dict:
    return {"gremium": gremium, "datum": "2024-03-14", "zustaendigkeit": role, "beschliessend": beschliessend,
            "oeffentlich": True}


PAPER = "council_submission"

# (id, metadata, doc_type, format, expected)
CASES = [
    # --- paper types alone (no Beratungsfolge)
    ("beschlussvorlage-alone", {"vorlagenart": "Beschlussvorlage"}, PAPER, "pdf", "beantragt"),
    ("sitzungsvorlage-alone", {"vorlagenart": "Sitzungsvorlage"}, PAPER, "pdf", "beantragt"),
    ("antrag", {"vorlagenart": "Antrag"}, PAPER, "pdf", "beantragt"),
    ("aenderungsantrag", {"vorlagenart": "Änderungsantrag"}, PAPER, "pdf", "beantragt"),
    ("anfrage", {"vorlagenart": "Anfrage"}, PAPER, "pdf", "beantragt"),
    ("bekanntgabe", {"vorlagenart": "Bekanntgabe"}, PAPER, "pdf", "zur_kenntnis"),
    ("mitteilungsvorlage", {"vorlagenart": "Mitteilungsvorlage"}, PAPER, "pdf", "zur_kenntnis"),
    ("informationsvorlage", {"vorlagenart": "Informationsvorlage"}, PAPER, "pdf", "zur_kenntnis"),
    ("berichtsvorlage", {"vorlagenart": "Berichtsvorlage"}, PAPER, "pdf", "zur_kenntnis"),
    ("unknown-type-with-number", {"vorlage_nr": "VO/2024/0815", "vorlagenart": "Sonstiges"}, PAPER, "pdf",
     "beantragt"),
    ("number-only", {"vorlage_nr": "VO/2024/0815"}, None, None, "beantragt"),
    # --- a decision role: OParl ``authoritative`` first, else the body decides
    ("decision-authoritative", {"vorlagenart": "Beschlussvorlage",
                                "beratungsfolge": [folge("Sozialausschuss", "Entscheidung", True)]}, PAPER, "pdf",
     "beschlossen"),
    ("decision-not-authoritative", {"vorlagenart": "Beschlussvorlage",
                                    "beratungsfolge": [folge("Stadtrat", "Beschluss", False)]}, PAPER, "pdf",
     "beantragt"),
    ("decision-stadtrat", {"vorlagenart": "Beschlussvorlage",
                           "beratungsfolge": [folge("Stadtrat", "Beschlussfassung")]}, PAPER, "pdf", "beschlossen"),
    ("decision-gemeinderat", {"vorlagenart": "Sitzungsvorlage",
                              "beratungsfolge": [folge("Gemeinderat", "Entscheidung")]}, PAPER, "pdf",
     "beschlossen"),
    ("decision-rat-der-stadt", {"vorlagenart": "Beschlussvorlage",
                                "beratungsfolge": [folge("Rat der Stadt", "Beschluss")]}, PAPER, "pdf",
     "beschlossen"),
    ("decision-ausschuss", {"vorlagenart": "Beschlussvorlage",
                            "beratungsfolge": [folge("Ausschuss für Soziales und Integration", "Entscheidung")]},
     PAPER, "pdf", "beschlossen"),
    ("decision-advisory-body", {"vorlagenart": "Beschlussvorlage",
                                "beratungsfolge": [folge("Integrationsrat", "Entscheidung")]}, PAPER, "pdf",
     "beantragt"),
    ("decision-beirat", {"vorlagenart": "Beschlussvorlage",
                         "beratungsfolge": [folge("Ausländerbeirat", "Beschluss")]}, PAPER, "pdf", "beantragt"),
    ("decision-no-body", {"vorlagenart": "Beschlussvorlage", "beratungsfolge": [folge(None, "Entscheidung")]},
     PAPER, "pdf", "beantragt"),
    # --- preparation: not decided, unless the consultation is the authoritative one
    ("vorberatung-only", {"vorlagenart": "Beschlussvorlage",
                          "beratungsfolge": [folge("Hauptausschuss", "Vorberatung")]}, PAPER, "pdf", "beantragt"),
    ("beschlussempfehlung-is-preparation", {"vorlagenart": "Beschlussvorlage",
                                            "beratungsfolge": [folge("Stadtrat", "Beschlussempfehlung")]},
     PAPER, "pdf", "beantragt"),
    ("empfehlung-authoritative", {"vorlagenart": "Beschlussvorlage",
                                  "beratungsfolge": [folge("Stadtrat", "Empfehlung", True)]}, PAPER, "pdf",
     "beschlossen"),
    ("prep-then-decision", {"vorlagenart": "Beschlussvorlage", "beratungsfolge": [
        folge("Sozialausschuss", "Vorberatung und Empfehlung"), folge("Stadtrat", "Entscheidung")]}, PAPER, "pdf",
     "beschlossen"),
    # --- taking note
    ("kenntnisnahme", {"vorlagenart": "Beschlussvorlage",
                       "beratungsfolge": [folge("Stadtrat", "Kenntnisnahme")]}, PAPER, "pdf", "zur_kenntnis"),
    ("kenntnisnahme-authoritative", {"vorlagenart": "Mitteilungsvorlage",
                                     "beratungsfolge": [folge("Stadtrat", "Kenntnisnahme", True)]}, PAPER, "pdf",
     "zur_kenntnis"),
    ("bekanntgabe-role", {"vorlagenart": "Antrag", "beratungsfolge": [folge("Sozialausschuss", "Bekanntgabe")]},
     PAPER, "pdf", "zur_kenntnis"),
    ("antrag-decided", {"vorlagenart": "Antrag", "beratungsfolge": [folge("Stadtrat", "Beschluss", True)]},
     PAPER, "pdf", "beschlossen"),
    # --- unknown roles: only an authoritative consultation says something
    ("unknown-role-authoritative", {"beratungsfolge": [folge("Stadtrat", None, True)]}, PAPER, "pdf",
     "beschlossen"),
    ("unknown-role", {"beratungsfolge": [folge("Stadtrat", "Tagesordnung")]}, PAPER, "pdf", "beantragt"),
    # --- the parsed header under ``submission`` counts like the top-level keys
    ("nested-submission", {"submission": {"vorlage_nr": "SV-2015/0187", "vorlagenart": "Mitteilungsvorlage",
                                          "beratungsfolge": []}}, PAPER, "pdf", "zur_kenntnis"),
    ("top-level-wins", {"vorlagenart": "Beschlussvorlage", "beratungsfolge": [folge("Stadtrat", "Entscheidung")],
                        "submission": {"vorlagenart": "Mitteilungsvorlage"}}, PAPER, "pdf", "beschlossen"),
    # --- a council paper behind a slide deck counts as the paper
    ("slides-of-a-paper", {"vorlagenart": "Mitteilungsvorlage"}, "slides", "pptx", "zur_kenntnis"),
    # --- no council paper: format, then document type
    ("slides-pptx", {}, "slides", "pptx", "angekuendigt"),
    ("pptx-any-type", {}, "minutes", "pptx", "angekuendigt"),
    ("slides-pdf", {}, "slides", "pdf", "angekuendigt"),
    ("letter", {}, "letter", "pdf", "angekuendigt"),
    ("survey-answer", {}, "survey_answer", "docx", "angekuendigt"),
    ("press-release", {}, "press_release", "html", "angekuendigt"),
    ("concept", {}, "concept", "pdf", "angekuendigt"),
    ("other", {"page_size": [595, 842]}, "other", "pdf", "angekuendigt"),
    ("minutes", {}, "minutes", "pdf", "zur_kenntnis"),
    ("submission-without-header", {}, "council_submission", "pdf", "beantragt"),
    ("nothing-known", None, None, None, "angekuendigt"),
    ("empty-folge-is-no-paper", {"beratungsfolge": [], "vorlage_nr": None}, "letter", "pdf", "angekuendigt"),
]


@pytest.mark.parametrize(("metadata", "doc_type", "fmt", "expected"), [c[1:] for c in CASES],
                         ids=[c[0] for c in CASES])  # fmt: skip
def test_binding_rules(metadata, doc_type, fmt, expected) -> None:
    assert binding_of(metadata, doc_type, fmt) == expected


def test_binding_takes_enums_and_every_result_is_a_binding() -> None:
    assert binding_of({}, DocType.LETTER, Format.PDF) == "angekuendigt"
    assert binding_of({}, DocType.MINUTES, Format.PDF) == "zur_kenntnis"
    assert {c[-1] for c in CASES} == set(BINDINGS)


def test_strength_order() -> None:
    assert BINDINGS == ("beschlossen", "zur_kenntnis", "beantragt", "angekuendigt")
    assert [strength(b) for b in BINDINGS] == [0, 1, 2, 3]
    assert strongest(["angekuendigt", "beantragt"]) == "beantragt"
    assert strongest(["angekuendigt", None, "zur_kenntnis", "beantragt"]) == "zur_kenntnis"
    assert strongest(["beantragt", "beschlossen"]) == "beschlossen"
    assert strongest([None, "bogus"]) is None and strongest([]) is None


def test_shipped_rules_are_valid_and_every_doc_type_is_placed() -> None:
    rules = load_rules()
    assert set(rules.doc_types) == {d.value for d in DocType}
    assert rules.formats == {"pptx": "angekuendigt"}


@pytest.mark.parametrize("change", [
    lambda d: d["paper_types"][0].update(binding="bindend"),
    lambda d: d["roles"][0].update(pattern="(unclosed"),
    lambda d: d["roles"][0].update(role="vote"),
    lambda d: d["consultation"]["decision"].pop("deciding_body"),
    lambda d: d["doc_types"].update(memo="angekuendigt"),
    lambda d: d["formats"].update(pdf="sometimes"),
    lambda d: d.update(order=list(reversed(d["order"]))),
    lambda d: d.pop("default"),
], ids=["binding", "pattern", "role", "state", "doc_type", "format", "order", "missing"])  # fmt: skip
def test_invalid_rules_are_refused_on_load(tmp_path: Path, change) -> None:
    shipped = Path(__file__).resolve().parents[1] / "src" / "watext" / "enrich" / "rules" / "binding.json"
    data = json.loads(shipped.read_text(encoding="utf-8"))
    change(data)
    bad = tmp_path / "binding.json"
    bad.write_text(json.dumps(data), encoding="utf-8")
    with pytest.raises(ConfigError, match="binding.json"):
        load_rules(str(bad))


# --------------------------------------------------------------------------- the store


DECIDED = {"vorlage_nr": "VO/2024/0815", "vorlagenart": "Beschlussvorlage",
           "beratungsfolge": [folge("Sozialausschuss", "Vorberatung"), folge("Stadtrat", "Entscheidung")]}
NOTED = {"submission": {"vorlage_nr": "VO/2024/0816", "vorlagenart": "Mitteilungsvorlage", "beratungsfolge": []}}
KV, TI = "kulturelle_vielfalt", "teilhabe_integration"


def _fill(store, decided: dict | None = DECIDED) -> dict[str, str]:
    """One city, three documents: a decided paper, a noted paper and a slide deck."""
    docs = {}
    for key, source, meta, fmt, doc_type in [
        ("decided", "/in/Darmstadt/vorlage_0815.pdf", decided or {}, Format.PDF, DocType.COUNCIL_SUBMISSION),
        ("noted", "/in/Darmstadt/vorlage_0816.pdf", NOTED, Format.PDF, DocType.COUNCIL_SUBMISSION),
        ("slides", "/in/Darmstadt/folien.pptx", {}, Format.PPTX, DocType.SLIDES),
    ]:  # fmt: skip
        doc, passages = make_doc(source, "Darmstadt", [f"Vielfalt und Teilhabe ({key})."])
        doc.metadata, doc.format, doc.doc_type = dict(meta), fmt, doc_type
        store.save_document(doc, passages)
        docs[key] = passages[0].id
    store.save_predictions([
        pred(docs["decided"], {KV: 0.9}, topic="verstaendnis"),
        pred(docs["noted"], {TI: 0.9}, topic="verstaendnis"),
        pred(docs["slides"], {KV: 0.9, TI: 0.9}, topic="verstaendnis"),
    ])  # fmt: skip
    return docs


def test_tables_show_the_strongest_binding_per_cell(tmp_path: Path) -> None:
    from watext.tables.aggregate import tables_from_passages
    from watext.tables.collect import collect

    with open_store(f"sqlite:///{tmp_path / 'b.db'}") as store:
        docs = _fill(store)
        plain = {p.id: p for p in store.effective_passages(MODEL, VERSION)}
        assert plain[docs["decided"]].metadata["vorlagenart"] == "Beschlussvorlage"
        assert plain[docs["decided"]].binding is None  # the store computes nothing without the rule
        passages, _ = collect(store, MODEL, VERSION)
        assert {p.id: p.binding for p in passages} == {
            docs["decided"]: "beschlossen", docs["noted"]: "zur_kenntnis", docs["slides"]: "angekuendigt"}
        tables = tables_from_passages(passages)
        assert tables.goal_cell("Darmstadt", KV).binding == "beschlossen"  # paper beats slides
        assert tables.goal_cell("Darmstadt", TI).binding == "zur_kenntnis"
        assert tables.goal_cell("Darmstadt", "humanitaere_hilfe").binding is None
        assert {e.binding for e in tables.goal_cell("Darmstadt", KV).evidence} == {"beschlossen", "angekuendigt"}
        frames = to_frames(tables)
        cells = {c["goal"]: c["binding"] for c in records(frames["goal_cells"])}
        assert (cells[KV], cells[TI], cells["humanitaere_hilfe"]) == ("beschlossen", "zur_kenntnis", "")
        ev = {r["passage_id"]: r["binding"] for r in records(frames["evidence"])}
        assert ev[docs["slides"]] == "angekuendigt" and ev[docs["decided"]] == "beschlossen"
        assert tables.to_dict()["goals"][0]["binding"] in (*BINDINGS, None)


def test_binding_follows_the_stored_metadata_without_reingest(tmp_path: Path) -> None:
    """Computed at table time: a paper stored before its Beratungsfolge was known is only
    requested; the same passages read with the metadata filled in are decided."""
    from watext.tables.collect import collect

    with open_store(f"sqlite:///{tmp_path / 'b.db'}") as store:
        docs = _fill(store, decided={"vorlagenart": "Beschlussvorlage"})
        assert {p.id: p.binding for p in collect(store, MODEL, VERSION)[0]}[docs["decided"]] == "beantragt"
    with open_store(f"sqlite:///{tmp_path / 'c.db'}") as store:
        docs = _fill(store)
        assert {p.id: p.binding for p in collect(store, MODEL, VERSION)[0]}[docs["decided"]] == "beschlossen"


def test_goal_cells_and_measures_take_the_strongest_binding() -> None:
    def e(b: str | None) -> Evidence:
        return Evidence("p", "d", "s", None, "A", 1, "t", 0.9, False, "model", "pdf", b)

    assert GoalCell("A", KV, True, [e("angekuendigt"), e("beantragt")]).binding == "beantragt"
    assert GoalCell("A", KV, False).binding is None
    assert Measure(KV, "Sprachkurse", evidence=[e("zur_kenntnis"), e(None), e("beschlossen")]).binding == "beschlossen"
    assert Measure(KV, "Sprachkurse", evidence=[e(None)]).binding is None


# --------------------------------------------------------------------------- exports


def _bound_tables():
    """The exporter fixture with bindings: the first ticked cell and first measure decided,
    every other passage announced."""
    tables = sample_tables()
    for i, cell in enumerate(tables.goals):
        cell.evidence = [dataclasses.replace(e, binding="angekuendigt") for e in cell.evidence]
        if cell.ticked and cell.city == "Darmstadt" and cell.goal == TI:
            cell.evidence[0] = dataclasses.replace(cell.evidence[0], binding="beschlossen")
    for i, m in enumerate(tables.measures):
        m.evidence = [dataclasses.replace(e, binding="beschlossen" if i == 0 else "angekuendigt")
                      for e in m.evidence]  # fmt: skip
    return tables


def test_frames_carry_binding_columns() -> None:
    frames = to_frames(_bound_tables())
    cells = {(c["city"], c["goal"]): c for c in records(frames["goal_cells"])}
    assert cells[("Darmstadt", TI)]["binding"] == "beschlossen"
    assert cells[("Bursa", "kulturelle_vielfalt")]["binding"] == "angekuendigt"
    assert all(c["binding"] == "" for c in cells.values() if not c["ticked"] and not c["n_passages"])
    measures = records(frames["measures"])
    assert measures[0]["binding"] == "beschlossen" and {m["binding"] for m in measures[1:]} <= {"angekuendigt"}
    ev = frames["evidence"]
    assert set(ev[ev["table"].isin(["goals", "measures"])]["binding"]) == {"beschlossen", "angekuendigt"}
    assert set(ev[ev["table"] == "guideline"]["binding"]) == {""}  # the fixture gives those none
    csvs = csv_tables(frames)
    assert "binding" in csvs["goals_cells.csv"].splitlines()[0]
    assert "binding" in csvs["measures.csv"].splitlines()[0] and "binding" in csvs["evidence.csv"].splitlines()[0]


@pytest.mark.parametrize(("lang", "decided", "announced", "column"), [
    ("de", "beschlossen", "angekündigt", "Verbindlichkeit"),
    ("en", "decided", "announced", "Binding"),
])  # fmt: skip
def test_report_and_markdown_show_the_binding(lang, decided, announced, column) -> None:
    frames = to_frames(_bound_tables())
    with i18n.use(lang):
        md, html = md_text(frames), html_text(frames)
    row = next(line for line in md.splitlines() if line.startswith("| Darmstadt"))
    assert f"✓* {decided}" in row and f"✓ {announced}" in row
    assert f"| {column} |" in md and f"✓ {decided}" in md.split("## 3.")[1]
    assert 'class="bind b-beschlossen"' in html and f">{decided}</span>" in html and f">{announced}</span>" in html
    other = i18n.names("binding", "en" if lang == "de" else "de")["angekuendigt"]
    assert other not in html and other not in md  # no display name of the other language


def test_unbound_tables_show_no_binding() -> None:
    frames = to_frames(sample_tables())
    md, html = md_text(frames), html_text(frames)
    assert "beschlossen" not in md and "angekündigt" not in md and 'class="bind' not in html


@pytest.mark.parametrize(("lang", "column", "sheets", "decided"), [
    ("de", "Verbindlichkeit", ("Maßnahmen", "Evidenz"), "beschlossen"),
    ("en", "Binding", ("Measures", "Evidence"), "decided"),
])  # fmt: skip
def test_workbook_has_a_binding_column(lang, column, sheets, decided) -> None:
    frames = to_frames(_bound_tables())
    with i18n.use(lang):
        buf = io.BytesIO()
        build_workbook(frames).save(buf)
    wb = openpyxl.load_workbook(io.BytesIO(buf.getvalue()))
    for name in sheets:
        header = [c.value for c in wb[name][1]]
        assert header[-1] == column, name
        values = {r[-1] for r in wb[name].iter_rows(min_row=2, values_only=True)}
        assert decided in values, name
    goals = wb.worksheets[0]
    cells = [c for row in goals.iter_rows() for c in row]
    assert any(c.value == decided for c in cells)  # the binding matrix under the counts
    assert any(c.comment and decided in c.comment.text for c in cells)


def test_display_names_in_both_languages() -> None:
    assert dict(i18n.names("binding", "de")) == {"beschlossen": "beschlossen", "zur_kenntnis": "zur Kenntnis",
                                                 "beantragt": "beantragt", "angekuendigt": "angekündigt"}
    assert dict(i18n.names("binding", "en")) == {"beschlossen": "decided", "zur_kenntnis": "noted",
                                                 "beantragt": "requested", "angekuendigt": "announced"}
    assert tuple(i18n.names("binding", "de")) == BINDINGS


# --------------------------------------------------------------------------- review queue


def _passage(pid: str, binding: str | None) -> EffectivePassage:
    p = Prediction(pid, "m", "1", (KV,), {KV: 0.7})
    return EffectivePassage(pid, "d" + pid, f"/in/{pid}.pdf", None, "pdf", "A", None, 1, "paragraph", (),
                            "text", "de", None, False, p, None, binding=binding)  # fmt: skip


def test_review_queue_filters_by_binding() -> None:
    items = Q.build_items([_passage("a", "beschlossen"), _passage("b", "angekuendigt"), _passage("c", None)],
                          THRESHOLDS)
    assert [it.binding for it in items] == ["beschlossen", "angekuendigt", None]
    assert [it.id for it in Q.filter_items(items, {}, binding="beschlossen")] == ["a"]
    assert [it.id for it in Q.filter_items(items, {}, binding="angekuendigt")] == ["b"]
    assert [it.id for it in Q.filter_items(items, {})] == ["a", "b", "c"]
    assert filters({"binding": "beschlossen"})["binding"] == "beschlossen"
    assert filters({"binding": "<b>"})["binding"] == "" and filters({})["binding"] == ""


@pytest.mark.parametrize(("lang", "label", "option"), [("de", "Verbindlichkeit", "zur Kenntnis"),
                                                       ("en", "Binding", "noted")])  # fmt: skip
def test_review_page_filters_by_binding(tmp_path: Path, lang, label, option) -> None:
    from watext.review.app import create_app

    base = "http://testserver"
    mdir = tmp_path / "model"
    mdir.mkdir()
    (mdir / "meta.json").write_text(json.dumps({"name": MODEL, "version": VERSION, "thresholds": THRESHOLDS}))
    with open_store(f"sqlite:///{tmp_path / 'r.db'}") as store:
        docs = _fill(store)
        c = TestClient(create_app(store, model_dir=str(mdir), lang=lang), base_url=base, follow_redirects=False)
        c.get("/login")
        c.post("/login", data={"name": "anna", "csrf": c.cookies["watext_csrf"], "next": "/queue"},
               headers={"Origin": base})  # fmt: skip

        def shown(query: str) -> set[str]:
            return set(re.findall(r'<tr data-pid="([^"]+)"', c.get(f"/queue?status=all&{query}").text))

        assert shown("") == set(docs.values())
        assert shown("binding=beschlossen") == {docs["decided"]}
        assert shown("binding=zur_kenntnis") == {docs["noted"]}
        assert shown("binding=angekuendigt") == {docs["slides"]}
        assert shown("binding=beantragt") == set()
        assert shown("binding=nonsense") == set(docs.values())
        page = c.get("/queue?binding=zur_kenntnis").text
        assert f">{label} <select name=\"binding\">" in page
        assert f'<option value="zur_kenntnis" selected>{option}</option>' in page


def test_a_decision_on_a_meeting_still_to_come_is_not_taken_yet() -> None:
    from datetime import date

    from watext.enrich.binding import binding_of

    meta = {"vorlage_nr": "20-26 / V 1", "vorlagenart": "Beschlussvorlage",
            "beratungsfolge": [{"gremium": "Stadtrat", "datum": "2027-03-01", "zustaendigkeit": "Beschluss",
                                "beschliessend": True}]}  # fmt: skip
    assert binding_of(meta, today=date(2026, 11, 29)) == "beantragt"
    assert binding_of(meta, today=date(2027, 3, 1)) == "beschlossen"  # decided on the day
    meta["beratungsfolge"][0]["datum"] = None  # no date: the consultation decides as before
    assert binding_of(meta, today=date(2026, 11, 29)) == "beschlossen"


# --- on real papers: the header parsed at ingest decides the binding --------------------


def _real_binding(path) -> str:  # noqa: ANN001
    from watext.enrich.binding import binding_of
    from watext.ingest.files import hash_file, process_file
    from watext.settings import Settings

    doc = process_file(path, Settings(), doc_id=hash_file(path))[0]
    return binding_of(doc.metadata, doc.doc_type, doc.format)


def test_real_paper_taken_note_of_is_zur_kenntnis() -> None:
    from .paths import SEEDS

    path = SEEDS / "osnabrueck_VO-2014-4833_handlungsempfehlungen.pdf"
    if not path.exists():
        pytest.skip(f"{path} not present")
    assert _real_binding(path) == "zur_kenntnis"  # Rat der Stadt Osnabrück, Kenntnisnahme


def test_real_paper_with_an_authoritative_consultation_is_beschlossen() -> None:
    from .paths import REAL_DOCS

    path = REAL_DOCS / "muenchen_ba3_zuschussentscheidung_checkboxen.pdf"
    if not path.exists():
        pytest.skip(f"{path} not present")
    assert _real_binding(path) == "beschlossen"  # Bezirksausschuss, Beschluss, 2021-02-09


def test_real_slides_without_a_paper_are_angekuendigt() -> None:
    from .paths import SEEDS

    path = SEEDS / "darmstadt_partnerstaedte_willkommenskultur.pptx"
    if not path.exists():
        pytest.skip(f"{path} not present")
    assert _real_binding(path) == "angekuendigt"
