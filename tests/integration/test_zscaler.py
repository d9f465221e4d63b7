"""Issue 17: Zscaler NSS web and DNS feeds in the JSON output Zscaler documents for SIEMs. The lines
are written for the test in that feed's keys as recalled (no sample was reachable offline;
tests/data/README.md)."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

from sekisho import api
from sekisho.ingest import detect
from sekisho.ingest.sources import open_source
from sekisho.store import Store

WEB = {
    "sourcetype": "zscalernss-web",
    "event": {
        "datetime": "Mon Jun 20 15:29:11 2022",
        "reason": "Allowed",
        "event_id": "7111",
        "protocol": "HTTPS",
        "action": "Allowed",
        "transactionsize": "1300",
        "responsesize": "1000",
        "requestsize": "300",
        "urlcategory": "Web Search",
        "serverip": "203.0.113.5",
        "requestmethod": "POST",
        "product": "NSS",
        "location": "Tokyo",
        "ClientIP": "10.2.3.4",
        "status": "200",
        "user": "alice@example.jp",
        "url": "ime.example.cn/upload",
        "vendor": "Zscaler",
        "hostname": "ime.example.cn",
    },
}
DNS = {
    "sourcetype": "zscalernss-dns",
    "event": {
        "datetime": "Mon Jun 20 15:29:12 2022",
        "user": "bob@example.jp",
        "location": "Osaka",
        "reqaction": "REQ_ALLOW",
        "resaction": "RES_ALLOW",
        "dns_req": "www.example.co.jp",
        "dns_reqtype": "A",
        "dns_resp": "198.51.100.7",
        "srv_dport": "53",
        "durationms": "12",
        "clt_sip": "10.2.3.5",
        "srv_dip": "198.51.100.53",
        "category": "News",
    },
}


def test_zscaler_web_and_dns(tmp_path: Path) -> None:
    log = tmp_path / "nss.json"
    other = {
        "sourcetype": "zscalernss-fw",
        "event": {"datetime": "Mon Jun 20 15:29:13 2022", "csip": "10.2.3.6"},
    }
    log.write_text("\n".join(json.dumps(x) for x in (WEB, DNS, other)) + "\n", encoding="utf-8")
    assert detect(open_source(log)).name == "zscaler-nss"
    db = tmp_path / "db.duckdb"
    with Store(db) as store:
        store.set_setting("retention_days", str(365 * 100))
        store.set_setting("detail_days", str(365 * 100))
    account = api.scan([str(log)], db=db)["files"][0]  # type: ignore[index]
    with Store(db, read_only=True) as store:
        rows = store.con.execute(
            "SELECT client, name, first_seen, bytes_out, bytes_in FROM observations"
        ).fetchall()
    assert {(r[0], r[1]): r[2:] for r in rows} == {
        ("10.2.3.4", "ime.example.cn"): (dt.datetime(2022, 6, 20, 15, 29, 11), 300, 1000),
        ("10.2.3.5", "www.example.co.jp"): (dt.datetime(2022, 6, 20, 15, 29, 12), None, None),
    }
    assert account["skipped_reasons"] == {"other record type": 1} and account["malformed"] == 0
