"""Web fixtures: a store with the sample logs, the app over it in-process (httpx over ASGI), and for
the browser tests the app served by uvicorn on a loopback port and Debian's chromium driven by
Playwright (no browser download; CI installs `chromium` with apt)."""

from __future__ import annotations

import asyncio
import concurrent.futures
import importlib.util
import re
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from sekisho import api
from sekisho.web import WebConfig, create_app
from tests.conftest import ROOT, need, need_program, served

SAMPLES = ROOT / "samples" / "logs"
ARTIFACTS = ROOT / "test-artifacts"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-default-apps",
    "--disable-extensions",
]


@pytest.fixture(scope="session")
def scanned_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    db = tmp_path_factory.mktemp("web") / "sample.duckdb"
    api.scan([str(SAMPLES)], db)
    return db


@pytest.fixture()
def db(scanned_db: Path, tmp_path: Path) -> Path:
    """A private copy of the sample store: a test may scan into it."""
    copy = tmp_path / "store.duckdb"
    shutil.copy(scanned_db, copy)
    return copy


@pytest.fixture(autouse=True)
def key_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    path = tmp_path / "config" / "pseudonym.key"
    monkeypatch.setenv("SEKISHO_PSEUDONYM_KEY", str(path))
    return path


def _run(make: Any) -> Any:
    """Run the coroutine ``make()`` to its end: here, or — when this thread already runs an event
    loop (Playwright's sync API leaves one running after the browser tests) — in a worker thread."""
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return asyncio.run(make())
    with concurrent.futures.ThreadPoolExecutor(1) as pool:
        return pool.submit(lambda: asyncio.run(make())).result()


class Client:
    """A small synchronous client over ``httpx.ASGITransport``: the app runs in this process, with
    cookies kept between requests, as a browser would."""

    def __init__(self, app: Any, base_url: str = "http://127.0.0.1:8765", raise_errors: bool = True) -> None:
        self.app, self.base_url, self.raise_errors = app, base_url, raise_errors
        self.cookies = httpx.Cookies()

    def request(self, method: str, url: str, **kw: Any) -> httpx.Response:
        async def go() -> httpx.Response:
            transport = httpx.ASGITransport(app=self.app, raise_app_exceptions=self.raise_errors)
            async with httpx.AsyncClient(
                transport=transport, base_url=self.base_url, cookies=self.cookies
            ) as c:
                r = await c.request(method, url, **kw)
                self.cookies = c.cookies
                return r

        return _run(go)

    def get(self, url: str, **kw: Any) -> httpx.Response:
        kw.setdefault("headers", {"accept": "text/html"})
        return self.request("GET", url, **kw)

    def post(self, url: str, **kw: Any) -> httpx.Response:
        return self.request("POST", url, **kw)

    def csrf(self, url: str = "/") -> str:
        """The CSRF token of a page's forms (and the cookie it belongs to, kept in ``cookies``)."""
        m = re.search(r'name="csrf_token" value="([0-9a-f]+)"', self.get(url).text)
        assert m, "no form with a CSRF token on " + url
        return m.group(1)


@pytest.fixture()
def client(db: Path) -> Client:
    return Client(create_app(db=db))


def make_client(db: Path, **config: Any) -> Client:
    return Client(create_app(db=db, config=WebConfig(**config)))


# --- a real server and a real browser ---------------------------------------------------------


@pytest.fixture()
def live_server(db: Path, tmp_path: Path) -> Iterator[str]:
    # the sample logs may be scanned by their path on the server (the browser test does)
    with served(
        lambda port: create_app(
            db=db, config=WebConfig(port=port, upload_dir=tmp_path / "uploads", scan_roots=(SAMPLES,))
        )
    ) as url:
        yield url


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    need(
        importlib.util.find_spec("playwright") is not None, "the playwright package (pip install -e '.[dev]')"
    )
    chromium = need_program("chromium")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=chromium, headless=True, args=CHROMIUM_ARGS)
        yield b
        b.close()


@pytest.fixture()
def page(browser: Any, live_server: str) -> Iterator[Any]:
    context = browser.new_context(base_url=live_server, locale="en-US", accept_downloads=True)
    pg = context.new_page()
    pg.set_default_timeout(15_000)
    yield pg
    context.close()
