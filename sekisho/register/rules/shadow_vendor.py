"""shadow-vendor: a catalogued (researched) service the logs show in use that no register entry
covers — neither as its ``catalog_service`` nor through its operator as ``catalog_operator``."""

from __future__ import annotations

import datetime as dt
from typing import ClassVar

from sekisho.model.findings import Severity
from sekisho.register.rules.base import Context, Hit, Rule


class ShadowVendor(Rule):
    id: ClassVar[str] = "shadow-vendor"
    severity: ClassVar[Severity] = "medium"
    parameters: ClassVar[dict[str, type]] = {"max_clients": int}
    needs_store: ClassVar[bool] = True
    needs_catalog: ClassVar[bool] = True

    def check(self, ctx: Context) -> list[Hit]:
        cat, reg = ctx.catalog, ctx.register
        if cat is None or ctx.sightings is None:
            return []
        services = {p.catalog_service for p in reg.parties.values() if p.catalog_service}
        operators = {p.catalog_operator for p in reg.parties.values() if p.catalog_operator}
        controllers = [p.id for p in reg.controllers()][:1]
        limit = int(self.params.get("max_clients", 20))
        hits = []
        for sid, seen in sorted(ctx.sightings.items()):
            service = cat.services.get(sid)  # known-tier ids (v2fly:…) are not assessed vendors
            if service is None or sid in services or service.operator.value in operators:
                continue
            hits.append(
                Hit(
                    sid,
                    [*controllers, sid],
                    {
                        "service": service.name,
                        "clients": seen.client_count,
                        "first": _day(seen.first_seen),
                        "last": _day(seen.last_seen),
                    },
                    {
                        "service": sid,
                        "service_name": service.name,
                        "operator": service.operator.value,
                        "clients": seen.clients[:limit],
                        "client_count": seen.client_count,
                        "first_seen": seen.first_seen,
                        "last_seen": seen.last_seen,
                        "queries": seen.queries,
                    },
                    first_seen=seen.first_seen,
                    last_seen=seen.last_seen,
                )
            )
        return hits


def _day(t: dt.datetime | None) -> str:
    return t.date().isoformat() if t else "?"
