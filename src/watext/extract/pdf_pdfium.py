"""The fast PDF reader of :mod:`watext.extract.pdf`: characters from PDFium (pypdfium2).

For each page it builds the same word dicts as ``pdfplumber.Page.extract_words(extra_attrs=["size",
"fontname"], use_text_flow=False)`` (``text, x0, x1, top, bottom, size, fontname``; ``top`` from the
page top, page rotation and MediaBox applied as pdfminer and pdfplumber apply them; a character box
from its baseline by the font's descent, one size high), so the layout code after it is shared. It
emulates pdfplumber's grouping (:mod:`watext.extract.pdf_words`): runs of characters with one
(upright, size, fontname), lines clustered by ``top`` (3 pt), words split at spaces, at gaps over 3 pt
and where the text runs backwards.

Speed: PDFium is called through ctypes prototypes, most without argument types, holding the
GIL, with reused out-parameters; font name, size, descent and baseline are read once per text
object. Straight text is read in segments (one text object's characters between spaces)
that need a box for their first and last character only; a page with rotated or skewed
text is read character by character. PDFium's own line breaks are dropped, its generated
spaces are word breaks, and its line-break hyphen marks (U+FFFE, U+0002) become "-".

Ruling lines, images and tables: see :mod:`watext.extract.pdf_objects`. Pages are read
one at a time and closed (text page and page), so a long document is never held whole.
"""

from __future__ import annotations

import ctypes
import re
import struct
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any

import pypdfium2 as pdfium
import pypdfium2.raw as R
from pypdfium2 import PdfiumError

from watext.extract import pdf_objects
from watext.extract.pdf_words import char_dicts, rotated_words, upright_words

__all__ = ["FastPage", "PdfiumError", "open_document", "read_pages"]

_HYPHENS = {"\ufffe": "-", "\x02": "-"}  # PDFium's marks for a hyphen at a line break
_HYPHEN_TABLE = str.maketrans(_HYPHENS)
#: The (not embedded) Symbol font: pdfminer reads code 0x2D as a hyphen, PDFium as a minus.
_SYMBOL_TABLE = str.maketrans({"\u2212": "-"})
_SPACE = re.compile(r"(\s)")
#: Right-to-left scripts (Hebrew to NKo, their presentation forms): PDFium reorders their characters.
_RTL = re.compile("[\u0590-\u08ff\ufb1d-\ufdff\ufe70-\ufefc\U00010800-\U00010fff\U0001e800-\U0001efff]")
_P = ctypes.c_void_p


def _proto(name: str, restype: Any, *argtypes: Any) -> Any:
    """The PDFium function ``name``, called holding the GIL (its calls are short). Without
    ``argtypes`` (cheaper) a handle goes in as a c_void_p, an out-parameter as a ctypes array."""
    return ctypes.PYFUNCTYPE(restype, *argtypes)(ctypes.cast(getattr(R, name), _P).value)


_text_object = _proto("FPDFText_GetTextObject", _P)  # (text page, index)
_loose_box = _proto("FPDFText_GetLooseCharBox", ctypes.c_int)  # (text page, index, FS_RECTF)
_generated = _proto("FPDFText_IsGenerated", ctypes.c_int)  # (text page, index)
_origin = _proto("FPDFText_GetCharOrigin", ctypes.c_int)  # (text page, index, x, y: doubles)
_font_size = _proto("FPDFText_GetFontSize", ctypes.c_double)  # (text page, index)
_obj_font = _proto("FPDFTextObj_GetFont", _P)  # (text object)
_obj_matrix = _proto("FPDFPageObj_GetMatrix", ctypes.c_int)  # (text object, FS_MATRIX)
_unicode = _proto("FPDFText_GetUnicode", ctypes.c_uint, _P, ctypes.c_int)
_font_name = _proto("FPDFFont_GetBaseFontName", ctypes.c_ulong, _P, ctypes.c_char_p, ctypes.c_ulong)
_descent = _proto("FPDFFont_GetDescent", ctypes.c_int, _P, ctypes.c_float, ctypes.POINTER(ctypes.c_float))
_BOX, _ORIGIN = struct.Struct("4f"), struct.Struct("2d")  # FS_RECTF (left, top, right, bottom); x, y


@dataclass(slots=True)
class FastPage:
    """What :mod:`watext.extract.pdf` needs of one page read by PDFium."""

    number: int  # 1-based
    width: float
    height: float
    words: list[dict[str, Any]]
    image_area: float
    tables: Any  # a pdf_objects.TablePage when the page has ruling lines, else None


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
            tables = pdf_objects.TablePage(geo.width, geo.height, edges, lambda boxes: char_dicts(runs, boxes))
        words = _segment_words(tp, n, text, geo, runs)
        if words is None:  # text not set straight: every character on its own
            words, runs[:] = _words(tp, n, text, geo)
        for w in words if any(key[2] == "Symbol" for key, _ in runs) else ():  # (a word's font: its run's)
            if w["fontname"] == "Symbol":
                w["text"] = w["text"].translate(_SYMBOL_TABLE)
    finally:
        textpage.close()
    return FastPage(number, geo.width, geo.height, words, image_area, tables)


# -- characters -> words -----------------------------------------------------------------


_Info = tuple[str, float, bool, bool, float, float, float]


class _Scratch:
    """A page's out-parameters (ctypes arrays over bytearrays, read with struct) and fonts."""

    __slots__ = ("box", "buf", "cbox", "d", "d_p", "fonts", "m", "m_p", "o", "o_p")

    def __init__(self) -> None:
        self.buf, self.d = ctypes.create_string_buffer(256), ctypes.c_float()
        self.d_p = ctypes.byref(self.d)
        self.box, self.m, self.o = bytearray(16), bytearray(24), bytearray(16)  # FS_RECTF, FS_MATRIX, x y
        self.cbox = (ctypes.c_char * 16).from_buffer(self.box)
        self.m_p = (ctypes.c_char * 24).from_buffer(self.m)
        self.o_p = ((ctypes.c_char * 8).from_buffer(self.o), (ctypes.c_char * 8).from_buffer(self.o, 8))
        self.fonts: dict[int, tuple[str, float]] = {}  # font handle -> (base font name, descent)


def _object_info(tp: Any, i: int, obj: int, geo: pdf_objects.Geometry, sc: _Scratch) -> _Info:
    """What all characters of one text object share, read at its character ``i``: (font name,
    descent per unit size, upright, upright without skew, size, top, bottom), in display space.
    ``top``/``bottom`` are pdfminer's box (from the baseline by the font's descent, one size high)."""
    size = _font_size(tp, i)
    if not obj:
        return "", 0.0, True, False, size, 0.0, 0.0
    obj_p = _P(obj)
    font = _obj_font(obj_p)
    if font not in sc.fonts:
        name, descent = "", 0.0
        if font:
            buf = sc.buf
            n = _font_name(font, buf, len(buf))
            name = buf.raw[: max(0, n - 1)].decode("utf-8", "replace") if n else ""
            if _descent(font, 1.0, sc.d_p):
                descent = sc.d.value
        sc.fonts[font] = (name, descent)
    name, descent = sc.fonts[font]
    if not _obj_matrix(obj_p, sc.m_p):  # as a fresh (zero) matrix would read
        sc.m[:] = bytes(24)
    a, b, c, d_ = _BOX.unpack_from(sc.m)  # the matrix's a, b, c, d
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
        sc.o[:] = bytes(16)
    x, y = _ORIGIN.unpack(sc.o)
    x0, y0, x1, y1 = geo.box  # the baseline's top as geo.point(x, y) has it, written out
    base = geo.height - (x1 - x if r == 90 else y1 - y if r == 180 else x - x0 if r == 270 else y - y0) + geo.low
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
    """The page's words, and its characters in runs of one (upright, size, fontname); every
    character with its own box: the path for pages with text not set straight (rotated or skewed)."""
    sc = _Scratch()
    infos: dict[int, _Info] = {}
    ax, bx, dx, ay, by, dy = geo.affine()
    runs: list[tuple[tuple[Any, ...], list[tuple[float, float, float, float, str]]]] = []
    chars: list[tuple[float, float, float, float, str]] = []
    key: tuple[Any, ...] | None = None
    hyphens, tpv = _HYPHENS, _P(tp)
    for i in range(n):
        ch = text[i]
        if ch.isspace() and _generated(tpv, i):
            if ch == " " and chars:  # a gap PDFium saw, or a real space it replaced: a word break
                last = chars[-1]
                chars.append((last[1], last[1], last[2], last[3], " "))
            continue  # PDFium's line breaks: pdfplumber has no such characters
        obj = _text_object(tpv, i)
        info = infos.get(obj)
        if info is None:
            info = infos[obj] = _object_info(tpv, i, obj, geo, sc)
        name, _, upright, straight, size, top, bottom = info
        _loose_box(tpv, i, sc.cbox)
        left, high, right, low = _BOX.unpack_from(sc.box)
        x0 = ax * left + bx * low + dx
        x1 = ax * right + bx * high + dx
        if x0 > x1:
            x0, x1 = x1, x0
        if not straight:
            top = ay * left + by * low + dy
            bottom = ay * right + by * high + dy
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
            upright_words(run, size, name, words)
        else:
            rotated_words(run, size, name, words)
    return words, runs


def _segment_words(tp: int, n: int, text: str, geo: pdf_objects.Geometry,
                   runs: list[Any]) -> list[dict[str, Any]] | None:  # fmt: skip
    """The page's words from segments: the characters of one text object between spaces.

    Within a segment the characters share font, size and baseline and follow each other, so only its
    first and last character need a box. None when some text is not set straight (then use
    :func:`_words`). PDFium keeps a text object's characters together (it orders whole objects along
    a line), so those between two of one object are of it too: a word asks for the object of its last
    character, and of its first only if no earlier one is known to be of the same; a real space waits
    for the next word (asking nothing when that word's object is the one before the space). With
    right-to-left letters (PDFium reorders them) every character of a word is asked."""
    sc = _Scratch()
    infos: dict[int, _Info] = {}
    ax, bx, dx, _, _, _ = geo.affine()
    items: list[tuple[float, float, float, float, str]] = []
    key, seg_obj = None, -1  # -1: no object
    tpv, cbox, unpack, buf = _P(tp), sc.cbox, _BOX.unpack_from, sc.box
    text_object, loose_box, generated = _text_object, _loose_box, _generated
    each = _RTL.search(text) is not None
    if "\ufffe" in text or "\x02" in text:  # PDFium's hyphen marks (not whitespace): "-", as long
        text = text.translate(_HYPHEN_TABLE)
    parts = [*_SPACE.split(text), ""]  # a word (or ""), the whitespace character after it, ...
    pos, known, pending, before = 0, -1, -1, -1  # -1: not known / no real space waiting
    segs: list[tuple[int, int, Any, str]] = []  # (start, end, object, text); end -1: a gap
    add = segs.append
    for word, ws in zip(*[iter(parts)] * 2):
        s = pos
        e = s + len(word)
        pos = e + 1
        if word:
            last = text_object(tpv, e - 1)
            if pending >= 0:  # the real space before: of the word's object if the one before it is
                known = last if last == before else text_object(tpv, pending)
                add((pending, s, known, " "))
                pending = -1
            if e - s == 1 or not each and (known == last or text_object(tpv, s) == last):
                add((s, e, last, word))
            else:  # the word spans objects (or may: right-to-left): cut it where the object changes
                cur, a = text_object(tpv, s), s
                for i in range(s + 1, e):
                    o = text_object(tpv, i)
                    if o != cur:
                        add((a, i, cur, text[a:i]))
                        cur, a = o, i
                add((a, e, cur, text[a:e]))
            known = -1 if each else last
        elif pending >= 0:  # a real space, then another whitespace character: where it is
            known = text_object(tpv, pending)
            add((pending, e, known, " "))
            pending = -1
        if ws and generated(tpv, e):  # a gap PDFium saw, or a real space it replaced: a word break
            if ws == " ":  # (PDFium's line breaks: pdfplumber has no such characters)
                add((e, -1, None, " "))
        elif ws:  # a real space: where it is, as pdfplumber has it
            pending, before, known = e, known, -1
    push = items.append
    for a, b, obj, t in segs:  # the segment [a, b) of one object
        if b < 0:  # a gap: a space at the end of the segment before
            if items:
                push((items[-1][1], items[-1][1], items[-1][2], items[-1][3], " "))
            continue
        if obj != seg_obj:
            info = infos.get(obj)
            if info is None:
                info = infos[obj] = _object_info(tpv, a, obj, geo, sc)
            seg_obj = obj
            if not info[3]:
                return None
            name, _, upright, _, size, top, bottom = info
            new_key = (upright, size, name)
            if new_key != key:
                items = []
                push = items.append
                runs.append((new_key, items))
                key = new_key
        loose_box(tpv, a, cbox)
        left, high, right, low = unpack(buf)
        x0 = ax * left + bx * low + dx
        x1 = ax * right + bx * high + dx
        if b - 1 > a:  # min() and max() of the two boxes' ends, as comparisons
            loose_box(tpv, b - 1, cbox)
            left, high, right, low = unpack(buf)
            v0 = ax * left + bx * low + dx
            v1 = ax * right + bx * high + dx
            lo = x1 if x1 < x0 else x0
            lo = v0 if v0 < lo else lo
            hi = x1 if x1 > x0 else x0
            hi = v0 if v0 > hi else hi
            x0, x1 = v1 if v1 < lo else lo, v1 if v1 > hi else hi
        elif not x0 <= x1:
            x0, x1 = x1, x0
        push((x0, x1, top, bottom, t))
    words: list[dict[str, Any]] = []
    for (_, size, name), run in runs:
        upright_words(run, size, name, words)
    return words
