"""PDF adapter: one PDF file -> :class:`watext.model.Document`.

Per page, one word pass and one table pass feed everything: tables become ``TABLE_CELL``
blocks (their words are excluded from the running text), the remaining words go through
:mod:`watext.extract.pdf_layout` (lines -> paragraphs and list items). The words come
from PDFium (:mod:`watext.extract.pdf_pdfium`, ``Settings.pdf_engine="pdfium"``, the
default) or from pdfplumber's ``extract_words`` (``"pdfplumber"``, the reference). Tables
always come from pdfplumber's table finder: on pdfplumber's page, or (PDFium) on the
ruling edges and characters PDFium read, only on pages with ruling lines. The page tree's
``/Count`` may lie: PDFium's count (which is ``/Count``) is trusted only when it equals the
number of page dictionaries written in the file or its object streams (:func:`pdf_info.pages_written`), else
the tree is counted with pdfminer; a file PDFium cannot open or counts differently is read
with pdfplumber. Across the document this module then drops
running headers/footers and page numbers, classifies blocks (title, heading, paragraph,
list item), joins a paragraph that continues across a page break, and translates library
errors into :mod:`watext.errors` types.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pdfplumber

from watext.errors import CorruptFileError, EncryptedError, InputError, NeedsOCRError, TooLargeError
from watext.extract.normalize import ends_sentence, join_lines, repair_cell
from watext.extract import pdf_info, pdf_objects, pdf_pdfium
from watext.extract.pdf_info import parse_pdf_date
from watext.extract.pdf_layout import Line, RawBlock, assign_levels, build_blocks, group_lines
from watext.model import Block, BlockKind, Document, Format
from watext.settings import Settings

__all__ = ["extract", "extract_pages", "parse_pdf_date"]

_MIN_TEXT_CHARS = 20  # fewer letters than this in the whole file: no text layer
_MIN_PAGE_CHARS = 50  # a page with fewer non-space chars and a large image is a scan
_BAND = 0.1  # top/bottom fraction of the page where running headers/footers live
_PAGE_NUMBER = re.compile(
    r"^(?:seite|page|s\.)?\s*[-–]?\s*\d{1,4}\s*[-–]?(?:\s*(?:von|of|/)\s*\d{1,4})?$", re.IGNORECASE
)
_SEITE = re.compile(r"^(?:seite|page)\s+\d{1,4}(?:\s*(?:von|of|/)\s*\d{1,4})?$", re.IGNORECASE)
_SLIDE_PRODUCERS = re.compile(r"impress|powerpoint|keynote", re.IGNORECASE)


@dataclass(slots=True)
class _Table:
    bbox: tuple[float, float, float, float]
    cells: list[tuple[int, int, str, tuple[float, float, float, float] | None]]
    shape: tuple[int, int]


@dataclass(slots=True)
class _Page:
    number: int
    width: float
    height: float
    lines: list[Line]
    tables: list[_Table]
    nonspace_chars: int
    letters: int
    image_cover: float
    blocks: list[tuple[float, RawBlock | _Table]] = field(default_factory=list)


def extract(path: Path, settings: Settings) -> Document:
    """Extract a PDF into a :class:`Document` (``id`` is left empty for the caller)."""
    return extract_pages(path, settings)


def extract_pages(path: Path, settings: Settings, pages: Sequence[int] | None = None) -> Document:
    """Like :func:`extract`, but only for the given 1-based ``pages`` (all when None)."""
    path = Path(path)
    try:
        done = _read_trusted(path, settings, pages) if settings.pdf_engine == "pdfium" else None
        if done is not None:
            info, read, page_count = done
        else:
            with pdfplumber.open(path, pages=list(pages) if pages else None) as pdf:
                page_count = pdf_info.page_count(pdf, settings.max_pages)
                _check_pages(page_count, settings)
                fast = _open_fast(path, page_count) if settings.pdf_engine == "pdfium" else None
                if fast is None:
                    info = pdf_info.info(pdf.metadata or {})
                    read = [_read_page(page) for page in pdf.pages]
                else:
                    with fast:
                        info = pdf_info.info(fast.get_metadata_dict(skip_empty=True))
                        read = _read_fast(fast, pages, page_count)
    except InputError:
        raise
    except Exception as exc:  # pdfminer and PDFium raise a zoo of types for broken files
        if pdf_info.caused_by_memory(exc):  # a stream that inflates beyond the worker's memory limit
            raise TooLargeError(f"reading it needs more memory than allowed ({settings.file_max_mb:.0f} MB, "
                                "WATEXT_FILE_MAX_MB): a compressed stream inflates too far") from exc
        if pdf_info.is_encryption_error(exc):
            raise EncryptedError(f"password-protected PDF: {pdf_info.short(exc)}") from exc
        raise CorruptFileError(f"damaged or truncated PDF: {pdf_info.short(exc)}") from exc

    if sum(p.letters for p in read) < _MIN_TEXT_CHARS:
        raise NeedsOCRError("no text layer (scanned or image-only PDF); OCR needed")
    without_text = [
        p.number for p in read if p.nonspace_chars < _MIN_PAGE_CHARS and (p.image_cover > 0.5 or p.nonspace_chars == 0)
    ]
    slides = _is_slide_deck(read, info)
    _drop_running_lines(read, slides)
    body = _body_size(read)
    for page in read:
        _layout_page(page, slides, body)
    blocks = _assemble(read, slides)
    title = info.get("title") if pdf_info.meaningful_title(info.get("title")) else None
    if title is None:
        title = next((b.text for b in blocks if b.kind is BlockKind.TITLE), None)
    metadata: dict[str, Any] = {**info, "page_count": page_count, "pages_without_text": without_text}
    metadata["slides"] = slides
    return Document(
        id="",
        source=str(path),
        format=Format.PDF,
        blocks=blocks,
        title=title,
        pages=page_count,
        size=path.stat().st_size,
        metadata=metadata,
    )


# -- reading -----------------------------------------------------------------------------


def _read_page(page: Any) -> _Page:
    """Run the two pdfplumber passes on one page and keep what the layout needs."""
    words = page.extract_words(extra_attrs=["size", "fontname"], use_text_flow=False, keep_blank_chars=False)
    area = sum(max(0.0, (i["x1"] - i["x0"]) * (i["bottom"] - i["top"])) for i in page.images)
    result = _make_page(page.page_number, float(page.width), float(page.height), words, _tables(page), area)
    page.close()
    return result


def _check_pages(page_count: int, settings: Settings) -> None:
    if page_count > settings.max_pages:
        raise TooLargeError(f"PDF has more than {settings.max_pages} pages, the limit "
                            "(WATEXT_MAX_PAGES; pages counted in the page tree)")  # fmt: skip


def _read_trusted(path: Path, settings: Settings, pages: Sequence[int] | None) -> Any:
    """(info, pages read, page count) with PDFium alone, when its page count (the catalog's
    ``/Count``) is exactly the number of page dictionaries written in the file and its object
    streams (:func:`pdf_info.pages_written`), so no page tree can hold more; None
    (count the tree with pdfminer, as for any other file) when not, or when PDFium cannot
    open the file or load one of its pages."""
    try:
        fast = pdf_pdfium.open_document(str(path))
    except pdf_pdfium.PdfiumError:
        return None
    with fast:
        page_count = len(fast)
        if page_count < 1 or pdf_info.pages_written(path) != page_count:
            return None
        _check_pages(page_count, settings)
        try:
            info = pdf_info.info(fast.get_metadata_dict(skip_empty=True))
            return info, _read_fast(fast, pages, page_count), page_count
        except pdf_pdfium.PdfiumError:  # a page it cannot load: read as before
            return None


def _open_fast(path: Path, page_count: int) -> Any:
    """The PDFium document, or None when PDFium counts other pages than the page tree holds."""
    try:
        fast = pdf_pdfium.open_document(str(path))
    except pdf_pdfium.PdfiumError:  # pdfminer opened it: let the reference reader try
        return None
    if len(fast) != page_count:
        fast.close()
        return None
    return fast


def _read_fast(fast: Any, pages: Sequence[int] | None, page_count: int) -> list[_Page]:
    """Read pages with PDFium; pdfplumber's table finder on the PDFium edges and characters."""
    numbers = sorted({n for n in pages if 1 <= n <= page_count}) if pages else range(1, page_count + 1)
    read = []
    for page in pdf_pdfium.read_pages(fast, numbers):
        tables = _tables(page.tables) if page.tables is not None else []
        read.append(_make_page(page.number, page.width, page.height, page.words, tables, page.image_area))
    return read


def _tables(page: Any) -> list[_Table]:
    """pdfplumber's tables of a page with at least two columns and two filled cells."""
    tables: list[_Table] = []
    fast = isinstance(page, pdf_objects.TablePage)
    for found, rows in ((t, t.rows) for t in page.find_tables()):  # (pdfplumber makes rows when asked)
        data = page.cells(found, rows) if fast else found.extract()
        ncols = max((len(r) for r in data), default=0)
        filled = sum(1 for r in data for c in r if c and c.strip())
        if ncols < 2 or filled < 2:
            continue  # a frame around text, not a table
        cells = []
        for r, (row, row_obj) in enumerate(zip(data, rows, strict=False)):
            for c, text in enumerate(row):
                bbox = row_obj.cells[c] if c < len(row_obj.cells) else None
                cells.append((r, c, repair_cell(text or ""), _round_box(bbox) if bbox else None))
        tables.append(_Table(_round_box(found.bbox), cells, (len(data), ncols)))
    return tables


def _make_page(number: int, width: float, height: float, words: list[dict[str, Any]], tables: list[_Table],
               image_area: float) -> _Page:  # fmt: skip
    """What the layout needs of one page, from its words, tables and image area (either engine)."""
    flow = _outside(words, [t.bbox for t in tables]) if tables else list(words)
    texts = [w["text"] for w in words]
    return _Page(
        number=number,
        width=width,
        height=height,
        lines=group_lines(flow),
        tables=tables,
        nonspace_chars=sum(map(len, texts)),
        letters=sum([len(t) if t.isalpha() else sum(map(str.isalpha, t)) for t in texts]),  # (most: a word)
        image_cover=min(image_area / (width * height or 1.0), 1.0),
    )


def _outside(words: list[dict[str, Any]], bboxes: list[tuple[float, float, float, float]]) -> list[dict[str, Any]]:
    """The words whose centre lies in none of the boxes grown by 1 pt (the text around tables)."""
    grown = [(x0 - 1, top - 1, x1 + 1, bottom + 1) for x0, top, x1, bottom in bboxes]
    flow = []
    for w in words:
        cx, cy = (w["x0"] + w["x1"]) / 2, (w["top"] + w["bottom"]) / 2
        if not any(x0 <= cx <= x1 and top <= cy <= bottom for x0, top, x1, bottom in grown):
            flow.append(w)
    return flow


def _round_box(bbox: Sequence[float]) -> tuple[float, float, float, float]:
    x0, top, x1, bottom = (round(float(v), 2) for v in bbox)
    return (x0, top, x1, bottom)


# -- document-level analysis -------------------------------------------------------------


def _is_slide_deck(pages: list[_Page], info: dict[str, Any]) -> bool:
    """Landscape pages with large type (or a presentation program as creator)."""
    landscape = sum(p.width > p.height for p in pages)
    if not pages or landscape * 2 <= len(pages):
        return False
    made_by = f"{info.get('creator', '')} {info.get('producer', '')}"
    return bool(_SLIDE_PRODUCERS.search(made_by)) or _body_size(pages) >= 14


def _body_size(pages: list[_Page]) -> float:
    """The font size that sets most characters of the running text."""
    sizes: Counter[float] = Counter()
    for page in pages:
        for line in page.lines:
            sizes[round(line.size * 2) / 2] += len(line.text)
    return sizes.most_common(1)[0][0] if sizes else 10.0


def _running_key(text: str) -> str:
    return re.sub(r"\d+", "#", re.sub(r"\s+", "", text.lower()))


def _drop_running_lines(pages: list[_Page], slides: bool) -> None:
    """Remove repeated headers/footers in the page margins, and page numbers."""

    band = 1.5 * _BAND if slides else _BAND  # slide footers sit a little higher

    def in_band(page: _Page, line: Line) -> bool:
        return line.top < band * page.height or line.bottom > (1 - band) * page.height

    def is_title(page: _Page, line: Line) -> bool:
        return slides and line.size >= max(ln.size for ln in page.lines) - 0.5

    seen: Counter[str] = Counter()
    for page in pages:
        seen.update({_running_key(ln.text) for ln in page.lines if in_band(page, ln) and not is_title(page, ln)})
    limit = max(2, math.ceil(0.5 * len(pages)))
    for page in pages:
        page.lines = [
            ln
            for ln in page.lines
            if not _SEITE.match(ln.text)
            and not (
                in_band(page, ln)
                and not is_title(page, ln)
                and (_PAGE_NUMBER.match(ln.text) or seen[_running_key(ln.text)] >= limit)
            )
        ]


def _layout_page(page: _Page, slides: bool, body: float) -> None:
    """Build and classify the page's blocks and merge them with its tables."""
    title_size = None
    if slides and page.lines:
        sizes = {round(ln.size) for ln in page.lines}
        if len(sizes) > 1 or len(page.lines) <= 3:
            title_size = max(ln.size for ln in page.lines)
    raw = build_blocks(page.lines, title_size)
    for block in raw:
        block.kind = _classify(block, page, slides, body, title_size)
        if block.kind != "list_item":
            block.marker = None
    if not slides and page.number == 1:
        _pick_document_title(raw, page, body)
    assign_levels(raw)
    items: list[tuple[float, RawBlock | _Table]] = [(b.first.top, b) for b in raw]
    items += [(t.bbox[1], t) for t in page.tables]
    page.blocks = sorted(items, key=lambda it: it[0])


def _classify(block: RawBlock, page: _Page, slides: bool, body: float, title_size: float | None) -> str:
    if title_size is not None and block.size >= title_size - 0.5 and block.first.top < 0.5 * page.height:
        return "title"
    if block.marker:
        return "list_item"
    text = block.text()
    short = len(block.lines) <= 3 and len(text) <= 200
    if short and block.size >= 1.15 * body and not slides:
        block.level = 1
        return "heading"
    if short and block.bold and not text.endswith("."):
        block.level = 2
        return "heading"
    if len(block.lines) == 1 and len(text) <= 40 and text.endswith(":"):
        block.level = 2
        return "heading"
    return "paragraph"


def _pick_document_title(blocks: list[RawBlock], page: _Page, body: float) -> None:
    """On page 1 of a non-slide document, the largest type near the top is the title."""
    candidates = [b for b in blocks if b.first.top < 0.5 * page.height and len(b.lines) <= 4]
    if not candidates:
        return
    biggest = max(candidates, key=lambda b: b.size)
    if biggest.size >= 1.2 * body:
        biggest.kind = "title"
        biggest.marker = None


def _assemble(pages: list[_Page], slides: bool) -> list[Block]:
    """Turn the pages' raw blocks and tables into model blocks, joining page breaks."""
    blocks: list[Block] = []
    index: dict[int, int] = {}
    table_no = 0
    for page in pages:
        for pos, (_, item) in enumerate(page.blocks):
            if isinstance(item, _Table):
                table_no = _emit_table(blocks, item, table_no, page.number)
                continue
            text = item.text()
            prev = blocks[-1] if blocks else None
            if (
                pos == 0
                and not slides
                and prev is not None
                and prev.page == page.number - 1
                and prev.kind in (BlockKind.PARAGRAPH, BlockKind.LIST_ITEM)
                and item.kind == "paragraph"
                and text[:1].islower()
                and not ends_sentence(prev.text)
            ):
                prev.text = join_lines([prev.text, text])
                index[id(item)] = len(blocks) - 1
                continue
            index[id(item)] = len(blocks)
            parent = index.get(id(item.parent)) if item.parent is not None else None
            blocks.append(
                Block(
                    kind=BlockKind(item.kind),
                    text=text,
                    page=page.number,
                    level=item.level if item.kind in ("list_item", "heading") else 0,
                    parent=parent,
                    bbox=item.bbox,
                )
            )
    return [b for b in blocks if b.text or b.kind is BlockKind.TABLE_CELL]


def _emit_table(blocks: list[Block], table: _Table, number: int, page: int) -> int:
    nrows, ncols = table.shape
    for r, c, text, bbox in table.cells:
        corner = (r, c) == (nrows - 1, ncols - 1)
        if text or corner:
            blocks.append(
                Block(BlockKind.TABLE_CELL, text, page=page, table=number, row=r, col=c, bbox=bbox or table.bbox)
            )
    return number + 1


