"""What a detection is: ``observe`` each sign-in in time order, ``finish`` at the end."""

from __future__ import annotations

from typing import Any, ClassVar

from sekisho.audit.model import Alert, Context, Signin


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


__all__ = ["Detection"]
