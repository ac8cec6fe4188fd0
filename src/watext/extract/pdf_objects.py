"""Page objects for the fast PDF reader (:mod:`watext.extract.pdf_pdfium`): images and rulings.

:func:`scan` walks a PDFium page's objects (into form XObjects) and returns the area covered by
images and the ruling edges of its paths, made the way pdfminer and pdfplumber make them: each
subpath is a line (``ml``), a rectangle (``mlllh`` with square corners, four edges) or a curve
(an edge per axis-parallel pair of consecutive points). :class:`TablePage` runs pdfplumber's table
finder (default settings) on them, its steps redone on edge tuples operation for operation (same sums,
order, floats; pdfplumber's own, :func:`_plumber_cells`, for huge or not finite coordinates)."""

from __future__ import annotations

import ctypes
import math
import struct
from bisect import bisect_left, bisect_right
from collections.abc import Callable
from itertools import accumulate, groupby, pairwise
from operator import itemgetter
from typing import Any

import pypdfium2.raw as R
from pdfplumber.table import Table, TableFinder, TableSettings, cells_to_tables
from pdfplumber.utils import extract_text
from pdfplumber.utils.text import LIGATURES

__all__ = ["Geometry", "TablePage", "centred", "may_hold_table", "scan"]

_P = ctypes.c_void_p
_FP = ctypes.POINTER(ctypes.c_float)
Matrix = tuple[float, float, float, float, float, float]
_IDENTITY: Matrix = (1.0, 0.0, 0.0, 1.0, 0.0, 0.0)


def _proto(name: str, restype: Any, *argtypes: Any) -> Any:
    """The PDFium function ``name`` with integer handles (no pointer objects per call)."""
    return ctypes.CFUNCTYPE(restype, *argtypes)(ctypes.cast(getattr(R, name), _P).value)


_count_objects = _proto("FPDFPage_CountObjects", ctypes.c_int, _P)
_get_object = _proto("FPDFPage_GetObject", _P, _P, ctypes.c_int)
_form_count = _proto("FPDFFormObj_CountObjects", ctypes.c_int, _P)
_form_object = _proto("FPDFFormObj_GetObject", _P, _P, ctypes.c_ulong)
_obj_type = _proto("FPDFPageObj_GetType", ctypes.c_int, _P)
_obj_matrix = _proto("FPDFPageObj_GetMatrix", ctypes.c_int, _P, ctypes.POINTER(R.FS_MATRIX))
_obj_bounds = _proto("FPDFPageObj_GetBounds", ctypes.c_int, _P, _FP, _FP, _FP, _FP)
_count_segments = _proto("FPDFPath_CountSegments", ctypes.c_int, _P)
_get_segment = _proto("FPDFPath_GetPathSegment", _P, _P, ctypes.c_int)
_seg_point = _proto("FPDFPathSegment_GetPoint", ctypes.c_int, _P, _FP, _FP)
_seg_type = _proto("FPDFPathSegment_GetType", ctypes.c_int, _P)
_seg_close = _proto("FPDFPathSegment_GetClose", ctypes.c_int, _P)

_X0 = itemgetter("x0")
_TOP = itemgetter("top")
Edge = tuple[float, float, float, float, str]  # x0, top, x1, bottom (its bbox), orientation "h"/"v"
_POINT = struct.Struct("=ffBB2x")  # PDFium's CFX_Path::Point, see _segments
_MAX_SEGMENTS = 20_000  # a path this long is a drawing (a map), not table rulings
_LAYOUT: list[bool] = []  # [True] once a path's point array read as the API reads it, see _segments
_MOVETO, _BEZIERTO = R.FPDF_SEGMENT_MOVETO, R.FPDF_SEGMENT_BEZIERTO
_SHAPE = {_MOVETO: "m", _BEZIERTO: "c"}  # other segments: "l"


class Geometry:
    """pdfminer's page transform (rotation, MediaBox offset) plus pdfplumber's top-down flip."""

    def __init__(self, page: Any) -> None:
        x0, y0, x1, y1 = page.get_mediabox()
        x0, x1 = sorted((x0, x1))
        y0, y1 = sorted((y0, y1))
        self.rotation = page.get_rotation() % 360
        self.box = (x0, y0, x1, y1)
        if self.rotation in (90, 270):
            self.width, self.height = y1 - y0, x1 - x0
            self.left, self.low = y0, x0
        else:
            self.width, self.height = x1 - x0, y1 - y0
            self.left, self.low = x0, y0

    def point(self, x: float, y: float) -> tuple[float, float]:
        """Page space -> (x, top) as pdfplumber reports them."""
        x0, y0, x1, y1 = self.box
        r = self.rotation
        if r == 90:
            px, py = y - y0, x1 - x
        elif r == 180:
            px, py = x1 - x, y1 - y
        elif r == 270:
            px, py = y1 - y, x - x0
        else:
            px, py = x - x0, y - y0
        return px + self.left, self.height - py + self.low

    def affine(self) -> tuple[float, float, float, float, float, float]:
        """(ax, bx, dx, ay, by, dy) with x' = ax*x + bx*y + dx and top = ay*x + by*y + dy."""
        (dx, dy), (ux, uy), (vx, vy) = self.point(0.0, 0.0), self.point(1.0, 0.0), self.point(0.0, 1.0)
        return ux - dx, vx - dx, dx, uy - dy, vy - dy, dy


def _mul(m: Matrix, n: Matrix) -> Matrix:
    """``m`` then ``n`` (PDF row-vector convention)."""
    a, b, c, d, e, f = m
    A, B, C, D, E, F = n
    return (a * A + b * C, a * B + b * D, c * A + d * C, c * B + d * D, e * A + f * C + E, e * B + f * D + F)


def scan(page: int, point: Callable[[float, float], tuple[float, float]]) -> tuple[float, list[Edge]]:
    """(image area, ruling edges) of a page; ``point`` maps page space to pdfplumber's (x, top).
    Objects are visited last first, a form's (last first) right after it: the edges' order."""
    fm, (l, b, r, t) = R.FS_MATRIX(), (ctypes.c_float(), ctypes.c_float(), ctypes.c_float(), ctypes.c_float())
    fm_p, refs = ctypes.byref(fm), (ctypes.byref(l), ctypes.byref(b), ctypes.byref(r), ctypes.byref(t))
    (dx, dy), (ux, uy), (vx, vy) = point(0.0, 0.0), point(1.0, 0.0), point(0.0, 1.0)
    display: Matrix = (ux - dx, uy - dy, vx - dx, vy - dy, dx, dy)  # page space -> (x, top)
    area, edges, path, form = [0.0], [], R.FPDF_PAGEOBJ_PATH, R.FPDF_PAGEOBJ_FORM

    def visit(get: Any, parent: int, count: int, o: Matrix) -> None:  # o: the outer matrix
        scale = max(abs(o[0]) + abs(o[2]), abs(o[1]) + abs(o[3]), 1e-9) if o is not _IDENTITY else 1.0  # of lengths
        for i in range(count - 1, -1, -1):
            obj = get(parent, i)
            kind = _obj_type(obj)
            if kind == path:  # shorter than pdfplumber's shortest edge: skipped
                if _obj_bounds(obj, *refs) and max(r.value - l.value, t.value - b.value) * scale >= 1:
                    _obj_matrix(obj, fm_p)
                    _path_edges(obj, _mul(_mul((fm.a, fm.b, fm.c, fm.d, fm.e, fm.f), o), display), edges)
            elif kind == form or kind == R.FPDF_PAGEOBJ_IMAGE:
                _obj_matrix(obj, fm_p)
                m = _mul((fm.a, fm.b, fm.c, fm.d, fm.e, fm.f), o)
                if kind == form:
                    visit(_form_object, obj, _form_count(obj), m)
                    continue
                xs, ys = zip(*(point(m[0] * x + m[2] * y + m[4], m[1] * x + m[3] * y + m[5])
                               for x, y in ((0, 0), (1, 0), (0, 1), (1, 1))), strict=True)  # fmt: skip
                area[0] += (max(xs) - min(xs)) * (max(ys) - min(ys))
    visit(_get_object, page, _count_objects(page), _IDENTITY)
    return area[0], edges


def _path_edges(obj: int, m: Matrix, out: list[Edge]) -> None:
    """Edges of a path; ``m`` maps to pdfplumber's (x, top). pdfminer keeps a curve's end point only."""
    n = _count_segments(obj)
    segs = _segments(obj, n) if 0 < n <= _MAX_SEGMENTS else []
    sub: list[tuple[float, float, int, int]] = []
    bezier = 0  # of the subpath
    for seg in segs:
        if seg[2] == _MOVETO:
            if sub:
                _subpath(sub, m, out)
            sub, bezier = [seg], 0
        elif seg[2] != _BEZIERTO or not (bezier := bezier + 1) % 3:
            sub.append(seg)
    if sub:
        _subpath(sub, m, out)


def _square(x0: float, x1: float, x2: float, x3: float, y0: float, y1: float, y2: float, y3: float) -> bool:
    return (x0 == x1 and y1 == y2 and x2 == x3 and y3 == y0) or (y0 == y1 and x1 == x2 and y2 == y3 and x3 == x0)


def _rect_edges(left: float, right: float, top: float, bottom: float, out: list[Edge]) -> None:
    out += ((left, top, right, top, "h"), (left, bottom, right, bottom, "h"),
            (left, top, left, bottom, "v"), (right, top, right, bottom, "v"))  # fmt: skip


def _subpath(segs: list[tuple[float, float, int, int]], m: Matrix, out: list[Edge]) -> None:
    """Shape (``m``, ``l``, ``c``, ``h``: the first point again) and points, rounded to 3 decimals as
    pdfminer does; only corners of a rectangle square before rounding (so after it), only pairs within
    0.0015 of a long subpath (coordinates under 1e9 round alike only so close) are rounded."""
    a, b, c, d, e, f = m
    xs = [a * x + c * y + e for x, y, _, _ in segs]
    ts = [b * x + d * y + f for x, y, _, _ in segs]
    shape = "".join([_SHAPE.get(s[2], "l") for s in segs])
    for i in reversed([i for i, s in enumerate(segs) if s[3]]):
        shape = shape[: i + 1] + "h" + shape[i + 1 :]
        xs[i + 1 : i + 1], ts[i + 1 : i + 1] = xs[:1], ts[:1]
    if shape == "mllllh" and xs[4] == xs[0] and ts[4] == ts[0] and _square(*xs[:4], *ts[:4]):
        x0, x2, y0, y2 = round(xs[0], 3), round(xs[2], 3), round(ts[0], 3), round(ts[2], 3)
        _rect_edges(min(x0, x2), max(x0, x2), min(y0, y2), max(y0, y2), out)
    elif len(xs) < 7 or not sum(map(abs, xs)) + sum(map(abs, ts)) < 1e9:
        _subpath_edges(shape, [(round(x, 3), round(t, 3)) for x, t in zip(xs, ts, strict=True)], out)
    else:
        if shape[-2:] == "lh" and round(xs[-2], 3) == round(xs[0], 3) and round(ts[-2], 3) == round(ts[0], 3):
            del xs[-2], ts[-2]
        near = [k for k, (x0, x1, t0, t1) in enumerate(zip(xs, xs[1:], ts, ts[1:]))
                if -0.0015 <= x0 - x1 <= 0.0015 or -0.0015 <= t0 - t1 <= 0.0015]  # fmt: skip
        _pairs((((round(xs[k], 3), round(ts[k], 3)), (round(xs[k + 1], 3), round(ts[k + 1], 3))) for k in near), out)


def _segment(seg: int, x: Any, y: Any) -> tuple[float, float, int, int]:
    _seg_point(seg, ctypes.byref(x), ctypes.byref(y))
    return x.value, y.value, _seg_type(seg), _seg_close(seg)


def _segments(obj: int, n: int) -> list[tuple[float, float, int, int]]:
    """(x, y, type, closes) of the ``n`` segments: PDFium's array of ``CFX_Path::Point`` (x, y,
    type byte, close flag; 12 bytes) unpacked in one go when the handles span it and (once per
    process) a path's first and last point read as through the API, else (another build) the API."""
    x, y, size = ctypes.c_float(), ctypes.c_float(), _POINT.size
    first, last = _get_segment(obj, 0), _get_segment(obj, n - 1)
    if first and last and last - first == (n - 1) * size:
        if not _LAYOUT and all(_POINT.unpack(ctypes.string_at(p, size)) == _segment(p, x, y) for p in (first, last)):
            _LAYOUT.append(True)
        if _LAYOUT:
            return list(_POINT.iter_unpack(ctypes.string_at(first, n * size)))
    return [_segment(_get_segment(obj, i), x, y) for i in range(n)]


def _subpath_edges(shape: str, pts: list[tuple[float, float]], out: list[Edge]) -> None:
    if len(shape) > 3 and shape[-2:] == "lh" and pts[-2] == pts[0]:
        shape = shape[:-2] + "h"
        pts = pts[:-2] + pts[-1:]
    if shape in ("ml", "mlh"):
        (x0, t0), (x1, t1) = pts[0], pts[1]
        out.append((min(x0, x1), min(t0, t1), max(x0, x1), max(t0, t1), "h" if t0 == t1 else "v"))
        return
    if shape in ("mlllh", "mllll") and pts[0] == pts[4]:
        (x0, y0), (x1, y1), (x2, y2), (x3, y3) = pts[:4]
        if _square(x0, x1, x2, x3, y0, y1, y2, y3):
            _rect_edges(min(x0, x2), max(x0, x2), min(y0, y2), max(y0, y2), out)
            return
    _pairs(pairwise(pts), out)


def _pairs(pairs: Any, out: list[Edge]) -> None:
    """pdfplumber's edges of a curve: of two points in a row sharing x or top (min, max: the first)."""
    for (ax, ay), (bx, by) in pairs:
        if ax == bx or ay == by:
            out.append((ax, min(ay, by), ax, max(ay, by), "v") if ax == bx else (min(ax, bx), ay, max(ax, bx), ay, "h"))


def may_hold_table(edges: list[Edge]) -> bool:
    """Whether the edges can form a table of two or more cells (pdfplumber's "lines" strategy)."""
    v = sum(1 for e in edges if e[4] == "v" and e[3] - e[1] >= 3)
    h = sum(1 for e in edges if e[4] == "h" and e[2] - e[0] >= 3)
    return v >= 2 and h >= 2 and v + h >= 5


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
    return cells_to_tables([c for p in points if (c := _smallest(p, cols[p[0]], rows[p[1]], inter))])


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
    tops = sorted({key(o) for o in objs})  # a new group where the next value is not within 3
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
                words += [_word(w) for w in (word, [c] if text == "" else []) if w]
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
    return min([c["top"] for c in chars]), "".join([LIGATURES.get(c["text"], c["text"] or "") for c in chars])


class TablePage:
    """Just enough of a ``pdfplumber.Page`` for its table finder: edges, characters, bbox."""

    def __init__(self, width: float, height: float, edges: list[Edge],
                 chars: Callable[[list[Any]], list[dict[str, Any]]]) -> None:  # fmt: skip
        """``chars(boxes)``: the page's characters with the centre in one of the boxes."""
        self.bbox, self.edges, self._make_chars = (0.0, 0.0, width, height), edges, chars
        self._chars: list[dict[str, Any]] | None = None
        self._mids: list[tuple[float, float, int]] | None = None  # centres (y, x, index) by y
        self._tables: list[Any] | None = None

    @property
    def chars(self) -> list[dict[str, Any]]:
        """The characters inside the tables found (the only ones a table's cells can hold)."""
        if self._chars is None:
            self._chars = self._make_chars([t.bbox for t in self.find_tables()])
        return self._chars

    def cells(self, table: Any) -> list[list[str | None]]:
        """``table.extract()`` as pdfplumber computes it: a cell's characters (centre in it, in page order)."""
        chars = self.chars
        if self._mids is None:
            self._mids = sorted(((c["top"] + c["bottom"]) / 2, (c["x0"] + c["x1"]) / 2, i) for i, c in enumerate(chars))
        mids, rows = self._mids, []
        ys = [m[0] for m in mids] if math.isfinite(sum(m[0] for m in mids)) else None  # NaN: no order
        for row in table.rows:
            x0, top, x1, bottom = row.bbox
            near = mids[bisect_left(ys, top) : bisect_left(ys, bottom)] if ys is not None else mids
            inside = [m for m in near if x0 <= m[1] < x1 and top <= m[0] < bottom]
            texts: list[str | None] = []
            for x0, top, x1, bottom in [cell or (0.0, 0.0, 0.0, 0.0) for cell in row.cells]:  # None: no chars
                found = sorted([m[2] for m in inside if x0 <= m[1] < x1 and top <= m[0] < bottom])
                texts.append(_cell_text([chars[i] for i in found]) if found else "")
            rows.append([t if cell else None for t, cell in zip(texts, row.cells, strict=True)])
        return rows

    def find_tables(self) -> list[Any]:
        """pdfplumber's tables with its default settings (found once, then kept)."""
        if self._tables is None:
            small = sum(abs(e[0]) + abs(e[1]) + abs(e[2]) + abs(e[3]) for e in self.edges) < 1e300  # no NaN, inf
            groups = _table_cells(self.edges) if small else _plumber_cells(self.edges, self.bbox)
            self._tables = [Table(self, cells) for cells in groups]  # type: ignore[arg-type]
        return self._tables
