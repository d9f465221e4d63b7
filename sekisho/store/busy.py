"""A store held by another process: wait for it (the CLI), or say so at once (the dashboard).

DuckDB admits one process with the file open for writing (and none reading while one writes).
:func:`connect` is how :class:`sekisho.store.Store` opens the file: when another process holds the
lock it raises :class:`StoreBusy` (naming the holder DuckDB reports), or — when the process has
asked for patience — :func:`configure_wait`, or the ``SEKISHO_WAIT`` environment variable that
``sekisho --wait SECONDS`` sets (default 30 in the CLI) — says so once on stderr and tries again
until the holder lets go or the time is up. The dashboard configures 0: it answers 503 instead.
"""

from __future__ import annotations

import os
import re
import sys
import time
from collections.abc import Callable
from pathlib import Path

import duckdb

from sekisho.errors import Location, SekishoError

__all__ = ["StoreBusy", "configure_wait", "connect", "holder", "is_lock_error"]

_HOLDER = re.compile(
    r"Conflicting lock is held in (?P<prog>.+?) \(PID (?P<pid>\d+)\)(?: by user (?P<user>\S+))?"
)
_settings: dict[str, object] = {"wait": None, "notify": None}  # None: from SEKISHO_WAIT


class StoreBusy(SekishoError):
    """Another process holds the store. ``holder``: the program and PID DuckDB names, if any."""

    def __init__(self, message: str, source: Location | None = None, holder: str | None = None) -> None:
        super().__init__(message, source)
        self.holder = holder


def configure_wait(seconds: float | None, notify: Callable[[str], None] | None = None) -> None:
    """How long :func:`connect` waits for a busy store in this process (0: not at all; None: as
    ``SEKISHO_WAIT`` says), and where it says that it is waiting."""
    _settings["wait"] = None if seconds is None else max(0.0, float(seconds))
    _settings["notify"] = notify


def _wait_settings() -> tuple[float, Callable[[str], None] | None]:
    configured = _settings["wait"]
    if isinstance(configured, float):
        notify = _settings["notify"]
        return configured, notify if callable(notify) else None
    try:
        wait = max(0.0, float(os.environ.get("SEKISHO_WAIT") or 0))
    except ValueError:
        wait = 0.0
    return wait, lambda message: print(f"sekisho: {message}", file=sys.stderr, flush=True)


def is_lock_error(text: str) -> bool:
    t = text.lower()
    return "could not set lock" in t or "conflicting lock" in t


def holder(text: str) -> str | None:
    """``…Conflicting lock is held in /usr/bin/python3 (PID 42) by user ana…`` → ``python3 (PID 42, user ana)``."""
    m = _HOLDER.search(text)
    if not m:
        return None
    who = f"{Path(m['prog']).name} (PID {m['pid']}" + (f", user {m['user']}" if m["user"] else "") + ")"
    return who


def connect(path: Path, read_only: bool = False) -> duckdb.DuckDBPyConnection:
    """``duckdb.connect``, waiting as configured while another process holds the file."""
    wait, notify = _wait_settings()
    deadline: float | None = None
    delay = 0.05
    while True:
        try:
            return duckdb.connect(str(path), read_only=read_only)
        except duckdb.IOException as e:
            if not is_lock_error(str(e)):
                raise
            who = holder(str(e)) or "another process"
            now = time.monotonic()
            if deadline is None:
                deadline = now + wait
                if wait > 0 and notify is not None:
                    notify(f"store busy, held by {who}; waiting up to {wait:g} s")
            if now >= deadline:
                after = (
                    f"; gave up after {wait:g} s (sekisho --wait SECONDS waits longer)" if wait > 0 else ""
                )
                raise StoreBusy(f"store busy, held by {who}{after}", Location(path), who) from None
        time.sleep(delay)  # DuckDB has no way to be told when a lock is released: poll, backing off
        delay = min(delay * 1.5, 0.5)
