"""Named, numbered schema migrations, applied once each and recorded in ``schema_migrations``."""

from __future__ import annotations

from collections.abc import Callable

import duckdb

Migration = Callable[[duckdb.DuckDBPyConnection], None]


def m001_initial(con: duckdb.DuckDBPyConnection) -> None:
    con.execute("""
        CREATE SEQUENCE scan_ids START 1;
        CREATE TABLE scans (
            id BIGINT PRIMARY KEY,
            started_at TIMESTAMP NOT NULL,
            finished_at TIMESTAMP,
            catalog_version VARCHAR,
            files INTEGER DEFAULT 0,
            lines BIGINT DEFAULT 0,
            parsed BIGINT DEFAULT 0,
            malformed BIGINT DEFAULT 0
        );
        CREATE SEQUENCE file_ids START 1;
        -- A source file is known by its content: the hash of its (decompressed) head.
        CREATE TABLE source_files (
            id BIGINT PRIMARY KEY,
            path VARCHAR NOT NULL,
            format VARCHAR NOT NULL,
            compression VARCHAR NOT NULL,
            head_len INTEGER NOT NULL,
            head_hash VARCHAR NOT NULL,
            offset_bytes BIGINT NOT NULL,   -- decompressed bytes consumed; -1 when only lines are known
            lines BIGINT NOT NULL,          -- lines consumed
            size BIGINT NOT NULL,           -- size on disk when last read
            first_scan BIGINT NOT NULL,
            last_scan BIGINT NOT NULL
        );
        CREATE TABLE scan_files (
            scan_id BIGINT NOT NULL,
            file_id BIGINT,
            path VARCHAR NOT NULL,
            format VARCHAR,
            lines BIGINT, parsed BIGINT, skipped BIGINT, malformed BIGINT,
            malformed_samples JSON,
            from_line BIGINT,
            note VARCHAR
        );
        -- Observations aggregated per (day, client, name); raw lines are never kept.
        CREATE TABLE observations (
            day DATE NOT NULL,
            client VARCHAR NOT NULL,
            name VARCHAR NOT NULL,
            queries BIGINT NOT NULL,
            bytes_out BIGINT,
            bytes_in BIGINT,
            first_seen TIMESTAMP,
            last_seen TIMESTAMP
        );
        -- What each distinct name is: its registrable domain and the service it belongs to.
        CREATE TABLE names (
            name VARCHAR PRIMARY KEY,
            registrable VARCHAR,
            service_id VARCHAR,
            matched_on VARCHAR,
            catalog_version VARCHAR NOT NULL
        );
        CREATE TABLE settings (key VARCHAR PRIMARY KEY, value VARCHAR);
        INSERT INTO settings VALUES ('retention_days', '400');
    """)


MIGRATIONS: list[tuple[str, Migration]] = [
    ("001_initial", m001_initial),
]
