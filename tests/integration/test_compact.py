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
        ("2026-01-06", "10.0.0.2", "www.example.com", 5),
        ("2026-11-20", "10.0.0.3", "ime.baidu.jp", 1),
    ]
    fill(store, rows)
    before = {r["id"]: (r["clients"], r["queries"]) for r in store.service_usage()}
    rolled = store.compact()
    assert rolled == 3  # the three January rows are older than 35 days before 2026-11-20
    assert store.con.execute("SELECT count(*) FROM observations").fetchone()[0] == 1
    month_rows = store.con.execute(
        "SELECT month, client, registrable, service_id, queries FROM observations_monthly ORDER BY client"
    ).fetchall()
    assert month_rows == [
        (dt.date(2026, 1, 1), "10.0.0.1", "baidu.jp", "baidu-ime", 5),
        (dt.date(2026, 1, 1), "10.0.0.2", "example.com", None, 5),
    ]
    assert {r["id"]: (r["clients"], r["queries"]) for r in store.service_usage()} == before
    scope = {c["client"]: c for c in store.scope("baidu-ime")}
    assert set(scope) == {"10.0.0.1", "10.0.0.3"} and scope["10.0.0.1"]["queries"] == 5
    assert store.unknown_destinations()[0]["domain"] == "example.com"
    # compacting again changes nothing
    assert store.compact() == 0
    assert {r["id"]: (r["clients"], r["queries"]) for r in store.service_usage()} == before


def test_retention_counts_back_from_the_newest_day_not_today(tmp_path: Path) -> None:
    store = Store(tmp_path / "s.duckdb")
    fill(
        store, [("2018-03-24", "10.0.0.1", "ime.baidu.jp", 1), ("2018-03-25", "10.0.0.1", "ime.baidu.jp", 1)]
    )
    store.compact()
    assert store.service_usage()[0]["queries"] == 2  # an old archive is not expired at once
    store.set_setting("retention_days", "30")
    fill(store, [("2018-06-01", "10.0.0.1", "ime.baidu.jp", 1)])
    store.compact()
    assert store.service_usage()[0]["queries"] == 1  # March is now older than 30 days before June
