"""AdGuard Home settings to merge into AdGuardHome.yaml: ``user_rules`` (the adblock rules of the
``adguard`` target, client groups as ``$client``) and one persistent client per group so the
dashboard names them. AdGuard's built-in "blocked services" are not used: their domain lists are
AdGuard's, not the catalog's."""

from __future__ import annotations

import datetime as dt

from sekisho.export.base import Target
from sekisho.export.targets.adguard import RULE, rules
from sekisho.policy import Plan


class AdguardHome(Target):
    name = "adguardhome"
    summary = "AdGuardHome.yaml fragment: user_rules and clients.persistent (one client per group)"
    suffix = ".yaml"
    exceptions = True
    groups = True
    grammar = (
        "user_rules:",
        f"  - '{RULE}'",
        "clients:",
        "  persistent:",
        "    - name: sekisho-{G}",
        "      ids:",
        "        - {A}",
        "      (?:use_global_settings|filtering_enabled|use_global_blocked_services): true",
    )

    def body(self, plan: Plan, generated: dt.datetime) -> list[str]:
        lines = ["user_rules:", *(f"  - '{r}'" for r in rules(plan))]
        if plan.groups:
            lines += ["clients:", "  persistent:"]
            for g in plan.groups:
                lines += [
                    f"    - name: sekisho-{g.group.name}",
                    "      ids:",
                    *(f"        - {a}" for a in g.group.addresses),
                    "      use_global_settings: true",
                    "      filtering_enabled: true",
                    "      use_global_blocked_services: true",
                ]
        return lines

    def entries(self, plan: Plan) -> int:
        return len(rules(plan))
