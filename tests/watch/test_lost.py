"""When rotation deleted a copy the watcher never read (in full), the watcher says how many bytes of
which file were lost — and says nothing when the content lives on under another name.

Real lines: dnsmasq 2.90's own query log from ../shared/corpora, copied into tmp_path.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from tests.conftest import DATA

from .conftest import DNSMASQ, compress, in_process_watcher, new_db, rotation_layout, run_sekisho

CATALOG = DATA / "catalog_ok"  # the catalog does not matter here; a fixed one keeps it about files

pytestmark = pytest.mark.realworld


def test_a_copy_deleted_before_it_was_read_to_the_end_is_reported_with_its_bytes(
    corpora: Path, tmp_path: Path
) -> None:
    logs = tmp_path / "logs"
    logs.mkdir()
    log, old = logs / "dns.log", logs / "dns.log.1"
    shutil.copyfile(corpora / DNSMASQ, old)
    log.write_bytes(b"")
    said: list[str] = []
    w = in_process_watcher(log, new_db(tmp_path / "w.duckdb"), tmp_path, said, batch_bytes=8192)
    try:
        first = w.poll()  # reads the first 8 KiB (whole lines) of dns.log.1, more to come
        assert first.backlog and first.lines > 0
        read = w.content[old][1]
        assert 0 < read <= 8192
        size = old.stat().st_size
        old.unlink()  # logrotate deletes it before the watcher got further
        w.poll()
    finally:
        w.close()
    lost = [s for s in said if s.startswith("lost:")]
    assert lost == [
        f"lost: {old}: {size - read} of its {size} bytes were never read "
        "(rotated away or deleted before the watcher reached them)"
    ]


def test_a_copy_renamed_and_compressed_is_not_lost(corpora: Path, tmp_path: Path) -> None:
    log, one, two = rotation_layout(corpora, tmp_path)
    said: list[str] = []
    w = in_process_watcher(log, new_db(tmp_path / "w.duckdb"), tmp_path, said, batch_bytes=8192)
    try:
        w.poll()
        compress(one, two)  # logrotate: .1 → .2.gz
        one.unlink()
        while w.poll().backlog:  # the rest is read from the compressed copy
            pass
    finally:
        w.close()
    assert not [s for s in said if s.startswith("lost")], said


def test_content_rotated_away_while_no_watcher_ran_is_reported_at_start(
    corpora: Path, tmp_path: Path
) -> None:
    logs = tmp_path / "logs"
    logs.mkdir()
    log = logs / "dns.log"
    lines = (corpora / DNSMASQ).read_bytes().splitlines(keepends=True)
    log.write_bytes(b"".join(lines[:600]))
    db = new_db(tmp_path / "w.duckdb")
    sink = f"jsonl:{tmp_path / 'alerts.jsonl'}"
    opts = ("--db", str(db), "--catalog", str(CATALOG), "--once", "--sink", sink)
    first = run_sekisho("watch", str(log), *opts)
    assert first.returncode == 0, first.stderr
    assert " following 1 file(s)" in first.stderr
    read = log.stat().st_size
    # while no watcher runs: more lines, then two rotations delete that content
    with open(log, "ab") as f:
        f.write(b"".join(lines[600:900]))
    os.rename(log, logs / "dns.log.1")
    log.write_bytes(b"".join(lines[900:1000]))
    (logs / "dns.log.1").unlink()
    again = run_sekisho("watch", str(log), *opts)
    assert again.returncode == 0, again.stderr
    assert (
        f"lost?: {log} as read up to byte {read} is on disk no more (rotated away while no watcher ran): "
        "lines written to it after that were not read"
    ) in again.stderr
    third = run_sekisho("watch", str(log), *opts)
    assert "lost" not in third.stderr, "said once"
