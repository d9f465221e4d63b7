"""transfer-without-basis: a party in another country than the party handing it the data, with
transfer basis ``none`` or none given (APPI art. 28 needs consent, an adequate country, or
equivalent measures)."""

from __future__ import annotations

from typing import ClassVar

from sekisho.model.findings import Severity
from sekisho.register.rules.base import Context, Hit, Rule


class TransferWithoutBasis(Rule):
    id: ClassVar[str] = "transfer-without-basis"
    severity: ClassVar[Severity] = "high"

    def check(self, ctx: Context) -> list[Hit]:
        reg = ctx.register
        hits = []
        for p in reg.parties.values():
            src = reg.source(p.id)
            if src is None or src.country == p.country or p.transfer_basis not in (None, "none"):
                continue
            hits.append(
                Hit(
                    p.id,
                    reg.chain(p.id),
                    {"party": p.id, "from": src.country, "to": p.country},
                    {
                        "from_party": src.id,
                        "from_country": src.country,
                        "to_country": p.country,
                        "transfer_basis": p.transfer_basis,
                        "data_categories": p.data_categories,
                    },
                    party=p.id,
                )
            )
        return hits
