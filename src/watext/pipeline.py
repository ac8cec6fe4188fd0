"""The one place that sequences the stages: ingest -> classify -> tables, and training.

Every function here is plain Python over a :class:`~watext.store.Store` and
:class:`~watext.settings.Settings`; the CLI calls them in-process (``--no-flow``) or
through the Prefect flows in ``flows/``, which only wrap them.

A stage's unit of work (one file, one batch of passages, one table build, one training)
is a function of its own, run through ``step``: by default a plain call; the flows pass
a ``step`` that runs the unit as a Prefect task (:func:`flows.tasks.as_task`), so the
loops, the run bookkeeping and the order of stages live here and nowhere else.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from watext.enrich.cities import load_cities
from watext.ingest.files import extraction_version
from watext.ingest.sources import Plan, plan, scan
from watext.model import FileState
from watext.sources import Source
from watext.ingest.discover import Entry, discover_entries
from watext.ingest.files import BatchResult, FileResult, ingest_file, ingest_stream
from watext.ingest.parallel import (
    Fan, WorkerPool, batches, copies_apart, dask_fan, hook_delay, largest_first, local_store, local_worker, streams,
    worker_count, writes_for,
)
from watext.ingest.worker import FileWorker
from watext.errors import ConfigError
from watext.oparl.client import OParlClient
from watext.oparl.sync import OParlSync, SyncResult, default_cache_dir, sync_paper
from watext.progress import ProgressBar
from watext.settings import Settings
from watext.store import Store
from watext.train.dataset import correction_records

if TYPE_CHECKING:
    from watext.tag.tagger import WatextModel

# spaCy, scikit-learn, pandas (~2 s, ~190 MB) come with classify, tables, training: imported where used.

__all__ = [
    "ClassifyResult", "RunResult", "Step", "build_tables", "call", "classify", "classify_batch", "ingest",
    "ingest_files", "ingest_one", "mark_questions", "oparl_states", "oparl_tables", "rebuild_sources", "reclassify",
    "reprocess", "run", "sync_oparl", "sync_paper", "train",
]  # fmt: skip

#: How a unit of work is run: ``step(unit, *args)`` returns ``unit(*args)``.
Step = Callable[..., Any]


def call(unit: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
    """The default step: call the unit in this process."""
    return unit(*args, **kwargs)


# --- ingest ----------------------------------------------------------------------------


def ingest_one(store: Store, settings: Settings, worker: FileWorker, entry: Entry, city: str | None = None,
               known_cities: Sequence[str] | None = None) -> FileResult:  # fmt: skip
    """Ingest one discovered file, read by ``worker`` (never raises for a bad file: the
    failure is stored with its reason)."""
    return ingest_file(entry.path, store, settings, city, list(known_cities) if known_cities else None,
                       worker=worker, entry=entry)  # fmt: skip


def ingest_files(settings: Settings, entries: Sequence[Entry], city: str | None = None,
                 known_cities: Sequence[str] | None = None) -> list[FileResult]:  # fmt: skip
    """A batch of files on a Dask worker: each read by this worker's own FileWorker (the same
    time and memory limits) and stored in its own transaction in the store at ``settings.db``;
    one result per file (a bad file is stored as failed with its reason, the batch goes on).
    A batch given again after its worker died skips what is stored already (``unchanged``)."""
    store, worker = local_store(settings.db), local_worker(settings)
    results = []
    for e in entries:
        hook_delay()
        results.append(ingest_one(store, settings, worker, e, city, known_cities))
    return results


def ingest(store: Store, settings: Settings, paths: Sequence[str | Path], *, city: str | None = None,
           progress: bool = False, step: Step = call, fan: Fan | None = None, batch_files: int | None = None,
           on_result: Callable[[FileResult], None] | None = None) -> BatchResult:  # fmt: skip
    """Ingest files and folders: one unit per file, each read in a worker process under
    ``settings``' time and memory limits; the batch is recorded as a run.

    One worker, in this process (``step`` is :func:`call`): the batch stores a file while its
    worker reads the next (:func:`~watext.ingest.files.ingest_stream`); with another step (a
    flow's tasks), one after the other. More (:func:`worker_count`: by default one per core,
    at most 4 and one per file): that many files side by side, largest first, copies of one
    file never at once (a worker process per thread; threads here, each an overlapped stream;
    ``fan``: one unit per file through it, e.g. a flow's task runner). ``dask_address``:
    batches of ``batch_files`` files on that cluster, which writes to the (PostgreSQL) store
    itself. Results are in the order the files were found, however they finished."""
    entries = discover_entries(paths, settings.follow_symlinks)
    if settings.dask_address and store.url.get_backend_name() != "postgresql":
        raise ConfigError("--dask needs a PostgreSQL store (Dask workers cannot write to a SQLite file)")
    known = [c.name for c in load_cities()]
    run_id = store.start_run([str(p) for p in paths])
    results: list[FileResult | None] = [None] * len(entries)
    with ProgressBar("ingest", len(entries), progress) as bar:

        def done(i: int, result: FileResult) -> None:
            results[i] = result
            bar.advance(f"{result.status}: {result.source.rsplit('/', 1)[-1]}")
            if on_result:
                on_result(result)

        if settings.dask_address:
            _ingest_on_dask(store, settings, entries, city, known, fan or dask_fan(settings.dask_address),
                            batch_files, done)  # fmt: skip
        elif (workers := worker_count(settings, len(entries))) > 1:
            with WorkerPool(settings, workers if fan is None else 0) as pool:
                writes = writes_for(store)  # one writer at a time for SQLite
                order = largest_first(entries)  # a large file last would keep one worker busy alone
                for part in copies_apart(entries, order, int(settings.max_file_mb * 1_048_576)):
                    if fan is None:  # threads here, each storing a file while its worker reads the next
                        items = ((i, entries[i]) for i in part)
                        for i, result in streams(items, writes, settings, pool, city, known, workers):
                            done(i, result)
                    else:  # one task per file (a flow's task runner)
                        calls = [(writes, settings, pool, entries[i], city, known) for i in part]
                        for k, ok, value in fan(ingest_one, calls):
                            if not ok:
                                raise value
                            done(part[k], value)
        else:
            with FileWorker(settings) as worker:
                if step is call:  # in this process: store one file while the worker reads the next
                    for i, result in ingest_stream(enumerate(entries), store, settings, worker, city, known):
                        done(i, result)
                else:
                    for i, e in enumerate(entries):
                        done(i, step(ingest_one, store, settings, worker, e, city, known))
    batch = BatchResult([r for r in results if r is not None])
    store.finish_run(run_id, batch.summary())
    return batch


def _ingest_on_dask(store: Store, settings: Settings, entries: Sequence[Entry], city: str | None,
                    known: Sequence[str], fan: Fan, batch_files: int | None,
                    done: Callable[[int, FileResult], None]) -> None:  # fmt: skip
    """Batches of ``entries`` through ``fan`` (:func:`ingest_files` on the cluster). A batch
    whose task failed for good (e.g. its workers kept dying) is recorded per file, the rest goes on."""
    groups = batches(entries, batch_files)
    offsets = [sum(len(g) for g in groups[:k]) for k in range(len(groups))]
    for k, ok, value in fan(ingest_files, [(settings, g, city, known) for g in groups]):
        for j, e in enumerate(groups[k]):
            if ok:
                done(offsets[k] + j, value[j])
                continue
            source = str(e.path.absolute())
            reason = f"the Dask task reading it failed ({type(value).__name__}): {value}"
            store.record_failure(source, None, None, "dask_failed", reason)
            done(offsets[k] + j, FileResult(source, "failed", code="dask_failed", reason=reason))


# --- classify --------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class ClassifyResult:
    model: str
    version: str
    classified: int
    surveys: int = 0  # documents whose survey structure was (re)computed

    def to_dict(self) -> dict[str, Any]:
        return {"model": self.model, "version": self.version, "classified": self.classified,
                "surveys": self.surveys}  # fmt: skip


@lru_cache(maxsize=2)
def _model(path: str) -> tuple[WatextModel, dict[str, Any]]:
    from watext.tag.registry import load_model

    return load_model(path)


def classify_batch(store: Store, model_path: str, rows: Sequence[dict[str, Any]]) -> int:
    """Predict ``rows`` (``{"id", "text", "lang"}``) with the model at ``model_path`` and
    save the predictions; returns how many were new."""
    model, meta = _model(model_path)
    return store.save_predictions(model.predictions(rows, meta["name"], meta["version"]))


def mark_questions(store: Store, document_ids: Sequence[str]) -> int:
    """Work out and store which survey question each passage of these documents answers."""
    from watext.tag.survey import document_questions, questions_version

    version = questions_version()
    for doc_id in document_ids:
        store.save_questions(doc_id, version, document_questions(store.document_passages(doc_id)))
    return len(document_ids)


def classify(store: Store, settings: Settings, model_dir: str | Path | None = None, batch: int = 500,
             step: Step = call) -> ClassifyResult:  # fmt: skip
    """Survey structure for documents that lack it (under the current question rules),
    then predictions of the given (or current) model for passages that lack one; one unit
    per 50 documents and per ``batch`` passages."""
    from watext.tag.registry import resolve_model_dir
    from watext.tag.survey import questions_version

    path = str(resolve_model_dir(model_dir, settings.models_dir))
    _, meta = _model(path)
    todo = store.documents_without_questions(questions_version())
    for i in range(0, len(todo), 50):
        step(mark_questions, store, todo[i : i + 50])
    n = 0
    for rows in store.passages_without_prediction(meta["name"], meta["version"], batch):
        n += step(classify_batch, store, path, rows)
    return ClassifyResult(meta["name"], meta["version"], n, len(todo))


# --- tables ----------------------------------------------------------------------------


def build_tables(store: Store, settings: Settings, out: str | Path, formats: Sequence[str] | None = None,
                 model_dir: str | Path | None = None, cities: Sequence[str] | None = None) -> dict[str, Any]:  # fmt: skip
    """Build the comparison tables from ``store`` and export them to ``out``. Documents
    whose survey structure is missing or was made under other question rules (a store
    from before, rules changed since classify) get it first, so no table is built on a
    stale structure."""
    from watext.tables.write import write_tables
    from watext.tag.registry import model_info, resolve_model_dir
    from watext.tag.survey import questions_version

    mark_questions(store, store.documents_without_questions(questions_version()))
    model = model_info(resolve_model_dir(model_dir, settings.models_dir))
    return write_tables(store, out, model, formats, cities)


# --- the main job ----------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class RunResult:
    ingest: BatchResult
    classify: ClassifyResult
    tables: dict[str, Any]


def run(store: Store, settings: Settings, paths: Sequence[str | Path], out: str | Path, *,
        formats: Sequence[str] | None = None, model_dir: str | Path | None = None, progress: bool = False,
        step: Step = call, fan: Fan | None = None) -> RunResult:  # fmt: skip
    """The main job: ingest ``paths`` (side by side as :func:`ingest` says), classify what is
    new, build and export the tables."""
    ingested = ingest(store, settings, paths, progress=progress, step=step, fan=fan)
    classified = classify(store, settings, model_dir, step=step)
    tables = step(build_tables, store, settings, out, formats, model_dir, None)
    return RunResult(ingested, classified, tables)


# --- scheduled reprocessing --------------------------------------------------------------


def reprocess(store: Store, settings: Settings, source: Source, *, model_dir: str | Path | None = None,
              formats: Sequence[str] | None = None, step: Step = call) -> dict[str, Any]:  # fmt: skip
    """One run over a watched source: read what is new or changed (unchanged files are not
    opened), mark vanished files' documents removed, classify, rebuild the source's tables
    and write its change report. Returns the report."""
    from watext.reprocess import reprocess_file, source_tables, unchanged_since_last_report, write_report
    from watext.tag.registry import model_info, resolve_model_dir

    started = datetime.now(UTC)
    run_id = store.start_run([str(source.path)])
    known = store.file_states(source.name)
    if source.kind == "oparl":  # the sync reads what changed; its files are the source's files
        todo = Plan()
        oparl_states(store, settings, source, known, sync_oparl(store, settings, source.url or "", body=source.body,
                                                                cache_dir=source.path, step=step, run=False))  # fmt: skip
    else:
        todo = plan(scan(source.path, source.glob, settings.follow_symlinks), known,
                    lambda fmt: extraction_version(fmt, settings), started)  # fmt: skip
    if todo.to_read():
        cities = [c.name for c in load_cities()]
        with FileWorker(settings) as worker:
            for f in todo.check:
                step(reprocess_file, store, settings, worker, source, f, cities, known.get(f.path), False)
            for f in todo.reextract:
                step(reprocess_file, store, settings, worker, source, f, cities, known.get(f.path), True)
    for path in todo.removed:
        store.mark_removed(source.name, path)
    classified = classify(store, settings, model_dir, step=step)
    model = model_info(resolve_model_dir(model_dir, settings.models_dir))
    pending = any(st.change for st in store.file_states(source.name).values())  # read or removed something
    idle = not pending and not classified.classified and not classified.surveys
    after = None
    if not (idle and unchanged_since_last_report(store, source, model)):  # classify marked the questions
        _, after = step(oparl_tables if source.kind == "oparl" else source_tables, store, source, model, formats)
    report: dict[str, Any] = step(write_report, store, source, run_id, started, after, model)
    store.finish_run(run_id, {**report["summary"], "source": source.name, "unchanged": len(todo.unchanged),
                              "waiting": len(todo.wait), "classified": classified.classified})  # fmt: skip
    return report


def reclassify(store: Store, settings: Settings, sources: Sequence[Source], *, model_dir: str | Path | None = None,
               step: Step = call) -> dict[str, Any]:  # fmt: skip
    """When the current model changed: predict the passages that have no prediction of it
    (reviews keep winning: the tables read a reviewer's labels first), then rebuild the
    tables of every source. Nothing to do when every passage has one."""
    classified = classify(store, settings, model_dir, step=step)
    if not classified.classified:
        return {"model": classified.model, "version": classified.version, "classified": 0, "sources": []}
    return {**classified.to_dict(), "sources": [reprocess(store, settings, s, model_dir=model_dir, step=step)["run"]
                                                for s in sources]}  # fmt: skip


def rebuild_sources(store: Store, settings: Settings, sources: Sequence[Source], *,
                    model_dir: str | Path | None = None, step: Step = call) -> dict[str, Any]:  # fmt: skip
    """Rebuild the tables (and change reports) of every source without waiting for its schedule."""
    return {"sources": {s.name: reprocess(store, settings, s, model_dir=model_dir, step=step)["summary"]
                        for s in sources}}  # fmt: skip


# --- OParl ------------------------------------------------------------------------------


def sync_oparl(store: Store, settings: Settings, url: str, *, body: str | None = None, since: datetime | None = None,
               max_papers: int | None = None, cache_dir: str | Path | None = None, retries: int = 4,
               timeout: float = 30.0, step: Step = call, run: bool = True) -> SyncResult:  # fmt: skip
    """Sync an OParl server into the store: papers modified since the last complete walk
    (or ``since``), one unit per paper (:func:`~watext.oparl.sync.sync_paper`: its files
    downloaded into ``cache_dir`` and ingested with the paper's metadata, or its documents
    removed when the paper was deleted); recorded as a run (``run``)."""
    run_id = store.start_run([url]) if run else None
    cache = Path(cache_dir) if cache_dir is not None else default_cache_dir(settings.db)
    with OParlClient(retries=retries, timeout=timeout, max_file_mb=settings.max_file_mb) as client, \
            FileWorker(settings) as worker:  # fmt: skip
        sync = OParlSync(store, settings, client, worker, cache, since=since, max_papers=max_papers, body=body, url=url)
        try:
            for b, paper in sync.papers(url):
                step(sync_paper, sync, b, paper)
        except Exception as exc:
            if run_id is not None:
                store.finish_run(run_id, {**sync.result.summary(), "stopped": str(exc)})
            raise
    if run_id is not None:
        store.finish_run(run_id, sync.result.summary())
    return sync.result


def oparl_states(store: Store, settings: Settings, source: Source, known: dict[str, FileState],
                 synced: SyncResult) -> None:  # fmt: skip
    """What a sync of an OParl source did, as the file states its change report lists
    (keyed by the files' URLs)."""
    for f in synced.files:
        old = known.get(f["source"])
        if f["status"] == "failed":
            store.record_file_failure(source.name, f["source"], size=None, mtime_ns=None, sha256=f["sha256"],
                                      code=f["code"] or "failed", reason=f["reason"] or "",
                                      backoff=timedelta(seconds=settings.retry_backoff_s))  # fmt: skip
            continue
        seen = old is not None and old.state == "present"
        change = None if seen and old is not None and old.document_id == f["document_id"] else \
            "changed" if seen else "new"  # fmt: skip
        store.save_file_state(source.name, f["source"], size=None, mtime_ns=None, sha256=f["sha256"],
                              document_id=f["document_id"], extraction=None, change=change,
                              previous_id=old.document_id if old is not None and change == "changed" else None)  # fmt: skip
    for r in synced.removed_files:
        store.mark_file_removed(source.name, r["source"], r["doc"])


def oparl_tables(store: Store, source: Source, model: Any, formats: Sequence[str] | None = None) -> tuple[dict[str, Any], dict[str, Any]]:
    """The tables of an OParl source: its documents are those whose file URL is on the
    server's host."""
    from watext.tables.changes import snapshot
    from watext.tables.write import build_and_write

    parts = urlsplit(source.url or "")
    summary, frames = build_and_write(store, source.out, model, formats, under=f"{parts.scheme}://{parts.netloc}/")
    return summary, snapshot(frames)


# --- training --------------------------------------------------------------------------


def train(store: Store | None, settings: Settings, gold: str | Path, *, out: str | Path | None = None,
          name: str | None = None, folds: int = 5, force: bool = False,
          step: Step = call) -> tuple[Path, dict[str, Any]]:  # fmt: skip
    """Train a new model version on ``gold`` plus the review corrections of ``store`` (when
    given); it becomes CURRENT only if not worse than the current one (or ``force``).
    ``name``: the model's name, by default :data:`watext.tag.registry.DEFAULT_NAME`."""
    from watext.tag.registry import DEFAULT_NAME
    from watext.train.trainer import train_model

    corrections = correction_records(store) if store is not None else []
    root = Path(out) if out is not None else settings.models_dir
    return step(train_model, gold, root, name or DEFAULT_NAME, folds, True, corrections=corrections, force=force)



