"""many-accounts-one-ip: successful sign-ins of at least ``min_users`` distinct users from one
address within ``window_minutes`` — stolen credentials or cookies replayed from one machine.

The organisation's own addresses (learned or listed) and allow-listed ASNs are not counted: many
users behind one office NAT or VPN egress is what those addresses are. One alert per address and day.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sekisho.audit.model import Alert, Signin
from sekisho.audit.rules.base import Detection, RecentUsers


class ManyAccountsOneIp(Detection):
    id = "many-accounts-one-ip"
    title = "Many accounts from one address"
    sigma = {"type": "value_count", "field": "user", "gte": "min_users", "group_by": ["src_ip"]}

    def __init__(self, ctx: Any) -> None:
        super().__init__(ctx)
        self.window = dt.timedelta(minutes=float(self.p.get("window_minutes", 60)))
        self.min_users = int(self.p.get("min_users", 5))
        self.ok = RecentUsers(self.window)
        self.done: set[tuple[str, str]] = set()

    def observe(self, s: Signin) -> list[Alert]:
        ip = s.event.src_ip
        if not s.ok or not ip or s.own or s.allowed or s.facts.private:
            return []
        t = s.event.ts
        self.ok.tick(t)
        self.ok.add(ip, s)
        live = self.ok.live(ip, t)
        once = (ip, t.date().isoformat())
        if len(live) < self.min_users or once in self.done:
            return []
        self.done.add(once)
        got = sorted(live.values(), key=lambda x: x.event.ts)
        minutes = f"{self.window.total_seconds() / 60:g}"
        return [
            self.make_alert(
                user=None,
                subject=f"{ip} {t:%Y-%m-%d}",
                severity="high",
                title={"n": len(live), "ip": ip, "country": s.country, "minutes": minutes},
                signins=got,
                detail={
                    "ip": ip,
                    "country": s.country,
                    "country_database": s.facts.database,
                    "users": sorted(live),
                    "sign_ins": [x.describe() for x in got[:20]],
                    "window_minutes": self.window.total_seconds() / 60,
                    "min_users": self.min_users,
                    "why": "successful sign-ins of many distinct users from one address that is not the organisation's own",
                },
            )
        ]
