"""review-overdue: a processor or sub-processor whose ``review_date`` (the date its entry is due
for review) has passed, or that has none."""

from __future__ import annotations

import datetime as dt
from typing import ClassVar

from sekisho.model.findings import Severity
from sekisho.register.rules.base import Context, Hit, Rule


class ReviewOverdue(Rule):
    id: ClassVar[str] = "review-overdue"
    severity: ClassVar[Severity] = "low"
    parameters: ClassVar[dict[str, type]] = {"grace_days": int}

    def check(self, ctx: Context) -> list[Hit]:
        reg = ctx.register
        grace = dt.timedelta(days=int(self.params.get("grace_days", 0)))
        hits = []
        for p in reg.parties.values():
            if p.role == "controller":
                continue
            if p.review_date is not None and p.review_date + grace >= ctx.today:
                continue
            overdue = (ctx.today - p.review_date).days if p.review_date else None
            hits.append(
                Hit(
                    p.id,
                    reg.chain(p.id),
                    {"party": p.id, "due": p.review_date.isoformat() if p.review_date else "none"},
                    {"review_date": p.review_date, "days_overdue": overdue, "contract_ref": p.contract_ref},
                    party=p.id,
                )
            )
        return hits
