"""dnsmasq ``log-queries`` (and Pi-hole's pihole.log, written by the same code).

A record is a ``query[TYPE] name from client`` line; ``reply``, ``forwarded``, ``cached``,
``config`` and start-up lines are recognised and skipped. ``log-queries=extra`` adds a serial and
``client/port`` before ``query``. The time has no year: the file's year is used.
"""

from __future__ import annotations

from sekisho.ingest.base import LineRegexFormat, Timestamp

_STAMP = r"(\w{3} +\d{1,2} \d\d:\d\d:\d\d) (?:\S+ )?(?:dnsmasq|pihole-FTL)(?:-dhcp)?\[\d+\]: "


class Dnsmasq(LineRegexFormat):
    name = "dnsmasq"
    title = "dnsmasq / Pi-hole query log (log-queries)"
    kind = "dns"
    signature = (r"^\w{3} +\d{1,2} \d\d:\d\d:\d\d (?:\S+ )?(?:dnsmasq|pihole-FTL)(?:-dhcp)?\[\d+\]: ",)
    signature_lines = 2
    priority = 30
    pattern = "^" + _STAMP + r"(?:\d+ \S+/\d+ )?query\[([A-Za-z0-9]+)\] (\S+) from (\S+)\s*$"
    groups = ("ts", "qtype", "name", "client")
    skip = "^" + _STAMP
    timestamp = Timestamp("syslog")
