"""The dashboard lists the alerts `sekisho watch` raised, and acknowledges them (CSRF-protected)."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

from sekisho.store import Store
from sekisho.store import watch as wstore
from tests.web.conftest import Client


def raise_alert(db: Path, title: str, key: str) -> int:
    with Store(db) as store, store.transaction():
        now = dt.datetime(2026, 11, 20, 9, 0)
        (alert_id,) = wstore.insert_alerts(
            store,
            [
                {
                    "rule": "first-use",
                    "kind": "service",
                    "severity": "high",
                    "dedup_key": key,
                    "service_id": "baidu-ime",
                    "client": "10.20.0.11",
                    "subject": "baidu-ime",
                    "title": title,
                    "details": {"level": 2},
                    "event_first": now,
                    "event_last": now,
                }
            ],
            ["stdout"],
        )
    return alert_id


def test_alerts_are_listed_and_acknowledged(client: Client, db: Path) -> None:
    first = raise_alert(db, "First use of Baidu IME", "k1")
    raise_alert(db, "First use of Baidu IME on another machine", "k2")
    page = client.get("/alerts")
    assert page.status_code == 200
    assert "First use of Baidu IME" in page.text and 'href="/services/baidu-ime"' in page.text
    token = client.csrf("/alerts")
    assert client.post("/alerts/ack", data={"alert_id": str(first)}).status_code == 403  # no CSRF token
    r = client.post("/alerts/ack", data={"csrf_token": token, "alert_id": str(first), "note": "uninstalled"})
    assert r.status_code == 303
    open_page = client.get("/alerts").text
    assert "First use of Baidu IME on another machine" in open_page
    assert not re.search(rf"<td data-label=\"ID\">{first}</td>", open_page)
    with Store(db, read_only=True) as store:
        acked = {a["id"]: a for a in wstore.list_alerts(store, include_acked=True)}
    assert acked[first]["acked_by"] == "web" and acked[first]["ack_note"] == "uninstalled"
    assert "uninstalled" not in open_page
    assert re.search(rf"<td data-label=\"ID\">{first}</td>", client.get("/alerts?all=1").text)


def test_alerts_page_in_japanese(client: Client, db: Path) -> None:
    raise_alert(db, "First use of Baidu IME", "k3")
    page = client.get("/alerts", headers={"accept-language": "ja"})
    assert page.status_code == 200 and "アラート" in page.text and "確認済みにする" in page.text
