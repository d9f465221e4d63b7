"""One audit run: sign-ins in time order through every detection, alerts out.

Two passes over the sign-ins: the first learns the organisation's own addresses (an address that
``min_users`` users sign in from on ``min_day_share`` of the days of the first ``learning_days``);
the second feeds each sign-in, with its IP knowledge, to every detection in :data:`RULES`.
"""

from __future__ import annotations

import copy
import datetime as dt
import ipaddress
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field, replace
from functools import cache
from importlib import resources
from typing import Any

import yaml

from sekisho.audit.model import Alert, Context, Signin
from sekisho.audit.rules import RULES
from sekisho.ingest.logins.base import LoginEvent
from sekisho.match.ipinfo import UNKNOWN, IpKnowledge, knowledge


@cache
def _default_params() -> dict[str, Any]:
    text = (resources.files("sekisho") / "data" / "audit_rules.yaml").read_text(encoding="utf-8")
    return dict(yaml.safe_load(text))


def load_params(overrides: dict[str, Any] | None = None) -> dict[str, Any]:
    """The rules file with an organisation's ``audit:`` settings laid over it (key by key)."""
    params = copy.deepcopy(_default_params())
    for key, value in (overrides or {}).items():
        if isinstance(value, dict) and isinstance(params.get(key), dict):
            params[key] = {**params[key], **value}
        else:
            params[key] = value
    return params


@dataclass
class AuditResult:
    events: int = 0
    considered: int = 0
    alerts: list[Alert] = field(default_factory=list)
    own_addresses: dict[str, str] = field(default_factory=dict)
    unknown_country: int = 0
    no_address: int = 0
    databases: list[dict[str, Any]] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    suppressed: dict[str, int] = field(default_factory=dict)
    errors: list[str] = field(default_factory=list)  # files that could not be read, one line each

    def to_json(self) -> dict[str, Any]:
        return {
            "events": self.events,
            "considered": self.considered,
            "alerts": [a.to_json() for a in self.alerts],
            "organisation_addresses": self.own_addresses,
            "unknown_country": self.unknown_country,
            "databases": self.databases,
            "notes": self.notes,
            "suppressed": self.suppressed,
            "errors": self.errors,
        }


def learn_own_addresses(events: Iterable[LoginEvent], params: dict[str, Any]) -> dict[str, str]:
    """Addresses many users sign in from on most days of the first ``learning_days`` (the sign-ins
    the detections read: interactive ones unless ``include_non_interactive``)."""
    p = dict(params.get("organisation_addresses") or {})
    include_api = bool(params.get("include_non_interactive"))
    min_users = int(p.get("min_users", 5))
    share = float(p.get("min_day_share", 0.5))
    min_days = int(p.get("min_days", 3))
    span = dt.timedelta(days=float(p.get("learning_days", 14)))
    not_own = set(p.get("not_own") or [])
    start: dt.datetime | None = None
    days: set[dt.date] = set()
    users: dict[str, set[str]] = {}
    ip_days: dict[str, set[dt.date]] = {}
    for e in events:
        if e.outcome != "success" or not e.src_ip or not (e.interactive or include_api):
            continue
        start = start or e.ts
        if e.ts - start > span:
            break
        d = e.ts.date()
        days.add(d)
        u = users.setdefault(e.src_ip, set())
        if len(u) < min_users:
            u.add(e.user)
        ip_days.setdefault(e.src_ip, set()).add(d)
    out = {}
    for ip, u in users.items():
        if ip in not_own or len(u) < min_users or len(ip_days[ip]) < min_days:
            continue
        seen = len(ip_days[ip]) / len(days)
        if seen >= share:
            out[ip] = (
                f"learned: {min_users}+ users signed in from it on {len(ip_days[ip])} of the "
                f"{len(days)} days of the learning period (an office or VPN egress)"
            )
    return out


def _merge_places(got: list[Alert]) -> list[Alert]:
    """One sign-in from a new country is from a new network too: one alert (new-country) that
    names the new ASN, not two."""
    country = next((a for a in got if a.rule == "new-country"), None)
    asn = next((a for a in got if a.rule == "new-asn"), None)
    if country is None or asn is None:
        return got
    country.detail["also_new_asn"] = {
        "asn": asn.signins[0].event.asn,
        "asns_before": asn.detail.get("asns_before"),
    }
    return [a for a in got if a is not asn]


def run_audit(
    events: Callable[[], Iterable[LoginEvent]],
    params: dict[str, Any] | None = None,
    ip: IpKnowledge | None = None,
    rules: Iterable[str] | None = None,
) -> AuditResult:
    """``events`` returns the sign-ins in time order, each time it is called (two passes)."""
    params = params or load_params()
    ip = ip or knowledge()
    # first pass: learn the organisation's addresses and gather the addresses whose owner (ASN)
    # the export did not say, so an ASN database is asked once for all of them
    need_owner: set[str] = set()

    def tapped() -> Iterator[LoginEvent]:
        for e in events():
            if e.asn is None and e.src_ip:
                need_owner.add(e.src_ip)
            yield e

    first = tapped()
    own = learn_own_addresses(first, params)
    for _ in first:  # the rest of the first pass: learning stops early, the gathering does not
        pass
    ip.prefetch(need_owner)
    result = AuditResult(databases=ip.sources())
    ctx = Context(params=params, databases=result.databases)
    ctx.own_addresses = own
    allow = dict(params.get("allow") or {})
    ctx.known_networks = [ipaddress.ip_network(n, strict=False) for n in allow.get("known_networks") or []]
    ctx.allowed_asns = frozenset(int(a) for a in allow.get("asns") or [])
    org = dict(params.get("organisation_addresses") or {})
    ctx.home_countries = frozenset(str(c).upper() for c in org.get("home_countries") or [])
    result.own_addresses = dict(ctx.own_addresses)
    detections = [RULES[r](ctx) for r in (rules or RULES)]
    include_api = bool(params.get("include_non_interactive"))
    asn_seen = False
    alerts: list[Alert] = []
    for e in events():
        result.events += 1
        if not e.interactive and not include_api:
            continue
        result.considered += 1
        facts = ip.lookup(e.src_ip)
        if e.asn is None and facts.asn is not None:  # the export said nothing; the MMDB or libloc did
            e = replace(e, asn=facts.asn, asn_org=facts.asn_org)
        if facts.country == UNKNOWN:
            result.unknown_country += 1
        if e.asn is not None:
            asn_seen = True
        allowed = (
            f"AS{e.asn} is on the allow-list (Private Relay / satellite / listed)"
            if e.asn in ctx.allowed_asns
            else None
        )
        s = Signin(e, facts, ctx.own(e.src_ip), allowed)
        got = [a for d in detections for a in d.observe(s)]
        if len(got) > 1:
            got = _merge_places(got)
        alerts.extend(got)
        if s.ok:
            ctx.note(s)
    for d in detections:
        alerts.extend(d.finish())
    for a in alerts:
        a.detail.setdefault("databases", result.databases)
    result.alerts = sorted(alerts, key=lambda a: (a.first, a.rule, a.subject))
    result.notes.extend(ip.notes)
    if not asn_seen:
        result.notes.append(
            "new-asn: no sign-in carried an ASN (the exports had none and no ASN database placed "
            "their addresses; an ASN MMDB can be given with --mmdb)"
        )
    for rule, n in sorted(ctx.suppressed.items()):
        result.notes.append(f"{rule}: {n} not raised: the place is common in the organisation (common_share)")
    result.suppressed = dict(ctx.suppressed)
    if result.unknown_country:
        result.notes.append(
            f"{result.unknown_country} sign-in(s) from addresses of unknown country (never guessed)"
        )
    return result


__all__ = ["AuditResult", "learn_own_addresses", "load_params", "run_audit"]
