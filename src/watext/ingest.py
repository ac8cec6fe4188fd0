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
import os
import tempfile
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from . import __version__
from .errors import EmptyFileError, InputError, NeedsOCRError, OutsideInputError, UnreadableError
from .extract import ocr
from .extract.sniff import sniff
from .language import detect_document_language, detect_language
from .metadata import detect_city, detect_doc_type, load_cities, parse_submission
from .model import BlockKind, Document, Format, Passage
from .procs import run_dir
from .segment import segment
from .settings import Settings
from .store import Store
from .tag.nlp import Annotator, rules_version
from .worker import FileWorker

__all__ = [
    "BatchResult", "Entry", "FileResult", "discover", "discover_entries", "ingest_file", "ingest_paths", "process_file",
]  # fmt: skip

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


@dataclass(frozen=True, slots=True)
class Entry:
    """A file found by :func:`discover_entries`; ``code``/``reason`` set when it must not be read."""

    path: Path
    code: str | None = None
    reason: str | None = None


def _skip_name(rel: tuple[str, ...], name: str) -> bool:
    return any(part.startswith(".") for part in rel) or name.startswith("~$") or name.lower() in _IGNORED_NAMES


def discover_entries(paths: Iterable[str | Path], follow_symlinks: bool = False) -> list[Entry]:
    """Expand folders recursively into files (sorted); skip hidden and temp files.

    Never raises for one bad path: a path that does not exist is returned as it is (the
    batch records it), a link loop or an unreadable folder becomes an entry with code
    ``unreadable``, and a symbolic link whose target lies outside the given paths one with
    code ``outside_input`` (unless ``follow_symlinks``). Folders are walked without
    following links, so nothing outside the input is read by accident.
    """
    paths = [Path(p) for p in paths]
    roots: list[Path] = []
    for p in paths:
        try:
            roots.append(p.resolve(strict=False))
        except (OSError, RuntimeError):
            pass
    out: list[Entry] = []

    def inside(target: Path) -> bool:
        return any(target == r or r in target.parents for r in roots)

    def check_link(q: Path) -> Entry | None:
        if not q.is_symlink():
            return None
        try:
            target = q.resolve(strict=True)
        except (OSError, RuntimeError) as exc:
            what = "a symbolic link loop" if isinstance(exc, RuntimeError) or "loop" in str(exc).lower() \
                else "a broken symbolic link"
            return Entry(q, "unreadable", f"{what}; not read")
        if not follow_symlinks and not inside(target):
            return Entry(q, "outside_input", f"symbolic link to {target}, outside the given paths; not read "
                                             "(--follow-symlinks reads it)")  # fmt: skip
        return None

    for p in paths:
        bad = check_link(p) if p.is_symlink() and not p.is_dir() else None
        if bad:
            out.append(bad)
            continue
        try:
            is_dir = p.is_dir()
        except OSError as exc:
            out.append(Entry(p, "unreadable", f"cannot be opened: {exc.strerror or exc}"))
            continue
        if not is_dir:
            out.append(Entry(p))
            continue
        out.extend(sorted(_walk(p, check_link, follow_symlinks, set()), key=lambda e: str(e.path)))
    seen: set[str] = set()
    unique = []
    for e in out:
        try:
            key = str(e.path.resolve()) if e.code is None else f"{e.code}:{e.path}"
        except (OSError, RuntimeError):
            key = f"unreadable:{e.path}"
        if key not in seen:
            seen.add(key)
            unique.append(e)
    return unique


def _walk(top: Path, check_link: Callable[[Path], Entry | None], follow: bool, visited: set[Path]) -> list[Entry]:
    """Files under ``top`` without following links (a followed link's folder is walked
    once, as a folder of its own)."""
    found: list[Entry] = []
    try:
        visited.add(top.resolve())
    except (OSError, RuntimeError):
        pass

    def walk_error(exc: OSError) -> None:
        found.append(Entry(Path(exc.filename or top), "unreadable", f"cannot be opened: {exc.strerror or exc}"))

    for dirpath, dirnames, filenames in os.walk(top, onerror=walk_error, followlinks=False):
        base = Path(dirpath)
        rel_dir = base.relative_to(top).parts
        dirnames[:] = sorted(d for d in dirnames if not d.startswith("."))
        for d in list(dirnames):
            q = base / d
            if not q.is_symlink():
                continue
            dirnames.remove(d)
            bad = check_link(q)
            if bad:
                found.append(bad)
            elif follow and q.resolve() not in visited:
                found.extend(_walk(q, check_link, follow, visited))
            # a link to a folder inside the input: its files are found under their own path
        for name in sorted(filenames):
            if not _skip_name((*rel_dir, name), name):
                q = base / name
                found.append(check_link(q) or Entry(q))
    return found


def discover(paths: Iterable[str | Path], follow_symlinks: bool = False) -> list[Path]:
    """The paths of :func:`discover_entries` (bad entries included: the batch records them)."""
    return [e.path for e in discover_entries(paths, follow_symlinks)]


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
    annotator: Annotator | None = None,
    city: str | None = None,
    known_cities: list[str] | None = None,
    *,
    worker: FileWorker | None = None,
    entry: Entry | None = None,
) -> FileResult:
    """Ingest one file. Never raises for a bad file: failures are stored with a reason.

    With ``worker`` (what batches use) the file is read in the worker's process under its
    time and memory limits (:mod:`watext.worker`); without, in this process with
    ``annotator``. ``entry``: what :func:`discover_entries` found out about the path."""
    try:  # a refused link is recorded under its own name, not its target's
        source = str(path.absolute()) if entry is not None and entry.code else \
            str(path.resolve()) if path.exists() else str(path)
    except (OSError, RuntimeError):
        source = str(path)
    digest, size = None, None
    try:
        if entry is not None and entry.code:
            raise _entry_error(entry)
        if not path.is_file():
            raise InputError("file not found" if not path.exists() else "not a regular file")
        try:
            size = path.stat().st_size
            if size <= settings.max_file_mb * 1_048_576:
                digest = hash_file(path)
        except OSError as exc:
            raise UnreadableError(f"cannot be read: {exc.strerror or exc}") from exc
        if digest and store.has_document(digest):
            return FileResult(source, "unchanged", digest)
        if worker is not None:
            doc, passages = worker.process(path, doc_id=digest or "", city=city, known_cities=known_cities)
        else:
            doc, passages = process_file(path, settings, annotator or Annotator(), doc_id=digest or "",
                                         city=city, known_cities=known_cities)  # fmt: skip
        saved = store.save_document(doc, passages)
        return FileResult(source, saved.status, doc.id, len(passages), doc.pages, carried=saved.carried)
    except InputError as exc:
        code, reason = exc.code, str(exc)
    except RecursionError:
        code, reason = "too_deep", "nested too deeply to read"
    except MemoryError:
        code, reason = "too_large", "reading it needs more memory than is available"
    except Exception as exc:  # noqa: BLE001 - batch boundary: a bug on one file must not stop the batch
        log.error("unexpected error on %s: %s: %s", source, type(exc).__name__, exc)
        code, reason = "internal_error", f"unexpected error ({type(exc).__name__}): {exc}"
    store.record_failure(source, digest, size, code, reason)
    return FileResult(source, "failed", digest, code=code, reason=reason)


def _entry_error(entry: Entry) -> InputError:
    cls = {"outside_input": OutsideInputError, "unreadable": UnreadableError}.get(entry.code or "", UnreadableError)
    return cls(entry.reason or entry.code or "not read")


def ingest_paths(
    paths: Iterable[str | Path],
    store: Store,
    settings: Settings,
    city: str | None = None,
    on_result: Callable[[FileResult], None] | None = None,
) -> BatchResult:
    """Ingest files and folders into ``store``; returns per-file results. Each file is read
    in a worker process under ``settings``' time and memory limits."""
    paths = list(paths)
    entries = discover_entries(paths, settings.follow_symlinks)
    known = [c.name for c in load_cities()]
    run_id = store.start_run([str(p) for p in paths])
    batch = BatchResult()
    with FileWorker(settings) as worker:
        for e in entries:
            result = ingest_file(e.path, store, settings, None, city, known, worker=worker, entry=e)
            batch.files.append(result)
            if on_result:
                on_result(result)
    store.finish_run(run_id, batch.summary())
    return batch
