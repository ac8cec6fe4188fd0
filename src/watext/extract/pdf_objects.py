"""Page objects for the fast PDF reader (:mod:`watext.extract.pdf_pdfium`): images and rulings.

:func:`scan` walks a PDFium page's objects (into form XObjects) and returns the area
covered by images and the ruling edges of its paths, made the way pdfminer and pdfplumber
make them: each subpath is a line (``ml``), a rectangle (``mlllh`` with square corners,
four edges) or a curve (an edge per axis-parallel pair of consecutive points).

:class:`TablePage` hands those edges and the page's characters to pdfplumber's own table
finder, so table cells come out as with pdfplumber, without pdfminer parsing the page.
"""

from __future__ import annotations

import ctypes
import struct
from collections.abc import Callable
from itertools import pairwise
from operator import itemgetter
from typing import Any

import pypdfium2.raw as R
from pdfplumber.table import TableFinder, TableSettings
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
_POINT = struct.Struct("=ffBB2x")  # PDFium's CFX_Path::Point, see _segments
_MAX_SEGMENTS = 20_000  # a path this long is a drawing (a map), not table rulings


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

    def rect(self, left: float, bottom: float, right: float, top: float) -> tuple[float, float, float, float]:
        ax, ay = self.point(left, bottom)
        bx, by = self.point(right, top)
        return min(ax, bx), min(ay, by), max(ax, bx), max(ay, by)

    def affine(self) -> tuple[float, float, float, float, float, float]:
        """(ax, bx, dx, ay, by, dy) with x' = ax*x + bx*y + dx and top = ay*x + by*y + dy."""
        dx, dy = self.point(0.0, 0.0)
        ux, uy = self.point(1.0, 0.0)
        vx, vy = self.point(0.0, 1.0)
        return ux - dx, vx - dx, dx, uy - dy, vy - dy, dy


def _mul(m: Matrix, n: Matrix) -> Matrix:
    """``m`` then ``n`` (PDF row-vector convention)."""
    a, b, c, d, e, f = m
    A, B, C, D, E, F = n
    return (a * A + b * C, a * B + b * D, c * A + d * C, c * B + d * D, e * A + f * C + E, e * B + f * D + F)


def scan(page: int, point: Callable[[float, float], tuple[float, float]]) -> tuple[float, list[dict[str, Any]]]:
    """(image area, ruling edges) of a page; ``point`` maps page space to pdfplumber's (x, top)."""
    fm = R.FS_MATRIX()
    fm_p = ctypes.byref(fm)
    l, b, r, t = ctypes.c_float(), ctypes.c_float(), ctypes.c_float(), ctypes.c_float()
    refs = (ctypes.byref(l), ctypes.byref(b), ctypes.byref(r), ctypes.byref(t))
    scale = _scale
    (dx, dy), (ux, uy), (vx, vy) = point(0.0, 0.0), point(1.0, 0.0), point(0.0, 1.0)
    display: Matrix = (ux - dx, uy - dy, vx - dx, vy - dy, dx, dy)  # page space -> (x, top)
    area = 0.0
    edges: list[dict[str, Any]] = []
    stack: list[tuple[int, Matrix]] = [(_get_object(page, i), _IDENTITY) for i in range(_count_objects(page))]
    while stack:
        obj, outer = stack.pop()
        kind = _obj_type(obj)
        if kind not in (R.FPDF_PAGEOBJ_FORM, R.FPDF_PAGEOBJ_IMAGE, R.FPDF_PAGEOBJ_PATH):
            continue
        _obj_matrix(obj, fm_p)
        m = _mul((fm.a, fm.b, fm.c, fm.d, fm.e, fm.f), outer)
        if kind == R.FPDF_PAGEOBJ_FORM:
            stack.extend((_form_object(obj, i), m) for i in range(_form_count(obj)))
        elif kind == R.FPDF_PAGEOBJ_IMAGE:
            xs, ys = zip(*(point(*_apply(m, x, y)) for x, y in ((0, 0), (1, 0), (0, 1), (1, 1))), strict=True)
            area += (max(xs) - min(xs)) * (max(ys) - min(ys))
        elif _obj_bounds(obj, *refs) and max(r.value - l.value, t.value - b.value) * scale(outer) >= 1:
            _path_edges(obj, _mul(m, display), edges)  # shorter than pdfplumber's shortest edge: skipped
    return area, edges


def _scale(m: Matrix) -> float:
    """How much the outer matrix of a form's object stretches lengths, at most."""
    return max(abs(m[0]) + abs(m[2]), abs(m[1]) + abs(m[3]), 1e-9) if m is not _IDENTITY else 1.0


def _apply(m: Matrix, x: float, y: float) -> tuple[float, float]:
    return m[0] * x + m[2] * y + m[4], m[1] * x + m[3] * y + m[5]


def _path_edges(obj: int, m: Matrix, out: list[dict[str, Any]]) -> None:
    """Edges of a path object; ``m`` maps its points to pdfplumber's (x, top)."""
    n = _count_segments(obj)
    if n <= 0 or n > _MAX_SEGMENTS:
        return
    a, b, c, d, e, f = m
    subpaths: list[tuple[str, list[tuple[float, float]]]] = []
    shape, pts, bezier = "", [], 0
    moveto, bezierto = R.FPDF_SEGMENT_MOVETO, R.FPDF_SEGMENT_BEZIERTO
    for px, py, kind, close in _segments(obj, n):
        if kind == bezierto:
            bezier += 1
            if bezier % 3:
                continue  # control points: pdfminer keeps the end point of a curve only
        p = (round(a * px + c * py + e, 3), round(b * px + d * py + f, 3))
        if kind == moveto:
            if shape:
                subpaths.append((shape, pts))
            shape, pts, bezier = "m", [p], 0
        else:
            shape += "c" if kind == bezierto else "l"
            pts.append(p)
        if close and shape:
            shape += "h"
            pts.append(pts[0])
    if shape:
        subpaths.append((shape, pts))
    for shape, pts in subpaths:
        _subpath_edges(shape, pts, out)


def _segment(seg: int, x: Any, y: Any) -> tuple[float, float, int, int]:
    _seg_point(seg, ctypes.byref(x), ctypes.byref(y))
    return x.value, y.value, _seg_type(seg), _seg_close(seg)


def _segments(obj: int, n: int) -> Any:
    """(x, y, segment type, closes) of the path's ``n`` segments.

    PDFium's segment handles point into one array of its points (``CFX_Path::Point``: x, y
    as floats, a type byte with the API's numbering, a close flag; 12 bytes): when the first
    and last handle are that far apart and read as the API reads them, the array is unpacked
    in one go, else (another PDFium build) each segment is asked through the API."""
    x, y = ctypes.c_float(), ctypes.c_float()
    first, last = _get_segment(obj, 0), _get_segment(obj, n - 1)
    if first and last and last - first == (n - 1) * _POINT.size:
        points = _POINT.iter_unpack(ctypes.string_at(first, n * _POINT.size))
        if (_POINT.unpack(ctypes.string_at(first, _POINT.size)) == _segment(first, x, y)
                and _POINT.unpack(ctypes.string_at(last, _POINT.size)) == _segment(last, x, y)):  # fmt: skip
            return points
    return (_segment(_get_segment(obj, i), x, y) for i in range(n))


def _subpath_edges(shape: str, pts: list[tuple[float, float]], out: list[dict[str, Any]]) -> None:
    if len(shape) > 3 and shape[-2:] == "lh" and pts[-2] == pts[0]:
        shape = shape[:-2] + "h"
        pts = pts[:-2] + pts[-1:]
    if shape in ("ml", "mlh"):
        (x0, t0), (x1, t1) = pts[0], pts[1]
        out.append(_edge("line", min(x0, x1), max(x0, x1), min(t0, t1), max(t0, t1), "h" if t0 == t1 else "v"))
        return
    if shape in ("mlllh", "mllll") and pts[0] == pts[4]:
        (x0, y0), (x1, y1), (x2, y2), (x3, y3) = pts[:4]
        if (x0 == x1 and y1 == y2 and x2 == x3 and y3 == y0) or (y0 == y1 and x1 == x2 and y2 == y3 and x3 == x0):
            left, right = min(x0, x2), max(x0, x2)
            top, bottom = min(y0, y2), max(y0, y2)
            out.append(_edge("rect_edge", left, right, top, top, "h"))
            out.append(_edge("rect_edge", left, right, bottom, bottom, "h"))
            out.append(_edge("rect_edge", left, left, top, bottom, "v"))
            out.append(_edge("rect_edge", right, right, top, bottom, "v"))
            return
    for (ax, ay), (bx, by) in pairwise(pts):
        orientation = "v" if ax == bx else ("h" if ay == by else None)
        if orientation:
            out.append(_edge("curve_edge", min(ax, bx), max(ax, bx), min(ay, by), max(ay, by), orientation))


def _edge(kind: str, x0: float, x1: float, top: float, bottom: float, orientation: str) -> dict[str, Any]:
    return {"object_type": kind, "x0": x0, "x1": x1, "top": top, "bottom": bottom, "doctop": top,
            "width": x1 - x0, "height": bottom - top, "orientation": orientation}  # fmt: skip


def may_hold_table(edges: list[dict[str, Any]]) -> bool:
    """Whether the edges can form a table of two or more cells (pdfplumber's "lines" strategy)."""
    v = sum(1 for e in edges if e["orientation"] == "v" and e["height"] >= 3)
    h = sum(1 for e in edges if e["orientation"] == "h" and e["width"] >= 3)
    return v >= 2 and h >= 2 and v + h >= 5


def centred(c: Any, boxes: list[Any]) -> bool:
    """Whether the centre of ``c`` = (x0, x1, top, bottom, ...) lies in one of the boxes."""
    cx, cy = (c[0] + c[1]) / 2, (c[2] + c[3]) / 2
    for x0, top, x1, bottom in boxes:
        if x0 <= cx < x1 and top <= cy < bottom:
            return True
    return False


def _clusters(objs: list[dict[str, Any]]) -> list[list[dict[str, Any]]]:
    """pdfplumber's ``cluster_objects(objs, "top", 3)``: lines by ``top``, in page order within."""
    index: dict[float, int] = {}
    group, last = 0, None
    for top in sorted({o["top"] for o in objs}):
        if last is not None and not top <= last + 3:
            group += 1
        index[top] = group
        last = top
    lines: list[list[dict[str, Any]]] = [[] for _ in range(group + 1)]
    for o in objs:
        lines[index[o["top"]]].append(o)
    return lines


def _cell_text(chars: list[dict[str, Any]]) -> str:
    """pdfplumber's ``extract_text(chars)`` (default settings) for upright characters: words
    split at spaces, gaps over 3 pt and where text runs backwards, by line, lines by ``top``."""
    if not all(c["upright"] is True for c in chars):
        return extract_text(chars)
    words: list[dict[str, Any]] = []
    for line in _clusters(chars):
        word: list[dict[str, Any]] = []
        for c in sorted(line, key=_X0):
            text = c["text"]
            if text.isspace() or text == "":
                if word:
                    words.append(_word(word))
                word = [c] if text == "" else []
                if text == "":  # pdfplumber: "" is "in" its (empty) punctuation: a word alone
                    words.append(_word(word))
                    word = []
            elif word and (c["x0"] < word[-1]["x0"] or c["x0"] > word[-1]["x1"] + 3
                           or abs(c["top"] - word[-1]["top"]) > 3):  # fmt: skip
                words.append(_word(word))
                word = [c]
            else:
                word.append(c)
        if word:
            words.append(_word(word))
    return "\n".join(" ".join(w["text"] for w in line) for line in _clusters(words))


def _word(chars: list[dict[str, Any]]) -> dict[str, Any]:
    return {"text": "".join(LIGATURES.get(c["text"], c["text"] or "") for c in chars),
            "top": min(c["top"] for c in chars)}  # fmt: skip


class TablePage:
    """Just enough of a ``pdfplumber.Page`` for its table finder: edges, characters, bbox."""

    def __init__(self, width: float, height: float, edges: list[dict[str, Any]],
                 chars: Callable[[list[Any]], list[dict[str, Any]]]) -> None:  # fmt: skip
        """``chars(boxes)``: the page's characters with the centre in one of the boxes."""
        self.bbox = (0.0, 0.0, width, height)
        self.edges = edges
        self._make_chars = chars
        self._chars: list[dict[str, Any]] | None = None
        self._tables: list[Any] | None = None

    @property
    def chars(self) -> list[dict[str, Any]]:
        """The characters inside the tables found (the only ones a table's cells can hold)."""
        if self._chars is None:
            self._chars = self._make_chars([t.bbox for t in self.find_tables()])
        return self._chars

    def cells(self, table: Any) -> list[list[str | None]]:
        """``table.extract()`` as pdfplumber computes it (a cell holds the characters whose
        centre it holds, its text from ``extract_text``), with each centre computed once."""
        mids = [((c["x0"] + c["x1"]) / 2, (c["top"] + c["bottom"]) / 2, c) for c in self.chars]
        rows = []
        for row in table.rows:
            x0, top, x1, bottom = row.bbox
            inside = [m for m in mids if x0 <= m[0] < x1 and top <= m[1] < bottom]
            texts: list[str | None] = []
            for cell in row.cells:
                if cell is None:
                    texts.append(None)
                    continue
                x0, top, x1, bottom = cell
                chars = [m[2] for m in inside if x0 <= m[0] < x1 and top <= m[1] < bottom]
                texts.append(_cell_text(chars) if chars else "")
            rows.append(texts)
        return rows

    def find_tables(self) -> list[Any]:
        """pdfplumber's tables with its default settings (found once, then kept)."""
        if self._tables is None:
            self._tables = TableFinder(self, TableSettings.resolve(None)).tables  # type: ignore[arg-type]
        return self._tables
