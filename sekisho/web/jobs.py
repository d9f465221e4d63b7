"""Scans started from the dashboard: one at a time (the store has one writer), in a worker thread,
with progress by bytes read. A finished job keeps its findings for its result page."""

from __future__ import annotations

import itertools
import logging
import re
import shutil
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sekisho import api
from sekisho.errors import SekishoError
from sekisho.ingest.sources import expand
from sekisho.store.busy import StoreBusy

log = logging.getLogger("sekisho.web")
BUSY_WAIT = 600.0  # seconds a dashboard scan waits for a store another process holds
_DETAIL = re.compile(r"\s*[(:;].*$", re.S)


def public_error(e: SekishoError) -> str:
    """What a scan error may show in the dashboard: where, and the first clause of what — never
    the rest, which can quote the file (a first line, a database's "Original Line"), so a path scan
    cannot be turned into a way to read files. The full error goes to the server log."""
    what = _DETAIL.sub("", e.message).strip() or "cannot read this file"
    return f"{e.source}: {what}" if e.source else what


@dataclass
class Job:
    id: int
    label: str
    paths: list[str]
    fmt: str | None = None
    state: str = "queued"  # queued → running → done | failed
    total: int = 0
    done: int = 0
    files_done: int = 0
    current: str = ""
    started: float = field(default_factory=time.time)
    finished: float | None = None
    error: str | None = None
    result: dict[str, Any] | None = None
    cleanup: Path | None = None  # an upload directory removed after the scan

    @property
    def percent(self) -> int:
        if self.state == "done":
            return 100
        return int(100 * self.done / self.total) if self.total else 0

    def as_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "state": self.state,
            "percent": self.percent,
            "done": self.done,
            "total": self.total,
            "files_done": self.files_done,
            "current": self.current,
            "error": self.error,
        }


class ScanJobs:
    def __init__(self, db: Path, catalog: Path | None, settings: Path | None) -> None:
        self.db, self.catalog, self.settings = db, catalog, settings
        self._jobs: dict[int, Job] = {}
        self._ids = itertools.count(1)
        self._lock = threading.Lock()
        self._pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="sekisho-scan")

    def start(self, paths: list[str], label: str, fmt: str | None = None, cleanup: Path | None = None) -> Job:
        with self._lock:
            job = Job(next(self._ids), label, paths, fmt or None, cleanup=cleanup)
            self._jobs[job.id] = job
        self._pool.submit(self._run, job)
        return job

    def get(self, job_id: int) -> Job | None:
        return self._jobs.get(job_id)

    def recent(self, n: int = 10) -> list[Job]:
        return sorted(self._jobs.values(), key=lambda j: -j.id)[:n]

    def shutdown(self) -> None:
        self._pool.shutdown(wait=True, cancel_futures=True)

    def _scan_when_free(self, job: Job, progress: Any) -> dict[str, Any]:
        """The scan, retried while another process (a CLI scan, a watcher) holds the store: the
        store is opened before anything is read, so a refused attempt has done nothing."""
        deadline = time.monotonic() + BUSY_WAIT
        delay = 0.1
        while True:
            try:
                result: dict[str, Any] = api.scan(
                    job.paths, self.db, self.catalog, job.fmt, None, self.settings, progress
                )
                return result
            except StoreBusy as e:
                if time.monotonic() >= deadline:
                    raise
                job.current = f"waiting for the store (held by {e.holder or 'another process'})"
            time.sleep(delay)
            delay = min(delay * 1.5, 1.0)

    def _run(self, job: Job) -> None:
        job.state = "running"
        state, error = "failed", None
        try:
            job.total = sum(Path(p).stat().st_size for p in expand(job.paths) if p != "-")

            def progress(what: str, size: int) -> None:
                job.done += size
                job.files_done += 1
                job.current = Path(what).name

            job.result = self._scan_when_free(job, progress)
            state = "done"
        except SekishoError as e:
            log.warning("scan %s failed: %s", job.id, e)
            error = public_error(e)
        except Exception:  # a bug: logged with its traceback here, shown as one line on the page
            log.exception("scan %s failed", job.id)
            error = "internal error (see the server log)"
        finally:
            if job.cleanup:
                shutil.rmtree(job.cleanup, ignore_errors=True)
            job.finished = time.time()
            job.error, job.state = error, state  # last: a reader that sees the end sees all of it
