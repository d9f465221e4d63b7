"""Issue 17: CEF and LEEF. The first CEF line and the two LEEF lines are the examples of the
ArcSight CEF guide and IBM's LEEF documentation as recalled (not re-checked offline); the Check Point
line is written for the test in CEF's documented keys (tests/data/README.md)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from sekisho import api
from sekisho.store import Store

LINES = [
    "Sep 19 08:26:10 host CEF:0|Security|threatmanager|1.0|100|worm successfully stopped|10|src=10.0.0.1 dst=2.1.2.2 spt=1232",
    "CEF:0|Check Point|VPN-1 & FireWall-1|Check Point|Accept|https|Unknown|act=Accept rt=1684890123000 src=10.1.1.5 "
    "dst=203.0.113.7 dhost=ime.example.cn request=https://ime.example.cn/upload?q=a b out=1200 in=300",
    "LEEF:1.0|Microsoft|MSExchange|4.0 SP1|15345|src=10.50.1.1\tdst=2.10.20.20\tspt=1200",
    "LEEF:2.0|Lancope|StealthWatch|1.0|41|^|src=10.0.1.8^dst=10.0.0.5^sev=5^srcPort=81^dstPort=21",
    "just text",
]


def test_cef_and_leef(tmp_path: Path) -> None:
    log = tmp_path / "siem.log"
    log.write_text("\n".join(LINES) + "\n", encoding="utf-8")
    db = tmp_path / "db.duckdb"
    with Store(db) as store:
        store.set_setting("retention_days", str(365 * 100))
        store.set_setting("detail_days", str(365 * 100))
    account = api.scan([str(log)], db=db, year=2023)["files"][0]  # type: ignore[index]
    with Store(db, read_only=True) as store:
        rows = store.con.execute(
            "SELECT client, name, first_seen, bytes_out, bytes_in FROM observations"
        ).fetchall()
    got = {(r[0], r[1]): r[2:] for r in rows}
    assert account["format"] == "cef"
    assert got[("10.0.0.1", "2.1.2.2")][0] == dt.datetime(
        2023, 9, 19, 8, 26, 10
    )  # the syslog stamp, year given
    # dhost wins over dst; rt is epoch ms (1684890123000 = 2023-05-24 01:02:03 UTC); out/in are bytes
    assert got[("10.1.1.5", "ime.example.cn")] == (dt.datetime(2023, 5, 24, 1, 2, 3), 1200, 300)
    assert ("10.50.1.1", "2.10.20.20") in got  # LEEF 1.0, tab-separated
    assert ("10.0.1.8", "10.0.0.5") in got  # LEEF 2.0 with its own delimiter
    assert account["malformed"] == 1 and account["malformed_samples"][0]["line"] == 5
