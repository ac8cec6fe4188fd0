"""List helpers shared by the format adapters (pure functions, no I/O).

Marker rule used by every adapter that sees plain lines (text, DOCX without numbering):

- *bullet* markers (``-``, ``*``, ``•``, ``–``, ``▪``, ``◦``, ``·``, ``‣``, ``○``, ``■``) are
  stripped from the item text: the glyph carries no information;
- *ordinal* markers (``1.``, ``2)``, ``(3)``, ``a)``, ``b.``, ``iv)``) are kept in the text,
  because the number is content ("vgl. lfd. Nr. 7").

A marker must be followed by whitespace and some text, so "27.10.2014" or "-5 °C" are
not list items.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from watext.model import Block, BlockKind

__all__ = ["ListMarker", "assign_parents", "format_number", "indent_width", "join_wrapped_lines", "parse_marker",
           "to_roman"]

_BULLETS = "-*•–▪◦·‣○■"
_MARKER = re.compile(
    rf"^(?P<indent>[ \t]*)"
    rf"(?:(?P<bullet>[{re.escape(_BULLETS)}])"
    r"|(?P<ordinal>\(?(?:\d{1,3}|[a-zA-Z]|[ivxIVX]{1,4})[.)]))"
    r"[ \t]+(?P<body>\S.*)$"
)
_NUMBER = re.compile(r"^\(?(\d{1,3})[.)]$")
#: Words after which a line-end hyphen is a suspended compound ("Willkommens- und").
_CONJUNCTIONS = frozenset({"und", "oder", "bzw", "bzw.", "sowie", "bis", "als", "wie", "noch"})


@dataclass(frozen=True, slots=True)
class ListMarker:
    """A list marker found at the start of a line."""

    indent: int
    """Width of the leading whitespace (a tab counts as four spaces)."""
    text: str
    """The item text: marker removed for bullets, kept for ordinals."""
    number: int | None
    """The arabic number of an ordinal marker such as ``7.``; ``None`` otherwise."""


def indent_width(line: str) -> int:
    """Return the width of the line's leading whitespace, a tab counting four."""
    width = 0
    for ch in line:
        if ch == " ":
            width += 1
        elif ch == "\t":
            width += 4
        else:
            break
    return width


def parse_marker(line: str) -> ListMarker | None:
    """Return the list marker at the start of ``line``, or ``None`` if it has none."""
    m = _MARKER.match(line)
    if m is None:
        return None
    indent = indent_width(m.group("indent"))
    body = m.group("body").rstrip()
    ordinal = m.group("ordinal")
    if ordinal is None:
        return ListMarker(indent=indent, text=body, number=None)
    if ordinal[-1] == "." and not ordinal[0].isdigit() and len(ordinal) > 2:
        return None  # "Nr. 5", "ca. 3" - abbreviations, not roman numerals
    num = _NUMBER.match(ordinal)
    return ListMarker(
        indent=indent, text=f"{ordinal} {body}", number=int(num.group(1)) if num else None
    )


def join_wrapped_lines(lines: list[str]) -> str:
    """Join the lines of one wrapped paragraph into a single line.

    A line ending in a hyphen directly after a letter is a broken word when the next line
    starts lowercase ("Integrations-" + "konzept" -> "Integrationskonzept"), except before
    conjunctions, where it is a suspended compound ("Willkommens-" + "und" ->
    "Willkommens- und"). Everything else is joined with one space.
    """
    out = ""
    for raw in lines:
        line = raw.strip()
        if not line:
            continue
        if not out:
            out = line
            continue
        first_word = line.split(" ", 1)[0]
        if (
            out.endswith("-")
            and len(out) >= 2
            and out[-2].isalpha()
            and line[0].islower()
            and first_word not in _CONJUNCTIONS
        ):
            out = out[:-1] + line
        else:
            out = f"{out} {line}"
    return out


def assign_parents(blocks: list[Block]) -> None:
    """Set ``parent`` of nested list items, in place.

    The parent is the nearest preceding list item of a lower level within the same run of
    consecutive list items on the same page; any other block ends the run.
    """
    stack: list[int] = []
    prev_page: int | None = None
    for i, block in enumerate(blocks):
        if block.kind is not BlockKind.LIST_ITEM or (stack and block.page != prev_page):
            stack = []
        if block.kind is not BlockKind.LIST_ITEM:
            continue
        while stack and blocks[stack[-1]].level >= block.level:
            stack.pop()
        block.parent = stack[-1] if stack else None
        stack.append(i)
        prev_page = block.page


def to_roman(n: int) -> str:
    """Roman numeral of ``n`` (upper case)."""
    out = ""
    for value, sym in ((1000, "M"), (900, "CM"), (500, "D"), (400, "CD"), (100, "C"),
                       (90, "XC"), (50, "L"), (40, "XL"), (10, "X"), (9, "IX"), (5, "V"),
                       (4, "IV"), (1, "I")):  # fmt: skip
        while n >= value:
            out, n = out + sym, n - value
    return out


def format_number(n: int, fmt: str) -> str:
    """Counter ``n`` written in a number format: ``lowerLetter``/``upperLetter``,
    ``lowerRoman``/``upperRoman`` (Word's names), anything else in arabic digits."""
    if fmt in ("lowerLetter", "upperLetter"):
        letter = chr(ord("a") + (n - 1) % 26) * ((n - 1) // 26 + 1)
        return letter.upper() if fmt == "upperLetter" else letter
    if fmt in ("lowerRoman", "upperRoman"):
        roman = to_roman(n)
        return roman.lower() if fmt == "lowerRoman" else roman
    return str(n)
