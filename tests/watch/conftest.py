"""Shared helpers for the watch tests: real processes (`sekisho watch`, the log writer), real log
lines copied from ../shared/corpora into tmp_path at test time, stores in tmp_path."""

from __future__ import annotations

import gzip
import json
import os
import shutil
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from sekisho.store import Store
from tests.conftest import DATA

HERE = Path(__file__).resolve().parent
WRITER = HERE / "writer.py"
DNSMASQ = "dnsmasq/dnsmasq_2.90_log-queries.log"
ZEEK_TSV = "zeek/wrccdc2018_dns_head5000.log"
OBS_SQL = (
    "SELECT day, client, name, queries, bytes_out, bytes_in, first_seen, last_seen FROM observations "
    "ORDER BY ALL"
)


@pytest.fixture(autouse=True)
def _isolated_cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """No test reads or writes the user's catalog cache."""
    monkeypatch.setenv("SEKISHO_CACHE", str(tmp_path / "cache"))
    monkeypatch.delenv("SEKISHO_CATALOG", raising=False)
    monkeypatch.delenv("SEKISHO_DB", raising=False)


def sekisho_cmd(*args: str) -> list[str]:
    return [sys.executable, "-c", "from sekisho.cli.main import main; main()", *args]


def run_sekisho(
    *args: str, env: dict[str, str] | None = None, timeout: float = 120
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        sekisho_cmd(*args), capture_output=True, text=True, timeout=timeout, env={**os.environ, **(env or {})}
    )


def new_db(path: Path) -> Path:
    with Store(path) as store:
        store.set_setting("retention_days", str(365 * 100))
        store.set_setting("detail_days", str(365 * 100))  # per-day detail kept: the tests read it
    return path


def observations(db: Path) -> list[tuple[Any, ...]]:
    with Store(db, read_only=True) as store:
        return store.con.execute(OBS_SQL).fetchall()


def read_jsonl(path: Path) -> list[dict[str, Any]]:
    if not path.exists():
        return []
    return [json.loads(line) for line in path.read_text().splitlines() if line.strip()]


def wait_for(condition: Any, timeout: float = 30.0, what: str = "condition") -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.05)


@pytest.fixture()
def procs() -> Iterator[list[subprocess.Popen[Any]]]:
    """Processes a test starts; any still running at the end is killed."""
    started: list[subprocess.Popen[Any]] = []
    yield started
    for p in started:
        if p.poll() is None:
            p.kill()
            p.wait(timeout=10)


def dnsmasq_line(
    template: str, name: str, client: str, month_day: str = "Nov 23", time_s: str = "18:40:00"
) -> str:
    """A dnsmasq log-queries line of the real corpus, with another name, client and time."""
    # e.g. "Nov 23 18:39:46 dnsmasq[15339]: query[A] www.google.com from 127.0.0.11"
    rest = template.split(" dnsmasq[", 1)[1]
    pid, _ = rest.split("]: ", 1)
    return f"{month_day} {time_s} dnsmasq[{pid}]: query[A] {name} from {client}\n"


@pytest.fixture(scope="session")
def dnsmasq_template(corpora: Path) -> str:
    for line in (corpora / DNSMASQ).read_text().splitlines():
        if "query[A]" in line:
            return line
    raise AssertionError("no query line in the dnsmasq corpus")


def in_process_watcher(target: Path, db: Path, tmp_path: Path, said: list[str], **opts: Any) -> Any:
    """A watcher in this process over ``target`` (a file or directory), its lines said into
    ``said``, its alerts to a JSONL file in ``tmp_path``; the test catalog (these tests are about
    files, not services)."""
    from sekisho.watch import Watcher, WatchOptions, load_alert_rules, make_sink

    sink = make_sink({"type": "jsonl", "path": str(tmp_path / "alerts.jsonl")})
    return Watcher(
        [target],
        db,
        load_alert_rules(None),
        [sink],
        catalog_dir=DATA / "catalog_ok",
        options=WatchOptions(**opts),
        log=said.append,
    )


def rotation_layout(corpora: Path, tmp_path: Path) -> tuple[Path, Path, Path]:
    """``logs/dns.log`` (new and empty), ``dns.log.1`` holding the real dnsmasq log, and the name
    logrotate gives its compressed copy, ``dns.log.2.gz`` (not written: :func:`compress`)."""
    logs = tmp_path / "logs"
    logs.mkdir()
    log, one, two = logs / "dns.log", logs / "dns.log.1", logs / "dns.log.2.gz"
    shutil.copyfile(corpora / DNSMASQ, one)
    log.write_bytes(b"")
    return log, one, two


def compress(src: Path, dst: Path) -> None:
    """logrotate's step: ``src`` gzipped into ``dst`` (``src`` is left in place)."""
    with open(src, "rb") as f, gzip.open(dst, "wb") as out:
        shutil.copyfileobj(f, out)
