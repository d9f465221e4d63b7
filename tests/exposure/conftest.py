"""Real servers on loopback for the exposure probes, and the socket audit hook every exposure test
runs under: any connection to an address the test did not list fails the test.

Servers are started by the test from the Debian packages (``.ci/run`` installs them) and waited
for by reading their own "ready" line — never a fixed sleep. Without the program the test skips;
under ``CI`` it fails (``tests.conftest.need_program``).
"""

from __future__ import annotations

import os
import pwd
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import need_program

# -- the audit hook -----------------------------------------------------------------------------
_ALLOWED: set[tuple[str, int]] | None = None
_VIOLATIONS: list[Any] = []


def _hook(event: str, args: tuple[Any, ...]) -> None:
    if _ALLOWED is None:
        return
    if event == "socket.connect":
        address = args[1]
        if isinstance(address, tuple) and (address[0], address[1]) not in _ALLOWED:
            _VIOLATIONS.append(address)
            raise PermissionError(f"exposure test: connection to an unlisted address {address}")
    elif event == "socket.getaddrinfo":
        host = args[0]
        host = host.decode() if isinstance(host, bytes) else host
        if host is not None and host not in {h for h, _ in _ALLOWED}:
            _VIOLATIONS.append(("getaddrinfo", host))
            raise PermissionError(f"exposure test: name lookup of an unlisted host {host!r}")


sys.addaudithook(_hook)


class Audit:
    def __init__(self) -> None:
        self.allowed: set[tuple[str, int]] = set()
        self.connections: list[Any] = []

    def allow(self, host: str, port: int) -> None:
        self.allowed.add((host, port))

    @property
    def violations(self) -> list[Any]:
        return list(_VIOLATIONS)


@pytest.fixture(autouse=True)
def audit() -> Iterator[Audit]:
    """Active for every test here; the test lists (``audit.allow``) what it may connect to."""
    global _ALLOWED
    a = Audit()
    _VIOLATIONS.clear()
    _ALLOWED = a.allowed
    try:
        yield a
    finally:
        _ALLOWED = None
    assert not _VIOLATIONS, f"connections to unlisted addresses: {_VIOLATIONS}"


# -- servers ------------------------------------------------------------------------------------
def free_port() -> int:
    global _ALLOWED
    saved, _ALLOWED = _ALLOWED, None  # bind, not connect; but keep the hook out of it
    try:
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            return int(s.getsockname()[1])
    finally:
        _ALLOWED = saved


class Server:
    """A process whose output is read line by line until it says it is ready."""

    def __init__(self, cmd: list[str], ready: str, timeout: float = 90.0, **kw: Any) -> None:
        self.cmd = cmd
        self.lines: list[str] = []
        self.proc = subprocess.Popen(
            cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, errors="replace", **kw
        )
        ready_event = threading.Event()
        pattern = re.compile(ready)

        def pump() -> None:
            assert self.proc.stdout is not None
            for line in self.proc.stdout:
                self.lines.append(line)
                if pattern.search(line):
                    ready_event.set()
            ready_event.set()  # exited

        self.thread = threading.Thread(target=pump, daemon=True)
        self.thread.start()
        if not ready_event.wait(timeout) or self.proc.poll() is not None:
            self.stop()
            raise RuntimeError(f"{cmd[0]} did not become ready:\n{''.join(self.lines[-30:])}")

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(20)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self.thread.join(10)
        if self.proc.stdout is not None:
            self.proc.stdout.close()


@pytest.fixture()
def servers() -> Iterator[list[Server]]:
    started: list[Server] = []
    yield started
    for s in reversed(started):
        s.stop()


def as_user_dir(prefix: str, user: str) -> tuple[Path, list[str]]:
    """A scratch directory the (unprivileged) server user owns, and the command prefix to run as
    it when the test runs as root (PostgreSQL refuses to run as root)."""
    path = Path(tempfile.mkdtemp(prefix=prefix))
    if os.geteuid() != 0:
        return path, []
    pw = pwd.getpwnam(user)
    os.chown(path, pw.pw_uid, pw.pw_gid)
    path.chmod(0o700)
    return path, [need_program("runuser"), "-u", user, "--"]


def pg_bin(name: str) -> str:
    found = sorted(Path("/usr/lib/postgresql").glob(f"*/bin/{name}"))
    if not found:
        need_program(f"postgresql ({name})")
    return str(found[-1])


def rmtree(path: Path) -> None:
    shutil.rmtree(path, ignore_errors=True)
