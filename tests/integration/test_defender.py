"""Issue 17: Defender for Endpoint DeviceNetworkEvents as JSON lines. The rows are written for the
test with the table's documented columns (Microsoft Learn, "DeviceNetworkEvents"); no tenant is at
hand (tests/data/README.md)."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

from sekisho import api
from sekisho.ingest import detect
from sekisho.ingest.sources import open_source
from sekisho.store import Store


def row(ts: str, device: str, action: str, ip: str, url: str, local: str = "10.0.0.21") -> dict[str, object]:
    return {"Timestamp": ts, "DeviceId": "a1b2c3", "DeviceName": device, "ActionType": action,
            "RemoteIP": ip, "RemotePort": 443, "RemoteUrl": url, "LocalIP": local, "LocalPort": 50123,
            "Protocol": "Tcp", "LocalIPType": "Private", "RemoteIPType": "Public",
            "InitiatingProcessFileName": "BaiduIME.exe"}  # fmt: skip


def test_defender_network_events(tmp_path: Path) -> None:
    log = tmp_path / "DeviceNetworkEvents.json"
    rows = [
        row(
            "2023-06-01T02:03:04.5Z",
            "pc-01.contoso.local",
            "ConnectionSuccess",
            "203.0.113.9",
            "ime.example.cn",
        ),
        row("2023-06-01T02:03:05Z", "pc-02.contoso.local", "ConnectionSuccess", "198.51.100.4", ""),
        {
            "properties": row(
                "2023-06-01T02:03:06Z",
                "pc-03.contoso.local",
                "ConnectionFailed",
                "192.0.2.8",
                "www.example.jp",
            )
        },
    ]
    log.write_text("\n".join(json.dumps(r) for r in rows) + "\n", encoding="utf-8")
    assert detect(open_source(log)).name == "defender-network"
    db = tmp_path / "db.duckdb"
    with Store(db) as store:
        store.set_setting("retention_days", str(365 * 100))
        store.set_setting("detail_days", str(365 * 100))
    account = api.scan([str(log)], db=db)["files"][0]  # type: ignore[index]
    with Store(db, read_only=True) as store:
        got = {
            (r[0], r[1]): r[2]
            for r in store.con.execute("SELECT client, name, first_seen FROM observations").fetchall()
        }
    assert got == {
        ("pc-01.contoso.local", "ime.example.cn"): dt.datetime(2023, 6, 1, 2, 3, 4, 500000),
        ("pc-02.contoso.local", "198.51.100.4"): dt.datetime(
            2023, 6, 1, 2, 3, 5
        ),  # no RemoteUrl: the address
        ("pc-03.contoso.local", "www.example.jp"): dt.datetime(2023, 6, 1, 2, 3, 6),
    }
    assert account["malformed"] == 0
