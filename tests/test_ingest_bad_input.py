"""Every kind of bad input gets a stored, readable reason; the rest of the batch goes on."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import pytest

from watext.extract import ocr
from watext import pipeline
from watext.settings import Settings
from watext.store import open_store
from .paths import SEEDS

GOOD_TEXT = (
    "Betreff: Willkommenskultur in Saanen\n\n"
    "Die Gemeinde Saanen bietet Sprachkurse für Zugezogene an.\n\n"
    "Der Gemeinderat koordiniert die Integration als Querschnittsaufgabe.\n"
)


def _docx_bytes(extra: dict[str, bytes] | None = None) -> bytes:
    import docx

    buf = io.BytesIO()
    d = docx.Document()
    d.add_paragraph("Das Amt für Integration berät Neuzugewanderte in Darmstadt.")
    d.save(buf)
    if not extra:
        return buf.getvalue()
    out = io.BytesIO()
    with zipfile.ZipFile(buf) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for item in src.infolist():
            dst.writestr(item, src.read(item.filename))
        for name, data in extra.items():
            dst.writestr(name, data)
    return out.getvalue()


def _encrypted_pdf(path: Path) -> None:
    from reportlab.pdfgen import canvas

    c = canvas.Canvas(str(path), encrypt="geheim")
    c.drawString(72, 720, "Vertrauliche Vorlage zur Willkommenskultur")
    c.save()


def _image_only_pdf(path: Path) -> None:
    from PIL import Image, ImageDraw, ImageFont

    img = Image.new("L", (1700, 600), 255)
    draw = ImageDraw.Draw(img)
    font = ImageFont.load_default(size=64)
    draw.text((80, 150), "Willkommenskultur in Osnabrück", fill=0, font=font)
    draw.text((80, 300), "Sprachkurse und Beratung", fill=0, font=font)
    img.save(path, "PDF", resolution=200)


def _ole(path: Path, encrypted: bool) -> None:
    body = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 504
    if encrypted:
        body += "EncryptedPackage".encode("utf-16-le") + b"\x00" * 100
    else:
        body += "WordDocument".encode("utf-16-le") + b"\x00" * 100
    path.write_bytes(body)


def _make(kind: str, d: Path) -> tuple[Path, dict]:
    """Create one bad file; return it and settings overrides."""
    if kind == "empty":
        p = d / "leer.pdf"
        p.write_bytes(b"")
    elif kind == "truncated_pdf":
        data = (SEEDS / "osnabrueck_VO-2014-4833_handlungsempfehlungen.pdf").read_bytes()
        p = d / "abgeschnitten.pdf"
        p.write_bytes(data[: len(data) // 3])
    elif kind == "garbage_pdf":
        p = d / "kaputt.pdf"
        p.write_bytes(b"%PDF-1.7\n" + bytes(range(256)) * 40)
    elif kind == "encrypted_pdf":
        p = d / "passwort.pdf"
        _encrypted_pdf(p)
    elif kind == "encrypted_office":
        p = d / "passwort.docx"
        _ole(p, encrypted=True)
    elif kind == "legacy_office":
        p = d / "alt.doc"
        _ole(p, encrypted=False)
    elif kind == "image_only":
        p = d / "scan.pdf"
        _image_only_pdf(p)
        return p, {"ocr": "off"}
    elif kind == "unsupported_png":
        from PIL import Image

        p = d / "foto.png"
        Image.new("RGB", (10, 10)).save(p)
    elif kind == "unsupported_xlsx":
        import openpyxl

        p = d / "tabelle.xlsx"
        wb = openpyxl.Workbook()
        wb.active["A1"] = "Maßnahme"
        wb.save(p)
    elif kind == "zip_archive":
        p = d / "paket.zip"
        with zipfile.ZipFile(p, "w") as z:
            z.writestr("a.txt", "hallo")
    elif kind == "binary_as_text":
        p = d / "notizen.txt"
        p.write_bytes(bytes(range(256)) * 64)
    elif kind == "archive_bomb":
        p = d / "bombe.docx"
        p.write_bytes(_docx_bytes({"word/media/zeros.bin": b"\0" * (30 * 1_048_576)}))
    elif kind == "oversized":
        p = d / "riesig.txt"
        p.write_text("Willkommen " * 20_000, encoding="utf-8")
        return p, {"max_file_mb": 0.1}
    elif kind == "too_many_pages":
        p = d / "lang.pdf"
        p.write_bytes((SEEDS / "darmstadt_partnerstaedte_willkommenskultur.pdf").read_bytes())
        return p, {"max_pages": 5}
    elif kind == "missing":
        return d / "gibt_es_nicht.pdf", {}
    else:  # pragma: no cover
        raise AssertionError(kind)
    return p, {}


CASES = {
    # kind: (code, words the stored reason must contain)
    "empty": ("empty", "empty file"),
    "truncated_pdf": ("corrupt", "PDF"),
    "garbage_pdf": ("corrupt", "PDF"),
    "encrypted_pdf": ("encrypted", "password"),
    "encrypted_office": ("encrypted", "password"),
    "legacy_office": ("unsupported_format", "legacy Office"),
    "image_only": ("needs_ocr", "OCR"),
    "unsupported_png": ("unsupported_format", "PNG image"),
    "unsupported_xlsx": ("unsupported_format", "Excel"),
    "zip_archive": ("unsupported_format", "ZIP archive"),
    "binary_as_text": ("unsupported_format", "binary"),
    "archive_bomb": ("archive_bomb", "archive bomb"),
    "oversized": ("too_large", "over the limit"),
    "too_many_pages": ("too_large", "pages"),
    "missing": ("input_error", "not found"),
}


@pytest.mark.parametrize("kind", sorted(CASES))
def test_ingest_bad_input_is_stored_and_batch_goes_on(kind: str, tmp_path: Path) -> None:
    (tmp_path / "in").mkdir()
    bad, overrides = _make(kind, tmp_path / "in")
    good = tmp_path / "in" / "gut.txt"
    good.write_text(GOOD_TEXT, encoding="utf-8")
    settings = Settings(db=f"sqlite:///{tmp_path / 'w.db'}", **overrides)
    with open_store(settings.db) as store:
        batch = pipeline.ingest(store, settings, [bad, good])
        failures = list(store.iter_failures())
        docs = list(store.iter_documents())
    code, words = CASES[kind]
    assert [f.status for f in batch.files] == ["failed", "new"]
    assert len(failures) == 1
    assert failures[0]["code"] == code
    assert words.lower() in failures[0]["reason"].lower()
    assert failures[0]["source"].endswith(bad.name)
    assert [d["source"] for d in docs] == [str(good.resolve())]
    assert batch.summary()["failed"] == 1


def test_ingest_mislabelled_file_is_read_by_content(tmp_path: Path) -> None:
    p = tmp_path / "eigentlich_word.pdf"
    p.write_bytes(_docx_bytes())
    settings = Settings(db=f"sqlite:///{tmp_path / 'w.db'}")
    with open_store(settings.db) as store:
        batch = pipeline.ingest(store, settings, [p])
        (doc,) = store.iter_documents()
        texts = [r["text"] for r in store.iter_passages()]
    assert batch.files[0].status == "new"
    assert doc["format"] == "docx"
    assert "content is DOCX" in doc["metadata"]["extension_mismatch"]
    assert any("Amt für Integration" in t for t in texts)


@pytest.mark.skipif(not ocr.ocr_available(), reason="ocrmypdf/tesseract not installed")
def test_ingest_image_only_pdf_is_ocred_when_available(tmp_path: Path) -> None:
    p = tmp_path / "scan.pdf"
    _image_only_pdf(p)
    settings = Settings(db=f"sqlite:///{tmp_path / 'w.db'}")
    with open_store(settings.db) as store:
        batch = pipeline.ingest(store, settings, [p])
        docs = list(store.iter_documents())
        text = " ".join(r["text"] for r in store.iter_passages())
    assert batch.files[0].status == "new", batch.files[0].reason
    assert docs[0]["metadata"]["ocr"].startswith("ocrmypdf")
    assert "Willkommenskultur" in text


def test_ingest_failure_resolved_when_file_is_fixed(tmp_path: Path) -> None:
    p = tmp_path / "antwort.txt"
    p.write_bytes(b"")
    settings = Settings(db=f"sqlite:///{tmp_path / 'w.db'}")
    with open_store(settings.db) as store:
        pipeline.ingest(store, settings, [p])
        assert len(list(store.iter_failures())) == 1
        p.write_text(GOOD_TEXT, encoding="utf-8")
        batch = pipeline.ingest(store, settings, [p])
        assert batch.files[0].status == "new"
        assert list(store.iter_failures()) == []
        assert len(list(store.iter_failures(include_resolved=True))) == 1
