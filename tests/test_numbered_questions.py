"""A numbered question written as a list item opens that question, in DOCX, PDF and PPTX.

The inputs (``tests/data/numbered/``, built by its ``make_inputs.py``) are small survey
answers whose questions are numbered list items - a real Word numbering, "1." lines in a
PDF, auto-numbered PowerPoint paragraphs - each worded in its own way. Every file goes
through the whole ingest path into a store, the survey structure is worked out as at
classify time, and every answer passage must carry its question in its heading path and
answer that question. ``segment`` itself is checked on hand-made blocks for the shapes
that must not open a question.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest

from watext import pipeline
from watext.model import Block, BlockKind, Document, Format
from watext.segment import segment
from watext.settings import get_settings
from watext.store import open_store
from watext.tag.survey import questions_version

from .paths import DATA

NUMBERED = DATA / "numbered"

#: file -> (question number, start of the question item's text, starts of its answer passages)
EXPECTED: dict[str, list[tuple[int, str, list[str]]]] = {
    "lindenau_antworten.docx": [
        (1, "1) Welche Bedeutung hat Willkommenskultur",
         ["Für Lindenau heißt Willkommenskultur", "Dazu gehört auch der Respekt"]),
        (2, "2) Gibt es bei Ihnen ein schriftliches Konzept",
         ["Nein. Ein Integrationskonzept wird derzeit"]),  # the item's continuation
        (3, "3) Welche Angebote für Zugewanderte", ["Sprachcafé im Bürgerhaus", "Begrüßungspaket für"]),
        (4, "4) Wer ist in der Verwaltung", ["Zuständig ist das Bürgeramt"]),
        (5, "5) Welche Mittel stehen dafür", ["Im Haushalt 2015 sind 4.000 Euro"]),
        (6, "6) Wer entscheidet über die Vergabe", ["Der Gemeinderat entscheidet"]),
        (7, "7) Welche Vorbilder aus anderen Kommunen", ["Das Patenschaftsprogramm der Stadt Weiden"]),
    ],
    "marwick_response.pdf": [
        (1, "1. How would you describe a welcoming culture",
         ["For Marwick a welcoming culture means", "It also means that the town"]),
        (2, "2. Has your council adopted a written strategy", ["No. A strategy is being drafted"]),
        (3, "3. Which initiatives for newcomers",
         ["English conversation club", "Welcome walks through the town centre"]),
        (4, "4. Which department takes the lead", ["The Community Development Service leads"]),
        (5, "5. Is there a dedicated budget", ["A part-time coordinator post"]),
        (6, "6. Who decides how this money is spent", ["The cabinet member for communities"]),
        (7, "7. Which examples from other places", ["We admire the volunteer mentoring scheme"]),
    ],
    "hallberg_folien.pptx": [
        (1, "1. Was versteht Hallberg unter einer Kultur",
         ["Offenheit gegenüber neuen Nachbarn", "Unterstützung beim Ankommen"]),
        (2, "2. Liegt ein Leitbild oder Konzept", ["Ja, das Leitbild „Hallberg für alle“"]),
        (3, "3) Welche Projekte laufen bereits?", ["Nachbarschaftsfest im Juni", "Hausaufgabenhilfe für Kinder"]),
        (4, "4) Welche Stelle koordiniert die Arbeit?", ["Das Amt für Familie und Soziales"]),
    ],
}
#: passages outside any question: greetings before the first, closing formulas after the last
OUTSIDE = ["Sehr geehrte Damen und Herren", "Mit freundlichen Grüßen", "Anna Roth",
           "Dear colleagues, please find", "Yours faithfully"]


@pytest.fixture(scope="module")
def ingested(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, list]]:
    """``{file name: its passages as the tables read them}`` after ingest and survey marking."""
    db = f"sqlite:///{tmp_path_factory.mktemp('numbered') / 'w.db'}"
    settings = get_settings(db=db, ocr="off")
    with open_store(db) as store:
        batch = pipeline.ingest(store, settings, [str(NUMBERED / name) for name in EXPECTED])
        assert [f.status for f in batch.files] == ["new"] * len(EXPECTED), batch.files
        pipeline.mark_questions(store, store.documents_without_questions(questions_version()))
        out: dict[str, list] = {}
        for p in store.effective_passages(None, None):
            out.setdefault(Path(p.source).name, []).append(p)
    yield out


def _question_headings(heading: tuple[str, ...]) -> list[str]:
    return [h for h in heading if re.match(r"^\(?\d\s*[.)]", h)]


@pytest.mark.parametrize("name", list(EXPECTED))
def test_every_answer_carries_its_numbered_question(ingested, name: str) -> None:
    passages = ingested[name]
    seen: set[str] = set()
    for no, question, answers in EXPECTED[name]:
        item = next(p for p in passages if p.text.startswith(question))
        assert item.kind == "list_item"
        assert (item.question, item.is_question) == (no, True), item
        assert item.text.endswith("?")  # an answer going on in the item is a passage of its own
        assert _question_headings(item.heading) == []  # the question does not head itself
        for start in answers:
            answer = next(p for p in passages if p.text.startswith(start))
            assert _question_headings(answer.heading) == [item.text], (start, answer.heading)
            assert (answer.question, answer.is_question) == (no, False), (start, answer.question)
            seen.add(answer.id)
        seen.add(item.id)
    rest = [p for p in passages if p.id not in seen]
    assert all(any(p.text.startswith(o) for o in OUTSIDE) for p in rest), [p.text for p in rest]
    assert all(p.question is None for p in rest)


def test_pptx_auto_numbers_are_rebuilt_as_text(ingested) -> None:
    items = [p.text for p in ingested["hallberg_folien.pptx"] if p.is_question]
    assert [t.split(" ", 1)[0] for t in items] == ["1.", "2.", "3)", "4)"]


def test_the_question_item_and_its_continued_answer_keep_exact_spans() -> None:
    from watext.ingest.files import hash_file, process_file

    path = NUMBERED / "lindenau_antworten.docx"
    doc, passages = process_file(path, get_settings(ocr="off"), doc_id=hash_file(path))
    item = next(p for p in passages if p.text.startswith("2)"))
    q, a = (p for p in passages if p.blocks == item.blocks)
    assert q.text == "2) Gibt es bei Ihnen ein schriftliches Konzept zur Willkommenskultur?"
    assert a.text == "Nein. Ein Integrationskonzept wird derzeit im Gemeinderat beraten."
    for p in (q, a):
        assert doc.text[p.start:p.end] == p.text


# --- segment on hand-made blocks ---------------------------------------------------------


def _doc(*blocks: Block) -> Document:
    return Document(id="e" * 64, source="x", format=Format.TEXT, blocks=list(blocks))


def _item(text: str, **kw) -> Block:
    return Block(BlockKind.LIST_ITEM, text, **kw)


def _para(text: str) -> Block:
    return Block(BlockKind.PARAGRAPH, text)


def test_a_list_of_questions_without_answers_opens_nothing() -> None:
    doc = _doc(Block(BlockKind.TITLE, "Anfrage der Fraktion"),
               _item("1. Wie viele Sprachkurse gibt es?"), _item("2. Wer bezahlt sie?"),
               _item("3. Wann wird das Angebot erweitert?"), _para("Die Verwaltung antwortet schriftlich."))
    assert {p.heading for p in segment(doc)} == {("Anfrage der Fraktion",)}


def test_numbered_statements_and_unnumbered_questions_open_nothing() -> None:
    doc = _doc(Block(BlockKind.TITLE, "Bericht"), _item("1. Wir bieten Sprachkurse an."), _para("Mehr dazu."),
               _item("Wer bezahlt das?"), _para("Die Stadt."), _item("2. Wir beraten. Wer noch?"), _para("Niemand."))
    assert {p.heading for p in segment(doc)} == {("Bericht",)}


def test_a_nested_numbered_question_does_not_replace_the_open_question() -> None:
    doc = _doc(_item("1. Welche Angebote gibt es?"), _item("a) Welche davon für Kinder?", level=1, parent=0),
               _para("Eine Hausaufgabenhilfe."))
    ps = segment(doc)
    assert ps[1].heading == ("1. Welche Angebote gibt es?",)
    assert ps[2].heading == ("1. Welche Angebote gibt es?",)


def test_headings_below_the_question_nest_and_headings_above_close_it() -> None:
    doc = _doc(Block(BlockKind.HEADING, "Teil A", level=1),
               _item("(1) Who is in charge of it? (Wer ist zuständig?) The mayor's office."),
               Block(BlockKind.HEADING, "Details:", level=2), _para("A team of three."),
               Block(BlockKind.HEADING, "Teil B", level=1), _para("Something else."))
    ps = segment(doc)
    assert [(p.text, p.heading) for p in ps] == [
        ("(1) Who is in charge of it? (Wer ist zuständig?)", ("Teil A",)),
        ("The mayor's office.", ("Teil A", "(1) Who is in charge of it? (Wer ist zuständig?)")),
        ("A team of three.", ("Teil A", "(1) Who is in charge of it? (Wer ist zuständig?)", "Details:")),
        ("Something else.", ("Teil B",)),
    ]
    for p in ps:
        assert doc.text[p.start:p.end] == p.text


def test_a_skipped_question_ends_the_previous_section() -> None:
    doc = _doc(_item("1. Gibt es ein Konzept?"), _para("Ja."), _item("2. Wer ist zuständig?"),
               _item("3. Gibt es Geld dafür?"), _para("Nein."))
    ps = segment(doc)
    assert [(p.text, p.heading) for p in ps] == [
        ("1. Gibt es ein Konzept?", ()), ("Ja.", ("1. Gibt es ein Konzept?",)),
        ("2. Wer ist zuständig?", ()), ("3. Gibt es Geld dafür?", ()),
        ("Nein.", ("3. Gibt es Geld dafür?",)),
    ]
