"""An HTTP client for OParl servers: JSON objects and file downloads.

At most two requests per host at a time; a 5xx, 429, timeout or broken connection is
retried with exponential back-off (``Retry-After`` honoured, capped); every request has
its own timeout. Every failure is an :class:`OParlError` with a stable ``code``, so a sync
records it per object and goes on.
"""

from __future__ import annotations

import email.utils
import hashlib
import json
import threading
import time
from collections.abc import Callable
from datetime import UTC, datetime
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from typing import Any, TypeVar
from urllib.parse import urlsplit

import httpx

from watext.errors import WatextError

__all__ = ["USER_AGENT", "OParlClient", "OParlError"]

PER_HOST = 2
T = TypeVar("T")


def _version() -> str:
    try:
        return version("watext")
    except PackageNotFoundError:  # pragma: no cover - running from a source tree
        return "0"


USER_AGENT = f"watext/{_version()} (+OParl sync)"


class OParlError(WatextError):
    """A request to an OParl server failed; ``code``: unreachable, timeout, http_<status>,
    not_json, invalid_json, not_an_object, checksum, loop, too_large."""

    def __init__(self, code: str, url: str, reason: str) -> None:
        super().__init__(f"OParl {url}: {reason}")
        self.code, self.url, self.reason = code, url, reason


def _retry_after(value: str | None) -> float | None:
    if not value:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0.0, (when - datetime.now(UTC)).total_seconds())


class OParlClient:
    """``get_json(url)`` and ``download(url, dest)`` with retries and per-host limits."""

    def __init__(self, *, timeout: float = 30.0, retries: int = 4, backoff: float = 0.5, max_wait: float = 60.0,
                 max_file_mb: float = 100.0, transport: httpx.BaseTransport | None = None,
                 sleep: Callable[[float], None] = time.sleep) -> None:  # fmt: skip
        self.retries, self.backoff, self.max_wait, self.sleep = retries, backoff, max_wait, sleep
        self.max_bytes = int(max_file_mb * 1_048_576)
        self._http = httpx.Client(timeout=httpx.Timeout(timeout), follow_redirects=True, transport=transport,
                                  headers={"User-Agent": USER_AGENT})  # fmt: skip
        self._hosts: dict[str, threading.BoundedSemaphore] = {}
        self._lock = threading.Lock()
        self.requests = 0

    def close(self) -> None:
        self._http.close()

    def __enter__(self) -> OParlClient:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _host(self, url: str) -> threading.BoundedSemaphore:
        host = urlsplit(url).netloc.lower()
        with self._lock:
            return self._hosts.setdefault(host, threading.BoundedSemaphore(PER_HOST))

    def _request(self, url: str, handle: Callable[[httpx.Response], T], params: dict[str, str] | None = None) -> T:
        """``handle`` a 2xx response of ``url`` (streamed), after retries; raises OParlError.
        A timeout or broken connection while ``handle`` reads is retried as well."""
        if urlsplit(url).scheme not in ("http", "https"):
            raise OParlError("bad_url", url, "not an http(s) URL")
        attempt = 0
        while True:
            wait: float | None = None
            with self._host(url):
                self.requests += 1
                try:
                    with self._http.stream("GET", url, params=params) as resp:
                        if resp.status_code < 400:
                            return handle(resp)
                        code, reason = f"http_{resp.status_code}", f"HTTP {resp.status_code} {resp.reason_phrase}"
                        if resp.status_code != 429 and resp.status_code < 500:
                            raise OParlError(code, url, reason)
                        wait = _retry_after(resp.headers.get("Retry-After"))
                except httpx.TimeoutException:
                    code, reason = "timeout", "no answer in time"
                except httpx.TransportError as exc:
                    code, reason = "unreachable", f"cannot connect ({type(exc).__name__}: {exc})"
            if attempt >= self.retries:
                raise OParlError(code, url, f"{reason} (after {attempt + 1} attempts)")
            delay = wait if wait is not None else self.backoff * 2**attempt
            self.sleep(min(delay, self.max_wait))
            attempt += 1

    def get_json(self, url: str, params: dict[str, str] | None = None) -> dict[str, Any]:
        """The JSON object at ``url``; HTML, broken JSON or a non-object is an OParlError."""
        kind, body = self._request(url, lambda r: (r.headers.get("Content-Type", ""), r.read()), params)
        kind = kind.split(";")[0].strip().lower()
        if kind in ("text/html", "application/xhtml+xml") or body.lstrip()[:1] == b"<":
            raise OParlError("not_json", url, f"an HTML page instead of JSON ({kind or 'no content type'})")
        try:
            data = json.loads(body)
        except (ValueError, UnicodeDecodeError) as exc:
            raise OParlError("invalid_json", url, f"broken JSON ({exc})") from exc
        if not isinstance(data, dict):
            raise OParlError("not_an_object", url, f"JSON {type(data).__name__} instead of an object")
        return data

    def download(self, url: str, dest: Path, checksums: dict[str, str] | None = None) -> Path:
        """Save the file at ``url`` to ``dest`` (atomically); verify ``{"sha1": hex, ...}``."""
        dest.parent.mkdir(parents=True, exist_ok=True)
        part = dest.with_name(dest.name + ".part")

        def save(resp: httpx.Response) -> dict[str, Any]:
            hashes, size = {name: hashlib.new(name) for name in (checksums or {})}, 0
            with part.open("wb") as fh:
                for chunk in resp.iter_bytes():
                    size += len(chunk)
                    if size > self.max_bytes:
                        part.unlink(missing_ok=True)
                        raise OParlError("too_large", url, f"larger than {self.max_bytes // 1_048_576} MB")
                    fh.write(chunk)
                    for h in hashes.values():
                        h.update(chunk)
            return hashes

        hashes = self._request(url, save)
        for name, h in hashes.items():
            want = str((checksums or {})[name]).strip().lower()
            if h.hexdigest() != want:
                part.unlink(missing_ok=True)
                raise OParlError("checksum", url, f"{name} checksum differs ({h.hexdigest()} != {want})")
        part.replace(dest)
        return dest
