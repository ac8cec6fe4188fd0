"""Characters -> words for the fast PDF reader (:mod:`watext.extract.pdf_pdfium`), as pdfplumber's
``extract_words`` groups them: a run of characters of one (upright, size, fontname) is clustered
into lines by ``top`` (3 pt) and split into words at spaces, at gaps over 3 pt and where the text
runs backwards; vertical text is read top to bottom. A character (or segment of characters) is a
tuple (x0, x1, top, bottom, text). Also the characters of table cells as pdfplumber's char dicts."""

from __future__ import annotations

import itertools
from operator import itemgetter
from typing import Any

__all__ = ["char_dicts", "rotated_words", "upright_words"]

_X_TOL = 3.0  # pdfplumber's x_tolerance / y_tolerance defaults
_Y_TOL = 3.0
_X0, _TOP = itemgetter(0), itemgetter(2)
Char = tuple[float, float, float, float, str]


def char_dicts(runs: list[Any], boxes: list[Any]) -> list[dict[str, Any]]:
    """Segments (or characters) centred in one of the ``boxes`` (tables) as pdfplumber's char dicts:
    a cell takes those whose centre it holds, its text comes from the same word grouping. (The
    test of :func:`watext.extract.pdf_tables.centred`, written out: it runs for every character.)"""
    out = []
    for (upright, size, name), run in runs:
        for c in run:
            x0, x1, top, bottom, text = c
            cx, cy = (x0 + x1) / 2, (top + bottom) / 2
            for bx0, btop, bx1, bbottom in boxes:
                if bx0 <= cx < bx1 and btop <= cy < bbottom:
                    out.append({"text": text, "x0": x0, "x1": x1, "top": top, "bottom": bottom, "doctop": top,
                                "width": x1 - x0, "height": bottom - top, "upright": upright, "size": size,
                                "fontname": name})  # fmt: skip
                    break
    return out


def upright_words(run: list[tuple[float, float, float, float, str]], size: float, name: str,
                   out: list[dict[str, Any]]) -> None:  # fmt: skip
    """pdfplumber's line clustering by ``top`` and word splitting, on one run of characters."""
    tops = sorted(set(map(_TOP, run)))
    cluster: dict[float, int] = {}
    group, last = 0, tops[0]
    for t in tops:
        group += t > last + _Y_TOL
        cluster[t], last = group, t
    ordered = sorted(run, key=_X0)  # by x0, in page order within (a stable sort by line, then x0)
    lines: list[list[Char]] = [ordered]  # one line: as sorted
    if group:
        lines = [[] for _ in range(group + 1)]
        for c in ordered:
            lines[cluster[c[2]]].append(c)
    found: list[list[tuple[float, float, float, float, str]]] = []
    for line in lines:
        word, p = None, None  # the current word, its last character
        for c in line:
            if c[4].isspace():
                word = None
            elif word is not None and not (c[0] < p[0] or c[0] > p[1] + _X_TOL or abs(c[2] - p[2]) > _Y_TOL):
                word.append(c)
                p = c
            else:
                word, p = [c], c
                found.append(word)
    for word in found:
        if len(word) == 1:
            x0, x1, top, bottom, text = word[0]
            out.append({"text": text, "x0": x0, "x1": x1, "top": top, "bottom": bottom,
                        "size": size, "fontname": name})  # fmt: skip
        else:
            out.append(_merge(word, size, name))


def rotated_words(run: list[tuple[float, float, float, float, str]], size: float, name: str,
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
    x0, x1, top, bottom, text = zip(*chars)
    return {"text": "".join(text), "x0": min(x0), "x1": max(x1), "top": min(top), "bottom": max(bottom),
            "size": size, "fontname": name}  # fmt: skip
