"""A store held by another process (issue 10, item 5): the CLI waits with a message and a timeout
(``--wait``), the dashboard answers 503 with Retry-After. The holder is a real second process that
says when it holds the lock; nothing here sleeps a fixed time."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from sekisho.store import Store
from sekisho.store.busy import StoreBusy, configure_wait
from sekisho.web import create_app
from tests.web.conftest import Client

HOLDER = """
import sys, duckdb
con = duckdb.connect(sys.argv[1])
print("holding", flush=True)
sys.stdin.readline()   # hold until the test says so
con.close()
print("released", flush=True)
"""


class Holder:
    def __init__(self, db: Path) -> None:
        self.proc = subprocess.Popen(
            [sys.executable, "-c", HOLDER, str(db)], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True
        )
        assert self.proc.stdout is not None
        line = self.proc.stdout.readline()  # blocks until the holder says it holds the lock
        assert line.strip() == "holding", line

    def release(self) -> None:
        if self.proc.poll() is None:
            assert self.proc.stdin and self.proc.stdout
            self.proc.stdin.write("\n")
            self.proc.stdin.flush()
            assert self.proc.stdout.readline().strip() == "released"
            self.proc.wait(timeout=10)
        for f in (self.proc.stdin, self.proc.stdout):
            if f:
                f.close()


@pytest.fixture()
def db(tmp_path: Path) -> Path:
    path = tmp_path / "store.duckdb"
    Store(path).close()
    return path


@pytest.fixture()
def held(db: Path) -> Iterator[Holder]:
    h = Holder(db)
    yield h
    h.release()


def cli(*args: str, env: dict[str, str] | None = None) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-m", "sekisho", *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, **(env or {})},
    )


def test_the_library_says_who_holds_the_store(db: Path, held: Holder) -> None:
    configure_wait(0)
    try:
        with pytest.raises(StoreBusy) as err:
            Store(db, read_only=True)
    finally:
        configure_wait(None)
    assert f"PID {held.proc.pid}" in str(err.value) and str(db) in str(err.value)
    assert "store busy, held by python" in str(err.value)


def test_the_cli_gives_up_after_wait_seconds_with_one_clear_line(db: Path, held: Holder) -> None:
    start = time.monotonic()
    p = cli("--wait", "1", "db", "info", "--db", str(db))
    out, err = p.communicate(timeout=60)
    took = time.monotonic() - start
    assert p.returncode == 1, out + err
    assert f"store busy, held by python3.11 (PID {held.proc.pid})" in err or f"(PID {held.proc.pid})" in err
    assert "waiting up to 1 s" in err and "gave up after 1 s" in err
    assert "Traceback" not in err and "Conflicting lock" not in err
    assert took >= 1.0


def test_the_cli_waits_and_goes_on_when_the_holder_lets_go(db: Path, held: Holder) -> None:
    p = cli("db", "info", "--db", str(db), "--json", env={"SEKISHO_WAIT": "60"})
    assert p.stderr is not None
    line = p.stderr.readline()  # the CLI says it is waiting: only then does the holder let go
    assert "store busy, held by" in line and "waiting up to 60 s" in line, line
    assert p.poll() is None  # still waiting
    held.release()
    out, err = p.communicate(timeout=60)
    assert p.returncode == 0, err
    assert '"path"' in out


def test_wait_zero_fails_at_once(db: Path, held: Holder) -> None:
    p = cli("--wait", "0", "scan", "--db", str(db), str(db.parent))
    _, err = p.communicate(timeout=60)
    assert p.returncode == 1 and "store busy, held by" in err and "waiting" not in err


def test_the_dashboard_answers_503_with_retry_after(
    db: Path, held: Holder, request: pytest.FixtureRequest
) -> None:
    c = Client(create_app(db=db))  # configures this process not to wait
    request.addfinalizer(lambda: configure_wait(None))
    r = c.get("/scans")
    assert r.status_code == 503, r.text[:500]
    assert r.headers["retry-after"] == "5"
    assert "Conflicting lock" not in r.text and "IO Error" not in r.text
    assert f"PID {held.proc.pid}" in r.text
    held.release()
    assert c.get("/scans").status_code == 200
