"""Text cleanup shared by every format adapter (pure functions, no I/O)."""

from __future__ import annotations

import re
import unicodedata

__all__ = [
    "BULLET_CHARS",
    "STANDALONE_WORDS",
    "clean_text",
    "ends_sentence",
    "is_bullet",
    "join_lines",
    "join_pair",
    "repair_cell",
]

_LIGATURES = str.maketrans(
    {
        "\ufb00": "ff",
        "\ufb01": "fi",
        "\ufb02": "fl",
        "\ufb03": "ffi",
        "\ufb04": "ffl",
        "\u00ad": "",  # soft hyphen
        "\u200b": "",  # zero-width space
        "\ufeff": "",  # byte-order mark
        "\u00a0": " ",  # no-break space
        "\u2009": " ",
        "\u202f": " ",
    }
)
_SPACES = re.compile(r"[ \t\f\v]+")
#: Text :func:`clean_text` leaves as it is: words of no whitespace (``\s`` is ``str.isspace``)
#: and no character of ``_LIGATURES``, apart by single spaces, in lines apart by single "\n".
_WORD_CHAR = "[^\\s" + re.escape("".join(map(chr, _LIGATURES))) + "]"
_CLEAN = re.compile(f"{_WORD_CHAR}+(?: {_WORD_CHAR}+)*(?:\n{_WORD_CHAR}+(?: {_WORD_CHAR}+)*)*")


def clean_text(text: str) -> str:
    """NFC-normalise, resolve ligatures and invisible characters, collapse spaces.

    Newlines are kept (callers decide what a line break means); spaces around them
    are trimmed.
    """
    if _CLEAN.fullmatch(text) and unicodedata.is_normalized("NFC", text):
        return text  # (most lines: nothing to clean)
    text = unicodedata.normalize("NFC", text).translate(_LIGATURES)
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    lines = [_SPACES.sub(" ", line).strip() for line in text.split("\n")]
    return "\n".join(lines).strip()


# --------------------------------------------------------------------------------------
# Line-joining repairs for layout-based formats (PDF): pure functions, no geometry.
# --------------------------------------------------------------------------------------

#: Words that commonly stand alone after a line break; a lowercase fragment that is one
#: of these is never glued onto the previous line as the tail of a broken word.
STANDALONE_WORDS = frozenset(
    """
    und oder in im für der die das den dem des von vom zu zum zur mit an am auf aus bei
    bis als wie ist sind wird werden ein eine einer eines einem einen nicht nur auch so
    sowie bzw bzw. u. o. ggf. sich über unter nach vor durch gegen ohne um es er sie wir
    and or of the to in on at for with by from a an is are as not
    """.split()
)

#: Words after a line-final hyphen that mark an elided compound ("Fach- und").
_HYPHEN_CONJUNCTIONS = frozenset(
    {"und", "oder", "bzw.", "bzw", "sowie", "als", "wie", "bis", "u.", "&", "and", "or"}
)

#: Glyphs that mark a list item when they start a line (incl. Wingdings/Symbol PUA).
BULLET_CHARS = frozenset("•–-—➢➤►▪▫■□●○◦·*✓✔➔→»")

_TERMINAL = re.compile(r"[.!?:;…]['\"“”‘’»«)\]]*$")


def is_bullet(token: str) -> bool:
    """Tell whether ``token`` is a bare bullet glyph (including private-use glyphs)."""
    return len(token) == 1 and (token in BULLET_CHARS or 0xE000 <= ord(token) <= 0xF8FF)


def ends_sentence(text: str) -> bool:
    """Tell whether ``text`` ends with terminal punctuation (``.!?:;``)."""
    return bool(_TERMINAL.search(text.rstrip()))


def _first_word(text: str) -> str:
    parts = text.split(maxsplit=1)
    return parts[0] if parts else ""


def join_pair(left: str, right: str, *, midword: bool = False) -> str:
    """Join two consecutive lines ``left`` + ``right`` into one string.

    Hyphen rules: ``"Integrations-" + "konzept"`` drops the hyphen, ``"Anti-" +
    "Diskriminierung"`` keeps it without a space, ``"Fach-" + "und"`` keeps hyphen and
    space, and a lone dash (``"genannte -"``) is kept as a word. With ``midword=True``
    (table cells, where a word wider than the column is broken without a hyphen) a
    single-word ``left`` followed by a lowercase fragment that is not a common
    standalone word is glued on without a space (``"Zuständigkei" + "t"``).
    """
    left, right = left.rstrip(), right.lstrip()
    if not left:
        return right
    if not right:
        return left
    last = left.rsplit(None, 1)[-1]
    first = _first_word(right)
    if last.endswith("-") and len(last) > 1 and last[-2].isalnum():
        if first.lower() in _HYPHEN_CONJUNCTIONS or first[0] in "(„\"":
            return f"{left} {right}"
        if first[0].islower():
            return left[:-1] + right
        return left + right
    if midword and first[0].islower() and last[-1].isalpha():
        head = left.split(None, 2)  # (two words at its start: not a single word; no need to split it all)
        words = head if len(head) == 3 and not is_bullet(head[0]) and not is_bullet(head[1]) else \
            [w for w in left.split() if not is_bullet(w)]  # fmt: skip
        if len(words) == 1 and first.lower().rstrip(",.;:") not in STANDALONE_WORDS:
            return left + right
    return f"{left} {right}"


def join_lines(lines: list[str], *, midword: bool = False) -> str:
    """Join wrapped lines of one paragraph into a single line (see :func:`join_pair`)."""
    text = ""
    for line in lines:
        line = line.strip()
        if line:
            text = join_pair(text, line, midword=midword) if text else line
    return text


def _is_item_line(line: str) -> bool:
    """Tell whether a cell line starts a list item ("- x", "• x" or "•x")."""
    first = _first_word(line)
    if not first:
        return False
    if is_bullet(first):
        return True
    return is_bullet(first[0]) and first[0] != "-" and len(first) > 1 and first[1].isalpha()


def repair_cell(text: str) -> str:
    """Repair the text of one table cell as produced by a PDF table extractor.

    Wrapped lines are joined (words broken across lines glued back together, see
    :func:`join_pair` with ``midword=True``). A cell whose first line starts with a
    bullet becomes one item per line, each keeping its marker (``"- Sprachkurse"``);
    any other cell ends up a single line.
    """
    lines = [ln for ln in clean_text(text).split("\n") if ln.strip()]
    if not lines:
        return ""
    if not _is_item_line(lines[0]):
        return join_lines(lines, midword=True)
    items: list[list[str]] = []
    for line in lines:
        if _is_item_line(line) or not items:
            items.append([line])
        else:
            items[-1].append(line)
    return "\n".join(join_lines(item, midword=True) for item in items)
