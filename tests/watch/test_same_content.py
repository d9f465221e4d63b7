"""One content under two names in one poll is read once.

logrotate writes ``dns.log.2.gz`` and only then deletes ``dns.log.1``; copytruncate copies
``dns.log`` to ``dns.log.1`` and only then truncates it. A watcher polling in between sees both
names with the same content and the same stored offset: it read the lines after that offset from
both and counted them twice (seen once in the kill/restart test, tests/watch/test_follow_processes.py:
1,018 queries stored of 900 written). Now the first name of the poll is read, the other waits for
the next poll, which finds its content read.

Real lines: dnsmasq 2.90's own query log from ../shared/corpora, copied into tmp_path.
"""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path

import pytest

from sekisho.store import Store
from sekisho.watch import Watcher
from tests.conftest import DATA

from .conftest import (
    DNSMASQ,
    compress,
    in_process_watcher,
    new_db,
    observations,
    rotation_layout,
    run_sekisho,
)

CATALOG = DATA / "catalog_ok"

pytestmark = pytest.mark.realworld


def _queries(db: Path) -> int:
    with Store(db, read_only=True) as store:
        row = store.con.execute("SELECT coalesce(sum(queries), 0) FROM observations").fetchone()
    assert row
    return int(row[0])


def _one_shot(tmp_path: Path, log: Path) -> Path:
    db = new_db(tmp_path / "oneshot.duckdb")
    done = run_sekisho("scan", "--db", str(db), "--json", "--catalog", str(CATALOG), str(log))
    assert done.returncode == 0, done.stderr
    return db


def _as_one_shot(db: Path, tmp_path: Path, corpora: Path) -> None:
    """The store holds what a one-shot scan of the log gives: every line once."""
    reference = _one_shot(tmp_path, corpora / DNSMASQ)
    assert _queries(db) == _queries(reference) > 0
    assert observations(db) == observations(reference)


def _watched(logs: Path, tmp_path: Path) -> Path:
    """A store of what a watcher of ``logs`` read until it had nothing new."""
    db = new_db(tmp_path / "w.duckdb")
    w = in_process_watcher(logs, db, tmp_path, [])
    try:
        _drain(w)
    finally:
        w.close()
    return db


def _drain(w: Watcher) -> None:
    while True:
        r = w.poll()
        if not r.backlog and not r.files:
            return


def test_a_copy_compressed_before_the_plain_one_is_deleted_is_read_once(
    corpora: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    log, one, two = rotation_layout(corpora, tmp_path)
    chunks = tmp_path / "chunks"  # where the watcher copies the new lines it reads
    chunks.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(chunks))
    said: list[str] = []
    db = new_db(tmp_path / "w.duckdb")
    w = in_process_watcher(log, db, tmp_path, said, batch_bytes=8192)
    try:
        assert w.poll().backlog  # the first 8 KiB of dns.log.1, more to come
        compress(one, two)  # logrotate: .1 → .2.gz …
        _drain(w)  # … polled before it deletes .1: both names, one content
        one.unlink()
        _drain(w)
    finally:
        w.close()
    _as_one_shot(db, tmp_path, corpora)
    assert not [s for s in said if s.startswith("lost")], said
    assert not list(chunks.glob("sekisho-watch-*")), "a copy of lines planned and not read was left behind"


def test_a_copy_made_before_the_truncation_is_read_once(corpora: Path, tmp_path: Path) -> None:
    logs = tmp_path / "logs"
    logs.mkdir()
    log, one = logs / "dns.log", logs / "dns.log.1"
    shutil.copyfile(corpora / DNSMASQ, log)
    said: list[str] = []
    db = new_db(tmp_path / "w.duckdb")
    w = in_process_watcher(log, db, tmp_path, said, batch_bytes=8192)
    try:
        assert w.poll().backlog
        shutil.copyfile(log, one)  # copytruncate: the copy first …
        _drain(w)  # … polled before the truncation
        log.write_bytes(b"")
        _drain(w)
    finally:
        w.close()
    _as_one_shot(db, tmp_path, corpora)


def test_a_new_content_under_two_names_at_the_first_poll_is_read_once(corpora: Path, tmp_path: Path) -> None:
    logs = tmp_path / "logs"
    logs.mkdir()
    shutil.copyfile(corpora / DNSMASQ, logs / "dns.log")
    shutil.copyfile(corpora / DNSMASQ, logs / "dns.log.1")
    assert _queries(_watched(logs, tmp_path)) == _queries(_one_shot(tmp_path, corpora / DNSMASQ)) > 0


def test_two_different_logs_in_one_poll_are_both_read(corpora: Path, tmp_path: Path) -> None:
    """The rule never merges two contents: the second half of the log as a file of its own."""
    logs = tmp_path / "logs"
    logs.mkdir()
    lines = (corpora / DNSMASQ).read_bytes().splitlines(keepends=True)
    half = len(lines) // 2
    (logs / "a.log").write_bytes(b"".join(lines[:half]))
    (logs / "b.log").write_bytes(b"".join(lines[half:]))
    assert _queries(_watched(logs, tmp_path)) == _queries(_one_shot(tmp_path, corpora / DNSMASQ)) > 0


def test_a_new_content_read_in_part_under_one_name_is_not_lost_when_that_name_goes(
    corpora: Path, tmp_path: Path
) -> None:
    """Never seen before, under two names (``dns.log.1`` and its compressed copy): the first is read
    in part (8 KiB), then deleted as logrotate does. Its content lives on in the other name, which
    is read on from there: nothing is lost, and nothing is said to be."""
    log, one, two = rotation_layout(corpora, tmp_path)
    compress(one, two)
    said: list[str] = []
    db = new_db(tmp_path / "w.duckdb")
    w = in_process_watcher(log, db, tmp_path, said, batch_bytes=8192)
    try:
        assert w.poll().backlog  # 8 KiB of dns.log.1; dns.log.2.gz waits
        one.unlink()
        _drain(w)
    finally:
        w.close()
    assert not [s for s in said if s.startswith("lost")], said
    _as_one_shot(db, tmp_path, corpora)
