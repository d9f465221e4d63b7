"""Who may use the dashboard and how a form proves it came from the dashboard.

* **Host check.** On a loopback bind only ``localhost``/``127.0.0.1``/``[::1]`` (and names the
  admin adds) are accepted in the ``Host`` header, so a web page cannot reach the dashboard by
  pointing its own name at 127.0.0.1 (DNS rebinding).
* **Token.** Anywhere else (or when a token is set) every request needs a session made by logging
  in with the token, or ``Authorization: Bearer TOKEN``. Only the token's SHA-256 is kept.
* **CSRF.** Every POST/PUT/PATCH/DELETE carries ``csrf_token`` (``X-CSRF-Token`` header, query
  parameter, or — for small url-encoded forms only — form field) equal to an HMAC of the browser's
  ``sekisho_csrf`` cookie under a secret of this process; a request whose ``Origin`` or
  ``Sec-Fetch-Site`` says another site sent it is refused too. A multipart body (an upload) is
  never read before its token is checked: its token must be in the header or the query.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from collections.abc import Awaitable, Callable
from urllib.parse import quote, urlsplit

from fastapi import HTTPException, Request
from starlette.responses import RedirectResponse, Response

from sekisho.web.config import LOOPBACK_NAMES, WebConfig, is_loopback, token_digest

SESSION_COOKIE = "sekisho_session"
CSRF_COOKIE = "sekisho_csrf"
CSRF_FIELD = "csrf_token"
CSRF_HEADER = "x-csrf-token"
UNSAFE = frozenset({"POST", "PUT", "PATCH", "DELETE"})
OPEN_PATHS = ("/login", "/static/")

HEADERS = {
    "Content-Security-Policy": "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
    "object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'",
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "same-origin",  # no-referrer would make browsers send `Origin: null` on our own forms
    "Cross-Origin-Opener-Policy": "same-origin",
}


class Guard:
    """Sessions, tokens and CSRF tokens of one running dashboard."""

    def __init__(self, config: WebConfig) -> None:
        self.config = config
        self._sessions: set[str] = set()

    # -- who ------------------------------------------------------------------------------------
    def token_ok(self, token: str | None) -> bool:
        expected = self.config.token_hash
        return bool(expected and token) and hmac.compare_digest(token_digest(token or ""), expected or "")

    def new_session(self) -> str:
        sid = secrets.token_urlsafe(32)
        self._sessions.add(sid)
        return sid

    def end_session(self, sid: str | None) -> None:
        self._sessions.discard(sid or "")

    def authenticated(self, request: Request) -> bool:
        if not self.config.needs_token:
            return True
        sid = request.cookies.get(SESSION_COOKIE)
        if sid and sid in self._sessions:
            return True
        scheme, _, value = request.headers.get("authorization", "").partition(" ")
        return scheme.lower() == "bearer" and self.token_ok(value.strip())

    def host_ok(self, request: Request) -> bool:
        if not self.config.local:
            return True  # the token protects a public bind
        host = request.headers.get("host", "")
        name = host.rsplit(":", 1)[0] if not host.endswith("]") else host
        name = name.lower()
        return name in LOOPBACK_NAMES or is_loopback(name) or name in self.config.allowed_hosts

    # -- CSRF -----------------------------------------------------------------------------------
    def csrf_token(self, cookie: str) -> str:
        return hmac.new(self.config.secret, cookie.encode(), hashlib.sha256).hexdigest()

    def csrf_ok(self, request: Request, submitted: object) -> bool:
        cookie = request.cookies.get(CSRF_COOKIE)
        if not cookie or not isinstance(submitted, str) or not submitted:
            return False
        if not hmac.compare_digest(submitted, self.csrf_token(cookie)):
            return False
        if request.headers.get("sec-fetch-site", "same-origin") not in ("same-origin", "none"):
            return False  # the browser says another site sent it
        origin = request.headers.get("origin")
        if origin is not None:
            host = request.headers.get("host", "")
            if origin == "null" or urlsplit(origin).netloc.lower() != host.lower():
                return False
        return True


def guard_of(request: Request) -> Guard:
    guard: Guard = request.app.state.guard
    return guard


async def csrf_protect(request: Request) -> None:
    """App-wide dependency: a state-changing request without a valid CSRF token is refused (403)."""
    if request.method not in UNSAFE:
        return
    submitted: object = request.headers.get(CSRF_HEADER) or request.query_params.get(CSRF_FIELD)
    if not submitted:
        ctype = request.headers.get("content-type", "")
        # Only a url-encoded form is read for its token (small; starlette caps its fields). An
        # upload's body is never read, let alone spooled to disk, before the token is checked.
        if ctype.startswith("application/x-www-form-urlencoded"):
            submitted = (await request.form()).get(CSRF_FIELD)
    if not guard_of(request).csrf_ok(request, submitted):
        raise HTTPException(status_code=403, detail="csrf")


def safe_next(target: str | None) -> str:
    """A redirect target on this site only: a path, never ``//host`` or a full URL."""
    if not target or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return "/"
    return target


Next = Callable[[Request], Awaitable[Response]]


async def _refuse(request: Request, status: int, reason: str) -> Response:
    page: Response = await request.app.state.error_page(request, status, reason)
    return page


async def security_middleware(request: Request, call_next: Next) -> Response:
    guard = guard_of(request)
    if not guard.host_ok(request):
        return await _refuse(request, 400, "host")
    path = request.url.path
    if not path.startswith(OPEN_PATHS) and not guard.authenticated(request):
        if request.method == "GET" and "text/html" in request.headers.get("accept", ""):
            return RedirectResponse(f"/login?next={quote(request.url.path)}", status_code=303)
        return await _refuse(request, 401, "auth")
    cookie = request.cookies.get(CSRF_COOKIE)
    new_cookie = None
    if not cookie:
        cookie = new_cookie = secrets.token_urlsafe(32)
    request.state.csrf_token = guard.csrf_token(cookie)
    response = await call_next(request)
    if new_cookie:
        response.set_cookie(CSRF_COOKIE, new_cookie, httponly=True, samesite="strict", path="/")
    for key, value in HEADERS.items():
        response.headers.setdefault(key, value)
    response.headers.setdefault("Cache-Control", "no-store")
    return response
