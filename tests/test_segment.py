"""segment(): passages with heading paths and exact, non-overlapping spans."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from watext.model import Block, BlockKind, Document, Format
from watext.segment import segment, split_sentences


def _doc(blocks: list[Block]) -> Document:
    return Document(id="f" * 64, source="x", format=Format.TEXT, blocks=blocks)


def test_segment_heading_path_and_nested_list_items() -> None:
    doc = _doc([
        Block(BlockKind.TITLE, "4. Bei welcher Behörde?", page=8),
        Block(BlockKind.LIST_ITEM, "„Chefsache“", page=8, level=0),
        Block(BlockKind.LIST_ITEM, "Freiberg: Oberbürgermeister", page=8, level=1, parent=1),
        Block(BlockKind.HEADING, "Sachverhalt:", level=2),
        Block(BlockKind.PARAGRAPH, "Text nach der Überschrift."),
    ])
    ps = segment(doc)
    assert [p.text for p in ps] == ["„Chefsache“", "Freiberg: Oberbürgermeister", "Text nach der Überschrift."]
    assert ps[1].heading == ("4. Bei welcher Behörde?", "„Chefsache“")
    assert ps[1].page == 8
    assert ps[2].heading == ("4. Bei welcher Behörde?", "Sachverhalt:")


def test_segment_table_cells_carry_column_and_row_headers() -> None:
    doc = _doc([
        Block(BlockKind.TABLE_CELL, "Ziele:", table=0, row=0, col=0),
        Block(BlockKind.TABLE_CELL, "Kulturelle Vielfalt", table=0, row=0, col=1),
        Block(BlockKind.TABLE_CELL, "Bursa", table=0, row=1, col=0),
        Block(BlockKind.TABLE_CELL, "ja", table=0, row=1, col=1),
    ])
    ps = segment(doc)
    assert [(p.text, p.heading) for p in ps] == [("Bursa", ("Ziele:",)), ("ja", ("Kulturelle Vielfalt", "Bursa"))]


def test_segment_long_paragraph_split_at_sentences() -> None:
    sentence = "Die Stadt bietet z. B. Sprachkurse und Beratung für Neuzugewanderte an. "
    doc = _doc([Block(BlockKind.PARAGRAPH, (sentence * 40).strip())])
    ps = segment(doc, max_chars=300)
    assert len(ps) > 5
    assert all(len(p.text) <= 300 for p in ps)
    assert all(p.text.endswith("an.") for p in ps)


def test_split_sentences_keeps_abbreviations_and_dates() -> None:
    text = "Am 27. Oktober 2014 teilte das BAMF mit, dass z. B. Nr. 5 gilt. Danach folgte mehr."
    spans = split_sentences(text)
    assert [text[s:e] for s, e in spans] == [
        "Am 27. Oktober 2014 teilte das BAMF mit, dass z. B. Nr. 5 gilt.", "Danach folgte mehr."
    ]


_kinds = st.sampled_from([BlockKind.TITLE, BlockKind.HEADING, BlockKind.PARAGRAPH,
                          BlockKind.LIST_ITEM, BlockKind.NOTES])
_text = st.text(alphabet=st.sampled_from("abcäöüß ABC.!?\n,„“-"), min_size=0, max_size=400)


@settings(max_examples=200, deadline=None)
@given(st.lists(st.tuples(_kinds, _text), max_size=12), st.integers(40, 500))
def test_segment_spans_match_text_and_never_overlap(blocks, max_chars) -> None:
    doc = _doc([Block(k, t) for k, t in blocks])
    full = doc.text
    ps = segment(doc, max_chars=max_chars)
    last_end = 0
    for i, p in enumerate(ps):
        assert p.ordinal == i
        assert full[p.start:p.end] == p.text
        assert p.text.strip() == p.text and p.text
        assert p.start >= last_end
        last_end = p.end
