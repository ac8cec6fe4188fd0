"""Decide what a file really is, from its bytes, and enforce size limits.

The extension is only a hint: a ``.pdf`` that holds a Word document is read as DOCX
and the mismatch is recorded. Containers (DOCX/PPTX are ZIP files) are checked against
archive-bomb limits before any parser opens them.
"""

from __future__ import annotations

import zipfile
from dataclasses import dataclass
from pathlib import Path

from watext.errors import (
    ArchiveBombError,
    EmptyFileError,
    EncryptedError,
    TooLargeError,
    UnsupportedFormatError,
)
from watext.model import Format
from watext.settings import Settings

__all__ = ["Sniffed", "sniff"]

_EXTENSIONS = {
    ".pdf": Format.PDF,
    ".pptx": Format.PPTX,
    ".docx": Format.DOCX,
    ".html": Format.HTML,
    ".htm": Format.HTML,
    ".xhtml": Format.HTML,
    ".txt": Format.TEXT,
    ".text": Format.TEXT,
    ".md": Format.TEXT,
    ".eml": Format.TEXT,
    ".csv": Format.TEXT,
}

# (magic prefix, human name, advice)
_UNSUPPORTED_MAGIC: list[tuple[bytes, str, str]] = [
    (b"\x89PNG\r\n\x1a\n", "PNG image", "put scans into a PDF so they can be OCRed"),
    (b"\xff\xd8\xff", "JPEG image", "put scans into a PDF so they can be OCRed"),
    (b"GIF87a", "GIF image", "images carry no text layer"),
    (b"GIF89a", "GIF image", "images carry no text layer"),
    (b"II*\x00", "TIFF image", "put scans into a PDF so they can be OCRed"),
    (b"MM\x00*", "TIFF image", "put scans into a PDF so they can be OCRed"),
    (b"\x1f\x8b", "gzip archive", "unpack it and ingest the files inside"),
    (b"Rar!", "RAR archive", "unpack it and ingest the files inside"),
    (b"7z\xbc\xaf\x27\x1c", "7-Zip archive", "unpack it and ingest the files inside"),
    (b"{\\rtf", "RTF document", "save it as DOCX or PDF"),
    (b"\x7fELF", "executable program", "this is not a document"),
    (b"MZ", "Windows executable", "this is not a document"),
]
_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_HTML_MARKERS = (b"<!doctype html", b"<html", b"<head", b"<body")


@dataclass(frozen=True, slots=True)
class Sniffed:
    format: Format
    extension_mismatch: str | None = None


def _mb(n: float) -> str:
    return f"{n / 1_048_576:.1f} MB"


def _check_zip(path: Path, size: int, settings: Settings) -> set[str]:
    """Return the member names of a ZIP container after checking archive-bomb limits."""
    try:
        with zipfile.ZipFile(path) as zf:
            infos = zf.infolist()
    except (zipfile.BadZipFile, OSError, ValueError) as exc:
        from watext.errors import CorruptFileError

        raise CorruptFileError(f"damaged ZIP container (DOCX/PPTX): {exc}") from exc
    if len(infos) > settings.max_archive_members:
        raise ArchiveBombError(
            f"container holds {len(infos)} entries, over the limit of "
            f"{settings.max_archive_members} (WATEXT_MAX_ARCHIVE_MEMBERS)"
        )
    total = sum(i.file_size for i in infos)
    limit = settings.max_archive_mb * 1_048_576
    if total > limit:
        raise ArchiveBombError(
            f"container expands to {_mb(total)}, over the limit of "
            f"{settings.max_archive_mb:g} MB (WATEXT_MAX_ARCHIVE_MB); possible archive bomb"
        )
    ratio = total / max(size, 1)
    if ratio > settings.max_archive_ratio and total > 1_048_576:
        raise ArchiveBombError(
            f"container expands {ratio:.0f}-fold ({_mb(size)} to {_mb(total)}), over the "
            f"limit of {settings.max_archive_ratio:g} (WATEXT_MAX_ARCHIVE_RATIO); "
            "possible archive bomb"
        )
    return {i.filename for i in infos}


def _sniff_zip(path: Path, size: int, settings: Settings) -> Format:
    names = _check_zip(path, size, settings)
    if "word/document.xml" in names:
        return Format.DOCX
    if "ppt/presentation.xml" in names:
        return Format.PPTX
    if any(n.startswith("xl/") for n in names):
        raise UnsupportedFormatError("Excel workbook (XLSX) is not supported; export it as PDF")
    if "content.xml" in names and "mimetype" in names:
        raise UnsupportedFormatError(
            "OpenDocument file (ODT/ODP) is not supported; save it as DOCX, PPTX or PDF"
        )
    raise UnsupportedFormatError(
        "ZIP archive is not a document; unpack it and ingest the files inside"
    )


def _looks_binary(head: bytes) -> bool:
    if head.startswith((b"\xff\xfe", b"\xfe\xff", b"\xef\xbb\xbf")):
        return False
    if not head:
        return False
    nul = head.count(b"\x00")
    if nul and nul / len(head) > 0.3:
        # UTF-16 without BOM has NULs in every second byte of ASCII text.
        even, odd = head[0::2].count(b"\x00"), head[1::2].count(b"\x00")
        return not (even > 0.4 * len(head) / 2 or odd > 0.4 * len(head) / 2)
    control = sum(1 for b in head if b < 9 or 13 < b < 32)
    return nul > 0 or control / len(head) > 0.05


def sniff(path: Path, settings: Settings) -> Sniffed:
    """Identify the file's format from its content and check size limits.

    Raises :class:`EmptyFileError`, :class:`TooLargeError`, :class:`ArchiveBombError`,
    :class:`EncryptedError` or :class:`UnsupportedFormatError` with a reason a person
    understands.
    """
    size = path.stat().st_size
    if size == 0:
        raise EmptyFileError("empty file (0 bytes)")
    limit = settings.max_file_mb * 1_048_576
    if size > limit:
        raise TooLargeError(
            f"file is {_mb(size)}, over the limit of {settings.max_file_mb:g} MB "
            "(WATEXT_MAX_FILE_MB)"
        )
    with path.open("rb") as fh:
        head = fh.read(65536)
    fmt = _sniff_bytes(path, head, size, settings)
    expected = _EXTENSIONS.get(path.suffix.lower())
    mismatch = None
    if expected is not None and expected is not fmt:
        mismatch = f"file name ends in {path.suffix} but the content is {fmt.value.upper()}"
    elif expected is None and path.suffix:
        mismatch = f"unknown extension {path.suffix}; content is {fmt.value.upper()}"
    return Sniffed(fmt, mismatch)


def _sniff_bytes(path: Path, head: bytes, size: int, settings: Settings) -> Format:
    if b"%PDF-" in head[:1024]:
        return Format.PDF
    if head.startswith(b"PK\x03\x04"):
        return _sniff_zip(path, size, settings)
    if head.startswith(_OLE_MAGIC):
        if "EncryptedPackage".encode("utf-16-le") in head or _ole_has_encrypted_package(path):
            raise EncryptedError("password-protected Office document; remove the password")
        raise UnsupportedFormatError(
            "legacy Office format (.doc/.ppt/.xls) is not supported; save it as DOCX, PPTX or PDF"
        )
    for magic, name, advice in _UNSUPPORTED_MAGIC:
        if head.startswith(magic):
            raise UnsupportedFormatError(f"{name} is not supported; {advice}")
    if _looks_binary(head[:8192]):
        raise UnsupportedFormatError("binary file of unknown type; not a document watext reads")
    lowered = head[:2048].lstrip().lower()
    if any(m in lowered for m in _HTML_MARKERS):
        return Format.HTML
    if path.suffix.lower() in {".html", ".htm", ".xhtml"} and b"<" in lowered:
        return Format.HTML
    return Format.TEXT


def _ole_has_encrypted_package(path: Path) -> bool:
    marker = "EncryptedPackage".encode("utf-16-le")
    with path.open("rb") as fh:
        while chunk := fh.read(1_048_576):
            if marker in chunk:
                return True
    return False
