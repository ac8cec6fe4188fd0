"""Page dictionaries inside object streams, for :func:`watext.extract.pdf_info.pages_written`.

A page dictionary a reader can find is written either in the file's bytes or inside an
object stream, a compressed stream of objects. The streams a reader takes objects from
are those its cross-reference streams point into (entries of type 2) and, when it rebuilds
a broken cross-reference, those marked ``/Type /ObjStm``. :func:`objstm_pages` inflates
exactly those (every cross-reference stream written in the file is read, not only the
one in use: more streams can only count more pages) and counts the page dictionaries in
them. Anything it cannot read for certain gives None (the caller then walks the page
tree with pdfminer, as before): a stream that is not ``FlateDecode``, a predictor other
than PNG None/Sub/Up, a container it cannot find, more than :data:`MAX_INFLATED` bytes.
"""

from __future__ import annotations

import bisect
import re
import zlib
from typing import Any

__all__ = ["MAX_INFLATED", "PACKED", "name", "objstm_pages"]

#: Most bytes inflated per file (a zip bomb in an object stream costs at most this).
MAX_INFLATED = 64 * 1_048_576

_WS = rb"[\x00\x09\x0a\x0c\x0d\x20]"
_DELIM = b"()<>[]{}/%"
_SPACE = re.compile(_WS + rb"*")
_STREAM = re.compile(_WS + rb"*stream(?:\r\n|\n|\r)")
_ARRAY_OPEN = re.compile(_WS + rb"*(\[" + _WS + rb"*)?")
_ARRAY_CLOSE = re.compile(_WS + rb"*\]")
_VALUE = re.compile(_WS + rb"*(\[[^\]]*\]|[0-9]+)")


class _Unknown(Exception):
    """Something the byte reader does not handle: the page count is not known this way."""


def _dict_end(data: Any, i: int) -> int:
    """The index after the ``>>`` closing the dictionary that starts at ``data[i:i+2] == b"<<"``."""
    depth, n = 0, len(data)
    while i < n:
        c = data[i : i + 1]
        if data[i : i + 2] == b"<<":
            depth, i = depth + 1, i + 2
        elif data[i : i + 2] == b">>":
            depth, i = depth - 1, i + 2
            if depth == 0:
                return i
        elif c == b"(":  # a literal string: balanced parentheses, backslash escapes
            level, i = 1, i + 1
            while i < n and level:
                ch = data[i : i + 1]
                i += 2 if ch == b"\\" else 1
                level += (ch == b"(") - (ch == b")")
        elif c == b"%":  # a comment, to the end of the line
            while i < n and data[i : i + 1] not in b"\r\n":
                i += 1
        else:
            i += 1
    raise _Unknown("unterminated dictionary")


def _stream(data: Any, start: int) -> tuple[int, bytes, int] | None:
    """``(where the dictionary starts, the dictionary, first data byte)`` of the stream object
    whose header ends at ``start``; None when the object is no stream."""
    i = _SPACE.match(data, start).end()
    if data[i : i + 2] != b"<<":
        return None
    end = _dict_end(data, i)
    m = _STREAM.match(data, end)
    if not m:
        return None
    return i, bytes(data[i:end]), m.end()


def name(word: str) -> bytes:
    """A regex for the PDF name ``/word``, each character plain or as a ``#xx`` escape."""
    out = b"/"
    for ch in word.encode():
        digits = [bytes([d]) for d in b"%02x" % ch]
        hex_ = b"".join(b"[%s%s]" % (d.upper(), d) if d.isalpha() else d for d in digits)
        out += b"(?:%s|#%s)" % (re.escape(bytes([ch])), hex_)
    return out


_AFTER = rb"(?![^\x00\x09\x0a\x0c\x0d\x20" + re.escape(_DELIM) + rb"])"  # the name ends here
#: The keys and values read here.
_N = {w: re.compile(name(w) + _AFTER) for w in ("Type", "ObjStm", "XRef", "Filter", "FlateDecode", "Predictor",
                                                  "Columns", "Colors", "BitsPerComponent", "W")}  # fmt: skip
#: Where object streams or cross-reference streams are named (each must be a stream read here).
PACKED = re.compile(b"(?:" + b"|".join(name(w) for w in ("ObjStm", "XRef")) + b")" + _AFTER)


def _ints_after(key: re.Pattern[bytes], d: bytes) -> list[int] | None:
    """The integers of the array (or the one integer) that follows ``key`` in ``d``."""
    m = key.search(d)
    if not m:
        return None
    v = _VALUE.match(d, m.end())
    if not v:
        raise _Unknown("unreadable value")
    return [int(x) for x in re.findall(rb"[0-9]+", v.group(1))]


def _inflate(data: Any, d: bytes, at: int, budget: list[int]) -> bytes:
    """The decoded bytes of the stream with dictionary ``d`` whose data starts at ``at``."""
    f = _N["Filter"].search(d)
    if f is None:
        raise _Unknown("not compressed")  # an uncompressed container's pages are counted in the bytes anyway
    m = _ARRAY_OPEN.match(d, f.end())
    flate = _N["FlateDecode"].match(d, m.end())
    if flate is None or (m.group(1) and not _ARRAY_CLOSE.match(d, flate.end())):
        raise _Unknown("not FlateDecode alone")
    z, parts, size = zlib.decompressobj(), [], 0
    try:
        while not z.eof and at < len(data):  # 64 KiB of input at a time, until the stream ends
            parts.append(z.decompress(data[at : at + 65_536], budget[0] - size + 1))
            size += len(parts[-1])
            if size > budget[0] or z.unconsumed_tail:
                raise _Unknown("inflates too far")
            at += 65_536
    except zlib.error as exc:
        raise _Unknown("not inflatable") from exc
    if not z.eof:
        raise _Unknown("truncated stream")
    budget[0] -= size
    out = b"".join(parts)
    predictor = _ints_after(_N["Predictor"], d)
    if predictor and predictor[0] > 1:
        if (_ints_after(_N["Colors"], d) or [1]) != [1] or (_ints_after(_N["BitsPerComponent"], d) or [8]) != [8]:
            raise _Unknown("predictor over other samples than one 8-bit colour")
        out = _unpredict(out, predictor[0], (_ints_after(_N["Columns"], d) or [1])[0])
    return out


def _unpredict(raw: bytes, predictor: int, columns: int) -> bytes:
    """PNG predictors None, Sub and Up on rows of ``columns`` bytes (one 8-bit colour)."""
    if predictor < 10 or columns < 1:
        raise _Unknown("predictor")
    width, out, prev = columns + 1, bytearray(), bytearray(columns)
    for r in range(0, len(raw) - len(raw) % width, width):
        kind, row = raw[r], bytearray(raw[r + 1 : r + width])
        if kind == 1:
            for k in range(1, columns):
                row[k] = (row[k] + row[k - 1]) & 0xFF
        elif kind == 2:
            row = bytearray((a + b) & 0xFF for a, b in zip(row, prev, strict=True))
        elif kind != 0:
            raise _Unknown("PNG predictor")
        out += row
        prev = row
    return bytes(out)


def _containers(xref: bytes, d: bytes) -> set[int]:
    """Object streams a cross-reference stream points into (its entries of type 2)."""
    w = _ints_after(_N["W"], d)
    if not w or len(w) != 3 or sum(w) == 0 or min(w) < 0:
        raise _Unknown("/W")
    size = sum(w)
    out = set()
    for r in range(0, len(xref) - len(xref) % size, size):
        row = xref[r : r + size]
        kind = int.from_bytes(row[: w[0]], "big") if w[0] else 1
        if kind == 2:
            out.add(int.from_bytes(row[w[0] : w[0] + w[1]], "big"))
    return out


_NUMBERS = re.compile(rb"(?<![0-9])([0-9]{1,10})" + _WS + rb"+([0-9]{1,5})" + _WS + rb"+\Z")


def _headers(data: Any) -> list[tuple[int, int]]:
    """``(end, object number)`` of every ``N G obj`` header, in file order (a literal search
    for ``obj``, each checked for the numbers before it: fast on any bytes)."""
    out, find, i = [], data.find, 0
    while (k := find(b"obj", i)) >= 0:
        i = k + 3
        if data[i : i + 1].isalnum():
            continue
        m = _NUMBERS.search(data[max(0, k - 24) : k])
        if m:
            out.append((i, int(m.group(1))))
    return out


def objstm_pages(data: Any, page_type: re.Pattern[bytes]) -> int | None:
    """How many ``page_type`` matches (page dictionaries) the object streams of the PDF in
    ``data`` hold, or None when that cannot be known from the bytes (see the module doc):
    also when a name ``/ObjStm`` or ``/XRef`` occurs anywhere but as the ``/Type`` in the
    dictionary of a stream read here (a stream hidden from this reader could hold pages)."""
    try:
        headers = _headers(data)
        ends = [e for e, _ in headers]
        budget = [MAX_INFLATED]
        containers: set[int] = set()
        parsed: dict[int, Any] = {}  # header end -> its stream (each parsed once)
        for m in PACKED.finditer(data):
            k = bisect.bisect_right(ends, m.start()) - 1
            if k < 0:
                raise _Unknown("an object or xref stream not read")
            end, num = headers[k]
            seen = end in parsed
            s = parsed[end] if seen else parsed.setdefault(end, _stream(data, end))
            if s is None or not s[0] <= m.start() < s[0] + len(s[1]):
                raise _Unknown("an object or xref stream not read")
            if seen:
                continue
            i, d, at = s
            t = _N["Type"].search(d)
            kind = _SPACE.match(d, t.end()).end() if t else -1
            if t and _N["ObjStm"].match(d, kind):
                containers.add(num)
            elif t and _N["XRef"].match(d, kind):
                containers |= _containers(_inflate(data, d, at, budget), d)
            else:
                raise _Unknown("/ObjStm or /XRef not as the stream's type")
        pages = 0
        for num in containers:
            streams = [s for end, n in headers if n == num and (s := _stream(data, end)) is not None]
            if not streams:
                raise _Unknown(f"object stream {num} not found")
            for _i, d, at in streams:
                pages += sum(1 for _ in page_type.finditer(_inflate(data, d, at, budget)))
        return pages
    except (_Unknown, ValueError, IndexError, MemoryError):
        return None
