"""impossible-travel: two successful sign-ins of one user whose implied speed is faster than an
airliner over a distance worth believing.

Consecutive interactive successes of a user are compared. No alert when: either address's country
is unknown; the countries are the same or share a land border (Defender for Cloud Apps); the
distance is under ``min_km``; the speed is at most ``speed_kmh``. Sign-ins from the organisation's
own addresses (learned or listed) and from allow-listed ASNs (Private Relay, satellite) are no
travel points: they are skipped and counted in the next alert's detail — except a learned address in
a home country (``organisation_addresses.home_countries``), which is an office: a place. Distances are between
country positions (countryinfo), so the rule is coarse by design and says so.
"""

from __future__ import annotations

from typing import Any

from sekisho.audit.model import Alert, Signin
from sekisho.audit.rules.base import Detection
from sekisho.match.ipinfo import COUNTRY_DATA, UNKNOWN, borders, distance_km


def judge(a: Signin, b: Signin, p: dict[str, Any]) -> tuple[bool, dict[str, Any]]:
    """Whether the pair ``a`` then ``b`` is impossible travel, and the numbers that decided it.
    Symmetric: the verdict depends on the two places and the time between them only."""
    ca, cb = a.country, b.country
    hours = abs((b.event.ts - a.event.ts).total_seconds()) / 3600
    facts: dict[str, Any] = {"hours": round(hours, 3)}
    if ca == UNKNOWN or cb == UNKNOWN:
        return False, {**facts, "why_not": "a country is unknown"}
    if ca == cb:
        return False, {**facts, "why_not": "same country"}
    if p.get("suppress_bordering", True) and borders(ca, cb):
        return False, {**facts, "why_not": "bordering countries"}
    km = distance_km(ca, cb)
    if km is None:
        return False, {**facts, "why_not": "no position for a country"}
    # a minute at least: two sign-ins in one second are not ∞ km/h. The verdict is on the numbers
    # the alert shows (whole km, whole km/h), so an alert never reads "900 km/h > 900".
    km_shown, speed_shown = round(km), round(km / max(hours, 1 / 60))
    facts.update(distance_km=km_shown, speed_kmh=speed_shown)
    if km_shown < float(p.get("min_km", 500)):
        return False, {**facts, "why_not": "under the distance threshold"}
    if speed_shown <= float(p.get("speed_kmh", 900)):
        return False, {**facts, "why_not": "possible at airliner speed"}
    return True, facts


class ImpossibleTravel(Detection):
    id = "impossible-travel"
    title = "Impossible travel"

    def __init__(self, ctx: Any) -> None:
        super().__init__(ctx)
        self.last: dict[str, Signin] = {}
        self.skipped: dict[str, int] = {}
        self.done: set[tuple[str, str, str, str]] = set()

    def observe(self, s: Signin) -> list[Alert]:
        if not s.ok:
            return []
        user = s.event.user
        if not self.ctx.travel_point(s):
            self.skipped[user] = self.skipped.get(user, 0) + 1
            return []
        prev = self.last.get(user)
        self.last[user] = s
        if prev is None:
            return []
        hit, facts = judge(prev, s, self.p)
        if not hit:
            return []
        pair = tuple(sorted((prev.country, s.country)))
        once = (user, pair[0], pair[1], s.event.ts.date().isoformat())
        if once in self.done:
            return []
        self.done.add(once)
        skipped = self.skipped.pop(user, 0)
        title = {"user": user, "a": prev.country, "b": s.country, "km": facts["distance_km"],
                 "hours": f"{facts['hours']:.2f}", "speed": facts["speed_kmh"]}  # fmt: skip
        return [
            self.make_alert(
                user=user,
                subject=f"{user} {prev.country}->{s.country} {prev.event.ts:%Y-%m-%dT%H:%M}",
                severity="high",
                title=title,
                signins=[prev, s],
                detail={
                    "from": prev.describe(),
                    "to": s.describe(),
                    **facts,
                    "thresholds": {
                        "speed_kmh": self.p.get("speed_kmh", 900),
                        "min_km": self.p.get("min_km", 500),
                        "bordering_suppressed": self.p.get("suppress_bordering", True),
                    },
                    "distance_basis": f"between country positions, not cities ({COUNTRY_DATA})",
                    "skipped_between": {
                        "count": skipped,
                        "why": "sign-ins from the organisation's own or allow-listed addresses, or of unknown country",
                    },
                    "why": "faster than an airliner between countries that are neither the same nor bordering",
                },
            )
        ]
