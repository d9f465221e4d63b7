"""What every route needs: the app's state, the request's language, the store, and a page renderer."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

from fastapi import Request
from fastapi.responses import HTMLResponse
from jinja2 import Environment, PackageLoader, select_autoescape

from sekisho.assess import Assessor
from sekisho.i18n import LANGS, Lang, category, country, local_time, number, text
from sekisho.i18n_reasons import translate
from sekisho.report.charts import daily_bars, level_bars
from sekisho.report.html import fmt_value, foreign, label_cells, md
from sekisho.store import Store
from sekisho.web.config import WebConfig
from sekisho.web.security import CSRF_FIELD, Guard

LANG_COOKIE = "sekisho_lang"
NAV = (
    ("/", "web.nav.overview"),
    ("/services", "web.nav.services"),
    ("/clients", "web.nav.clients"),
    ("/unknown", "web.nav.unknown"),
    ("/exports", "web.nav.exports"),
    ("/scans", "web.nav.scans"),
    ("/alerts", "web.nav.alerts"),
    ("/register", "register.web.nav"),
    ("/findings", "findings.nav"),
)


@dataclass
class AppState:
    db: Path
    catalog: Path | None
    settings: Path | None
    config: WebConfig
    assessor: Assessor
    guard: Guard
    env: Environment


def make_env() -> Environment:
    env = Environment(
        loader=PackageLoader("sekisho", "web/templates"),
        autoescape=select_autoescape(["html"]),
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.globals.update(daily_bars=daily_bars, level_bars=level_bars, nav=NAV, csrf_field=CSRF_FIELD)
    env.filters["score"] = lambda v: f"{v:.1f}" if v is not None else "—"
    env.filters["minute"] = lambda v: (v or "")[:16]
    env.filters["is_url"] = lambda v: isinstance(v, str) and v.startswith(("https://", "http://"))
    env.filters["md"] = md
    env.filters["n"] = number
    return env


def app_state(request: Request) -> AppState:
    st: AppState = request.app.state.sekisho
    return st


def lang_of(request: Request) -> Lang:
    """``?lang=`` (a link), else the ``sekisho_lang`` cookie (the switch), else Accept-Language."""
    for value in (request.query_params.get("lang"), request.cookies.get(LANG_COOKIE)):
        if value in LANGS:
            return value
    accept = request.headers.get("accept-language", "").lower()
    for part in accept.split(","):
        code = part.split(";")[0].strip()[:2]
        if code in LANGS:
            return code
    default = app_state(request).config.default_lang
    return default if default in LANGS else "en"


@contextmanager
def open_store(request: Request) -> Iterator[Store]:
    """The store for one request: opened and closed again, so `sekisho scan` in a terminal can use
    it between requests."""
    with Store(app_state(request).db) as store:
        yield store


def _here(request: Request) -> str:
    """This page's path and query without ``lang=``: where the language switch returns to."""
    query = urlencode([(k, v) for k, v in request.query_params.multi_items() if k != "lang"])
    return request.url.path + (f"?{query}" if query else "")


def render(request: Request, template: str, status: int = 200, **context: Any) -> HTMLResponse:
    st = app_state(request)
    lang = lang_of(request)
    html = st.env.get_template(template).render(
        request=request,
        path=request.url.path,
        here=_here(request),
        lang=lang,
        other_lang="en" if lang == "ja" else "ja",
        t=partial(text, lang=lang),
        country=partial(country, lang=lang),
        category=partial(category, lang=lang),
        reason_text=partial(translate, lang=lang),  # a scan's stored English reasons and notes
        local=partial(local_time, zone=st.assessor.settings.timezone),
        value=partial(fmt_value, lang=lang),
        foreign=partial(foreign, lang=lang),
        csrf_token=getattr(request.state, "csrf_token", ""),
        logged_in=st.config.needs_token and st.guard.authenticated(request),
        **context,
    )
    return HTMLResponse(label_cells(html), status_code=status)
