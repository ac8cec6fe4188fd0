"""The fast PDF reader of :mod:`watext.extract.pdf`: characters from PDFium (pypdfium2).

For each page it builds the same word dicts as ``pdfplumber.Page.extract_words(extra_attrs=
["size", "fontname"], use_text_flow=False)`` (``text, x0, x1, top, bottom, size, fontname``;
``top`` from the page top, page rotation and MediaBox applied as pdfminer and pdfplumber
apply them; a character box from its baseline by the font's descent, one size high), so
the layout code after it is shared. It emulates pdfplumber's grouping: runs of characters
with one (upright, size, fontname), lines clustered by ``top`` (3 pt), words split at
spaces, at gaps over 3 pt and where the text runs backwards.

Speed: PDFium is called through ctypes prototypes that take and return plain integers,
with reused out-parameters; font name, size, descent and baseline are read once per text
object. Straight text is read in segments (one text object's characters between spaces)
that need a box for their first and last character only; a page with rotated or skewed
text is read character by character. PDFium's own line breaks are dropped, its generated
spaces are word breaks, and its line-break hyphen marks (U+FFFE, U+0002) become "-".

Ruling lines, images and tables: see :mod:`watext.extract.pdf_objects`. Pages are read
one at a time and closed (text page and page), so a long document is never held whole.
"""

from __future__ import annotations

import ctypes
import itertools
import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from operator import itemgetter
from typing import Any

import pypdfium2 as pdfium
import pypdfium2.raw as R
from pypdfium2 import PdfiumError

from watext.extract import pdf_objects

__all__ = ["FastPage", "PdfiumError", "open_document", "read_pages"]

_X_TOL = 3.0  # pdfplumber's x_tolerance / y_tolerance defaults
_Y_TOL = 3.0
_HYPHENS = {"\ufffe": "-", "\x02": "-"}  # PDFium's marks for a hyphen at a line break
_HYPHEN_TABLE = str.maketrans(_HYPHENS)
#: The (not embedded) Symbol font: pdfminer reads code 0x2D as a hyphen, PDFium as a minus.
_SYMBOL_TABLE = str.maketrans({"\u2212": "-"})
_X0, _TOKENS = itemgetter(0), re.compile(r"\S+|\s")
#: Right-to-left scripts (Hebrew to NKo, their presentation forms): PDFium reorders their characters.
_RTL = re.compile("[\u0590-\u08ff\ufb1d-\ufdff\ufe70-\ufefc\U00010800-\U00010fff\U0001e800-\U0001efff]")
_P = ctypes.c_void_p
_D = ctypes.POINTER(ctypes.c_double)
_F = ctypes.POINTER(ctypes.c_float)


def _proto(name: str, restype: Any, *argtypes: Any) -> Any:
    """The PDFium function ``name`` with integer handles (no pointer objects per call)."""
    return ctypes.CFUNCTYPE(restype, *argtypes)(ctypes.cast(getattr(R, name), _P).value)


_text_object = _proto("FPDFText_GetTextObject", _P, _P, ctypes.c_int)
_loose_box = _proto("FPDFText_GetLooseCharBox", ctypes.c_int, _P, ctypes.c_int, ctypes.POINTER(R.FS_RECTF))
_origin = _proto("FPDFText_GetCharOrigin", ctypes.c_int, _P, ctypes.c_int, _D, _D)
_font_size = _proto("FPDFText_GetFontSize", ctypes.c_double, _P, ctypes.c_int)
_generated = _proto("FPDFText_IsGenerated", ctypes.c_int, _P, ctypes.c_int)
_unicode = _proto("FPDFText_GetUnicode", ctypes.c_uint, _P, ctypes.c_int)
_obj_font = _proto("FPDFTextObj_GetFont", _P, _P)
_font_name = _proto("FPDFFont_GetBaseFontName", ctypes.c_ulong, _P, ctypes.c_char_p, ctypes.c_ulong)
_descent = _proto("FPDFFont_GetDescent", ctypes.c_int, _P, ctypes.c_float, _F)
_obj_matrix = _proto("FPDFPageObj_GetMatrix", ctypes.c_int, _P, ctypes.POINTER(R.FS_MATRIX))


@dataclass(slots=True)
class FastPage:
    """What :mod:`watext.extract.pdf` needs of one page read by PDFium."""

    number: int  # 1-based
    width: float
    height: float
    words: list[dict[str, Any]]
    image_area: float
    tables: Any  # a pdf_objects.TablePage when the page has ruling lines, else None


def _char_dicts(runs: list[Any], boxes: list[Any]) -> list[dict[str, Any]]:
    """Segments (or characters) centred in one of the ``boxes`` (tables) as pdfplumber's char dicts:
    a cell takes those whose centre it holds, its text comes from the same word grouping."""
    return [
        {"text": c[4], "x0": c[0], "x1": c[1], "top": c[2], "bottom": c[3], "doctop": c[2],
         "width": c[1] - c[0], "height": c[3] - c[2], "upright": upright, "size": size, "fontname": name}
        for (upright, size, name), run in runs for c in run
        if pdf_objects.centred(c, boxes)
    ]  # fmt: skip


def open_document(path: str) -> Any:
    return pdfium.PdfDocument(path)


def read_pages(pdf: Any, numbers: Sequence[int]) -> Iterator[FastPage]:
    """Read the given 1-based pages one at a time (each page is closed after reading)."""
    for number in numbers:
        page = pdf[number - 1]
        try:
            yield _read(page, number)
        finally:
            page.close()


def _int(handle: Any) -> int:
    return ctypes.cast(handle, _P).value or 0


def _read(page: Any, number: int) -> FastPage:
    geo = pdf_objects.Geometry(page)
    image_area, edges = pdf_objects.scan(_int(page.raw), geo.point)
    textpage = page.get_textpage()
    try:
        tp, n, text = _page_text(textpage)
        runs: list[Any] = []
        tables = None
        if pdf_objects.may_hold_table(edges):  # the finder needs the characters only for cells
            tables = pdf_objects.TablePage(geo.width, geo.height, edges, lambda boxes: _char_dicts(runs, boxes))
        words = _segment_words(tp, n, text, geo, runs)
        if words is None:  # text not set straight: every character on its own
            words, runs[:] = _words(tp, n, text, geo)
        for w in words:
            if w["fontname"] == "Symbol":
                w["text"] = w["text"].translate(_SYMBOL_TABLE)
    finally:
        textpage.close()
    return FastPage(number, geo.width, geo.height, words, image_area, tables)


# -- characters -> words -----------------------------------------------------------------


_Info = tuple[str, float, bool, bool, float, float, float]


class _Scratch:
    """Out-parameters of :func:`_object_info`, allocated once per page, and the page's fonts."""

    __slots__ = ("buf", "d", "d_p", "fonts", "m", "m_p", "o_p", "ox", "oy")

    def __init__(self) -> None:
        self.buf = ctypes.create_string_buffer(256)
        self.m, self.d = R.FS_MATRIX(), ctypes.c_float()
        self.m_p, self.d_p = ctypes.byref(self.m), ctypes.byref(self.d)
        self.ox, self.oy = ctypes.c_double(), ctypes.c_double()
        self.o_p = (ctypes.byref(self.ox), ctypes.byref(self.oy))
        self.fonts: dict[int, tuple[str, float]] = {}  # font handle -> (base font name, descent)


def _object_info(tp: int, i: int, obj: int, geo: pdf_objects.Geometry, sc: _Scratch) -> _Info:
    """What all characters of one text object share, read at its character ``i``: (font name,
    descent per unit size, upright, upright without skew, size, top, bottom), in display space.
    ``top``/``bottom`` are pdfminer's box (from the baseline by the font's descent, one size high)."""
    size = _font_size(tp, i)
    if not obj:
        return "", 0.0, True, False, size, 0.0, 0.0
    font = _obj_font(obj)
    known = sc.fonts.get(font)
    if known is not None:
        name, descent = known
    else:
        name, descent = "", 0.0
        if font:
            buf = sc.buf
            n = _font_name(font, buf, len(buf))
            name = buf.raw[: max(0, n - 1)].decode("utf-8", "replace") if n else ""
            if _descent(font, 1.0, sc.d_p):
                descent = sc.d.value
        sc.fonts[font] = (name, descent)
    m = sc.m
    if not _obj_matrix(obj, sc.m_p):  # as a fresh (zero) matrix would read
        m.a = m.b = m.c = m.d = m.e = m.f = 0.0
    a, b, c, d_ = m.a, m.b, m.c, m.d
    r = geo.rotation
    if r == 90:
        a, b, c, d_ = b, -a, d_, -c
    elif r == 180:
        a, b, c, d_ = -a, -b, -c, -d_
    elif r == 270:
        a, b, c, d_ = -b, a, -d_, c
    upright = a * d_ > 0 and b * c <= 0
    size *= (c * c + d_ * d_) ** 0.5  # PDFium's size is the Tf operand; pdfminer's is as drawn
    if not _origin(tp, i, *sc.o_p):
        sc.ox.value = sc.oy.value = 0.0
    _, base = geo.point(sc.ox.value, sc.oy.value)
    bottom = base - descent * size
    return name, descent, upright, upright and b == 0 and c == 0, size, bottom - size, bottom


def _page_text(textpage: Any) -> tuple[int, int, str]:
    """(handle, character count, text with one character per index) of a text page."""
    tp = _int(textpage.raw)
    n = max(0, textpage.count_chars())
    text = textpage.get_text_range(0, n) if n else ""
    if len(text) != n:
        text = "".join(chr(_unicode(tp, i)) for i in range(n))
    return tp, n, text


def _words(tp: int, n: int, text: str, geo: pdf_objects.Geometry) -> tuple[list[dict[str, Any]], list[Any]]:
    """The page's words, and its characters in runs of one (upright, size, fontname).

    Every character gets its own box: the path for pages with text that is not set
    straight (rotated or skewed)."""
    rect = R.FS_RECTF()
    rect_p = ctypes.byref(rect)
    sc = _Scratch()
    infos: dict[int, _Info] = {}
    ax, bx, dx, ay, by, dy = geo.affine()
    # runs of consecutive characters with one (upright, size, fontname), as pdfplumber groups them
    runs: list[tuple[tuple[Any, ...], list[tuple[float, float, float, float, str]]]] = []
    chars: list[tuple[float, float, float, float, str]] = []
    key: tuple[Any, ...] | None = None
    hyphens = _HYPHENS
    for i in range(n):
        ch = text[i]
        if ch.isspace() and _generated(tp, i):
            if ch == " " and chars:  # a gap PDFium saw, or a real space it replaced: a word break
                last = chars[-1]
                chars.append((last[1], last[1], last[2], last[3], " "))
            continue  # PDFium's line breaks: pdfplumber has no such characters
        obj = _text_object(tp, i)
        info = infos.get(obj)
        if info is None:
            info = infos[obj] = _object_info(tp, i, obj, geo, sc)
        name, _, upright, straight, size, top, bottom = info
        _loose_box(tp, i, rect_p)
        x0 = ax * rect.left + bx * rect.bottom + dx
        x1 = ax * rect.right + bx * rect.top + dx
        if x0 > x1:
            x0, x1 = x1, x0
        if not straight:
            top = ay * rect.left + by * rect.bottom + dy
            bottom = ay * rect.right + by * rect.top + dy
            if top > bottom:
                top, bottom = bottom, top
            if not upright:
                size = bottom - top  # pdfminer: the box's height
        new_key = (upright, size, name)
        if new_key != key:
            chars = []
            runs.append((new_key, chars))
            key = new_key
        chars.append((x0, x1, top, bottom, hyphens.get(ch, ch)))
    words: list[dict[str, Any]] = []
    for (upright, size, name), run in runs:
        if upright:
            _upright_words(run, size, name, words)
        else:
            _rotated_words(run, size, name, words)
    return words, runs


def _segment_words(tp: int, n: int, text: str, geo: pdf_objects.Geometry,
                   runs: list[Any]) -> list[dict[str, Any]] | None:  # fmt: skip
    """The page's words from segments: the characters of one text object between spaces.

    Within a segment the characters share font, size and baseline and follow each other,
    so only its first and last character need a box; the segments then go through the same
    grouping as single characters. None when some text is not set straight (use :func:`_words`).
    PDFium keeps the characters of one text object together (it orders whole objects along a
    line), so non-space characters whose first and last belong to one object are one segment:
    only those two are asked for their object (every one on pages with right-to-left letters,
    which PDFium reorders character by character)."""
    rect = R.FS_RECTF()
    rect_p = ctypes.byref(rect)
    sc = _Scratch()
    infos: dict[int, _Info] = {}
    ax, bx, dx, _, _, _ = geo.affine()
    items: list[tuple[float, float, float, float, str]] = []
    key: tuple[Any, ...] | None = None
    seg_obj, info, top, bottom = 0, None, 0.0, 0.0
    text_object, loose_box, generated = _text_object, _loose_box, _generated
    each = _RTL.search(text) is not None
    marks = "\ufffe" in text or "\x02" in text  # PDFium's hyphen marks: translated per segment
    for m in _TOKENS.finditer(text):
        s, e = m.span()
        ch = text[s]
        space = ch.isspace()  # a whitespace token is one character
        if space:
            if generated(tp, s):
                if ch == " " and items:  # a gap PDFium saw, or a real space it replaced: a break
                    last = items[-1]
                    items.append((last[1], last[1], last[2], last[3], " "))
                continue
            stops: Any = ((e, text_object(tp, s)),)  # a real space: where it is, as pdfplumber has it
        else:
            obj = text_object(tp, s)
            if e - s == 1 or not each and text_object(tp, e - 1) == obj:
                stops = ((e, obj),)
            else:  # the token spans objects (or may: right-to-left): cut it where the object changes
                stops, cur = [], obj
                for i in range(s + 1, e):
                    o = text_object(tp, i)
                    if o != cur:
                        stops.append((i, cur))
                        cur = o
                stops.append((e, cur))
        for stop, obj in stops:  # the segment [s, stop) of one object
            if obj != seg_obj or info is None:
                info = infos.get(obj)
                if info is None:
                    info = infos[obj] = _object_info(tp, s, obj, geo, sc)
                seg_obj = obj
                if not info[3]:
                    return None
                name, _, upright, _, size, top, bottom = info
                new_key = (upright, size, name)
                if new_key != key:
                    items = []
                    runs.append((new_key, items))
                    key = new_key
            loose_box(tp, s, rect_p)
            u0 = ax * rect.left + bx * rect.bottom + dx
            u1 = ax * rect.right + bx * rect.top + dx
            if stop - 1 > s:
                loose_box(tp, stop - 1, rect_p)
                v0 = ax * rect.left + bx * rect.bottom + dx
                v1 = ax * rect.right + bx * rect.top + dx
                x0, x1 = min(u0, u1, v0, v1), max(u0, u1, v0, v1)
            else:
                x0, x1 = (u0, u1) if u0 <= u1 else (u1, u0)
            t = " " if space else text[s:stop].translate(_HYPHEN_TABLE) if marks else text[s:stop]
            items.append((x0, x1, top, bottom, t))
            s = stop
    words: list[dict[str, Any]] = []
    for (_, size, name), run in runs:
        _upright_words(run, size, name, words)
    return words


def _upright_words(run: list[tuple[float, float, float, float, str]], size: float, name: str,
                   out: list[dict[str, Any]]) -> None:  # fmt: skip
    """pdfplumber's line clustering by ``top`` and word splitting, on one run of characters."""
    tops = sorted({c[2] for c in run})
    cluster: dict[float, int] = {}
    group, last = 0, tops[0]
    for t in tops:
        if t > last + _Y_TOL:
            group += 1
        cluster[t] = group
        last = t
    lines: dict[int, list[tuple[float, float, float, float, str]]] = {}
    for c in run:  # in page order within a line (what a stable sort by line gives)
        g = cluster[c[2]]
        if g in lines:
            lines[g].append(c)
        else:
            lines[g] = [c]
    for g in sorted(lines):
        word: list[tuple[float, float, float, float, str]] = []
        for c in sorted(lines[g], key=_X0):
            if c[4].isspace():
                if word:
                    out.append(_merge(word, size, name))
                word = []
                continue
            if word:
                p = word[-1]
                if c[0] < p[0] or c[0] > p[1] + _X_TOL or abs(c[2] - p[2]) > _Y_TOL:
                    out.append(_merge(word, size, name))
                    word = []
            word.append(c)
        if word:
            out.append(_merge(word, size, name))


def _rotated_words(run: list[tuple[float, float, float, float, str]], size: float, name: str,
                   out: list[dict[str, Any]]) -> None:  # fmt: skip
    """Vertical text: lines by ``x0``, characters top to bottom (pdfplumber's defaults)."""
    run = sorted(run, key=lambda c: c[0])
    for _, line in itertools.groupby(run, key=lambda c: round(c[0] / _X_TOL)):
        word: list[tuple[float, float, float, float, str]] = []
        for c in sorted(line, key=lambda c: (c[2], c[3])):
            if c[4].isspace() or (word and (c[2] < word[-1][2] or c[2] > word[-1][3] + _Y_TOL)):
                if word:
                    out.append(_merge(word, size, name))
                word = [] if c[4].isspace() else [c]
                continue
            word.append(c)
        if word:
            out.append(_merge(word, size, name))


def _merge(chars: list[tuple[float, float, float, float, str]], size: float, name: str) -> dict[str, Any]:
    if len(chars) == 1:
        x0, x1, top, bottom, text = chars[0]
        return {"text": text, "x0": x0, "x1": x1, "top": top, "bottom": bottom, "size": size, "fontname": name}
    return {
        "text": "".join([c[4] for c in chars]),
        "x0": min([c[0] for c in chars]),
        "x1": max([c[1] for c in chars]),
        "top": min([c[2] for c in chars]),
        "bottom": max([c[3] for c in chars]),
        "size": size,
        "fontname": name,
    }
