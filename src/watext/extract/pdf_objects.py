"""Page objects for the fast PDF reader (:mod:`watext.extract.pdf_pdfium`): images and rulings.

:func:`scan` walks a PDFium page's objects (into form XObjects) and returns the area covered by
images and the ruling edges of its paths, made the way pdfminer and pdfplumber make them: each
subpath is a line (``ml``), a rectangle (``mlllh`` with square corners, four edges) or a curve
(an edge per axis-parallel pair of consecutive points). :class:`TablePage` (in
:mod:`watext.extract.pdf_tables`, its names kept here too) runs pdfplumber's table finder on them."""

from __future__ import annotations

import ctypes
import struct
from collections.abc import Callable
from itertools import pairwise
from typing import Any

import pypdfium2.raw as R

from watext.extract.pdf_tables import (
    Edge,
    TablePage,
    _cell_text,
    _plumber_cells,
    _table_cells,
    centred,
)

#: The table finder lives in :mod:`watext.extract.pdf_tables`; its names are kept here too.
__all__ = ["Edge", "Geometry", "TablePage", "_cell_text", "_plumber_cells", "_table_cells", "centred",
           "may_hold_table", "scan"]

_P = ctypes.c_void_p
_FP = ctypes.POINTER(ctypes.c_float)
Matrix = tuple[float, float, float, float, float, float]
_IDENTITY: Matrix = (1.0, 0.0, 0.0, 1.0, 0.0, 0.0)


def _proto(name: str, restype: Any, *argtypes: Any) -> Any:
    """The PDFium function ``name`` with integer handles (no pointer objects per call)."""
    return ctypes.CFUNCTYPE(restype, *argtypes)(ctypes.cast(getattr(R, name), _P).value)


class _Handle(ctypes.c_void_p):
    """A page object as PDFium returns it: a c_void_p subclass comes back as itself (no int), and an
    instance goes to a function without ``argtypes`` as it is (no conversion)."""


def _bare(name: str, restype: Any) -> Any:
    """The PDFium function ``name`` without ``argtypes`` (handles and pointers go in as ctypes objects,
    an index as a C int), called holding the GIL: the calls for every object of a page."""
    return ctypes.PYFUNCTYPE(restype)(ctypes.cast(getattr(R, name), _P).value)


_count_objects = _proto("FPDFPage_CountObjects", ctypes.c_int, _P)
_get_object = _bare("FPDFPage_GetObject", _Handle)  # (page, int index)
_form_count = _proto("FPDFFormObj_CountObjects", ctypes.c_int, _P)
_form_object = _proto("FPDFFormObj_GetObject", _Handle, _P, ctypes.c_ulong)
_obj_type = _bare("FPDFPageObj_GetType", ctypes.c_int)  # (object)
_obj_matrix = _bare("FPDFPageObj_GetMatrix", ctypes.c_int)  # (object, FS_MATRIX)
_obj_bounds = _bare("FPDFPageObj_GetBounds", ctypes.c_int)  # (object, left, bottom, right, top: floats)
_count_segments = _proto("FPDFPath_CountSegments", ctypes.c_int, _P)
_get_segment = _proto("FPDFPath_GetPathSegment", _P, _P, ctypes.c_int)
_seg_point = _proto("FPDFPathSegment_GetPoint", ctypes.c_int, _P, _FP, _FP)
_seg_type = _proto("FPDFPathSegment_GetType", ctypes.c_int, _P)
_seg_close = _proto("FPDFPathSegment_GetClose", ctypes.c_int, _P)

_MATRIX, _BOUNDS = struct.Struct("6f"), struct.Struct("4f")  # FS_MATRIX; left, bottom, right, top
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
    fm, box = bytearray(_MATRIX.size), bytearray(_BOUNDS.size)  # out-parameters, read with struct
    fm_p, refs = (ctypes.c_char * 24).from_buffer(fm), [(ctypes.c_char * 4).from_buffer(box, k) for k in (0, 4, 8, 12)]
    (dx, dy), (ux, uy), (vx, vy) = point(0.0, 0.0), point(1.0, 0.0), point(0.0, 1.0)
    display: Matrix = (ux - dx, uy - dy, vx - dx, vy - dy, dx, dy)  # page space -> (x, top)
    area, edges, path, form = [0.0], [], R.FPDF_PAGEOBJ_PATH, R.FPDF_PAGEOBJ_FORM

    def visit(get: Any, parent: int, count: int, o: Matrix) -> None:  # o: the outer matrix
        scale = max(abs(o[0]) + abs(o[2]), abs(o[1]) + abs(o[3]), 1e-9) if o is not _IDENTITY else 1.0  # of lengths
        left, bottom, right, top = refs
        for i in range(count - 1, -1, -1):
            obj = get(parent, i)
            kind = _obj_type(obj)
            if kind == path:  # shorter than pdfplumber's shortest edge: skipped
                if _obj_bounds(obj, left, bottom, right, top):
                    l, b, r, t = _BOUNDS.unpack(box)
                    if max(r - l, t - b) * scale >= 1:
                        _obj_matrix(obj, fm_p)
                        _path_edges(obj, _mul(_mul(_MATRIX.unpack(fm), o), display), edges)
            elif kind == form or kind == R.FPDF_PAGEOBJ_IMAGE:
                _obj_matrix(obj, fm_p)
                m = _mul(_MATRIX.unpack(fm), o)
                if kind == form:
                    visit(_form_object, obj, _form_count(obj), m)
                    continue
                xs, ys = zip(*(point(m[0] * x + m[2] * y + m[4], m[1] * x + m[3] * y + m[5])
                               for x, y in ((0, 0), (1, 0), (0, 1), (1, 1))), strict=True)  # fmt: skip
                area[0] += (max(xs) - min(xs)) * (max(ys) - min(ys))
    visit(_get_object, _P(page), _count_objects(page), _IDENTITY)
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
    if len(segs) == 5 and _rectangle(segs, a, b, c, d, e, f, out):
        return
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


def _rectangle(segs: list[tuple[float, float, int, int]], a: float, b: float, c: float, d: float, e: float,
               f: float, out: list[Edge]) -> bool:  # fmt: skip
    """:func:`_subpath`'s rectangle (``mllllh``, square corners) from five segments, done without its
    general steps (most paths of a page with tables are one): False when they are not one."""
    (x0, y0, k0, c0), (x1, y1, k1, c1), (x2, y2, k2, c2), (x3, y3, k3, c3), (x4, y4, k4, c4) = segs
    if k0 != _MOVETO or not c4 or c0 or c1 or c2 or c3 or k1 in _SHAPE or k2 in _SHAPE or k3 in _SHAPE \
            or k4 in _SHAPE:  # fmt: skip
        return False
    X0, X2, T0, T2 = a * x0 + c * y0 + e, a * x2 + c * y2 + e, b * x0 + d * y0 + f, b * x2 + d * y2 + f
    X1, X3, T1, T3 = a * x1 + c * y1 + e, a * x3 + c * y3 + e, b * x1 + d * y1 + f, b * x3 + d * y3 + f
    if not (a * x4 + c * y4 + e == X0 and b * x4 + d * y4 + f == T0 and _square(X0, X1, X2, X3, T0, T1, T2, T3)):
        return False
    X0, X2, T0, T2 = round(X0, 3), round(X2, 3), round(T0, 3), round(T2, 3)
    _rect_edges(min(X0, X2), max(X0, X2), min(T0, T2), max(T0, T2), out)
    return True


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
