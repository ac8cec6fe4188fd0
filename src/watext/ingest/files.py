"""Files on disk -> stored documents and passages. The batch boundary of ingest.

``process_file`` is the pure part (sniff, extract, OCR, enrich, segment);
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
from collections.abc import Callable, Iterable, Iterator
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from watext.enrich import enrich
from watext.enrich import rules_version as enrich_rules_version
from watext.enrich.cities import load_cities
from watext.enrich.language import detect_language
from watext.errors import EmptyFileError, InputError, NeedsOCRError, OutsideInputError, UnreadableError
from watext.extract import EXTRACTOR_VERSIONS, ocr
from watext.extract.sniff import sniff
from watext.ingest.discover import Entry
from watext.ingest.worker import FileWorker
from watext.model import Document, Format, Passage
from watext.procs import run_dir
from watext.segment import segment
from watext.settings import Settings

if TYPE_CHECKING:  # the file worker never touches the store: spare it importing SQLAlchemy
    from watext.store import Store

__all__ = [
    "BatchResult", "FileResult", "extraction_version", "hash_file", "ingest_file", "ingest_stream", "process_file",
]

log = logging.getLogger(__name__)


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
    sha256: str | None = None  # of the file's bytes
    format: str | None = None  # as sniffed (None when unchanged or failed)

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
        with tempfile.TemporaryDirectory(prefix="ocr-", dir=run_dir()) as tmp:  # a kill leaves it in run_dir
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


def process_file(
    path: Path,
    settings: Settings,
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
    for p in passages:
        p.language = detect_language(p.text, default=doc.language)
    return doc, passages


@dataclass(slots=True)
class _Begun:
    """A file checked, hashed and not yet stored: what reading and storing it need."""

    path: Path
    source: str
    digest: str | None
    size: int | None
    doc_id: str = ""


def _begin(path: Path, store: Store, entry: Entry | None, reextract: str | None,
           settings: Settings) -> _Begun | FileResult:  # fmt: skip
    """Everything before reading a file: its recorded name, size and hash; a result already
    when it is stored (``unchanged``) or cannot be read (failed, stored with its reason)."""
    try:  # a refused link is recorded under its own name, not its target's
        source = str(path.absolute()) if entry is not None and entry.code else \
            str(path.resolve()) if path.exists() else str(path)
    except (OSError, RuntimeError):
        source = str(path)
    begun = _Begun(path, source, None, None)
    try:
        if entry is not None and entry.code:
            raise _entry_error(entry)
        if not path.is_file():
            raise InputError("file not found" if not path.exists() else "not a regular file")
        try:
            begun.size = path.stat().st_size
            if begun.size <= settings.max_file_mb * 1_048_576:
                begun.digest = hash_file(path)
        except OSError as exc:
            raise UnreadableError(f"cannot be read: {exc.strerror or exc}") from exc
        begun.doc_id = begun.digest or ""
        if reextract and begun.digest:
            begun.doc_id = hashlib.sha256(f"{begun.digest}:{reextract}".encode()).hexdigest()
        if begun.doc_id and store.has_document(begun.doc_id):
            return FileResult(source, "unchanged", begun.doc_id, sha256=begun.digest)
    except BaseException as exc:  # noqa: BLE001 - sorted by _failed (which re-raises what is not a file's fault)
        return _failed(begun, store, exc)
    return begun


def _store(begun: _Begun, store: Store, doc: Document, passages: list[Passage]) -> FileResult:
    try:
        saved = store.save_document(doc, passages)
    except BaseException as exc:  # noqa: BLE001 - see _failed
        return _failed(begun, store, exc)
    if saved.status == "unchanged":  # stored meanwhile (a copy read just before): as if found stored
        return FileResult(begun.source, "unchanged", doc.id, sha256=begun.digest)
    return FileResult(begun.source, saved.status, doc.id, len(passages), doc.pages, carried=saved.carried,
                      sha256=begun.digest, format=doc.format.value)  # fmt: skip


def _failed(begun: _Begun, store: Store, exc: BaseException) -> FileResult:
    """The file's failure, stored with its reason: a bad file (or a bug on one file) must not
    stop the batch. Interrupts and exits are raised again."""
    if isinstance(exc, InputError):
        code, reason = exc.code, str(exc)
    elif isinstance(exc, RecursionError):
        code, reason = "too_deep", "nested too deeply to read"
    elif isinstance(exc, MemoryError):
        code, reason = "too_large", "reading it needs more memory than is available"
    elif isinstance(exc, Exception):
        log.error("unexpected error on %s: %s: %s", begun.source, type(exc).__name__, exc)
        code, reason = "internal_error", f"unexpected error ({type(exc).__name__}): {exc}"
    else:
        raise exc
    store.record_failure(begun.source, begun.digest, begun.size, code, reason)
    return FileResult(begun.source, "failed", begun.digest, code=code, reason=reason, sha256=begun.digest)


def ingest_file(
    path: Path,
    store: Store,
    settings: Settings,
    city: str | None = None,
    known_cities: list[str] | None = None,
    *,
    worker: FileWorker | None = None,
    entry: Entry | None = None,
    reextract: str | None = None,
) -> FileResult:
    """Ingest one file. Never raises for a bad file: failures are stored with a reason.

    With ``worker`` (what batches use) the file is read in the worker's process under its
    time and memory limits (:mod:`watext.ingest.worker`); without, in this process with
    no limits. ``entry``: what :func:`discover_entries` found out about the path.
    ``reextract``: read the file again although its bytes are stored, as a new version of
    its document (id: the content hash with this extraction version), reviews carried."""
    begun = _begin(path, store, entry, reextract, settings)
    if isinstance(begun, FileResult):
        return begun
    try:
        if worker is not None:
            doc, passages = worker.process(path, doc_id=begun.doc_id, city=city, known_cities=known_cities)
        else:
            doc, passages = process_file(path, settings, doc_id=begun.doc_id, city=city, known_cities=known_cities)
    except BaseException as exc:  # noqa: BLE001 - see _failed
        return _failed(begun, store, exc)
    return _store(begun, store, doc, passages)


def ingest_stream(items: Iterable[tuple[int, Entry]], store: Store, settings: Settings, worker: FileWorker,
                  city: str | None = None, known_cities: list[str] | None = None) -> Iterator[tuple[int, FileResult]]:  # fmt: skip
    """:func:`ingest_file` for each ``(index, entry)`` (``(index, result)``, in the order they
    finish), with this process storing one file and hashing the next while the worker reads:
    the worker gets its next file as soon as it has answered. Same results, same limits, one
    file in the worker at a time. ``items`` may be shared by several streams (see
    :func:`watext.ingest.parallel.streams`): each takes the next entry when it is ready for one."""
    waiting: tuple[int, _Begun] | None = None  # handed to the worker, not yet collected
    for i, e in items:
        begun = _begin(e.path, store, e, None, settings)
        if isinstance(begun, FileResult):
            yield i, begun
            continue
        answer = _collect(worker) if waiting else None
        try:
            worker.submit(e.path, doc_id=begun.doc_id, city=city, known_cities=known_cities)
        except BaseException as exc:  # noqa: BLE001 - see _failed
            yield i, _failed(begun, store, exc)
            begun = None
        if waiting:
            yield waiting[0], _finish(waiting[1], store, answer)
        waiting = (i, begun) if begun is not None else None
    if waiting:
        yield waiting[0], _finish(waiting[1], store, _collect(worker))


def _collect(worker: FileWorker) -> tuple[Document, list[Passage]] | BaseException:
    try:
        return worker.collect()
    except BaseException as exc:  # noqa: BLE001 - stored by _finish, or raised again there
        return exc


def _finish(begun: _Begun, store: Store, answer: tuple[Document, list[Passage]] | BaseException) -> FileResult:
    if isinstance(answer, BaseException):
        return _failed(begun, store, answer)
    return _store(begun, store, *answer)


def extraction_version(fmt: str, settings: Settings) -> str:
    """What a document's blocks and passages depend on besides the file's bytes: its
    format adapter's version, the enrichment rules and the passage length, e.g.
    ``pdf:1:3f2a9c01b7de:1200``. A file read under another one is read again."""
    return f"{fmt}:{EXTRACTOR_VERSIONS.get(fmt, 0)}:{enrich_rules_version()}:{settings.max_passage_chars}"


def _entry_error(entry: Entry) -> InputError:
    cls = {"outside_input": OutsideInputError, "unreadable": UnreadableError}.get(entry.code or "", UnreadableError)
    return cls(entry.reason or entry.code or "not read")
