"""Logging in with the token, logging out, and the language switch (all POST forms with CSRF)."""

from __future__ import annotations

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse

from sekisho.i18n import LANGS
from sekisho.web.context import LANG_COOKIE, app_state, render
from sekisho.web.security import SESSION_COOKIE, guard_of, safe_next

router = APIRouter()
YEAR = 365 * 24 * 3600


@router.get("/login", response_model=None)
def login_page(request: Request, next: str = "/") -> HTMLResponse | RedirectResponse:
    if not app_state(request).config.needs_token:
        return RedirectResponse(safe_next(next), status_code=303)
    return render(request, "login.html", next=safe_next(next), failed=False)


@router.post("/login", response_model=None)
def login(request: Request, token: str = Form(""), next: str = Form("/")) -> HTMLResponse | RedirectResponse:
    guard = guard_of(request)
    if not guard.token_ok(token.strip()):
        return render(request, "login.html", status=401, next=safe_next(next), failed=True)
    response = RedirectResponse(safe_next(next), status_code=303)
    secure = request.url.scheme == "https"
    response.set_cookie(
        SESSION_COOKIE, guard.new_session(), httponly=True, samesite="strict", secure=secure, path="/"
    )
    return response


@router.post("/logout")
def logout(request: Request) -> RedirectResponse:
    guard_of(request).end_session(request.cookies.get(SESSION_COOKIE))
    response = RedirectResponse("/login" if app_state(request).config.needs_token else "/", status_code=303)
    response.delete_cookie(SESSION_COOKIE, path="/")
    return response


@router.post("/lang")
def switch_lang(request: Request, lang: str = Form("en"), next: str = Form("/")) -> RedirectResponse:
    response = RedirectResponse(safe_next(next), status_code=303)
    if lang in LANGS:
        response.set_cookie(LANG_COOKIE, lang, max_age=YEAR, samesite="lax", path="/")
    return response
