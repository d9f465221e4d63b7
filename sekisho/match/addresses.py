"""Addresses attributed to the operators that publish their ranges (issue 17).

A flow record names its destination by address only (FortiGate ``dstip``, nfdump ``da``, Palo
Alto TRAFFIC, CEF ``dst``). After the bulk match (:mod:`sekisho.match.bulk`), an address that is
neither internal nor claimed is looked up in the operators' published ranges
(:mod:`sekisho.catalog.ipranges`); a hit gets the operator's known id (``iprange:google-llc``) and
the range it fell in as ``matched_on``. It names the operator only: a shared cloud or CDN address
cannot tell which service or customer answered (message ``report.iprange_caveat``).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from sekisho.catalog.ipranges import PREFIX, IpRanges

__all__ = ["PREFIX", "attribute_addresses", "is_iprange", "operators_by_address"]

# what the bulk match treats as an address (v6 has a colon); the lookup itself parses strictly
_ADDRESS = "regexp_full_match(name, '[0-9.]+|\\[?[0-9a-f.]*:[0-9a-f:.]*\\]?')"


def is_iprange(service_id: str | None) -> bool:
    return bool(service_id) and str(service_id).startswith(PREFIX)


def attribute_addresses(con: Any, table: str, ranges: Callable[[], IpRanges]) -> int:
    """Give each unclaimed address of ``table(name, registrable, service_id, matched_on)`` the
    operator whose published range holds it; returns how many were attributed. ``ranges`` loads
    the ranges (5,550 networks, 0.1 s): it is called only when the table holds an unclaimed address,
    so a batch of DNS names never pays for it."""
    names = con.execute(f"SELECT name FROM {table} WHERE service_id IS NULL AND {_ADDRESS}").fetchall()
    if not names:
        return 0
    loaded = ranges()
    if not loaded.count:
        return 0
    hits = [(n, *h) for (n,) in names if (h := loaded.lookup(n)) is not None]
    if not hits:
        return 0
    import pyarrow as pa

    arrow = pa.table(
        {"name": [h[0] for h in hits], "sid": [h[1] for h in hits], "cidr": [h[2] for h in hits]},
        schema=pa.schema([("name", pa.string()), ("sid", pa.string()), ("cidr", pa.string())]),
    )
    con.execute("SELECT 1").fetchall()
    con.register("iprange_hits_arrow", arrow)
    try:
        con.execute(
            f"UPDATE {table} SET service_id = h.sid, matched_on = h.cidr "
            f"FROM iprange_hits_arrow h WHERE {table}.name = h.name"
        )
    finally:
        con.execute("SELECT 1").fetchall()
        con.unregister("iprange_hits_arrow")
    return len(hits)


def operators_by_address(
    store: Any, catalog: Any, fmt: Any = None, usage: list[dict[str, Any]] | None = None
) -> list[dict[str, Any]]:
    """Flow destinations known only by address, per operator whose published ranges hold them
    (``iprange:<operator>``): the operator, never a service — each row carries the caveat (en,
    ja) that a shared cloud or CDN address cannot tell which service answered. ``fmt`` formats
    the first/last seen times (default ISO 8601); ``usage``: the rows of ``store.service_usage()``,
    when the caller has them already."""
    from sekisho.i18n import text

    caveat = {lang: text("report.iprange_caveat", lang) for lang in ("en", "ja")}
    out = []
    for row in store.service_usage() if usage is None else usage:
        sid = str(row["id"])
        if not sid.startswith(PREFIX):
            continue
        op_id = sid.removeprefix(PREFIX)
        op = catalog.operators.get(op_id)
        first, last = row["first_seen"], row["last_seen"]
        out.append(
            {
                "id": sid,
                "operator_id": op_id,
                "operator": op.name if op is not None else op_id,
                "clients": int(row["clients"]),
                "queries": int(row["queries"]),
                "addresses": int(row["names"]),
                "first_seen": fmt(first) if fmt else (first.isoformat() if first else None),
                "last_seen": fmt(last) if fmt else (last.isoformat() if last else None),
                "identifies": "operator",
                "caveat": caveat,
            }
        )
    return out
