"""Scheduled reprocessing of a watched source, part of the pipeline layer (the order of
stages lives in :func:`watext.pipeline.reprocess`; this module holds its units).

One run: scan the folder and sort its files without reading them (:mod:`watext.ingest.sources`)
-> read new, changed and re-extracted files, one unit per file (a failing file waits with
back-off and never blocks the others) -> mark vanished files' documents ``removed`` ->
classify what lacks a current prediction -> rebuild the source's tables -> compare them
with the previous run's and write the change report (database, ``changes.json``,
``changes.html``).

Nothing is half-written: a document is saved in one transaction, every output file is
replaced atomically, and a change a run could not report (killed before its report) stays
marked on its file until the next report lists it.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from watext import __version__
from watext.enrich.binding import rules_version as binding_rules_version
from watext.enrich import rules_version as enrich_rules_version
from watext.ingest.files import FileResult, extraction_version, ingest_file
from watext.ingest.sources import Found
from watext.ingest.worker import FileWorker
from watext.model import FileState
from watext.settings import Settings
from watext.sources import Source
from watext.store import Store
from watext.tables.changes import diff, snapshot
from watext.tables.export.changes import write_changes
from watext.tables.write import build_and_write
from watext.tag.nlp import rules_version as tag_rules_version
from watext.tag.registry import ModelInfo
from watext.tag.survey import questions_version

__all__ = ["reprocess_file", "source_tables", "unchanged_since_last_report", "versions", "write_report"]


def reprocess_file(store: Store, settings: Settings, worker: FileWorker, source: Source, found: Found,
                   known_cities: Sequence[str], old: FileState | None, reextract: bool = False) -> FileResult:  # fmt: skip
    """Read one file of ``source`` (new, changed, due again after a failure, or read under
    an older extraction) and record what happened to it."""
    fmt = (old.extraction or "").split(":", 1)[0] if reextract and old else ""
    result = ingest_file(found.entry.path, store, settings, source.city, list(known_cities), worker=worker,
                         entry=found.entry, reextract=extraction_version(fmt, settings) if fmt else None)  # fmt: skip
    if result.status == "failed":
        store.record_file_failure(source.name, found.path, size=found.size, mtime_ns=found.mtime_ns,
                                  sha256=result.sha256, code=result.code or "internal_error",
                                  reason=result.reason or "", backoff=timedelta(seconds=settings.retry_backoff_s))  # fmt: skip
        return result
    seen_before = old is not None and old.state == "present"
    change: str | None = None
    fmt = result.format
    if result.status in ("new", "new_version"):
        change = "changed" if seen_before or result.status == "new_version" else "new"
    else:  # the same bytes are stored already
        status = store.document_status(result.document_id or "")
        if status is not None:
            fmt = status[2]
            if status[0] != "current" and status[1] == found.path:  # came back, or reverted
                store.reinstate(result.document_id or "")
                change = "changed" if seen_before else "new"
            elif not seen_before and status[1] == found.path:  # stored by a run that died before its report
                change = "new"
    store.save_file_state(
        source.name, found.path, size=found.size, mtime_ns=found.mtime_ns, sha256=result.sha256,
        document_id=result.document_id, extraction=extraction_version(fmt, settings) if fmt else None,
        change=change, previous_id=old.document_id if old is not None and change == "changed" else None,
    )  # fmt: skip
    return result


def source_tables(store: Store, source: Source, model: ModelInfo,
                  formats: Sequence[str] | None = None) -> tuple[dict[str, Any], dict[str, Any]]:  # fmt: skip
    """Rebuild the tables of the source's documents in its ``out`` folder; returns the
    summary and the snapshot the next run compares with."""
    under = str(source.path).rstrip("/") + "/"
    summary, frames = build_and_write(store, source.out, model, formats, under=under)
    return summary, snapshot(frames)


def versions(model: ModelInfo) -> dict[str, str | None]:
    """The versions a run's tables depend on (shown before/after in the report)."""
    return {"model": f"{model.name}/{model.version}" if model.name else None,
            "rules": f"{enrich_rules_version()}+{tag_rules_version()}+{binding_rules_version()}", "questions": questions_version(),
            "watext": __version__}  # fmt: skip


def _iso(value: datetime) -> str:
    return value.astimezone(UTC).isoformat(timespec="seconds")


def unchanged_since_last_report(store: Store, source: Source, model: ModelInfo) -> bool:
    """True when the previous report was made under the same versions and left tables in
    ``out``: a run that read, removed and classified nothing need not rebuild them."""
    previous = next(iter(store.change_reports(source.name)), None)
    return (previous is not None and previous["versions"]["after"] == versions(model)
            and (Path(source.out) / "tables.json").exists() and store.last_snapshot(source.name) is not None)  # fmt: skip


def write_report(store: Store, source: Source, run_id: int, started: datetime, after: dict[str, Any] | None,
                 model: ModelInfo) -> dict[str, Any]:  # fmt: skip
    """Compare the tables with the previous run's, collect the files' unreported changes
    and store the report with the new snapshot (``after`` None: tables not rebuilt). The
    files ``changes.json``/``changes.html`` in ``out`` show the latest run that changed
    something, models or rules included (or the first run); every run's report is in the
    database."""
    previous = next(iter(store.change_reports(source.name)), None)
    before = store.last_snapshot(source.name)
    states = store.file_states(source.name)
    pending = {p: s for p, s in states.items() if s.change}
    docs = store.document_summaries([s.document_id for s in pending.values() if s.document_id])
    lists: dict[str, list[dict[str, Any]]] = {"new": [], "changed": [], "removed": [], "failed": []}
    for path, s in sorted(pending.items()):
        if s.change in ("new", "changed", "removed"):
            info = docs.get(s.document_id or "", {})
            item: dict[str, Any] = {"source": path, "document_id": s.document_id, "city": info.get("city"),
                                    "title": info.get("title")}  # fmt: skip
            if s.change != "removed":
                item["passages"] = info.get("passages")
            if s.change == "changed":
                item["previous_id"] = s.previous_id
            lists[s.change].append(item)
    lists["failed"] = [{"source": p, "code": s.code, "reason": s.reason, "attempts": s.attempts,
                        "next_attempt": s.next_attempt} for p, s in sorted(states.items()) if s.state == "failed"]  # fmt: skip
    changes = diff(before, after if after is not None else before or {})
    rows_added = sum(len(t["added"]) for t in changes["rows"].values())
    rows_removed = sum(len(t["removed"]) for t in changes["rows"].values())
    report = {
        "run": run_id, "source": source.name, "started": _iso(started), "finished": _iso(datetime.now(UTC)),
        "first_run": before is None,
        "versions": {"before": (previous or {}).get("versions", {}).get("after", dict.fromkeys(versions(model))),
                     "after": versions(model)},
        "documents": lists, **changes,
        "summary": {"documents_new": len(lists["new"]), "documents_changed": len(lists["changed"]),
                    "documents_removed": len(lists["removed"]), "documents_failed": len(lists["failed"]),
                    "cells_flipped": len(changes["cells"]), "doubtful_new": len(changes["doubtful"]),
                    "unanswered_new": len(changes["unanswered"]), "rows_added": rows_added,
                    "rows_removed": rows_removed},
    }  # fmt: skip
    if before is None or any(report["summary"].values()) or report["versions"]["before"] != report["versions"]["after"]:
        write_changes(report, Path(source.out))
    store.save_change_report(source.name, run_id, started, report, after)
    store.mark_reported(source.name, sorted(pending))
    return report
