"""spray-then-success: one address — or its /24 (/48), or its ASN — fails against at least
``min_users`` distinct users within ``window_minutes``, then any success comes from it.

Failures and successes are interactive sign-ins (token refreshes excluded by default); the
organisation's own addresses are not sources (an office NAT where many mistype is no spray), and an
ASN that ``common_asn_share`` of the organisation's users sign in from (a big carrier) is not an
ASN-level source (its address and /24 still are). One
alert per source and day; the detail names the failed users, the window and the success.
"""

from __future__ import annotations

import datetime as dt
import ipaddress
from functools import lru_cache
from typing import Any

from sekisho.audit.model import Alert, Signin
from sekisho.audit.rules.base import Detection, RecentUsers


@lru_cache(maxsize=65_536)
def prefix(ip: str, v4: int, v6: int) -> str | None:
    """The network of ``ip`` (``/24`` or ``/48`` by default); None for a non-address."""
    try:
        a = ipaddress.ip_address(ip)
    except ValueError:
        return None
    return str(ipaddress.ip_network(f"{ip}/{v4 if a.version == 4 else v6}", strict=False))


def sources(s: Signin, p: dict[str, Any], common: bool = False) -> list[str]:
    """Where a sign-in comes from, as spray sources: its address, its network, its ASN (unless the
    ASN is ``common`` in the organisation: a big carrier's thousands of users are no one source)."""
    ip = s.event.src_ip
    out = []
    if ip:
        out.append(ip)
        net = prefix(ip, int(p.get("prefix_v4", 24)), int(p.get("prefix_v6", 48)))
        if net:
            out.append(net)
    if s.event.asn is not None and not common:
        out.append(f"AS{s.event.asn}")
    return out


class SprayThenSuccess(Detection):
    id = "spray-then-success"
    title = "Password spray, then a success"
    sigma = {"type": "value_count", "field": "user", "gte": "min_users", "group_by": ["src_ip"]}

    def __init__(self, ctx: Any) -> None:
        super().__init__(ctx)
        self.window = dt.timedelta(minutes=float(self.p.get("window_minutes", 60)))
        self.min_users = int(self.p.get("min_users", 5))
        self.fails = RecentUsers(self.window)  # source -> user -> the user's last failure from it
        self.done: set[tuple[str, str]] = set()

    def common_asn(self, asn: int | None) -> bool:
        if asn is None:
            return False
        share = len(self.ctx.asn_users.get(asn, ())) / max(len(self.ctx.users), 1)
        return share >= float(self.p.get("common_asn_share", 0.05))

    def observe(self, s: Signin) -> list[Alert]:
        if s.own:
            return []
        t = s.event.ts
        out: list[Alert] = []
        mine = sources(s, self.p, self.common_asn(s.event.asn))
        for src in mine:
            if not s.ok:
                self.fails.add(src, s)
                continue
            live = self.fails.live(src, t)
            if not live or len(live) < self.min_users:
                continue
            day = t.date().isoformat()
            if (src, day) in self.done:
                continue
            self.done.update((m, day) for m in mine)  # one alert per success and per source and day
            failed = sorted(live.values(), key=lambda f: f.event.ts)
            minutes = f"{self.window.total_seconds() / 60:g}"
            out.append(
                self.make_alert(
                    user=s.event.user,
                    subject=f"{src} {t:%Y-%m-%d}",
                    severity="critical",
                    title={"source": src, "n": len(live), "minutes": minutes, "user": s.event.user},
                    signins=[*failed, s],
                    detail={
                        "source": src,
                        "source_kind": "address"
                        if src == s.event.src_ip
                        else ("ASN" if src.startswith("AS") else "prefix"),
                        "failed_users": sorted(live),
                        "failures": [f.describe() for f in failed[:20]],
                        "success": s.describe(),
                        "window_minutes": self.window.total_seconds() / 60,
                        "min_users": self.min_users,
                        "why": "failures against many distinct users from one source, then a success from it",
                    },
                )
            )
        self.fails.tick(t)  # a failure older than the window can never count again
        return out
