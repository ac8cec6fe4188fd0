"""Walk an OParl server: System -> bodies -> papers (``links.next``), download each paper's
files into a cache and ingest them with the paper's metadata.

Incremental: per paper list the time taken before the walk began is stored once the list
was walked to its end, and asked as ``modified_since`` next time. A paper marked
``deleted`` makes its documents ``removed`` (kept). Every failure of one object (a page,
an organization, a file) is recorded in :attr:`SyncResult.errors` (files also in the
store's failures) and the sync goes on; only an unusable entry URL stops it.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterator
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import urlencode

from watext.enrich.cities import load_cities
from watext.errors import InputError
from watext.ingest.files import FileResult, hash_file
from watext.oparl.client import OParlClient, OParlError
from watext.oparl.mapping import paper_files, paper_metadata, ref_id
from watext.settings import Settings
from watext.store import normalize_url

if TYPE_CHECKING:
    from watext.ingest.worker import FileWorker
    from watext.store import Store

__all__ = ["OParlSync", "SyncResult", "default_cache_dir", "merge_metadata", "sync_paper"]

_CHECKSUMS = {"sha1Checksum": "sha1", "sha512Checksum": "sha512"}


def default_cache_dir(db: str) -> Path:
    """``oparl-files`` next to a SQLite store, else in the working directory."""
    url = normalize_url(db)
    if url.get_backend_name() == "sqlite" and url.database and url.database != ":memory:":
        return Path(url.database).resolve().parent / "oparl-files"
    return Path.cwd() / "oparl-files"


def merge_metadata(parsed: dict[str, Any], oparl: dict[str, Any]) -> dict[str, Any]:
    """The parsed metadata with OParl's values on top (empty OParl values do not erase)."""
    return {**parsed, **{k: v for k, v in oparl.items() if v not in (None, "", [], {})}}


@dataclass(slots=True)
class SyncResult:
    url: str
    bodies: int = 0
    papers: int = 0
    deleted: int = 0
    removed: int = 0  # documents marked removed
    files: list[dict[str, Any]] = field(default_factory=list)
    errors: list[dict[str, Any]] = field(default_factory=list)  # {"object", "code", "reason"}
    lists: dict[str, str] = field(default_factory=dict)  # list URL -> complete | incomplete
    removed_files: list[dict[str, Any]] = field(default_factory=list)  # {"source", "doc"} made removed

    def error(self, obj: str, code: str, reason: str) -> None:
        self.errors.append({"object": obj, "code": code, "reason": reason})

    def summary(self) -> dict[str, Any]:
        status = [f["status"] for f in self.files]
        return {"url": self.url, "bodies": self.bodies, "papers": self.papers, "deleted": self.deleted,
                "removed": self.removed, "files": len(self.files),
                **{k: status.count(k) for k in ("new", "new_version", "unchanged", "failed")},
                "errors": len(self.errors)}  # fmt: skip

    def to_dict(self) -> dict[str, Any]:
        return {**asdict(self), "summary": self.summary()}


def _safe_name(name: Any) -> str:
    name = re.sub(r"[^A-Za-z0-9._-]+", "_", str(name or "file")).strip("._") or "file"
    return name[-80:]


class OParlSync:
    """One sync over one server; :meth:`papers` yields the work, :func:`sync_paper` does it."""

    def __init__(self, store: Store, settings: Settings, client: OParlClient, worker: FileWorker, cache: Path, *,
                 since: datetime | None = None, max_papers: int | None = None, body: str | None = None,
                 url: str = "") -> None:  # fmt: skip
        self.store, self.settings, self.client, self.worker, self.cache = store, settings, client, worker, cache
        self.since, self.max_papers, self.body = since, max_papers, body
        self.result = SyncResult(url)
        self._objects: dict[str, dict[str, Any] | None] = {}
        self._cities = [c.name for c in load_cities()]

    # --- walking ------------------------------------------------------------------------

    def _walk(self, list_url: str, params: dict[str, str] | None = None) -> Iterator[dict[str, Any]]:
        """The objects of an OParl list, page by page; sets ``lists[list_url]``."""
        seen: set[str] = set()
        url: str | None = list_url
        self.result.lists[list_url] = "incomplete"
        while url:
            key = f"{url}{'&' if '?' in url else '?'}{urlencode(params)}" if params else url
            if key in seen:
                self.result.error(url, "loop", "links.next leads back to a page already read")
                return
            seen.add(key)
            try:
                page = self.client.get_json(url, params)
            except OParlError as exc:
                self.result.error(url, exc.code, exc.reason)
                return
            data = page.get("data")
            if not isinstance(data, list):
                self.result.error(url, "not_a_list", "no 'data' list on this page")
                return
            for obj in data:
                if isinstance(obj, dict) and isinstance(obj.get("id"), str):
                    yield obj
                else:
                    self.result.error(url, "invalid_object", "an entry without an id")
            nxt = (page.get("links") or {}).get("next") if isinstance(page.get("links"), dict) else None
            url, params = (nxt if isinstance(nxt, str) and nxt else None), None
        self.result.lists[list_url] = "complete"

    def _bodies(self, url: str) -> Iterator[dict[str, Any]]:
        entry = self.client.get_json(url)  # an unusable entry URL stops the sync (one line)
        kind = str(entry.get("type", ""))
        if kind.endswith("/Body"):
            yield entry
        elif kind.endswith("/System") and isinstance(entry.get("body"), str):
            yield from self._walk(entry["body"])
        else:
            raise OParlError("not_oparl", url, "neither an OParl System nor a Body")

    def _wanted(self, body: dict[str, Any]) -> bool:
        if not self.body:
            return True
        bid = str(body.get("id", ""))
        return self.body in (bid, bid.rstrip("/").rsplit("/", 1)[-1], body.get("shortName"))

    def papers(self, url: str) -> Iterator[tuple[dict[str, Any], dict[str, Any]]]:
        """``(body, paper)`` of every paper to sync (modified since the last complete walk)."""
        n = 0
        for body in self._bodies(url):
            if not self._wanted(body):
                continue
            self.result.bodies += 1
            list_url = body.get("paper")
            if not isinstance(list_url, str):
                self.result.error(str(body.get("id")), "no_paper_list", "the body lists no papers")
                continue
            started = datetime.now(UTC)  # before the walk: what changes meanwhile comes next time
            since = self.since or self.store.oparl_list_since(list_url)
            params = {"modified_since": since.isoformat(timespec="seconds")} if since else None
            for paper in self._walk(list_url, params):
                if self.max_papers is not None and n >= self.max_papers:
                    self.result.lists[list_url] = "incomplete"
                    return
                n += 1
                yield body, paper
            if self.result.lists.get(list_url) == "complete" and self.since is None:
                self.store.save_oparl_list(list_url, started)

    def lookup(self, ref: str) -> dict[str, Any] | None:
        """An object by URL (organization, meeting, file), once per sync; a failure is
        recorded and gives None."""
        if ref not in self._objects:
            try:
                self._objects[ref] = self.client.get_json(ref)
            except OParlError as exc:
                self.result.error(ref, exc.code, exc.reason)
                self._objects[ref] = None
        return self._objects[ref]

    # --- one paper --------------------------------------------------------------------

    def sync_paper(self, body: dict[str, Any], paper: dict[str, Any]) -> None:
        pid, body_id = paper["id"], body.get("id")
        prev = self.store.oparl_paper(pid)
        old_files: dict[str, Any] = prev["files"] if prev else {}
        if paper.get("deleted"):
            self.result.deleted += 1
            self._remove(list(old_files.values()))
            self.store.save_oparl_paper(pid, body_id, paper.get("modified"), old_files, deleted=True)
            return
        self.result.papers += 1
        meta = paper_metadata(paper, body_id, self.lookup, self.lookup)
        files: dict[str, Any] = {}
        for ref in paper_files(paper):
            f = ref if isinstance(ref, dict) else self.lookup(ref)
            fid = ref_id(ref)
            if f is not None and fid:
                files[fid] = self._file(f, meta, old_files.get(fid), self._city(body))
        self._remove([e for k, e in old_files.items() if k not in files])
        self.store.save_oparl_paper(pid, body_id, paper.get("modified"), files)

    def _remove(self, entries: list[dict[str, Any]]) -> None:
        """The documents of files a paper no longer has (or of a deleted paper) become removed."""
        for e in entries:
            if e.get("doc") and self.store.remove_documents([e["doc"]]):
                self.result.removed += 1
                self.result.removed_files.append({"source": e.get("source"), "doc": e["doc"]})

    def _city(self, body: dict[str, Any]) -> str | None:
        for key in ("shortName", "name"):
            name = re.sub(r"^(Stadt|Gemeinde|Landeshauptstadt|Markt)\s+", "", str(body.get(key) or "")).strip()
            if name in self._cities:
                return name
        return None

    def _file(self, f: dict[str, Any], meta: dict[str, Any], old: dict[str, Any] | None, city: str | None) -> dict[str, Any]:
        fid = str(f.get("id") or f.get("accessUrl"))
        urls = [u for u in (f.get("accessUrl"), f.get("downloadUrl")) if isinstance(u, str) and u]
        source = urls[0] if urls else fid
        dest = self.cache / hashlib.sha1(fid.encode()).hexdigest()[:20] / _safe_name(f.get("fileName") or f.get("name"))
        meta = {**meta, "oparl": {**meta["oparl"], "file": fid, "file_name": f.get("name")}}
        entry = {"doc": None, "modified": f.get("modified"), "path": str(dest), "source": source}
        path: Path | None = dest
        if not (old and old.get("modified") and old.get("modified") == f.get("modified") and dest.is_file()):
            path = self._download(f, urls, dest, source)
        result = self._ingest(path, source, meta, city) if path is not None else None
        if (result is None or result.status == "failed") and isinstance(f.get("text"), str) and f["text"].strip():
            txt = dest.with_name(dest.name + ".oparl.txt")
            txt.parent.mkdir(parents=True, exist_ok=True)
            txt.write_text(f["text"], encoding="utf-8")
            result = self._ingest(txt, source, {**meta, "text_source": "oparl"}, city)
        if result is not None:
            self.result.files.append({**result.to_dict(), "file": fid})
            if result.status == "failed":
                self.result.error(source, result.code or "failed", result.reason or "")
            else:
                entry["doc"] = result.document_id
        return entry

    def _download(self, f: dict[str, Any], urls: list[str], dest: Path, source: str) -> Path | None:
        sums = {algo: f[key] for key, algo in _CHECKSUMS.items() if isinstance(f.get(key), str)}
        if not urls:
            self.result.error(source, "no_url", "the file has neither accessUrl nor downloadUrl")
            return None
        for url in urls:
            try:
                return self.client.download(url, dest, sums)
            except OParlError as exc:
                err = exc
        self.result.error(source, err.code, err.reason)
        self.store.record_failure(source, None, None, f"oparl_{err.code}", err.reason)
        return None

    def _ingest(self, path: Path, source: str, meta: dict[str, Any], city: str | None) -> FileResult:
        """The normal ingest of one file (worker process, limits, stored failure), with the
        document's source the file's URL and the paper's metadata merged in."""
        digest, size = None, None
        try:
            size = path.stat().st_size
            digest = hash_file(path)
            status = self.store.document_status(digest)
            if status is not None:
                self.store.merge_document_metadata(digest, merge_metadata({}, meta))
                if status[0] == "removed":
                    self.store.reinstate(digest)
                return FileResult(source, "unchanged", digest, sha256=digest)
            doc, passages = self.worker.process(path, doc_id=digest, city=city, known_cities=self._cities)
            doc.source = source
            doc.metadata = merge_metadata(doc.metadata, meta)
            doc.title = doc.title or meta["oparl"].get("name")
            saved = self.store.save_document(doc, passages)
            return FileResult(source, saved.status, doc.id, len(passages), doc.pages, carried=saved.carried,
                              sha256=digest, format=doc.format.value)  # fmt: skip
        except InputError as exc:
            code, reason = exc.code, str(exc)
        except OSError as exc:
            code, reason = "unreadable", f"cannot be read: {exc.strerror or exc}"
        self.store.record_failure(source, digest, size, code, reason)
        return FileResult(source, "failed", digest, code=code, reason=reason, sha256=digest)


def sync_paper(sync: OParlSync, body: dict[str, Any], paper: dict[str, Any]) -> None:
    """The unit of an OParl sync: one paper (its files downloaded and ingested, or its
    documents removed when the server says it was deleted)."""
    sync.sync_paper(body, paper)
