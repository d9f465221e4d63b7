"""nftables: sets of the blocked services' IP ranges (from the catalog, where it has them) and
output/forward chains that reject traffic to them. Load with ``nft -f``; reloading replaces the
table. Names cannot be blocked here: without ranges in the catalog this file blocks nothing."""

from __future__ import annotations

import datetime as dt
import ipaddress

from sekisho.export.base import Target
from sekisho.policy import Plan


class Nftables(Target):
    name = "nftables"
    summary = "nftables table: sets of the blocked services' IP ranges, rejected on output and forward"
    suffix = ".nft"
    grammar = (
        "table inet sekisho",
        "delete table inet sekisho",
        r"table inet sekisho \{",
        r"  set blocked[46] \{",
        "    type ipv[46]_addr",
        "    flags interval",
        r"    elements = \{",
        "      {A},",
        r"    \}",
        r"  \}",
        r"\}",
        r"  chain (?:output|forward) \{",
        "    type filter hook (?:output|forward) priority 0; policy accept;",
        "    ip6? daddr @blocked[46] reject with icmpx type admin-prohibited",
    )

    def body(self, plan: Plan, generated: dt.datetime) -> list[str]:
        v4 = [r for r in plan.default.ip_ranges if ipaddress.ip_network(r).version == 4]
        v6 = [r for r in plan.default.ip_ranges if ipaddress.ip_network(r).version == 6]
        lines = ["table inet sekisho", "delete table inet sekisho", "table inet sekisho {"]
        for name, kind, ranges in (("blocked4", "ipv4_addr", v4), ("blocked6", "ipv6_addr", v6)):
            lines += [f"  set {name} {{", f"    type {kind}", "    flags interval"]
            if ranges:
                lines += ["    elements = {", *(f"      {r}," for r in ranges), "    }"]
            lines.append("  }")
        for hook in ("output", "forward"):
            lines += [
                f"  chain {hook} {{",
                f"    type filter hook {hook} priority 0; policy accept;",
                "    ip daddr @blocked4 reject with icmpx type admin-prohibited",
                "    ip6 daddr @blocked6 reject with icmpx type admin-prohibited",
                "  }",
            ]
        return [*lines, "}"]

    def entries(self, plan: Plan) -> int:
        return len(plan.default.ip_ranges)

    def warnings(self, plan: Plan) -> list[str]:
        out = []
        if not plan.default.ip_ranges:
            out.append(
                f"the catalog has no IP ranges for the {len(plan.default.services)} blocked service(s): "
                "this file blocks NOTHING; block them by name with a DNS export (unbound, bind, dnsmasq)"
            )
        else:
            result = plan.result
            without = [d.service_id for d in result.blocked() if not d.ip_ranges] if result else []
            if without:
                out.append(
                    f"{len(without)} blocked service(s) have no IP ranges in the catalog and are not "
                    f"blocked by this file ({', '.join(without[:5])}{', …' if len(without) > 5 else ''})"
                )
        if plan.groups:
            out.append("client groups are not in this file; export one per group with --group NAME")
        return out
