"""Squid: ``dstdomain .name`` matches the name and its subdomains. The file defines the ACLs and the
``http_access deny`` lines; include it in squid.conf before your own ``http_access allow`` lines.
Client groups become ``src`` ACLs with their own lists."""

from __future__ import annotations

import datetime as dt

from sekisho.export.base import Target
from sekisho.policy import Blocklist, Plan


def _acls(suffix: str, bl: Blocklist) -> tuple[list[str], str | None]:
    """The ACL lines of one audience and the condition of its deny line (None: nothing blocked)."""
    lines = [f"acl sekisho_block{suffix} dstdomain .{n}" for n in bl.blocked]
    lines += [f"acl sekisho_allow{suffix} dstdomain .{n}" for n in bl.holes]
    if not bl.blocked:
        return lines, None
    cond = f"sekisho_block{suffix}" + (f" !sekisho_allow{suffix}" if bl.holes else "")
    return lines, cond


class Squid(Target):
    name = "squid"
    summary = "Squid include file (acl dstdomain .name + http_access deny) for the name and its subdomains"
    suffix = ".conf"
    exceptions = True
    groups = True
    notes = ("include it in squid.conf before your own http_access allow lines",)
    grammar = (
        r"acl sekisho_(?:block|allow)(?:_[a-z][a-z0-9_]*)? dstdomain \.{N}",
        "acl sekisho_group_[a-z][a-z0-9_]* src {A}",
        "http_access deny(?: !?sekisho_group_[a-z][a-z0-9_]*)* sekisho_block(?:_[a-z][a-z0-9_]*)?"
        "(?: !sekisho_allow(?:_[a-z][a-z0-9_]*)?)?",
    )

    def body(self, plan: Plan, generated: dt.datetime) -> list[str]:
        lines: list[str] = []
        denies: list[str] = []
        for g in plan.groups:
            name = g.group.name.replace("-", "_")
            lines += [f"acl sekisho_group_{name} src {a}" for a in g.group.addresses]
            acls, cond = _acls(f"_{name}", g.blocklist)
            lines += acls
            if cond:
                denies.append(f"http_access deny sekisho_group_{name} {cond}")
        acls, cond = _acls("", plan.default)
        lines += acls
        if cond:
            outside = "".join(f"!sekisho_group_{g.group.name.replace('-', '_')} " for g in plan.groups)
            denies.append(f"http_access deny {outside}{cond}")
        return lines + denies

    def entries(self, plan: Plan) -> int:
        bls = [plan.default] + [g.blocklist for g in plan.groups]
        return sum(len(b.blocked) + len(b.holes) for b in bls)
