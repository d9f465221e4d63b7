"""Decisions → the names and address ranges to block, for all clients and for each client group.

A name blocks itself and every name under it in formats that can (DNS zones, adblock rules, Squid
``.domain``); ``blocked`` is therefore collapsed (a name under a blocked parent is dropped), while
``exact`` keeps every name for formats that match names exactly (hosts files). ``holes`` are names
the policy allows that lie under a blocked name: formats with exceptions let them through.
"""

from __future__ import annotations

import datetime as dt
import ipaddress
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path

from sekisho.assess import Assessor, load_rules, load_settings
from sekisho.catalog import open_catalog
from sekisho.policy.engine import evaluate
from sekisho.policy.load import load_policy
from sekisho.policy.model import CatalogInfo, Group, Policy, PolicyResult


def parents(name: str) -> list[str]:
    """``a.b.example.com`` → ``[b.example.com, example.com, com]`` (strict ancestors, nearest first)."""
    labels = name.split(".")
    return [".".join(labels[i:]) for i in range(1, len(labels))]


@dataclass(frozen=True)
class Blocklist:
    """What one audience (all clients, or one group) has blocked."""

    policy: str
    catalog: CatalogInfo
    audience: str
    blocked: tuple[str, ...]
    exact: tuple[str, ...]
    holes: tuple[str, ...]
    ip_ranges: tuple[str, ...]
    services: tuple[str, ...]
    origin: dict[str, tuple[str, ...]] = field(default_factory=dict, compare=False)

    @cached_property
    def _sets(self) -> tuple[frozenset[str], frozenset[str]]:
        return frozenset(self.holes), frozenset(self.exact)  # once, not per name asked

    def verdict(self, name: str) -> tuple[bool, str | None]:
        """(is ``name`` blocked, the entry that decides: a blocked name or a hole above or equal to it)."""
        name = name.strip().rstrip(".").lower()
        holes, blocked = self._sets
        for candidate in [name, *parents(name)]:
            if candidate in holes:
                return False, candidate
            if candidate in blocked:
                return True, candidate
        return False, None

    def blocks(self, name: str) -> bool:
        return self.verdict(name)[0]


@dataclass(frozen=True)
class GroupBlocklist:
    group: Group
    blocklist: Blocklist


@dataclass(frozen=True)
class Plan:
    """Everything an export needs: the default audience and, for targets with per-client rules,
    each client group's own blocklist."""

    policy: Policy
    default: Blocklist
    groups: tuple[GroupBlocklist, ...] = ()
    result: PolicyResult | None = field(default=None, compare=False)


def build_plan(policy: Policy, assessor: Assessor, group: str | None = None) -> Plan:
    """The blocklists of ``policy``. With ``group``, the plan is that group's view alone."""
    result = evaluate(policy, assessor, group)
    default = blocklist(result)
    if group:
        return Plan(policy, default, (), result)
    groups = tuple(GroupBlocklist(g, blocklist(evaluate(policy, assessor, g.name))) for g in policy.groups)
    return Plan(policy, default, groups, result)


def plan_for(
    policy: str | Path | None = None,
    catalog: Path | None = None,
    settings: Path | None = None,
    group: str | None = None,
    today: dt.date | None = None,
) -> Plan:
    """Load the policy (preset names or a YAML file; default ``level0``) and build its plan over the
    catalog (default: bundled), rating services as of ``today``."""
    assessor = Assessor(open_catalog(catalog), load_rules(None), load_settings(settings), today=today)
    return build_plan(load_policy(policy), assessor, group)


def blocklist(result: PolicyResult) -> Blocklist:
    origin: dict[str, list[str]] = {}
    blocked: set[str] = set()
    allowed: set[str] = set()
    for d in result.decisions.values():
        if d.action == "block":
            blocked.update(d.names)
            for n in d.names:
                origin.setdefault(n, []).append(d.service_id)
        elif d.action == "allow" and d.explicit:
            allowed.update(d.names)
            for n in d.names:
                origin.setdefault(n, []).append(d.service_id)
    allowed -= blocked  # a name both blocked (one service) and allowed (another) stays blocked
    for nd in result.names:  # domain rules act on the exact name, in order
        origin[nd.name] = [f"rule {nd.reason.rule}"]
        if nd.action == "block":
            blocked.add(nd.name)
            allowed.discard(nd.name)
        elif nd.action == "allow":
            allowed.add(nd.name)
            blocked.discard(nd.name)
    holes = {a for a in allowed if any(p in blocked for p in parents(a))}
    collapsed = set()
    for n in blocked:
        nearest = next((p for p in parents(n) if p in blocked or p in holes), None)
        if nearest is None or nearest in holes:
            collapsed.add(n)
    ranges = sorted(
        {r for d in result.decisions.values() if d.action == "block" for r in d.ip_ranges},
    )
    audience = (
        f"client group {result.group.name} ({', '.join(result.group.addresses)})"
        if result.group
        else "all clients"
    )
    keep = blocked | holes
    return Blocklist(
        policy=result.policy.label,
        catalog=result.catalog,
        audience=audience,
        blocked=tuple(sorted(collapsed)),
        exact=tuple(sorted(blocked)),
        holes=tuple(sorted(holes)),
        ip_ranges=tuple(_collapse(ranges)),
        services=tuple(sorted(d.service_id for d in result.blocked())),
        origin={n: tuple(v) for n, v in sorted(origin.items()) if n in keep},
    )


def _collapse(ranges: list[str]) -> list[str]:
    nets = [ipaddress.ip_network(r, strict=False) for r in ranges]
    v4 = ipaddress.collapse_addresses(n for n in nets if n.version == 4)
    v6 = ipaddress.collapse_addresses(n for n in nets if n.version == 6)
    return [str(n) for n in [*v4, *v6]]
