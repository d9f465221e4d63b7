"""Pi-hole's long-term query database (``/etc/pihole/pihole-FTL.db``, SQLite).

FTL keeps every query in ``query_storage`` and exposes the ``queries`` view (database version 10 and
later; older databases have a ``queries`` table with the same columns), so this reads
``queries(id, timestamp, status, domain, client)``. A database is known by where it lives (its
header changes on every commit, its oldest rows are purged), and a re-scan reads only rows after
the last ``id`` read. The rows are fetched with Python's sqlite3 (DuckDB's SQLite extension would need a
download) into Arrow, and the engine aggregates them like any other format.
"""

from __future__ import annotations

import datetime as dt
from contextlib import closing
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar

import pyarrow as pa

from sekisho.ingest.base import Format
from sekisho.ingest.decoded import register_rows
from sekisho.ingest.sources import Compression

if TYPE_CHECKING:
    import sqlite3

ROWS_TABLE = "pihole_rows"


def _connect(path: Path) -> sqlite3.Connection:
    import sqlite3  # here: only a Pi-hole database needs it

    return sqlite3.connect(f"file:{path}?mode=ro", uri=True)


class PiholeFtlDb(Format):
    name: ClassVar[str] = "pihole-db"
    title: ClassVar[str] = "Pi-hole long-term query database (pihole-FTL.db, SQLite)"
    kind = "dns"
    priority = 5
    text = False

    def __init__(self) -> None:
        self.after_id = 0  # read rows with a larger id only
        self.last_id = 0  # the largest id read, after a scan

    def sniff(self, head: list[str]) -> bool:
        return False  # text sniffing never applies: see is_ftl_db

    @staticmethod
    def is_ftl_db(path: Path) -> bool:
        import sqlite3

        try:
            with closing(_connect(path)) as db:
                cols = {row[1] for row in db.execute("PRAGMA table_info(queries)")}
        except sqlite3.Error:
            return False
        return {"id", "timestamp", "domain", "client"} <= cols

    @staticmethod
    def identity(path: Path) -> bytes:
        """What makes this database itself. Not its header (SQLite rewrites it on every commit) and
        not its first rows (FTL deletes old queries): the place it lives in. A database moved away
        and replaced (Pi-hole's documented rotation) shows as ids lower than those already read."""
        return b"pihole-FTL.db at " + str(path.resolve()).encode()

    @staticmethod
    def max_id(path: Path) -> int:
        with closing(_connect(path)) as db:
            row = db.execute("SELECT max(id) FROM queries").fetchone()
        return int(row[0]) if row and row[0] is not None else 0

    def compile_duckdb(
        self, path: Path, compression: Compression, mtime: dt.datetime, con: Any
    ) -> tuple[str, int]:
        from sekisho.ingest.base import Timestamp
        from sekisho.ingest.duckdb_engine import _name, ts_expr

        ids, stamps, domains, clients, statuses = [], [], [], [], []
        with closing(_connect(path)) as db:
            cur = db.execute(
                "SELECT id, CAST(timestamp AS TEXT), domain, client, CAST(status AS TEXT) FROM queries "
                "WHERE id > ? ORDER BY id",
                [self.after_id],
            )
            while rows := cur.fetchmany(100_000):
                for row_id, ts, domain, client, status in rows:
                    ids.append(row_id)
                    stamps.append(ts)
                    domains.append(domain if isinstance(domain, str) else None)
                    clients.append(client if isinstance(client, str) else None)
                    statuses.append(status)
        self.last_id = ids[-1] if ids else self.after_id
        columns = {
            "id": pa.array(ids, pa.int64()),
            "ts": pa.array(stamps, pa.string()),
            "domain": pa.array(domains, pa.string()),
            "client": pa.array(clients, pa.string()),
            "status": pa.array(statuses, pa.string()),
        }
        register_rows(con, ROWS_TABLE, columns)
        sql = f"""
            SELECT {ts_expr(Timestamp("epoch"), "ts", mtime)} AS ts, client, {_name("domain")} AS name,
                   NULL AS answers, NULL::BIGINT AS bytes_out, NULL::BIGINT AS bytes_in, status,
                   CASE WHEN coalesce(domain, '') = '' THEN 'skip' ELSE 'ok' END AS _state,
                   CASE WHEN coalesce(domain, '') = '' THEN 'query without a domain' END AS _reason,
                   'id ' || id AS _line
            FROM {ROWS_TABLE}"""
        return sql, 0
