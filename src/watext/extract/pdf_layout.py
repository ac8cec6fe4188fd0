"""Page layout analysis for the PDF adapter: words -> lines -> blocks (no I/O).

Works on the word dicts of ``pdfplumber.Page.extract_words(extra_attrs=["size",
"fontname"])`` so it can be tested without a PDF. The steps are:

1. :func:`group_lines` clusters words by baseline and splits a baseline at wide gaps
   (separate columns or a letterhead sidebar become separate line segments);
2. :func:`build_blocks` walks the lines top to bottom and rebuilds paragraphs and list
   items from vertical gaps, font changes, bullets/numbers, indentation and sentence
   ends; a line only continues a block it overlaps horizontally, so a sidebar does not
   interleave with the body text;
3. :func:`assign_levels` nests list items by the x position of their markers.

Classification into title/heading/paragraph happens in :mod:`watext.extract.pdf`, which
knows the whole document (body font size, slide deck or not).
"""

from __future__ import annotations

import re
import statistics
from dataclasses import dataclass, field
from functools import lru_cache
from operator import itemgetter
from typing import Any

from watext.extract.normalize import clean_text, ends_sentence, is_bullet, join_lines

__all__ = ["Line", "RawBlock", "assign_levels", "build_blocks", "group_lines", "is_bold"]

Word = dict[str, Any]

_X0, _BOTTOM_X0 = itemgetter("x0"), itemgetter("bottom", "x0")
_BOLD = re.compile(r"bold|black|heavy|semibold|demi|,b$", re.IGNORECASE)
_NUMBER_MARKER = re.compile(r"^\(?(\d{1,2}|[a-z]|[IVX]{1,4}|[ivx]{1,4})[.)]$")
#: Weak markers may also be ordinary text at a line start ("- werden", "22. Januar").
_WEAK_BULLETS = frozenset("-*·")


@lru_cache(maxsize=4096)
def is_bold(fontname: str) -> bool:
    """Tell whether a PDF font name denotes a bold face (kept per name: asked once a word)."""
    return bool(_BOLD.search(fontname or ""))


@dataclass(slots=True)
class Line:
    """One line segment: words on a common baseline without a wide gap between them."""

    words: list[Word]
    text: str
    x0: float
    x1: float
    top: float
    bottom: float
    size: float
    bold: bool

    @classmethod
    def from_words(cls, words: list[Word]) -> Line:
        texts = [w["text"] for w in words]
        lengths = [len(t) for t in texts]
        sizes = sorted([(float(w.get("size") or 0.0), n) for w, n in zip(words, lengths, strict=True)])
        total = sum(lengths) or 1
        acc, size = 0, sizes[-1][0]
        for s, n in sizes:  # character-weighted median size
            acc += n
            if acc * 2 >= total:
                size = s
                break
        bold_chars = sum([n for w, n in zip(words, lengths, strict=True) if is_bold(w.get("fontname", ""))])
        return cls(
            words=words,
            text=clean_text(" ".join(texts)),
            x0=min([w["x0"] for w in words]),
            x1=max([w["x1"] for w in words]),
            top=min([w["top"] for w in words]),
            bottom=max([w["bottom"] for w in words]),
            size=size,
            bold=bold_chars / total >= 0.6,
        )


@dataclass(slots=True, eq=False)
class RawBlock:
    """A block under construction: its lines plus list-marker information."""

    lines: list[Line]
    marker: str | None = None  # bullet glyph, "#" for a number, None for no list item
    marker_x: float = 0.0
    level: int = 0
    parent: RawBlock | None = None
    kind: str = "paragraph"
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def first(self) -> Line:
        return self.lines[0]

    @property
    def last(self) -> Line:
        return self.lines[-1]

    @property
    def size(self) -> float:
        return max(ln.size for ln in self.lines)

    @property
    def bold(self) -> bool:
        return all(ln.bold for ln in self.lines)

    @property
    def bbox(self) -> tuple[float, float, float, float]:
        return (
            round(min(ln.x0 for ln in self.lines), 2),
            round(min(ln.top for ln in self.lines), 2),
            round(max(ln.x1 for ln in self.lines), 2),
            round(max(ln.bottom for ln in self.lines), 2),
        )

    def text(self) -> str:
        """Block text: lines joined with hyphen repair, the bullet glyph stripped."""
        texts = [ln.text for ln in self.lines]
        if self.marker and self.marker != "#":
            texts[0] = _strip_bullet(texts[0])
        return join_lines(texts)


def _strip_bullet(text: str) -> str:
    first, _, rest = text.partition(" ")
    if is_bullet(first):
        return rest.strip()
    if first and is_bullet(first[0]):
        return text[1:].strip()
    return text


def group_lines(words: list[Word], gap_factor: float = 2.5) -> list[Line]:
    """Group words into line segments, sorted top to bottom, then left to right."""
    if not words:
        return []
    ordered = sorted(words, key=_BOTTOM_X0)
    clusters: list[list[Word]] = [[ordered[0]]]
    ref, ref_size = ordered[0], float(ordered[0].get("size") or 10)  # the cluster's first word
    for w in ordered[1:]:
        size = float(w.get("size") or 10)
        tol = 0.35 * min(size, ref_size)
        if w["bottom"] - ref["bottom"] <= tol:
            clusters[-1].append(w)
        else:
            clusters.append([w])
            ref, ref_size = w, size
    lines: list[Line] = []
    for cluster in _split_interleaved(clusters):
        cluster.sort(key=_X0)  # (sorted already, unless an x0 is NaN)
        segment = [cluster[0]]
        for w in cluster[1:]:
            size = max(float(w.get("size") or 10), 4.0)
            if w["x0"] - segment[-1]["x1"] > gap_factor * size:
                lines.append(Line.from_words(segment))
                segment = [w]
            else:
                segment.append(w)
        lines.append(Line.from_words(segment))
    lines = [ln for ln in lines if ln.text]
    lines.sort(key=lambda ln: (round(ln.top), ln.x0))
    return lines


def _split_interleaved(clusters: list[list[Word]]) -> list[list[Word]]:
    """Split a baseline cluster whose words overlap horizontally into one per font size.

    Text of different sizes set on top of each other (a letterhead over "Seite 1 von 2")
    lands on one baseline but must not be interleaved word by word.
    """
    out: list[list[Word]] = []
    for cluster in clusters:
        cluster.sort(key=_X0)
        overlapping = any(b["x0"] < a["x1"] - 1 for a, b in zip(cluster, cluster[1:], strict=False))
        if not overlapping:
            out.append(cluster)
            continue
        by_size: dict[int, list[Word]] = {}
        for w in cluster:
            by_size.setdefault(round(float(w.get("size") or 0)), []).append(w)
        out.extend(by_size.values())
    return out


def _marker_of(line: Line) -> str | None:
    """The list marker a line starts with: a bullet glyph, ``"#"`` for a number, or None."""
    first = line.words[0]["text"]
    if is_bullet(first):
        return first if len(line.words) > 1 else None
    if len(first) > 1 and is_bullet(first[0]) and first[0] not in _WEAK_BULLETS | {"–", "—"}:
        return first[0] if first[1].isalpha() else None
    if _NUMBER_MARKER.match(first) and len(line.words) > 1:
        return "#"
    return None


def _typical_gap(lines: list[Line]) -> float:
    """Median vertical gap between consecutive same-size lines (line spacing)."""
    gaps = [
        b.top - a.bottom
        for a, b in zip(lines, lines[1:], strict=False)
        if abs(a.size - b.size) < 0.5 and 0 <= b.top - a.bottom < 2 * a.size
    ]
    return statistics.median(gaps) if gaps else 0.0


_Spans = dict[int, tuple[int, tuple[float, float]]]  # id(block) -> (its lines then, its span)


def _span(b: RawBlock, spans: _Spans) -> tuple[float, float]:
    """``b.bbox``'s x0 and x1, asked for every line placed: without the rest of the box, and kept
    in ``spans`` while the block has as many lines (:func:`build_blocks` only appends lines)."""
    lines = b.lines
    known = spans.get(id(b))
    if known is None or known[0] != len(lines):
        known = spans[id(b)] = len(lines), (round(min([ln.x0 for ln in lines]), 2), round(max([ln.x1 for ln in lines]), 2))
    return known[1]


def _overlaps(a: Line, b: RawBlock, spans: _Spans) -> bool:
    x0, x1 = _span(b, spans)
    return min(a.x1, x1) - max(a.x0, x0) > 0


def _breaks(block: RawBlock, line: Line, gap_limit: float, spans: _Spans) -> bool:
    """Tell whether ``line`` cannot continue ``block`` (ignoring list markers)."""
    prev = block.last
    gap = line.top - prev.bottom
    size = max(prev.size, line.size)
    if gap > max(0.6 * size, gap_limit) or gap < -0.5 * size:
        return True
    if abs(prev.size - line.size) > max(1.0, 0.12 * size):
        return True
    if prev.bold != line.bold:
        return True
    if block.marker not in (None, "#") and line.x0 < block.first.x0 - 2:
        return True
    x0, x1 = _span(block, spans)
    right = max(x1, line.x1)
    if ends_sentence(prev.text) and prev.x1 < right - max(3 * size, 0.12 * (right - x0)):
        return True
    return False


def build_blocks(lines: list[Line], title_size: float | None = None) -> list[RawBlock]:
    """Rebuild paragraphs and list items from the lines of one page, in reading order.

    Lines set in ``title_size`` or larger (slide titles) never start list items.
    """
    gap_limit = 1.5 * _typical_gap(lines) + 0.5
    blocks: list[RawBlock] = []
    spans: _Spans = {}
    for line in lines:
        target = next((b for b in reversed(blocks[-6:]) if _overlaps(line, b, spans)), None)
        marker = _marker_of(line)
        if title_size is not None and line.size >= title_size - 0.5:
            marker = None
        if marker is not None and (marker == "#" or marker in _WEAK_BULLETS) and target:
            # a weak marker only starts an item where a new block could start anyway
            weak_ok = (
                _breaks(target, line, gap_limit, spans)
                or ends_sentence(target.last.text)
                or line.x0 < target.last.x0 - 2
                or (target.marker is not None and abs(target.marker_x - line.x0) < 3)
            )
            if not weak_ok:
                marker = None
        if marker is None and target is not None and not _breaks(target, line, gap_limit, spans):
            target.lines.append(line)
            continue
        blocks.append(RawBlock(lines=[line], marker=marker, marker_x=line.x0))
    blocks.sort(key=lambda b: (round(b.first.top), b.first.x0))
    return blocks


def assign_levels(blocks: list[RawBlock]) -> None:
    """Set ``level`` and ``parent`` of list items from their markers' x positions."""
    stack: list[RawBlock] = []
    for block in blocks:
        if not block.marker:
            stack.clear()
            continue
        while stack and stack[-1].marker_x >= block.marker_x - 3:
            stack.pop()
        block.level = len(stack)
        block.parent = stack[-1] if stack else None
        stack.append(block)
