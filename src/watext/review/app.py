"""The review web app (Starlette): routes and app assembly.

Routes read the request, ask :mod:`~watext.review.auth` who is asking, let
:class:`~watext.review.service.ReviewService` do the work and :mod:`~watext.review.views`
render the result. One exception handler turns the service's errors into responses:
:class:`NotFoundError` 404, :class:`ValidationError` 400, :class:`ConflictError` 409 (on a
save or undo: the passage card again, with the reviewer's choice kept and, after a
conflict, the state stored now); other errors, Starlette's 404/405 and a failed CSRF check
get an error page (:meth:`Views.message`). A queue without a chosen lane opens in
:meth:`ReviewService.default_lane`.

Every text a person reads is rendered by :class:`~watext.review.views.Views` in the app's
language (``create_app(lang=…)``; default: the one in force, i.e. ``WATEXT_LANG`` /
``Settings.lang``, German when unset); here only catalogue keys are named.
"""

from __future__ import annotations

import functools
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs

from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException
from starlette.requests import ClientDisconnect, Request
from starlette.responses import HTMLResponse, RedirectResponse, Response
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles

from watext.errors import ConflictError, NotFoundError, ValidationError
from watext.model import GOAL_LABELS
from watext.review import queue as Q
from watext.review.auth import Auth, SecurityHeaders, check_bind, is_loopback
from watext.review.service import Choice, ReviewService, filters
from watext.review.views import Page, Views, card_url
from watext.store import Store

__all__ = ["ERROR_STATUS", "check_bind", "create_app", "is_loopback", "review_error"]

HERE = Path(__file__).parent
Form = dict[str, list[str]]
#: The HTTP status of each error the review service raises.
ERROR_STATUS: dict[type[Exception], int] = {NotFoundError: 404, ValidationError: 400, ConflictError: 409}


@dataclass(frozen=True, slots=True)
class _Parts:
    service: ReviewService
    views: Views
    auth: Auth


@dataclass(frozen=True, slots=True)
class _CardContext:
    """Set on ``request.state`` by a save or undo: where an error shows the card again."""

    pid: str
    f: dict[str, str]
    mine: Choice | None


def _parts(request: Request) -> _Parts:
    return request.app.state.review


def _render(request: Request, view: Callable[..., HTMLResponse], *args: Any, **kw: Any) -> Response:
    """``view(page, *args, **kw)`` with this request's header data; sets a new CSRF cookie."""
    parts = _parts(request)
    model = parts.service.snapshot().model
    page = Page(parts.auth.reviewer(request), parts.auth.csrf_token(request), (model.name, model.version))
    return parts.auth.finish(request, view(page, *args, **kw))


def _card(request: Request, pid: str, f: dict[str, str], status: int = 200, **kw: Any) -> Response:
    parts = _parts(request)
    card = parts.service.card(parts.auth.reviewer(request) or "", pid, f, **kw)
    return _render(request, parts.views.card, card, f, parts.service.snapshot().model.thresholds, status)


def review_error(request: Request, exc: Exception) -> Response:
    """The one handler of :data:`ERROR_STATUS`'s errors."""
    status = next(code for cls, code in ERROR_STATUS.items() if isinstance(exc, cls))
    ctx: _CardContext | None = getattr(request.state, "card", None)
    if ctx is None or isinstance(exc, NotFoundError):
        return _message(request, str(exc), status)
    if isinstance(exc, ConflictError):
        return _card(request, ctx.pid, ctx.f, status, mine=ctx.mine, conflict=exc.current)
    return _card(request, ctx.pid, ctx.f, status, mine=ctx.mine, error=str(exc))


def _message(request: Request, text: str, status: int) -> Response:
    """An error page (escaped, in the app's language) for ``request``."""
    parts = _parts(request)
    return parts.views.message(text, status, parts.auth.reviewer(request))


async def _http_error(request: Request, exc: Exception) -> Response:
    """Starlette's own errors (unknown address, wrong method) as pages in the app's language."""
    status = getattr(exc, "status_code", 500)
    key = {404: "no_page", 405: "not_here"}.get(status, "failed")
    return _message(request, _parts(request).views.text("error", key), status)


async def _client_gone(request: Request, exc: Exception) -> Response:
    """A client that went away mid-request: one log line, no traceback."""
    logging.getLogger("watext.review").warning("client disconnected during %s %s", request.method,
                                                request.url.path)  # fmt: skip
    return Response(status_code=400)


async def _form(request: Request) -> Form:
    """The urlencoded form body (no python-multipart needed; other types give {})."""
    ctype = request.headers.get("content-type", "").split(";")[0].strip().lower()
    body = await request.body()
    if ctype != "application/x-www-form-urlencoded" or len(body) > 1_000_000:
        return {}
    return parse_qs(body.decode("utf-8", "replace"), keep_blank_values=True)


def _first(form: Form, key: str) -> str:
    return (form.get(key) or [""])[0]


def _choice(form: Form) -> Choice:
    goals = set(form.get("goal") or [])
    one = {k: _first(form, k).strip() or None for k in ("body", "body_name", "topic")}
    return Choice(tuple(g for g in GOAL_LABELS if g in goals), **one)


def _form_post(handler: Callable[[Request, Form], Response]) -> Callable[[Request], Awaitable[Response]]:
    """An endpoint for a form POST: reads the body, then checks the CSRF token and origin
    (403) and runs ``handler`` in a worker thread (both may use the database)."""

    def checked(request: Request, form: Form) -> Response:
        if not _parts(request).auth.csrf_ok(request, form):
            return _message(request, _parts(request).views.text("error", "csrf"), 403)
        return handler(request, form)

    @functools.wraps(handler)
    async def endpoint(request: Request) -> Response:
        form = await _form(request)
        return await run_in_threadpool(checked, request, form)

    return endpoint


def _reviewer_page(handler: Callable[[Request, str], Response]) -> Callable[[Request], Response]:
    """A page for a logged-in reviewer (``handler`` gets the name); others go to the login."""

    @functools.wraps(handler)
    def endpoint(request: Request) -> Response:
        auth = _parts(request).auth
        user = auth.reviewer(request)
        return handler(request, user) if user else auth.login_redirect(request)

    return endpoint


# --- routes ---------------------------------------------------------------------------


def index(request: Request) -> Response:
    return RedirectResponse("/queue", status_code=303)


def login_page(request: Request) -> Response:
    parts = _parts(request)
    return _render(request, parts.views.login, need_password=bool(parts.auth.password),
                   next=request.query_params.get("next") or "/queue")  # fmt: skip


@_form_post
def login_post(request: Request, form: Form) -> Response:
    parts = _parts(request)
    nxt = _first(form, "next") or "/queue"
    nxt = nxt if nxt.startswith("/") and not nxt.startswith("//") else "/queue"
    name = parts.auth.login(form)
    if not name:
        return _render(request, parts.views.login, need_password=bool(parts.auth.password), next=nxt,
                       error=parts.views.text("login", "failed"), status=401)  # fmt: skip
    resp = RedirectResponse(nxt, status_code=303)
    parts.auth.set_reviewer(request, resp, name)
    return resp


@_reviewer_page
def queue_page(request: Request, user: str) -> Response:
    parts = _parts(request)
    f = filters(request.query_params, parts.service.default_lane())
    return _render(request, parts.views.queue, parts.service.queue(user, f), f, parts.service.snapshot())


@_reviewer_page
def card_page(request: Request, user: str) -> Response:
    lane = _parts(request).service.default_lane()
    return _card(request, request.path_params["pid"], filters(request.query_params, lane))


@_form_post
def save_post(request: Request, form: Form) -> Response:
    """Save, accept or undo; then the next card of the queue (or this one after undo)."""
    parts = _parts(request)
    user = parts.auth.reviewer(request)
    if not user:
        return _message(request, parts.views.text("error", "login_first"), 401)
    pid = request.path_params["pid"]
    f = filters({k: (v or [""])[0] for k, v in parse_qs(_first(form, "q")).items()}, parts.service.default_lane())
    parts.service.snapshot().passage(pid)
    try:
        base = int(_first(form, "base_revision"))
    except ValueError:
        raise ValidationError("the form is incomplete (no base_revision)") from None
    if "undo" in form:
        request.state.card = _CardContext(pid, f, None)
        parts.service.undo(user, pid, base)
        return RedirectResponse(card_url(pid, f), status_code=303)
    mine = _choice(form)
    request.state.card = _CardContext(pid, f, mine)
    return RedirectResponse(card_url(parts.service.save(user, pid, mine, base, f), f), status_code=303)


@_reviewer_page
def stats_page(request: Request, user: str) -> Response:
    parts = _parts(request)
    return _render(request, parts.views.stats, parts.service.stats())


@_reviewer_page
def adjudicate_page(request: Request, user: str) -> Response:
    parts = _parts(request)
    return _render(request, parts.views.adjudicate, parts.service.disagreements(),
                   filters({"status": "all"}, parts.service.default_lane()))  # fmt: skip


ROUTES = [
    Route("/", index), Route("/login", login_page, methods=["GET"]),
    Route("/login", login_post, methods=["POST"]), Route("/queue", queue_page),
    Route("/passage/{pid}", card_page, methods=["GET"]),
    Route("/passage/{pid}", save_post, methods=["POST"]),
    Route("/stats", stats_page), Route("/adjudicate", adjudicate_page),
    Route("/favicon.ico", lambda request: Response(status_code=204)),
    Mount("/static", StaticFiles(directory=HERE / "static"), name="static"),
]  # fmt: skip


def create_app(store: Store, reviewer_auth: str | None = None, model_dir: str | Path | None = None,
               default_reviewer: str | None = None, seed: str = Q.DEFAULT_SEED,
               double_share: float = Q.DOUBLE_SHARE, lang: str | None = None) -> Starlette:  # fmt: skip
    """The review app on ``store``. ``reviewer_auth``: a password every reviewer must give
    (required when serving beyond loopback); ``default_reviewer``: name used without login;
    ``lang``: the page's language (``de``/``en``; default: the one in force now, i.e.
    ``WATEXT_LANG``, German when unset). ValueError for an unknown language."""
    handlers: dict[Any, Any] = {cls: review_error for cls in ERROR_STATUS}
    handlers.update({ClientDisconnect: _client_gone, HTTPException: _http_error})
    app = Starlette(routes=ROUTES, exception_handlers=handlers)
    app.add_middleware(SecurityHeaders)
    app.state.store = store
    app.state.review = _Parts(ReviewService(store, model_dir, seed, double_share), Views(lang),
                              Auth(reviewer_auth, default_reviewer))  # fmt: skip
    return app
