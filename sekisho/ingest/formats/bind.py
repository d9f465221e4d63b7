"""BIND 9 query log (``querylog yes``), with or without ``print-time``/``print-category``.

``client @0x… 10.0.0.5#53000 (name): [view v: ]query: name IN A +E(0)K (server)``. Without
print-time the line has no time at all: the file's modification time is used. Lines of other
categories (query-errors, general) in the same file are skipped.
"""

from __future__ import annotations

from sekisho.ingest.base import LineRegexFormat, Timestamp

_PREFIX = r"(?:(\d\d-\w{3}-\d{4} \d\d:\d\d:\d\d\.\d+) )?(?:queries: \w+: )?"


class BindQuerylog(LineRegexFormat):
    name = "bind"
    title = "BIND 9 query log"
    kind = "dns"
    signature = (
        r"client (?:@0x[0-9a-f]+ )?[0-9A-Fa-f:.]+#\d+ \(\S+\): (?:view \S+: )?query: ",
        r"^\d\d-\w{3}-\d{4} \d\d:\d\d:\d\d\.\d+ [a-z-]+: [a-z]+: ",
    )
    signature_lines = 1
    priority = 30
    pattern = (
        "^" + _PREFIX + r"client (?:@0x[0-9a-f]+ )?([0-9A-Fa-f:.]+)#\d+ \(\S+\): (?:view \S+: )?"
        r"query: (\S+) (\S+) (\S+) "
    )
    groups = ("ts", "client", "name", "qclass", "qtype")
    skip = r"^\d\d-\w{3}-\d{4} \d\d:\d\d:\d\d\.\d+ "
    timestamp = Timestamp("strptime", "%d-%b-%Y %H:%M:%S.%g", optional=True)
