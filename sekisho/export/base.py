"""What every export target shares: the header, the line templates, the counts.

A line-based target is data: ``block`` is the line (or lines) for one blocked name, ``allow`` the
line for an exception (a name the policy allows under a blocked one), ``prologue``/``epilogue`` wrap
them. Targets whose format is not a list of lines override :meth:`Target.body`.
"""

from __future__ import annotations

import datetime as dt
import ipaddress
import re
from dataclasses import dataclass
from importlib.metadata import PackageNotFoundError, version
from typing import ClassVar

from sekisho.errors import ConfigError
from sekisho.model.names import check_name, describe_char, is_ldh_name
from sekisho.policy import Blocklist, Plan
from sekisho.policy.load import GROUP_NAME

# Pieces of the target grammars (``Target.grammar``): what a name, a group, an address may look like
# in a written line. Names are checked by ``check_plan`` before any target runs; the grammar is the
# second wall: a line that does not match is never written.
NAME = r"[a-z0-9_](?:[a-z0-9_.-]*[a-z0-9_])?"
GROUP = r"[a-z][a-z0-9-]{0,30}"
ADDR = r"[0-9a-f.:]+(?:/[0-9]{1,3})?"
# Characters a comment never carries: line ends of any kind are caught by isprintable(); these are
# the ones some dialect gives a meaning even after its comment sign (Squid continues a line ending
# in a backslash; quotes and ';' end strings and statements).
UNSAFE_IN_COMMENT = set("\\\"';`")


def plain(text: str, limit: int = 300, keep: str = "") -> str:
    """``text`` made safe for a one-line comment in any target: every character that is not
    printable (control characters, line and paragraph separators, bidi overrides) and every quote,
    backslash, semicolon or backtick (except those in ``keep``) becomes ``?``; cut to ``limit``.
    The one helper for anything from a policy, the catalog or a log that enters a header."""
    unsafe = UNSAFE_IN_COMMENT - set(keep) | {"\\"}
    out = "".join("?" if (not ch.isprintable() or ch in unsafe) else ch for ch in text)
    return out if len(out) <= limit else out[: limit - 1] + "…"


def _refuse(what: str, value: str, reason: str) -> ConfigError:
    return ConfigError(f"export refused: {what} {value[:80]!r}: {reason}")


def check_plan(plan: Plan) -> None:
    """Every name, group and address a target could write is valid, or the export is refused.

    Names come from policy files and the catalog, which validate them when they are read; this is
    the check at the other end, so a name that reached a plan another way is still never written."""
    audiences = [(None, plan.default)] + [(g.group, g.blocklist) for g in plan.groups]
    for group, bl in audiences:
        for name in {*bl.blocked, *bl.exact, *bl.holes}:
            try:
                normal = check_name(name)
            except ValueError as e:
                raise _refuse("name", name, str(e)) from None
            if normal != name or not is_ldh_name(name):
                raise _refuse("name", name, f"not in normal form (expected {normal!r})")
        for r in bl.ip_ranges:
            _network(r)
        if group is not None:
            if not GROUP_NAME.fullmatch(group.name):
                raise _refuse("client group", group.name, "lower-case letters, digits and '-'")
            for a in group.addresses:
                _network(a)


def _network(value: str) -> None:
    try:
        ok = str(ipaddress.ip_network(value, strict=False)) == value
    except ValueError:
        ok = False
    if not ok:
        raise _refuse("address range", value, "not a network in normal form (e.g. 192.0.2.0/24)")


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
    # Every line the body may contain, as regular expressions (matched whole); ``{N}``, ``{G}``,
    # ``{A}`` stand for a name, a group name and an address. A line matching none is refused.
    grammar: ClassVar[tuple[str, ...]] = ()

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
        check_plan(plan)
        body = self.body(plan, generated)
        warnings = self.warnings(plan)
        head = self.header(plan, generated, warnings) if self.comment is not None else []
        self.verify(head, body)
        text = "\n".join(head + body) + "\n"
        return Export(self.name, text.encode("utf-8"), self.entries(plan), tuple(warnings))

    def _grammar(self) -> re.Pattern[str]:
        alts = [g.replace("{N}", NAME).replace("{G}", GROUP).replace("{A}", ADDR) for g in self.grammar]
        return re.compile("|".join(f"(?:{a})" for a in alts))

    def verify(self, head: list[str], body: list[str]) -> None:
        """Defence in depth: every header line is one comment of plain text, every body line is one
        the target's grammar allows. Anything else is a bug or an attack, and nothing is written."""
        for line in head:
            if not line.isprintable() or "\\" in line or not line.startswith(f"{self.comment} "):
                raise _refuse("header line", line, "not one plain comment line")
        if not self.grammar:
            raise ConfigError(f"export target {self.name} declares no grammar for its lines")
        pattern = self._grammar()
        for chunk in body:
            for line in chunk.split("\n"):
                if not pattern.fullmatch(line):
                    bad = next((c for c in line if not c.isprintable()), None)
                    why = f"control character {describe_char(bad)}" if bad else "not in the grammar"
                    raise _refuse(f"{self.name} line", line, why)

    def header(self, plan: Plan, generated: dt.datetime, warnings: list[str]) -> list[str]:
        bl = plan.default
        c = self.comment
        lines = [
            f"sekisho {tool_version()} export, format {self.name}: {self.summary}",
            f"catalog {plain(bl.catalog.version)} ({bl.catalog.date.isoformat()}); policy {plain(bl.policy)}",
            f"for {plain(bl.audience)}"
            + (
                f"; client groups: {plain(', '.join(g.group.name for g in plan.groups))}"
                if plan.groups and self.groups
                else ""
            ),
            f"generated {generated.strftime('%Y-%m-%dT%H:%M:%SZ')}",
            f"{self.entries(plan)} entries for {len(bl.services)} blocked service(s)",
            *self.notes,
            *(f"NOTE: {plain(w, 1000, keep=';')}" for w in warnings),
        ]
        return [f"{c} {line}" for line in lines]
