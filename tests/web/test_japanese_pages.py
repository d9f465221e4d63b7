"""Japanese first-class on the dashboard (issue 13 item 3): every page rendered in ``ja`` holds no
English word outside the allow-list of tests/report/test_japanese.py (product and organisation
names, domains, abbreviations, commands; code and English catalog text marked ``lang="en"`` are
skipped)."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.report.test_japanese import ALLOWED, _names, english_words
from tests.web.conftest import Client

PAGES = [
    "/",
    "/services",
    "/services/deepseek",
    "/services/zoom",
    "/services/paypay",
    "/services/baidu-ime",
    "/clients",
    "/clients/10.20.0.114",
    "/unknown",
    "/exports",
    "/scans",
    "/alerts",
    "/report?format=html",
]


@pytest.fixture(scope="module")
def allowed() -> set[str]:
    """Plus the names a user types: log formats and export targets (`--format`)."""
    from sekisho.export import TARGETS
    from sekisho.ingest import FORMATS

    return ALLOWED | _names() | set(FORMATS) | set(TARGETS)


@pytest.mark.parametrize("url", PAGES)
def test_japanese_page_has_no_stray_english(client: Client, allowed: set[str], url: str) -> None:
    sep = "&" if "?" in url else "?"
    r = client.get(f"{url}{sep}lang=ja")
    assert r.status_code == 200, (url, r.status_code)
    assert 'lang="ja"' in r.text[:500], url
    bad = english_words(r.text, allowed)
    assert not bad, f"{url}: {len(bad)} English words:\n" + "\n".join(bad[:30])


def test_alerts_of_every_kind_read_in_japanese(client: Client, db: Path, allowed: set[str]) -> None:
    """Alerts as the watch rules store them (kind + details): titled from the message catalogs."""
    import datetime as dt
    from zoneinfo import ZoneInfo

    from sekisho.store import Store
    from sekisho.store import watch as wstore

    svc = {"id": "baidu-ime", "name": "Baidu IME", "safety_level": 1}
    kinds = {
        "first_use": {"service": svc, "clients": ["10.20.0.11", "10.20.0.12"], "queries": 9},
        "new_client": {"service": svc, "queries": 3},
        "blocked_use": {"service": svc, "policy": "level0", "blocked_entry": "baidu.jp"},
        "unknown_destination": {"domain": "example-unknown.cn", "queries": 120},
        "spike": {"service": svc, "day": "2026-11-20", "queries": 900, "baseline_mean": 12.5},
        "catalog_change": {
            "service": svc,
            "catalog_before": "2026.11",
            "catalog_after": "2026.12",
            "changes": [{}],
        },
    }
    now = dt.datetime(2026, 11, 20, 9, 0)
    with Store(db) as store, store.transaction():
        wstore.insert_alerts(
            store,
            [
                {
                    "rule": f"r-{kind}",
                    "kind": kind,
                    "severity": sev,
                    "dedup_key": kind,
                    "service_id": "baidu-ime",
                    "client": "10.20.0.11",
                    "subject": kind,
                    "title": f"English title of {kind}",
                    "details": details,
                    "event_first": now,
                    "event_last": now,
                }
                for (kind, details), sev in zip(
                    kinds.items(), ["high", "medium", "critical", "low", "info", "high"], strict=True
                )
            ],
            ["stdout"],
        )
    page = client.get("/alerts?lang=ja").text
    assert "English title" not in page
    for label in ("重大", "高", "中", "低", "情報"):
        assert f">{label}</span>" in page
    assert "急増: Baidu IME が 2026-11-20 にクエリ 900 件" in page
    with Store(db, read_only=True) as store:
        raised = wstore.list_alerts(store)[0]["created_at"]  # stored in UTC
    local = raised.replace(tzinfo=dt.UTC).astimezone(ZoneInfo("Asia/Tokyo"))
    assert f">{local:%Y-%m-%d %H:%M} JST</td>" in page  # shown in the organisation's zone
    bad = english_words(page, allowed)
    assert not bad, "\n".join(bad[:20])
    en = client.get("/alerts?lang=en").text
    assert "Spike: Baidu IME 900 queries on 2026-11-20" in en
