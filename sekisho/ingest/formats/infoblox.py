"""Infoblox NIOS (DDI) DNS query and query/response log.

NIOS writes BIND-like lines, but not BIND's: no ``(name)`` after the client, an optional transport
after the port, and with query/response capture the answer on the same line::

    30-Apr-2013 13:35:02.187 client 10.120.20.32#42386: query: foo.com IN A + (100.90.80.102)
    07-Apr-2013 20:16:49.083 client 11.22.33.44#57398 UDP: query: a2.foo.com IN A response: NOERROR +AED …

(Infoblox's documentation, "Capturing DNS Queries and Responses"; tests/data/README.md cites
the pages.) Auto-detection tries this before BIND, which would refuse these lines. Through syslog
the lines arrive in an RFC 3164 envelope (``named[pid]: ``), stripped first.
"""

from __future__ import annotations

from sekisho.ingest.base import LineRegexFormat, Timestamp

_CLIENT = r"client (?:@0x[0-9a-fA-F]+ )?([0-9A-Fa-f:.]+)#\d+(?: (?:UDP|TCP))?: (?:view \S+: )?"


class InfobloxQuery(LineRegexFormat):
    name = "infoblox"
    title = "Infoblox NIOS DNS query / query-response log"
    kind = "dns"
    signature = (r"client (?:@0x[0-9a-fA-F]+ )?[0-9A-Fa-f:.]+#\d+(?: (?:UDP|TCP))?: (?:view \S+: )?query: ",)
    signature_lines = 1
    priority = 25  # before bind (30): BIND's pattern refuses these lines
    programs = ("named",)
    program_identifies = False  # BIND's named too: the signature decides
    pattern = (
        r"^(?:(\d\d-\w{3}-\d{4} \d\d:\d\d:\d\d\.\d+) )?" + _CLIENT + r"query: (\S+) (\S+) (\S+)"
        r"(?: [+-]\S*)?(?: \([0-9A-Fa-f:.]+\))?(?: response: ([A-Z]+))?"
    )
    groups = ("ts", "client", "name", "qclass", "qtype", "status")
    skip = r"^\d\d-\w{3}-\d{4} \d\d:\d\d:\d\d\.\d+ "
    timestamp = Timestamp("strptime", "%d-%b-%Y %H:%M:%S.%g", optional=True)
