"""One scan: read every input, fold it into the store, match the new names — in one transaction."""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Callable
from contextlib import AbstractContextManager, nullcontext
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, BinaryIO

import duckdb

from sekisho.catalog import Catalog
from sekisho.errors import InputError, Location, ReadError, SekishoError
from sekisho.ingest import Format, detect, envelope, get_format
from sekisho.ingest import progress as read_progress
from sekisho.ingest.accounting import judge
from sekisho.ingest.base import JsonLinesFormat, LineRegexFormat, ZeekTsvFormat
from sekisho.ingest.duckdb_engine import BATCH_TABLE, FileAccount, Part, scan_file, scan_files, zeek_header
from sekisho.ingest.formats.pihole_db import PiholeFtlDb
from sekisho.ingest.sources import FINGERPRINT_BYTES, Compression, Source, expand, open_source, stdin_source
from sekisho.ingest.years import reference_time, year_note, yearless
from sekisho.match import NameMatcher
from sekisho.store import FileState, Store, _prefix_digests

Progress = Callable[[str, int], None]  # (what, bytes done) after each file
Reading = Callable[[str, int], None]  # (what, bytes of it read so far) while the engine reads it


@dataclass
class ScanOutcome:
    scan_id: int
    files: list[dict[str, Any]] = field(default_factory=list)
    new_names: int = 0
    expired: int = 0  # observation rows expired by retention (``retention`` says which, and why)
    retention: dict[str, Any] = field(default_factory=dict)  # sekisho.store.retention.Compaction

    @property
    def totals(self) -> dict[str, int]:
        return {
            k: sum(int(f.get(k, 0)) for f in self.files) for k in ("lines", "parsed", "skipped", "malformed")
        }


def run_scan(
    paths: list[str],
    store: Store,
    catalog: Catalog,
    format_name: str | None = None,
    mapping: dict[str, str] | None = None,
    progress: Progress | None = None,
    stdin: BinaryIO | None = None,
    *,
    year: int | None = None,
    keep_all: bool = False,
    reading: Reading | None = None,
) -> ScanOutcome:
    """Scan ``paths`` (files, directories, ``-``) into ``store``. Raises on a named file that is not
    a log; a non-log file found inside a directory is reported in its file entry instead.
    ``year``: the year the files' year-less stamps end in (default: inferred per file);
    ``keep_all``: roll up and expire nothing, only say what retention would have done;
    ``reading``: told, from another thread, how far the engine is inside a file (or a group of
    files read in one pass) — ``progress`` is told only once it is read."""
    inputs = list(expand(paths))
    if not inputs:
        raise InputError("nothing to scan: the paths hold no files")
    forced: Format | None = get_format(format_name, mapping) if format_name else None
    named = {Path(p) for p in paths if p != "-" and not Path(p).is_dir()}
    with store.transaction():
        scan_id = store.begin_scan(catalog.meta.version)
        outcome = ScanOutcome(scan_id)
        grouped = _read_groups(inputs, store, forced, year, reading)
        pending: list[dict[str, Any]] = []  # files read in a group, saved together, in order
        for item in inputs:
            if item in grouped:
                done = grouped.pop(item)
                try:
                    entry = _book_part(done, forced, year)
                    account = done.part.account
                    pending.append(entry)
                except InputError as e:
                    if Path(item) in named:
                        raise
                    store.save_new_files(scan_id, pending)
                    pending = []
                    account = _not_read(store, scan_id, done.src.display, e)
                finally:
                    done.src.close()
                outcome.files.append(account.as_dict())
                if progress:
                    progress(done.src.display, done.src.size)
                continue
            store.save_new_files(scan_id, pending)  # a later file may be a copy of one of them
            pending = []
            try:
                src = stdin_source(stdin) if item == "-" else open_source(Path(item))
            except ReadError as e:
                outcome.files.append(_not_read(store, scan_id, str(item), e).as_dict())
                continue
            try:
                account = _scan_one(store, scan_id, src, forced, year, reading)
            except ReadError as e:  # a log cut short or corrupt: say so, read the others
                account = _not_read(store, scan_id, src.display, e)
            except InputError as e:
                if item == "-" or Path(item) in named:
                    raise
                account = _not_read(store, scan_id, src.display, e)
            finally:
                src.close()
            outcome.files.append(account.as_dict())
            if progress:
                progress(src.display, src.size)
        store.save_new_files(scan_id, pending)
        store.merge_staged()
        outcome.new_names = match_new_names(store, NameMatcher(catalog))
        compaction = store.compact(keep_all=keep_all)
        outcome.expired = 0 if keep_all else compaction.expired_rows
        outcome.retention = compaction.as_dict() | {"lines": compaction.lines()}
        t = outcome.totals
        store.finish_scan(scan_id, len(outcome.files), t["lines"], t["parsed"], t["malformed"])
    return outcome


def _not_read(store: Store, scan_id: int, display: str, e: InputError) -> FileAccount:
    """The entry of a file the scan could not read, with the reason in one line."""
    account = FileAccount(display, "-", note=f"not read: {e.message.split('; use --format')[0]}")
    store.record_scan_file(scan_id, None, account.as_dict(), 0)
    return account


def match_new_names(store: Store, matcher: NameMatcher) -> int:
    """Match the names this scan (or watch batch) brought, and names matched under another catalog
    version; returns how many were matched. The store's own domains (setting ``own_domains``)
    are internal."""
    matcher.own_domains = store.own_domains()
    n = store.pending_names(matcher.version, "pending_names")
    if n:
        matcher.match_table(store.con, "pending_names", "name_matches")
        store.save_matches_from("name_matches", matcher.version)
    return n


def scan_part(
    store: Store,
    fmt: Format,
    path: Path,
    compression: Compression,
    mtime: dt.datetime,
    account: FileAccount,
    head: list[str],
    display: str,
) -> None:
    """Run the engine over one file (or the new part of one) into ``ingest_batch``; an engine error
    becomes an InputError naming the file."""
    try:
        scan_file(store.con, fmt, path, compression, mtime, account, head=head)
    except (ValueError, TypeError) as e:
        raise InputError(f"cannot read as {fmt.name}: {e}", Location(display)) from None
    except SekishoError:
        raise
    except duckdb.IOException as e:  # a truncated or corrupt compressed file, an I/O error
        raise ReadError(f"cannot read as {fmt.name}: {str(e).splitlines()[0]}", Location(display)) from None
    except Exception as e:  # a DuckDB error is about this file: say which
        raise InputError(f"cannot read as {fmt.name}: {str(e).splitlines()[0]}", Location(display)) from None


def _within(reading: Reading | None, what: str, size: int) -> AbstractContextManager[None]:
    """Reads in this block tell ``reading`` how many of their ``size`` bytes are read so far."""
    if reading is None:
        return nullcontext()
    return read_progress.reading(lambda fraction: reading(what, int(fraction * size)))


def _scan_one(
    store: Store,
    scan_id: int,
    src: Source,
    forced: Format | None,
    year: int | None = None,
    reading: Reading | None = None,
) -> FileAccount:
    fmt = forced or detect(src)
    if isinstance(fmt, PiholeFtlDb):
        return _scan_database(store, scan_id, src, fmt)
    state = store.known_file(src.head)
    account = FileAccount(src.display, fmt.name)
    mtime = reference_time(dt.datetime.fromtimestamp(src.mtime), year)
    offset_bytes, lines_before = 0, 0
    if state is not None:
        lines_before = state.lines
        if src.compression == "none" and state.offset_bytes >= 0:
            if src.size == state.offset_bytes:
                account.note = f"already scanned (same content as {state.path}): nothing new"
                return _nothing_new(store, scan_id, src, fmt, state, state.offset_bytes, account)
            if src.size < state.offset_bytes:
                state, lines_before = None, 0  # replaced or truncated: a new file
            else:
                offset_bytes = state.offset_bytes
    account.first_line = lines_before + 1
    partial: str | None = None
    if state is not None and offset_bytes == 0:
        path, size = src.plain_file_from_line(state.lines)
        comp = "none"
        if size == 0:
            account.note = f"already scanned (same content as {state.path}): nothing new"
            return _nothing_new(store, scan_id, src, fmt, state, -1, account)
        new_offset = -1
    else:
        path, comp = src.engine_file(offset_bytes)
        new_offset = src.size if src.compression == "none" else -1
        if (
            src.compression == "none"
            and fmt.text
            and not src.finished
            and (end := src.complete_end()) < src.size
        ):
            # A line still being written is left for the next scan, which continues from here.
            new_offset = end
            partial = f"incomplete last line ({src.size - end} bytes) left for the next scan"
            if end <= offset_bytes:  # nothing complete since the last scan
                account.note = partial
                offset = state.offset_bytes if state is not None else 0
                return _nothing_new(store, scan_id, src, fmt, state, offset, account)
            path, comp = src.plain_range(offset_bytes, end), "none"
    if state is not None:
        account.note = f"continues {state.path} from line {state.lines + 1}"
    if partial:
        account.note = f"{account.note}; {partial}" if account.note else partial
    with _within(reading, src.display, src.size):
        scan_part(store, fmt, path, comp, mtime, account, src.head_lines(), src.display)  # type: ignore[arg-type]
    judge(account, forced is not None, src.display)  # partial detection noted; forced no-match fails
    if _years_inferred(fmt, src) and (note := year_note(store.con, BATCH_TABLE, mtime, year)):
        account.note = f"{account.note}; {note}" if account.note else note
    if src.compression == "none" and src.path.stat().st_size != src.size:
        new_offset = -1  # it grew while being read: next time continue by line count
    store.stage_batch()
    file_id = store.save_file(
        scan_id,
        state,
        src.display,
        fmt.name,
        src.compression,
        src.head,
        new_offset,
        lines_before + account.lines,
        src.size,
    )
    store.record_scan_file(scan_id, file_id, account.as_dict(), account.first_line)
    return account


def _nothing_new(
    store: Store,
    scan_id: int,
    src: Source,
    fmt: Format,
    state: FileState | None,
    offset: int,
    account: FileAccount,
) -> FileAccount:
    """A file that brings no new complete line: its stored state is kept (seen in this scan) and
    its entry recorded."""
    if state is not None:
        store.save_file(
            scan_id, state, src.display, fmt.name, src.compression, src.head, offset, state.lines, src.size
        )
    first = state.lines + 1 if state is not None else account.first_line
    store.record_scan_file(scan_id, state.id if state else None, account.as_dict(), first)
    return account


def _scan_database(store: Store, scan_id: int, src: Source, fmt: PiholeFtlDb) -> FileAccount:
    """A query database: known by its path; a re-scan reads rows after the last id read.
    (``lines`` in its stored state is that last id; ``first_line`` in its account is a row id.)"""
    if not src.is_sqlite or not fmt.is_ftl_db(src.path):
        raise InputError("not a Pi-hole query database (pihole-FTL.db)", Location(src.display))
    head = fmt.identity(src.path)
    state = store.known_file(head)
    if state is not None and fmt.max_id(src.path) < state.lines:
        state = None  # ids went back: the database was replaced (rotated away); read it whole
    fmt.after_id = state.lines if state else 0
    account = FileAccount(src.display, fmt.name)
    account.first_line = fmt.after_id + 1
    if state is not None:
        account.note = f"continues {state.path} after query id {fmt.after_id}"
    scan_part(store, fmt, src.path, "none", dt.datetime.fromtimestamp(src.mtime), account, [], src.display)
    store.stage_batch()
    file_id = store.save_file(
        scan_id, state, src.display, fmt.name, "sqlite", head, -1, fmt.last_id, src.size
    )
    store.record_scan_file(scan_id, file_id, account.as_dict(), account.first_line)
    return account


# --- many files, one pass ----------------------------------------------------------------------
# New files of one format, compression and header are read together (``scan_files``): DuckDB reads
# the list in one pass, so 5,000 small files cost about what one file of the same lines costs.
# The rest (a file already known or grown, a copy of an earlier file in the same scan, a half-written
# last line, a carriage return, a database, a format with its own SQL) is read one by one as before.
# A group the engine cannot read in one pass (a truncated compressed file, a carriage return late
# in a file, an I/O error) is read one by one too, so the error names its file.
GROUP_MAX_FILES = 10000


@dataclass
class _Grouped:
    src: Source
    fmt: Format
    part: Part


def _group_key(src: Source, fmt: Format) -> tuple[Any, ...] | None:
    """What files must share to be read in one pass, or None when this one must be read alone."""
    if src.compression not in ("none", "gzip", "zstd") or b"\r" in src.head or src.finished:
        return None
    if not isinstance(fmt, (LineRegexFormat, JsonLinesFormat, ZeekTsvFormat)):
        return None
    if getattr(fmt, "compile_duckdb", None) is not None:
        return None
    if src.compression == "none" and (
        src.size == 0
        or not (src.head.endswith(b"\n") if len(src.head) == src.size else src.complete_end() == src.size)
    ):
        return None  # a line still being written waits (the one-by-one path says so)
    key: tuple[Any, ...] = (fmt.name, src.compression)
    if isinstance(fmt, ZeekTsvFormat):
        fields, header_lines = zeek_header(src.path, src.compression)
        if not fields:
            return None
        key += (tuple(fields), header_lines)
    elif isinstance(fmt, (LineRegexFormat, JsonLinesFormat)):  # JSON lines may have one too
        text = src.head.decode("utf-8", errors="replace").removeprefix("\ufeff")
        key += (envelope.choose(fmt, text.splitlines()[: envelope.HEAD_LINES]).name,)
    return key


def _whole(src: Source) -> bytes | None:
    """The whole content of a small uncompressed file (its head is all of it)."""
    return src.head if src.compression == "none" and len(src.head) == src.size else None


class _Earlier:
    """The fingerprints of the files before this one in the scan (``Store.known_file`` would find
    them once they are saved): a file that continues or copies one of them is read one by one."""

    def __init__(self) -> None:
        self.aligned: set[str] = set()
        self.odd: dict[int, set[str]] = {}

    def depends(self, head: bytes) -> bool:
        if self.aligned.intersection(_prefix_digests(head)):
            return True
        return any(hashlib.sha256(head[:n]).hexdigest() in ds for n, ds in self.odd.items() if n <= len(head))

    def add(self, head: bytes) -> None:
        n = min(len(head), FINGERPRINT_BYTES)
        digest = hashlib.sha256(head[:n]).hexdigest()
        if n == FINGERPRINT_BYTES or head[:n].endswith(b"\n"):
            self.aligned.add(digest)
        else:
            self.odd.setdefault(n, set()).add(digest)


def _read_groups(
    inputs: list[Path | str],
    store: Store,
    forced: Format | None,
    year: int | None,
    reading: Reading | None = None,
) -> dict[Path | str, _Grouped]:
    """Read every group of two or more new files of one kind in one pass; their batches are staged.
    Returns the files so read, each with its filled account (bookkeeping follows in input order)."""
    candidates: list[tuple[tuple[Any, ...], _Grouped]] = []
    earlier = _Earlier()
    for item in inputs:
        if item == "-" or not isinstance(item, Path):
            continue
        try:
            src = open_source(item)
        except SekishoError:
            continue
        try:
            fmt = forced or detect(src)
            key = None if earlier.depends(src.head) else _group_key(src, fmt)
        except SekishoError:
            key = None
        earlier.add(src.head)
        if key is None:
            src.close()
            continue
        mtime = reference_time(dt.datetime.fromtimestamp(src.mtime), year)
        candidates.append(
            (
                key,
                _Grouped(
                    src, fmt, Part(src.path, mtime, FileAccount(src.display, fmt.name), content=_whole(src))
                ),
            )
        )
    groups: dict[tuple[Any, ...], list[_Grouped]] = {}
    known = store.known_heads([g.src.head for _, g in candidates])  # grown or already scanned
    for (key, g), is_known in zip(candidates, known, strict=True):
        if is_known:
            g.src.close()
        else:
            groups.setdefault(key, []).append(g)
    done: dict[Path | str, _Grouped] = {}
    for key, members in groups.items():
        for start in range(0, len(members), GROUP_MAX_FILES):
            chunk = members[start : start + GROUP_MAX_FILES]
            read = False
            if len(chunk) > 1:
                try:
                    with _within(reading, f"{len(chunk)} files", sum(g.src.size for g in chunk)):
                        scan_files(store.con, chunk[0].fmt, [g.part for g in chunk], key[1])
                    read = True
                except Exception:  # read one by one: the error then names its file
                    read = False
            if read:
                store.stage_batch()
                done.update((g.src.path, g) for g in chunk)
            else:
                for g in chunk:
                    g.src.close()
    return done


class _Days:
    """The first and last day of a file's records, answering :func:`year_note`'s one query
    without a round trip to the store (it asks for ``min(day), max(day)`` of the batch)."""

    def __init__(self, days: tuple[dt.date, dt.date]) -> None:
        self.days = days

    def execute(self, _sql: str) -> _Days:
        return self

    def fetchone(self) -> tuple[dt.date, dt.date]:
        return self.days


def _years_inferred(fmt: Format, src: Source) -> bool:
    """Whether the records' years were inferred: year-less stamps, and a format that dates its
    records by them (JSON lines in a syslog envelope carry their own full time)."""
    return not isinstance(fmt, JsonLinesFormat) and yearless(src.head_lines())


def _book_part(g: _Grouped, forced: Format | None, year: int | None) -> dict[str, Any]:
    """The bookkeeping of one file read in a group, as ``_scan_one`` does for a new file; the
    entry :meth:`Store.save_new_files` saves."""
    src, account = g.src, g.part.account
    judge(account, forced is not None, src.display)
    days = g.part.days
    if (
        days is not None
        and _years_inferred(g.fmt, src)
        and (note := year_note(_Days(days), BATCH_TABLE, g.part.mtime, year))
    ):
        account.note = f"{account.note}; {note}" if account.note else note
    new_offset = src.size if src.compression == "none" else -1
    if src.compression == "none" and src.path.stat().st_size != src.size:
        new_offset = -1  # it grew while being read: next time continue by line count
    return {
        "path": src.display,
        "format": g.fmt.name,
        "compression": src.compression,
        "head": src.head,
        "offset_bytes": new_offset,
        "lines": account.lines,
        "size": src.size,
        "account": account.as_dict(),
        "from_line": account.first_line,
    }
