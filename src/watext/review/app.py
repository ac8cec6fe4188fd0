"""The review web app (Starlette): queue, passage card, undo/history, stats, adjudication.

Security: binds loopback unless a password is set (:func:`check_bind`); reviewer and
login state live in an HMAC-signed cookie; every POST needs the double-submit CSRF
token (cookie + hidden field) and a same-origin ``Origin``/``Referer``; Jinja2 escapes
all text; a strict CSP allows only this origin (no inline script).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import logging
import ipaddress
import secrets
import threading
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlencode, urlsplit

from jinja2 import Environment, FileSystemLoader, select_autoescape
from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.requests import ClientDisconnect, Request
from starlette.responses import HTMLResponse, RedirectResponse, Response
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles

from watext.errors import ConfigError, ConflictError
from watext.model import BODY_LABELS, GOAL_LABELS, TOPIC_LABELS
from watext.review import queue as Q

__all__ = ["check_bind", "create_app", "is_loopback"]

HERE = Path(__file__).parent
USER_COOKIE, CSRF_COOKIE = "watext_reviewer", "watext_csrf"
CSP = ("default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self'; object-src 'none'; "
       "base-uri 'none'; form-action 'self'; frame-ancestors 'none'")  # fmt: skip
FILTERS = ("lane", "city", "document", "goal", "topic", "status")


def is_loopback(host: str) -> bool:
    if host in ("localhost", "localhost.localdomain"):
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def check_bind(host: str, password: str | None) -> None:
    """Refuse to serve on a non-loopback address without a password."""
    if not is_loopback(host) and not password:
        raise ConfigError(f"refusing to listen on {host} without a password (set --password-env)")


class SecurityHeaders:
    """ASGI middleware adding CSP and friends to every response."""

    def __init__(self, app: Any) -> None:
        self.app = app

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            return await self.app(scope, receive, send)

        async def wrapped(msg: dict[str, Any]) -> None:
            if msg["type"] == "http.response.start":
                msg.setdefault("headers", [])
                msg["headers"] = list(msg["headers"]) + [
                    (b"content-security-policy", CSP.encode()), (b"x-content-type-options", b"nosniff"),
                    (b"referrer-policy", b"same-origin"), (b"x-frame-options", b"DENY"),
                    (b"cache-control", b"no-store"),
                ]  # fmt: skip
            await send(msg)

        await self.app(scope, receive, wrapped)


def _model(store: Any, model_dir: str | Path | None) -> tuple[str | None, str | None, dict[str, float]]:
    from watext.tag.registry import read_meta, resolve_model_dir

    try:
        meta = read_meta(resolve_model_dir(model_dir))
        return meta.get("name"), meta.get("version"), dict(meta.get("thresholds") or {})
    except (ConfigError, OSError, ValueError):
        latest = max(((p["model_version"], p["model_name"]) for p in store.iter_predictions()), default=None)
        return (latest[1], latest[0], {}) if latest else (None, None, {})


class Snapshot:
    """Passages, documents, predictions and topics, loaded once (they do not change while
    reviewing); review states are read fresh on every request."""

    def __init__(self, store: Any, model_dir: str | Path | None) -> None:
        from watext.tables.aggregate import goal_cells
        from watext.tables.collect import collect

        self.model_name, self.model_version, self.thresholds = _model(store, model_dir)
        self.docs = {d["id"]: d for d in store.iter_documents()}
        self.passages = {p["id"]: p for p in store.iter_passages()}
        self.preds: dict[str, dict[str, Any]] = {}
        if self.model_name:
            for p in store.iter_predictions(self.model_name):
                if p["model_version"] == self.model_version:
                    self.preds[p["passage_id"]] = p
        effective = collect(store, self.model_name, self.model_version)[0]
        topics = {tp.id: tp.topic for tp in effective}
        self.items = Q.build_items(self.passages.values(), self.docs, self.preds, self.thresholds, topics)
        from watext.tables.write import model_doubt_band

        ranks = Q.table_ranks(goal_cells(effective, doubt_band=model_doubt_band(model_dir)),
                              {tp.id: tp.topic for tp in effective if tp.topic and not tp.is_question})
        for it in self.items:
            it.table_rank = ranks.get(it.id, it.table_rank)
        self.by_id = {it.id: it for it in self.items}
        self.by_doc: dict[str, list[str]] = {}
        for p in sorted(self.passages.values(), key=lambda r: (r["document"], r["ordinal"])):
            self.by_doc.setdefault(p["document"], []).append(p["id"])
        self.cities = sorted({it.city for it in self.items if it.city}, key=str.casefold)


def source_url(source: str | None, fmt: str | None, page: int | None) -> str | None:
    if not source:
        return None
    try:
        url = Path(source).expanduser().resolve().as_uri()
    except (ValueError, OSError):
        return None
    return f"{url}#page={page}" if page and (fmt == "pdf" or source.lower().endswith(".pdf")) else url


async def _client_gone(request: Request, exc: Exception) -> Response:
    """A client that went away mid-request: one log line, no traceback."""
    logging.getLogger("watext.review").warning("client disconnected during %s %s", request.method,
                                                request.url.path)  # fmt: skip
    return Response(status_code=400)


def create_app(store: Any, reviewer_auth: str | None = None, model_dir: str | Path | None = None,
               default_reviewer: str | None = None, seed: str = Q.DEFAULT_SEED,
               double_share: float = Q.DOUBLE_SHARE) -> Starlette:  # fmt: skip
    """The review app on ``store``. ``reviewer_auth``: a password every reviewer must give
    (required when serving beyond loopback); ``default_reviewer``: name used without login."""
    secret = secrets.token_bytes(32)
    env = Environment(loader=FileSystemLoader(HERE / "templates"), autoescape=select_autoescape(default=True))
    env.globals.update(GOALS=GOAL_LABELS, BODIES=BODY_LABELS, TOPICS=TOPIC_LABELS, LANES=Q.LANES,
                       STATUSES=Q.STATUSES)  # fmt: skip
    from watext.tables.model import GOAL_TITLES

    env.globals["GOAL_TITLES"] = GOAL_TITLES
    lock = threading.Lock()
    snap: dict[str, Snapshot] = {}

    def snapshot() -> Snapshot:
        with lock:
            if "s" not in snap:
                snap["s"] = Snapshot(store, model_dir)
            return snap["s"]

    # --- cookies, auth, csrf -------------------------------------------------------
    def sign(value: str) -> str:
        raw = base64.urlsafe_b64encode(value.encode()).decode()
        return raw + "." + hmac.new(secret, raw.encode(), hashlib.sha256).hexdigest()

    def unsign(token: str | None) -> str | None:
        if not token or "." not in token:
            return None
        raw, sig = token.rsplit(".", 1)
        if not hmac.compare_digest(sig, hmac.new(secret, raw.encode(), hashlib.sha256).hexdigest()):
            return None
        try:
            return base64.urlsafe_b64decode(raw.encode()).decode()
        except ValueError:
            return None

    def reviewer(request: Request) -> str | None:
        name = unsign(request.cookies.get(USER_COOKIE))
        if name:
            return name
        return default_reviewer if not reviewer_auth else None

    def csrf_token(request: Request) -> str:
        tok = request.cookies.get(CSRF_COOKIE)
        if not tok or len(tok) < 20:
            tok = request.state.__dict__.setdefault("new_csrf", secrets.token_urlsafe(32))
        return tok

    def csrf_ok(request: Request, form: dict[str, list[str]]) -> bool:
        cookie, field = request.cookies.get(CSRF_COOKIE), (form.get("csrf") or [""])[0]
        if not cookie or not field or not hmac.compare_digest(cookie, field):
            return False
        here = f"{request.url.scheme}://{request.url.netloc}"
        origin = request.headers.get("origin")
        if origin:
            return origin == here
        ref = request.headers.get("referer")
        if ref:
            parts = urlsplit(ref)
            return f"{parts.scheme}://{parts.netloc}" == here
        return False

    def render(request: Request, name: str, status: int = 200, **ctx: Any) -> HTMLResponse:
        ctx.update(request=request, user=reviewer(request), csrf=csrf_token(request),
                   model=(snapshot().model_name, snapshot().model_version))  # fmt: skip
        resp = HTMLResponse(env.get_template(name).render(**ctx), status_code=status)
        if "new_csrf" in request.state.__dict__:
            resp.set_cookie(CSRF_COOKIE, request.state.new_csrf, httponly=True, samesite="strict",
                            secure=request.url.scheme == "https")  # fmt: skip
        return resp

    def login_redirect(request: Request) -> RedirectResponse:
        return RedirectResponse("/login?" + urlencode({"next": str(request.url.path)}), status_code=303)

    # --- queue state ------------------------------------------------------------------
    def filters(params: Any) -> dict[str, str]:
        f = {k: (params.get(k) or "").strip() for k in FILTERS}
        f["lane"] = f["lane"] if f["lane"] in Q.LANES else "uncertain"
        f["status"] = f["status"] if f["status"] in Q.STATUSES else "unreviewed"
        return f

    def ordered(f: dict[str, str], reviewed: dict[str, Any]) -> list[Q.Item]:
        s = snapshot()
        items = Q.filter_items(s.items, reviewed, city=f["city"] or None, document=f["document"] or None,
                               goal=f["goal"] or None, topic=f["topic"] or None, status="all")  # fmt: skip
        return Q.order_items(items, f["lane"], seed)

    def card_url(pid: str | None, f: dict[str, str]) -> str:
        return f"/passage/{pid}?{urlencode(f)}" if pid else f"/queue?{urlencode(f)}"

    # --- pages ------------------------------------------------------------------------
    def index(request: Request) -> Response:
        return RedirectResponse("/queue", status_code=303)

    def login_page(request: Request) -> Response:
        return render(request, "login.html", need_password=bool(reviewer_auth), error=None,
                      next=request.query_params.get("next") or "/queue")  # fmt: skip

    async def login_post(request: Request) -> Response:
        form = await _form(request)
        nxt = (form.get("next") or ["/queue"])[0]
        nxt = nxt if nxt.startswith("/") and not nxt.startswith("//") else "/queue"
        if not csrf_ok(request, form):
            return HTMLResponse("CSRF check failed", status_code=403)
        name = (form.get("name") or [""])[0].strip()[:80]
        pw = (form.get("password") or [""])[0]
        if not name or (reviewer_auth and not hmac.compare_digest(pw.encode(), reviewer_auth.encode())):
            return render(request, "login.html", status=401, need_password=bool(reviewer_auth),
                          error="name and (correct) password required", next=nxt)  # fmt: skip
        resp = RedirectResponse(nxt, status_code=303)
        resp.set_cookie(USER_COOKIE, sign(name), httponly=True, samesite="strict",
                        secure=request.url.scheme == "https")  # fmt: skip
        return resp

    def queue_page(request: Request) -> Response:
        if not reviewer(request):
            return login_redirect(request)
        f = filters(request.query_params)
        reviewed, _ = reviewed_for(reviewer(request))
        items = ordered(f, reviewed)
        todo = [it for it in items if Q._status_ok(it.id, reviewed, f["status"])]
        stats = Q.progress(items, reviewed, Q.order_items(snapshot().items, "random", seed))
        return render(request, "queue.html", f=f, items=todo[:200], n=len(todo), stats=stats,
                      reviewed=reviewed, snap=snapshot(), start=card_url(todo[0].id if todo else None, f),
                      card_url=card_url)  # fmt: skip

    def reviewed_for(user: str | None) -> tuple[dict[str, Any], dict[str, Any]]:
        """(reviewed states as ``user``'s queue sees them, each reviewer's latest state)."""
        by = Q.latest_by_reviewer(store.iter_corrections())
        return Q.seen_by(store.reviewed_states(), by, user or "", seed, double_share), by

    def card(request: Request, pid: str, f: dict[str, str], status: int = 200, conflict: Any = None,
             mine: dict[str, Any] | None = None, error: str | None = None) -> Response:  # fmt: skip
        s = snapshot()
        p = s.passages.get(pid)
        if p is None:
            return HTMLResponse("no such passage", status_code=404)
        reviewed, by = reviewed_for(reviewer(request))
        prev, nxt = Q.neighbours(ordered(f, reviewed), pid, reviewed, f["status"])
        state = store.review_state(pid)
        pred = s.preds.get(pid) or {}
        blind = Q.needs_second(pid, by, reviewer(request) or "", seed, double_share)
        src = state if state.get("reviewed") and not blind else pred
        item = s.by_id.get(pid)
        topic = src.get("topic") if state.get("reviewed") and not blind else (pred.get("topic") or (item.topic if item else None))
        shown = mine or {"labels": list(src.get("labels") or []), "body": src.get("body"),
                         "body_name": src.get("body_name"), "topic": topic}  # fmt: skip
        doc = s.docs.get(p["document"], {})
        ids = s.by_doc.get(p["document"], [])
        k = ids.index(pid) if pid in ids else -1
        before = s.passages.get(ids[k - 1]) if k > 0 else None
        after = s.passages.get(ids[k + 1]) if 0 <= k < len(ids) - 1 else None
        return render(request, "card.html", status=status, p=p, doc=doc, pred=pred, state=state, shown=shown,
                      history=list(reversed(store.history(pid))), before=before, after=after, f=f,
                      q=urlencode(f), prev_url=card_url(prev, f) if prev else None, next_url=card_url(nxt, f),
                      src_url=source_url(p.get("source"), doc.get("format"), p.get("page")),
                      conflict=conflict, error=error, item=item, thresholds=s.thresholds, blind=blind,
                      base_revision=(conflict or state)["revision"])  # fmt: skip

    def card_page(request: Request) -> Response:
        if not reviewer(request):
            return login_redirect(request)
        return card(request, request.path_params["pid"], filters(request.query_params))

    async def save_post(request: Request) -> Response:
        form = await _form(request)
        return await run_in_threadpool(_save, request, form)

    def _save(request: Request, form: dict[str, list[str]]) -> Response:
        if not csrf_ok(request, form):
            return HTMLResponse("CSRF check failed", status_code=403)
        user = reviewer(request)
        if not user:
            return HTMLResponse("log in first", status_code=401)
        pid = request.path_params["pid"]
        f = filters({k: (v or [""])[0] for k, v in parse_qs((form.get("q") or [""])[0]).items()})
        s = snapshot()
        if pid not in s.passages:
            return HTMLResponse("no such passage", status_code=404)
        try:
            base = int((form.get("base_revision") or ["x"])[0])
        except ValueError:
            return HTMLResponse("base_revision missing", status_code=400)
        if "undo" in form:
            try:
                store.undo_correction(pid, user, base_revision=base)
            except ConflictError as exc:
                return card(request, pid, f, 409, conflict=exc.current)
            except ConfigError as exc:
                return card(request, pid, f, 400, error=str(exc))
            return RedirectResponse(card_url(pid, f), status_code=303)
        one = lambda k: ((form.get(k) or [""])[0].strip() or None)  # noqa: E731
        mine = {"labels": [g for g in GOAL_LABELS if g in set(form.get("goal") or [])], "body": one("body"),
                "body_name": one("body_name"), "topic": one("topic")}  # fmt: skip
        pred = s.preds.get(pid) or {}
        item = s.by_id[pid]
        same = bool(pred) and set(mine["labels"]) == set(pred.get("labels") or []) \
            and mine["body"] == pred.get("body") and mine["topic"] == (pred.get("topic") or item.topic)
        try:
            store.save_correction(pid, user, **mine, base_revision=base, action="accept" if same else "correct",
                                  model_version=s.model_version)  # fmt: skip
        except ConflictError as exc:
            return card(request, pid, f, 409, conflict=exc.current, mine=mine)
        except ConfigError as exc:
            return card(request, pid, f, 400, mine=mine, error=str(exc))
        reviewed, _ = reviewed_for(user)
        _, nxt = Q.neighbours(ordered(f, reviewed), pid, reviewed, f["status"])
        return RedirectResponse(card_url(nxt if nxt != pid else None, f), status_code=303)

    def stats_page(request: Request) -> Response:
        if not reviewer(request):
            return login_redirect(request)
        reviewed = store.reviewed_states()
        s = snapshot()
        stats = Q.progress(s.items, reviewed, Q.order_items(s.items, "random", seed))
        by_passage = Q.latest_by_reviewer(store.iter_corrections())
        return render(request, "stats.html", stats=stats, agreement=Q.agreement(by_passage),
                      n_dis=len(Q.disagreements(by_passage)))  # fmt: skip

    def adjudicate_page(request: Request) -> Response:
        if not reviewer(request):
            return login_redirect(request)
        s = snapshot()
        rows = [(pid, states, s.passages.get(pid)) for pid, states in
                Q.disagreements(Q.latest_by_reviewer(store.iter_corrections()))]  # fmt: skip
        f = filters({"status": "all"})
        return render(request, "adjudicate.html", rows=rows, card_url=card_url, f=f)

    routes = [
        Route("/", index), Route("/login", login_page, methods=["GET"]),
        Route("/login", login_post, methods=["POST"]), Route("/queue", queue_page),
        Route("/passage/{pid}", card_page, methods=["GET"]),
        Route("/passage/{pid}", save_post, methods=["POST"]),
        Route("/stats", stats_page), Route("/adjudicate", adjudicate_page),
        Route("/favicon.ico", lambda request: Response(status_code=204)),
        Mount("/static", StaticFiles(directory=HERE / "static"), name="static"),
    ]  # fmt: skip
    app = Starlette(routes=routes, exception_handlers={ClientDisconnect: _client_gone})
    app.add_middleware(SecurityHeaders)
    app.state.store = store
    return app


async def _form(request: Request) -> dict[str, list[str]]:
    """The urlencoded form body (no python-multipart needed; other types give {})."""
    ctype = request.headers.get("content-type", "").split(";")[0].strip().lower()
    body = await request.body()
    if ctype != "application/x-www-form-urlencoded" or len(body) > 1_000_000:
        return {}
    return parse_qs(body.decode("utf-8", "replace"), keep_blank_values=True)
