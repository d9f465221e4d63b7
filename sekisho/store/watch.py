"""The watcher's part of the store: followed files, the batch a watcher folds in, the running
summaries its alert rules compare a batch with, alerts and their delivery queue.

Functions take a :class:`~sekisho.store.Store`; all SQL stays in this package. The tables come from
migration ``003_watch``. A batch is staged in temp tables (``watch_batch`` → ``batch_named``), judged
against the summaries *before* it is merged, then merged and summarised — all in the caller's
transaction, so a killed watcher leaves nothing half-done.
"""

from __future__ import annotations

import datetime as dt
import json
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import duckdb
import pyarrow as pa

from sekisho.errors import SekishoError
from sekisho.store import Store, insert_scan_file
from sekisho.store.busy import StoreBusy

__all__ = [
    "OPEN_WAIT",
    "StoreOpener",
    "WatchedPath",
    "ack_alerts",
    "add_scan_file",
    "batch_service_clients",
    "batch_service_days",
    "batch_unknown_domains",
    "begin_watch_scan",
    "catalog_facts",
    "due_deliveries",
    "file_row",
    "get_alert",
    "get_alerts",
    "insert_alerts",
    "list_alerts",
    "mark_delivered",
    "mark_failed",
    "merge_staged",
    "name_clients",
    "open_store",
    "rebuild_summaries",
    "recent_alerts",
    "save_catalog_facts",
    "save_watched_file",
    "stage_file",
    "start_batch",
    "update_summaries",
    "utcnow",
    "watched_file",
]


def utcnow() -> dt.datetime:
    """Now, as a naive UTC timestamp (how the store keeps wall-clock times)."""
    return dt.datetime.now(dt.UTC).replace(tzinfo=None)


def _locked(e: SekishoError) -> bool:
    if isinstance(e, StoreBusy):
        return True
    text = str(e).lower()
    return "lock" in text or "resource temporarily unavailable" in text


OPEN_WAIT = 30.0  # seconds a watcher waits at start for a store another process holds


def open_store(
    path: Path | str | None,
    read_only: bool = False,
    wait: float = OPEN_WAIT,
    cancel: threading.Event | None = None,
) -> Store:
    """Open the store, waiting up to ``wait`` seconds while another process (a watcher between two
    batches, a scan) holds it: DuckDB lets one process write at a time. ``cancel`` set: stop
    waiting (the error of the last try is raised)."""
    deadline = time.monotonic() + wait
    delay = 0.05
    cancel = cancel or threading.Event()
    while True:
        try:
            return Store(path, read_only=read_only)
        except SekishoError as e:
            if not _locked(e) or time.monotonic() >= deadline or cancel.is_set():
                raise
        cancel.wait(delay)
        delay = min(delay * 2, 0.5)


class StoreOpener(threading.Thread):
    """Opens the store in the background (``open_store``, waiting up to ``wait`` seconds for
    another process's lock); :meth:`result` joins it and returns the store or raises its error."""

    def __init__(self, db: Path | None, wait: float) -> None:
        super().__init__(name="sekisho-open-store", daemon=True)
        self.db, self.wait = db, wait
        self.store: Store | None = None
        self.error: BaseException | None = None
        self.spare: duckdb.DuckDBPyConnection | None = None  # an empty in-memory database for the engine
        self.cancel = threading.Event()

    def run(self) -> None:
        try:
            self.store = open_store(self.db, wait=self.wait, cancel=self.cancel)
        except BaseException as e:  # raised again by result(), in the watcher's thread
            self.error = e
            return
        if not self.cancel.is_set():  # the first batch's engine database, made here too
            self.spare = duckdb.connect(":memory:")

    def result(self) -> Store:
        """The store, handed over (the opener keeps no reference), or the open's error."""
        self.join()
        if self.error is not None:
            raise self.error
        store, self.store = self.store, None
        assert store is not None
        return store

    def discard(self) -> None:
        """The store is not wanted (the watcher failed to start, or closes first): stop waiting
        for another process's lock, and close the store if it was opened and not handed over."""
        self.cancel.set()
        if self.ident is not None:
            self.join()
        if self.store is not None:
            self.store.close()
            self.store = None
        if self.spare is not None:
            self.spare.close()
            self.spare = None


def _dicts(store: Store, sql: str, params: Any = None) -> list[dict[str, Any]]:
    cur = store.con.execute(sql, params or [])
    cols = [d[0] for d in cur.description]
    return [dict(zip(cols, row, strict=True)) for row in cur.fetchall()]


# --- files ------------------------------------------------------------------------------------
def file_row(store: Store, file_id: int) -> dict[str, Any] | None:
    rows = _dicts(
        store,
        "SELECT id, path, format, compression, offset_bytes, lines, size FROM source_files WHERE id = ?",
        [file_id],
    )
    return rows[0] if rows else None


@dataclass(frozen=True)
class WatchedPath:
    """Where a followed path stood when last read: its stat signature and the offset reached."""

    path: str
    file_id: int | None
    dev: int
    ino: int
    size: int
    mtime_ns: int
    offset_bytes: int
    note: str | None


def watched_file(store: Store, path: str) -> WatchedPath | None:
    row = store.con.execute(
        "SELECT path, file_id, dev, ino, size, mtime_ns, offset_bytes, note FROM watch_files WHERE path = ?",
        [path],
    ).fetchone()
    return WatchedPath(*row) if row else None


def watched_files(store: Store) -> list[WatchedPath]:
    rows = store.con.execute(
        "SELECT path, file_id, dev, ino, size, mtime_ns, offset_bytes, note FROM watch_files ORDER BY path"
    ).fetchall()
    return [WatchedPath(*r) for r in rows]


def forget_watched_file(store: Store, path: str) -> None:
    store.con.execute("DELETE FROM watch_files WHERE path = ?", [path])


def save_watched_file(
    store: Store,
    path: str,
    file_id: int | None,
    signature: tuple[int, int, int, int],
    offset_bytes: int,
    note: str | None = None,
) -> None:
    dev, ino, size, mtime_ns = signature
    store.con.execute("DELETE FROM watch_files WHERE path = ?", [path])
    store.con.execute(
        "INSERT INTO watch_files VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
        [path, file_id, dev, ino, size, mtime_ns, offset_bytes, note, utcnow()],
    )


# --- the watcher's scan row -------------------------------------------------------------------
def begin_watch_scan(store: Store, catalog_version: str) -> int:
    """One ``scans`` row per watcher run; its totals grow with every batch."""
    scan_id = store.begin_scan(catalog_version)
    store.finish_scan(scan_id, 0, 0, 0, 0)
    return scan_id


def add_scan_file(store: Store, scan_id: int, file_id: int | None, account: dict[str, Any]) -> None:
    """Add one batch's accounting of a file to the watcher run's row for that file (cumulative), and
    the run's totals."""
    row = store.con.execute(
        "SELECT lines, parsed, skipped, malformed, malformed_samples, from_line FROM scan_files "
        "WHERE scan_id = ? AND file_id IS NOT DISTINCT FROM ? AND path = ?",
        [scan_id, file_id, account["path"]],
    ).fetchone()
    samples = list(account.get("malformed_samples", []))
    from_line = int(account.get("first_line", 1))
    totals = [int(account.get(k, 0)) for k in ("lines", "parsed", "skipped", "malformed")]
    if row:
        totals = [int(a) + b for a, b in zip(row[:4], totals, strict=True)]
        samples = (json.loads(row[4] or "[]") + samples)[:5]
        from_line = int(row[5] or from_line)
        store.con.execute(
            "DELETE FROM scan_files WHERE scan_id = ? AND file_id IS NOT DISTINCT FROM ? AND path = ?",
            [scan_id, file_id, account["path"]],
        )
    merged = dict(zip(("lines", "parsed", "skipped", "malformed"), totals, strict=True))
    insert_scan_file(
        store.con, scan_id, file_id, {**account, **merged, "malformed_samples": samples}, from_line
    )
    store.con.execute(
        """
        UPDATE scans SET finished_at = now(),
            files = (SELECT count(*) FROM scan_files WHERE scan_id = $id),
            lines = (SELECT coalesce(sum(lines), 0) FROM scan_files WHERE scan_id = $id),
            parsed = (SELECT coalesce(sum(parsed), 0) FROM scan_files WHERE scan_id = $id),
            malformed = (SELECT coalesce(sum(malformed), 0) FROM scan_files WHERE scan_id = $id)
        WHERE id = $id""",
        {"id": scan_id},
    )


def newest_scan_id(store: Store) -> int:
    row = store.con.execute("SELECT coalesce(max(id), 0) FROM scans").fetchone()
    return int(row[0]) if row else 0


# --- a batch ----------------------------------------------------------------------------------
BATCH_COLUMNS = "day, client, name, queries, first_seen, last_seen, bytes_out, bytes_in"


def start_batch(store: Store) -> None:
    store.con.execute(f"""
        CREATE OR REPLACE TEMP TABLE watch_batch AS SELECT {BATCH_COLUMNS} FROM observations LIMIT 0;
        CREATE OR REPLACE TEMP TABLE scan_names (name VARCHAR);""")


def stage_file(store: Store, batch_table: str = "ingest_batch") -> None:
    """Add the engine's aggregate of one file (``ingest_batch``) to the batch."""
    store.con.execute(f"INSERT INTO watch_batch SELECT {BATCH_COLUMNS} FROM {batch_table}")


def stage_names(store: Store) -> int:
    """Put the batch's distinct names where name matching looks for new ones; returns the rows."""
    store.con.execute("INSERT INTO scan_names SELECT DISTINCT name FROM watch_batch")
    row = store.con.execute("SELECT count(*) FROM watch_batch").fetchone()
    return int(row[0]) if row else 0


def name_batch(store: Store) -> None:
    """``batch_named``: the batch per (day, client, name) with its registrable domain and service
    (names must be matched first)."""
    store.con.execute("""
        CREATE OR REPLACE TEMP TABLE batch_agg AS
        SELECT day, client, name, sum(queries) AS queries, sum(bytes_out) AS bytes_out,
               sum(bytes_in) AS bytes_in, min(first_seen) AS first_seen, max(last_seen) AS last_seen
        FROM watch_batch GROUP BY day, client, name;
        CREATE OR REPLACE TEMP TABLE batch_named AS
        SELECT b.day, b.client, b.name, coalesce(n.registrable, b.name) AS registrable, n.service_id,
               b.queries, b.first_seen, b.last_seen
        FROM batch_agg b LEFT JOIN names n USING (name);""")


def merge_staged(store: Store) -> int:
    return store.merge_batch("batch_agg")


def batch_service_clients(store: Store) -> list[dict[str, Any]]:
    """Per (service, client) in the batch: queries, names, time span, and whether the service and
    this client of it were seen before the batch."""
    return _dicts(
        store,
        """
        WITH b AS (
            SELECT service_id, client, sum(queries) AS queries, min(first_seen) AS first_seen,
                   max(last_seen) AS last_seen, list(DISTINCT name ORDER BY name) AS names
            FROM batch_named WHERE service_id IS NOT NULL GROUP BY ALL),
        seen AS (SELECT DISTINCT service_id, client FROM watch_seen
                 WHERE service_id IN (SELECT service_id FROM b)),
        seen_service AS (SELECT DISTINCT service_id FROM seen)
        SELECT b.*, ss.service_id IS NOT NULL AS service_seen, sc.client IS NOT NULL AS client_seen
        FROM b LEFT JOIN seen_service ss USING (service_id)
               LEFT JOIN seen sc ON sc.service_id = b.service_id AND sc.client = b.client
        ORDER BY b.service_id, b.first_seen, b.client""",
    )


def batch_unknown_domains(store: Store) -> list[dict[str, Any]]:
    """Per registrable domain that is no catalog service: the batch's queries and clients, and how
    many queries the store had seen before."""
    return _dicts(
        store,
        """
        WITH b AS (
            SELECT registrable AS domain, sum(queries) AS queries, count(DISTINCT client) AS clients,
                   list(DISTINCT client ORDER BY client) AS client_list,
                   list(DISTINCT name ORDER BY name) AS names,
                   min(first_seen) AS first_seen, max(last_seen) AS last_seen
            FROM batch_named WHERE service_id IS NULL GROUP BY ALL)
        SELECT b.*, coalesce(d.queries, 0) AS queries_before
        FROM b LEFT JOIN watch_domains d ON d.registrable = b.domain
        ORDER BY b.domain""",
    )


def batch_service_days(store: Store, baseline_days: int) -> list[dict[str, Any]]:
    """Per (service, day) in the batch: the batch's queries, the day's queries before it, and the
    sum and number of days with queries in the ``baseline_days`` days before that day."""
    return _dicts(
        store,
        """
        WITH b AS (
            SELECT service_id, day, sum(queries) AS queries, min(first_seen) AS first_seen,
                   max(last_seen) AS last_seen, count(DISTINCT client) AS clients
            FROM batch_named WHERE service_id IS NOT NULL GROUP BY ALL),
        base AS (
            SELECT b.service_id, b.day, coalesce(sum(w.queries), 0) AS baseline_queries,
                   count(w.day) AS baseline_days
            FROM b LEFT JOIN watch_daily w
              ON w.service_id = b.service_id AND w.day < b.day AND w.day >= b.day - CAST($n AS INTEGER)
            GROUP BY ALL)
        SELECT b.*, coalesce(t.queries, 0) AS queries_before, base.baseline_queries, base.baseline_days
        FROM b JOIN base USING (service_id, day)
        LEFT JOIN watch_daily t ON t.service_id = b.service_id AND t.day = b.day
        ORDER BY b.service_id, b.day""",
        {"n": int(baseline_days)},
    )


def name_clients(store: Store) -> list[dict[str, Any]]:
    """Per (name, client) in the batch, with its service: for rules that judge each name."""
    return _dicts(
        store,
        """
        SELECT name, service_id, registrable, client, sum(queries) AS queries,
               min(first_seen) AS first_seen, max(last_seen) AS last_seen
        FROM batch_named GROUP BY ALL ORDER BY name, client""",
    )


def update_summaries(store: Store) -> None:
    """Fold the batch into the running summaries (after the rules have judged it)."""
    store.con.execute("""
        INSERT INTO watch_seen
        SELECT b.service_id, b.client, min(b.first_seen) FROM batch_named b
        WHERE b.service_id IS NOT NULL
          AND NOT EXISTS (SELECT 1 FROM watch_seen s WHERE s.service_id = b.service_id AND s.client = b.client)
        GROUP BY ALL;

        CREATE OR REPLACE TEMP TABLE batch_domains AS
        SELECT registrable, sum(queries) AS queries, min(first_seen) AS first_seen
        FROM batch_named WHERE service_id IS NULL GROUP BY ALL;
        UPDATE watch_domains d SET queries = d.queries + x.queries
        FROM batch_domains x WHERE d.registrable = x.registrable;
        INSERT INTO watch_domains SELECT x.* FROM batch_domains x
        WHERE NOT EXISTS (SELECT 1 FROM watch_domains d WHERE d.registrable = x.registrable);

        CREATE OR REPLACE TEMP TABLE batch_daily AS
        SELECT service_id, day, sum(queries) AS queries
        FROM batch_named WHERE service_id IS NOT NULL GROUP BY ALL;
        UPDATE watch_daily d SET queries = d.queries + x.queries
        FROM batch_daily x WHERE d.service_id = x.service_id AND d.day = x.day;
        INSERT INTO watch_daily SELECT x.* FROM batch_daily x
        WHERE NOT EXISTS (SELECT 1 FROM watch_daily d WHERE d.service_id = x.service_id AND d.day = x.day);
        DROP TABLE batch_domains; DROP TABLE batch_daily;""")


def rebuild_summaries(store: Store) -> None:
    """Recompute the running summaries from everything the store holds (at start, and after a scan
    by another process added observations)."""
    store.con.execute("""
        DELETE FROM watch_seen;
        INSERT INTO watch_seen
        SELECT service_id, client, min(first_seen) FROM usage_all WHERE service_id IS NOT NULL GROUP BY ALL;
        DELETE FROM watch_domains;
        INSERT INTO watch_domains
        SELECT coalesce(registrable, name), sum(queries), min(first_seen) FROM usage_all
        WHERE service_id IS NULL GROUP BY 1;
        DELETE FROM watch_daily;
        INSERT INTO watch_daily
        SELECT n.service_id, o.day, sum(o.queries) FROM observations o JOIN names n USING (name)
        WHERE n.service_id IS NOT NULL GROUP BY ALL;""")


def services_in_use(store: Store) -> list[str]:
    rows = store.con.execute("SELECT DISTINCT service_id FROM watch_seen ORDER BY 1").fetchall()
    return [str(r[0]) for r in rows]


# --- alerts -----------------------------------------------------------------------------------
ALERT_COLUMNS = (
    "id, created_at, last_seen, occurrences, rule, kind, severity, dedup_key, service_id, client, subject, "
    "title, details, event_first, event_last, acked_at, acked_by, ack_note"
)


def recent_alerts(store: Store, keys: list[str], since: dt.datetime) -> dict[str, int]:
    """The newest alert id per dedup key raised at or after ``since``."""
    if not keys:
        return {}
    store.con.register("wanted_keys", pa.table({"k": keys}))
    try:
        rows = store.con.execute(
            "SELECT dedup_key, max(id) FROM alerts WHERE created_at >= ? "
            "AND dedup_key IN (SELECT k FROM wanted_keys) GROUP BY dedup_key",
            [since],
        ).fetchall()
    finally:
        store.con.unregister("wanted_keys")
    return {str(k): int(i) for k, i in rows}


def fold_occurrences(store: Store, folds: list[tuple[int, dt.datetime, int]]) -> None:
    """Count later hits of an alert's key in it: (alert id, seen at, hits)."""
    for alert_id, seen, hits in folds:
        store.con.execute(
            "UPDATE alerts SET occurrences = occurrences + ?, last_seen = greatest(last_seen, ?) WHERE id = ?",
            [hits, seen, alert_id],
        )


def insert_alerts(store: Store, rows: list[dict[str, Any]], sinks: list[str]) -> list[int]:
    """Store new alerts (their dedup keys distinct) and queue each for every sink; returns their ids
    in ``rows`` order."""
    if not rows:
        return []
    now = utcnow()
    table = pa.table(
        {
            "seq": list(range(len(rows))),
            "rule": [r["rule"] for r in rows],
            "kind": [r["kind"] for r in rows],
            "severity": [r["severity"] for r in rows],
            "dedup_key": [r["dedup_key"] for r in rows],
            "service_id": [r.get("service_id") for r in rows],
            "client": [r.get("client") for r in rows],
            "subject": [r["subject"] for r in rows],
            "title": [r["title"] for r in rows],
            "details": [json.dumps(r.get("details", {}), ensure_ascii=False, default=str) for r in rows],
            "event_first": pa.array([r.get("event_first") for r in rows], pa.timestamp("us")),
            "event_last": pa.array([r.get("event_last") for r in rows], pa.timestamp("us")),
        }
    )
    store.con.register("new_alerts", table)
    try:
        got = store.con.execute(
            """
            INSERT INTO alerts
            SELECT nextval('alert_ids'), $now, $now, 1, rule, kind, severity, dedup_key, service_id, client,
                   subject, title, details::JSON, event_first, event_last, NULL, NULL, NULL
            FROM (SELECT * FROM new_alerts ORDER BY seq)
            RETURNING id, dedup_key""",
            {"now": now},
        ).fetchall()
    finally:
        store.con.unregister("new_alerts")
    by_key = {str(k): int(i) for i, k in got}  # keys are unique within one call
    ids = [by_key[r["dedup_key"]] for r in rows]
    if sinks:
        store.con.register(
            "new_deliveries",
            pa.table(
                {
                    "alert_id": [i for i in ids for _ in sinks],
                    "sink": [s for _ in ids for s in sinks],
                }
            ),
        )
        try:
            store.con.execute(
                "INSERT INTO alert_deliveries SELECT alert_id, sink, 0, ?, NULL, NULL FROM new_deliveries",
                [now],
            )
        finally:
            store.con.unregister("new_deliveries")
    return ids


def _alert_dict(row: dict[str, Any]) -> dict[str, Any]:
    out = dict(row)
    out["details"] = json.loads(row["details"]) if row.get("details") else {}
    return out


def get_alert(store: Store, alert_id: int) -> dict[str, Any] | None:
    rows = _dicts(store, f"SELECT {ALERT_COLUMNS} FROM alerts WHERE id = ?", [alert_id])
    return _alert_dict(rows[0]) if rows else None


def get_alerts(store: Store, ids: list[int]) -> dict[int, dict[str, Any]]:
    if not ids:
        return {}
    store.con.register("wanted_alerts", pa.table({"id": pa.array(sorted(set(ids)), pa.int64())}))
    try:
        rows = _dicts(store, f"SELECT {ALERT_COLUMNS} FROM alerts WHERE id IN (SELECT id FROM wanted_alerts)")
    finally:
        store.con.unregister("wanted_alerts")
    return {int(r["id"]): _alert_dict(r) for r in rows}


def list_alerts(
    store: Store, include_acked: bool = False, limit: int | None = None, since_id: int = 0
) -> list[dict[str, Any]]:
    """Alerts, newest first, each with its delivery state per sink."""
    where = "WHERE id > ?" + ("" if include_acked else " AND acked_at IS NULL")
    lim = f" LIMIT {int(limit)}" if limit else ""
    rows = [
        _alert_dict(r)
        for r in _dicts(
            store, f"SELECT {ALERT_COLUMNS} FROM alerts {where} ORDER BY id DESC{lim}", [since_id]
        )
    ]
    if rows:
        ids = [r["id"] for r in rows]
        deliveries: dict[int, list[dict[str, Any]]] = {}
        for d in _dicts(
            store,
            "SELECT alert_id, sink, attempts, next_attempt, delivered_at, last_error FROM alert_deliveries "
            f"WHERE alert_id IN ({','.join('?' * len(ids))}) ORDER BY alert_id, sink",
            ids,
        ):
            deliveries.setdefault(int(d.pop("alert_id")), []).append(d)
        for r in rows:
            r["deliveries"] = deliveries.get(r["id"], [])
    return rows


def ack_alerts(store: Store, ids: list[int] | None, by: str | None, note: str | None) -> int:
    """Acknowledge the alerts ``ids`` (``None``: every open alert); returns how many changed."""
    now = utcnow()
    if ids is None:
        row = store.con.execute(
            "UPDATE alerts SET acked_at = ?, acked_by = ?, ack_note = ? WHERE acked_at IS NULL RETURNING id",
            [now, by, note],
        ).fetchall()
        return len(row)
    done = 0
    for i in ids:
        row = store.con.execute(
            "UPDATE alerts SET acked_at = ?, acked_by = ?, ack_note = ? WHERE id = ? AND acked_at IS NULL "
            "RETURNING id",
            [now, by, note, i],
        ).fetchall()
        done += len(row)
    return done


def alert_exists(store: Store, ids: list[int]) -> list[int]:
    if not ids:
        return []
    rows = store.con.execute(
        f"SELECT id FROM alerts WHERE id IN ({','.join('?' * len(ids))})", ids
    ).fetchall()
    return [int(r[0]) for r in rows]


# --- delivery queue ---------------------------------------------------------------------------
def due_deliveries(
    store: Store, sinks: list[str], now: dt.datetime, limit: int = 500
) -> list[dict[str, Any]]:
    """Queued deliveries whose time has come, oldest alert first, for the given sinks."""
    if not sinks:
        return []
    marks = ",".join("?" * len(sinks))
    return _dicts(
        store,
        f"""
        SELECT d.alert_id, d.sink, d.attempts FROM alert_deliveries d
        WHERE d.delivered_at IS NULL AND d.next_attempt <= ? AND d.sink IN ({marks})
        ORDER BY d.alert_id, d.sink LIMIT {int(limit)}""",
        [now, *sinks],
    )


def pending_count(store: Store, sinks: list[str] | None = None) -> int:
    sql = "SELECT count(*) FROM alert_deliveries WHERE delivered_at IS NULL"
    params: list[Any] = []
    if sinks is not None:
        if not sinks:
            return 0
        sql += f" AND sink IN ({','.join('?' * len(sinks))})"
        params = list(sinks)
    row = store.con.execute(sql, params).fetchone()
    return int(row[0]) if row else 0


def next_due(store: Store, sinks: list[str]) -> dt.datetime | None:
    if not sinks:
        return None
    row = store.con.execute(
        f"SELECT min(next_attempt) FROM alert_deliveries WHERE delivered_at IS NULL "
        f"AND sink IN ({','.join('?' * len(sinks))})",
        sinks,
    ).fetchone()
    return row[0] if row and row[0] is not None else None


def mark_delivered(store: Store, done: list[tuple[int, str]], now: dt.datetime) -> None:
    if not done:
        return
    store.con.register(
        "delivered_now", pa.table({"alert_id": [d[0] for d in done], "sink": [d[1] for d in done]})
    )
    try:
        store.con.execute(
            "UPDATE alert_deliveries d SET delivered_at = ?, attempts = d.attempts + 1, last_error = NULL "
            "FROM delivered_now x WHERE d.alert_id = x.alert_id AND d.sink = x.sink",
            [now],
        )
    finally:
        store.con.unregister("delivered_now")


def mark_failed(
    store: Store, alert_id: int, sink: str, attempts: int, next_attempt: dt.datetime, error: str
) -> None:
    store.con.execute(
        "UPDATE alert_deliveries SET attempts = ?, next_attempt = ?, last_error = ? WHERE alert_id = ? AND sink = ?",
        [attempts, next_attempt, error[:500], alert_id, sink],
    )


# --- catalog facts of the services in use -----------------------------------------------------
def catalog_facts(store: Store) -> dict[str, tuple[str | None, dict[str, Any]]]:
    rows = store.con.execute("SELECT service_id, catalog_version, facts FROM watch_catalog_facts").fetchall()
    return {str(sid): (ver, json.loads(facts) if facts else {}) for sid, ver, facts in rows}


def save_catalog_facts(store: Store, service_id: str, version: str, facts: dict[str, Any]) -> None:
    store.con.execute("DELETE FROM watch_catalog_facts WHERE service_id = ?", [service_id])
    store.con.execute(
        "INSERT INTO watch_catalog_facts VALUES (?, ?, ?::JSON, ?)",
        [service_id, version, json.dumps(facts, ensure_ascii=False, default=str, sort_keys=True), utcnow()],
    )
