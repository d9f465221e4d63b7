"""How far the engine is inside one read.

DuckDB reads a file (or a group of files) in one query, so the bytes read so far cannot come from
the reader itself. DuckDB keeps the query's own progress, which for its CSV and JSON readers is the
share of the input's bytes scanned; :func:`watch` polls it (``query_progress``) from a thread
while the read runs and hands the fraction to whoever asked with :func:`reading`. Nobody asked:
no thread, no progress tracking, nothing changes.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar

import duckdb

Report = Callable[[float], None]  # the fraction (0..1) of the current read's input scanned so far
POLL_SECONDS = 0.05
_REPORT: ContextVar[Report | None] = ContextVar("sekisho_reading", default=None)


@contextmanager
def reading(report: Report) -> Iterator[None]:
    """Reads started inside this block report their progress to ``report`` (from another thread)."""
    token = _REPORT.set(report)
    try:
        yield
    finally:
        _REPORT.reset(token)


def settings() -> list[str]:
    """What an engine connection needs set (before its configuration is locked) to be watched."""
    if _REPORT.get() is None:
        return []
    return ["SET enable_progress_bar = true", "SET enable_progress_bar_print = false"]


def watch(con: duckdb.DuckDBPyConnection) -> Callable[[], None]:
    """Poll ``con``'s running queries until the returned function is called (before ``con`` is
    closed); the fractions reported never go back."""
    report = _REPORT.get()
    if report is None:
        return lambda: None
    stop = threading.Event()

    def poll() -> None:
        best = 0.0
        while not stop.wait(POLL_SECONDS):
            try:
                percent = con.query_progress()  # -1 between queries
            except duckdb.Error:
                return
            fraction = min(percent, 100.0) / 100.0
            if fraction > best:
                best = fraction
                report(fraction)

    thread = threading.Thread(target=poll, name="sekisho-read-progress", daemon=True)
    thread.start()

    def done() -> None:
        stop.set()
        thread.join()

    return done
