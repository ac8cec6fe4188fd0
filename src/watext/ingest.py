"""Files on disk -> stored documents and passages. The batch boundary of ingest.

``process_file`` is the pure part (sniff, extract, OCR, enrich, segment, annotate);
``ingest_file`` adds the store and turns every failure into a stored reason, so one bad
file never stops a batch. Each document is saved in one transaction: a crash or kill
leaves either the whole document or nothing, and re-running the batch skips what is
already stored (by content hash) and finishes the rest.
"""

from __future__ import annotations

import hashlib
import importlib
import logging
import tempfile
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from . import __version__
from .errors import EmptyFileError, InputError, NeedsOCRError
from .extract import ocr
from .extract.sniff import sniff
from .language import detect_document_language, detect_language
from .metadata import detect_city, detect_doc_type, load_cities, parse_submission
from .model import BlockKind, Document, Format, Passage
from .segment import segment
from .settings import Settings
from .store import Store
from .tag.nlp import Annotator, rules_version

__all__ = ["BatchResult", "FileResult", "discover", "ingest_file", "ingest_paths", "process_file"]

log = logging.getLogger(__name__)

_IGNORED_NAMES = {"thumbs.db", "desktop.ini"}


@dataclass(slots=True)
class FileResult:
    source: str
    status: str  # new | new_version | unchanged | failed
    document_id: str | None = None
    passages: int = 0
    pages: int | None = None
    code: str | None = None
    reason: str | None = None
    carried: int = 0  # reviews carried over from the version this one supersedes

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(slots=True)
class BatchResult:
    files: list[FileResult] = field(default_factory=list)

    @property
    def failed(self) -> list[FileResult]:
        return [f for f in self.files if f.status == "failed"]

    def summary(self) -> dict[str, Any]:
        counts = Counter(f.status for f in self.files)
        return {
            "files": len(self.files),
            **{k: counts.get(k, 0) for k in ("new", "new_version", "unchanged", "failed")},
            "passages": sum(f.passages for f in self.files),
            "pages": sum(f.pages or 0 for f in self.files),
            "reviews_carried": sum(f.carried for f in self.files),
        }


def discover(paths: Iterable[str | Path]) -> list[Path]:
    """Expand folders recursively into files (sorted); skip hidden and temp files.

    Paths that do not exist are returned as they are, so that the batch records them.
    """
    out: list[Path] = []
    for raw in paths:
        p = Path(raw)
        candidates = sorted(q for q in p.rglob("*") if q.is_file()) if p.is_dir() else [p]
        for q in candidates:
            rel = q.relative_to(p).parts if p.is_dir() else (q.name,)
            if any(part.startswith(".") for part in rel) or q.name.startswith("~$"):
                continue
            if q.name.lower() in _IGNORED_NAMES:
                continue
            out.append(q)
    seen: set[Path] = set()
    return [q for q in out if not (q.resolve() in seen or seen.add(q.resolve()))]


def hash_file(path: Path) -> str:
    h = hashlib.sha256()
    with path.open("rb") as fh:
        while chunk := fh.read(1_048_576):
            h.update(chunk)
    return h.hexdigest()


def _adapter(fmt: Format) -> Callable[[Path, Settings], Document]:
    return importlib.import_module(f"watext.extract.{fmt.value}").extract


def _extract(path: Path, fmt: Format, settings: Settings) -> Document:
    """Run the format adapter; OCR image-only PDFs when OCR is available."""
    extract = _adapter(fmt)
    try:
        return extract(path, settings)
    except NeedsOCRError as exc:
        if fmt is not Format.PDF or settings.ocr == "off" or not ocr.ocr_available():
            hint = "" if ocr.ocr_available() else " (install ocrmypdf and tesseract to OCR it)"
            raise NeedsOCRError(f"{exc}{hint}") from exc
        with tempfile.TemporaryDirectory(prefix="watext-ocr-") as tmp:
            out = Path(tmp) / "ocr.pdf"
            how = ocr.ocr_pdf(path, out, settings.ocr_timeout_s)
            try:
                doc = extract(out, settings)
            except NeedsOCRError as again:
                raise NeedsOCRError(
                    f"no text layer, and OCR with {how} recognised no usable text "
                    "(image too small or blurred?)"
                ) from again
        doc.source = str(path)
        doc.metadata["ocr"] = how
        return doc


def enrich(doc: Document, city: str | None, known_cities: list[str]) -> None:
    """Fill language, submission metadata, document type, city and title."""
    doc.language = detect_document_language(b.text for b in doc.blocks)
    submission = parse_submission(doc)
    if submission:
        doc.metadata["submission"] = submission
    doc.doc_type = detect_doc_type(doc)
    doc.city = detect_city(doc, known_cities, hint=city)
    if not doc.title:
        doc.title = next(
            (b.text for b in doc.blocks if b.kind in (BlockKind.TITLE, BlockKind.HEADING)),
            None,
        )
    doc.metadata["watext_version"] = __version__
    doc.metadata["rules_version"] = rules_version()


def annotate(doc: Document, passages: list[Passage], annotator: Annotator) -> None:
    for p in passages:
        p.language = detect_language(p.text, default=doc.language)
    notes = annotator.annotate([p.text for p in passages], [p.language for p in passages])
    for p, ann in zip(passages, notes):
        p.annotations = ann


def process_file(
    path: Path,
    settings: Settings,
    annotator: Annotator,
    *,
    doc_id: str,
    city: str | None = None,
    known_cities: list[str] | None = None,
) -> tuple[Document, list[Passage]]:
    """Turn one file into a Document and its passages. Raises InputError for bad files."""
    sniffed = sniff(path, settings)
    doc = _extract(path, sniffed.format, settings)
    doc.id = doc_id
    doc.source = str(path.resolve())
    doc.size = path.stat().st_size
    if sniffed.extension_mismatch:
        doc.metadata["extension_mismatch"] = sniffed.extension_mismatch
    if not any(b.text.strip() for b in doc.blocks):
        raise EmptyFileError(f"no text found in this {sniffed.format.value.upper()} file")
    if known_cities is None:
        known_cities = [c.name for c in load_cities()]
    enrich(doc, city, known_cities)
    passages = segment(doc, settings.max_passage_chars)
    annotate(doc, passages, annotator)
    return doc, passages


def ingest_file(
    path: Path,
    store: Store,
    settings: Settings,
    annotator: Annotator,
    city: str | None = None,
    known_cities: list[str] | None = None,
) -> FileResult:
    """Ingest one file. Never raises for a bad file: failures are stored with a reason."""
    source = str(path.resolve()) if path.exists() else str(path)
    digest, size = None, None
    try:
        if not path.is_file():
            raise InputError("file not found" if not path.exists() else "not a regular file")
        size = path.stat().st_size
        if size <= settings.max_file_mb * 1_048_576:
            digest = hash_file(path)
            if store.has_document(digest):
                return FileResult(source, "unchanged", digest)
        doc, passages = process_file(
            path, settings, annotator, doc_id=digest or "", city=city, known_cities=known_cities
        )
        saved = store.save_document(doc, passages)
        return FileResult(source, saved.status, doc.id, len(passages), doc.pages, carried=saved.carried)
    except InputError as exc:
        code, reason = exc.code, str(exc)
    except Exception as exc:  # noqa: BLE001 - batch boundary: a bug on one file must not stop the batch
        log.exception("unexpected error on %s", source)
        code, reason = "internal_error", f"unexpected error ({type(exc).__name__}): {exc}"
    store.record_failure(source, digest, size, code, reason)
    return FileResult(source, "failed", digest, code=code, reason=reason)


def ingest_paths(
    paths: Iterable[str | Path],
    store: Store,
    settings: Settings,
    city: str | None = None,
    on_result: Callable[[FileResult], None] | None = None,
) -> BatchResult:
    """Ingest files and folders into ``store``; returns per-file results."""
    files = discover(paths)
    annotator = Annotator()
    known = [c.name for c in load_cities()]
    run_id = store.start_run([str(p) for p in paths])
    batch = BatchResult()
    for f in files:
        result = ingest_file(f, store, settings, annotator, city, known)
        batch.files.append(result)
        if on_result:
            on_result(result)
    store.finish_run(run_id, batch.summary())
    return batch
