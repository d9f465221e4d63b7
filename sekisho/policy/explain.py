"""Answer "why is this name blocked?": which catalog service it belongs to, which entry of the
blocklist decides, and the rule and facts behind that entry."""

from __future__ import annotations

from dataclasses import dataclass, field

from sekisho.catalog import Catalog
from sekisho.match import NameMatcher
from sekisho.policy.blocklist import Plan
from sekisho.policy.model import Decision, NameDecision


@dataclass(frozen=True)
class NameAnswer:
    name: str
    audience: str
    blocked: bool
    entry: str | None  # the blocked name (or allowed exception) that decides, None: no entry covers it
    service: str | None  # the catalog service the name itself belongs to (longest suffix match)
    matched_on: str | None
    decisions: list[Decision] = field(default_factory=list)  # the services behind ``entry``
    name_rules: list[NameDecision] = field(default_factory=list)  # domain rules behind ``entry``
    service_decision: Decision | None = None  # the decision about ``service`` itself


def why(name: str, plan: Plan, catalog: Catalog) -> NameAnswer:
    """Explain the policy's verdict on ``name`` for the plan's default audience."""
    name = name.strip().rstrip(".").lower()
    bl = plan.default
    blocked, entry = bl.verdict(name)
    sid, on = NameMatcher(catalog).service_for(name)
    result = plan.result
    assert result is not None
    decisions: list[Decision] = []
    rules: list[NameDecision] = []
    if entry:
        rules = [nd for nd in result.names if nd.name == entry]
        if not rules:
            wanted = "block" if blocked else "allow"
            decisions = [d for d in result.decisions.values() if entry in d.names and d.action == wanted]
    return NameAnswer(
        name=name,
        audience=bl.audience,
        blocked=blocked,
        entry=entry,
        service=sid,
        matched_on=on,
        decisions=decisions,
        name_rules=rules,
        service_decision=result.decisions.get(sid) if sid else None,
    )
