"""How much of a scanned network the catalog explains: queries and clients landing on researched,
known, internal and unknown destinations (``sekisho catalog coverage --db DB``)."""

from __future__ import annotations

from typing import Any

# TODO(issue 11 / ingest issue): switch to the "internal" classification of names in sekisho/match
# once it lands (the function that says a name is internal or special-use); until then this rule:
# a bare label, an address, a reverse-lookup name, or a special-use / internal suffix (RFC 6761,
# RFC 6762 .local, RFC 8375 home.arpa, and the common .lan/.internal/.localdomain/.corp/.home).
INTERNAL_SUFFIXES = (
    "local", "lan", "internal", "intranet", "localdomain", "home", "corp", "home.arpa",
    "in-addr.arpa", "ip6.arpa", "localhost", "test", "invalid", "example",
)  # fmt: skip

_CLASS_SQL = """
    CASE
      WHEN u.service_id IS NOT NULL AND NOT contains(u.service_id, ':') THEN 'researched'
      WHEN u.service_id IS NOT NULL THEN 'known'
      WHEN NOT contains(u.nm, '.')
           OR regexp_full_match(u.nm, '[0-9.]+|\\[?[0-9a-f:.]+\\]?')
           OR list_contains($suffixes, u.nm)
           OR len(list_filter($suffixes, lambda s: ends_with(u.nm, '.' || s))) > 0 THEN 'internal'
      ELSE 'unknown'
    END"""


def coverage(con: Any) -> dict[str, Any]:
    """Shares of queries and clients per destination class over everything the store keeps (both
    grains, ``usage_all``); ``public`` is everything not internal."""
    rows = con.execute(
        f"""
        WITH c AS (
            SELECT u.client, u.queries, {_CLASS_SQL} AS cls
            FROM (SELECT client, queries, service_id, coalesce(name, registrable) AS nm FROM usage_all) u)
        SELECT cls, sum(queries)::BIGINT, count(DISTINCT client) FROM c GROUP BY cls""",
        {"suffixes": list(INTERNAL_SUFFIXES)},
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
