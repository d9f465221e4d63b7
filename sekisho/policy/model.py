"""What a policy is made of, and what it decides.

A :class:`Policy` is presets plus an organisation's rules (and client groups with their own rules).
Evaluating it over a catalog gives one :class:`Decision` per service, and one :class:`NameDecision`
per domain rule. Every decision carries its :class:`Reason`: which rule, which facts.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Literal

Action = Literal["block", "warn", "allow"]
ACTIONS: dict[str, Action] = {"deny": "block", "block": "block", "warn": "warn", "allow": "allow"}


@dataclass(frozen=True)
class FactRef:
    """A fact a reason rests on: what it says, and the source that says so."""

    text: str
    source: str | None = None
    as_of: dt.date | None = None
    claim: bool = False

    def __str__(self) -> str:
        tag = "CLAIM (unverified): " if self.claim else ""
        where = (
            f" [{self.source}" + (f", {self.as_of.isoformat()}" if self.as_of else "") + "]"
            if self.source
            else ""
        )
        return f"{tag}{self.text}{where}"


@dataclass(frozen=True)
class Reason:
    """Why a rule decided: ``rule`` names it (``preset level0``, ``acme.yaml:12 deny category=ai``)."""

    rule: str
    text: str
    facts: tuple[FactRef, ...] = ()


@dataclass(frozen=True)
class Selector:
    """Which services (or names) a rule is about. Keys are ANDed; values within a key are ORed."""

    services: tuple[str, ...] = ()
    categories: tuple[str, ...] = ()
    operators: tuple[str, ...] = ()
    domains: tuple[str, ...] = ()

    def describe(self) -> str:
        parts = [
            f"{key}={','.join(values)}"
            for key, values in (
                ("service", self.services),
                ("category", self.categories),
                ("operator", self.operators),
                ("domain", self.domains),
            )
            if values
        ]
        return " ".join(parts)


@dataclass(frozen=True)
class Rule:
    """One line of an organisation's policy: block, warn or allow what ``select`` picks."""

    action: Action
    select: Selector
    unless: Selector | None = None
    why: str | None = None
    where: str = ""  # "acme.yaml:12"

    @property
    def label(self) -> str:
        verb = {"block": "deny", "warn": "warn", "allow": "allow"}[self.action]
        text = f"{self.where} {verb} {self.select.describe()}".strip()
        if self.unless:
            text += f" except {self.unless.describe()}"
        return text


@dataclass(frozen=True)
class Group:
    """Clients by address range, with rules applied on top of the policy's own."""

    name: str
    addresses: tuple[str, ...]
    rules: tuple[Rule, ...] = ()


@dataclass(frozen=True)
class Policy:
    name: str
    presets: tuple[str, ...] = ()
    rules: tuple[Rule, ...] = ()
    groups: tuple[Group, ...] = ()
    source: str | None = None  # file path, when read from a file
    digest: str | None = None  # sha256 of the file

    def group(self, name: str) -> Group:
        from sekisho.errors import NotFoundError

        for g in self.groups:
            if g.name == name:
                return g
        known = ", ".join(g.name for g in self.groups) or "none"
        raise NotFoundError(f"policy {self.name!r} has no client group {name!r} (groups: {known})")

    @property
    def label(self) -> str:
        return self.name + (f" (sha256:{self.digest[:12]})" if self.digest else "")


@dataclass(frozen=True)
class Decision:
    """What the policy does with one service, and why. ``explicit``: a rule said so (not the default)."""

    service_id: str
    service_name: str
    action: Action
    reasons: tuple[Reason, ...]
    names: tuple[str, ...]
    ip_ranges: tuple[str, ...] = ()
    explicit: bool = True
    overridden: tuple[Reason, ...] = ()


@dataclass(frozen=True)
class NameDecision:
    """A domain rule: blocks or allows one name and everything under it."""

    name: str
    action: Action
    reason: Reason
    service_id: str | None = None  # the catalog service the name belongs to, if any


@dataclass(frozen=True)
class CatalogInfo:
    version: str
    date: dt.date


@dataclass
class PolicyResult:
    """Every decision of one policy over one catalog, for all clients or for one group."""

    policy: Policy
    catalog: CatalogInfo
    decisions: dict[str, Decision] = field(default_factory=dict)
    names: list[NameDecision] = field(default_factory=list)
    group: Group | None = None

    def blocked(self) -> list[Decision]:
        return [d for d in self.decisions.values() if d.action == "block"]
