"""Views of the store and catalog beyond the report: the service list with filters, one service's
use, one machine's destinations. Plain data, in the chosen language; the dashboard lays them out."""

from __future__ import annotations

from typing import Any

from sekisho.assess import Assessor, jurisdictions
from sekisho.i18n import Lang, text
from sekisho.report import queries
from sekisho.report.model import fmt_time
from sekisho.report.pseudonym import Pseudonymizer
from sekisho.report.response import blocking_presets, commands
from sekisho.store import Store

__all__ = ["client_view", "service_list", "service_use"]


def service_list(
    store: Store,
    assessor: Assessor,
    lang: Lang = "en",
    level: int | None = None,
    category: str | None = None,
    country: str | None = None,
    found_only: bool = False,
) -> dict[str, Any]:
    """Every catalog service with its level and how many machines reached it, filtered by safety
    level, category and country (of any operator in the ownership chain or any jurisdiction)."""
    cat = assessor.catalog
    usage = {r["id"]: r for r in store.service_usage()}
    rows: list[dict[str, Any]] = []
    for sid, rating in assessor.rate_all().items():
        svc = cat.services[sid]
        chain = cat.operator_chain(svc.operator.value)
        countries = sorted(
            {op.country.value for op in chain} | {link.country for link in jurisdictions(cat, svc)}
        )
        u = usage.get(sid)
        rows.append(
            {
                "id": sid,
                "name": svc.name_ja if lang == "ja" and svc.name_ja else svc.name,
                "category": svc.category,
                "operator": chain[0].name if chain else svc.operator.value,
                "country": chain[0].country.value if chain else "",
                "countries": countries,
                "safety_level": rating.safety_level,
                "level_label": text(f"level.{rating.safety_level}", lang),
                "provisional": rating.provisional,
                "scores": {k: v.value for k, v in rating.scores.items()},
                "clients": int(u["clients"]) if u else 0,
                "queries": int(u["queries"]) if u else 0,
                "last_seen": fmt_time(u["last_seen"]) if u else None,
            }
        )
    facets = {
        "categories": sorted({r["category"] for r in rows}),
        "countries": sorted({c for r in rows for c in r["countries"]}),
    }
    if level is not None:
        rows = [r for r in rows if r["safety_level"] == level]
    if category:
        rows = [r for r in rows if r["category"] == category]
    if country:
        rows = [r for r in rows if country.upper() in r["countries"]]
    if found_only:
        rows = [r for r in rows if r["clients"]]
    rows.sort(key=lambda r: (-min(r["clients"], 1), r["safety_level"], -r["clients"], r["id"]))
    return {"services": rows, **facets}


def service_use(store: Store, assessor: Assessor, service_id: str, scope_limit: int = 500) -> dict[str, Any]:
    """Who reached one service and when, and the policies and commands that block it."""
    scope = store.scope(service_id)
    blocked_by = blocking_presets(assessor, [service_id])[service_id]
    return {
        "clients": len(scope),
        "queries": sum(int(c["queries"]) for c in scope),
        "first_seen": fmt_time(min((c["first_seen"] for c in scope if c["first_seen"]), default=None)),
        "last_seen": fmt_time(max((c["last_seen"] for c in scope if c["last_seen"]), default=None)),
        "scope": [
            {
                "client": c["client"],
                "first_seen": fmt_time(c["first_seen"]),
                "last_seen": fmt_time(c["last_seen"]),
                "queries": int(c["queries"]),
                "days": int(c["days"]),
                "names": list(c["names"]),
            }
            for c in scope[:scope_limit]
        ],
        "scope_more": max(0, len(scope) - scope_limit),
        "daily": [
            {"day": r["day"].isoformat(), "queries": int(r["queries"]), "clients": int(r["clients"])}
            for r in queries.service_daily(store, service_id)
        ],
        "blocked_by": blocked_by,
        "commands": commands(blocked_by[0]) if blocked_by else [],
    }


def client_view(
    store: Store,
    assessor: Assessor,
    client: str,
    lang: Lang = "en",
    pseudonymize: Pseudonymizer | None = None,
) -> dict[str, Any]:
    """What one machine reached: catalog services (most dangerous first), unknown destinations, days."""
    cat = assessor.catalog
    services = []
    for r in queries.client_services(store, client):
        sid = r["id"]
        if sid not in cat.services:
            continue
        svc = cat.services[sid]
        rating = assessor.rate(sid)
        level = rating.safety_level
        services.append(
            {
                "id": sid,
                "name": svc.name_ja if lang == "ja" and svc.name_ja else svc.name,
                "safety_level": level,
                "provisional": rating.provisional,
                "level_label": text(f"level.{level}", lang),
                "queries": int(r["queries"]),
                "days": int(r["days"]),
                "first_seen": fmt_time(r["first_seen"]),
                "last_seen": fmt_time(r["last_seen"]),
                "names": list(r["names"]),
            }
        )
    services.sort(key=lambda s: (s["safety_level"], -s["queries"], s["id"]))
    daily = [
        {"day": r["day"].isoformat(), "queries": int(r["queries"]), "clients": 1}
        for r in queries.client_daily(store, client)
    ]
    return {
        "client": pseudonymize.client(client) if pseudonymize else client,
        "seen": bool(daily),
        "services": services,
        "unknown": [
            {
                **u,
                "queries": int(u["queries"]),
                "names": int(u["names"]),
                "last_seen": fmt_time(u["last_seen"]),
            }
            for u in queries.client_unknown(store, client)
        ],
        "daily": daily,
        "queries": sum(d["queries"] for d in daily),
    }
