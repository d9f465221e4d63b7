"""new-country / new-asn: a user's successful sign-in from a country (an ASN) the user has never
used, after the user's learning period of min(``learning.days``, ``learning.sign_ins``).

Organisation-wide rarity: a country (ASN) that at least ``common_share`` of the organisation's users
already sign in from, outside its own addresses, raises no alert (counted in the run's notes); the
detail of an alert says how many others use it. Unknown countries and sign-ins from the organisation's own addresses teach and alert
nothing. new-asn needs ASNs: from the export (Okta, Entra), else a user's MMDB or Debian's
libloc-database (:mod:`sekisho.match.ipinfo`) — without any it stays silent and the run's notes say so.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sekisho.audit.model import Alert, Signin, titles
from sekisho.audit.rules.base import Detection
from sekisho.match.ipinfo import UNKNOWN


class _NewPlace(Detection):
    what = "country"

    def __init__(self, ctx: Any) -> None:
        super().__init__(ctx)
        learning = dict(ctx.params.get("learning") or {})
        self.days = dt.timedelta(days=float(learning.get("days", 14)))
        self.count = int(learning.get("sign_ins", 10))
        self.first: dict[str, dt.datetime] = {}
        self.n: dict[str, int] = {}
        self.seen: dict[str, dict[Any, Signin]] = {}

    def place(self, s: Signin) -> Any:
        raise NotImplementedError

    def observe(self, s: Signin) -> list[Alert]:
        if not s.ok or s.own:
            return []
        place = self.place(s)
        if place is None:
            return []
        user = s.event.user
        first = self.first.setdefault(user, s.event.ts)
        n = self.n[user] = self.n.get(user, 0) + 1
        known = self.seen.setdefault(user, {})
        learning = n <= self.count and s.event.ts - first < self.days
        if place in known:
            return []
        known[place] = s
        if learning:
            return []
        others = len(self.users_of(place) - {user})
        if others / max(len(self.ctx.users), 1) >= float(self.p.get("common_share", 0.05)):
            self.ctx.suppressed[self.id] = self.ctx.suppressed.get(self.id, 0) + 1
            return []
        return [self.alert(s, place, known)]

    def users_of(self, place: Any) -> set[str]:
        return self.ctx.country_users.get(place, set())

    def alert(self, s: Signin, place: Any, known: dict[Any, Signin]) -> Alert:
        raise NotImplementedError


class NewCountry(_NewPlace):
    id = "new-country"
    title = "Sign-in from a new country"

    def place(self, s: Signin) -> Any:
        return None if s.country == UNKNOWN else s.country

    def alert(self, s: Signin, place: Any, known: dict[Any, Signin]) -> Alert:
        user = s.event.user
        others = len(self.users_of(place) - {user})
        total = max(len(self.ctx.users), 1)
        share = others / total
        before = sorted(k for k in known if k != place)
        return self.make_alert(
            user=user,
            subject=f"{user} {place}",
            severity="medium",
            title={"user": user, "country": place, "before": ", ".join(before)},
            signins=[s],
            detail={
                "signin": s.describe(),
                "countries_before": before,
                "first_seen_of_user": self.first[user].isoformat(),
                "sign_ins_of_user": self.n[user],
                "organisation": {
                    "other_users_from_country": others,
                    "users": total,
                    "share": round(share, 4),
                    "common_share": self.p.get("common_share", 0.05),
                },
                "learning": {"days": self.days.days, "sign_ins": self.count},
                "why": "a successful sign-in from a country this user never used, after the learning period, "
                "and rare in the organisation",
            },
        )


class NewAsn(_NewPlace):
    id = "new-asn"
    title = "Sign-in from a new network (ASN)"

    def place(self, s: Signin) -> Any:
        return s.event.asn

    def users_of(self, place: Any) -> set[str]:
        return self.ctx.asn_users.get(place, set())

    def alert(self, s: Signin, place: Any, known: dict[Any, Signin]) -> Alert:
        user = s.event.user
        before = sorted(k for k in known if k != place)
        title, title_ja = titles(self.id, user=user, asn=place, org=s.event.asn_org or "")
        return Alert(
            rule=self.id,
            user=user,
            subject=f"{user} AS{place}",
            severity=str(self.p.get("severity", "low")),
            title=title.rstrip(),
            title_ja=title_ja.rstrip(),
            signins=[s],
            detail={
                "signin": s.describe(),
                "asns_before": before,
                "asn_source": s.facts.asn_database
                if s.facts.asn_database and s.facts.asn == s.event.asn
                else "the export's own field (securityContext.asNumber / autonomousSystemNumber)",
                "learning": {"days": self.days.days, "sign_ins": self.count},
                "why": "a successful sign-in from a network this user never used, after the learning period",
            },
        )
