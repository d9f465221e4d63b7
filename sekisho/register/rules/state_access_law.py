"""state-access-law: a party bound by a law that compels secret cooperation with state
intelligence — through its catalog operator or a parent up the ownership chain, the service's
data locations, or the country the register places it in. The law and chain logic is assess's
(``secret_law_exposures``, ``operator_law_exposures``); this rule only says which party."""

from __future__ import annotations

from typing import Any, ClassVar

from sekisho.assess import LawExposure, operator_law_exposures, secret_law_exposures
from sekisho.model.facts import Fact
from sekisho.model.findings import Severity, SourceRef
from sekisho.register.rules.base import Context, Hit, Rule


class StateAccessLaw(Rule):
    id: ClassVar[str] = "state-access-law"
    severity: ClassVar[Severity] = "high"
    needs_catalog: ClassVar[bool] = True

    def check(self, ctx: Context) -> list[Hit]:
        cat, reg = ctx.catalog, ctx.register
        if cat is None:
            return []
        hits = []
        for p in reg.parties.values():
            exposures: list[LawExposure] = []
            operator = p.catalog_operator
            if p.catalog_service and p.catalog_service in cat.services:
                service = cat.services[p.catalog_service]
                exposures = secret_law_exposures(cat, service)
                operator = operator or service.operator.value
            elif operator and operator in cat.operators:
                exposures = operator_law_exposures(cat, operator)
            laws: list[dict[str, Any]] = []
            sources: list[SourceRef] = []
            seen: set[str] = set()
            for x in exposures:
                seen.add(x.law.id)
                entity: str | None
                fact: Fact[str] | None
                if x.via is not None:
                    via, entity, fact = x.via.relation, x.via.operator.id, x.via.fact
                    if x.via.relation != "data_location" and x.via.operator.id != operator:
                        via = f"parent {x.via.relation}"
                else:
                    via, entity, fact = "law named on the operator", operator, x.explicit
                laws.append(_law(x.law, via, entity))
                if fact is not None:
                    sources.append(_src(f"{entity}: {via} {fact.value}", fact))
                sources.append(_src(x.law.name, x.law.compels_secret_cooperation))
            for law in cat.laws.values():  # the country the register itself names
                secret = law.compels_secret_cooperation
                if law.id in seen or law.jurisdiction != p.country or not secret.value or secret.is_claim:
                    continue
                laws.append(_law(law, "register country", p.id))
                sources.append(_src(law.name, secret))
            if not laws:
                continue
            hits.append(
                Hit(
                    p.id,
                    reg.chain(p.id),
                    {"party": p.id, "laws": ", ".join(sorted(law["id"] for law in laws))},
                    {
                        "laws": laws,
                        "catalog_operator": operator,
                        "ownership_chain": [o.id for o in cat.operator_chain(operator)] if operator else [],
                        "country": p.country,
                    },
                    sources,
                    party=p.id,
                )
            )
        return hits


def _law(law: Any, via: str, entity: str | None) -> dict[str, Any]:
    court = law.judicial_oversight
    return {
        "id": law.id,
        "name": law.name,
        "name_ja": law.name_ja,
        "country": law.jurisdiction,
        "via": via,
        "entity": entity,
        "court_approval": None if court is None or court.is_claim else court.value,
        "url": law.url,
    }


def _src(text: str, fact: Any) -> SourceRef:
    return SourceRef(text=text, source=fact.source, as_of=fact.as_of, kind=fact.source_kind)
