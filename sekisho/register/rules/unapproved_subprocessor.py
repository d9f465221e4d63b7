"""unapproved-subprocessor: a sub-processor, at any depth of the chain, that the controller has not
approved (``approved_by_controller`` not ``yes``)."""

from __future__ import annotations

from typing import ClassVar

from sekisho.model.findings import Severity
from sekisho.register.rules.base import Context, Hit, Rule


class UnapprovedSubprocessor(Rule):
    id: ClassVar[str] = "unapproved-subprocessor"
    severity: ClassVar[Severity] = "high"

    def check(self, ctx: Context) -> list[Hit]:
        reg = ctx.register
        hits = []
        for p in reg.parties.values():
            if p.role != "subprocessor" or p.approved_by_controller is True:
                continue
            chain = reg.chain(p.id)
            hits.append(
                Hit(
                    p.id,
                    chain,
                    {"party": p.id, "depth": len(chain) - 1},
                    {
                        "approved_by_controller": p.approved_by_controller,
                        "depth": len(chain) - 1,
                        "receives_from": p.receives_from,
                        "country": p.country,
                        "data_categories": p.data_categories,
                    },
                    party=p.id,
                )
            )
        return hits
