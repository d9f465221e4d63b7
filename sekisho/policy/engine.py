"""Apply a policy to the catalog: presets first, then the rules in order (a later rule overrides an
earlier one), then a client group's own rules. Every service gets a decision; the default is allow.
"""

from __future__ import annotations

from sekisho.assess import Assessor
from sekisho.errors import ConfigError, Location, NotFoundError
from sekisho.match import NameMatcher
from sekisho.model.catalog import Category, Service
from sekisho.policy.model import (
    Action,
    CatalogInfo,
    Decision,
    FactRef,
    NameDecision,
    Policy,
    PolicyResult,
    Reason,
    Rule,
    Selector,
)
from sekisho.policy.presets import fact_ref, preset_reasons

CATEGORIES: tuple[str, ...] = Category.__args__  # type: ignore[attr-defined]
DEFAULT = Reason("default", "no rule of the policy matches this service")


def evaluate(policy: Policy, assessor: Assessor, group: str | None = None) -> PolicyResult:
    """Decisions of ``policy`` for every service; with ``group``, as seen by that client group."""
    cat = assessor.catalog
    grp = policy.group(group) if group else None
    result = PolicyResult(policy, CatalogInfo(cat.meta.version, cat.meta.date), group=grp)
    state: dict[str, Decision] = {}

    def apply(service: Service, action: Action, reason: Reason) -> None:
        before = state.get(service.id)
        if before and before.explicit and before.action == action:
            state[service.id] = _replace(before, reasons=(*before.reasons, reason))
        else:
            overridden = before.reasons if before and before.explicit else ()
            state[service.id] = _decision(service, action, (reason,), explicit=True, overridden=overridden)

    for spec in policy.presets:
        for sid, reason in preset_reasons(assessor, spec).items():
            apply(cat.services[sid], "block", reason)

    matcher = NameMatcher(cat)
    names: dict[str, NameDecision] = {}
    for rule in policy.rules + (grp.rules if grp else ()):
        if rule.select.domains:
            for name in rule.select.domains:
                owner, _ = matcher.service_for(name)
                where = f"belongs to {owner} in the catalog" if owner else "not in the catalog"
                text = f"{rule.why + '; ' if rule.why else ''}{name} and every name under it ({where})"
                names.pop(name, None)  # a later rule for the same name replaces the earlier one
                names[name] = NameDecision(name, rule.action, Reason(rule.label, text), owner)
            continue
        _check_ids(rule, assessor)
        for sid in sorted(cat.services):
            svc = cat.services[sid]
            facts = _matches(rule.select, svc, assessor)
            if facts is None or (rule.unless and _matches(rule.unless, svc, assessor) is not None):
                continue
            apply(svc, rule.action, Reason(rule.label, rule.why or "organisation rule", tuple(facts)))

    for sid in sorted(cat.services):
        result.decisions[sid] = state.get(sid) or _decision(
            cat.services[sid], "allow", (DEFAULT,), explicit=False
        )
    result.names = list(names.values())
    return result


def _decision(
    svc: Service,
    action: Action,
    reasons: tuple[Reason, ...],
    explicit: bool,
    overridden: tuple[Reason, ...] = (),
) -> Decision:
    names = tuple(svc.domains.value + (svc.hostnames.value if svc.hostnames else []))
    ips = tuple(svc.ip_ranges.value) if svc.ip_ranges and not svc.ip_ranges.is_claim else ()
    return Decision(svc.id, svc.name, action, reasons, names, ips, explicit, overridden)


def _replace(d: Decision, reasons: tuple[Reason, ...]) -> Decision:
    return Decision(
        d.service_id, d.service_name, d.action, reasons, d.names, d.ip_ranges, d.explicit, d.overridden
    )


def _matches(sel: Selector, svc: Service, assessor: Assessor) -> list[FactRef] | None:
    """The facts by which ``svc`` matches ``sel`` (every key must match), or None."""
    facts: list[FactRef] = []
    if sel.services:
        if svc.id not in sel.services:
            return None
        facts.append(FactRef(f"service {svc.id} ({svc.name})"))
    if sel.categories:
        if svc.category not in sel.categories:
            return None
        facts.append(FactRef(f"{svc.name}: category {svc.category}"))
    if sel.operators:
        chain = assessor.catalog.operator_chain(svc.operator.value)
        hits = [op for op in chain if op.id in sel.operators]
        if not hits:
            return None
        facts.append(fact_ref(f"{svc.name}: operator", svc.operator))
        for op in chain[1 : chain.index(hits[0]) + 1]:
            child = chain[chain.index(op) - 1]
            if child.parent:
                facts.append(fact_ref(f"{child.name}: controlled by", child.parent))
    return facts


def _check_ids(rule: Rule, assessor: Assessor) -> None:
    cat = assessor.catalog
    for sel in (rule.select, rule.unless):
        if sel is None:
            continue
        unknown = [s for s in sel.services if s not in cat.services]
        unknown += [o for o in sel.operators if o not in cat.operators]
        bad_cat = [c for c in sel.categories if c not in CATEGORIES]
        if unknown:
            raise NotFoundError(f"unknown id {unknown[0]!r} in rule (see `sekisho services`)", _loc(rule))
        if bad_cat:
            raise ConfigError(
                f"unknown category {bad_cat[0]!r} (categories: {', '.join(CATEGORIES)})", _loc(rule)
            )


def _loc(rule: Rule) -> Location | None:
    if ":" not in rule.where:
        return None
    path, line = rule.where.rsplit(":", 1)
    return Location(path, int(line))
