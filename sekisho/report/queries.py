"""Read-only questions the report and the dashboard ask of the store.

They use ``store.con`` and the tables of :mod:`sekisho.store.migrations` (observations, names, scans,
scan_files) and never write. Kept here, beside their only callers, so the store package stays
the one place that changes the schema.
"""

from __future__ import annotations

import json
from typing import Any

from sekisho.store import Store


def _dicts(store: Store, sql: str, params: list[Any] | dict[str, Any] | None = None) -> list[dict[str, Any]]:
    cur = store.con.execute(sql, params or [])
    cols = [d[0] for d in cur.description]
    return [dict(zip(cols, row, strict=True)) for row in cur.fetchall()]


def clients_reaching(store: Store, service_ids: list[str]) -> int:
    """How many distinct clients reached any of ``service_ids``."""
    if not service_ids:
        return 0
    row = store.con.execute(
        "SELECT count(DISTINCT o.client) FROM observations o JOIN names n USING (name) "
        "WHERE list_contains(?, n.service_id)",
        [service_ids],
    ).fetchone()
    return int(row[0]) if row else 0


def daily_totals(store: Store) -> list[dict[str, Any]]:
    """Per day: all queries, queries to catalog services, distinct clients."""
    return _dicts(
        store,
        """
        SELECT o.day, sum(o.queries) AS queries,
               coalesce(sum(o.queries) FILTER (WHERE n.service_id IS NOT NULL), 0) AS service_queries,
               count(DISTINCT o.client) AS clients
        FROM observations o LEFT JOIN names n USING (name)
        GROUP BY o.day ORDER BY o.day""",
    )


def clients(store: Store, search: str = "", limit: int = 200) -> list[dict[str, Any]]:
    """Clients seen, busiest first, with how many catalog services each reached."""
    return _dicts(
        store,
        f"""
        SELECT o.client, sum(o.queries) AS queries, count(DISTINCT n.service_id) AS services,
               list(DISTINCT n.service_id) FILTER (WHERE n.service_id IS NOT NULL) AS service_ids,
               count(DISTINCT o.name) AS names, min(o.first_seen) AS first_seen, max(o.last_seen) AS last_seen
        FROM observations o LEFT JOIN names n USING (name)
        WHERE $q = '' OR contains(lower(o.client), lower($q))
        GROUP BY o.client ORDER BY services DESC, queries DESC, o.client LIMIT {int(limit)}""",
        {"q": search},
    )


def client_services(store: Store, client: str) -> list[dict[str, Any]]:
    """The catalog services one client reached, with the names it asked for."""
    return _dicts(
        store,
        """
        SELECT n.service_id AS id, sum(o.queries) AS queries, min(o.first_seen) AS first_seen,
               max(o.last_seen) AS last_seen, count(DISTINCT o.day) AS days,
               list(DISTINCT o.name ORDER BY o.name) AS names
        FROM observations o JOIN names n USING (name)
        WHERE o.client = ? AND n.service_id IS NOT NULL
        GROUP BY n.service_id ORDER BY queries DESC""",
        [client],
    )


def client_unknown(store: Store, client: str, limit: int = 50) -> list[dict[str, Any]]:
    return _dicts(
        store,
        f"""
        SELECT coalesce(n.registrable, o.name) AS domain, sum(o.queries) AS queries,
               count(DISTINCT o.name) AS names, max(o.last_seen) AS last_seen
        FROM observations o JOIN names n USING (name)
        WHERE o.client = ? AND n.service_id IS NULL
        GROUP BY ALL ORDER BY queries DESC, domain LIMIT {int(limit)}""",
        [client],
    )


def client_daily(store: Store, client: str) -> list[dict[str, Any]]:
    return _dicts(
        store,
        """
        SELECT day, sum(queries) AS queries, 1 AS clients FROM observations
        WHERE client = ? GROUP BY day ORDER BY day""",
        [client],
    )


def unknown(store: Store, search: str = "", limit: int = 200) -> list[dict[str, Any]]:
    """Registrable domains no catalog service claims, most widespread first."""
    return _dicts(
        store,
        f"""
        SELECT coalesce(n.registrable, o.name) AS domain, count(DISTINCT o.client) AS clients,
               sum(o.queries) AS queries, count(DISTINCT o.name) AS names,
               min(o.first_seen) AS first_seen, max(o.last_seen) AS last_seen
        FROM observations o JOIN names n USING (name)
        WHERE n.service_id IS NULL AND ($q = '' OR contains(coalesce(n.registrable, o.name), lower($q)))
        GROUP BY ALL ORDER BY clients DESC, queries DESC, domain LIMIT {int(limit)}""",
        {"q": search},
    )


def scans(store: Store, limit: int = 50) -> list[dict[str, Any]]:
    """The scans, newest first."""
    return _dicts(
        store,
        f"""SELECT id, started_at, finished_at, catalog_version, files, lines, parsed, malformed
            FROM scans ORDER BY id DESC LIMIT {int(limit)}""",
    )


def scan_files(store: Store, scan_ids: list[int]) -> list[dict[str, Any]]:
    """The per-file parse accounting of the given scans, in the order they were read."""
    if not scan_ids:
        return []
    rows = _dicts(
        store,
        "SELECT * FROM scan_files WHERE list_contains(?, scan_id) ORDER BY scan_id DESC, rowid",
        [scan_ids],
    )
    for r in rows:
        r["malformed_samples"] = json.loads(r["malformed_samples"] or "[]")
    return rows


def service_daily(store: Store, service_id: str) -> list[dict[str, Any]]:
    return _dicts(
        store,
        """
        SELECT o.day, sum(o.queries) AS queries, count(DISTINCT o.client) AS clients
        FROM observations o JOIN names n USING (name) WHERE n.service_id = ?
        GROUP BY o.day ORDER BY o.day""",
        [service_id],
    )


def internal(store: Store, limit: int = 200) -> list[dict[str, Any]]:
    """Special-use and internal names (reverse look-ups, ``.local``, single labels, WPAD, NetBIOS;
    :mod:`sekisho.match.internal`): not internet destinations, so never among the unknown ones."""
    return _dicts(
        store,
        f"""
        SELECT coalesce(registrable, name) AS domain, service_id AS kind,
               count(DISTINCT client) AS clients, sum(queries) AS queries,
               count(DISTINCT coalesce(name, registrable)) AS names
        FROM usage_all WHERE starts_with(service_id, 'internal:')
        GROUP BY ALL ORDER BY clients DESC, queries DESC, domain LIMIT {int(limit)}""",
    )


def internal_totals(store: Store) -> dict[str, Any]:
    rows = _dicts(
        store,
        """SELECT count(DISTINCT coalesce(registrable, name)) AS domains, coalesce(sum(queries), 0) AS queries
           FROM usage_all WHERE starts_with(service_id, 'internal:')""",
    )
    return rows[0]


def all_clients(store: Store) -> list[str]:
    """Every client the observations hold (both grains): the machines the logs cover."""
    return [str(r[0]) for r in store.con.execute("SELECT DISTINCT client FROM usage_all").fetchall()]
