"""pdfplumber's table finder for the fast PDF reader (:mod:`watext.extract.pdf_objects` finds the
ruling edges): :class:`TablePage` runs it (default settings) on edge tuples, its steps redone
operation for operation (same sums, order, floats; pdfplumber's own, :func:`_plumber_cells`, for
huge or not finite coordinates), and reads the cells' text as pdfplumber's ``extract_text`` does."""

from __future__ import annotations

import math
from bisect import bisect_left, bisect_right
from collections.abc import Callable
from itertools import accumulate, groupby, pairwise
from operator import itemgetter
from typing import Any

from pdfplumber.table import Table, TableFinder, TableSettings, cells_to_tables
from pdfplumber.utils import extract_text
from pdfplumber.utils.text import LIGATURES

__all__ = ["Edge", "TablePage", "centred"]

_X0 = itemgetter("x0")
_TOP = itemgetter("top")
_X = itemgetter(1)  # of a character's centre (y, x, index)
Edge = tuple[float, float, float, float, str]  # x0, top, x1, bottom (its bbox), orientation "h"/"v"


def centred(c: Any, boxes: list[Any]) -> bool:
    """Whether the centre of ``c`` = (x0, x1, top, bottom, ...) lies in one of the boxes."""
    cx, cy = (c[0] + c[1]) / 2, (c[2] + c[3]) / 2
    for x0, top, x1, bottom in boxes:
        if x0 <= cx < x1 and top <= cy < bottom:
            return True
    return False


# pdfplumber's TableFinder on edge tuples (x0, top, x1, bottom, length), length its "width" of
# a horizontal edge, "height" of a vertical one, kept as pdfplumber updates them.


def _snap(edges: list[Any], axis: int) -> list[Any]:
    """``snap_objects(edges, "x0" (axis 0) or "top" (1), 3)``: moved by the mean of its cluster."""
    out = []
    for cluster in _clusters(edges, itemgetter(axis)) if edges else []:
        avg = sum([e[axis] for e in cluster]) / len(cluster)
        if axis:
            out += [(x0, top + (avg - top), x1, bottom + (avg - top), n) for x0, top, x1, bottom, n in cluster]
        else:
            out += [(x0 + (avg - x0), top, x1 + (avg - x0), bottom, n) for x0, top, x1, bottom, n in cluster]
    return out


def _join(edges: list[Any], lo: int, hi: int) -> list[Any]:
    """``join_edge_group``: edges on one line, by start (``lo``), merged when within 3."""
    edges.sort(key=itemgetter(lo))
    joined = edges[:1]
    for e in edges[1:]:
        x0, top, x1, bottom, n = last = joined[-1]
        if e[lo] > last[hi] + 3:  # (finite values: not <=)
            joined.append(e)
        elif e[hi] > last[hi]:  # resize_object: width = x1 - x0, height += the change of bottom
            joined[-1] = (x0, top, e[2], bottom, e[2] - x0) if hi == 2 else (x0, top, x1, e[3], n + (e[3] - bottom))
    return joined


def _table_cells(edges: list[Edge]) -> list[list[tuple[float, float, float, float]]]:
    """The cells of ``TableFinder(page).tables`` (lines strategy, default tolerances)."""
    v = [(x0, top, x1, bottom, bottom - top) for x0, top, x1, bottom, o in edges if o == "v" and bottom - top >= 1]
    h = [(x0, top, x1, bottom, x1 - x0) for x0, top, x1, bottom, o in edges if o == "h" and x1 - x0 >= 1]
    # merge_edges: snapped, sorted by ("h", top) / ("v", x0), joined by line
    h = [e for _, g in groupby(sorted(_snap(h, 1), key=itemgetter(1)), itemgetter(1)) for e in _join(list(g), 0, 2)]
    v = [e for _, g in groupby(sorted(_snap(v, 0), key=itemgetter(0)), itemgetter(0)) for e in _join(list(g), 1, 3)]
    hs = sorted([e for e in h if e[4] >= 3], key=itemgetter(1, 0))  # edges_to_intersections
    up, down = [e[1] + 3 for e in hs], [e[1] - 3 for e in hs]  # both ascending: h in [lo, hi) meet v in y
    inter: dict[tuple[float, float], tuple[set[Any], set[Any]]] = {}
    for vx, vt, vx1, vb, _ in sorted([e for e in v if e[4] >= 3], key=itemgetter(0, 1)):
        for hx0, ht, hx1, hb, _ in hs[bisect_left(up, vt) : bisect_right(down, vb)]:
            if vx >= hx0 - 3 and vx <= hx1 + 3:
                sets = inter.setdefault((vx, ht), (set(), set()))  # a key already in keeps its floats
                sets[0].add((vx, vt, vx1, vb))
                sets[1].add((hx0, ht, hx1, hb))
    points = sorted(inter)  # intersections_to_cells: the smallest cell from each point
    cols: dict[float, list[Any]] = {}
    rows = cols.copy()
    for p in points:
        cols.setdefault(p[0], []).append(p)
        rows.setdefault(p[1], []).append(p)
    return _cells_to_tables([c for p in points if (c := _smallest(p, cols[p[0]], rows[p[1]], inter))])


def _cells_to_tables(cells: list[Any]) -> list[list[Any]]:
    """pdfplumber's ``cells_to_tables``: passes over the cells left, each taking those that share a
    corner with the table so far (any cell into an empty one), a table closed after a pass that took
    none. Each pass keeps what it leaves as a new list (pdfplumber removes the cells taken from its
    list one by one, quadratic in the cells); with two equal cells, pdfplumber's own."""
    if len(set(cells)) != len(cells):
        return cells_to_tables(cells)
    remaining, corners, current, tables = cells, set(), [], []
    while remaining:
        before, left = len(current), []
        for cell in remaining:
            x0, top, x1, bottom = cell
            cell_corners = ((x0, top), (x0, bottom), (x1, top), (x1, bottom))
            if not current or not corners.isdisjoint(cell_corners):
                corners.update(cell_corners)
                current.append(cell)
            else:
                left.append(cell)
        remaining = left
        if len(current) == before:
            tables.append(current)
            corners, current = set(), []
    if current:
        tables.append(current)
    return [t for t in sorted(tables, key=lambda t: min((c[1], c[0]) for c in t)) if len(t) > 1]


def _smallest(pt: Any, col: list[Any], row: list[Any], inter: dict[Any, Any]) -> Any:
    """``find_smallest_cell``: points below, to the right and the corner joined by common edges."""
    (vs, hs), right = inter[pt], row[row.index(pt) + 1 :]
    for b in col[col.index(pt) + 1 :]:
        if not vs.isdisjoint(inter[b][0]):
            for r in right:
                (rv, rh), c = inter[r], inter.get((r[0], b[1]))  # c: the fourth corner
                if c and not (hs.isdisjoint(rh) or c[0].isdisjoint(rv) or c[1].isdisjoint(inter[b][1])):
                    return (pt[0], pt[1], r[0], b[1])
    return None


def _plumber_cells(edges: list[Edge], bbox: Any) -> list[list[Any]]:
    """The same through pdfplumber's own TableFinder (edge dicts as pdfplumber makes them)."""
    keys = ("x0", "top", "x1", "bottom", "orientation")
    dicts = [dict(zip(keys, e, strict=True), doctop=e[1], width=e[2] - e[0], height=e[3] - e[1]) for e in edges]
    page = type("EdgePage", (), {"bbox": bbox, "edges": dicts})()
    return [t.cells for t in TableFinder(page, TableSettings.resolve(None)).tables]  # type: ignore[arg-type]


def _clusters(objs: list[Any], key: Callable[[Any], float] = _TOP) -> list[list[Any]]:
    """pdfplumber's ``cluster_objects(objs, "top", 3)``: lines by ``top``, in page order within."""
    tops = sorted(set(map(key, objs)))  # a new group where the next value is not within 3
    if len(tops) < 2:
        return [list(objs)]
    groups = list(accumulate((not b <= a + 3 for a, b in pairwise(tops)), initial=0))
    index, lines = dict(zip(tops, groups, strict=False)), [[] for _ in range(groups[-1] + 1)]
    for o in objs:
        lines[index[key(o)]].append(o)
    return lines


def _cell_text(chars: list[dict[str, Any]]) -> str:
    """pdfplumber's ``extract_text(chars)`` (default settings) for upright characters: words
    split at spaces, gaps over 3 pt and where text runs backwards, by line, lines by ``top``."""
    if not all(c["upright"] is True for c in chars):
        return extract_text(chars)
    words: list[tuple[float, str]] = []  # (top, text)
    for line in _clusters(chars):
        word: list[dict[str, Any]] = []
        for c in sorted(line, key=_X0) if len(line) > 1 else line:
            text = c["text"]
            if text.isspace() or text == "":  # pdfplumber: "" is "in" its (empty) punctuation: a word alone
                if word:
                    words.append(_word(word))
                if text == "":
                    words.append(_word([c]))
                word = []
            elif word and (c["x0"] < word[-1]["x0"] or c["x0"] > word[-1]["x1"] + 3
                           or abs(c["top"] - word[-1]["top"]) > 3):  # fmt: skip
                words.append(_word(word))
                word = [c]
            else:
                word.append(c)
        if word:
            words.append(_word(word))
    return "\n".join(" ".join([w[1] for w in line]) for line in _clusters(words, itemgetter(0)))


def _word(chars: list[dict[str, Any]]) -> tuple[float, str]:
    if len(chars) == 1:  # (most: a segment of characters is one already)
        c = chars[0]
        return c["top"], LIGATURES.get(c["text"], c["text"] or "")
    return min([c["top"] for c in chars]), "".join([LIGATURES.get(c["text"], c["text"] or "") for c in chars])


class TablePage:
    """Just enough of a ``pdfplumber.Page`` for its table finder: edges, characters, bbox."""

    def __init__(self, width: float, height: float, edges: list[Edge],
                 chars: Callable[[list[Any]], list[dict[str, Any]]]) -> None:  # fmt: skip
        """``chars(boxes)``: the page's characters with the centre in one of the boxes."""
        self.bbox, self.edges, self._make_chars = (0.0, 0.0, width, height), edges, chars
        self._chars: list[dict[str, Any]] | None = None
        self._mids: list[tuple[float, float, int]] | None = None  # centres (y, x, index) by y
        self._ys: list[float] | None = None  # their y (None: not all finite)
        self._tables: list[Any] | None = None

    @property
    def chars(self) -> list[dict[str, Any]]:
        """The characters inside the tables found (the only ones a table's cells can hold)."""
        if self._chars is None:
            self._chars = self._make_chars([t.bbox for t in self.find_tables()])
        return self._chars

    def cells(self, table: Any, rows: list[Any] | None = None) -> list[list[str | None]]:
        """``table.extract()`` as pdfplumber computes it: a cell's characters (centre in it, in page
        order); ``rows``: ``table.rows`` when the caller has them."""
        chars = self.chars
        if self._mids is None:
            self._mids = sorted([((c["top"] + c["bottom"]) / 2, (c["x0"] + c["x1"]) / 2, i) for i, c in enumerate(chars)])
            ys = [m[0] for m in self._mids]
            self._ys = ys if math.isfinite(sum(ys)) else None  # NaN: no order
        mids, ys, out = self._mids, self._ys, []
        for row in table.rows if rows is None else rows:
            x0, top, x1, bottom = row.bbox
            near = mids[bisect_left(ys, top) : bisect_left(ys, bottom)] if ys is not None else mids
            inside = sorted([m for m in near if x0 <= m[1] < x1 and top <= m[0] < bottom], key=_X)  # no NaN x
            xs = [m[1] for m in inside]  # a cell's are among those from its x0 to its x1 (a NaN bound: none)
            texts: list[str | None] = []
            for x0, top, x1, bottom in [cell or (0.0, 0.0, 0.0, 0.0) for cell in row.cells]:  # None: no chars
                found = sorted([m[2] for m in inside[bisect_left(xs, x0) : bisect_left(xs, x1)]
                                if x0 <= m[1] < x1 and top <= m[0] < bottom])  # fmt: skip
                texts.append(_cell_text([chars[i] for i in found]) if found else "")
            out.append([t if cell else None for t, cell in zip(texts, row.cells, strict=True)])
        return out

    def find_tables(self) -> list[Any]:
        """pdfplumber's tables with its default settings (found once, then kept)."""
        if self._tables is None:
            small = sum([abs(e[0]) + abs(e[1]) + abs(e[2]) + abs(e[3]) for e in self.edges]) < 1e300  # no NaN, inf
            groups = _table_cells(self.edges) if small else _plumber_cells(self.edges, self.bbox)
            self._tables = [Table(self, cells) for cells in groups]  # type: ignore[arg-type]
        return self._tables
