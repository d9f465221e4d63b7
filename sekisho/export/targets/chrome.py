"""Chrome / Edge managed policy (JSON): ``URLBlocklist`` with each name (a host without a leading
dot also blocks its subdomains) and ``URLAllowlist`` with the allowed names under blocked ones.
JSON has no comments, so this file carries no header; the CLI prints it instead."""

from __future__ import annotations

import datetime as dt
import json

from sekisho.export.base import Target
from sekisho.policy import Plan

LIMIT = 1000  # "These policies are limited to 1000 entries; subsequent entries are ignored."


class Chrome(Target):
    name = "chrome"
    summary = "Chrome/Edge policy JSON (URLBlocklist, URLAllowlist) for /etc/opt/chrome/policies/managed/"
    suffix = ".json"
    comment = None
    exceptions = True
    grammar = (
        r"\{",
        r"\}",
        r'  "URL(?:Block|Allow)list": \[(?:\],?)?',
        '    "{N}",?',
        r"  \],?",
    )

    def body(self, plan: Plan, generated: dt.datetime) -> list[str]:
        bl = plan.default
        policy: dict[str, list[str]] = {"URLBlocklist": list(bl.blocked)}
        if bl.holes:
            policy["URLAllowlist"] = list(bl.holes)
        return [json.dumps(policy, indent=2, ensure_ascii=False)]

    def warnings(self, plan: Plan) -> list[str]:
        out = super().warnings(plan)
        if len(plan.default.blocked) > LIMIT:
            out.append(
                f"URLBlocklist holds at most {LIMIT} entries; this one has {len(plan.default.blocked)} "
                "and the browser ignores the rest"
            )
        return out
