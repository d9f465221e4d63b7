"""The findings table: a finding seen again keeps its first time and row, moves its last time and
counts how often it was seen; loading gives the worst first and filters by stage and severity."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from sekisho.model.findings import Evidence, Finding
from sekisho.store import Store
from sekisho.store.findings import load_findings, save_findings


def finding(subject: str, severity: str, day: int, stage: str = "exposure") -> Finding:
    at = dt.datetime(2026, 11, day, 9, 0)
    return Finding(
        stage=stage,
        kind="redis_open",
        subject=subject,
        severity=severity,  # type: ignore[arg-type]
        title=f"Redis at {subject} answers without authentication",
        evidence=[Evidence(request=f"INFO to {subject}", response="redis_version:7.0.15")],
        first_seen=at,
        last_seen=at,
    )


def test_seen_again_updates_the_same_row(tmp_path: Path) -> None:
    with Store(tmp_path / "db.duckdb") as store:
        assert save_findings(store, [finding("127.0.0.1:6379", "high", 20)]) == (1, 0)
        assert save_findings(
            store, [finding("127.0.0.1:6379", "critical", 25), finding("h:1", "low", 22)]
        ) == (1, 1)
        rows = store.con.execute(
            "SELECT key, times_seen, first_seen, last_seen FROM findings ORDER BY key"
        ).fetchall()
    assert rows[0][0] == "exposure:redis_open:127.0.0.1:6379"
    assert rows[0][1:] == (2, dt.datetime(2026, 11, 20, 9, 0), dt.datetime(2026, 11, 25, 9, 0))
    assert rows[1][1] == 1


def test_load_is_worst_first_and_filters(tmp_path: Path) -> None:
    with Store(tmp_path / "db.duckdb") as store:
        save_findings(
            store,
            [
                finding("a:1", "low", 20),
                finding("b:1", "critical", 21),
                finding("c:1", "medium", 22, "audit"),
            ],
        )
        assert [f.subject for f in load_findings(store)] == ["b:1", "c:1", "a:1"]
        assert [f.subject for f in load_findings(store, stage="exposure")] == ["b:1", "a:1"]
        assert [f.subject for f in load_findings(store, min_severity="medium")] == ["b:1", "c:1"]
        assert load_findings(store)[0].evidence[0].response == "redis_version:7.0.15"
