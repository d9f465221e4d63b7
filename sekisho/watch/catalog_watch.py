"""Catalog changes that matter to one organisation: a service *in use* (in this store) whose
operator, owner chain, country, headquarters, jurisdictions, data locations or safety level
changed.

The store keeps, per service in use, the facts it last saw (``watch_catalog_facts``). Checking a
catalog compares them with the catalog's facts: a difference in a watched field raises one alert
with every changed field's before and after values and their sources, and the stored facts move
on in the same transaction — so each organisation (store) hears of each change exactly once,
whichever way the catalog arrived (``sekisho catalog update``, an edited ``--catalog``).
"""

from __future__ import annotations

import hashlib
import json
from typing import Any

from sekisho.assess import Assessor
from sekisho.catalog import Catalog
from sekisho.catalog.diff import compare_facts, service_facts
from sekisho.store import Store
from sekisho.store import watch as wstore
from sekisho.watch.alerts import Candidate, raise_alerts
from sekisho.watch.rules import AlertRules, CatalogChange


def current_facts(catalog: Catalog, assessor: Assessor, service_ids: list[str]) -> dict[str, dict[str, Any]]:
    """JSON-ready facts of the services (those in the catalog), with the safety level."""

    def level(_: Catalog, sid: str) -> int:
        return int(assessor.rate(sid).safety_level)

    out = {}
    for sid in service_ids:
        if sid in catalog.services:
            out[sid] = json.loads(json.dumps(service_facts(catalog, sid, level), default=str))
    return out


def check_catalog(
    store: Store,
    catalog: Catalog,
    assessor: Assessor,
    rules: AlertRules,
    sinks: list[str],
    cache: dict[str, dict[str, Any]] | None = None,
) -> list[int]:
    """Compare the catalog with the facts this store last saw of each service in use; raise the
    alerts, remember the new facts. Runs in the caller's transaction. ``cache`` keeps the facts of
    this catalog between calls."""
    rule = next((r for r in rules.enabled if isinstance(r, CatalogChange)), None)
    in_use = wstore.services_in_use(store)
    seen = wstore.catalog_facts(store)
    cache = cache if cache is not None else {}
    missing = [s for s in in_use if s not in cache]
    cache.update(current_facts(catalog, assessor, missing))
    candidates = []
    for sid in in_use:
        now = cache.get(sid)
        if now is None:
            continue  # no longer in the catalog
        before = seen.get(sid)
        if before is not None and before[1] == now:
            continue
        if before is not None and rule is not None:
            changes = compare_facts(before[1], now, tuple(rule.fields))
            if changes:
                svc = catalog.services[sid]
                names = ", ".join(c.field for c in changes)
                digest = hashlib.sha256(
                    json.dumps([c.as_dict() for c in changes], sort_keys=True, default=str).encode()
                ).hexdigest()[:12]
                candidates.append(
                    Candidate(
                        rule=rule.id,
                        kind=rule.type,
                        severity=rule.severity,
                        subject=f"{sid}#{digest}",
                        service_id=sid,
                        title=f"Catalog change for {svc.name} ({sid}), in use here: {names} changed "
                        f"(catalog {before[0]} → {catalog.meta.version})",
                        details={
                            "service": {"id": sid, "name": svc.name},
                            "catalog_before": before[0],
                            "catalog_after": catalog.meta.version,
                            "changes": [c.as_dict() for c in changes],
                        },
                    )
                )
        wstore.save_catalog_facts(store, sid, catalog.meta.version, now)
    return raise_alerts(store, candidates, rules.windows(), sinks)
