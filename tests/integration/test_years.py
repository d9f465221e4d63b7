"""Years for year-less stamps (issue 12 item 5): the latest year that puts a line not after the
file's modification time, rolling back across a year boundary inside the file; ``--year N``
overrides; the file's entry says which years were given and why.

Real data: dnsmasq 2.90's own query log from ../shared/corpora (``Nov 23 18:39:45 dnsmasq[15339]:``).
For the year boundary, the same real lines are re-stamped in the test's temporary directory: the
first half ``Dec 31``, the rest ``Jan  1`` (dnsmasq's own space-padded day), times unchanged.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

from sekisho import api
from sekisho.cli.main import app
from sekisho.ingest.years import reference_time, yearless
from sekisho.store import Store
from tests.conftest import DATA, corpora_dir, need

pytestmark = pytest.mark.realworld
CATALOG = DATA / "catalog_ok"
LOG = corpora_dir() / "dnsmasq" / "dnsmasq_2.90_log-queries.log"


def _log(tmp_path: Path, mtime: dt.datetime, text: str | None = None, name: str = "dnsmasq.log") -> Path:
    need(LOG.is_file(), f"real log corpora at {corpora_dir()}")
    p = tmp_path / name
    if text is None:
        shutil.copyfile(LOG, p)
    else:
        p.write_text(text)
    os.utime(p, (mtime.timestamp(), mtime.timestamp()))
    return p


def _days(db: Path) -> dict[dt.date, int]:
    with Store(db, read_only=True) as store:
        rows = store.con.execute(
            "SELECT day, sum(queries) FROM observations GROUP BY day UNION ALL "
            "SELECT month, sum(queries) FROM observations_monthly GROUP BY month ORDER BY 1"
        ).fetchall()
    return {d: int(n) for d, n in rows}


def _keep_everything(db: Path) -> None:
    with Store(db) as store:
        store.set_setting("retention_days", "40000")
        store.set_setting("detail_days", "40000")  # per day, so the test sees the days


def test_year_from_the_files_modification_time(tmp_path: Path) -> None:
    db = tmp_path / "s.duckdb"
    _keep_everything(db)
    r = api.scan([str(_log(tmp_path, dt.datetime(2025, 11, 24, 9, 0)))], db, CATALOG)
    assert _days(db) == {dt.date(2025, 11, 23): 900}
    note = r["files"][0]["note"]
    assert "year-less stamps dated 2025" in note and "inferred" in note and "2025-11-24 09:00" in note


def test_a_file_modified_in_january_puts_its_november_lines_in_the_year_before(tmp_path: Path) -> None:
    db = tmp_path / "s.duckdb"
    _keep_everything(db)
    api.scan([str(_log(tmp_path, dt.datetime(2025, 1, 3, 8, 0)))], db, CATALOG)
    assert _days(db) == {dt.date(2024, 11, 23): 900}


def test_rolls_back_across_the_year_boundary_inside_the_file(tmp_path: Path) -> None:
    need(LOG.is_file(), f"real log corpora at {corpora_dir()}")
    lines = LOG.read_text().splitlines(keepends=True)
    half = len(lines) // 2
    text = "".join(ln.replace("Nov 23", "Dec 31", 1) for ln in lines[:half]) + "".join(
        ln.replace("Nov 23", "Jan  1", 1) for ln in lines[half:]
    )
    db = tmp_path / "s.duckdb"
    _keep_everything(db)
    r = api.scan([str(_log(tmp_path, dt.datetime(2024, 1, 1, 12, 0), text))], db, CATALOG)
    days = _days(db)
    assert set(days) == {dt.date(2023, 12, 31), dt.date(2024, 1, 1)}
    assert sum(days.values()) == 900 == r["files"][0]["parsed"]
    assert r["files"][0]["malformed"] == 0
    note = r["files"][0]["note"]
    assert "dated 2023–2024" in note and "rolled back across the year boundary" in note


def test_year_option_overrides_and_json_says_so(tmp_path: Path) -> None:
    db = tmp_path / "s.duckdb"
    _keep_everything(db)
    log = _log(tmp_path, dt.datetime.now())  # copied today: its mtime says nothing of its year
    out = CliRunner().invoke(
        app, ["scan", "--db", str(db), "--catalog", str(CATALOG), "--year", "2021", "--json", str(log)]
    )
    assert out.exit_code == 0, out.output
    data = json.loads(out.stdout)
    assert "given with --year 2021" in data["files"][0]["note"]
    assert _days(db) == {dt.date(2021, 11, 23): 900}


def test_stamps_with_a_year_get_no_note(tmp_path: Path) -> None:
    zeek = corpora_dir() / "zeek" / "wrccdc2018_dns_head5000.log"
    need(zeek.is_file(), f"real log corpora at {corpora_dir()}")
    db = tmp_path / "s.duckdb"
    _keep_everything(db)
    r = api.scan([str(zeek)], db, CATALOG)
    assert "year-less" not in (r["files"][0].get("note") or "")


def test_reference_time_and_detection() -> None:
    mtime = dt.datetime(2026, 3, 1, 10, 0)
    now = dt.datetime(2026, 12, 1)
    assert reference_time(mtime, None, now) == mtime
    assert reference_time(mtime, 2026, now) == mtime
    assert reference_time(mtime, 2021, now) == dt.datetime(2021, 12, 31, 23, 59, 59)
    assert reference_time(mtime, 2027, now) == now  # never after now
    assert yearless(["Nov 23 18:39:45 dnsmasq[15339]: started"])
    assert yearless(["<30>Jan  1 00:00:01 host unbound[1:0]: info: x"])
    assert not yearless(["Nov 23 18:39:45 2026 dnsmasq: x"])  # a year follows
    assert not yearless(["2026-11-23T18:39:45Z host dnsmasq[1]: x", "1521911720.865717\tC"])
