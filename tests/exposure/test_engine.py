"""The engine itself: a real TCP timeout (a loopback listener whose accept queue is full drops
further SYNs, so connect() waits), the rate limit over a whole check, and severity thresholds."""

from __future__ import annotations

import contextlib
import socket
import time

from sekisho.exposure import check, severity
from tests.exposure.conftest import Audit, free_port

HOST = "127.0.0.1"


def test_full_accept_queue_is_timeout(audit: Audit) -> None:
    srv = socket.socket()
    srv.bind((HOST, 0))
    srv.listen(0)
    port = srv.getsockname()[1]
    audit.allow(HOST, port)
    fillers = []
    for _ in range(3):  # fill the queue (the kernel keeps backlog + 1): the next SYN is dropped
        c = socket.socket()
        c.setblocking(False)
        with contextlib.suppress(BlockingIOError):
            c.connect((HOST, port))
        fillers.append(c)
    try:
        started = time.monotonic()
        (c,) = check([f"{HOST}:{port}"], timeout=0.5).checked
        elapsed = time.monotonic() - started
    finally:
        for f in fillers:
            f.close()
        srv.close()
    assert (c.status, c.reason) == ("timeout", "timeout") and c.note == "no answer within 0.5 s"
    assert 0.4 < elapsed < 5


def test_rate_limit_spaces_connections(audit: Audit) -> None:
    ports: list[int] = []
    while len(ports) < 10:  # distinct: the OS may hand a freed port out again, and the check
        if (p := free_port()) not in ports:  # rightly reads one target once
            ports.append(p)
    for p in ports:
        audit.allow(HOST, p)
    started = time.monotonic()
    result = check([f"{HOST}:{p}" for p in ports], rate=10.0)
    elapsed = time.monotonic() - started
    assert [c.status for c in result.checked] == ["closed"] * 10
    assert elapsed >= 0.85  # 10 connections at 10 per second: the 10th waits 0.9 s
    started = time.monotonic()
    check([f"{HOST}:{p}" for p in ports], rate=1000.0)
    assert time.monotonic() - started < elapsed


def test_severity_grows_with_data() -> None:
    assert severity("low", {}) == "low"
    assert severity("low", {"records": 0, "collections": []}) == "low"
    assert severity("low", {"collections": ["db0"]}) == "medium"
    assert severity("low", {"records": "99999"}) == "medium"
    assert severity("low", {"records": 100_000}) == "high"
    assert severity("low", {"bytes": 100 * 1024 * 1024}) == "high"
    assert severity("high", {}) == "high"  # Docker, Jupyter: code execution whatever is counted


def test_a_silent_port_costs_a_few_timeouts_not_one_per_probe(audit: Audit) -> None:
    """A listener that accepts and never answers: HTTP and line probes stop asking after the first
    silence, so the check costs about five timeouts (banner, HTTP, line, two codecs, TLS), not 16."""
    import threading

    srv = socket.socket()
    srv.bind((HOST, 0))
    srv.listen(50)
    port = srv.getsockname()[1]
    audit.allow(HOST, port)
    accepted: list[socket.socket] = []

    def accept() -> None:
        while True:
            try:
                accepted.append(srv.accept()[0])
            except OSError:
                return

    threading.Thread(target=accept, daemon=True).start()
    try:
        (c,) = check([f"{HOST}:{port}"], timeout=0.5).checked
    finally:
        srv.close()
        for a in accepted:
            a.close()
    assert (c.status, c.reason) == ("unknown", "unrecognised")
    assert len(accepted) <= 7, len(accepted)
