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


def m002_rollup(con: duckdb.DuckDBPyConnection) -> None:
    """Bounded storage: detail per (day, client, name) for `detail_days`, then one row per
    (month, client, registrable domain, service) until `retention_days`."""
    con.execute("""
        CREATE TABLE observations_monthly (
            month DATE NOT NULL,
            client VARCHAR NOT NULL,
            registrable VARCHAR NOT NULL,
            service_id VARCHAR,
            queries BIGINT NOT NULL,
            bytes_out BIGINT,
            bytes_in BIGINT,
            first_seen TIMESTAMP,
            last_seen TIMESTAMP
        );
        INSERT INTO settings VALUES ('detail_days', '35') ON CONFLICT DO NOTHING;
        -- Everything observed, at whichever grain it is kept: the questions read this view.
        CREATE VIEW usage_all AS
            SELECT o.day AS period, o.client, o.name, n.registrable, n.service_id, o.queries,
                   o.bytes_out, o.bytes_in, o.first_seen, o.last_seen
            FROM observations o JOIN names n USING (name)
            UNION ALL
            SELECT m.month, m.client, NULL, m.registrable, m.service_id, m.queries,
                   m.bytes_out, m.bytes_in, m.first_seen, m.last_seen
            FROM observations_monthly m;
    """)


def m003_watch(con: duckdb.DuckDBPyConnection) -> None:
    """The watcher's state: alerts (deduplicated, acknowledgeable), their delivery queue per sink,
    where each followed path stood, and running summaries the alert rules compare a batch with."""
    con.execute("""
        CREATE SEQUENCE alert_ids START 1;
        CREATE TABLE alerts (
            id BIGINT NOT NULL,
            created_at TIMESTAMP NOT NULL,     -- when the watcher raised it (wall clock, UTC)
            last_seen TIMESTAMP NOT NULL,      -- the last occurrence folded into it (dedup)
            occurrences BIGINT NOT NULL,       -- 1 + later hits of the same key within the window
            rule VARCHAR NOT NULL,             -- rule id, e.g. blocked-use
            kind VARCHAR NOT NULL,             -- rule type, e.g. blocked_use
            severity VARCHAR NOT NULL,         -- info, low, medium, high, critical
            dedup_key VARCHAR NOT NULL,        -- rule|subject|client
            service_id VARCHAR,
            client VARCHAR,
            subject VARCHAR NOT NULL,          -- the service id or the domain the alert is about
            title VARCHAR NOT NULL,
            details JSON,
            event_first TIMESTAMP,             -- time of the first log record behind it
            event_last TIMESTAMP,
            acked_at TIMESTAMP,
            acked_by VARCHAR,
            ack_note VARCHAR
        );
        -- One row per (alert, sink): an alert stays queued here until the sink took it.
        CREATE TABLE alert_deliveries (
            alert_id BIGINT NOT NULL,
            sink VARCHAR NOT NULL,
            attempts INTEGER NOT NULL,
            next_attempt TIMESTAMP NOT NULL,
            delivered_at TIMESTAMP,
            last_error VARCHAR
        );
        -- Where each followed path stood when last read (a shortcut: the truth is source_files).
        CREATE TABLE watch_files (
            path VARCHAR NOT NULL,
            file_id BIGINT,
            dev BIGINT, ino BIGINT, size BIGINT, mtime_ns BIGINT,
            offset_bytes BIGINT,
            note VARCHAR,
            updated_at TIMESTAMP
        );
        -- Running summaries, rebuilt from the observations when the watcher starts.
        CREATE TABLE watch_seen (service_id VARCHAR NOT NULL, client VARCHAR NOT NULL, first_seen TIMESTAMP);
        CREATE TABLE watch_domains (registrable VARCHAR NOT NULL, queries BIGINT NOT NULL, first_seen TIMESTAMP);
        CREATE TABLE watch_daily (service_id VARCHAR NOT NULL, day DATE NOT NULL, queries BIGINT NOT NULL);
        -- The catalog facts of each service in use, as last alerted on (for catalog-change alerts).
        CREATE TABLE watch_catalog_facts (
            service_id VARCHAR NOT NULL,
            catalog_version VARCHAR,
            facts JSON,
            updated_at TIMESTAMP
        );
    """)


def m004_head_aligned(con: duckdb.DuckDBPyConnection) -> None:
    # Whether a file's fingerprinted prefix ends at a line end (or is the full fingerprint): then a
    # later, grown copy is found by hashing its own line-end prefixes, in one query (NULL: unknown,
    # a row from before this column; such rows are checked one length at a time).
    con.execute("ALTER TABLE source_files ADD COLUMN head_aligned BOOLEAN")


def m005_findings(con: duckdb.DuckDBPyConnection) -> None:
    # One table for the findings of every evidence stage (audit, exposure, register, inventory):
    # one row per finding key; seen again, it keeps its first_seen and moves its last_seen.
    con.execute("""
        CREATE TABLE findings (
            key VARCHAR PRIMARY KEY,
            stage VARCHAR NOT NULL,
            kind VARCHAR NOT NULL,
            subject VARCHAR NOT NULL,
            severity VARCHAR NOT NULL,
            title VARCHAR NOT NULL,
            finding JSON NOT NULL,
            first_seen TIMESTAMP,
            last_seen TIMESTAMP,
            times_seen BIGINT NOT NULL DEFAULT 1,
            run_id BIGINT
        );
    """)


def m007_register(con: duckdb.DuckDBPyConnection) -> None:
    # The register of vendors and sub-processors, with history: each distinct content of a register
    # file is one version (its parties as they were); checking the same file again adds nothing.
    con.execute("""
        CREATE SEQUENCE register_version_ids START 1;
        CREATE TABLE register_versions (
            id BIGINT PRIMARY KEY,
            path VARCHAR NOT NULL,
            sha256 VARCHAR NOT NULL,
            loaded_at TIMESTAMP NOT NULL,
            parties INTEGER NOT NULL
        );
        CREATE TABLE register_parties (
            version_id BIGINT NOT NULL,
            party_id VARCHAR NOT NULL,
            line INTEGER,
            party JSON NOT NULL,
            PRIMARY KEY (version_id, party_id)
        );
    """)


def m006_login_events(con: duckdb.DuckDBPyConnection) -> None:
    # Sign-ins of every login format, normalised (sekisho.ingest.logins): what the audit stage
    # reads. A file read again replaces its own rows (sekisho.store.logins).
    con.execute("""
        CREATE TABLE login_events (
            ts TIMESTAMP NOT NULL,
            "user" VARCHAR NOT NULL,
            src_ip VARCHAR,
            outcome VARCHAR NOT NULL,
            reason VARCHAR,
            method VARCHAR,
            mfa BOOLEAN,
            app VARCHAR,
            interactive BOOLEAN NOT NULL,
            user_agent VARCHAR,
            asn BIGINT,
            asn_org VARCHAR,
            vendor_country VARCHAR,
            format VARCHAR NOT NULL,
            source VARCHAR NOT NULL,
            line BIGINT NOT NULL
        );
    """)


def m008_names_unindexed(con: duckdb.DuckDBPyConnection) -> None:
    # ``names`` without its primary key: the index cost a scan of a new log 0.08 CPU s for 75,876
    # names (inserted, logged and checkpointed with every name), and no query looks a name up by
    # it. A name is still stored once: the only writer (Store.save_matches_from) deletes a batch's
    # names before it inserts them and refuses a batch that holds a name twice.
    con.execute("""
        CREATE TABLE names_unindexed (
            name VARCHAR NOT NULL,
            registrable VARCHAR,
            service_id VARCHAR,
            matched_on VARCHAR,
            catalog_version VARCHAR NOT NULL
        );
        INSERT INTO names_unindexed SELECT name, registrable, service_id, matched_on, catalog_version FROM names;
        DROP TABLE names;
        ALTER TABLE names_unindexed RENAME TO names;
    """)


MIGRATIONS: list[tuple[str, Migration]] = [
    ("001_initial", m001_initial),
    ("002_rollup", m002_rollup),
    ("003_watch", m003_watch),
    ("004_head_aligned", m004_head_aligned),
    ("005_findings", m005_findings),
    ("006_login_events", m006_login_events),
    ("007_register", m007_register),
    ("008_names_unindexed", m008_names_unindexed),
]
