"""Unbound ``log-queries`` (with or without ``log-replies``, ``log-time-ascii``).

A record is the query line ``info: <client> <name>. <TYPE> <CLASS>``. Reply lines (which end in
rcode, time, cache flag and size), local-zone action lines, and service messages are skipped, so a
query is counted once even when replies are logged too.
"""

from __future__ import annotations

from sekisho.ingest.base import LineRegexFormat, Timestamp

_QUERY = r"unbound\[\d+:\d+\] info: ([0-9A-Fa-f:.]+) (\S+) ([A-Z0-9]+) ([A-Z]+)\s*$"


class Unbound(LineRegexFormat):
    name = "unbound"
    title = "Unbound log-queries ([epoch] stamps)"
    kind = "dns"
    signature = (r"^\[\d+\] unbound\[\d+:\d+\] ",)
    signature_lines = 2
    priority = 30
    pattern = r"^\[(\d+)\] " + _QUERY
    groups = ("ts", "client", "name", "qtype", "qclass")
    skip = r"^\[\d+\] unbound\[\d+:\d+\] "
    timestamp = Timestamp("epoch")


class UnboundAscii(LineRegexFormat):
    name = "unbound-ascii"
    title = "Unbound log-queries (log-time-ascii stamps)"
    kind = "dns"
    signature = (r"^\w{3} +\d{1,2} \d\d:\d\d:\d\d unbound\[\d+:\d+\] ",)
    signature_lines = 2
    priority = 30
    pattern = r"^(\w{3} +\d{1,2} \d\d:\d\d:\d\d) " + _QUERY
    groups = ("ts", "client", "name", "qtype", "qclass")
    skip = r"^\w{3} +\d{1,2} \d\d:\d\d:\d\d unbound\[\d+:\d+\] "
    timestamp = Timestamp("syslog")
