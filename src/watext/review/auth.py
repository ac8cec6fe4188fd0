"""Who may use the review page, and how: the bind check, login, the signed reviewer
cookie, the double-submit CSRF token with a same-origin check, and security headers.

The reviewer's name lives in an HMAC-signed cookie (key made fresh per process); every
POST needs the CSRF token twice (cookie + hidden field) and a same-origin ``Origin`` or
``Referer``; cookies are ``HttpOnly``, ``SameSite=Strict`` and ``Secure`` over https; a
strict CSP allows only this origin (no inline script).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import ipaddress
import secrets
from typing import Any
from urllib.parse import urlencode, urlsplit

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from watext.errors import ConfigError

__all__ = ["CSP", "CSRF_COOKIE", "USER_COOKIE", "Auth", "SecurityHeaders", "check_bind", "is_loopback"]

USER_COOKIE, CSRF_COOKIE = "watext_reviewer", "watext_csrf"
CSP = ("default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self'; object-src 'none'; "
       "base-uri 'none'; form-action 'self'; frame-ancestors 'none'")  # fmt: skip


def is_loopback(host: str) -> bool:
    """Whether ``host`` names this machine only (localhost, 127.0.0.0/8, ::1)."""
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


class Auth:
    """Login state and CSRF checks of one app instance.

    ``password``: what every reviewer must give (None: any name will do);
    ``default_reviewer``: the name used without login (only when there is no password).
    """

    def __init__(self, password: str | None = None, default_reviewer: str | None = None) -> None:
        self.password = password
        self.default_reviewer = default_reviewer
        self._secret = secrets.token_bytes(32)

    # --- the signed reviewer cookie ----------------------------------------------------

    def _mac(self, raw: str) -> str:
        return hmac.new(self._secret, raw.encode(), hashlib.sha256).hexdigest()

    def sign(self, value: str) -> str:
        raw = base64.urlsafe_b64encode(value.encode()).decode()
        return raw + "." + self._mac(raw)

    def unsign(self, token: str | None) -> str | None:
        """The signed value, or None when ``token`` is missing, forged or damaged."""
        if not token or "." not in token:
            return None
        raw, sig = token.rsplit(".", 1)
        if not hmac.compare_digest(sig, self._mac(raw)):
            return None
        try:
            return base64.urlsafe_b64decode(raw.encode()).decode()
        except ValueError:
            return None

    def reviewer(self, request: Request) -> str | None:
        """The logged-in reviewer (or the default one when no password is required)."""
        name = self.unsign(request.cookies.get(USER_COOKIE))
        if name:
            return name
        return self.default_reviewer if not self.password else None

    def login(self, form: dict[str, list[str]]) -> str | None:
        """The reviewer name a login form gives, or None when the name is empty or the
        password is wrong."""
        name = (form.get("name") or [""])[0].strip()[:80]
        given = (form.get("password") or [""])[0]
        if not name or (self.password and not hmac.compare_digest(given.encode(), self.password.encode())):
            return None
        return name

    def set_reviewer(self, request: Request, response: Response, name: str) -> None:
        _set_cookie(request, response, USER_COOKIE, self.sign(name))

    # --- CSRF ----------------------------------------------------------------------------

    @staticmethod
    def csrf_token(request: Request) -> str:
        """The token for the page's forms (a new one is set as a cookie by :meth:`finish`)."""
        tok = request.cookies.get(CSRF_COOKIE)
        if not tok or len(tok) < 20:
            tok = request.state.__dict__.setdefault("new_csrf", secrets.token_urlsafe(32))
        return tok

    @staticmethod
    def csrf_ok(request: Request, form: dict[str, list[str]]) -> bool:
        """Cookie and form field carry the same token, and the request comes from this origin."""
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

    @staticmethod
    def finish(request: Request, response: Response) -> Response:
        """Set the CSRF cookie on ``response`` when this request minted a token."""
        if "new_csrf" in request.state.__dict__:
            _set_cookie(request, response, CSRF_COOKIE, request.state.new_csrf)
        return response

    @staticmethod
    def login_redirect(request: Request) -> RedirectResponse:
        return RedirectResponse("/login?" + urlencode({"next": str(request.url.path)}), status_code=303)


def _set_cookie(request: Request, response: Response, name: str, value: str) -> None:
    response.set_cookie(name, value, httponly=True, samesite="strict", secure=request.url.scheme == "https")


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
