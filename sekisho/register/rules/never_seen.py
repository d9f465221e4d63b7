"""never-seen: a register entry whose service the logs have not shown for ``days`` days (or at
all): a vendor still on the books and in the contracts, but no longer — or never — in use."""

from __future__ import annotations

import datetime as dt
from typing import ClassVar

from sekisho.model.findings import Severity
from sekisho.register.rules.base import Context, Hit, Rule


class NeverSeen(Rule):
    id: ClassVar[str] = "never-seen"
    severity: ClassVar[Severity] = "low"
    parameters: ClassVar[dict[str, type]] = {"days": int}
    needs_store: ClassVar[bool] = True
    needs_catalog: ClassVar[bool] = True

    def check(self, ctx: Context) -> list[Hit]:
        cat, reg = ctx.catalog, ctx.register
        if cat is None or ctx.sightings is None or ctx.span[1] is None:
            return []  # an empty store says nothing about use
        days = int(self.params.get("days", 90))
        cutoff = ctx.today - dt.timedelta(days=days)
        hits = []
        for p in reg.parties.values():
            if p.catalog_service:
                ids = [p.catalog_service]
            elif p.catalog_operator:
                ids = sorted(s.id for s in cat.services.values() if s.operator.value == p.catalog_operator)
            else:
                continue
            if not ids:
                continue
            lasts = [s.last_seen for i in ids if (s := ctx.sightings.get(i)) and s.last_seen]
            last = max(lasts) if lasts else None
            if last is not None and last.date() >= cutoff:
                continue
            hits.append(
                Hit(
                    p.id,
                    reg.chain(p.id),
                    {"party": p.id, "days": days, "last": last.date().isoformat() if last else "—"},
                    {
                        "services": ids,
                        "last_seen": last,
                        "days": days,
                        "observations_from": ctx.span[0],
                        "observations_to": ctx.span[1],
                    },
                    party=p.id,
                )
            )
        return hits
