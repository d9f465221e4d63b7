"""Proxy auto-config (PAC): blocked names (and their subdomains) go to a proxy that does not
exist, everything else DIRECT. The most specific entry decides, so allowed exceptions work."""

from __future__ import annotations

import datetime as dt
import json
import re

from sekisho.export.base import Target
from sekisho.policy import Plan

BLACKHOLE = "PROXY 127.0.0.1:9"  # the discard port: connections fail at once

FUNCTION = """\
function FindProxyForURL(url, host) {
  var h = String(host).toLowerCase();
  if (h.charAt(h.length - 1) == ".") h = h.substring(0, h.length - 1);
  for (;;) {
    if (ALLOWED.hasOwnProperty(h)) return "DIRECT";
    if (BLOCKED.hasOwnProperty(h)) return BLACKHOLE;
    var dot = h.indexOf(".");
    if (dot < 0) return "DIRECT";
    h = h.substring(dot + 1);
  }
}"""


class Pac(Target):
    name = "pac"
    summary = f"proxy auto-config file: blocked names → {BLACKHOLE} (fails at once), others DIRECT"
    suffix = ".pac"
    comment = "//"
    exceptions = True
    # Data enters only as JSON strings of checked names; the function is fixed text.
    grammar = (
        'var BLACKHOLE = "PROXY 127\\.0\\.0\\.1:9";',
        r"var (?:BLOCKED|ALLOWED) = \{\};",
        r"var (?:BLOCKED|ALLOWED) = \{",
        '  "{N}": 1,?',
        r"\};",
        *(re.escape(line) for line in FUNCTION.splitlines()),
    )

    def body(self, plan: Plan, generated: dt.datetime) -> list[str]:
        bl = plan.default
        return [
            f"var BLACKHOLE = {json.dumps(BLACKHOLE)};",
            f"var BLOCKED = {_object(bl.blocked)};",
            f"var ALLOWED = {_object(bl.holes)};",
            FUNCTION,
        ]


def _object(names: tuple[str, ...]) -> str:
    if not names:
        return "{}"
    return "{\n" + ",\n".join(f"  {json.dumps(n)}: 1" for n in names) + "\n}"
