"""foreign-access: sign-ins from countries outside the organisation's policy
(``foreign_access.allowed_countries``; empty: the rule is off). For staff or subcontractors
reaching data from abroad. One alert per user and country, with the first and last sign-in and
how many there were; unknown countries never alert (they are counted in the run's notes).
"""

from __future__ import annotations

from typing import Any

from sekisho.audit.model import Alert, Signin
from sekisho.audit.rules.base import Detection
from sekisho.match.ipinfo import UNKNOWN


class ForeignAccess(Detection):
    id = "foreign-access"
    title = "Sign-in from a country outside policy"

    def __init__(self, ctx: Any) -> None:
        super().__init__(ctx)
        self.allowed = {str(c).upper() for c in self.p.get("allowed_countries") or []}
        self.hits: dict[tuple[str, str], list[Signin]] = {}
        self.counts: dict[tuple[str, str], int] = {}

    def observe(self, s: Signin) -> list[Alert]:
        if not self.allowed or not s.ok or s.country == UNKNOWN or s.country in self.allowed or s.own:
            return []
        key = (s.event.user, s.country)
        got = self.hits.setdefault(key, [])
        self.counts[key] = self.counts.get(key, 0) + 1
        if len(got) < 2:
            got.append(s)
        else:
            got[1] = s  # first and latest
        return []

    def finish(self) -> list[Alert]:
        out = []
        for (user, cc), got in sorted(self.hits.items()):
            n = self.counts[(user, cc)]
            out.append(
                self.make_alert(
                    user=user,
                    subject=f"{user} {cc}",
                    severity="medium",
                    title={"user": user, "country": cc, "n": n},
                    signins=got,
                    detail={
                        "country": cc,
                        "allowed_countries": sorted(self.allowed),
                        "sign_ins": n,
                        "first": got[0].describe(),
                        "last": got[-1].describe(),
                        "why": "the organisation's policy allows sign-ins only from the listed countries",
                    },
                )
            )
        return out
