"""dnsmasq ``log-queries`` (and Pi-hole's pihole.log, written by the same code).

A record is a ``query[TYPE] name from client`` message; ``reply``, ``forwarded``, ``cached``,
``config`` and start-up messages are recognised and skipped. ``log-queries=extra`` adds a serial and
``client/port`` before ``query``. dnsmasq's own log file (``log-facility=/path``) writes
``Mmm dd hh:mm:ss dnsmasq[pid]: ``: the RFC 3164 envelope without a host
(:mod:`sekisho.ingest.envelope`), so the same messages are read from syslog, journald (any output
form) and stderr (``dnsmasq: ``) — or bare (``journalctl -o cat``: the file's time is used).
"""

from __future__ import annotations

from sekisho.ingest.base import LineRegexFormat, Timestamp

_EXTRA = r"(?:\d+ (?:\S+/\d+ )?)?"


class Dnsmasq(LineRegexFormat):
    name = "dnsmasq"
    title = "dnsmasq / Pi-hole query log (log-queries)"
    kind = "dns"
    signature = (r"^" + _EXTRA + r"query\[[A-Za-z0-9]+\] \S+ from \S+\s*$",)
    signature_lines = 2
    priority = 30
    programs = ("dnsmasq", "pihole-FTL", "dnsmasq-dhcp")
    pattern = "^" + _EXTRA + r"query\[([A-Za-z0-9]+)\] (\S+) from (\S+)\s*$"
    groups = ("qtype", "name", "client")
    record_start = "^" + _EXTRA + r"query\["
    skips = (
        (
            "dnsmasq reply/forward/cache line, not a query",
            "^" + _EXTRA + r"(?:reply|forwarded|cached|cached-stale|config|/\S+|validation|"
            r"dnssec-query|dnssec-retry|secure|insecure|bogus|abandoned|ipset add|nftset add) ",
        ),
        (
            "dnsmasq service message",
            r"^(?:started, version|compile time options|warning: |cleared cache|exiting on receipt|"
            r"read |reading |using |failed to |possible DNS-rebind|Maximum number|no servers found|"
            r"DHCP|DNS service limited|asynchronous logging|LOUD WARNING|query-port|DNSSEC|"
            r"setting |ignoring |cannot |error |bad |not giving name|time |inotify|dumping|\d+ )",
        ),
    )
    timestamp = Timestamp("none")
