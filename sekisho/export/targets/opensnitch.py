"""OpenSnitch: a list for a rule of type "lists" with operand ``lists.domains_regexp``, one regular
expression a line that matches the name and every name under it."""

from __future__ import annotations

import datetime as dt
import re

from sekisho.export.base import Target
from sekisho.policy import Plan


class OpenSnitch(Target):
    name = "opensnitch"
    summary = "OpenSnitch regexp domain list (lists.domains_regexp): the name and its subdomains"
    grammar = (r"\^\(\.\+\\\.\)\?(?:[a-z0-9_]|\\[.-])+\$",)
    notes = (
        "put this file in its own directory and point a deny rule with 'To this list of domains "
        "(regexp)' at that directory",
    )

    def body(self, plan: Plan, generated: dt.datetime) -> list[str]:
        return [f"^(.+\\.)?{re.escape(n)}$" for n in self.names(plan.default)]

    def warnings(self, plan: Plan) -> list[str]:
        out = super().warnings(plan)
        if len(plan.default.blocked) > 500:
            out.append(
                "OpenSnitch advises regexp lists of at most ~500 lines; this one has "
                f"{len(plan.default.blocked)}"
            )
        return out
