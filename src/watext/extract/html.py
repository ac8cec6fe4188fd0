"""HTML adapter (BeautifulSoup with the lxml parser).

Decoding: byte-order mark, else the ``<meta charset>`` / ``http-equiv`` declaration in the
first 4 KB, else strict UTF-8, else the plain-text decoder's guess
(:func:`watext.extract.text.decode_bytes`).

Dropped before reading, in one linear pass (lxml): comments, ``script style noscript
template nav footer header form iframe svg button select`` and elements with ``hidden``
or ``aria-hidden="true"`` (site chrome and non-content). Markup nested deeper than
``MAX_DEPTH`` is refused with code ``too_deep``. The markup is only ever read as data: no URL is fetched and
no block text contains markup.

Blocks: ``h1``-``h6`` -> HEADING level n; ``li`` of ``ul``/``ol`` -> LIST_ITEM (level =
list nesting depth, ``parent`` set; nested lists are not part of the item text);
``table`` rows -> TABLE_CELL (every cell, ``colspan``/``rowspan`` cells once at their
top-left); every other run of text between block boundaries (``p``, ``div``,
``blockquote``, ``pre`` ...) -> PARAGRAPH. Whitespace and ``br`` collapse to single spaces.

Document.title: the first ``h1``, else ``<title>`` (page titles often carry a site
suffix). Metadata: ``<meta name>`` author/description/date/keywords, ``declared_language``
from ``<html lang>``, ``encoding``.
"""

from __future__ import annotations

import codecs
import re
from pathlib import Path

from typing import Any

from bs4 import BeautifulSoup, NavigableString, Tag
from lxml import etree
from lxml import html as lhtml

from watext.errors import EmptyFileError, TooDeepError
from watext.extract.lists import assign_parents
from watext.extract.normalize import clean_text
from watext.extract.text import decode_bytes
from watext.model import Block, BlockKind, Document, Format
from watext.settings import Settings

__all__ = ["decode_html", "extract"]

_DROP = ("script", "style", "noscript", "template", "nav", "footer", "header", "form",
         "iframe", "svg", "button", "select", "head")  # fmt: skip
_HEADINGS = {f"h{n}": n for n in range(1, 7)}
#: Deepest element nesting read (libxml2's own limit is 256; real pages stay far below).
MAX_DEPTH = 200
_BLOCK_TAGS = frozenset(
    "p div section article main aside blockquote pre address figure figcaption dl dt dd "
    "ul ol li table tr td th thead tbody tfoot caption hr center details summary body "
    "h1 h2 h3 h4 h5 h6".split()
)
_META_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([A-Za-z0-9_.:-]+)""", re.I)
_META_NAMES = {"author": "author", "description": "description", "date": "date",
               "dcterms.date": "date", "dc.date": "date", "keywords": "keywords"}  # fmt: skip


def decode_html(data: bytes) -> tuple[str, str]:
    """Decode HTML bytes honouring a BOM or ``<meta charset>``; return (text, encoding)."""
    if not data.startswith((codecs.BOM_UTF8, codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        m = _META_CHARSET.search(data[:4096])
        if m:
            name = m.group(1).decode("ascii").lower()
            try:
                codec = codecs.lookup(name).name
                if codec in ("latin-1", "iso8859-1", "ascii"):
                    codec = "cp1252"  # what browsers do, per the WHATWG encoding spec
                return data.decode(codec, errors="replace"), codec
            except LookupError:
                pass
    return decode_bytes(data)


def extract(path: Path, settings: Settings) -> Document:
    """Read an HTML file into a Document (``id=""``; the caller sets it)."""
    data = path.read_bytes()
    if not data.strip():
        raise EmptyFileError("the HTML file is empty")
    text, encoding = decode_html(data)
    cleaned, metadata, page_title = _clean(text)
    metadata["encoding"] = encoding
    soup = BeautifulSoup(cleaned, "lxml")
    for br in soup.find_all("br"):
        br.replace_with("\n")
    reader = _Reader()
    reader.read(soup.body or soup)
    reader.flush()
    blocks = reader.blocks
    assign_parents(blocks)
    if not blocks:
        raise EmptyFileError("the HTML file contains no text")
    h1 = next((b.text for b in blocks if b.kind is BlockKind.HEADING and b.level == 1), None)
    return Document(
        id="", source=str(path), format=Format.HTML, blocks=blocks,
        title=h1 or clean_text(page_title) or None, pages=None, size=len(data),
        metadata=metadata,
    )  # fmt: skip


def _clean(text: str) -> tuple[str, dict[str, str], str]:
    """``(cleaned markup, metadata, <title>)``: comments, processing instructions, the
    ``_DROP`` elements and hidden elements removed in one linear pass (libxml2 via lxml;
    BeautifulSoup's per-node ``decompose`` is quadratic in the number of siblings).

    Raises :class:`TooDeepError` when the markup nests deeper than :data:`MAX_DEPTH`
    (libxml2 stops reading there; the file would be cut silently)."""
    parser = lhtml.HTMLParser(remove_comments=True, remove_pis=True)
    try:
        root = lhtml.document_fromstring(text, parser=parser)
    except (etree.ParserError, ValueError) as exc:
        raise EmptyFileError(f"the HTML file contains no markup to read ({exc})") from exc
    if any("depth" in str(e.message).lower() for e in parser.error_log):
        raise TooDeepError(f"the markup nests more than {MAX_DEPTH} elements deep; not read")
    depth = deepest = 0
    for event, _el in etree.iterwalk(root, events=("start", "end")):
        depth += 1 if event == "start" else -1
        deepest = max(deepest, depth)
    if deepest > MAX_DEPTH:
        raise TooDeepError(f"the markup nests {deepest} elements deep; the limit is {MAX_DEPTH}")
    metadata = _read_metadata(root)
    title_el = root.find(".//title")
    page_title = " ".join(title_el.text_content().split()) if title_el is not None else ""
    etree.strip_elements(root, *_DROP, with_tail=False)
    for el in root.xpath("//*[@hidden or @aria-hidden='true']"):
        el.drop_tree()  # keeps the text that follows it
    return lhtml.tostring(root, encoding="unicode"), metadata, page_title


def _read_metadata(root: Any) -> dict[str, str]:
    """``<meta name=...>`` values and the declared language."""
    out: dict[str, str] = {}
    for meta in root.iter("meta"):
        key = _META_NAMES.get(str(meta.get("name", "")).lower())
        content = clean_text(str(meta.get("content", "")))
        if key and content and key not in out:
            out[key] = content
    html = root if root.tag == "html" else root.find(".//html")
    lang = (html.get("lang") or html.get("xml:lang")) if html is not None else None
    if lang:
        out["declared_language"] = str(lang).strip()
    return out


def _inline_text(parts: list[str]) -> str:
    """Collapse inline text fragments (``br`` included) into one clean line."""
    return clean_text(" ".join("".join(parts).split()))


class _Reader:
    """Walks the cleaned tree and collects blocks."""

    def __init__(self) -> None:
        self.blocks: list[Block] = []
        self.inline: list[str] = []
        self.table_no = 0

    def flush(self) -> None:
        """Emit pending inline text as a PARAGRAPH."""
        text = _inline_text(self.inline)
        self.inline = []
        if text:
            self.blocks.append(Block(BlockKind.PARAGRAPH, text))

    def read(self, node: Tag, depth: int = 0) -> None:
        """Visit the children of ``node`` in document order; ``depth`` is the list nesting
        depth. Iterative (an explicit stack), so deep markup cannot exhaust Python's stack."""
        stack: list[tuple[str, Any, int]] = [("children", node, depth)]
        while stack:
            op, item, d = stack.pop()
            if op == "flush":
                self.flush()
            elif op == "children":
                stack.extend(("visit", child, d) for child in reversed(list(item.children)))
            elif op == "item":
                stack.extend(self._item(item, d))
            elif isinstance(item, NavigableString):
                self.inline.append(str(item))
            elif isinstance(item, Tag):
                stack.extend(self._visit(item, d))

    def _visit(self, tag: Tag, depth: int) -> list[tuple[str, Any, int]]:
        """Handle one element now; return the work it leaves, last item first."""
        name = tag.name
        if name == "br":
            self.inline.append("\n")
        elif name not in _BLOCK_TAGS:
            return [("children", tag, depth)]
        elif name in _HEADINGS:
            self.flush()
            self.add(BlockKind.HEADING, tag.get_text(), level=_HEADINGS[name])
        elif name in ("ul", "ol"):
            self.flush()
            items = tag.find_all("li", recursive=False)
            others = tag.find_all(lambda t: t.name != "li", recursive=False)
            return ([("flush", None, depth)] + [("visit", o, depth) for o in reversed(others)]
                    + [("item", li, depth) for li in reversed(items)])  # fmt: skip
        elif name == "li":
            return [("item", tag, depth)]
        elif name == "table":
            self.flush()
            self.read_table(tag)
        else:
            self.flush()
            return [("flush", None, depth), ("children", tag, depth)]
        return []

    def _item(self, li: Tag, depth: int) -> list[tuple[str, Any, int]]:
        """Emit a list item (without its nested lists); return its nested lists' items."""
        self.flush()
        parts: list[str] = []
        nested: list[Tag] = []
        for node in li.children:
            if isinstance(node, Tag) and node.name in ("ul", "ol"):
                nested.append(node)
            elif isinstance(node, Tag):
                parts.append(node.get_text())
            elif isinstance(node, NavigableString):
                parts.append(str(node))
        self.add(BlockKind.LIST_ITEM, "".join(parts), level=depth)
        children = [child for sub in nested for child in sub.find_all("li", recursive=False)]
        return [("item", child, depth + 1) for child in reversed(children)]

    def read_table(self, table: Tag) -> None:
        """Emit the table's cells with row/col positions honouring spans."""
        rows = [tr for tr in table.find_all("tr") if tr.find_parent("table") is table]
        taken: set[tuple[int, int]] = set()
        for r, tr in enumerate(rows):
            c = 0
            for cell in tr.find_all(("td", "th"), recursive=False):
                while (r, c) in taken:
                    c += 1
                rowspan, colspan = _span(cell, "rowspan"), _span(cell, "colspan")
                taken.update((r + dr, c + dc) for dr in range(rowspan) for dc in range(colspan))
                text = _inline_text([cell.get_text(" ")])
                self.blocks.append(
                    Block(BlockKind.TABLE_CELL, text, table=self.table_no, row=r, col=c)
                )
                c += colspan
        self.table_no += 1

    def add(self, kind: BlockKind, text: str, level: int = 0) -> None:
        """Append a block unless its cleaned text is empty."""
        cleaned = _inline_text([text])
        if cleaned:
            self.blocks.append(Block(kind, cleaned, level=level))


def _span(cell: Tag, attr: str) -> int:
    """A cell's rowspan/colspan as a sane positive integer."""
    try:
        return min(max(int(str(cell.get(attr, "1")).strip()), 1), 1000)
    except ValueError:
        return 1
