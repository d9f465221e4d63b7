"""Events in, alerts out: a small geoip file in tor-geoipdb's own format (one /16 per country) and
sign-in builders, so each detection test states exactly which addresses are where."""

from __future__ import annotations

import datetime as dt
import ipaddress
from pathlib import Path

from sekisho.ingest.logins.base import LoginEvent
from sekisho.match.ipinfo import IpKnowledge

# one /16 per country: 10 + index would be private, so public-looking TEST prefixes are used
COUNTRIES = ["JP", "KR", "US", "FR", "DE", "BR", "AU", "CN", "VN", "SG", "GB", "IN", "ZA", "CA", "MX", "RU"]
T0 = dt.datetime(2026, 11, 1, tzinfo=dt.UTC)


def net(cc: str) -> ipaddress.IPv4Network:
    return ipaddress.IPv4Network(f"{100 + COUNTRIES.index(cc)}.77.0.0/16")


def ip_in(cc: str, host: int = 1) -> str:
    return str(net(cc).network_address + host)


def geoip(tmp: Path) -> IpKnowledge:
    lines = ["# test data in tor-geoipdb's format", "# Generated: Thu, 25 Jun 2026 04:33:59 GMT"]
    for cc in COUNTRIES:
        n = net(cc)
        lines.append(f"{int(n.network_address)},{int(n.broadcast_address)},{cc}")
    lines.append(f"{int(ipaddress.ip_address('99.0.0.0'))},{int(ipaddress.ip_address('99.0.255.255'))},??")
    tmp.mkdir(parents=True, exist_ok=True)
    (tmp / "geoip").write_text("\n".join(lines) + "\n")
    return IpKnowledge(tmp, use_fallback=False, libloc=False)


def ev(
    user: str,
    ip: str | None,
    minutes: float,
    ok: bool = True,
    interactive: bool = True,
    asn: int | None = None,
) -> LoginEvent:
    return LoginEvent(
        ts=T0 + dt.timedelta(minutes=minutes),
        user=user,
        src_ip=ip,
        outcome="success" if ok else "failure",
        method="password",
        interactive=interactive,
        source="test",
        line=1,
        format="test",
        asn=asn,
    )
