"""A Spark scan's Parquet directory, read as a read-only store.

``sekisho scan --engine spark --out DIR`` writes ``DIR/day=YYYY-MM-DD/part-*.parquet`` (each row an
observation with its name's match) and ``DIR/_sekisho.json`` (what the names were matched under,
the files' accounts). :func:`connect` gives a DuckDB connection with the store's schema — every
migration of :mod:`sekisho.store.migrations` — where ``observations`` is a view over
``read_parquet(DIR/**/*.parquet, hive_partitioning)``, ``names`` holds each distinct name's match
(read from the rows once, on opening) and ``scans`` / ``scan_files`` hold the one run
``_sekisho.json`` describes. The same questions (report, scope, the dashboard) then run on it
unchanged. The schema lives in a scratch database file opened read-only, so DuckDB itself refuses
every write; temporary tables (which some questions use) still work.

Only local directories: DuckDB has no HDFS reader, and ``s3://`` needs its ``httpfs`` extension,
which is downloaded on first use (this tool runs offline). Copy such a directory first.
"""

from __future__ import annotations

import json
import tempfile
from pathlib import Path
from typing import Any

import duckdb

from sekisho.errors import Location, SekishoError
from sekisho.store import insert_scan_file
from sekisho.store.migrations import MIGRATIONS

__all__ = ["META_FILE", "ParquetStore", "connect", "is_parquet_store"]

META_FILE = "_sekisho.json"  # sekisho.ingest.spark_engine.META_FILE
_REMOTE = ("hdfs:", "s3a:", "s3:", "s3n:", "gs:", "abfs:", "abfss:", "wasb:", "wasbs:", "viewfs:")


def is_parquet_store(path: Path | str) -> bool:
    """Whether ``path`` names a Spark scan's output (a directory, or a Hadoop URL) rather than a
    DuckDB store file."""
    text = str(path)
    if text.lower().startswith(_REMOTE):
        return True
    p = Path(path)
    return p.is_dir() and ((p / META_FILE).exists() or any(p.glob("day=*")))


class ParquetStore:
    """The scratch database behind one opened Parquet directory (removed on :meth:`close`)."""

    READ_ONLY = (
        "a Spark scan's Parquet directory is read-only: report, scope and serve read it; scan into "
        "it again with `sekisho scan --engine spark --out DIR`, or into a DuckDB store with --db FILE"
    )

    def __init__(self, path: Path | str) -> None:
        text = str(path)
        if text.lower().startswith(_REMOTE):
            scheme = text.split(":", 1)[0]
            raise SekishoError(
                f"cannot read a {scheme}:// directory here: DuckDB has no HDFS reader and reads "
                "object storage only with its httpfs extension, which is not installed (this tool "
                "runs offline); copy the directory to a local disk first (hdfs dfs -get, or "
                "aws s3 sync / hadoop distcp) and give --db that copy",
                Location(text),
            )
        self.dir = Path(path).resolve()
        meta_path = self.dir / META_FILE
        if not meta_path.exists():
            raise SekishoError(
                f"a Parquet directory without {META_FILE}: written before the Spark engine matched "
                "names; scan again with `sekisho scan --engine spark --out DIR`",
                Location(self.dir),
            )
        try:
            self.meta: dict[str, Any] = json.loads(meta_path.read_text(encoding="utf-8"))
        except (OSError, ValueError) as e:
            raise SekishoError(f"cannot read {META_FILE}: {e}", Location(meta_path)) from None
        self._scratch = tempfile.TemporaryDirectory(prefix="sekisho-parquet-")
        self.db = Path(self._scratch.name) / "schema.duckdb"
        try:
            self._build()
            self.con = duckdb.connect(str(self.db), read_only=True)
        except Exception:
            self._scratch.cleanup()
            raise

    def close(self) -> None:
        self.con.close()
        self._scratch.cleanup()

    def _build(self) -> None:
        con = duckdb.connect(str(self.db))
        try:
            con.execute("CREATE TABLE schema_migrations (name VARCHAR PRIMARY KEY, applied_at TIMESTAMP)")
            for name, migration in MIGRATIONS:
                migration(con)
                con.execute("INSERT INTO schema_migrations VALUES (?, now())", [name])
            # usage_all (002_rollup) reads observations and names by name: a view over the files in
            # place of the first; the second, one row per name, is small and read at every join
            con.execute("DROP TABLE observations")
            con.execute(f"CREATE VIEW observations AS {self._observations_sql()}")
            con.execute(f"INSERT INTO names {self._names_sql()}")
            self._record_scan(con)
            con.execute("CHECKPOINT")
        finally:
            con.close()

    def _source(self) -> str | None:
        if not any(self.dir.glob("day=*/*.parquet")):
            return None  # a run that observed nothing writes no partition
        pattern = str(self.dir / "**" / "*.parquet").replace("'", "''")
        return f"read_parquet('{pattern}', hive_partitioning = true, union_by_name = true)"

    def _observations_sql(self) -> str:
        src = self._source()
        if src is None:
            return (
                "SELECT NULL::DATE AS day, NULL::VARCHAR AS client, NULL::VARCHAR AS name, "
                "NULL::BIGINT AS queries, NULL::BIGINT AS bytes_out, NULL::BIGINT AS bytes_in, "
                "NULL::TIMESTAMP AS first_seen, NULL::TIMESTAMP AS last_seen WHERE false"
            )
        # the store's column order (001_initial); day from the partition, a DATE
        return (
            "SELECT day::DATE AS day, client, name, queries, bytes_out, bytes_in, "
            f"first_seen::TIMESTAMP AS first_seen, last_seen::TIMESTAMP AS last_seen FROM {src}"
        )

    def _names_sql(self) -> str:
        version = str(self.meta.get("match_version") or "").replace("'", "''")
        src = self._source()
        if src is None:
            return (
                "SELECT NULL::VARCHAR AS name, NULL::VARCHAR AS registrable, NULL::VARCHAR AS service_id, "
                f"NULL::VARCHAR AS matched_on, '{version}'::VARCHAR AS catalog_version WHERE false"
            )
        # one row per name (the table's primary key): every row of a name carries the run's match
        return (
            "SELECT name, any_value(registrable) AS registrable, any_value(service_id) AS service_id, "
            f"any_value(matched_on) AS matched_on, '{version}'::VARCHAR AS catalog_version "
            f"FROM {src} GROUP BY name"
        )

    def _record_scan(self, con: duckdb.DuckDBPyConnection) -> None:
        """The run as the store's scan 1: its times, catalog version, totals and file accounts."""
        files = list(self.meta.get("files") or [])
        total = {k: sum(int(f.get(k) or 0) for f in files) for k in ("lines", "parsed", "malformed")}
        con.execute(
            "INSERT INTO scans VALUES (1, ?, ?, ?, ?, ?, ?, ?)",
            [
                self.meta.get("started_at"),
                self.meta.get("finished_at"),
                self.meta.get("catalog_version"),
                len(files),
                total["lines"],
                total["parsed"],
                total["malformed"],
            ],
        )
        for f in files:
            insert_scan_file(con, 1, None, f, f.get("first_line", 1))
        own = [str(d) for d in self.meta.get("own_domains") or []]
        if own:
            con.execute("INSERT OR REPLACE INTO settings VALUES ('own_domains', ?)", [",".join(own)])


def connect(path: Path | str) -> ParquetStore:
    """Open a Spark scan's Parquet directory as a read-only store (raises SekishoError)."""
    return ParquetStore(path)
