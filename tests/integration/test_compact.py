"""The store stays bounded: old detail rolls up by month, totals survive, retention drops the oldest."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from sekisho.catalog import open_catalog
from sekisho.match import NameMatcher
from sekisho.store import Store


def fill(store: Store, rows: list[tuple[str, str, str, int]]) -> None:
    store.begin_scan("t")
    store.con.execute(
        "CREATE OR REPLACE TEMP TABLE b (day DATE, client VARCHAR, name VARCHAR, queries BIGINT, "
        "first_seen TIMESTAMP, last_seen TIMESTAMP, bytes_out BIGINT, bytes_in BIGINT)"
    )
    for day, client, name, q in rows:
        store.con.execute(
            "INSERT INTO b VALUES (?, ?, ?, ?, ?::DATE + INTERVAL 9 HOUR, ?::DATE + INTERVAL 10 HOUR, "
            "NULL, NULL)",
            [day, client, name, q, day, day],
        )
    store.merge_batch("b")
    matcher = NameMatcher(open_catalog())
    store.pending_names(matcher.version)
    matcher.match_table(store.con, "pending_names", "m")
    store.save_matches_from("m", matcher.version)


def test_compaction_rolls_up_old_days_and_keeps_totals(tmp_path: Path) -> None:
    store = Store(tmp_path / "s.duckdb")
    rows = [
        ("2026-01-05", "10.0.0.1", "ime.baidu.jp", 3),
        ("2026-01-06", "10.0.0.1", "api.ime.baidu.jp", 2),
        ("2026-01-06", "10.0.0.2", "www.unlisted-vendor.net", 5),
        ("2026-11-20", "10.0.0.3", "ime.baidu.jp", 1),
    ]
    fill(store, rows)
    before = {r["id"]: (r["clients"], r["queries"]) for r in store.service_usage()}
    done = store.compact(today=dt.date(2026, 11, 20))
    assert done.rolled_rows == 3  # the three January rows are older than 35 days before 2026-11-20
    assert (done.rolled_queries, done.rolled_first, done.rolled_last) == (
        10,
        dt.date(2026, 1, 5),
        dt.date(2026, 1, 6),
    )
    assert (
        done.expired_rows == 0
        and "rolled up 3 day rows (10 queries, 2026-01-05 to 2026-01-06)" in done.lines()[0]
    )
    assert store.con.execute("SELECT count(*) FROM observations").fetchone()[0] == 1
    month_rows = store.con.execute(
        "SELECT month, client, registrable, service_id, queries FROM observations_monthly ORDER BY client"
    ).fetchall()
    assert month_rows == [
        (dt.date(2026, 1, 1), "10.0.0.1", "baidu.jp", "baidu-ime", 5),
        (dt.date(2026, 1, 1), "10.0.0.2", "unlisted-vendor.net", None, 5),
    ]
    assert {r["id"]: (r["clients"], r["queries"]) for r in store.service_usage()} == before
    scope = {c["client"]: c for c in store.scope("baidu-ime")}
    assert set(scope) == {"10.0.0.1", "10.0.0.3"} and scope["10.0.0.1"]["queries"] == 5
    assert store.unknown_destinations()[0]["domain"] == "unlisted-vendor.net"  # (example.com is special-use)
    # compacting again changes nothing
    assert not store.compact(today=dt.date(2026, 11, 20)).changes
    assert {r["id"]: (r["clients"], r["queries"]) for r in store.service_usage()} == before


def test_retention_counts_back_from_the_scans_day_not_the_newest_observed(tmp_path: Path) -> None:
    store = Store(tmp_path / "s.duckdb")
    today = dt.date(2026, 12, 1)
    fill(
        store, [("2025-12-01", "10.0.0.1", "ime.baidu.jp", 1), ("2025-12-02", "10.0.0.1", "ime.baidu.jp", 1)]
    )
    assert store.compact(today=today).expired_rows == 0
    # A row dated far ahead (ingest refuses one as "in the future"; here it is put in directly)
    # does not move the window: last year's rows stay.
    fill(store, [("2099-06-01", "10.0.0.1", "ime.baidu.jp", 1)])
    assert store.compact(today=today).expired_rows == 0
    assert store.service_usage()[0]["queries"] == 3
    # The window does move with the scan's day: a year later December 2025 is older than 400 days.
    later = store.compact(today=dt.date(2027, 2, 10), keep_all=True)
    assert (later.expired_rows, later.expired_queries, later.kept_all) == (1, 2, True)
    assert store.service_usage()[0]["queries"] == 3  # keep_all: planned, nothing changed
    done = store.compact(today=dt.date(2027, 2, 10))
    assert (done.expired_queries, done.expired_first, done.expired_last) == (
        2,
        dt.date(2025, 12, 1),
        dt.date(2025, 12, 2),
    )
    assert store.service_usage()[0]["queries"] == 1
