"""Unbound: ``local-zone: "name." always_null`` answers 0.0.0.0 / :: for the name and everything
under it; an allowed name under a blocked one is a ``transparent`` zone (resolved normally).

Client groups become views: ``access-control-view`` puts a group's addresses in its view, and the
view holds the group's whole list with ``view-first: no``, so the global zones do not apply to it
(a ``transparent`` zone in a view with ``view-first: yes`` would fall through to a global block).
Unbound ignores a view without zones, so each view also answers ``sekisho.invalid`` (RFC 6761).
Include the file from unbound.conf (``include: "/etc/unbound/sekisho.conf"``); the groups'
addresses still need an ``access-control: … allow`` of your own.
"""

from __future__ import annotations

import datetime as dt

from sekisho.export.base import Target
from sekisho.policy import Blocklist, Plan


def _zones(bl: Blocklist) -> list[str]:
    return [f'    local-zone: "{n}." always_null' for n in bl.blocked] + [
        f'    local-zone: "{n}." transparent' for n in bl.holes
    ]


class Unbound(Target):
    name = "unbound"
    summary = "Unbound include file (local-zone always_null → 0.0.0.0 / :: for the name and its subdomains)"
    suffix = ".conf"
    exceptions = True
    groups = True
    notes = (
        'include it from unbound.conf (include: "/etc/unbound/sekisho.conf"); a client group\'s addresses '
        "still need an access-control: ... allow line of your own",
    )
    grammar = (
        "server:",
        "view:",
        '    local-zone: "{N}\\." (?:always_null|transparent)',
        '    local-zone: "sekisho\\.invalid\\." always_nxdomain',
        "    access-control-view: {A} {G}",
        '    name: "{G}"',
        "    view-first: no",
    )

    def body(self, plan: Plan, generated: dt.datetime) -> list[str]:
        lines = ["server:", *_zones(plan.default)]
        lines += [
            f"    access-control-view: {a} {g.group.name}" for g in plan.groups for a in g.group.addresses
        ]
        for g in plan.groups:
            lines += [
                "view:",
                f'    name: "{g.group.name}"',
                "    view-first: no",
                '    local-zone: "sekisho.invalid." always_nxdomain',
                *_zones(g.blocklist),
            ]
        return lines

    def entries(self, plan: Plan) -> int:
        return sum(len(b.blocked) + len(b.holes) for b in [plan.default, *(g.blocklist for g in plan.groups)])
