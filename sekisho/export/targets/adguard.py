"""Adblock-style DNS rules (AdGuard Home, Pi-hole v6 adlists, uBlock Origin): ``||name^`` blocks the
name and its subdomains, ``@@||name^`` lets an allowed name through. Client groups use AdGuard
Home's ``$client`` modifier with the groups' address ranges."""

from __future__ import annotations

import datetime as dt

from sekisho.export.base import Target
from sekisho.policy import Plan

# One rule: ``||name^`` or ``@@||name^``, optionally ``$client=`` with address ranges ('~' = not).
RULE = r"(?:@@)?\|\|{N}\^(?:\$client=~?{A}(?:\|~?{A})*)?"


def rules(plan: Plan) -> list[str]:
    """Every rule, each limited to the clients it applies to (no modifier: everyone)."""
    audiences = [("", plan.default)] + [(g.group.name, g.blocklist) for g in plan.groups]
    ranges = {g.group.name: g.group.addresses for g in plan.groups}
    out = []
    for prefix, attr in (("||", "blocked"), ("@@||", "holes")):
        names = sorted({n for _, bl in audiences for n in getattr(bl, attr)})
        for n in names:
            who = {a for a, bl in audiences if n in getattr(bl, attr)}
            out.append(f"{prefix}{n}^{_client(who, ranges)}")
    return out


def _client(who: set[str], ranges: dict[str, tuple[str, ...]]) -> str:
    everyone = {"", *ranges}
    if who == everyone:
        return ""
    if "" in who:  # everyone but some groups
        return "$client=" + "|".join(f"~{a}" for g in sorted(everyone - who) for a in ranges[g])
    return "$client=" + "|".join(a for g in sorted(who) for a in ranges[g])


class Adguard(Target):
    name = "adguard"
    summary = "adblock-style rules (||name^ blocks the name and its subdomains; @@ lets one through)"
    comment = "!"
    exceptions = True
    groups = True
    grammar = (RULE,)

    def body(self, plan: Plan, generated: dt.datetime) -> list[str]:
        return rules(plan)

    def entries(self, plan: Plan) -> int:
        return len(rules(plan))
