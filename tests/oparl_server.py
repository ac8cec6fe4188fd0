"""A small OParl 1.1 server for tests, on 127.0.0.1 (a free port, a thread).

It serves ``tests/data/oparl/erlangen-fixture.json`` (a system, one body, organizations,
meetings, papers with consultations and files; PDFs served from ``../shared/real-docs``,
never copied), honours ``modified_since`` and pagination (``links.next``, two per page),
lists deleted papers (``deleted: true``) when asked for changes, logs every request, and
injects faults on request:

- ``fail_once``: paths (``/bodies/1/papers?page=2``) answered once with a 500 (Retry-After 0),
- ``missing``: paths answered with 404,
- ``html``: paths answered with an HTML page, ``broken``: with broken JSON,
- ``loop``: the paper list's page 3 links back to page 2.
"""

from __future__ import annotations

import hashlib
import json
import threading
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, quote, urlsplit

from .paths import DATA, REAL_DOCS

FIXTURE = DATA / "oparl" / "erlangen-fixture.json"
PAGE = 2


class OParlServer:
    def __init__(self, real_docs: Path = REAL_DOCS) -> None:
        self.real_docs = real_docs
        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
        self.httpd.fixture = self  # type: ignore[attr-defined]
        self.base = f"http://127.0.0.1:{self.httpd.server_address[1]}"
        raw = json.loads(FIXTURE.read_text(encoding="utf-8").replace("{base}", self.base))
        self.objects: dict[str, dict[str, Any]] = {}
        for obj in [raw["system"], raw["body"], *raw["organizations"], *raw["meetings"]]:
            self.objects[urlsplit(obj["id"]).path] = obj
        self.papers: list[dict[str, Any]] = raw["papers"]
        self.spare = raw["added"]
        self.content: dict[str, tuple[bytes | Path, str]] = {}
        for path, c in raw["_content"].items():
            if "real" in c:
                self.content[path] = (real_docs / c["real"], "application/pdf")
            else:
                self.content[path] = ((c.get("text") or c["bytes"]).encode(), "text/plain; charset=utf-8"
                                      if "text" in c else "application/pdf")  # fmt: skip
        for p in [*self.papers, self.spare]:
            for f in [p.get("mainFile"), *p.get("auxiliaryFile", [])]:
                if f and f.get("sha1Checksum") == "auto":  # without ../shared/real-docs: no checksum
                    path = urlsplit(f["accessUrl"]).path
                    body = self.content[path][0]
                    if isinstance(body, Path) and not body.is_file():
                        del f["sha1Checksum"]
                    else:
                        f["sha1Checksum"] = hashlib.sha1(self._bytes(path)).hexdigest()
        self.log: list[str] = []
        self.fail_once: set[str] = set()
        self.missing: set[str] = set()
        self.html: set[str] = set()
        self.broken: set[str] = set()
        self.loop = False
        self._thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        return f"{self.base}/oparl"

    def __enter__(self) -> OParlServer:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()

    # --- changes between syncs ---------------------------------------------------------

    def _now(self) -> str:
        return datetime.now(UTC).isoformat(timespec="seconds")

    def paper(self, n: int) -> dict[str, Any]:
        return next(p for p in self.papers if p["id"].endswith(f"/papers/{n}"))

    def modify(self, n: int, **fields: Any) -> None:
        self.paper(n).update(fields, modified=self._now())

    def delete(self, n: int) -> None:
        p = self.paper(n)
        p.clear()
        p.update(id=f"{self.base}/papers/{n}", type="https://schema.oparl.org/1.1/Paper", deleted=True,
                 modified=self._now())  # fmt: skip

    def add(self) -> None:
        self.papers.append({**self.spare, "modified": self._now()})

    def requests(self, prefix: str) -> list[str]:
        return [r for r in self.log if r.startswith(prefix)]

    # --- answers -----------------------------------------------------------------------

    def _bytes(self, path: str) -> bytes:
        body, _ = self.content[path]
        return body.read_bytes() if isinstance(body, Path) else body

    def paper_page(self, query: dict[str, list[str]]) -> dict[str, Any]:
        since = query.get("modified_since", [None])[0]
        page = int(query.get("page", ["1"])[0])
        papers = self.papers
        if since:
            when = datetime.fromisoformat(since)
            papers = [p for p in papers if datetime.fromisoformat(p["modified"]) >= when]
        else:
            papers = [p for p in papers if not p.get("deleted")]
        data = papers[(page - 1) * PAGE : page * PAGE]
        nxt = page + 1 if page * PAGE < len(papers) else None
        if self.loop and page == 3:
            nxt = 2
        links: dict[str, str] = {}
        if nxt:
            links["next"] = f"{self.base}/bodies/1/papers?page={nxt}" + (f"&modified_since={quote(since)}" if since else "")
        return {"data": data, "pagination": {"currentPage": page, "elementsPerPage": PAGE, "totalElements": len(papers)},
                "links": links}  # fmt: skip


class _Handler(BaseHTTPRequestHandler):
    def log_message(self, *args: Any) -> None:  # quiet
        pass

    def _send(self, status: int, body: bytes, kind: str, headers: dict[str, str] | None = None) -> None:
        self.send_response(status)
        self.send_header("Content-Type", kind)
        self.send_header("Content-Length", str(len(body)))
        for k, v in (headers or {}).items():
            self.send_header(k, v)
        self.end_headers()
        self.wfile.write(body)

    def do_GET(self) -> None:
        fx: OParlServer = self.server.fixture  # type: ignore[attr-defined]
        parts = urlsplit(self.path)
        query = parse_qs(parts.query)
        page = query.get("page", [None])[0]
        key = f"{parts.path}?page={page}" if page else parts.path
        fx.log.append(self.path)
        if key in fx.fail_once:
            fx.fail_once.discard(key)
            return self._send(500, b"Internal Server Error", "text/plain", {"Retry-After": "0"})
        if key in fx.missing:
            return self._send(404, b"Not Found", "text/plain")
        if key in fx.html:
            return self._send(200, b"<!DOCTYPE html><html><body>Wartungsarbeiten</body></html>", "text/html")
        if key in fx.broken:
            return self._send(200, b'{"id": "broken", "name": ', "application/json")
        if parts.path in fx.content:
            body, kind = fx.content[parts.path]
            return self._send(200, body.read_bytes() if isinstance(body, Path) else body, kind)
        if parts.path == "/bodies":
            obj: dict[str, Any] | None = {"data": [fx.objects["/bodies/1"]], "links": {}}
        elif parts.path == "/bodies/1/papers":
            obj = fx.paper_page(query)
        elif parts.path.startswith("/papers/"):
            obj = next((p for p in fx.papers if urlsplit(p["id"]).path == parts.path), None)
        else:
            obj = fx.objects.get(parts.path)
        if obj is None:
            return self._send(404, b'{"error": "not found"}', "application/json")
        self._send(200, json.dumps(obj, ensure_ascii=False).encode(), "application/json; charset=utf-8")
