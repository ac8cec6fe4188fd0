"""Plain-text adapter (.txt, .md, e-mail-like text).

Decoding order: byte-order mark (UTF-8/16/32) -> strict UTF-8 -> charset-normalizer's
best guess -> cp1252. A guess of Latin-1 is read as cp1252 (its superset for the bytes
German text uses: €, „“, –); before charset-normalizer, cp1252 is tried with a German
plausibility check (see :func:`_decode_western`). UTF-8 with a few invalid bytes stays
UTF-8 with replacement characters; the code pages are tried only when UTF-8 fails broadly.
``metadata["encoding"]`` records the codec used (and how many bytes were replaced).

Structure rules (one pass over the lines):

- leading e-mail headers (From/Von, To/An, Subject/Betreff, Date/Datum, Cc, Sent/Gesendet;
  at least two, the first on the first non-blank line) go to ``metadata`` and the subject
  becomes :attr:`Document.title`; they are not blocks;
- tab tables: 2+ consecutive lines with an inner tab and the same cell count, or one line
  with 3+ cells -> TABLE_CELL blocks (every cell, empty ones included);
- ``#`` headings -> HEADING (level = number of ``#``); a line that is entirely ``**...**``
  -> HEADING level 2; a lone line (blank before and after) in ALL CAPS, or ending with ":"
  with at most five words -> HEADING level 2;
- list markers (see :mod:`watext.extract.lists`) -> LIST_ITEM, level from indentation,
  parent set; indented lines after an item continue it;
- everything else: paragraphs split on blank lines, lines joined with
  :func:`~watext.extract.lists.join_wrapped_lines`.

Markup is never interpreted: ``<b>x</b>`` in a .txt file stays literal text.
"""

from __future__ import annotations

import codecs
import re
from pathlib import Path

import charset_normalizer

from watext.errors import CorruptFileError, EmptyFileError
from watext.extract.lists import assign_parents, indent_width, join_wrapped_lines, parse_marker
from watext.extract.normalize import clean_text
from watext.model import Block, BlockKind, Document, Format
from watext.settings import Settings

__all__ = ["decode_bytes", "extract", "parse_lines"]

_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)
_LATIN = {"latin_1", "iso8859_1", "iso-8859-1", "latin-1", "ascii"}
_HEADER = re.compile(
    r"^(From|Von|To|An|Cc|Kopie|Subject|Betreff|Date|Datum|Sent|Gesendet):[ \t]*(.*)$", re.I
)
_HEADER_KEYS = {
    "from": "email_from", "von": "email_from",
    "to": "email_to", "an": "email_to",
    "cc": "email_cc", "kopie": "email_cc",
    "subject": "email_subject", "betreff": "email_subject",
    "date": "email_date", "datum": "email_date", "sent": "email_date", "gesendet": "email_date",
}  # fmt: skip
_MD_HEADING = re.compile(r"^(#{1,6})[ \t]+(.+?)[ \t#]*$")
_BOLD_LINE = re.compile(r"^\*\*(.+)\*\*$")


def decode_bytes(data: bytes) -> tuple[str, str]:
    """Decode ``data`` to text and return ``(text, encoding)``.

    Raises CorruptFileError for binary content (NUL bytes in more than 1 % of the first
    8 KB without being UTF-16/32).
    """
    for bom, codec in _BOMS:
        if data.startswith(bom):
            try:
                return data.decode(codec), codec
            except UnicodeDecodeError as exc:
                raise CorruptFileError(f"damaged text file: invalid {codec}") from exc
    head = data[:8192]
    if head and head.count(0) > len(head) / 100:
        utf16 = _guess_bomless_utf16(head)
        if utf16 is None:
            raise CorruptFileError("binary content, not a text file")
        try:
            text = data.decode(utf16)
        except UnicodeDecodeError as exc:
            raise CorruptFileError("binary content, not a text file") from exc
        controls = sum(1 for c in text if ord(c) < 32 and c not in "\t\n\r\f")
        if controls > len(text) / 100:
            raise CorruptFileError("binary content, not a text file")
        return text, utf16
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        pass
    mostly = _mostly_utf8(data)
    if mostly is not None:
        return mostly
    western = _decode_western(data)
    if western is not None:
        return western, "cp1252"
    best = charset_normalizer.from_bytes(data).best()
    if best is not None and best.encoding.lower() not in _LATIN:
        return str(best), best.encoding
    return data.decode("cp1252", errors="replace"), "cp1252"


def _mostly_utf8(data: bytes) -> tuple[str, str] | None:
    """UTF-8 with a few invalid bytes stays UTF-8 (invalid bytes become U+FFFD): when valid
    multi-byte UTF-8 characters are found and there are no more invalid bytes than valid
    non-ASCII characters (a cp1252 text hardly ever forms valid UTF-8 sequences). The encoding is recorded as ``utf-8, N invalid bytes replaced``.
    A file whose non-ASCII bytes are all invalid UTF-8 (a cp1252 file) returns None."""
    text = data.decode("utf-8", errors="replace")
    bad = text.count("\ufffd") - data.count("\ufffd".encode())
    good = sum(1 for c in text if ord(c) > 127 and c != "\ufffd")
    if good and bad <= good:
        return text, f"utf-8, {bad} invalid byte{'s' if bad != 1 else ''} replaced"
    return None


def _decode_western(data: bytes) -> str | None:
    """Return ``data`` read as cp1252 when that gives plausible Western-European text.

    charset-normalizer misreads short German texts (as Big5 or cp1250), so before asking
    it we accept cp1252 when it decodes strictly, yields no C0/C1 control characters and
    non-ASCII characters are a minority of the letters (as umlauts and ß are in German).
    """
    try:
        text = data.decode("cp1252")
    except UnicodeDecodeError:
        return None
    if any(ord(c) < 32 and c not in "\t\n\r\f" for c in text):
        return None
    letters = [c for c in text if c.isalpha()]
    foreign = sum(1 for c in letters if ord(c) > 127)
    if not letters or foreign > 0.3 * len(letters):
        return None
    return text


def _guess_bomless_utf16(head: bytes) -> str | None:
    """Return "utf-16-le"/"utf-16-be" if NULs sit on one byte parity, else None."""
    even = head[0::2].count(0)
    odd = head[1::2].count(0)
    half = len(head) / 2
    if odd > 0.3 * half and even < 0.05 * half:
        return "utf-16-le"
    if even > 0.3 * half and odd < 0.05 * half:
        return "utf-16-be"
    return None


def extract(path: Path, settings: Settings) -> Document:
    """Read a plain-text file into a Document (``id=""``; the caller sets it)."""
    data = path.read_bytes()
    if not data.strip():
        raise EmptyFileError("the text file is empty")
    text, encoding = decode_bytes(data)
    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    metadata: dict[str, str] = {"encoding": encoding}
    lines = _take_email_headers(lines, metadata)
    blocks = parse_lines(lines)
    if not blocks:
        raise EmptyFileError("the text file contains no text")
    title = metadata.get("email_subject") or None
    return Document(
        id="", source=str(path), format=Format.TEXT, blocks=blocks, title=title,
        pages=None, size=len(data), metadata=metadata,
    )  # fmt: skip


def _take_email_headers(lines: list[str], metadata: dict[str, str]) -> list[str]:
    """Move leading e-mail headers into ``metadata``; return the remaining lines.

    Also a printed e-mail: the subject as a line of its own above the headers, and blank
    lines between the headers ("AW: Umfrage …", "", "Von: …", "", "Betreff: AW: Umfrage …")."""
    i = 0
    while i < len(lines) and not lines[i].strip():
        i += 1
    lead: str | None = None
    if i < len(lines) and not _HEADER.match(lines[i]):
        lead, j = lines[i].strip(), i + 1
        while j < len(lines) and not lines[j].strip():
            j += 1
        if j >= len(lines) or not _HEADER.match(lines[j]):
            return lines
        i = j
    found: dict[str, str] = {}
    last: str | None = None
    end = i
    while i < len(lines):
        line = lines[i]
        m = _HEADER.match(line)
        if m:
            last = _HEADER_KEYS[m.group(1).lower()]
            found.setdefault(last, m.group(2).strip())
            end = i + 1
        elif line.strip() and last is not None and line[:1] in " \t" and end == i:
            found[last] = f"{found[last]} {line.strip()}".strip()  # folded header
            end = i + 1
        elif line.strip():
            break
        i += 1
    if len(found) < 2 or not ({"email_from", "email_subject"} & found.keys()):
        return lines
    if lead is not None and lead != found.get("email_subject"):
        return lines  # a line above the headers that is not their subject: keep it all as text
    metadata.update({k: v for k, v in found.items() if v})
    return lines[end:]


def _cells(line: str) -> list[str] | None:
    """Split a tab-table row, or return None when the line has no tab after text."""
    body = line.rstrip(" \n")
    stripped = body.lstrip(" \t")
    if "\t" not in stripped.rstrip("\t") and body.count("\t") < 2:
        return None
    if not stripped:
        return None
    return body.split("\t")


def _table_run(lines: list[str], start: int) -> int:
    """Return the end index of the tab table starting at ``start`` (== start: none)."""
    first = _cells(lines[start])
    if first is None:
        return start
    end = start + 1
    while end < len(lines):
        cells = _cells(lines[end])
        if cells is None or len(cells) != len(first):
            break
        end += 1
    if end - start >= 2 or len(first) >= 3:
        return end
    return start


def _is_lone_heading(line: str) -> bool:
    """True for an ALL-CAPS line or a short label ending with ":"."""
    text = line.strip()
    letters = [c for c in text if c.isalpha()]
    if len(letters) >= 2 and all(c.isupper() for c in letters) and len(text) <= 80:
        return True
    return text.endswith(":") and len(text.split()) <= 5 and len(text) <= 60


def parse_lines(lines: list[str]) -> list[Block]:
    """Turn decoded lines into blocks following the module's structure rules."""
    blocks: list[Block] = []
    para: list[str] = []
    item: tuple[int, list[str]] | None = None  # (marker indent, text lines)
    item_indents: list[int] = []  # indentation stack of the current list
    table_no = 0

    def flush() -> None:
        nonlocal para, item
        if item is not None:
            level = len(item_indents) - 1
            _add(blocks, BlockKind.LIST_ITEM, join_wrapped_lines(item[1]), level=level)
            item = None
        if para:
            _add(blocks, BlockKind.PARAGRAPH, join_wrapped_lines(para))
            para = []

    i = 0
    while i < len(lines):
        line = lines[i]
        if not line.strip():
            flush()
            i += 1
            continue
        end = _table_run(lines, i)
        if end > i:
            flush()
            item_indents.clear()
            for r, row_line in enumerate(lines[i:end]):
                for c, cell in enumerate(row_line.rstrip(" \n").split("\t")):
                    blocks.append(Block(BlockKind.TABLE_CELL, clean_text(cell),
                                        table=table_no, row=r, col=c))  # fmt: skip
            table_no += 1
            i = end
            continue
        heading = _heading_of(lines, i, starts_para=not para and item is None)
        marker = parse_marker(line) if heading is None else None
        if heading is not None:
            flush()
            item_indents.clear()
            _add(blocks, BlockKind.HEADING, heading[1], level=heading[0])
        elif marker is not None:
            flush()
            while item_indents and item_indents[-1] > marker.indent:
                item_indents.pop()
            if not item_indents or item_indents[-1] < marker.indent:
                item_indents.append(marker.indent)
            item = (marker.indent, [marker.text])
        elif item is not None and indent_width(line) > item[0]:
            item[1].append(line)
        else:
            if item is not None:
                flush()
            if not para:
                item_indents.clear()
            para.append(line)
        i += 1
    flush()
    assign_parents(blocks)
    return blocks


def _heading_of(lines: list[str], i: int, starts_para: bool) -> tuple[int, str] | None:
    """Return ``(level, text)`` when line ``i`` is a heading, else None."""
    line = lines[i].strip()
    m = _MD_HEADING.match(line)
    if m:
        return len(m.group(1)), m.group(2)
    m = _BOLD_LINE.match(line)
    if m and "**" not in m.group(1):
        return 2, m.group(1).strip()
    next_blank = i + 1 >= len(lines) or not lines[i + 1].strip()
    if starts_para and next_blank and parse_marker(lines[i]) is None and _is_lone_heading(line):
        return 2, line
    return None


def _add(blocks: list[Block], kind: BlockKind, text: str, level: int = 0) -> None:
    """Append a block with cleaned text, skipping empty text."""
    cleaned = clean_text(text)
    if cleaned:
        blocks.append(Block(kind, cleaned, level=level))
