"""The DuckDB store: scans, source files, aggregated observations, name matches.

Only this package opens the database and changes its schema (by the named migrations in
:mod:`sekisho.store.migrations`). One scan is one transaction: a scan that is killed leaves the
store as it was before it started.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import duckdb
from platformdirs import user_data_dir

from sekisho.errors import Location, SekishoError
from sekisho.ingest.sources import FINGERPRINT_BYTES
from sekisho.store import busy
from sekisho.store.migrations import MIGRATIONS
from sekisho.store.retention import Compaction, compact

__all__ = ["Compaction", "FileState", "Store", "default_db_path"]


def _prefix_digests(head: bytes) -> list[str]:
    """SHA-256 of every prefix of ``head`` that ends at a line end, and of its full fingerprint."""
    h = hashlib.sha256()
    out: list[str] = []
    limit = min(len(head), FINGERPRINT_BYTES)
    start = 0
    while (nl := head.find(b"\n", start, limit)) != -1:
        h.update(head[start : nl + 1])
        out.append(h.copy().hexdigest())
        start = nl + 1
    if limit == FINGERPRINT_BYTES or limit == len(head):
        h.update(head[start:limit])
        out.append(h.hexdigest())
    return out


def damaged(e: BaseException) -> str:
    """What is said of a store whose file is cut short or damaged (DuckDB's first line in brackets)."""
    first = str(e).splitlines()[0] if str(e) else type(e).__name__
    return f"the database is damaged or cut short ({first}); restore it from a copy, or start a new one with --db"


def insert_scan_file(
    con: duckdb.DuckDBPyConnection, scan_id: int, file_id: int | None, account: dict[str, Any], from_line: int
) -> None:
    """One ``scan_files`` row: a file's account (path, format, counts, malformed samples, note) as
    read in scan ``scan_id`` from line ``from_line``. The store, the watcher and a Parquet
    directory's scratch schema all write it so."""
    con.execute(
        "INSERT INTO scan_files VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        [
            scan_id,
            file_id,
            account.get("path"),
            account.get("format"),
            account.get("lines", 0),
            account.get("parsed", 0),
            account.get("skipped", 0),
            account.get("malformed", 0),
            json.dumps(account.get("malformed_samples", []), ensure_ascii=False),
            from_line,
            account.get("note"),
        ],
    )


def default_db_path() -> Path:
    env = os.environ.get("SEKISHO_DB")
    if env:
        return Path(env)
    return Path(user_data_dir("sekisho", appauthor=False)) / "sekisho.duckdb"


@dataclass(frozen=True)
class FileState:
    """What the store knows of a file's content from earlier scans."""

    id: int
    path: str
    head_len: int
    offset_bytes: int
    lines: int
    size: int


class Store:
    def __init__(self, path: Path | str | None = None, read_only: bool = False) -> None:
        self.path = Path(path) if path is not None else default_db_path()
        self._parquet: Any = None  # a Spark scan's Parquet directory, read-only (store.parquet)
        self._staged = 0  # file aggregates staged for this scan (stage_batch, merge_staged)
        from sekisho.store import parquet

        if parquet.is_parquet_store(path if path is not None else self.path):
            self._parquet = parquet.connect(path if path is not None else self.path)
            self.con = self._parquet.con
            return
        if read_only and not self.path.exists():
            raise SekishoError("no database yet: run `sekisho scan` first", Location(self.path))
        self.path.parent.mkdir(parents=True, exist_ok=True)
        try:
            self.con = busy.connect(self.path, read_only)  # StoreBusy if another process holds it
        except duckdb.IOException as e:
            raise SekishoError(f"cannot open the database: {e}", Location(self.path)) from None
        except duckdb.Error as e:
            if "Corrupt database file" in str(e):
                raise SekishoError(damaged(e), Location(self.path)) from None
            raise SekishoError(f"not a sekisho database: {e}", Location(self.path)) from None
        try:
            if not read_only:
                self.migrate()
            elif self._pending_migrations():
                # an older store: bring its schema up to date once, then carry on reading
                self.con.close()
                with Store(self.path):
                    pass
                self.con = busy.connect(self.path, True)
        except duckdb.Error as e:  # opened, but its blocks cannot be read: cut short or damaged
            self.con.close()
            raise SekishoError(damaged(e), Location(self.path)) from None

    def _pending_migrations(self) -> list[str]:
        try:
            done = {r[0] for r in self.con.execute("SELECT name FROM schema_migrations").fetchall()}
        except duckdb.CatalogException:
            raise SekishoError(
                "not a sekisho database (no schema_migrations table)", Location(self.path)
            ) from None
        return [name for name, _ in MIGRATIONS if name not in done]

    def close(self) -> None:
        if self._parquet is not None:
            self._parquet.close()
            return
        self.con.close()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # --- schema -------------------------------------------------------------------------------
    def migrate(self) -> list[str]:
        self.con.execute(
            "CREATE TABLE IF NOT EXISTS schema_migrations (name VARCHAR PRIMARY KEY, applied_at TIMESTAMP)"
        )
        done = {r[0] for r in self.con.execute("SELECT name FROM schema_migrations").fetchall()}
        pending = [(name, migration) for name, migration in MIGRATIONS if name not in done]
        if not pending:
            return []
        # every pending migration in one transaction: the store moves to the new schema whole or
        # not at all, and a new store is written (and synced) once, not once per migration
        self.con.execute("BEGIN TRANSACTION")
        try:
            for name, migration in pending:
                migration(self.con)
                self.con.execute("INSERT INTO schema_migrations VALUES (?, now())", [name])
            self.con.execute("COMMIT")
        except Exception:
            self.con.execute("ROLLBACK")
            raise
        return [name for name, _ in pending]

    @contextmanager
    def transaction(self) -> Iterator[None]:
        if self._parquet is not None:  # every write goes through here; DuckDB refuses the others
            raise SekishoError(self._parquet.READ_ONLY, Location(self._parquet.dir))
        self.con.execute("BEGIN TRANSACTION")
        try:
            yield
        except BaseException:
            self.con.execute("ROLLBACK")
            raise
        else:
            self.con.execute("COMMIT")
        finally:
            self._staged = 0  # a staged batch (a temporary table) never outlives its transaction

    # --- settings -------------------------------------------------------------------------------
    def get_setting(self, key: str, default: str | None = None) -> str | None:
        row = self.con.execute("SELECT value FROM settings WHERE key = ?", [key]).fetchone()
        return str(row[0]) if row else default

    def set_setting(self, key: str, value: str) -> None:
        self.con.execute("INSERT OR REPLACE INTO settings VALUES (?, ?)", [key, value])

    def own_domains(self) -> tuple[str, ...]:
        """The organisation's own domains (setting ``own_domains``, comma-separated): their names
        are internal, not unknown destinations."""
        value = self.get_setting("own_domains") or ""
        return tuple(d for d in value.split(",") if d)

    # --- scans and files ------------------------------------------------------------------------
    def begin_scan(self, catalog_version: str) -> int:
        row = self.con.execute(
            "INSERT INTO scans (id, started_at, catalog_version) VALUES (nextval('scan_ids'), now(), ?) RETURNING id",
            [catalog_version],
        ).fetchone()
        assert row
        self.con.execute("CREATE OR REPLACE TEMP TABLE scan_names (name VARCHAR)")
        return int(row[0])

    def finish_scan(self, scan_id: int, files: int, lines: int, parsed: int, malformed: int) -> None:
        self.con.execute(
            "UPDATE scans SET finished_at = now(), files = ?, lines = ?, parsed = ?, malformed = ? WHERE id = ?",
            [files, lines, parsed, malformed, scan_id],
        )

    def known_file(self, head: bytes) -> FileState | None:
        """The earlier state of a file whose content starts like ``head`` (longest match wins).

        A stored fingerprint is the hash of a file's first ``FINGERPRINT_BYTES`` bytes, or of all
        of it while it was smaller. Those prefixes end at a line end, so hashing ``head``'s own
        line-end prefixes finds them in one query, however many files the store knows; prefixes
        not known to end at a line end (rare: a file cut mid-line) are hashed one length each."""
        digests = _prefix_digests(head)
        odd = self.con.execute(
            "SELECT DISTINCT head_len FROM source_files WHERE head_aligned IS NOT TRUE AND head_len <= ?",
            [len(head)],
        ).fetchall()
        digests += [hashlib.sha256(head[:n]).hexdigest() for (n,) in odd]
        row = self.con.execute(
            "SELECT id, path, head_len, offset_bytes, lines, size FROM source_files "
            "WHERE head_hash IN (SELECT unnest(?)) AND head_len <= ? "
            "ORDER BY head_len DESC, last_scan DESC LIMIT 1",
            [digests, len(head)],
        ).fetchone()
        return FileState(*row) if row else None

    def save_file(
        self,
        scan_id: int,
        state: FileState | None,
        path: str,
        fmt: str,
        compression: str,
        head: bytes,
        offset_bytes: int,
        lines: int,
        size: int,
    ) -> int:
        head_len = min(len(head), FINGERPRINT_BYTES)
        digest = hashlib.sha256(head[:head_len]).hexdigest()
        aligned = head_len == FINGERPRINT_BYTES or head[:head_len].endswith(b"\n")
        if state is None:
            row = self.con.execute(
                "INSERT INTO source_files VALUES (nextval('file_ids'), ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
                [
                    path,
                    fmt,
                    compression,
                    head_len,
                    digest,
                    offset_bytes,
                    lines,
                    size,
                    scan_id,
                    scan_id,
                    aligned,
                ],
            ).fetchone()
            assert row
            return int(row[0])
        self.con.execute(
            "UPDATE source_files SET path = ?, format = ?, compression = ?, head_len = ?, head_hash = ?, "
            "offset_bytes = ?, lines = ?, size = ?, last_scan = ?, head_aligned = ? WHERE id = ?",
            [path, fmt, compression, head_len, digest, offset_bytes, lines, size, scan_id, aligned, state.id],
        )
        return state.id

    def known_heads(self, heads: list[bytes]) -> list[bool]:
        """For each head, whether :meth:`known_file` would find an earlier state: one query for
        all of them (a scan of many small files asks this once, not once per file)."""
        if not heads:
            return []
        odd = [
            int(n)
            for (n,) in self.con.execute(
                "SELECT DISTINCT head_len FROM source_files WHERE head_aligned IS NOT TRUE"
            ).fetchall()
        ]
        idx: list[int] = []
        digests: list[str] = []
        for i, head in enumerate(heads):
            ds = _prefix_digests(head) + [hashlib.sha256(head[:n]).hexdigest() for n in odd if n <= len(head)]
            idx += [i] * len(ds)
            digests += ds
        hits = self.con.execute(
            "SELECT DISTINCT d.i FROM (SELECT unnest(?::INTEGER[]) AS i, unnest(?::VARCHAR[]) AS h, "
            "unnest(?::INTEGER[]) AS len) d JOIN source_files s ON s.head_hash = d.h AND s.head_len <= d.len",
            [idx, digests, [len(heads[i]) for i in idx]],
        ).fetchall()
        known = {int(i) for (i,) in hits}
        return [i in known for i in range(len(heads))]

    def save_new_files(self, scan_id: int, files: list[dict[str, Any]]) -> None:
        """:meth:`save_file` (a new file) and :meth:`record_scan_file` for many files in two
        statements; ``files``: dicts of ``path, format, compression, head, offset_bytes, lines, size,
        account, from_line``, in the order of the scan (scan_files keeps it)."""
        if not files:
            return
        heads = [f["head"][: min(len(f["head"]), FINGERPRINT_BYTES)] for f in files]
        rows = self.con.execute(
            "INSERT INTO source_files SELECT nextval('file_ids'), path, format, compression, head_len, head_hash, "
            "offset_bytes, lines, size, ?, ?, aligned FROM (SELECT unnest(?::VARCHAR[]) AS path, "
            "unnest(?::VARCHAR[]) AS format, unnest(?::VARCHAR[]) AS compression, unnest(?::INTEGER[]) AS head_len, "
            "unnest(?::VARCHAR[]) AS head_hash, unnest(?::BIGINT[]) AS offset_bytes, unnest(?::BIGINT[]) AS lines, "
            "unnest(?::BIGINT[]) AS size, unnest(?::BOOLEAN[]) AS aligned) RETURNING id, path",
            [
                scan_id,
                scan_id,
                [f["path"] for f in files],
                [f["format"] for f in files],
                [f["compression"] for f in files],
                [len(h) for h in heads],
                [hashlib.sha256(h).hexdigest() for h in heads],
                [f["offset_bytes"] for f in files],
                [f["lines"] for f in files],
                [f["size"] for f in files],
                [len(h) == FINGERPRINT_BYTES or h.endswith(b"\n") for h in heads],
            ],
        ).fetchall()
        ids = {str(path): int(i) for i, path in rows}
        accounts = [f["account"] for f in files]
        self.con.execute(
            "INSERT INTO scan_files SELECT ?, file_id, path, format, lines, parsed, skipped, malformed, samples, "
            "from_line, note FROM (SELECT unnest(?::BIGINT[]) AS file_id, unnest(?::VARCHAR[]) AS path, "
            "unnest(?::VARCHAR[]) AS format, unnest(?::BIGINT[]) AS lines, unnest(?::BIGINT[]) AS parsed, "
            "unnest(?::BIGINT[]) AS skipped, unnest(?::BIGINT[]) AS malformed, unnest(?::VARCHAR[]) AS samples, "
            "unnest(?::BIGINT[]) AS from_line, unnest(?::VARCHAR[]) AS note, "
            "unnest(range(?)) AS pos) ORDER BY pos",
            [
                scan_id,
                [ids[f["path"]] for f in files],
                [a["path"] for a in accounts],
                [a.get("format") for a in accounts],
                [a.get("lines", 0) for a in accounts],
                [a.get("parsed", 0) for a in accounts],
                [a.get("skipped", 0) for a in accounts],
                [a.get("malformed", 0) for a in accounts],
                [json.dumps(a.get("malformed_samples", []), ensure_ascii=False) for a in accounts],
                [f["from_line"] for f in files],
                [a.get("note") for a in accounts],
                len(files),
            ],
        )

    def record_scan_file(
        self, scan_id: int, file_id: int | None, account: dict[str, Any], from_line: int
    ) -> None:
        insert_scan_file(self.con, scan_id, file_id, account, from_line)

    # --- observations ---------------------------------------------------------------------------
    def stage_batch(self, batch_table: str = "ingest_batch") -> None:
        """Keep one file's aggregate for this scan; :meth:`merge_staged` folds them all in at once
        (merging file by file would re-aggregate the same days once per file). The first batch
        of a scan is kept as it is (renamed, not copied); the rest are appended to it."""
        if self._staged == 0 and batch_table == "ingest_batch":
            self.con.execute(
                f"DROP TABLE IF EXISTS scan_batch; ALTER TABLE {batch_table} RENAME TO scan_batch"
            )
        else:
            self.con.execute(f"""
                CREATE TEMP TABLE IF NOT EXISTS scan_batch AS SELECT * FROM {batch_table} LIMIT 0;
                INSERT INTO scan_batch SELECT * FROM {batch_table};""")
        self._staged += 1

    def merge_staged(self) -> int:
        """Fold every staged file's aggregate into observations; returns the staged rows. One
        staged batch is already one row per (day, client, name) (the engine's aggregate): it is
        merged as it is; several are summed first."""
        # (counted, not looked up in duckdb_tables(): that catalog function's first call costs
        # 5-10 ms; the count is reset with every transaction, as the staged table goes with it)
        staged, self._staged = self._staged, 0
        if staged == 0:
            return 0
        if staged == 1:
            n = self.merge_batch("scan_batch")
            self.con.execute("DROP TABLE scan_batch")
            return n
        self.con.execute("""
            CREATE OR REPLACE TEMP TABLE scan_batch_merged AS
            SELECT day, client, name, sum(queries) AS queries, min(first_seen) AS first_seen,
                   max(last_seen) AS last_seen, sum(bytes_out) AS bytes_out, sum(bytes_in) AS bytes_in
            FROM scan_batch GROUP BY day, client, name;
            DROP TABLE scan_batch;""")
        n = self.merge_batch("scan_batch_merged")
        self.con.execute("DROP TABLE scan_batch_merged")
        return n

    def merge_batch(self, batch_table: str = "ingest_batch") -> int:
        """Fold an aggregated batch into observations, re-aggregating only the days it touches."""
        n_row = self.con.execute(f"SELECT count(*) FROM {batch_table}").fetchone()
        n = int(n_row[0]) if n_row else 0
        if n == 0:
            return 0
        self.con.execute(f"INSERT INTO scan_names SELECT DISTINCT name FROM {batch_table}")
        overlap = self.con.execute(
            f"SELECT count(*) FROM observations WHERE day IN (SELECT DISTINCT day FROM {batch_table})"
        ).fetchone()
        if overlap and overlap[0]:
            self.con.execute(f"""
                CREATE OR REPLACE TEMP TABLE merge_days AS SELECT DISTINCT day FROM {batch_table};
                CREATE OR REPLACE TEMP TABLE merged AS
                SELECT day, client, name, sum(queries) AS queries, sum(bytes_out) AS bytes_out,
                       sum(bytes_in) AS bytes_in, min(first_seen) AS first_seen, max(last_seen) AS last_seen
                FROM (SELECT * FROM observations WHERE day IN (SELECT day FROM merge_days)
                      UNION ALL SELECT day, client, name, queries, bytes_out, bytes_in, first_seen, last_seen
                      FROM {batch_table})
                GROUP BY day, client, name;
                DELETE FROM observations WHERE day IN (SELECT day FROM merge_days);
                INSERT INTO observations SELECT * FROM merged;
                DROP TABLE merged; DROP TABLE merge_days;""")
        else:
            self.con.execute(
                f"INSERT INTO observations SELECT day, client, name, queries, bytes_out, bytes_in, first_seen, "
                f"last_seen FROM {batch_table}"
            )
        return n

    def compact(self, today: dt.date | None = None, keep_all: bool = False) -> Compaction:
        """Keep the store bounded: roll detail older than ``detail_days`` up by month and expire
        what is older than ``retention_days``, counted back from ``today`` (default: the scan's
        day, never the newest day observed). ``keep_all`` changes nothing and says what would
        have been done (:mod:`sekisho.store.retention`)."""
        return compact(self, today, keep_all)

    # --- names ----------------------------------------------------------------------------------
    def pending_names(self, catalog_version: str, table: str = "pending_names") -> int:
        """Fill temp table ``table(name)`` with the names this scan brought that have no match yet,
        and every stored name matched under another catalog version. Returns how many."""
        self.con.execute(
            f"""
            CREATE OR REPLACE TEMP TABLE {table} AS
            SELECT DISTINCT name FROM (
                SELECT name FROM scan_names
                UNION ALL SELECT name FROM names WHERE catalog_version <> $v)
            WHERE name NOT IN (SELECT name FROM names WHERE catalog_version = $v)""",
            {"v": catalog_version},
        )
        row = self.con.execute(f"SELECT count(*) FROM {table}").fetchone()
        return int(row[0]) if row else 0

    def save_matches_from(self, table: str, catalog_version: str) -> None:
        """Store ``table(name, registrable, service_id, matched_on)`` as the matches of this version.
        ``names`` has no key (migration 008): a batch holding a name twice is refused here, once
        per batch rather than per row."""
        row = self.con.execute(f"SELECT count(*) = count(DISTINCT name) FROM {table}").fetchone()
        if not row or not row[0]:
            raise SekishoError(f"the matches in {table} hold a name twice: not saved")
        self.con.execute(f"DELETE FROM names WHERE name IN (SELECT name FROM {table})")
        self.con.execute(
            f"INSERT INTO names SELECT name, registrable, service_id, matched_on, ? FROM {table}",
            [catalog_version],
        )

    # --- questions ------------------------------------------------------------------------------
    def service_usage(self) -> list[dict[str, Any]]:
        return self._dicts("""
            SELECT service_id AS id, count(DISTINCT client) AS clients, sum(queries) AS queries,
                   min(first_seen) AS first_seen, max(last_seen) AS last_seen,
                   count(DISTINCT coalesce(name, registrable)) AS names
            FROM usage_all
            WHERE service_id IS NOT NULL
            GROUP BY service_id ORDER BY clients DESC, queries DESC""")

    def unknown_destinations(self, limit: int = 20) -> list[dict[str, Any]]:
        return self.unknown_summary(limit)[0]

    def unknown_summary(self, limit: int = 20) -> tuple[list[dict[str, Any]], dict[str, Any]]:
        """The first ``limit`` unknown destinations (:meth:`unknown_destinations`) and their totals
        (:meth:`unknown_totals`), from one reading of the unknown rows."""
        # The unknown rows read once (materialised); the clients of a domain counted exactly as its
        # (domain, client) groups, so the ranking needs no distinct count over every domain; the
        # names counted for the domains shown only; the totals summed from the same domains.
        rows = self._dicts(f"""
            WITH u AS MATERIALIZED (
                SELECT coalesce(registrable, name) AS domain, client, coalesce(name, registrable) AS nm, queries
                FROM usage_all WHERE service_id IS NULL),
            dom AS MATERIALIZED (
                SELECT domain, count(*) AS clients, sum(queries) AS queries
                FROM (SELECT domain, client, sum(queries) AS queries FROM u GROUP BY domain, client)
                GROUP BY domain),
            top AS (SELECT * FROM dom ORDER BY clients DESC, queries DESC, domain LIMIT {int(limit)}),
            shown AS (
                SELECT domain, count(DISTINCT nm) AS names FROM u
                WHERE domain IN (SELECT domain FROM top) GROUP BY domain),
            total AS (SELECT count(domain) AS domains, coalesce(sum(queries), 0) AS queries FROM dom)
            SELECT t.domain, t.clients, t.queries, s.names, total.domains AS _domains, total.queries AS _queries
            FROM total LEFT JOIN (top t JOIN shown s USING (domain)) ON TRUE
            ORDER BY t.clients DESC, t.queries DESC, t.domain""")
        totals = {"domains": rows[0]["_domains"], "queries": rows[0]["_queries"]}
        return [
            {k: v for k, v in r.items() if not k.startswith("_")} for r in rows if r["domain"] is not None
        ], totals

    def unknown_totals(self) -> dict[str, Any]:
        rows = self._dicts("""
            SELECT count(DISTINCT coalesce(registrable, name)) AS domains, coalesce(sum(queries), 0) AS queries
            FROM usage_all WHERE service_id IS NULL""")
        return rows[0]

    def scope(self, service_id: str) -> list[dict[str, Any]]:
        return self._dicts(
            """
            SELECT client, min(first_seen) AS first_seen, max(last_seen) AS last_seen,
                   sum(queries) AS queries,
                   list(DISTINCT coalesce(name, registrable) ORDER BY coalesce(name, registrable)) AS names,
                   count(DISTINCT period) AS days
            FROM usage_all
            WHERE service_id = ?
            GROUP BY client ORDER BY first_seen, client""",
            [service_id],
        )

    def daily_usage(self) -> list[dict[str, Any]]:
        """Queries and clients per (service, day), for charts."""
        return self._dicts("""
            SELECT n.service_id AS id, o.day, sum(o.queries) AS queries, count(DISTINCT o.client) AS clients
            FROM observations o JOIN names n USING (name) WHERE n.service_id IS NOT NULL
            GROUP BY ALL ORDER BY id, day""")

    def overview(self) -> dict[str, Any]:
        rows = self._dicts("""
            SELECT min(period) AS first_day, max(period) AS last_day, count(DISTINCT client) AS clients,
                   coalesce(sum(queries), 0) AS queries FROM usage_all""")
        return rows[0]

    def latest_scan_id(self) -> int | None:
        row = self.con.execute("SELECT max(id) FROM scans WHERE finished_at IS NOT NULL").fetchone()
        return int(row[0]) if row and row[0] is not None else None

    def last_scan_files(self, scan_id: int) -> list[dict[str, Any]]:
        rows = self._dicts("SELECT * FROM scan_files WHERE scan_id = ? ORDER BY rowid", [scan_id])
        for r in rows:
            r["malformed_samples"] = json.loads(r["malformed_samples"] or "[]")
        return rows

    def counts(self) -> dict[str, int]:
        row = self.con.execute(
            "SELECT (SELECT count(*) FROM observations), (SELECT coalesce(sum(queries),0) FROM observations), "
            "(SELECT count(*) FROM source_files), (SELECT count(*) FROM scans)"
        ).fetchone()
        assert row
        return {
            "observations": int(row[0]),
            "queries": int(row[1]),
            "files": int(row[2]),
            "scans": int(row[3]),
        }

    def _dicts(self, sql: str, params: list[Any] | None = None) -> list[dict[str, Any]]:
        cur = self.con.execute(sql, params or [])
        cols = [d[0] for d in cur.description]
        return [dict(zip(cols, row, strict=True)) for row in cur.fetchall()]
