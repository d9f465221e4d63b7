"""What the audit detections see and say: a sign-in with its IP knowledge, an alert, the context."""

from __future__ import annotations

import datetime as dt
import ipaddress
from dataclasses import dataclass, field
from typing import Any

from sekisho.ingest.logins.base import LoginEvent
from sekisho.match.ipinfo import UNKNOWN, IpFacts


@dataclass(frozen=True, slots=True)
class Signin:
    event: LoginEvent
    facts: IpFacts
    own: str | None = None  # why the address is the organisation's (learned, listed), or None
    allowed: str | None = None  # why the address is on an allow-list (an ASN), or None

    @property
    def country(self) -> str:
        return self.facts.country

    @property
    def ok(self) -> bool:
        return self.event.outcome == "success"

    def describe(self) -> dict[str, Any]:
        e = self.event
        out: dict[str, Any] = {
            "time": e.ts.isoformat(),
            "user": e.user,
            "ip": e.src_ip,
            "country": self.country,
            "country_database": self.facts.database,
            "asn": e.asn,
            "asn_org": e.asn_org,
            "outcome": e.outcome,
            "method": e.method,
            "mfa": e.mfa,
            "app": e.app,
            "user_agent": e.user_agent,
            "file": e.source,
            "line": e.line,
        }
        if self.facts.asn_database and self.facts.asn == e.asn:
            out["asn_database"] = self.facts.asn_database
        if self.facts.why_unknown:
            out["country_unknown_because"] = self.facts.why_unknown
        if e.vendor_country:
            out["country_per_export"] = e.vendor_country
        if self.own:
            out["organisation_address"] = self.own
        if self.allowed:
            out["allow_listed"] = self.allowed
        return out


@dataclass
class Alert:
    rule: str
    user: str | None
    subject: str
    severity: str
    title: str
    title_ja: str
    signins: list[Signin]
    detail: dict[str, Any] = field(default_factory=dict)

    @property
    def ips(self) -> list[str]:
        return sorted({s.event.src_ip for s in self.signins if s.event.src_ip})

    @property
    def countries(self) -> list[str]:
        return sorted({s.country for s in self.signins})

    @property
    def first(self) -> dt.datetime:
        return min(s.event.ts for s in self.signins)

    @property
    def last(self) -> dt.datetime:
        return max(s.event.ts for s in self.signins)

    def to_json(self) -> dict[str, Any]:
        return {
            "rule": self.rule,
            "user": self.user,
            "ips": self.ips,
            "countries": self.countries,
            "first": self.first.isoformat(),
            "last": self.last.isoformat(),
            "severity": self.severity,
            "title": self.title,
            "detail": self.detail,
        }


@dataclass
class Context:
    """Shared state of one audit run: the parameters, learned organisation addresses, and the
    organisation-wide counts the rules use for rarity."""

    params: dict[str, Any]
    own_addresses: dict[str, str] = field(default_factory=dict)  # ip -> why
    known_networks: list[ipaddress.IPv4Network | ipaddress.IPv6Network] = field(default_factory=list)
    allowed_asns: frozenset[int] = frozenset()
    users: set[str] = field(default_factory=set)
    country_users: dict[str, set[str]] = field(default_factory=dict)
    asn_users: dict[int, set[str]] = field(default_factory=dict)
    home_countries: frozenset[str] = frozenset()
    suppressed: dict[str, int] = field(default_factory=dict)  # rule -> alerts not raised (common)
    databases: list[dict[str, Any]] = field(default_factory=list)

    def rule(self, name: str) -> dict[str, Any]:
        return dict(self.params.get(name.replace("-", "_")) or {})

    def own(self, ip: str | None) -> str | None:
        if not ip:
            return None
        if ip in self.own_addresses:
            return self.own_addresses[ip]
        if self.known_networks:
            try:
                a = ipaddress.ip_address(ip)
            except ValueError:
                return None
            for n in self.known_networks:
                if a.version == n.version and a in n:
                    return f"in the organisation's known network {n}"
        return None

    def note(self, s: Signin) -> None:
        """A successful sign-in, for organisation-wide rarity (the organisation's own addresses
        say nothing of where its users are)."""
        user = s.event.user
        self.users.add(user)
        if s.own:
            return
        if s.country != UNKNOWN:
            self.country_users.setdefault(s.country, set()).add(user)
        if s.event.asn is not None:
            self.asn_users.setdefault(s.event.asn, set()).add(user)

    def travel_point(self, s: Signin) -> bool:
        """Whether a sign-in's place is the user's: not an allow-listed ASN, not a listed network,
        not a learned egress abroad (a learned address in a home country is an office: a place)."""
        if s.allowed or s.country == UNKNOWN:
            return False
        if s.own is None:
            return True
        return s.own.startswith("learned") and s.country in self.home_countries


def titles(rule: str, **params: Any) -> tuple[str, str]:
    """An alert's one-line title in English and Japanese (sekisho/data/messages/{en,ja}.yaml)."""
    from sekisho.i18n import text

    return text(f"audit.title.{rule}", "en", **params), text(f"audit.title.{rule}", "ja", **params)


__all__ = ["Alert", "Context", "Signin", "titles"]
