"""Page dictionaries in object streams (``pdf_objstm``): counted from the bytes, so PDFium's
page count is trusted only when no page tree can hold more, and anything unreadable falls
back to walking the tree with pdfminer."""

from __future__ import annotations

import glob
import zlib
from pathlib import Path

import pdfplumber
import pypdfium2
import pytest

from watext.extract import pdf_info
from watext.extract.pdf import extract
from watext.settings import get_settings

from .paths import DATA, SHARED

_TOPICS = [b"Sprachkurse fuer neue Einwohner", b"Beratung im Welcome Center", b"Patenschaften im Stadtteil",
           b"Interkulturelle Woche im Herbst", b"Ausbildung und Arbeit"]  # fmt: skip


def objstm_pdf(path: Path, pages: int = 3, count: int | None = None, *, filter_: bytes = b"/FlateDecode",
               predictor: bool = True, xref_type: bytes = b"/XRef") -> Path:  # fmt: skip
    """A PDF 1.5 whose page dictionaries sit in an object stream, indexed by a cross-reference
    stream (PNG Up predictor); the page tree's ``/Count`` says ``count`` (default: the truth)."""
    font, first_content = 3, 4  # 1 catalog, 2 pages, 3 font, contents, pages, objstm, xref
    contents = [first_content + i for i in range(pages)]
    page_ids = [first_content + pages + i for i in range(pages)]
    objstm_id, xref_id = page_ids[-1] + 1, page_ids[-1] + 2
    kids = " ".join(f"{p} 0 R" for p in page_ids)
    plain = {1: b"<< /Type /Catalog /Pages 2 0 R >>",
             2: b"<< /Type /Pages /Kids [%s] /Count %d >>" % (kids.encode(), pages if count is None else count),
             font: b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>"}  # fmt: skip
    for i, c in enumerate(contents):
        body = b"BT /F1 12 Tf 72 %d Td (%s auf Blatt %d) Tj ET" % (700 - 40 * i, _TOPICS[i % len(_TOPICS)], i + 1)
        plain[c] = b"<< /Length %d >>\nstream\n%s\nendstream" % (len(body), body)
    packed = [b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents %d 0 R "
              b"/Resources << /Font << /F1 %d 0 R >> >> >>" % (c, font) for c in contents]  # fmt: skip
    offsets, body = [], b""
    for obj in packed:
        offsets.append(len(body))
        body += obj + b" "
    head = b" ".join(b"%d %d" % (pid, off) for pid, off in zip(page_ids, offsets, strict=True)) + b" "
    data = zlib.compress(head + body) if filter_ == b"/FlateDecode" else (head + body)
    plain[objstm_id] = (b"<< /Type /ObjStm /N %d /First %d /Length %d%s >>\nstream\n"
                        % (pages, len(head), len(data), b" /Filter " + filter_ if filter_ else b"")
                        + data + b"\nendstream")  # fmt: skip
    out, where = b"%PDF-1.5\n%\xe2\xe3\xcf\xd3\n", {}
    for num in sorted(plain):
        where[num] = len(out)
        out += b"%d 0 obj\n" % num + plain[num] + b"\nendobj\n"
    where[xref_id] = len(out)
    rows = [(0, 0, 0)] + [(1, where[k], 0) if k in where else (2, objstm_id, page_ids.index(k))
                          for k in range(1, xref_id + 1)]  # fmt: skip
    raw = b"".join(bytes([t]) + o.to_bytes(4, "big") + g.to_bytes(2, "big") for t, o, g in rows)
    if predictor:  # PNG "Up" rows of 7 bytes
        prev, enc = bytes(7), b""
        for r in range(0, len(raw), 7):
            row = raw[r : r + 7]
            enc += b"\x02" + bytes((a - b) & 0xFF for a, b in zip(row, prev, strict=True))
            prev = row
        raw, parms = enc, b" /DecodeParms << /Predictor 12 /Columns 7 >>"
    else:
        parms = b""
    xref = zlib.compress(raw)
    out += (b"%d 0 obj\n<< /Type %s /Size %d /W [1 4 2] /Root 1 0 R /Length %d /Filter /FlateDecode%s >>\nstream\n"
            % (xref_id, xref_type, xref_id + 1, len(xref), parms) + xref + b"\nendstream\nendobj\n")  # fmt: skip
    out += b"startxref\n%d\n%%%%EOF\n" % where[xref_id]
    path.write_bytes(out)
    return path


def _walk(path: Path) -> int:
    with pdfplumber.open(path) as pdf:
        return pdf_info.page_count(pdf, 100_000)


def test_pages_in_an_object_stream_are_counted(tmp_path: Path) -> None:
    for predictor in (True, False):
        pdf = objstm_pdf(tmp_path / f"ok{predictor}.pdf", pages=3, predictor=predictor)
        assert pdf_info.pages_written(pdf) == 3 == _walk(pdf) == len(pypdfium2.PdfDocument(pdf))


def test_a_lying_count_in_an_object_stream_pdf_is_not_trusted(tmp_path: Path) -> None:
    pdf = objstm_pdf(tmp_path / "lying.pdf", pages=4, count=2)
    assert len(pypdfium2.PdfDocument(pdf)) == 2  # PDFium believes /Count
    assert pdf_info.pages_written(pdf) == 4 == _walk(pdf)  # so it is not trusted: 4 != 2
    doc = extract(pdf, get_settings(ocr="off"))
    assert doc.pages == 4 and "Blatt 4" in " ".join(b.text for b in doc.blocks)  # no page hidden


@pytest.mark.parametrize("case", ["filter", "type", "bomb", "stray_name", "colors"])
def test_what_the_bytes_cannot_tell_falls_back_to_the_tree_walk(tmp_path: Path, case: str, monkeypatch) -> None:
    if case == "filter":  # an object stream compressed otherwise (here: not at all, named LZW)
        pdf = objstm_pdf(tmp_path / "f.pdf", filter_=b"/LZWDecode")
    elif case == "type":  # a cross-reference stream under another type: its entries are not read
        pdf = objstm_pdf(tmp_path / "t.pdf", xref_type=b"/XRefX")
        data = pdf.read_bytes().replace(b"/ObjStm", b"/ObjStX")
        pdf.write_bytes(data)
    elif case == "bomb":
        from watext.extract import pdf_objstm

        monkeypatch.setattr(pdf_objstm, "MAX_INFLATED", 100)
        pdf = objstm_pdf(tmp_path / "b.pdf")
    elif case == "colors":  # a predictor over 3 colours: rows this reader does not decode
        pdf = objstm_pdf(tmp_path / "c.pdf")
        pdf.write_bytes(pdf.read_bytes().replace(b"/Columns 7", b"/Colors 3 /Columns 7"))
    else:  # the name /ObjStm where no object stream is read (e.g. in a string)
        pdf = objstm_pdf(tmp_path / "s.pdf")
        pdf.write_bytes(pdf.read_bytes().replace(b"<< /Type /Catalog", b"<< /Note (/ObjStm) /Type /Catalog"))
    if case == "type":  # no name left to read: the plain bytes hold no page: 0, never trusted for 3
        assert pdf_info.pages_written(pdf) in (None, 0)
    else:
        assert pdf_info.pages_written(pdf) is None


def test_on_every_pdf_we_have_the_count_bounds_the_tree_walk() -> None:
    files = sorted({*glob.glob(str(DATA / "**" / "*.pdf"), recursive=True),
                    *glob.glob(str(SHARED / "seeds" / "**" / "*.pdf"), recursive=True),
                    *glob.glob(str(SHARED / "real-docs" / "*.pdf"))})  # fmt: skip
    packed = 0
    for f in files:
        written = pdf_info.pages_written(f)
        if written is None:
            continue
        try:
            walked = _walk(Path(f))
        except Exception:  # noqa: BLE001 - a broken test file: pdfminer cannot walk it
            continue
        assert written >= walked, f
        packed += b"/ObjStm" in Path(f).read_bytes()
    if (SHARED / "real-docs").is_dir():
        assert packed >= 5  # the real documents with object streams are counted, not walked


def test_an_object_stream_without_its_type_is_found_through_the_xref_stream(tmp_path: Path) -> None:
    """pdfminer takes objects from any stream a cross-reference entry of type 2 names, typed or
    not: such a stream is inflated and counted too (offsets unchanged: same length)."""
    pdf = objstm_pdf(tmp_path / "untyped.pdf", pages=3)
    pdf.write_bytes(pdf.read_bytes().replace(b"/Type /ObjStm", b"/Typo /ObjStn"))
    assert _walk(pdf) == 3 and pdf_info.pages_written(pdf) == 3
