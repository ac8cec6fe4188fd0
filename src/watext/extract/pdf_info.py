"""PDF document info, limits and error classification for :mod:`watext.extract.pdf`.

- :func:`info`: the info dictionary as plain strings, dates as ISO 8601;
- :func:`page_count`: pages counted in the page tree with a cap (``/Count`` may lie);
- :func:`pages_written`: the page dictionaries written out in the bytes (when ``/Count`` may be trusted);
- :func:`caused_by_memory`, :func:`is_encryption_error`, :func:`short`: what a library
  exception means, for the adapter's typed errors.
"""

from __future__ import annotations

import mmap
import re
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

from watext.extract.normalize import clean_text
from watext.extract.pdf_objstm import PACKED, objstm_pages
from watext.extract.pdf_objstm import name as _name

__all__ = ["caused_by_memory", "info", "is_encryption_error", "meaningful_title", "page_count", "pages_written",
           "parse_pdf_date", "short"]  # fmt: skip

_MEANINGLESS_TITLE = re.compile(
    r"^(untitled|unbenannt|folie \d+|slide \d+|powerpoint-präsentation|microsoft \w+ - .*|.*\.(docx?|pptx?|odt|pdf|rtf))$",
    re.IGNORECASE,
)


def caused_by_memory(exc: BaseException) -> bool:
    """True when ``exc`` is, or wraps, a MemoryError (pdfplumber wraps pdfminer's errors)."""
    seen: set[int] = set()
    e: BaseException | None = exc
    while e is not None and id(e) not in seen:
        if isinstance(e, MemoryError) or "MemoryError" in str(e):
            return True
        seen.add(id(e))
        e = e.__cause__ or e.__context__
    return False


def page_count(pdf: Any, cap: int) -> int:
    """Pages found by walking the page tree (the catalog's ``/Count`` may lie), at most
    ``cap + 1`` (a larger count than that is not needed to refuse the file)."""
    from pdfminer.pdfpage import PDFPage
    from pdfminer.pdftypes import resolve1

    try:  # a declared count over the cap is refused without walking
        declared = int(resolve1(resolve1(pdf.doc.catalog["Pages"])["Count"]))
        if declared > cap:
            return declared
    except Exception:  # noqa: BLE001 - a broken /Count: walk the tree instead
        pass
    n = 0
    for _ in PDFPage.create_pages(pdf.doc):
        n += 1
        if n > cap:
            break
    return n


#: Encrypted files: page dictionaries may be encrypted strings in the bytes.
_ENCRYPT = re.compile(_name("Encrypt"))
#: A page dictionary's ``/Type /Page`` (or ``/type``, which pdfminer also takes), whitespace,
#: control characters or comments between (possessive: linear on any bytes); never ``/Pages``.
_PAGE_TYPE = re.compile(b"(?:%s|%s)(?:[\x00-\x20]|%%[^\r\n]*+)*+%s(?![A-Za-z0-9])"
                        % (_name("Type"), _name("type"), _name("Page")))  # fmt: skip


def pages_written(path: str | Path) -> int | None:
    """How many ``/Type /Page`` dictionaries are written out in the file's bytes and in its
    object streams (:func:`~watext.extract.pdf_objstm.objstm_pages`), or None when page
    dictionaries may be hidden from that (encryption, object streams it cannot read).

    Every page a reader can find in the page tree is such a dictionary, so this bounds the
    page tree from above; :mod:`watext.extract.pdf` trusts PDFium's page count (the catalog's
    ``/Count``) when it is the same number, and else counts the tree with pdfminer. A mere
    search over the bytes (memory-mapped; object streams inflated): cheap for any file."""
    try:
        with open(path, "rb") as fh, mmap.mmap(fh.fileno(), 0, access=mmap.ACCESS_READ) as data:
            if _ENCRYPT.search(data):
                return None
            plain = sum(1 for _ in _PAGE_TYPE.finditer(data))
            if not PACKED.search(data):
                return plain
            packed = objstm_pages(data, _PAGE_TYPE)
            return None if packed is None else plain + packed
    except (OSError, ValueError):  # unreadable, or empty (mmap refuses it)
        return None


_INFO_KEYS = {
    "Title": "title",
    "Author": "author",
    "Subject": "subject",
    "Keywords": "keywords",
    "Creator": "creator",
    "Producer": "producer",
    "CreationDate": "creation_date",
    "ModDate": "mod_date",
}


def info(raw: dict[str, Any]) -> dict[str, Any]:
    """The PDF info dictionary as plain strings, dates as ISO 8601 where parseable."""
    out: dict[str, Any] = {}
    for key, name in _INFO_KEYS.items():
        value = raw.get(key)
        if isinstance(value, bytes):
            value = value.decode("utf-8", "replace")
        if value is None or not isinstance(value, str | int | float):
            continue
        value = clean_text(str(value))
        if not value:
            continue
        if name.endswith("_date"):
            value = parse_pdf_date(value) or value
        out[name] = value
    return out


_PDF_DATE = re.compile(r"^D?:?(\d{4})(\d{2})?(\d{2})?(\d{2})?(\d{2})?(\d{2})?\s*(Z|[+-]\d{2}'?\d{0,2}'?)?")


def parse_pdf_date(value: str) -> str | None:
    """Convert a PDF date (``D:20261121052346Z'`` / ``+01'00'``) to ISO 8601, or None."""
    m = _PDF_DATE.match(value.strip())
    if not m:
        return None
    year, month, day, hour, minute, second = (int(g) if g else d for g, d in zip(m.groups()[:6], (0, 1, 1, 0, 0, 0), strict=True))
    tz_text = (m.group(7) or "").replace("'", "")
    tz = None
    if tz_text == "Z":
        tz = timezone.utc
    elif tz_text:
        sign = -1 if tz_text[0] == "-" else 1
        hours, minutes = int(tz_text[1:3]), int(tz_text[3:5] or 0)
        tz = timezone(sign * timedelta(hours=hours, minutes=minutes))
    try:
        return datetime(year, month, day, hour, minute, second, tzinfo=tz).isoformat()
    except ValueError:
        return None


def meaningful_title(title: str | None) -> bool:
    return bool(title) and len(title.strip()) >= 3 and not _MEANINGLESS_TITLE.match(title.strip())


def is_encryption_error(exc: BaseException) -> bool:
    seen: set[int] = set()
    stack: list[Any] = [exc]
    while stack:
        cur = stack.pop()
        if not isinstance(cur, BaseException) or id(cur) in seen:
            continue
        seen.add(id(cur))
        name = type(cur).__name__
        if "Password" in name or "Encrypt" in name or "password" in str(cur).lower():  # PDFium: a message
            return True
        stack.extend([cur.__cause__, cur.__context__, *cur.args])
    return False


def short(exc: BaseException) -> str:
    inner = exc.args[0] if exc.args and isinstance(exc.args[0], BaseException) else exc
    message = str(inner) or type(inner).__name__
    return f"{type(inner).__name__}: {message}"[:160]
