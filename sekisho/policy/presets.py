"""Built-in policies. A preset looks at each service and says "block, because …" with the facts.

``PRESETS`` maps a name to a function ``(assessor, argument) -> {service id: Reason}``; a preset that
takes an argument is written ``name:ARG`` (``intel-law:CN``).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from sekisho.assess import Assessor, secret_law_exposures
from sekisho.errors import ConfigError, NotFoundError
from sekisho.i18n import text
from sekisho.match import NameMatcher
from sekisho.model.catalog import COUNTRY_PATTERN, Service
from sekisho.model.facts import Fact
from sekisho.model.rating import Evidence, Rating
from sekisho.policy.model import FactRef, Reason

PresetFn = Callable[[Assessor, str | None], dict[str, Reason]]


def evidence_ref(ev: Evidence) -> FactRef:
    value = ev.value if not isinstance(ev.value, bool) else ("yes" if ev.value else "no")
    return FactRef(f"{text(ev.statement, **ev.params)}: {value}", ev.source, ev.as_of, ev.kind == "claim")


def fact_ref(label: str, fact: Fact[Any]) -> FactRef:
    return FactRef(f"{label}: {fact.value}", fact.source, fact.as_of, fact.is_claim)


def level_facts(rating: Rating) -> tuple[str, list[FactRef]]:
    """Why a service has its safety level: the override, the caps that set it, or the mean score."""
    level = rating.safety_level
    if rating.override:
        return (
            f"safety level {level}, set by the organisation's settings: {rating.override.justification}",
            [],
        )
    decisive = [c for c in rating.caps if c.max_level == level]
    if decisive and rating.base_level > level:
        facts = [evidence_ref(e) for c in decisive for e in c.reason.evidence]
        caps = ", ".join(c.rule for c in decisive)
        return f"safety level {level} (capped by rule {caps})", list(dict.fromkeys(facts))
    scores = ", ".join(f"{s.name} {s.value if s.value is not None else '?'}" for s in rating.scores.values())
    facts = [evidence_ref(e) for risk in rating.risks for e in risk.evidence]
    return f"safety level {level} (from the scores: {scores})", list(dict.fromkeys(facts))


def level0(assessor: Assessor, arg: str | None) -> dict[str, Reason]:
    """Block every service whose safety level is 0 ("do not use")."""
    _no_arg("level0", arg)
    out = {}
    for sid, rating in assessor.rate_all().items():
        if rating.safety_level == 0:
            summary, facts = level_facts(rating)
            if rating.provisional:
                summary += "; provisional: the facts cover few factors"
            out[sid] = Reason("preset level0", summary, tuple(facts))
    return out


def intel_law(assessor: Assessor, arg: str | None) -> dict[str, Reason]:
    """Block services with an entity in the ownership chain bound by a law of country ``arg`` that
    compels secret cooperation with state intelligence."""
    country = (arg or "").upper()
    if not COUNTRY_PATTERN.match(country):
        raise ConfigError(f"preset intel-law needs a country code, e.g. intel-law:CN (got {arg!r})")
    cat = assessor.catalog
    laws = [
        law.id
        for law in cat.laws.values()
        if law.jurisdiction == country
        and law.compels_secret_cooperation.value
        and not law.compels_secret_cooperation.is_claim
    ]
    if not laws:
        have = sorted(
            {
                law.jurisdiction
                for law in cat.laws.values()
                if law.compels_secret_cooperation.value and not law.compels_secret_cooperation.is_claim
            }
        )
        raise NotFoundError(
            f"the catalog has no law of {country} that compels secret cooperation; "
            f"intel-law works for: {', '.join(have) or 'none'}"
        )
    out = {}
    for sid in sorted(cat.services):
        exposures = [x for x in secret_law_exposures(cat, cat.services[sid]) if x.law.jurisdiction == country]
        if not exposures:
            continue
        names = ", ".join(x.law.name for x in exposures)
        via = "; ".join(
            dict.fromkeys(
                f"{x.via.operator.name} ({x.via.relation} {x.via.country})"
                if x.via
                else f"named on the operator: {x.law.name}"
                for x in exposures
            )
        )
        facts = [evidence_ref(e) for x in exposures for e in x.as_evidence()]
        out[sid] = Reason(
            f"preset intel-law:{country}",
            f"bound by {names} through {via}",
            tuple(dict.fromkeys(facts)),
        )
    return out


# The block list of the published assessment sekisho grew from (shared/reference/assessment-format.md):
# the hosts lines it gave, by the catalog service each name was meant for.
PUBLISHED_LIST: dict[str, str] = {
    "deepseek": "deepseek.com",
    "genspark": "genspark.ai",
    "zoom": "zoom.us",
    "tiktok": "tiktok.com",
    "chatglm": "chatglm.cn",
    "ernie-bot": "wenxin.baidu.com",
}


def _names(service: Service) -> list[str]:
    return service.domains.value + (service.hostnames.value if service.hostnames else [])


def assessment(assessor: Assessor, arg: str | None) -> dict[str, Reason]:
    """The published assessment's block list, corrected: each service's full catalog names, and the
    reason says what the catalog found about the operator."""
    _no_arg("assessment", arg)
    cat = assessor.catalog
    matcher = NameMatcher(cat)
    out = {}
    for sid, published in PUBLISHED_LIST.items():
        if sid not in cat.services:
            continue
        svc = cat.services[sid]
        names = _names(svc)
        matched, _ = matcher.service_for(published)
        missed = [n for n in names if n != published and not n.endswith("." + published)]
        if matched == sid:
            coverage = f"the published list blocked only {published}; the catalog lists {_count(names)}"
            if missed:
                coverage += f", of which it missed {', '.join(missed)}"
        else:
            coverage = (
                f"the published list named {published}, which the catalog does not list for {svc.name}; "
                f"sekisho blocks the catalog's {_count(names)} instead"
            )
        chain = cat.operator_chain(svc.operator.value)
        facts = [fact_ref(f"{svc.name}: operator", svc.operator)]
        who = []
        for op in chain:
            facts.append(fact_ref(f"{op.name}: country of incorporation", op.country))
            if op.headquarters:
                facts.append(fact_ref(f"{op.name}: headquarters", op.headquarters))
            country = op.country.value + (" (unverified claim)" if op.country.is_claim else "")
            hq = f", headquarters {op.headquarters.value}" if op.headquarters else ""
            who.append(f"{op.name} ({country}{hq})")
        rating = assessor.rate(sid)
        exposures = secret_law_exposures(cat, svc)
        if exposures:
            laws = "bound by " + ", ".join(x.law.name for x in exposures)
            facts += [evidence_ref(e) for x in exposures for e in x.as_evidence()]
        else:
            laws = "no law compelling secret cooperation found in the ownership chain"
        level = f"catalog safety level {rating.safety_level}"
        if rating.safety_level > 0:
            level += " (the level0 preset would not block it)"
        summary = f"{coverage}. Catalog: operated by {' → '.join(who) or svc.operator.value}; {laws}; {level}"
        out[sid] = Reason("preset assessment", summary, tuple(dict.fromkeys(facts)))
    return out


def _count(names: list[str]) -> str:
    return f"{len(names)} name" + ("" if len(names) == 1 else "s")


def _no_arg(name: str, arg: str | None) -> None:
    if arg:
        raise ConfigError(f"preset {name} takes no argument (got {name}:{arg})")


PRESETS: dict[str, PresetFn] = {
    "level0": level0,
    "intel-law": intel_law,
    "assessment": assessment,
}


def preset_reasons(assessor: Assessor, spec: str) -> dict[str, Reason]:
    """Run the preset ``spec`` (``level0``, ``intel-law:CN``): the services it blocks, with reasons."""
    name, _, arg = spec.partition(":")
    fn = PRESETS.get(name)
    if fn is None:
        raise NotFoundError(f"unknown preset {spec!r} (presets: level0, intel-law:CC, assessment)")
    return fn(assessor, arg or None)
