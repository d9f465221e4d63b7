"""BIND response policy zone (RPZ): the name and ``*.name`` answer 0.0.0.0 / ::; an allowed name
under a blocked one is ``rpz-passthru``. Load it with ``response-policy { zone "rpz.sekisho"; };``.
Client groups: one zone per group (``--group NAME``), each in a view that matches the group."""

from __future__ import annotations

import datetime as dt
from typing import ClassVar

from sekisho.export.base import Target
from sekisho.policy import Plan


class Bind(Target):
    name = "bind"
    summary = "BIND response policy zone (RPZ) file: the name and *.name answer 0.0.0.0 / ::"
    suffix = ".zone"
    comment = ";"
    exceptions = True
    notes = (
        'load as zone "rpz.sekisho" (type primary) and name it in options { response-policy { zone "rpz.sekisho"; }; }',
    )
    prologue = (
        "$TTL 300\n@ IN SOA localhost. hostmaster.localhost. {serial} 3600 600 86400 300\n@ IN NS localhost."
    )
    block = "{name} A 0.0.0.0\n{name} AAAA ::\n*.{name} A 0.0.0.0\n*.{name} AAAA ::"
    allow = "{name} CNAME rpz-passthru.\n*.{name} CNAME rpz-passthru."
    grammar = (
        r"\$TTL 300",
        r"@ IN SOA localhost\. hostmaster\.localhost\. [0-9]+ 3600 600 86400 300",
        r"@ IN NS localhost\.",
        r"(?:\*\.)?{N} (?:A 0\.0\.0\.0|AAAA ::|CNAME rpz-passthru\.)",
    )
    group_hint: ClassVar[str] = "export one zone per group with --group NAME and load each in a BIND view"

    def body(self, plan: Plan, generated: dt.datetime) -> list[str]:
        lines = super().body(plan, generated)
        # The serial is the generation time (seconds since 1970, modulo 2^32): newer exports are newer zones.
        lines[0] = self.prologue.format(serial=int(generated.timestamp()) % 2**32)
        return lines
