"""Shared fixtures. Tests that need real data or a real program skip with a clear message for a
user without them, and fail when ``CI`` is set (CI must prove them)."""

from __future__ import annotations

import os
import shutil
import socket
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT / "tests" / "data"
IN_CI = bool(os.environ.get("CI"))


def corpora_dir() -> Path:
    """$SEKISHO_CORPORA, else ../shared/corpora beside the checkout, else the workplace's copy."""
    env = os.environ.get("SEKISHO_CORPORA")
    if env:
        return Path(env)
    for candidate in (ROOT.parent / "shared" / "corpora", Path("/work/shared/corpora")):
        if candidate.is_dir():
            return candidate
    return ROOT.parent / "shared" / "corpora"


def need(condition: bool, what: str) -> None:
    """Skip (with ``what`` as the reason) unless ``condition``; under CI, fail instead."""
    if condition:
        return
    if IN_CI:
        pytest.fail(f"required under CI: {what}")
    pytest.skip(f"not available here: {what}")


def need_program(name: str) -> str:
    path = shutil.which(name) or next(
        (str(p) for p in (Path("/usr/sbin") / name, Path("/sbin") / name) if p.exists()), None
    )
    need(path is not None, f"the program {name!r} (apt-get install it; .ci/run does)")
    assert path
    return path


@pytest.fixture(scope="session")
def corpora() -> Path:
    path = corpora_dir()
    need(path.is_dir(), f"real log corpora at {path} (set SEKISHO_CORPORA)")
    return path


@pytest.fixture()
def catalog_ok() -> Path:
    return DATA / "catalog_ok"


@pytest.fixture()
def db(tmp_path: Path) -> Path:
    return tmp_path / "test.duckdb"


@contextmanager
def served(make_app: Callable[[int], Any]) -> Iterator[str]:
    """An ASGI app from ``make_app(port)`` served by uvicorn on a loopback port; waits until uvicorn
    says it has started (no fixed sleep) and yields its base URL."""
    import uvicorn

    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    server = uvicorn.Server(uvicorn.Config(make_app(port), log_level="warning", lifespan="on"))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started:
        assert time.monotonic() < deadline, "uvicorn did not start"
        time.sleep(0.02)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(10)
        sock.close()
