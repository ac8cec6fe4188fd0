"""Document -> passages. Pure: no I/O, no NLP models.

Rules (every passage lies inside exactly one block, so provenance is exact):

- TITLE and HEADING blocks are context, not passages: they form the heading path of
  the passages that follow them. A TITLE opens a new context (a new slide or document
  title); a HEADING of level *n* replaces headings of level >= *n*.
- PARAGRAPH, LIST_ITEM and NOTES blocks become passages. Paragraphs longer than
  ``max_chars`` are cut at sentence ends into passages of at most ``max_chars``
  characters; a sentence longer than that is cut at whitespace near the limit, so no
  passage is ever longer.
- A nested list item carries its parent items' texts in its heading path, so
  "Freiberg: Oberbürgermeister" under "„Chefsache“" keeps that context.
- A numbered question written as a top-level list item ("3) Welche Mittel stehen zur
  Verfügung?": an ordinal marker, and a first sentence ending in "?") opens a question
  section like a heading: the passages after it carry it in their heading path until the
  next question item, a TITLE, or a HEADING at or above the level the question sits under
  (headings below that level nest under the question). The item stays a passage itself;
  when it goes on after the question (the answer as the item's continuation), the
  question and the answer become two passages and the answer carries the question. A run
  of three or more question items with nothing in between is a list of questions (a
  restated questionnaire, an inquiry), not answer structure, and opens nothing.
- Table cells: every non-empty cell outside the header row becomes a passage; its
  heading path adds the column header (row 0) and, from column 1 on, the row header
  (column 0) when it is a short label and differs from the cell's own text.
- A label/value layout is not a table: two columns whose left cells are all short labels
  (at most four words, or eight ending in ":"; no sentence end) and whose first row's
  right cell is text, not a column name ("Anlass | Für die Beschleunigung …"). Its left
  cells become headings, and each right cell a paragraph passage under its label (a
  value without letters or digits, "./.", is no passage). Any format's grid qualifies.
"""

from __future__ import annotations

import re

from watext.model import Block, BlockKind, Document, Passage

__all__ = ["segment", "split_sentences"]

_ABBREV = {
    "z.b", "d.h", "u.a", "bzw", "ggf", "ca", "nr", "abs", "vgl", "evtl", "inkl", "ausl",
    "lfd", "zzt", "usw", "dr", "prof", "st", "str", "tel", "mio", "mrd", "e.v", "i.d.r",
    "s", "bspw", "etc", "e.g", "i.e", "mr", "mrs", "no", "vs", "art", "bzgl", "gem",
}
_SENT_END = re.compile(r"(?<=[.!?…])[\"“”»]?\s+(?=[\"„“«(]?[A-ZÄÖÜ0-9])")


def split_sentences(text: str) -> list[tuple[int, int]]:
    """Sentence spans of ``text`` (German/English punctuation, common abbreviations)."""
    spans, start = [], 0
    for m in _SENT_END.finditer(text):
        before = text[start : m.start()].rstrip("\"“”»")
        last = before.rsplit(None, 1)[-1].rstrip(".").lower() if before.strip() else ""
        if last in _ABBREV or len(last) == 1 or re.fullmatch(r"\d{1,2}", last):
            continue  # "z. B.", "Nr. 5", "27. Oktober"
        spans.append((start, m.start()))
        start = m.end()
    if start < len(text):
        spans.append((start, len(text)))
    return [(s, e) for s, e in spans if text[s:e].strip()]


def _hard_split(text: str, s: int, e: int, max_chars: int) -> list[tuple[int, int]]:
    """``text[s:e]`` (one over-long sentence) in pieces of at most ``max_chars``, cut at the
    last whitespace before the limit (mid-word only when a piece has no whitespace)."""
    out = []
    while e - s > max_chars:
        cut = text.rfind(" ", s + max_chars // 2, s + max_chars)
        cut = max(cut, text.rfind("\n", s + max_chars // 2, s + max_chars))
        if cut <= s:
            cut = s + max_chars
        out.append((s, cut))
        s = cut
        while s < e and text[s].isspace():
            s += 1
    if s < e:
        out.append((s, e))
    return out


def _chunk(text: str, max_chars: int) -> list[tuple[int, int]]:
    """Spans of at most ``max_chars``: whole sentences where they fit, else cut at whitespace
    (text without sentence ends never becomes one giant passage)."""
    if len(text) <= max_chars:
        return [(0, len(text))]
    chunks: list[tuple[int, int]] = []
    for s, e in split_sentences(text):
        if chunks and e - chunks[-1][0] <= max_chars:
            chunks[-1] = (chunks[-1][0], e)
        elif e - s > max_chars:
            chunks.extend(_hard_split(text, s, e, max_chars))
        else:
            chunks.append((s, e))
    return chunks or _hard_split(text, 0, len(text), max_chars)


def _table_headers(blocks: list[Block]) -> dict[tuple[int, int, int], str]:
    """(table, row, col) -> text, for header lookups."""
    return {
        (b.table, b.row or 0, b.col or 0): b.text
        for b in blocks
        if b.kind is BlockKind.TABLE_CELL and b.table is not None
    }


def _is_label(text: str) -> bool:
    """A row header names the row (a city, a key); a list or long text is content."""
    return "\n" not in text and len(text) <= 80


_LABEL_END = re.compile(r"[.!?…;]$")


def _short_label(text: str) -> bool:
    """A label of a label/value layout: one line, no sentence end, at most four words
    (eight when it ends in a colon: "Gesucht werden kann auch unter:")."""
    t = text.strip()
    words = len(t.split())
    return (bool(t) and "\n" not in t and not _LABEL_END.search(t) and len(t) <= 80
            and (words <= 4 or (t.endswith(":") and words <= 8)))


def _label_value_tables(blocks: list[Block]) -> set[int]:
    """Tables laid out as label/value pairs (see the module rules)."""
    grids: dict[int, dict[tuple[int, int], str]] = {}
    for b in blocks:
        if b.kind is BlockKind.TABLE_CELL and b.table is not None:
            grids.setdefault(b.table, {})[(b.row or 0, b.col or 0)] = b.text
    found = set()
    for t, cells in grids.items():
        rows = sorted({r for r, _ in cells})
        if {c for _, c in cells} != {0, 1} or len(rows) < 2:
            continue
        labels = [cells.get((r, 0), "") for r in rows]
        values = [cells.get((r, 1), "") for r in rows]
        first = values[0].strip()
        # the first row's right cell is a value (a sentence, several lines, a number),
        # not the name of a column
        first_is_value = bool(first) and (not _short_label(first) or not re.search(r"[A-Za-zÄÖÜäöü]{3}", first))
        if first_is_value and all(_short_label(x) for x in labels if x.strip()) and labels[0].strip():
            found.add(t)
    return found


def _flat(text: str) -> str:
    return " ".join(text.split())


#: An ordinal list marker at the start of an item ("1.", "2)", "(3)", "IV.", "b)"),
#: optionally after "Frage"/"Question"/"Q" ("Frage 2:").
_ORDINAL = re.compile(
    r"^\s*(?:(?:frage|question|q)\s*(?:nr\.?\s*)?\(?\d{1,2}[.):]?"
    r"|\(?(?:\d{1,3}|[ivxIVX]{1,4}|[a-zA-Z])[.)])\s+(?=\S)",
    re.IGNORECASE,
)
#: Longest question part of an item that is taken for a question.
_QUESTION_MAX = 400
#: This many question items in a row without anything between them are a list of questions.
_QUESTION_LIST_RUN = 3
_QUESTION_MARK = re.compile(r"\?[\"“”»*_]*(?=\s|$)")
_BRACKETED = re.compile(r"\s*\([^()]*\)")


def _sentence_question(text: str, start: int) -> int | None:
    """End of the sentence that starts at ``start`` when it ends in a question mark."""
    q = _QUESTION_MARK.search(text, start)
    if q is None or len(split_sentences(text[start : q.start() + 1])) != 1:
        return None  # no question mark, or a sentence ends before it
    return q.end()


def _question_end(text: str) -> int | None:
    """End offset of the question a numbered list item states: its first sentence when
    that ends in "?", extended over a bracketed part (a translation: "... in your city?
    (Was wird ... verstanden?)") and further short question sentences ("Wenn ja, welche?").
    None when the item is not numbered or does not start with a question."""
    m = _ORDINAL.match(text)
    end = _sentence_question(text, m.end()) if m else None
    if end is None or end > _QUESTION_MAX:
        return None
    while True:
        if b := _BRACKETED.match(text, end):
            end = b.end()
        elif (more := _sentence_question(text, end)) is not None and more - end <= 200:
            end = more
        else:
            return end


def _question_items(blocks: list[Block]) -> dict[int, int]:
    """``{block index: end of its question}`` for the top-level numbered question items
    that open a question section (see the module rules)."""
    found = {i: e for i, b in enumerate(blocks)
             if b.kind is BlockKind.LIST_ITEM and b.parent is None and (e := _question_end(b.text)) is not None}
    # runs of question items that follow each other with no answer in between (not in a
    # following block, not in the item itself)
    runs: list[list[int]] = []
    open_run = False
    for i in (i for i, b in enumerate(blocks) if b.text.strip()):
        bare = i in found and not blocks[i].text[found[i]:].strip()
        if bare and open_run:
            runs[-1].append(i)
        elif i in found:
            runs.append([i])
        open_run = bare
    return {i: found[i] for run in runs if len(run) < _QUESTION_LIST_RUN for i in run}


def segment(doc: Document, max_chars: int = 1200) -> list[Passage]:
    """Split a document into passages with heading paths and exact character spans."""
    passages: list[Passage] = []
    offsets = doc.block_offsets()
    cells = _table_headers(doc.blocks)
    # (level, text, opened by a question item); TITLE is level 0, a question item sits half
    # a level below the heading it follows
    headings: list[tuple[float, str, bool]] = []
    questions = _question_items(doc.blocks)
    label_value = _label_value_tables(doc.blocks)

    def emit(idx: int, block: Block, extra: tuple[str, ...] = (), lo: int = 0, hi: int | None = None,
             kind: BlockKind | None = None) -> None:
        heading = tuple(t for _, t, _ in headings) + extra
        hi = len(block.text) if hi is None else hi
        for s, e in ((lo + s, lo + e) for s, e in _chunk(block.text[lo:hi], max_chars)):
            # trim surrounding whitespace so the span matches the text exactly
            while s < e and block.text[s].isspace():
                s += 1
            while e > s and block.text[e - 1].isspace():
                e -= 1
            if s == e:
                continue
            passages.append(
                Passage(
                    document=doc.id,
                    ordinal=len(passages),
                    text=block.text[s:e],
                    start=offsets[idx] + s,
                    end=offsets[idx] + e,
                    heading=heading,
                    page=block.page,
                    kinds=(kind or block.kind,),
                    blocks=(idx,),
                )
            )

    for idx, block in enumerate(doc.blocks):
        if not block.text.strip():
            continue
        if block.kind is BlockKind.TITLE:
            headings = [(0, _flat(block.text), False)]
        elif block.kind is BlockKind.HEADING:
            level = max(block.level, 1)
            headings = [h for h in headings if h[0] < level] + [(level, _flat(block.text), False)]
        elif idx in questions:
            # the next question ends the previous one's section (and the headings below it)
            headings = headings[:next((k for k, h in enumerate(headings) if h[2]), len(headings))]
            end = questions[idx]
            emit(idx, block, hi=end)
            headings.append(((headings[-1][0] if headings else 0) + 0.5, _flat(block.text[:end]), True))
            emit(idx, block, lo=end)  # the answer written as the item's continuation
        elif block.kind is BlockKind.LIST_ITEM:
            parents: list[str] = []
            p = block.parent
            while p is not None and 0 <= p < idx and len(parents) < 5:
                if p not in questions:  # a question item is in the headings already
                    parents.append(_flat(doc.blocks[p].text))
                p = doc.blocks[p].parent
            emit(idx, block, tuple(reversed(parents)))
        elif block.kind is BlockKind.TABLE_CELL and block.table in label_value:
            label = cells.get((block.table, block.row or 0, 0), "").strip()
            if block.col == 1 and re.search(r"\w", block.text):
                emit(idx, block, (_flat(label),) if label else (), kind=BlockKind.PARAGRAPH)
        elif block.kind is BlockKind.TABLE_CELL:
            row, col = block.row or 0, block.col or 0
            if row == 0:
                continue
            extra = []
            col_head = cells.get((block.table, 0, col), "")
            if col_head and col_head != block.text:
                extra.append(_flat(col_head))
            row_head = cells.get((block.table, row, 0), "") if col > 0 else ""
            if row_head and row_head != block.text and _is_label(row_head):
                extra.append(_flat(row_head))
            emit(idx, block, tuple(extra))
        else:  # PARAGRAPH, NOTES
            emit(idx, block)
    return passages
