"""A small folder of one file per format plus bad files, for tests that ingest a batch
(parallel threads, Dask workers): the one definition of what such a batch holds."""

from __future__ import annotations

import shutil
from pathlib import Path

from .paths import DATA

#: Good files, one per format (text, DOCX, PDF, HTML, PPTX), in path order.
FORMATS = [
    DATA / "text" / "osnabrueck_vorlage.txt",
    DATA / "docx" / "osnabrueck_VO-2014-4833_handlungsempfehlungen.docx",
    DATA / "numbered" / "marwick_response.pdf",
    DATA / "html" / "willkommen_cp1252.html",
    DATA / "pptx" / "darmstadt_partnerstaedte_willkommenskultur.pptx",
]
BROKEN_PDF = b"%PDF-1.4\nnot a pdf at all"


def mixed_folder(tmp_path: Path, files: list[Path], bad: dict[str, bytes]) -> Path:
    """``tmp_path/eingang`` with copies of ``files`` and the bad files ``{name: bytes}``."""
    d = tmp_path / "eingang"
    d.mkdir()
    for f in files:
        shutil.copy(f, d / f.name)
    for name, data in bad.items():
        (d / name).write_bytes(data)
    return d
