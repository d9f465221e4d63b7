"""What every export target shares: the header, the line templates, the counts.

A line-based target is data: ``block`` is the line (or lines) for one blocked name, ``allow`` the
line for an exception (a name the policy allows under a blocked one), ``prologue``/``epilogue`` wrap
them. Targets whose format is not a list of lines override :meth:`Target.body`.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from importlib.metadata import PackageNotFoundError, version
from typing import ClassVar

from sekisho.policy import Blocklist, Plan


@dataclass(frozen=True)
class Export:
    """One written export: the bytes, how many entries it holds, and what the admin must know."""

    target: str
    data: bytes
    entries: int
    warnings: tuple[str, ...] = ()

    @property
    def size(self) -> int:
        return len(self.data)


def tool_version() -> str:
    try:
        return version("sekisho")
    except PackageNotFoundError:
        return "unknown"


class Target:
    name: ClassVar[str]
    summary: ClassVar[str]
    suffix: ClassVar[str] = ".txt"
    comment: ClassVar[str | None] = "#"  # None: the format has no comments (JSON)
    subdomains: ClassVar[bool] = True  # an entry also blocks every name under it
    exceptions: ClassVar[bool] = False  # can let an allowed name under a blocked one through
    groups: ClassVar[bool] = False  # per-client-group rules in the same file
    prologue: ClassVar[str] = ""
    block: ClassVar[str] = ""  # format fields: {name} (and {comment})
    allow: ClassVar[str] = ""
    epilogue: ClassVar[str] = ""
    notes: ClassVar[tuple[str, ...]] = ()  # always printed in the header
    group_hint: ClassVar[str] = (
        "export one file per group with --group NAME and deploy it where those clients are"
    )

    # -- what goes in -------------------------------------------------------------------------
    def names(self, bl: Blocklist) -> tuple[str, ...]:
        return bl.blocked if self.subdomains else bl.exact

    def holes(self, bl: Blocklist) -> tuple[str, ...]:
        return bl.holes if self.subdomains and self.exceptions else ()

    # -- the file -----------------------------------------------------------------------------
    def body(self, plan: Plan, generated: dt.datetime) -> list[str]:
        bl = plan.default
        lines = [self.prologue] if self.prologue else []
        lines += [self.block.format(name=n) for n in self.names(bl)]
        lines += [self.allow.format(name=n) for n in self.holes(bl)]
        if self.epilogue:
            lines.append(self.epilogue)
        return lines

    def entries(self, plan: Plan) -> int:
        bl = plan.default
        return len(self.names(bl)) + len(self.holes(bl))

    def warnings(self, plan: Plan) -> list[str]:
        bl = plan.default
        out = []
        if not self.subdomains:
            out.append(
                "this format blocks only the exact names listed, not the names under them "
                "(a.example.com is NOT blocked by example.com); prefer a DNS export"
            )
        elif bl.holes and not self.exceptions:
            out.append(
                f"the policy allows {len(bl.holes)} name(s) under blocked names "
                f"({', '.join(bl.holes[:3])}{', …' if len(bl.holes) > 3 else ''}); "
                "this format has no exceptions, so they are blocked too"
            )
        if plan.groups and not self.groups:
            out.append(
                f"client groups ({', '.join(g.group.name for g in plan.groups)}) are not in this file: "
                f"it applies to every client that uses it; {self.group_hint}"
            )
        return out

    def render(self, plan: Plan, generated: dt.datetime) -> Export:
        body = self.body(plan, generated)
        warnings = self.warnings(plan)
        head = self.header(plan, generated, warnings) if self.comment is not None else []
        text = "\n".join(head + body) + "\n"
        return Export(self.name, text.encode("utf-8"), self.entries(plan), tuple(warnings))

    def header(self, plan: Plan, generated: dt.datetime, warnings: list[str]) -> list[str]:
        bl = plan.default
        c = self.comment
        lines = [
            f"sekisho {tool_version()} export, format {self.name}: {self.summary}",
            f"catalog {bl.catalog.version} ({bl.catalog.date.isoformat()}); policy {bl.policy}",
            f"for {bl.audience}"
            + (
                f"; client groups: {', '.join(g.group.name for g in plan.groups)}"
                if plan.groups and self.groups
                else ""
            ),
            f"generated {generated.strftime('%Y-%m-%dT%H:%M:%SZ')}",
            f"{self.entries(plan)} entries for {len(bl.services)} blocked service(s)",
            *self.notes,
            *(f"NOTE: {w}" for w in warnings),
        ]
        return [f"{c} {line}" for line in lines]
