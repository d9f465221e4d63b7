"""Following files like a log shipper: which files to look at, whether they changed, and the new
complete lines of one, copied out for the engine.

Nothing here touches the store. A file is told apart from others by the hash of its content's head
(see :meth:`sekisho.store.Store.known_file`), never by its name or inode alone: a log renamed by
rotation (``dns.log`` → ``dns.log.1``), copied and truncated (copytruncate) or compressed later
(``dns.log.2.gz``) is the same content, and is read on from where it stood.

Only complete lines are taken from a plain file: a last line without its newline waits. A
compressed file is finished when it is written, so its last line counts even without one (and
that is how the unterminated last line of a rotated log is read at last: when logrotate compresses
it).
"""

from __future__ import annotations

import os
import tempfile
import time
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import BinaryIO

import zstandard

from sekisho.ingest.sources import (
    HEAD_BYTES,
    IGNORED_SUFFIXES,
    Compression,
    compression_of,
    open_decompressed,
)

# Names that are never logs: the store itself and its write-ahead log, and files being written.
WATCH_IGNORED = (*IGNORED_SUFFIXES, ".duckdb", ".wal", ".db", ".part", ".partial")
ROTATION_SEPARATORS = (".", "-", "_")
READ_ERRORS = (OSError, EOFError, zstandard.ZstdError)

Signature = tuple[int, int, int, int]  # (device, inode, size, mtime in ns)


def signature(st: os.stat_result) -> Signature:
    return (int(st.st_dev), int(st.st_ino), int(st.st_size), int(st.st_mtime_ns))


# A directory's mtime has the file system's granularity (a kernel tick, 1-10 ms, on Linux; 2 s
# on FAT): a file renamed into it within the tick of the last listing leaves the mtime as it was.
# A listing taken less than this long after the mtime it saw is not trusted: the directory is
# listed again at the next poll (as git treats an index entry as "racily clean").
RACY_NS = 3_000_000_000


@dataclass
class _Dir:
    mtime_ns: int
    files: list[Path]
    dirs: list[Path]
    settled: bool = True  # listed long enough after its mtime that the mtime can be trusted


@dataclass
class Finder:
    """The files under the followed paths. A directory is listed again only when its mtime changed
    (a file was added, removed or renamed in it) or had changed less than ``RACY_NS`` before the
    last listing, so an idle poll costs one ``stat`` per directory and per file. A followed *file*
    brings its rotated copies in the same directory with it (``dns.log.1``,
    ``dns.log-20260101.gz``, ``dns.log.2.gz``)."""

    paths: list[Path]
    exclude: set[Path] = field(default_factory=set)
    _dirs: dict[Path, _Dir] = field(default_factory=dict)

    def files(self) -> list[Path]:
        out: dict[Path, None] = {}
        for p in self.paths:
            if p.is_dir():
                for f in self._walk(p):
                    out[f] = None
            else:
                parent = self._listing(p.parent)
                if parent is None:
                    continue
                for f in parent.files:
                    if f.name == p.name or _is_rotated_copy(f.name, p.name):
                        out[f] = None
        return [f for f in out if f not in self.exclude and f.resolve() not in self.exclude]

    def _listing(self, d: Path) -> _Dir | None:
        try:
            mtime = d.stat().st_mtime_ns
        except OSError:
            self._dirs.pop(d, None)
            return None
        cached = self._dirs.get(d)
        if cached is not None and cached.mtime_ns == mtime and cached.settled:
            return cached
        listed_at = time.time_ns()
        files, dirs = [], []
        try:
            with os.scandir(d) as it:
                for e in it:
                    if e.name.startswith("."):
                        continue
                    try:
                        if e.is_dir(follow_symlinks=True):
                            dirs.append(Path(e.path))
                        elif e.is_file(follow_symlinks=True) and not e.name.endswith(WATCH_IGNORED):
                            files.append(Path(e.path))
                    except OSError:
                        continue
        except OSError:
            return None
        listing = _Dir(mtime, sorted(files), sorted(dirs), settled=listed_at - mtime > RACY_NS)
        self._dirs[d] = listing
        return listing

    def _walk(self, root: Path) -> Iterable[Path]:
        stack, seen = [root], set()
        while stack:
            d = stack.pop()
            key = d.resolve()
            if key in seen:  # a symlink loop
                continue
            seen.add(key)
            listing = self._listing(d)
            if listing is None:
                continue
            yield from listing.files
            stack.extend(reversed(listing.dirs))


def _is_rotated_copy(name: str, base: str) -> bool:
    return len(name) > len(base) and name.startswith(base) and name[len(base)] in ROTATION_SEPARATORS


@dataclass
class Head:
    """The start of a file's (decompressed) content, cut after its last complete line."""

    compression: Compression
    data: bytes
    complete: bytes


def read_head(path: Path) -> Head:
    """The first 64 KiB of the decompressed content. Raises OSError (gone, unreadable) or, for a
    compressed file still being written, EOFError/ZstdError: try again later."""
    with open(path, "rb") as f:
        comp = compression_of(f.read(8))
    with open_decompressed(path, comp) as f:
        data = f.read(HEAD_BYTES)
    if comp != "none" and len(data) < HEAD_BYTES:
        return Head(comp, data, data)  # the whole (finished) content
    cut = data.rfind(b"\n")
    return Head(comp, data, data[: cut + 1] if cut >= 0 else b"")


@dataclass
class Chunk:
    """New complete lines of one file, copied to ``path`` (a temp file the caller removes)."""

    path: Path
    start: int  # decompressed offset of the first byte
    end: int  # decompressed offset after the last byte taken
    lines: int
    more: bool  # the limit stopped the copy: more complete lines may follow at once


def offset_of_line(path: Path, compression: Compression, lines: int) -> int:
    """The decompressed byte offset after the first ``lines`` lines (a scan may have stored a line
    count only)."""
    offset = 0
    with open_decompressed(path, compression) as f:
        for _ in range(lines):
            line = f.readline()
            if not line:
                break
            offset += len(line)
    return offset


def content_size(path: Path, compression: Compression) -> int:
    if compression == "none":
        return path.stat().st_size
    total = 0
    with open_decompressed(path, compression) as f:
        while chunk := f.read(1 << 20):
            total += len(chunk)
    return total


def read_chunk(path: Path, compression: Compression, offset: int, limit: int | None) -> Chunk | None:
    """Copy the complete lines after ``offset`` (at most about ``limit`` bytes) to a temp file;
    ``None`` when there is no complete new line."""
    fd, tmp = tempfile.mkstemp(prefix="sekisho-watch-", suffix=".log")
    out_path = Path(tmp)
    try:
        with os.fdopen(fd, "wb") as out, _open_at(path, compression, offset) as src:
            written, last_nl, lines, eof = 0, -1, 0, False
            while limit is None or written < limit or last_nl < 0:  # (a line longer than the limit)
                want = 1 << 20 if limit is None or written >= limit else min(1 << 20, limit - written)
                block = src.read(want)
                if not block:
                    eof = True
                    break
                out.write(block)
                nl = block.rfind(b"\n")
                if nl >= 0:
                    last_nl = written + nl
                    lines += block.count(b"\n")
                written += len(block)
            if compression != "none" and eof and written > last_nl + 1:
                take = written  # a finished file: its last line counts without a newline
                lines += 1
            else:
                take = last_nl + 1
            more = not eof
        if take == 0:
            out_path.unlink(missing_ok=True)
            return None
        if take < written:
            os.truncate(out_path, take)  # the partial last line waits for its newline
        return Chunk(out_path, offset, offset + take, lines, more)
    except BaseException:
        out_path.unlink(missing_ok=True)
        raise


def _open_at(path: Path, compression: Compression, offset: int) -> BinaryIO:
    f = open_decompressed(path, compression)
    try:
        if compression == "none":
            f.seek(offset)
        else:
            remaining = offset
            while remaining > 0:
                block = f.read(min(remaining, 1 << 20))
                if not block:
                    break
                remaining -= len(block)
    except BaseException:
        f.close()
        raise
    return f
