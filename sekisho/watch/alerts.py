"""Alerts: what a rule found, deduplicated against the store, queued for every sink.

An alert is about a *subject* (a service id or a domain), optionally one client. Its dedup key is
``rule|subject|client``: within the rule's window a second hit of the same key raises nothing new,
it is counted in the alert already raised (``occurrences``, ``last_seen``).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sekisho.store import Store
from sekisho.store import watch as wstore

SEVERITIES = ("info", "low", "medium", "high", "critical")


@dataclass
class Candidate:
    """An alert a rule wants to raise."""

    rule: str
    kind: str
    severity: str
    subject: str
    title: str
    service_id: str | None = None
    client: str | None = None
    details: dict[str, Any] = field(default_factory=dict)
    event_first: dt.datetime | None = None
    event_last: dt.datetime | None = None

    @property
    def dedup_key(self) -> str:
        return f"{self.rule}|{self.subject}|{self.client or '*'}"

    def row(self) -> dict[str, Any]:
        return {
            "rule": self.rule,
            "kind": self.kind,
            "severity": self.severity,
            "dedup_key": self.dedup_key,
            "service_id": self.service_id,
            "client": self.client,
            "subject": self.subject,
            "title": self.title,
            "details": self.details,
            "event_first": self.event_first,
            "event_last": self.event_last,
        }


def raise_alerts(
    store: Store,
    candidates: list[Candidate],
    windows: dict[str, float],
    sinks: list[str],
    now: dt.datetime | None = None,
) -> list[int]:
    """Store the candidates that are new within their rule's window (``windows``: seconds per rule
    id, 0 = never deduplicate) and queue them for ``sinks``; fold the others into the alert they
    repeat. Returns the ids of the new alerts. Runs in the caller's transaction."""
    if not candidates:
        return []
    now = now or wstore.utcnow()
    first: dict[str, Candidate] = {}
    hits: dict[str, int] = {}
    for c in candidates:
        key = c.dedup_key
        if key in first:
            hits[key] = hits.get(key, 0) + 1
            _widen(first[key], c)
        else:
            first[key] = c
    by_window: dict[float, list[str]] = {}
    for key, c in first.items():
        by_window.setdefault(windows.get(c.rule, 86400.0), []).append(key)
    existing: dict[str, int] = {}
    for window, keys in by_window.items():
        if window > 0:
            existing.update(wstore.recent_alerts(store, keys, now - dt.timedelta(seconds=window)))
    folds = [(existing[k], now, 1 + hits.get(k, 0)) for k in first if k in existing]
    wstore.fold_occurrences(store, folds)
    new = [c for k, c in first.items() if k not in existing]
    ids = wstore.insert_alerts(store, [c.row() for c in new], sinks)
    if hits:
        wstore.fold_occurrences(
            store, [(i, now, hits[c.dedup_key]) for i, c in zip(ids, new, strict=True) if c.dedup_key in hits]
        )
    return ids


def _widen(into: Candidate, other: Candidate) -> None:
    if other.event_first and (into.event_first is None or other.event_first < into.event_first):
        into.event_first = other.event_first
    if other.event_last and (into.event_last is None or other.event_last > into.event_last):
        into.event_last = other.event_last


def alert_payload(alert: dict[str, Any]) -> dict[str, Any]:
    """An alert as the sinks send it (JSON-ready)."""

    def iso(v: Any) -> Any:
        return v.isoformat(timespec="seconds") + "Z" if isinstance(v, dt.datetime) else v

    return {
        "id": alert["id"],
        "time": iso(alert["created_at"]),
        "rule": alert["rule"],
        "kind": alert["kind"],
        "severity": alert["severity"],
        "title": alert["title"],
        "service": alert.get("service_id"),
        "client": alert.get("client"),
        "subject": alert["subject"],
        "first_seen": alert["event_first"].isoformat(sep=" ") if alert.get("event_first") else None,
        "last_seen": alert["event_last"].isoformat(sep=" ") if alert.get("event_last") else None,
        "occurrences": alert.get("occurrences", 1),
        "details": alert.get("details") or {},
        "source": "sekisho",
    }


# --- the library calls behind `sekisho alerts` --------------------------------------------------
def list_alerts(
    db: Path | None = None, include_acked: bool = False, limit: int | None = None
) -> list[dict[str, Any]]:
    """Alerts in the store ``db``, newest first (open ones only unless ``include_acked``)."""
    with wstore.open_store(db, read_only=True) as store:
        return wstore.list_alerts(store, include_acked, limit)


def ack_alerts(
    ids: list[int] | None, db: Path | None = None, by: str | None = None, note: str | None = None
) -> tuple[int, list[int]]:
    """Acknowledge alerts (``None``: all open ones). Returns (how many changed, ids not found)."""
    from sekisho.errors import NotFoundError

    with wstore.open_store(db) as store, store.transaction():
        missing = sorted(set(ids) - set(wstore.alert_exists(store, ids))) if ids is not None else []
        if ids is not None and missing and len(missing) == len(set(ids)):
            raise NotFoundError(
                f"no alert with id {', '.join(map(str, missing))} (see `sekisho alerts --all`)"
            )
        return wstore.ack_alerts(store, ids, by, note), missing
