"""OCR of image-only PDFs with ``ocrmypdf`` (tesseract), when they are installed.

OCR is optional: without ``ocrmypdf`` on the PATH an image-only PDF is stored as a
failure with code ``needs_ocr``, and re-ingesting it after installing OCR picks it up.
"""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

from watext.errors import NeedsOCRError, TooLargeError
from watext.procs import child_preexec

__all__ = ["ocr_available", "ocr_languages", "ocr_pdf"]


def ocr_available() -> bool:
    return shutil.which("ocrmypdf") is not None and shutil.which("tesseract") is not None


def ocr_languages() -> str:
    """tesseract language string: German and English where their data is installed."""
    try:
        out = subprocess.run(
            ["tesseract", "--list-langs"], capture_output=True, text=True, timeout=30
        ).stdout.split()
    except (OSError, subprocess.SubprocessError):
        return "eng"
    langs = [lang for lang in ("deu", "eng") if lang in out]
    return "+".join(langs) or "eng"


def ocr_pdf(src: Path, dst: Path, timeout_s: float = 300.0) -> str:
    """Write an OCRed copy of ``src`` to ``dst``; return a description of what ran.

    Pages are rotated upright (``--rotate-pages``) so sideways scans read correctly.
    """
    langs = ocr_languages()
    cmd = [
        "ocrmypdf", "--quiet", "--skip-text", "--rotate-pages", "--jobs", "1",
        "--output-type", "pdf", "--optimize", "0", "-l", langs, str(src), str(dst),
    ]
    try:
        proc = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout_s,
                              preexec_fn=child_preexec)  # dies with its worker (no orphans)
    except subprocess.TimeoutExpired as exc:
        raise NeedsOCRError(f"no text layer; OCR gave up after {timeout_s:g} s") from exc
    except OSError as exc:
        raise NeedsOCRError(f"no text layer; OCR could not start: {exc}") from exc
    if proc.returncode != 0 or not dst.exists():
        msg = (proc.stderr or proc.stdout).strip().splitlines()
        if any("MemoryError" in line or "bad_alloc" in line for line in msg):
            raise TooLargeError("no text layer, and OCR ran out of memory (WATEXT_FILE_MAX_MB)")
        raise NeedsOCRError(
            f"no text layer; OCR failed (exit {proc.returncode}): {msg[-1] if msg else ''}"
        )
    return f"ocrmypdf/tesseract ({langs})"
