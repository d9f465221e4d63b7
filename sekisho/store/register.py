"""The register's tables (migration 007): its versions with their parties, and the sightings of
catalogued services in the observations that the register is checked against."""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from sekisho.store import Store


def save_register_version(
    store: Store, path: str, sha256: str, parties: list[tuple[str, int, dict[str, Any]]]
) -> tuple[int, bool]:
    """Record a register's content (party id, line, party as JSON data); returns (version id, new).

    The same content of the same path again is the same version: history grows only on change.
    """
    row = store.con.execute(
        "SELECT id, sha256 FROM register_versions WHERE path = ? ORDER BY id DESC LIMIT 1", [path]
    ).fetchall()
    if row and row[0][1] == sha256:
        return int(row[0][0]), False
    with store.transaction():
        vid = int(store.con.execute("SELECT nextval('register_version_ids')").fetchall()[0][0])
        store.con.execute(
            "INSERT INTO register_versions VALUES (?, ?, ?, now(), ?)", [vid, path, sha256, len(parties)]
        )
        if parties:
            store.con.executemany(
                "INSERT INTO register_parties VALUES (?, ?, ?, ?)",
                [[vid, pid, line, json.dumps(data, default=str)] for pid, line, data in parties],
            )
    return vid, True


def register_versions(store: Store, path: str | None = None) -> list[dict[str, Any]]:
    """Versions of registers (newest first), each with the party ids added and removed since the
    version before it of the same path."""
    rows = store.con.execute(
        "SELECT v.id, v.path, v.sha256, v.loaded_at, v.parties, "
        "list(p.party_id ORDER BY p.party_id) FILTER (WHERE p.party_id IS NOT NULL) "
        "FROM register_versions v LEFT JOIN register_parties p ON p.version_id = v.id "
        "WHERE (? IS NULL OR v.path = ?) GROUP BY ALL ORDER BY v.id",
        [path, path],
    ).fetchall()
    out: list[dict[str, Any]] = []
    before: dict[str, set[str]] = {}
    for vid, p, sha, at, n, ids in rows:
        now = set(ids or [])
        prev = before.get(p, set())
        out.append(
            {
                "version": vid,
                "path": p,
                "sha256": sha,
                "loaded_at": at,
                "parties": n,
                "added": sorted(now - prev),
                "removed": sorted(prev - now),
            }
        )
        before[p] = now
    return list(reversed(out))


def register_party(store: Store, version_id: int, party_id: str) -> dict[str, Any] | None:
    row = store.con.execute(
        "SELECT party FROM register_parties WHERE version_id = ? AND party_id = ?", [version_id, party_id]
    ).fetchall()
    return json.loads(row[0][0]) if row else None


def latest_register(store: Store) -> dict[str, Any] | None:
    """The newest register version: its row and its parties (id, line, party data), file order."""
    row = store.con.execute(
        "SELECT id, path, sha256, loaded_at, parties FROM register_versions ORDER BY id DESC LIMIT 1"
    ).fetchall()
    if not row:
        return None
    vid, path, sha, at, n = row[0]
    parties = store.con.execute(
        "SELECT party_id, line, party FROM register_parties WHERE version_id = ? ORDER BY line NULLS LAST, party_id",
        [vid],
    ).fetchall()
    return {
        "version": vid,
        "path": path,
        "sha256": sha,
        "loaded_at": at,
        "parties": n,
        "rows": [(pid, line, json.loads(data)) for pid, line, data in parties],
    }


@dataclass(frozen=True)
class Sighting:
    """A service in the observations: who reached it, and when."""

    service_id: str
    clients: list[str]
    client_count: int
    first_seen: dt.datetime | None
    last_seen: dt.datetime | None
    queries: int


def service_sightings(store: Store, max_clients: int = 20) -> dict[str, Sighting]:
    """Every service id in the observations (both grains), with up to ``max_clients`` clients."""
    rows = store.con.execute(
        "SELECT service_id, list(DISTINCT client ORDER BY client), count(DISTINCT client), "
        "min(coalesce(first_seen, period::TIMESTAMP)), max(coalesce(last_seen, period::TIMESTAMP)), "
        "sum(queries) FROM usage_all WHERE service_id IS NOT NULL GROUP BY service_id"
    ).fetchall()
    return {
        sid: Sighting(sid, list(clients)[:max_clients], int(n), first, last, int(q or 0))
        for sid, clients, n, first, last, q in rows
    }


def observation_span(store: Store) -> tuple[dt.date | None, dt.date | None]:
    """The first and last day the observations cover."""
    row = store.con.execute("SELECT min(period), max(period) FROM usage_all").fetchall()[0]
    return row[0], row[1]


__all__ = [
    "Sighting",
    "latest_register",
    "observation_span",
    "register_party",
    "register_versions",
    "save_register_version",
    "service_sightings",
]
