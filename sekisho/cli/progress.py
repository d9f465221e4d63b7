"""The scan's progress bar on stderr: bytes read of all the inputs, moving inside a large file too.

Each file counts whole once it is read (``advance``); while the engine reads it, ``reading`` moves
the bar by the share DuckDB says it has scanned (called from the engine's polling thread). The bar
never goes back and never passes the total.
"""

from __future__ import annotations

import os
import threading
from types import TracebackType

from rich.console import Console
from rich.progress import (
    BarColumn,
    DownloadColumn,
    Progress,
    TextColumn,
    TimeElapsedColumn,
    TransferSpeedColumn,
)

SHOW_FROM_BYTES = 50_000_000  # a smaller scan ends before a bar would tell anything


class ScanProgress:
    def __init__(self, console: Console, total: int, show: bool) -> None:
        self.total = total
        self.show = show
        self._read = 0  # bytes of the files read to their end
        self._shown = 0
        self._lock = threading.Lock()
        self._bar = Progress(
            TextColumn("{task.description}"),
            BarColumn(),
            DownloadColumn(),
            TransferSpeedColumn(),
            TimeElapsedColumn(),
            console=console,
            disable=not show,
            transient=True,
        )
        self._task = self._bar.add_task("scanning", total=total or None)

    def __enter__(self) -> ScanProgress:
        self._bar.__enter__()
        return self

    def __exit__(
        self, kind: type[BaseException] | None, error: BaseException | None, tb: TracebackType | None
    ) -> None:
        self._bar.__exit__(kind, error, tb)

    def advance(self, what: str, size: int) -> None:
        """``what`` is read to its end: its ``size`` bytes count."""
        with self._lock:
            self._read += size
            self._move(what, self._read)

    def reading(self, what: str, done: int) -> None:
        """The engine has scanned ``done`` bytes of ``what`` (not yet counted by ``advance``)."""
        with self._lock:
            self._move(what, self._read + done)

    def _move(self, what: str, at: int) -> None:
        moved = min(at, self.total) > self._shown
        self._shown = max(self._shown, min(at, self.total))
        # drawn at once when it moved (the engine's steps may come faster than the 10 Hz refresh)
        self._bar.update(
            self._task, completed=self._shown, description=f"scanning {os.path.basename(what)}", refresh=moved
        )
