"""`sekisho audit --follow`: a running follower reads an auth.log as sshd appends to it and sends
the new alert to a sink once. It runs as its own process; the test waits for what it says.

``running``, ``_said``, ``_wait``, ``SPRAY`` and ``CALM`` serve `sekisho watch --signins` too
(tests/audit/test_watch_signins.py)."""

from __future__ import annotations

import contextlib
import json
import os
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

# six failures from one address, then its success (one write, so one poll sees all)
SPRAY = (
    "".join(
        f"Nov 30 10:0{i}:00 gw sshd[9]: Failed password for user{i} from 203.0.113.7 port 4{i}00 ssh2\n"
        for i in range(6)
    )
    + "Nov 30 10:07:00 gw sshd[9]: Accepted password for user3 from 203.0.113.7 port 4999 ssh2\n"
)
CALM = "Nov 30 09:00:00 gw sshd[9]: Accepted password for user0 from 133.11.0.5 port 4000 ssh2\n"


@contextlib.contextmanager
def running(*args: str) -> Iterator[subprocess.Popen[str]]:
    """``python -m sekisho ARGS`` as its own process, its stderr for the test to read; terminated
    (and its stderr closed) when the block ends, so ``returncode`` is set after it."""
    proc = subprocess.Popen(
        [sys.executable, "-m", "sekisho", *args],
        stderr=subprocess.PIPE,
        stdout=subprocess.DEVNULL,
        text=True,
        env={**os.environ, "SEKISHO_WAIT": "30"},
    )
    try:
        yield proc
    finally:
        proc.terminate()
        proc.wait(10)
        if proc.stderr:
            proc.stderr.close()


def _wait(cond, what: str, proc: subprocess.Popen[str], timeout: float = 60) -> None:  # type: ignore[no-untyped-def]
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if cond():
            return
        if proc.poll() is not None:
            raise AssertionError(f"the process exited ({proc.returncode}) before {what}")
        time.sleep(0.05)
    raise AssertionError(f"timed out waiting for {what}")


def _said(proc: subprocess.Popen[str], part: str, *, anywhere: bool = False) -> str:
    """The process's next stderr line that starts with ``part`` (``anywhere``: that contains it);
    its other lines (warnings, notes, the watcher's other status) skipped."""
    assert proc.stderr is not None
    for _ in range(200):
        line = proc.stderr.readline()
        if not line:
            raise AssertionError(f"the process ended before saying {part!r}")
        if (part in line) if anywhere else line.startswith(part):
            return line
    raise AssertionError(f"the process never said {part!r}")


def test_follow_sends_each_new_alert_once(tmp_path: Path) -> None:
    log, out, db = tmp_path / "auth.log", tmp_path / "alerts.jsonl", tmp_path / "s.db"
    log.write_text(CALM)
    lines: list[str] = []
    with running(
        "audit", str(log), "--db", str(db), "--follow", "--interval", "0.2", "--sink", f"jsonl:{out}"
    ) as proc:
        first = _said(proc, "following ")
        assert first.startswith("following 1 sign-in file"), first
        with open(log, "a") as f:  # a spray arrives, then its success
            f.write(SPRAY)
        lines.append(_said(proc, "read "))
        _wait(lambda: out.exists() and out.read_text().strip() != "", "the alert in the sink", proc)
        sent = [json.loads(x) for x in out.read_text().splitlines()]
        assert [a["rule"] for a in sent] == ["audit:spray-then-success"]
        with open(log, "a") as f:  # more lines, no new alert: nothing sent again
            f.write(
                "Nov 30 11:00:00 gw sshd[9]: Accepted publickey for user0 from 133.11.0.5 port 4001 ssh2\n"
            )
        lines.append(_said(proc, "read "))
        assert "0 new alert(s)" in lines[-1], lines
        assert len(out.read_text().splitlines()) == 1
    assert "1 new alert(s)" in lines[0], lines
