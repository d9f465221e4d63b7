"""The watcher: poll the followed paths, fold new complete lines into the store in one transaction
per batch (with the offsets reached and the alerts they raised), then hand queued alerts to the
sinks.

One poll:

1. list the files (directories are re-listed only when they changed) and ``stat`` each; a file
   whose (device, inode, size, mtime) is as it was after its last read is skipped — an idle poll
   reads nothing;
2. for each changed file: its content head → the file it is (``Store.known_file``) → the offset
   already read → the new complete lines, copied to a temp file (at most ``batch_bytes``);
3. in one transaction: the engine scans each copy (``scan_file``), the batch's new names are
   matched, the alert rules judge the batch against the store *before* it, the batch is merged
   into the observations, the files' offsets and the alerts (with their delivery queue) are saved;
4. the dispatcher sends what is due.

A watcher killed at any point loses nothing and counts nothing twice: what was not committed is
read again from the committed offset. Between batches the store is closed after ``idle_close``
seconds, so other sekisho commands (``alerts``, ``scan``, ``report``) can open it.
"""

from __future__ import annotations

import datetime as dt
import os
import threading
import time
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import duckdb

from sekisho.assess import Assessor, load_rules, load_settings
from sekisho.catalog import Catalog
from sekisho.catalog.cache import validated
from sekisho.catalog.update import active_catalog_dir
from sekisho.errors import CatalogError, InputError, Location, SekishoError
from sekisho.ingest import Format, detect, get_format
from sekisho.ingest.duckdb_engine import FileAccount, add_spare_connection
from sekisho.ingest.sources import Source
from sekisho.match import NameMatcher
from sekisho.match.scan import match_new_names, scan_part
from sekisho.model.rating import Rating
from sekisho.policy import Plan, build_plan, load_policy
from sekisho.policy.presets import level_facts
from sekisho.store import FileState, Store, _prefix_digests
from sekisho.store import watch as wstore
from sekisho.watch.alerts import raise_alerts
from sekisho.watch.catalog_watch import check_catalog
from sekisho.watch.follow import (
    READ_ERRORS,
    Chunk,
    Finder,
    Head,
    Signature,
    content_size,
    offset_of_line,
    read_chunk,
    read_head,
    signature,
)
from sekisho.watch.rules import AlertRules, BatchContext, BlockedUse, ServiceInfo
from sekisho.watch.sinks import Dispatcher, Sink

# formats whose layout the user gives at scan time (a logformat line, a --map): not stored, so the
# watcher cannot read such a file on
USER_LAYOUT = frozenset({"squid-logformat", "csv"})

Log = Callable[[str], None]


@dataclass
class WatchOptions:
    interval: float = 0.5  # seconds between polls
    batch_bytes: int = 64 * 1024 * 1024  # at most this much of one file per batch
    idle_close: float = 2.0  # close the store after this long without work
    catalog_check: float = 60.0  # look for a changed catalog this often
    delivery_budget: float = 10.0  # seconds of sending per round
    format_name: str | None = None
    once: bool = False  # read what is there, deliver, and stop
    open_wait: float = wstore.OPEN_WAIT  # at start, wait this long for a store another process holds
    keep_all: bool = False  # --keep-all: retention rolls up and expires nothing (it only says what)


@dataclass
class _Memo:
    sig: Signature
    idle: bool  # nothing more to read at this signature


@dataclass
class _Work:
    path: Path
    sig: Signature
    head: Head
    state: FileState | None
    fmt: Format
    chunk: Chunk
    lines_before: int
    mtime: dt.datetime


class _Claimed:
    """The contents one poll has planned, told apart as the store tells them: a stored state by its
    id; a content not seen before by its head, which is one with another's when one fingerprint
    starts with the other (``Store.known_file`` would take them for one file once either is saved).
    The line-end prefixes' digests (``_prefix_digests``) make that a set lookup, not a comparison
    with every file planned so far (a first poll over a directory of thousands of logs)."""

    def __init__(self) -> None:
        self.states: set[int] = set()
        self.prefixes: set[str] = set()  # every line-end prefix of the new heads claimed
        self.whole: set[str] = set()  # each new head claimed, whole (its fingerprint)

    def claim(self, item: _Work) -> bool:
        """Claims ``item``'s content; False when this poll has planned it already."""
        if item.state is not None:
            if item.state.id in self.states:
                return False
            self.states.add(item.state.id)
            return True
        digests = _prefix_digests(item.head.complete)
        if digests[-1] in self.prefixes or self.whole.intersection(digests):
            return False
        self.prefixes.update(digests)
        self.whole.add(digests[-1])
        return True


@dataclass
class PollResult:
    files: int = 0
    lines: int = 0
    alerts: list[int] = field(default_factory=list)
    delivered: int = 0
    backlog: bool = False


class Watcher:
    def __init__(
        self,
        paths: list[Path],
        db: Path | None,
        rules: AlertRules,
        sinks: list[Sink],
        catalog_dir: Path | None = None,
        settings: Path | None = None,
        options: WatchOptions | None = None,
        log: Log | None = None,
        opener: wstore.StoreOpener | None = None,
    ) -> None:
        self.paths = [Path(p) for p in paths]
        self.db = db
        self.rules = rules
        self.dispatcher = Dispatcher(sinks)
        self.catalog_dir = catalog_dir
        self.settings_path = settings
        self.opt = options or WatchOptions()
        self.log = log or (lambda msg: None)
        exclude = set()
        if db is not None:
            d = Path(db).resolve()
            exclude |= {d, d.with_name(d.name + ".wal")}
        for s in sinks:
            if s.type == "jsonl":
                exclude.add(Path(s.spec["path"]).resolve())
        self.finder = Finder(self.paths, exclude)
        self.forced = get_format(self.opt.format_name) if self.opt.format_name else None
        self.memo: dict[Path, _Memo] = {}
        self.notes: dict[Path, str] = {}
        # per listed path: (content's file id, bytes of it read, compression), to tell a rotated
        # copy that vanished unread from one that lives on under another name
        self.content: dict[Path, tuple[int | None, int, str]] = {}
        self.ready = False  # said "following" (after the first poll: state loaded, first batch in)
        self._batch_ids: dict[Path, int] = {}
        self.checked_gone = False
        self.store: Store | None = None
        self.scan_id: int | None = None
        self.known_scan = 0
        self.last_work = time.monotonic()
        self.last_catalog_check = 0.0
        self.catalog_key: tuple[str, int] | None = None
        self.compacted: dt.date | None = None
        self.facts_cache: dict[str, dict[str, Any]] = {}
        self._next_due: dt.datetime | None = None
        self.also: list[Callable[[], None]] = []  # polled after each poll (watch --signins)
        self.on_ready: list[Callable[[], None]] = []  # called once the first batch is in
        # the store is opened (created and migrated, when new) while the catalog is read: DuckDB
        # does that work without the GIL, reading the catalog is Python's (0.04 s of start-up
        # saved); `sekisho watch` starts it before its imports (``opener``)
        self._opener: wstore.StoreOpener | None = opener or wstore.StoreOpener(db, self.opt.open_wait)
        if self._opener.ident is None:  # not started yet
            self._opener.start()
        try:
            self._load_catalog()
        except BaseException:
            self._opener.discard()
            self._opener = None
            raise

    # --- catalog, ratings, policies -------------------------------------------------------------
    def _catalog_root(self) -> Path:
        return Path(self.catalog_dir) if self.catalog_dir is not None else active_catalog_dir()

    def _key(self) -> tuple[str, int]:
        """The catalog's place and a digest of every file's name, size and time: a file changed,
        added or removed anywhere under it is a new key (then the catalog is loaded again)."""
        from sekisho.catalog.cache import catalog_files

        root = self._catalog_root().resolve()
        stats = []
        for rel, full in catalog_files(root):
            try:
                st = os.stat(full)
            except OSError:
                continue
            stats.append((rel, st.st_size, st.st_mtime_ns))
        return str(root), hash(tuple(stats))

    def _load_catalog(self) -> None:
        key = self._key()
        # validated once per catalog content and code (sekisho.catalog.cache); the source-kind
        # checks can only warn: not at start-up
        cat, findings, self._remember_catalog = validated(Path(key[0]), defer_put=True)
        errors = [f for f in findings if f.severity == "error"]
        if errors:
            raise CatalogError(errors[0].message, errors[0].location)
        self.catalog_key = key
        self.catalog: Catalog = cat
        self.assessor = _Ratings(cat, load_rules(None), load_settings(self.settings_path))
        self.matcher = NameMatcher(cat)
        self.services = _ServiceInfos(cat, self.assessor)  # each made when a rule first asks
        self.plans: dict[str, Plan] = {}
        for r in self.rules.enabled:
            if isinstance(r, BlockedUse) and r.policy not in self.plans:
                self.plans[r.policy] = build_plan(load_policy(r.policy), self.assessor)
        self.facts_cache = {}

    def _catalog_changed(self, store: Store) -> None:
        """A new catalog: re-match every stored name, rebuild the summaries, raise catalog alerts."""
        old = self.catalog.meta.version
        try:
            self._load_catalog()
        except SekishoError as e:
            self.log(f"catalog not reloaded: {e}")
            self.catalog_key = self._key()  # do not retry until it changes again
            return
        self.log(f"catalog {old} → {self.catalog.meta.version}: checking the services in use")
        with store.transaction():
            store.con.execute("CREATE OR REPLACE TEMP TABLE scan_names (name VARCHAR)")
            match_new_names(store, self.matcher)
            wstore.rebuild_summaries(store)
            ids = check_catalog(
                store, self.catalog, self.assessor, self.rules, self.dispatcher.names, self.facts_cache
            )
        if ids:
            self.log(f"{len(ids)} catalog-change alert(s)")
        self._remember_catalog()

    # --- the store --------------------------------------------------------------------------------
    def _open(self, wait: float = 0.0) -> Store | None:
        if self.store is None:
            try:
                if self._opener is not None:  # the first open, started with the watcher
                    opener, self._opener = self._opener, None
                    self.store = opener.result()
                    if opener.spare is not None:
                        add_spare_connection(opener.spare)
                        opener.spare = None
                else:
                    self.store = wstore.open_store(self.db, wait=wait)
            except SekishoError as e:
                if "lock" not in str(e).lower():
                    raise
                return None
            self._prepare(self.store)
        return self.store

    def _prepare(self, store: Store) -> None:
        if self.scan_id is None:
            with store.transaction():
                store.con.execute("CREATE OR REPLACE TEMP TABLE scan_names (name VARCHAR)")
                match_new_names(store, self.matcher)
                wstore.rebuild_summaries(store)
                self.scan_id = wstore.begin_watch_scan(store, self.catalog.meta.version)
                check_catalog(
                    store, self.catalog, self.assessor, self.rules, self.dispatcher.names, self.facts_cache
                )
            self.known_scan = self.scan_id
        elif wstore.newest_scan_id(store) > self.known_scan:
            # another process scanned into the store meanwhile: the summaries must include it
            with store.transaction():
                wstore.rebuild_summaries(store)
            self.known_scan = wstore.newest_scan_id(store)

    def close(self) -> None:
        if self._opener is not None:
            self._opener.discard()
            self._opener = None
        if self.store is not None:
            self.store.close()
            self.store = None

    # --- one poll -------------------------------------------------------------------------------
    def poll(self) -> PollResult:
        result = PollResult()
        now = time.monotonic()
        changed: list[tuple[Path, Signature]] = []
        listed = self.finder.files()
        gone = {p: self.memo.pop(p) for p in set(self.memo) - set(listed)}
        for path in listed:
            try:
                sig = signature(path.stat())
            except OSError:
                if path in self.memo:
                    gone[path] = self.memo.pop(path)
                continue
            m = self.memo.get(path)
            if m is None or m.sig != sig or not m.idle:
                changed.append((path, sig))
        catalog_changed = False
        if now - self.last_catalog_check >= self.opt.catalog_check:
            self.last_catalog_check = now
            catalog_changed = self._key() != self.catalog_key
        if not changed and not catalog_changed and not self._deliveries_due():
            self._report_lost(gone)
            if self.store is not None and now - self.last_work > self.opt.idle_close:
                self.close()
            return result
        store = self._open()
        if store is None:
            return result  # another process holds the store: next poll
        self.last_work = now
        if catalog_changed:
            self._catalog_changed(store)
        work = self._plan(store, changed)
        self._report_lost(gone)  # after planning: a renamed copy's content is known again by now
        if not self.checked_gone:  # the first poll: before its batch replaces the rows it reads
            self.checked_gone = True
            self._report_gone_at_start(store)
        if work:
            self._commit(store, work, result)
            if not self.ready and result.files:
                self._say_ready(result)
        self._deliver(store, result)
        return result

    def _deliveries_due(self) -> bool:
        return self._next_due is not None and self._next_due <= wstore.utcnow()

    def _plan(self, store: Store, changed: list[tuple[Path, Signature]]) -> list[_Work]:
        """The work of one poll: each content once. Two names may hold one content for a moment
        (logrotate has written ``dns.log.2.gz`` and not yet deleted ``dns.log.1``; copytruncate has
        copied ``dns.log`` and not yet truncated it): both would read on from the same offset and
        count those lines twice. The first name in the poll is read; the other waits for the next
        poll, which finds its content read (``_Claimed``)."""
        work: list[_Work] = []
        claimed = _Claimed()
        for path, sig in changed:
            try:
                item = self._plan_one(store, path, sig)
            except READ_ERRORS as e:
                # gone, unreadable, or a compressed file still being written: try again when it changes
                self._note(path, f"not read yet: {type(e).__name__}: {e}")
                self.memo[path] = _Memo(sig, True)
                continue
            except InputError as e:
                self._note(path, f"not followed: {e.message}")
                self.memo[path] = _Memo(sig, True)
                continue
            if item is None:
                self.memo[path] = _Memo(sig, True)
            elif claimed.claim(item):
                work.append(item)
            else:  # not memoised: the next poll plans it again (and finds its content read)
                item.chunk.path.unlink(missing_ok=True)  # the copy of its new lines is not read
        return work

    def _report_lost(self, gone: dict[Path, _Memo]) -> None:
        """A listed file that vanished before all of it was read: say how many bytes of which file
        were lost (nothing, when its content lives on under another name: dns.log.1 → .2.gz)."""
        alive = {c[0] for p, c in self.content.items() if p not in gone and c[0] is not None}
        for path, memo in gone.items():
            fid, read, comp = self.content.pop(path, (None, -1, "none"))
            self.notes.pop(path, None)
            if fid is not None and fid in alive:
                continue
            size = memo.sig[2]
            if comp == "none" and size > max(read, 0):
                self.log(
                    f"lost: {path}: {size - max(read, 0)} of its {size} bytes were never read "
                    "(rotated away or deleted before the watcher reached them)"
                )
            elif comp != "none" and (read < 0 or not memo.idle):
                self.log(
                    f"lost: {path}: compressed copy ({size} bytes) deleted before it was read to the end"
                )

    def _report_gone_at_start(self, store: Store) -> None:
        """At start: content the store was following that is on disk no more (rotated away while
        no watcher ran) — what of it is known to be lost, or that lines after the last read may be."""
        alive = {c[0] for c in self.content.values() if c[0] is not None}
        live = {p.resolve() for p in self.paths if not p.is_dir()}
        for row in wstore.watched_files(store):
            if row.file_id is None or row.file_id in alive:
                continue
            path = Path(row.path)
            if row.offset_bytes >= 0 and row.size > row.offset_bytes:
                self.log(
                    f"lost: {path}: {row.size - row.offset_bytes} of its {row.size} bytes were never read "
                    "(rotated away while no watcher ran)"
                )
            elif row.offset_bytes < 0:
                self.log(f"lost: {path}: rotated away while no watcher ran, before it was read to the end")
            elif path.resolve() in live:
                self.log(
                    f"lost?: {path} as read up to byte {row.offset_bytes} is on disk no more (rotated away "
                    "while no watcher ran): lines written to it after that were not read"
                )
            else:
                continue
            if not path.exists():
                with store.transaction():
                    wstore.forget_watched_file(store, row.path)

    def _say_ready(self, result: PollResult) -> None:
        """ "following …": said once, as soon as the first batch is committed (before its alerts
        are handed to the sinks: a slow webhook does not hold it back), or after a first poll that
        found nothing new."""
        self.ready = True
        age = process_age()
        first = f"first batch committed ({result.lines} line(s))" if result.files else "nothing new to read"
        when = f" {age:.2f} s after start" if age is not None else ""
        self.log(f"following {len(self.memo)} file(s) from the stored offsets; {first}{when}")

    def _settle(self) -> None:
        """After the first poll: what start-up left to do when there is time."""
        self._remember_catalog()  # a catalog validated at start goes to the cache now, not before
        for call in self.on_ready:
            call()

    def _note(self, path: Path, note: str) -> None:
        if self.notes.get(path) != note:
            self.notes[path] = note
            self.log(f"{path}: {note}")

    def _plan_one(self, store: Store, path: Path, sig: Signature) -> _Work | None:
        kept = wstore.watched_file(store, str(path))
        head = read_head(path)
        if not head.complete:
            return None  # no complete line yet
        state = store.known_file(head.data)
        if state is None and len(head.complete) < len(head.data):
            state = store.known_file(head.complete)
        if state is not None:
            read = kept.offset_bytes if kept is not None and kept.file_id == state.id else -1
            read = read if read >= 0 else state.offset_bytes  # the store's: -1 if only lines are known
            self.content[path] = (state.id, read, head.compression)
        if (
            kept is not None
            and state is not None
            and kept.file_id == state.id
            and (kept.dev, kept.ino, kept.size, kept.mtime_ns) == sig
            and kept.offset_bytes >= 0
            and (state.offset_bytes < 0 or kept.offset_bytes <= state.offset_bytes)
        ):
            return None  # unchanged since every complete line of it was read
        fmt: Format
        lines_before, offset = 0, 0
        if state is not None:
            row = wstore.file_row(store, state.id)
            if self.forced is not None:
                fmt = self.forced
            elif row is not None and str(row["format"]) in USER_LAYOUT:
                self._note(
                    path,
                    f"read by a scan as {row['format']} with a layout the user gave: scan it again, the watcher cannot take that layout",
                )
                return None
            elif row is not None:
                fmt = get_format(str(row["format"]))
            else:
                fmt = self._detect(path, head, sig)
            lines_before = state.lines
            offset = state.offset_bytes
            if offset < 0:  # a scan stored a line count only
                offset = offset_of_line(path, head.compression, state.lines)
            size = sig[2] if head.compression == "none" else None
            if size is not None and size < offset:
                self._note(path, f"shorter than the {offset} bytes already read of this content: waiting")
                return None
        else:
            fmt = self._detect(path, head, sig)
        limit = self.opt.batch_bytes if head.compression == "none" else None
        chunk = read_chunk(path, head.compression, offset, limit)
        if chunk is None:
            if head.compression != "none" and state is not None and state.offset_bytes < 0:
                self._remember(store, path, state, sig, content_size(path, head.compression))
            return None
        mtime = dt.datetime.fromtimestamp(sig[3] / 1e9)
        self.notes.pop(path, None)
        return _Work(path, sig, head, state, fmt, chunk, lines_before, mtime)

    def _remember(self, store: Store, path: Path, state: FileState, sig: Signature, offset: int) -> None:
        with store.transaction():
            wstore.save_watched_file(store, str(path), state.id, sig, offset)

    def _detect(self, path: Path, head: Head, sig: Signature) -> Format:
        if self.forced is not None:
            return self.forced
        src = Source(str(path), path, head.compression, sig[2], sig[3] / 1e9, head.complete)
        return detect(src)

    def _commit(self, store: Store, work: list[_Work], result: PollResult) -> None:
        """Fold the work into the store in one transaction. A file the engine cannot read is left
        out (and noted) and the rest committed without it."""
        while work:
            try:
                self._batch(store, work, result)
                break
            except _FileFailed as e:
                self._note(e.item.path, f"not followed: {e.error}")
                self.memo[e.item.path] = _Memo(e.item.sig, True)
                e.item.chunk.path.unlink(missing_ok=True)
                work = [w for w in work if w is not e.item]
            except BaseException:
                for w in work:
                    w.chunk.path.unlink(missing_ok=True)
                raise
        for w in work:
            w.chunk.path.unlink(missing_ok=True)

    def _batch(self, store: Store, work: list[_Work], result: PollResult) -> None:
        assert self.scan_id is not None
        accounts: list[FileAccount] = []
        self._batch_ids = {}
        with store.transaction():
            wstore.start_batch(store)
            for w in work:
                account = FileAccount(str(w.path), w.fmt.name, first_line=w.lines_before + 1)
                if w.state is not None:
                    account.note = f"continues {w.state.path} from line {w.lines_before + 1}"
                try:
                    scan_part(
                        store,
                        w.fmt,
                        w.chunk.path,
                        "none",
                        w.mtime,
                        account,
                        _head_lines(w.head),
                        str(w.path),
                    )
                except InputError as e:
                    raise _FileFailed(w, e.message) from None
                wstore.stage_file(store)
                accounts.append(account)
            wstore.stage_names(store)
            match_new_names(store, self.matcher)
            wstore.name_batch(store)
            ctx = BatchContext(store, self.catalog, self.services, self.plans)
            candidates = [c for r in self.rules.enabled if r.batch for c in r.evaluate(ctx)]
            wstore.merge_staged(store)
            wstore.update_summaries(store)
            for w, account in zip(work, accounts, strict=True):
                consumed = w.head.data[: w.chunk.end]
                file_id = store.save_file(
                    self.scan_id,
                    w.state,
                    str(w.path),
                    w.fmt.name,
                    w.head.compression,
                    consumed,
                    w.chunk.end,
                    w.lines_before + w.chunk.lines,
                    w.sig[2],
                )
                self._batch_ids[w.path] = file_id
                # the offset is kept only when every complete line was read (-1: more to read)
                wstore.save_watched_file(
                    store, str(w.path), file_id, w.sig, -1 if w.chunk.more else w.chunk.end
                )
                wstore.add_scan_file(
                    store, self.scan_id, file_id, {**account.as_dict(), "first_line": account.first_line}
                )
                result.lines += w.chunk.lines
            ids = raise_alerts(store, candidates, self.rules.windows(), self.dispatcher.names)
            ids += check_catalog(
                store, self.catalog, self.assessor, self.rules, self.dispatcher.names, self.facts_cache
            )
            today = dt.date.today()
            if self.compacted != today:
                for line in store.compact(keep_all=self.opt.keep_all).lines():
                    self.log(f"retention: {line}")
                self.compacted = today
        self.known_scan = max(self.known_scan, self.scan_id)
        for account in accounts:  # committed: say which lines could not be read, as `scan` does
            for line in malformed_lines(account):
                self.log(line)
        result.files += len(work)
        result.alerts += ids
        for w in work:
            self.memo[w.path] = _Memo(w.sig, not w.chunk.more)
            if w.path in self._batch_ids:
                self.content[w.path] = (self._batch_ids[w.path], w.chunk.end, w.head.compression)
            if w.chunk.more:
                result.backlog = True

    def _deliver(self, store: Store, result: PollResult) -> None:
        rnd = self.dispatcher.deliver(store, self.opt.delivery_budget)
        result.delivered += rnd.delivered
        for err in rnd.errors[:3]:
            self.log(f"sink: {err}")
        self._next_due = wstore.next_due(store, self.dispatcher.names)

    # --- the loop -------------------------------------------------------------------------------
    def run(self, stop: threading.Event | None = None) -> None:
        """Poll until ``stop`` is set (or, with ``once``, until nothing is left to read)."""
        stop = stop or threading.Event()
        store = self._open(wait=self.opt.open_wait)
        if store is None:
            raise SekishoError("the store is held by another process", Location(self.db or ""))
        self.last_catalog_check = time.monotonic()
        # alerts a previous watcher left undelivered go out in the first poll, after its batch
        # (due now: the poll opens the store and delivers whatever is due, even with nothing to read)
        self._next_due = wstore.utcnow()
        failures = 0
        settled = False  # the first poll's follow-up done (catalog cache written, on_ready called)
        try:
            while not stop.is_set():
                try:
                    result = self.poll()
                    for more in self.also:
                        more()
                    failures = 0
                except (SekishoError, duckdb.Error, OSError) as e:
                    # a batch that failed was rolled back: its lines are read again next time
                    failures += 1
                    wait = min(60.0, self.opt.interval * 2**failures)
                    self.log(f"batch failed ({type(e).__name__}: {e}); retrying in {wait:.0f}s")
                    self.close()
                    if self.opt.once and failures >= 3:
                        raise
                    stop.wait(wait)
                    continue
                if result.files or result.alerts:
                    self.log(
                        f"batch: {result.lines} line(s) from {result.files} file(s), {len(result.alerts)} alert(s)"
                    )
                if not self.ready:
                    self._say_ready(result)
                if not settled:
                    self._settle()
                    settled = True
                if self.opt.once and not result.backlog:
                    break
                if not result.backlog:
                    stop.wait(self.opt.interval)
        finally:
            self.dispatcher.close()
            self.close()


class _ServiceInfos(Mapping[str, ServiceInfo]):
    """What the rules see of each researched service (its level and the facts behind it), made
    when a rule first asks for it: a batch names a few services of the catalog's hundreds."""

    def __init__(self, catalog: Catalog, assessor: Assessor) -> None:
        self.catalog = catalog
        self.assessor = assessor
        self._made: dict[str, ServiceInfo] = {}

    def __getitem__(self, sid: str) -> ServiceInfo:
        info = self._made.get(sid)
        if info is None:
            svc = self.catalog.services[sid]  # KeyError: not a researched service
            rating = self.assessor.rate(sid)
            why, facts = level_facts(rating)
            info = self._made[sid] = ServiceInfo(
                sid,
                svc.name,
                rating.safety_level,
                why,
                [
                    {"text": f.text, "source": f.source, "as_of": f.as_of.isoformat() if f.as_of else None}
                    for f in facts[:10]
                ],
            )
        return info

    def __iter__(self) -> Iterator[str]:
        return iter(self.catalog.services)

    def __len__(self) -> int:
        return len(self.catalog.services)


class _Ratings(Assessor):
    """The assessor, each service rated once (the services' levels and a policy's plan both need
    them): a rating depends only on the catalog, rules and settings, which a new catalog replaces
    with a new assessor."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._rated: dict[str, Rating] = {}

    def rate(self, service_id: str) -> Rating:
        rating = self._rated.get(service_id)
        if rating is None:
            rating = self._rated[service_id] = super().rate(service_id)
        return rating


def process_age() -> float | None:
    """Seconds since this process started (Linux /proc; None elsewhere)."""
    try:
        fields = Path("/proc/self/stat").read_text().rsplit(")", 1)[1].split()
        uptime = float(Path("/proc/uptime").read_text().split()[0])
        return max(0.0, uptime - int(fields[19]) / os.sysconf("SC_CLK_TCK"))
    except (OSError, ValueError, IndexError):
        return None


class _FileFailed(Exception):
    def __init__(self, item: _Work, error: str) -> None:
        super().__init__(error)
        self.item = item
        self.error = error


def _head_lines(head: Head, limit: int = 50) -> list[str]:
    return head.complete.decode("utf-8", errors="replace").splitlines()[:limit]


def malformed_lines(account: FileAccount) -> list[str]:
    """What the watcher says of a batch's malformed lines: how many, then ``file:line: reason`` for
    each sample (the first few), so that nothing it could not read goes by without a word."""
    if not account.malformed:
        return []
    out = [f"malformed: {account.path}: {account.malformed} line(s) could not be read as {account.format}"]
    out += [f"  {account.path}:{s['line']}: {s['reason']}" for s in account.malformed_samples]
    return out
