"""What a detection is: ``observe`` each sign-in in time order, ``finish`` at the end; and what
the detections share: one way to make an alert, and the window of recent users per source that
the spray and many-accounts rules count."""

from __future__ import annotations

import datetime as dt
from typing import Any, ClassVar

from sekisho.audit.model import Alert, Context, Signin, titles


class Detection:
    id: ClassVar[str]
    title: ClassVar[str]
    # the Sigma correlation this detection corresponds to (sekisho.audit.sigma), if any
    sigma: ClassVar[dict[str, Any] | None] = None

    def __init__(self, ctx: Context) -> None:
        self.ctx = ctx
        self.p = ctx.rule(self.id)

    def observe(self, s: Signin) -> list[Alert]:
        return []

    def finish(self) -> list[Alert]:
        return []

    def make_alert(
        self,
        *,
        user: str | None,
        subject: str,
        severity: str,
        signins: list[Signin],
        detail: dict[str, Any],
        title: dict[str, Any],
    ) -> Alert:
        """An alert of this rule: its English and Japanese titles from the message table with the
        ``title`` parameters; its severity the rule's ``severity`` setting, else ``severity``."""
        en, ja = titles(self.id, **title)
        return Alert(
            rule=self.id,
            user=user,
            subject=subject,
            severity=str(self.p.get("severity", severity)),
            title=en,
            title_ja=ja,
            signins=signins,
            detail=detail,
        )


class RecentUsers:
    """Per source (an address, a network, an ASN): each user's latest sign-in from it, counted
    while it is within ``window`` of the sign-in being read (sign-ins come in time order)."""

    PRUNE_EVERY = 200_000  # sign-ins between two sweeps of the sources quiet for a window

    def __init__(self, window: dt.timedelta) -> None:
        self.window = window
        self.by: dict[str, dict[str, Signin]] = {}
        self.seen = 0

    def add(self, src: str, s: Signin) -> None:
        self.by.setdefault(src, {})[s.event.user] = s

    def live(self, src: str, t: dt.datetime) -> dict[str, Signin]:
        """The users of ``src`` still within the window at ``t`` (the others are forgotten)."""
        users = self.by.get(src)
        if not users:
            return {}
        live = {u: x for u, x in users.items() if t - x.event.ts <= self.window}
        self.by[src] = live
        return live

    def tick(self, t: dt.datetime) -> None:
        """Count one sign-in; now and then forget the sources quiet for a whole window at ``t``
        (they can never count again)."""
        self.seen += 1
        if self.seen % self.PRUNE_EVERY == 0:
            self.by = {
                k: v for k, v in self.by.items() if any(t - x.event.ts <= self.window for x in v.values())
            }


__all__ = ["Detection", "RecentUsers"]
