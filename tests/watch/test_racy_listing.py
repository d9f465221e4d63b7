"""A file renamed into a followed directory within the same mtime tick as the watcher's last listing
of it is still found: a directory's mtime has the file system's granularity (a kernel tick on
Linux, 2 s on FAT), so the rename may leave it as it was, and a listing trusted on its mtime alone
missed the rotated copy until the directory changed again (the next rotation, a day later).
``os.utime`` puts the mtime back to play that tick."""

from __future__ import annotations

import os
import time
from pathlib import Path

from sekisho.watch.follow import RACY_NS, Finder


def _same_mtime(d: Path, mtime_ns: int) -> None:
    st = d.stat()
    os.utime(d, ns=(st.st_atime_ns, mtime_ns))


def test_a_rename_within_the_tick_of_the_last_listing_is_seen(tmp_path: Path) -> None:
    log = tmp_path / "dns.log"
    log.write_text("a\n")
    finder = Finder([log])
    before = tmp_path.stat().st_mtime_ns
    assert finder.files() == [log]
    log.rename(tmp_path / "dns.log.1")  # logrotate, in the same tick as that listing
    log.write_text("b\n")
    _same_mtime(tmp_path, before)
    assert finder.files() == [log, tmp_path / "dns.log.1"]


def test_a_directory_walked_recursively_too(tmp_path: Path) -> None:
    sub = tmp_path / "zeek"
    sub.mkdir()
    (sub / "dns.log").write_text("a\n")
    finder = Finder([tmp_path])
    before = sub.stat().st_mtime_ns
    assert finder.files() == [sub / "dns.log"]
    (sub / "dns.log").rename(sub / "dns.2026-12-01.log")
    _same_mtime(sub, before)
    assert finder.files() == [sub / "dns.2026-12-01.log"]


def test_a_settled_directory_is_not_listed_again(tmp_path: Path) -> None:
    """An idle poll costs a stat: a directory whose mtime is older than the racy window when it was
    listed keeps its listing while the mtime stays."""
    log = tmp_path / "dns.log"
    log.write_text("a\n")
    old = time.time_ns() - 2 * RACY_NS
    _same_mtime(tmp_path, old)
    finder = Finder([log])
    assert finder.files() == [log]
    (tmp_path / "dns.log.1").write_text("b\n")
    _same_mtime(tmp_path, old)  # (a change that kept an old mtime: only a test can make one)
    assert finder.files() == [log]  # the listing was trusted
    _same_mtime(tmp_path, time.time_ns())
    assert finder.files() == [log, tmp_path / "dns.log.1"]
