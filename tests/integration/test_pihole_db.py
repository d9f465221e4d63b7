"""Pi-hole's query database, in the schema FTL writes.

No Debian package ships pihole-FTL, so these databases are built from the exact DDL that FTL's own
test suite asserts of the database FTL creates (``test/test_suite.bats``, "pihole-FTL.db schema is
as expected", database version 21; the pre-version-10 ``queries`` table from FTL's
``src/database/query-table.h``). Rows are inserted the way FTL stores them: ids into
``domain_by_id``/``client_by_id``.
"""

from __future__ import annotations

import sqlite3
from contextlib import closing
from pathlib import Path

from sekisho import api
from sekisho.store import Store

FTL_V21 = [
    'CREATE TABLE IF NOT EXISTS "query_storage" (id INTEGER PRIMARY KEY AUTOINCREMENT, timestamp INTEGER NOT NULL, '
    "type INTEGER NOT NULL, status INTEGER NOT NULL, domain INTEGER NOT NULL, client INTEGER NOT NULL, forward INTEGER, "
    "additional_info INTEGER, reply_type INTEGER, reply_time REAL, dnssec INTEGER, list_id INTEGER, ede INTEGER);",
    'CREATE INDEX idx_queries_timestamps ON "query_storage" (timestamp);',
    "CREATE TABLE ftl (id INTEGER PRIMARY KEY NOT NULL, value BLOB NOT NULL, description TEXT);",
    "INSERT INTO ftl VALUES(0,21,'Database version');",
    "CREATE TABLE domain_by_id (id INTEGER PRIMARY KEY, domain TEXT NOT NULL);",
    "CREATE TABLE client_by_id (id INTEGER PRIMARY KEY, ip TEXT NOT NULL, name TEXT);",
    "CREATE TABLE forward_by_id (id INTEGER PRIMARY KEY, forward TEXT NOT NULL);",
    "CREATE TABLE addinfo_by_id (id INTEGER PRIMARY KEY, type INTEGER NOT NULL, content NOT NULL);",
    "CREATE VIEW queries AS SELECT id, timestamp, type, status, CASE typeof(domain) WHEN 'integer' THEN (SELECT "
    "domain FROM domain_by_id d WHERE d.id = q.domain) ELSE domain END domain,CASE typeof(client) WHEN 'integer' "
    "THEN (SELECT ip FROM client_by_id c WHERE c.id = q.client) ELSE client END client,CASE typeof(forward) WHEN "
    "'integer' THEN (SELECT forward FROM forward_by_id f WHERE f.id = q.forward) ELSE forward END forward,CASE "
    "typeof(additional_info) WHEN 'integer' THEN (SELECT content FROM addinfo_by_id a WHERE a.id = "
    "q.additional_info) ELSE additional_info END additional_info, reply_type, reply_time, dnssec, list_id, ede "
    "FROM query_storage q;",
]
FTL_V1 = [
    "CREATE TABLE queries ( id INTEGER PRIMARY KEY AUTOINCREMENT, timestamp INTEGER NOT NULL, type INTEGER "
    "NOT NULL, status INTEGER NOT NULL, domain TEXT NOT NULL, client TEXT NOT NULL, forward TEXT );"
]


def add_queries(db: Path, rows: list[tuple[int, str, str]]) -> None:
    """(timestamp, domain, client) rows, stored as FTL v21 stores them."""
    with closing(sqlite3.connect(db)) as con, con:
        for ts, domain, client in rows:
            d = con.execute("SELECT id FROM domain_by_id WHERE domain = ?", [domain]).fetchone()
            d_id = (
                d[0] if d else con.execute("INSERT INTO domain_by_id (domain) VALUES (?)", [domain]).lastrowid
            )
            c = con.execute("SELECT id FROM client_by_id WHERE ip = ?", [client]).fetchone()
            c_id = c[0] if c else con.execute("INSERT INTO client_by_id (ip) VALUES (?)", [client]).lastrowid
            con.execute(
                "INSERT INTO query_storage (timestamp, type, status, domain, client) VALUES (?, 1, 2, ?, ?)",
                [ts, d_id, c_id],
            )


def make_db(path: Path, ddl: list[str]) -> Path:
    with closing(sqlite3.connect(path)) as con:
        con.executescript("\n".join(ddl))
    return path


def test_ftl_database_is_detected_read_and_continued(tmp_path: Path) -> None:
    db = make_db(tmp_path / "pihole-FTL.db", FTL_V21)
    t0 = 1794787200  # 2026-11-16 00:00 UTC
    add_queries(
        db,
        [
            (t0 + i, name, f"192.168.1.{10 + i % 3}")
            for i, name in enumerate(
                ["ime.baidu.jp", "www.example.com", "api.ime.baidu.jp", "line.me", "ime.baidu.jp"]
            )
        ],
    )
    store_path = tmp_path / "s.duckdb"
    first = api.scan([str(db)], db=store_path)
    assert first["files"][0]["format"] == "pihole-db"
    assert (first["files"][0]["lines"], first["files"][0]["parsed"], first["files"][0]["malformed"]) == (
        5,
        5,
        0,
    )
    baidu = next(s for s in first["services"] if s["id"] == "baidu-ime")
    assert (baidu["clients"], baidu["queries"]) == (3, 3)  # rows 0, 2, 4: clients .10, .12, .11
    assert baidu["first_seen"].startswith("2026-11-16 00:00:00")

    again = api.scan([str(db)], db=store_path)  # FTL rewrites the header on every commit; still the same db
    assert again["files"][0]["parsed"] == 0
    add_queries(db, [(t0 + 100, "ime.baidu.jp", "192.168.1.99")])
    grown = api.scan([str(db)], db=store_path)
    assert grown["files"][0]["parsed"] == 1 and "after query id 5" in grown["files"][0]["note"]
    with Store(store_path, read_only=True) as store:
        assert sum(c["queries"] for c in store.scope("baidu-ime")) == 4
        assert {c["client"] for c in store.scope("baidu-ime")} == {
            "192.168.1.10",
            "192.168.1.11",
            "192.168.1.12",
            "192.168.1.99",
        }


def test_old_ftl_queries_table_is_read(tmp_path: Path) -> None:
    db = make_db(tmp_path / "old.db", FTL_V1)
    with closing(sqlite3.connect(db)) as con, con:
        con.executemany(
            "INSERT INTO queries (timestamp, type, status, domain, client) VALUES (?, 1, 2, ?, ?)",
            [(1795459200, "chat.deepseek.com", "10.0.0.5"), (1795459260, "chat.deepseek.com", "10.0.0.6")],
        )
    result = api.scan([str(db)], db=tmp_path / "s.duckdb")
    deepseek = next(s for s in result["services"] if s["id"] == "deepseek")
    assert deepseek["clients"] == 2


def test_other_sqlite_files_are_refused_by_name(tmp_path: Path) -> None:
    other = tmp_path / "other.sqlite"
    with closing(sqlite3.connect(other)) as con:
        con.execute("CREATE TABLE t (x)")
    import pytest

    from sekisho.errors import InputError

    with pytest.raises(InputError) as e:
        api.scan([str(other)], db=tmp_path / "s.duckdb")
    assert "other.sqlite" in str(e.value) and "not a Pi-hole query database" in str(e.value)


def test_a_database_rotated_away_and_recreated_is_read_whole(tmp_path: Path) -> None:
    db = make_db(tmp_path / "pihole-FTL.db", FTL_V21)
    add_queries(db, [(1794787200 + i, "line.me", "10.0.0.1") for i in range(5)])
    store_path = tmp_path / "s.duckdb"
    api.scan([str(db)], db=store_path)
    db.rename(tmp_path / "pihole-FTL_11-26.db")  # Pi-hole's documented monthly rotation
    make_db(db, FTL_V21)
    add_queries(db, [(1794787300, "line.me", "10.0.0.2"), (1794787301, "line.me", "10.0.0.3")])
    again = api.scan([str(db)], db=store_path)
    assert again["files"][0]["parsed"] == 2
    line = next(s for s in again["services"] if s["id"] == "line")
    assert (line["clients"], line["queries"]) == (3, 7)
