"""Fitting header words into table columns of the slides: generous widths of bold text, and
line breaks only between words or after ``-`` and ``/`` (never inside a word)."""

from __future__ import annotations

import re

from pptx.util import Inches, Pt

__all__ = ["CELL_PAD", "_header_lines", "_pieces", "_text_width"]

CELL_PAD = Inches(0.1)  # left + right cell margin
_NARROW, _SEMI, _WIDE = set("ijl|.,:;!'I "), set("ftr-/()"), set("mwMW")


def _em(char: str) -> float:
    """A generous width of a bold character in em, enough for the wide fallback font
    (DejaVu Sans Bold) that renders the deck where Calibri is missing."""
    if char in _NARROW:
        return 0.38
    if char in _SEMI:
        return 0.5
    if char in _WIDE:
        return 1.12
    if not char.isalnum():
        return 0.95
    return 0.86 if char.isupper() else 0.72


def _parts(word: str) -> list[str]:
    """``word`` split after ``-`` and ``/`` (where a line may break inside it)."""
    return [p for p in re.split(r"(?<=[-/])(?=\w)", word) if p]


def _pieces(title: str) -> list[str]:
    """The parts of a header a line may break between: words, split after ``-`` and ``/``."""
    return [p for word in title.split() for p in _parts(word)]


def _text_width(text: str, size: float) -> int:
    """A generous width (EMU) of ``text`` in bold at ``size`` pt."""
    return int(Pt(size) * sum(_em(c) for c in text))


def _header_lines(title: str, width: int, size: float) -> str:
    """``title`` with line breaks only between words or after ``-``/``/`` so it fits ``width``."""
    lines: list[str] = []
    for word in title.split():
        for i, piece in enumerate(_parts(word)):
            glue = "" if i else " "
            if lines and _text_width(lines[-1] + glue + piece, size) <= width - CELL_PAD:
                lines[-1] += glue + piece
            else:
                lines.append(piece)
    return "\n".join(lines)
