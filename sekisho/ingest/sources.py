"""Input handling, once for all formats: paths, directories, rotation, compression, stdin.

A :class:`Source` is one log file as sekisho sees it: its decompressed head (to recognise the
format and fingerprint the content), and a way to get a plain file for the engine to read, from a
byte offset on (so a grown file is read only from where the last scan stopped).
"""

from __future__ import annotations

import atexit
import bz2
import gzip
import io
import os
import shutil
import stat
import sys
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, BinaryIO, Literal, cast

import zstandard

from sekisho.errors import InputError, Location, ReadError

Compression = Literal["none", "gzip", "zstd", "bz2"]
HEAD_BYTES = 64 * 1024
FINGERPRINT_BYTES = 4096
MAGIC: list[tuple[bytes, Compression]] = [
    (b"\x1f\x8b", "gzip"),
    (b"\x28\xb5\x2f\xfd", "zstd"),
    (b"BZh", "bz2"),
]
SQLITE_MAGIC = b"SQLite format 3\x00"
# Files in a log directory that are certainly not logs (rotation leftovers, editors, metadata).
IGNORED_SUFFIXES = (".swp", ".tmp", ".lock", ".pid", ".conf", ".md", ".py", ".json5", "~")


def compression_of(first_bytes: bytes) -> Compression:
    for magic, kind in MAGIC:
        if first_bytes.startswith(magic):
            return kind
    return "none"


def open_decompressed(path: Path, compression: Compression) -> BinaryIO:
    stream: Any
    if compression == "gzip":
        stream = gzip.open(path, "rb")  # noqa: SIM115 - the caller closes it
    elif compression == "bz2":
        stream = bz2.open(path, "rb")  # noqa: SIM115
    elif compression == "zstd":
        raw = open(path, "rb")  # noqa: SIM115
        stream = io.BufferedReader(zstandard.ZstdDecompressor().stream_reader(raw, closefd=True))
    else:
        stream = open(path, "rb")  # noqa: SIM115
    return cast(BinaryIO, stream)


@dataclass
class Source:
    """One input file (or stdin, spooled to a temp file)."""

    display: str
    path: Path
    compression: Compression
    size: int
    mtime: float
    head: bytes = field(repr=False)
    _temps: list[Path] = field(default_factory=list, repr=False)
    # True when nothing more can be written to it (stdin, once spooled): its last line is whole
    # even without a newline; a file on disk may still be growing.
    finished: bool = False

    @property
    def is_sqlite(self) -> bool:
        return self.compression == "none" and self.head.startswith(SQLITE_MAGIC)

    def head_lines(self, limit: int = 50) -> list[str]:
        text = self.head.decode("utf-8", errors="replace")
        lines = text.splitlines()
        if len(self.head) >= HEAD_BYTES and lines:
            lines = lines[:-1]  # the last one may be cut
        return lines[:limit]

    def plain_file(self, offset: int = 0) -> Path:
        """A plain (decompressed) file holding the content from ``offset`` on.

        Uncompressed files read from the start are used in place; gzip and zstd the engine reads
        itself; anything else is spooled to a temporary file that :meth:`close` removes.
        """
        if offset == 0 and self.compression == "none" and not self._temps:
            return self.path
        fd, tmp = tempfile.mkstemp(prefix="sekisho-", suffix=".log")
        self._temps.append(Path(tmp))
        try:
            with os.fdopen(fd, "wb") as out, open_decompressed(self.path, self.compression) as src:
                _skip(src, offset)
                shutil.copyfileobj(src, out, 1024 * 1024)
        except (OSError, EOFError, zstandard.ZstdError) as e:
            raise ReadError(f"cannot decompress ({self.compression}): {e}", Location(self.display)) from None
        return Path(tmp)

    def plain_file_from_line(self, skip_lines: int) -> tuple[Path, int]:
        """A plain file holding the content after the first ``skip_lines`` lines; and its size."""
        fd, tmp = tempfile.mkstemp(prefix="sekisho-", suffix=".log")
        self._temps.append(Path(tmp))
        written = 0
        try:
            with os.fdopen(fd, "wb") as out, open_decompressed(self.path, self.compression) as src:
                for _ in range(skip_lines):
                    if not src.readline():
                        break
                while chunk := src.read(1024 * 1024):
                    out.write(chunk)
                    written += len(chunk)
        except (OSError, EOFError, zstandard.ZstdError) as e:
            raise ReadError(f"cannot decompress ({self.compression}): {e}", Location(self.display)) from None
        return Path(tmp), written

    def complete_end(self) -> int:
        """Where the last complete line of this uncompressed file ends (just after its newline),
        within the ``size`` seen when it was opened; 0 if no line is complete yet."""
        with open(self.path, "rb") as f:
            pos = self.size
            while pos > 0:
                start = max(0, pos - 65536)
                f.seek(start)
                nl = f.read(pos - start).rfind(b"\n")
                if nl != -1:
                    return start + nl + 1
                pos = start
        return 0

    def plain_range(self, start: int, end: int) -> Path:
        """A temporary copy of bytes ``start``..``end`` of this uncompressed file."""
        fd, tmp = tempfile.mkstemp(prefix="sekisho-", suffix=".log")
        self._temps.append(Path(tmp))
        with os.fdopen(fd, "wb") as out, open(self.path, "rb") as f:
            f.seek(start)
            remaining = end - start
            while remaining > 0 and (chunk := f.read(min(remaining, 1 << 20))):
                out.write(chunk)
                remaining -= len(chunk)
        return Path(tmp)

    def engine_file(self, offset: int = 0) -> tuple[Path, Compression]:
        """What the engine should read, and how it is compressed (DuckDB reads gzip and zstd)."""
        if offset == 0 and self.compression in ("none", "gzip", "zstd"):
            return self.path, self.compression
        return self.plain_file(offset), "none"

    def close(self) -> None:
        for t in self._temps:
            t.unlink(missing_ok=True)
        self._temps.clear()


def _skip(stream: BinaryIO, offset: int) -> None:
    remaining = offset
    while remaining > 0:
        chunk = stream.read(min(remaining, 1024 * 1024))
        if not chunk:
            break
        remaining -= len(chunk)


def _read_head(path: Path, compression: Compression) -> bytes:
    try:
        if compression == "zstd":
            _check_zstd_complete(path)
        with open_decompressed(path, compression) as f:
            return f.read(HEAD_BYTES)
    except (OSError, EOFError, zstandard.ZstdError) as e:
        raise ReadError(f"cannot decompress ({compression}): {e}", Location(path)) from None


def _check_zstd_complete(path: Path) -> None:
    """A zstd file cut short decompresses without complaint (in DuckDB and in a stream reader),
    so its last lines would be lost without a word: read it through once; every frame must end."""
    size = path.stat().st_size
    pos = 0
    with open(path, "rb") as f:
        while pos < size:  # frame after frame (concatenated files are valid zstd)
            f.seek(pos)
            obj = zstandard.ZstdDecompressor().decompressobj()
            consumed = 0
            while not obj.eof:
                chunk = f.read(1 << 20)
                if not chunk:
                    raise EOFError("truncated zstd stream: its last frame does not end")
                obj.decompress(chunk)
                consumed += len(chunk)
            pos += consumed - len(obj.unused_data)


def open_source(path: Path) -> Source:
    try:
        st = path.stat()
        if stat.S_ISFIFO(st.st_mode):
            return _pipe_source(path)
        with open(path, "rb") as f:
            first = f.read(8)
    except FileNotFoundError:
        raise InputError("no such file", Location(path)) from None
    except PermissionError:
        raise InputError("permission denied", Location(path)) from None
    except IsADirectoryError:
        raise InputError("is a directory", Location(path)) from None
    comp = compression_of(first)
    return Source(str(path), path, comp, st.st_size, st.st_mtime, _read_head(path, comp))


def stdin_source(stream: BinaryIO | None = None) -> Source:
    """Spool stdin to a temporary file so the engine can read it like any other."""
    stream = stream or sys.stdin.buffer
    fd, tmp = tempfile.mkstemp(prefix="sekisho-stdin-", suffix=".log")
    with os.fdopen(fd, "wb") as out:
        shutil.copyfileobj(stream, out, 1024 * 1024)
    path = Path(tmp)
    src = open_source(path)
    src.display = "<stdin>"
    src.finished = True
    src._temps.append(path)
    return src


# Pipes named on the command line, spooled once each: a scan may open a source more than once
# (to group files, then to read one), and a pipe gives its content only to the first reader.
_PIPES: dict[str, Path] = {}


def _pipe_source(path: Path) -> Source:
    """A pipe (`sekisho scan <(zcat old.log.xz)`, a named pipe): read once to its end and spooled,
    as stdin is; the spooled copy lives until the process ends."""
    key = str(path)
    if key not in _PIPES:
        with open(path, "rb") as stream:
            fd, tmp = tempfile.mkstemp(prefix="sekisho-pipe-", suffix=".log")
            with os.fdopen(fd, "wb") as out:
                shutil.copyfileobj(stream, out, 1024 * 1024)
        _PIPES[key] = Path(tmp)
        if len(_PIPES) == 1:
            atexit.register(_remove_pipes)
    src = open_source(_PIPES[key])
    src.display = key
    src.finished = True  # the writer closed it: its last line is whole
    return src


def _remove_pipes() -> None:
    for tmp in _PIPES.values():
        tmp.unlink(missing_ok=True)
    _PIPES.clear()


def expand(paths: list[str]) -> Iterator[Path | str]:
    """Files named, and every file under directories named (recursively, sorted), ``-`` for stdin."""
    for p in paths:
        if p == "-":
            yield "-"
            continue
        path = Path(p)
        if path.is_dir():
            files = sorted(
                f
                for f in path.rglob("*")
                if f.is_file() and not f.name.startswith(".") and not f.name.endswith(IGNORED_SUFFIXES)
            )
            yield from files
        elif path.exists():
            yield path
        else:
            raise InputError("no such file or directory", Location(path))


__all__ = ["Source", "compression_of", "expand", "io", "open_source", "stdin_source"]
