"""The dashboard's app factory: state, security, friendly errors, routes."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

from fastapi import Depends, FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse
from fastapi.staticfiles import StaticFiles
from starlette.exceptions import HTTPException as StarletteHTTPException

from sekisho.api import assessor_for
from sekisho.errors import ConfigError, NotFoundError, SekishoError
from sekisho.store import busy, default_db_path
from sekisho.web.config import WebConfig
from sekisho.web.context import AppState, make_env, render
from sekisho.web.jobs import ScanJobs
from sekisho.web.routes import alerts, exports, findings, pages, register, reports, scans, session
from sekisho.web.security import Guard, csrf_protect, security_middleware

log = logging.getLogger("sekisho.web")
STATIC = Path(__file__).parent / "static"
ERROR_KEYS = {400: "bad_request", 401: "auth", 403: "forbidden", 404: "not_found", 405: "method",
              409: "conflict", 413: "too_large", 500: "internal", 503: "busy"}  # fmt: skip
RETRY_AFTER = "5"  # seconds; a scan holds the store for seconds to minutes


def create_app(
    db: Path | None = None,
    catalog: Path | None = None,
    settings: Path | None = None,
    config: WebConfig | None = None,
) -> FastAPI:
    """The dashboard over the store ``db`` (default: the user's), the catalog and the organisation's
    settings, as the CLI would use them. A non-loopback ``config.host`` needs ``config.token``."""
    config = config or WebConfig()
    busy.configure_wait(0)  # a request never waits for the store: it answers 503 with Retry-After
    if not config.local and config.token_hash is None:
        raise ConfigError(
            f"listening on {config.host} needs a token (the dashboard would be open to the network)"
        )
    jobs = ScanJobs(Path(db) if db else default_db_path(), catalog, settings)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        yield
        jobs.shutdown()

    app = FastAPI(
        title="sekisho",
        docs_url=None,
        redoc_url=None,
        openapi_url=None,
        dependencies=[Depends(csrf_protect)],
        lifespan=lifespan,
    )
    app.state.sekisho = AppState(
        db=jobs.db,
        catalog=catalog,
        settings=settings,
        config=config,
        assessor=assessor_for(catalog, settings),
        guard=Guard(config),
        env=make_env(),
    )
    app.state.guard = app.state.sekisho.guard
    app.state.jobs = jobs
    app.state.error_page = _error_page
    app.middleware("http")(security_middleware)
    app.mount("/static", StaticFiles(directory=STATIC), name="static")
    for module in (pages, exports, scans, reports, session, alerts, register, findings):
        app.include_router(module.router)
    _errors(app)
    return app


async def _error_page(
    request: Request, status: int, reason: str | None = None, message: str = ""
) -> HTMLResponse:
    key = reason or ERROR_KEYS.get(status, "bad_request")
    return render(request, "error.html", status=status, status_code=status, reason=key, message=message)


def _errors(app: FastAPI) -> None:
    """Every error is a page in the user's language; a traceback only ever goes to the server log."""

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException) -> HTMLResponse:
        reason = exc.detail if exc.detail in ("csrf", "host", "auth", "busy") else None
        message = (
            exc.detail if isinstance(exc.detail, str) and reason is None and exc.status_code != 404 else ""
        )
        if message in ("Not Found", "Method Not Allowed"):
            message = ""
        return await _error_page(request, exc.status_code, reason, message)

    @app.exception_handler(RequestValidationError)
    async def invalid(request: Request, exc: RequestValidationError) -> HTMLResponse:
        fields = ", ".join(str(e.get("loc", ["?"])[-1]) for e in exc.errors())
        return await _error_page(request, 400, "invalid", fields)

    @app.exception_handler(SekishoError)
    async def sekisho_error(request: Request, exc: SekishoError) -> HTMLResponse:
        if isinstance(exc, busy.StoreBusy):  # not the raw lock message: who holds it, and when to retry
            page = await _error_page(request, 503, "busy", f"held by {exc.holder or 'another process'}")
            page.headers["Retry-After"] = RETRY_AFTER
            return page
        return await _error_page(request, 404 if isinstance(exc, NotFoundError) else 400, None, str(exc))

    @app.exception_handler(Exception)
    async def crash(request: Request, exc: Exception) -> HTMLResponse:
        log.error("error on %s %s", request.method, request.url.path, exc_info=exc)
        return await _error_page(request, 500)
