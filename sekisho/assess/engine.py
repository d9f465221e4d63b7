"""Facts → scores → safety level → verdicts. Every point names the facts that earned or lost it.

The numbers all come from :class:`~sekisho.assess.rules.Rules`; this module only applies them.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from sekisho.assess.rules import OrgSettings, Rules
from sekisho.catalog.loader import Catalog
from sekisho.i18n import Lang
from sekisho.model.catalog import Law, Operator, Service
from sekisho.model.facts import Fact, Incident
from sekisho.model.rating import (
    SCORE_NAMES,
    CapHit,
    Evidence,
    LevelOverride,
    Message,
    Point,
    PointStatus,
    Rating,
    Score,
)


def score_text(score: Score, lang: Lang = "en") -> str:
    """``7.5/10``; with its coverage when fewer than half its factors have evidence
    (``3.3/10, 1 of 4 factors``); ``?/10, 0 of 4 factors`` when none has."""
    from sekisho.i18n import text

    if score.value is not None and not score.thin:
        return f"{score.value:g}/10"
    value = "?" if score.value is None else f"{score.value:g}"
    return text("services.coverage", lang, score=value, known=score.factors_known, total=score.factors_total)


def evidence(statement: str, fact: Fact[Any] | Incident, **params: Any) -> Evidence:
    note = getattr(fact, "note", None)
    if fact.source_kind == "secondary" and fact.kind != "claim":
        note = "secondary source only — a claim until confirmed" + (f"; {note}" if note else "")
    return Evidence(
        statement=statement,
        params=params,
        value=fact.value,
        source=fact.source,
        as_of=fact.as_of,
        kind="claim" if fact.is_claim else "fact",
        note=note,
        source_kind=fact.source_kind,
    )


@dataclass(frozen=True)
class JurisdictionLink:
    """Why a country's authorities can reach a service: which entity, which fact."""

    country: str
    operator: Operator
    relation: str  # country | headquarters | jurisdiction | data_location
    fact: Fact[str]

    def as_evidence(self) -> Evidence:
        if self.relation == "data_location":
            return evidence("fact.data_location", self.fact)
        return evidence(f"fact.operator.{self.relation}", self.fact, operator=self.operator.name)


@dataclass(frozen=True)
class LawExposure:
    law: Law
    via: JurisdictionLink | None  # None: named explicitly on the operator
    explicit: Fact[str] | None = None

    @property
    def with_court(self) -> bool:
        jo = self.law.judicial_oversight
        return bool(jo and not jo.is_claim and jo.value is True)

    def as_evidence(self) -> list[Evidence]:
        out = [self.via.as_evidence()] if self.via else []
        if self.explicit:
            out.append(evidence("fact.operator.law", self.explicit, law=self.law.name))
        out.append(evidence("fact.law.secret", self.law.compels_secret_cooperation, law=self.law.name))
        if self.law.judicial_oversight:
            out.append(evidence("fact.law.court", self.law.judicial_oversight, law=self.law.name))
        return out


def jurisdictions(catalog: Catalog, service: Service) -> list[JurisdictionLink]:
    """Every country that can compel an entity in the service's ownership chain (facts only)."""
    return operator_jurisdictions(catalog, service.operator.value)


def operator_jurisdictions(catalog: Catalog, operator_id: str) -> list[JurisdictionLink]:
    """Every country that can compel the operator or a parent up its chain (facts only)."""
    links: list[JurisdictionLink] = []
    for op in catalog.operator_chain(operator_id):
        pairs: list[tuple[str, Fact[str] | None]] = [
            ("country", op.country),
            ("headquarters", op.headquarters),
        ]
        pairs += [("jurisdiction", f) for f in op.jurisdictions]
        for relation, fact in pairs:
            if fact is not None and not fact.is_claim:
                links.append(JurisdictionLink(fact.value, op, relation, fact))
    return links


def secret_law_exposures(catalog: Catalog, service: Service) -> list[LawExposure]:
    chain = catalog.operator_chain(service.operator.value)
    extra: list[JurisdictionLink] = []
    if chain:  # data stored in a country is within reach of its laws, whoever the operator is
        extra = [
            JurisdictionLink(f.value, chain[0], "data_location", f)
            for f in service.data_locations
            if not f.is_claim
        ]
    return operator_law_exposures(catalog, service.operator.value, extra)


def operator_law_exposures(
    catalog: Catalog, operator_id: str, extra_links: list[JurisdictionLink] | None = None
) -> list[LawExposure]:
    """Laws compelling secret cooperation that reach an operator or a parent up its ownership chain
    (through a country fact or a law named on an entity), plus those of ``extra_links``."""
    found: dict[str, LawExposure] = {}
    secret_laws = [
        law
        for law in catalog.laws.values()
        if law.compels_secret_cooperation.value and not law.compels_secret_cooperation.is_claim
    ]
    links = operator_jurisdictions(catalog, operator_id) + list(extra_links or [])
    for link in links:
        for law in secret_laws:
            if law.jurisdiction == link.country and law.id not in found:
                found[law.id] = LawExposure(law, link)
    for op in catalog.operator_chain(operator_id):
        for ref in op.laws:
            ref_law = catalog.laws.get(ref.value)
            if (
                ref_law
                and ref_law.id not in found
                and ref_law.compels_secret_cooperation.value
                and not ref.is_claim
            ):
                found[ref_law.id] = LawExposure(ref_law, None, ref)
    return list(found.values())


def ownership_gap(catalog: Catalog, service: Service) -> Operator | str | None:
    """The first entity whose owner is not known: an operator with no ``parent`` fact (or only a
    claim), or the id of an operator the catalog lacks. None when the chain is known to its top."""
    current: str | None = service.operator.value
    seen: set[str] = set()
    while current is not None and current not in seen:
        seen.add(current)
        op = catalog.operators.get(current)
        if op is None:
            return current
        if op.parent is None or op.parent.is_claim:
            return op
        current = op.parent.value
    return None


def covert_incidents(service: Service) -> list[Incident]:
    """Incidents (not claims) in which the service collected data without the user knowing."""
    return [i for i in service.incidents if i.covert_collection and not i.is_claim]


def _status(fact: Fact[Any] | None) -> tuple[PointStatus, float]:
    if fact is None:
        return "unknown", 0.0
    if fact.is_claim:
        return "claim", 0.0
    if fact.value == "partial":
        return "partial", 0.5
    return ("yes", 1.0) if fact.value is True else ("no", 0.0)


class Assessor:
    """Rates services of one catalog under one rules version and one organisation's settings."""

    def __init__(
        self,
        catalog: Catalog,
        rules: Rules,
        settings: OrgSettings | None = None,
        today: dt.date | None = None,
    ) -> None:
        self.catalog = catalog
        self.rules = rules
        self.settings = settings or OrgSettings()
        self.today = today or dt.date.today()

    def rate_all(self) -> dict[str, Rating]:
        return {sid: self.rate(sid) for sid in sorted(self.catalog.services)}

    def rate(self, service_id: str) -> Rating:
        service = self.catalog.service(service_id)
        exposures = secret_law_exposures(self.catalog, service)
        weights = self.rules.weights_for(service.category, self.settings.weights)

        scores: dict[str, Score] = {}
        total_w = known_w = 0.0
        for name in SCORE_NAMES:
            points = [
                p
                for factor, w in weights[name].items()
                if w > 0 and (p := self._point(service, factor, w, exposures)) is not None
            ]
            weight = sum(p.weight for p in points)
            earned = sum(p.earned for p in points)
            known = sum(p.weight for p in points if p.status in ("yes", "no", "partial"))
            total_w += weight
            known_w += known
            # A score is earned over the factors with evidence: a missing fact is "unknown", not zero.
            scores[name] = Score(
                name=name,
                value=round(10 * earned / known, 1) if known else None,
                points=points,
                coverage=round(known / weight, 2) if weight else 0.0,
                factors_known=sum(1 for p in points if p.status in ("yes", "no", "partial")),
                factors_total=len(points),
            )
        coverage = round(known_w / total_w, 2) if total_w else 0.0
        known_values = [s.value for s in scores.values() if s.value is not None]
        if known_values:
            mean = sum(known_values) / len(known_values)
            base_level = next(row.level for row in self.rules.levels if mean >= row.min_mean)
        else:
            base_level = self.rules.unknown_base_level

        provisional = coverage < self.rules.provisional_below_coverage
        caps = self._caps(service, exposures)
        if provisional:
            caps.append(
                CapHit(
                    rule="provisional",
                    max_level=self.rules.provisional_max_level,
                    reason=Message(
                        key="cap.provisional",
                        params={"max": self.rules.provisional_max_level, "coverage": round(coverage * 100)},
                    ),
                )
            )
        computed = min([base_level] + [c.max_level for c in caps])
        override = self.settings.overrides.get(service_id)
        tech_values = [v for v in (scores["data_protection"].value, scores["privacy"].value) if v is not None]
        tech = (
            next(
                r.verdict
                for r in self.rules.technical_verdicts
                if sum(tech_values) / len(tech_values) >= r.min_mean
            )
            if tech_values
            else "unknown"
        )

        return Rating(
            service_id=service_id,
            rules_version=self.rules.version,
            scores=scores,
            base_level=base_level,
            caps=caps,
            computed_level=computed,
            override=LevelOverride(level=override.safety_level, justification=override.justification)
            if override
            else None,
            coverage=coverage,
            provisional=provisional,
            legal_verdict=Message(key=f"verdict.legal.{override.safety_level if override else computed}"),
            technical_verdict=Message(key=f"verdict.technical.{tech}"),
            risks=self._risks(service, scores, exposures),
            response=[
                Message(key=f"response.{k}", params={"id": service_id})
                for k in self.rules.responses.get(override.safety_level if override else computed, [])
            ],
        )

    def _point(
        self, service: Service, factor: str, weight: float, exposures: list[LawExposure]
    ) -> Point | None:
        """The point of one factor; None for a penalty-only factor with nothing to penalise."""
        if factor == "no_secret_cooperation_law":
            if exposures:
                ev = [e for x in exposures for e in x.as_evidence()]
                return Point(factor=factor, weight=weight, earned=0.0, status="no", evidence=ev)
            links = jurisdictions(self.catalog, service)
            ev = [link.as_evidence() for link in links]
            # Silence is not safety: an owner nobody has established may sit under such a law.
            if not links or ownership_gap(self.catalog, service) is not None:
                return Point(factor=factor, weight=weight, earned=0.0, status="unknown", evidence=ev)
            return Point(factor=factor, weight=weight, earned=weight, status="yes", evidence=ev)
        covert = covert_incidents(service)
        if factor == "no_covert_collection":
            if covert:
                ev = [evidence("fact.incident", i, date=i.date) for i in covert]
                return Point(factor=factor, weight=weight, earned=0.0, status="no", evidence=ev)
            return None  # penalty only: no incident is no evidence of safety, so it earns nothing either
        fact = service.properties.get(factor)  # type: ignore[call-overload]
        status, share = _status(fact)
        ev = [evidence(f"fact.property.{factor}", fact)] if fact else []
        against = [i for i in covert if factor in (i.contradicts or self.rules.covert_collection.contradicts)]
        if against:  # an incident shows the property false: it earns nothing, whatever was said
            ev += [evidence("fact.incident", i, date=i.date) for i in against]
            return Point(factor=factor, weight=weight, earned=0.0, status="no", evidence=ev)
        return Point(factor=factor, weight=weight, earned=weight * share, status=status, evidence=ev)

    def _recent_incidents(self, service: Service) -> list[Incident]:
        horizon = self.today.replace(year=self.today.year - self.rules.recent_incident_years)
        return [i for i in service.incidents if i.severity == "high" and not i.is_claim and i.date >= horizon]

    def _caps(self, service: Service, exposures: list[LawExposure]) -> list[CapHit]:
        without_court = [x for x in exposures if not x.with_court]
        countries = {x.law.jurisdiction for x in without_court}
        data_there = [f for f in service.data_locations if not f.is_claim and f.value in countries]
        incidents = self._recent_incidents(service)
        holds: dict[str, list[Evidence]] = {}
        if exposures:
            holds["secret_cooperation_law"] = [e for x in exposures for e in x.as_evidence()]
        if without_court:
            holds["secret_cooperation_law_without_court"] = [
                e for x in without_court for e in x.as_evidence()
            ]
        if data_there:
            holds["data_in_that_jurisdiction"] = [evidence("fact.data_location", f) for f in data_there]
        if incidents:
            holds["recent_serious_incident"] = [evidence("fact.incident", i, date=i.date) for i in incidents]
        covert = covert_incidents(service)
        if covert:
            holds["covert_collection"] = [evidence("fact.incident", i, date=i.date) for i in covert]
        if ownership_gap(self.catalog, service) is not None:
            holds["unknown_ownership"] = []
        hits = []
        for cap in self.rules.caps:
            if all(p in holds for p in cap.when):
                ev: list[Evidence] = []
                for p in cap.when:
                    ev += [e for e in holds[p] if e not in ev]
                hits.append(
                    CapHit(
                        rule=cap.id,
                        max_level=cap.max_level,
                        reason=Message(key=f"cap.{cap.id}", params={"max": cap.max_level}, evidence=ev),
                    )
                )
        return hits

    def _risks(
        self, service: Service, scores: dict[str, Score], exposures: list[LawExposure]
    ) -> list[Message]:
        risks = []
        for x in exposures:
            risks.append(
                Message(
                    key="risk.secret_law",
                    params={
                        "law": x.law.name,
                        "law_ja": x.law.name_ja or x.law.name,
                        "country": x.law.jurisdiction,
                    },
                    evidence=x.as_evidence(),
                )
            )
        countries = {x.law.jurisdiction for x in exposures}
        for f in service.data_locations:
            if not f.is_claim and f.value in countries:
                risks.append(
                    Message(
                        key="risk.data_in_jurisdiction",
                        params={"country": f.value},
                        evidence=[evidence("fact.data_location", f)],
                    )
                )
        for inc in self._recent_incidents(service):
            risks.append(
                Message(
                    key="risk.incident",
                    params={
                        "date": inc.date.isoformat(),
                        "summary": inc.value,
                        "summary_ja": inc.value_ja or inc.value,
                    },
                    evidence=[evidence("fact.incident", inc, date=inc.date)],
                )
            )
        for score in scores.values():
            for p in score.points:
                if (
                    p.status == "no"
                    and p.weight >= self.rules.risk_min_weight
                    and p.factor != "no_secret_cooperation_law"
                ):
                    risks.append(Message(key=f"risk.factor.{p.factor}", evidence=p.evidence))
        return risks
