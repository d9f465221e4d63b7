"""How much of a scanned network the catalog explains: queries and clients landing on researched,
known, internal and unknown destinations (``sekisho catalog coverage --db DB``)."""

from __future__ import annotations

from typing import Any

from sekisho.match.internal import PREFIX
from sekisho.sql import literal

# A name's class is the match's own (sekisho.match.internal, stored in names.service_id with the
# "internal:" prefix): special-use, single-label, wpad, NetBIOS, the store's own domains
# (`sekisho db set own-domains`), and names under a top-level domain the PSL does not know.
# Addresses are public destinations (a conn log or SNI may name a host by address).
_CLASS_SQL = f"""
    CASE
      WHEN starts_with(u.service_id, {literal(PREFIX)}) THEN 'internal'
      WHEN u.service_id IS NOT NULL AND NOT contains(u.service_id, ':') THEN 'researched'
      WHEN u.service_id IS NOT NULL THEN 'known'
      ELSE 'unknown'
    END"""


def coverage(con: Any) -> dict[str, Any]:
    """Shares of queries and clients per destination class over everything the store keeps (both
    grains, ``usage_all``), as the names were classified when matched (a scan re-matches names
    classified under older rules or other own domains); ``public`` is everything not internal."""
    rows = con.execute(
        f"""
        WITH c AS (
            SELECT u.client, u.queries, {_CLASS_SQL} AS cls
            FROM (SELECT client, queries, service_id FROM usage_all) u)
        SELECT cls, sum(queries)::BIGINT, count(DISTINCT client) FROM c GROUP BY cls"""
    ).fetchall()
    clients_total = con.execute("SELECT count(DISTINCT client) FROM usage_all").fetchone()[0]
    per = {cls: {"queries": 0, "clients": 0} for cls in ("researched", "known", "internal", "unknown")}
    for cls, q, cl in rows:
        per[cls] = {"queries": int(q), "clients": int(cl)}
    total = sum(v["queries"] for v in per.values())
    public = total - per["internal"]["queries"]
    attributed = per["researched"]["queries"] + per["known"]["queries"]
    return {
        "queries": total,
        "clients": int(clients_total),
        "classes": {
            cls: v
            | {
                "query_share": round(v["queries"] / total, 4) if total else 0.0,
                "client_share": round(v["clients"] / clients_total, 4) if clients_total else 0.0,
            }
            for cls, v in per.items()
        },
        "public_queries": public,
        "public_attributed_share": round(attributed / public, 4) if public else None,
    }
