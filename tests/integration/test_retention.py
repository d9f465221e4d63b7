"""Retention that never surprises (issue 12 item 6, issue 10 item 3): the window counts back from
the scan's day, a record dated in the future is malformed and moves nothing, what a scan rolls up
or expires is printed with counts and dates, and ``--keep-all`` refuses it.

Real data: dnsmasq 2.90's own query log (year-less stamps ``Nov 23``; the year comes from the
file's modification time, set here with ``os.utime``) and a 2018 Zeek ``dns.log`` (epoch stamps)
from ../shared/corpora; copies and cut-downs are made in the test's temporary directory only.
"""

from __future__ import annotations

import datetime as dt
import os
import shutil
from pathlib import Path

import duckdb
import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from sekisho import api
from sekisho.cli.main import app
from sekisho.store import Store
from tests.conftest import DATA, corpora_dir, need

pytestmark = pytest.mark.realworld
CATALOG = DATA / "catalog_ok"  # matching does not matter here; a fixed catalog keeps the test about the store
DNSMASQ = corpora_dir() / "dnsmasq"
ZEEK_2018 = corpora_dir() / "zeek" / "wrccdc2018_dns_head5000.log"
Y2100 = 4102444800  # 2100-01-01 00:00:00 UTC


def _need_corpora() -> None:
    need(DNSMASQ.is_dir() and ZEEK_2018.is_file(), f"real log corpora at {corpora_dir()}")


def _copy(src: Path, dst: Path, mtime: dt.datetime) -> Path:
    shutil.copyfile(src, dst)
    os.utime(dst, (mtime.timestamp(), mtime.timestamp()))
    return dst


def _zeek_cut(dst: Path, records: int, extra: list[str] = ()) -> Path:  # type: ignore[assignment]
    """The 2018 Zeek log's header, its first ``records`` records and ``extra`` lines, then ``#close``."""
    lines = ZEEK_2018.read_text().splitlines(keepends=True)
    header = [ln for ln in lines[:12] if ln.startswith("#")]
    body = [ln for ln in lines if not ln.startswith("#")][:records]
    dst.write_text("".join(header + body + list(extra)))
    return dst


def _totals(db: Path) -> tuple[int, int, int]:
    """(queries in detail and roll-ups, detail rows, monthly rows)."""
    con = duckdb.connect(str(db), read_only=True)
    try:
        q = con.execute(
            "SELECT (SELECT coalesce(sum(queries), 0) FROM observations)"
            " + (SELECT coalesce(sum(queries), 0) FROM observations_monthly),"
            " (SELECT count(*) FROM observations), (SELECT count(*) FROM observations_monthly)"
        ).fetchone()
    finally:
        con.close()
    assert q
    return int(q[0]), int(q[1]), int(q[2])


def _set(db: Path, key: str, days: int) -> None:
    with Store(db) as store:
        store.set_setting(key, str(days))


def _now() -> dt.datetime:
    return dt.datetime.now()


def test_last_years_archive_then_todays_log_keep_both_in_full(tmp_path: Path) -> None:
    _need_corpora()
    db = tmp_path / "s.duckdb"
    _set(db, "retention_days", 800)  # a year and a bit: last year's archive is inside it
    archive = _copy(
        DNSMASQ / "dnsmasq_2.90_log-queries.log", tmp_path / "archive.log", _now() - dt.timedelta(days=365)
    )
    today = _copy(DNSMASQ / "dnsmasq_2.90_log-queries-extra.log", tmp_path / "today.log", _now())

    a = api.scan([str(archive)], db, CATALOG)
    assert a["files"][0]["parsed"] == 900 and a["files"][0]["malformed"] == 0
    ret = a["scan"]["retention"]
    # last year's lines are older than detail-days: rolled up by month (their queries kept), none expired
    assert ret["rolled_queries"] == 900 and ret["expired_rows"] == 0
    assert ret["reference"] == dt.datetime.now(dt.UTC).date().isoformat()
    assert _totals(db)[0] == 900

    t = api.scan([str(today)], db, CATALOG)
    assert t["files"][0]["parsed"] == 900
    assert t["scan"]["retention"]["expired_rows"] == 0
    assert t["scan"]["expired_observations"] == 0
    total, detail, monthly = _totals(db)
    assert total == 1800, "both files are kept in full"
    assert detail > 0 and monthly > 0  # today's per day, last year's per month

    # and in the other order, into a fresh store: the same
    db2 = tmp_path / "s2.duckdb"
    _set(db2, "retention_days", 800)
    api.scan([str(today)], db2, CATALOG)
    api.scan([str(archive)], db2, CATALOG)
    assert _totals(db2)[0] == 1800


def test_a_line_dated_2100_is_malformed_and_expires_nothing(tmp_path: Path) -> None:
    _need_corpora()
    db = tmp_path / "s.duckdb"
    _set(db, "retention_days", 20_000)  # keep 2018
    week = _copy(DNSMASQ / "dnsmasq_2.90_log-queries.log", tmp_path / "week.log", _now())
    api.scan([str(week)], db, CATALOG)
    before = _totals(db)
    assert before[0] == 900

    lines = ZEEK_2018.read_text().splitlines(keepends=True)
    record = next(ln for ln in lines if not ln.startswith("#"))
    hostile = f"{Y2100}.000000" + record[record.index("\t") :]
    log = _zeek_cut(tmp_path / "dns.log", 200, [hostile])
    r = api.scan([str(log)], db, CATALOG)
    f = r["files"][0]
    assert (f["parsed"], f["malformed"]) == (200, 1)
    sample = f["malformed_samples"][0]
    assert sample["reason"].startswith("in the future")
    assert sample["line"] == 8 + 200 + 1  # the header's 8 lines, the records, then the hostile one
    assert r["scan"]["expired_observations"] == 0
    assert r["scan"]["retention"]["expired_rows"] == 0
    after = _totals(db)
    assert after[0] == before[0] + 200, "nothing of the week was expired"
    with Store(db, read_only=True) as store:
        latest = store.con.execute("SELECT max(day) FROM observations").fetchone()
    assert latest and latest[0] <= dt.date.today() + dt.timedelta(days=1)


def test_roll_up_and_expiry_are_printed_and_keep_all_refuses_them(tmp_path: Path) -> None:
    _need_corpora()
    db = tmp_path / "s.duckdb"
    runner = CliRunner()
    log = _zeek_cut(tmp_path / "dns.log", 300)
    base = ["scan", "--db", str(db), "--catalog", str(CATALOG)]

    kept = runner.invoke(app, [*base, "--keep-all", str(log)])
    assert kept.exit_code == 0, kept.output
    assert "would expire" in kept.output and "2018-03-24" in kept.output
    assert "--keep-all" in kept.output
    total, detail, monthly = _totals(db)
    assert total == 300 and detail > 0 and monthly == 0, "--keep-all changed nothing"

    # the next scan without --keep-all: 2018 is older than retention-days 400 — said, with dates
    week = _copy(DNSMASQ / "dnsmasq_2.90_log-queries.log", tmp_path / "week.log", _now())
    done = runner.invoke(app, [*base, str(week)])
    assert done.exit_code == 0, done.output
    line = next(ln for ln in done.output.splitlines() if "expired" in ln)
    assert "300 queries" in line and "2018-03-24" in line and "retention-days 400" in line
    assert _totals(db)[0] == 900

    dry = runner.invoke(app, ["db", "compact", "--dry-run", "--db", str(db)])
    assert dry.exit_code == 0 and "nothing to roll up or expire" in dry.output


@pytest.fixture(scope="module")
def dnsmasq_lines() -> list[str]:
    _need_corpora()
    return (DNSMASQ / "dnsmasq_2.90_log-queries.log").read_text().splitlines(keepends=True)


@settings(
    max_examples=12,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    scans=st.lists(
        st.tuples(
            st.integers(0, 1700), st.integers(1, 400), st.integers(0, 1500)
        ),  # start, lines, age in days
        min_size=1,
        max_size=4,
    ),
    retention=st.integers(40, 1500),
    detail=st.integers(1, 60),
)
def test_no_scan_lowers_the_queries_already_stored_unless_retention_says_so(
    tmp_path_factory: pytest.TempPathFactory,
    dnsmasq_lines: list[str],
    scans: list[tuple[int, int, int]],
    retention: int,
    detail: int,
) -> None:
    tmp = tmp_path_factory.mktemp("prop")
    db = tmp / "s.duckdb"
    _set(db, "retention_days", retention)
    _set(db, "detail_days", detail)
    for i, (start, n, age) in enumerate(scans):
        log = tmp / f"{i}.log"
        log.write_text("".join(dnsmasq_lines[start : start + n]))
        mtime = _now() - dt.timedelta(days=age)
        os.utime(log, (mtime.timestamp(), mtime.timestamp()))
        before = _totals(db)[0]
        r = api.scan([str(log)], db, CATALOG)
        ret = r["scan"]["retention"]
        after = _totals(db)[0]
        added = sum(f["parsed"] for f in r["files"])
        # exact accounting: what was stored + what this scan read − what retention expired (and said)
        assert after == before + added - ret["expired_queries"]
        event("expired" if ret["expired_queries"] else "kept", "retention")
        if ret["rolled_rows"]:
            event("rolled up", "retention")
        if ret["expired_queries"]:
            keep_month = dt.date.fromisoformat(ret["keep_from"]).replace(day=1)
            assert dt.date.fromisoformat(ret["expired_last"]) < keep_month
            assert ret["lines"], "an expiry is always printed"
        else:
            assert after >= before


def test_detail_days_cannot_outlast_retention_days(tmp_path: Path) -> None:
    from typer.testing import CliRunner

    from sekisho.cli.main import app

    db = str(tmp_path / "db.duckdb")
    runner = CliRunner()
    assert runner.invoke(app, ["db", "set", "retention-days", "100", "--db", db]).exit_code == 0
    refused = runner.invoke(app, ["db", "set", "detail-days", "9999", "--db", db])
    assert refused.exit_code == 1 and "cannot be longer than retention-days (100)" in refused.output
    assert runner.invoke(app, ["db", "set", "detail-days", "30", "--db", db]).exit_code == 0
    shorter = runner.invoke(app, ["db", "set", "retention-days", "20", "--db", db])
    assert shorter.exit_code == 1 and "detail-days (30)" in shorter.output
