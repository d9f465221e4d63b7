"""Unbound ``log-queries`` (with or without ``log-replies``, ``log-time-ascii``, ``log-tag-queryreply``).

A record is the query message ``info: <client> <name>. <TYPE> <CLASS>`` (Unbound 1.20+ with
``log-tag-queryreply: yes``: ``query: …``). Reply messages (which end in rcode, time, cache flag
and size; ``reply: …`` with the tag), local-zone actions and service messages are skipped, so a
query is counted once even when replies are logged too.

Unbound's own file writes ``[epoch] unbound[pid:tid] `` (or ``Mmm dd hh:mm:ss unbound[pid:tid] ``
with ``log-time-ascii``); through syslog the message is ``[pid:tid] info: …`` after the syslog
header. All are envelopes (:mod:`sekisho.ingest.envelope`): the same declaration reads them all,
and OPNsense's RFC 5424 resolver log too.
"""

from __future__ import annotations

from sekisho.ingest.base import LineRegexFormat, Timestamp

_THREAD = r"(?:\[\d+:[0-9a-fA-F]+\] )?"


class Unbound(LineRegexFormat):
    name = "unbound"
    title = "Unbound log-queries (own log file, syslog, journald, OPNsense)"
    kind = "dns"
    signature = (
        r"^\[\d+:[0-9a-fA-F]+\] (?:info|query|reply|notice|debug|error|warning): ",
        r"^(?:info|query): [0-9A-Fa-f:.]+ \S+\. [A-Z0-9]+ [A-Z]+\s*$",
    )
    signature_lines = 2
    priority = 30
    programs = ("unbound",)
    pattern = r"^" + _THREAD + r"(?:info|query): ([0-9A-Fa-f:.]+) (\S+) ([A-Z0-9]+) ([A-Z]+)\s*$"
    groups = ("client", "name", "qtype", "qclass")
    skips = (
        (
            "reply, not a query",
            r"^" + _THREAD + r"(?:info|reply): [0-9A-Fa-f:.]+ \S+ [A-Z0-9]+ [A-Z]+ \S+ [0-9.]+ \d ",
        ),
        (
            "unbound message, not a query",
            r"^" + _THREAD + r"(?:info|notice|debug|error|warning|query|reply): ",
        ),
    )
    timestamp = Timestamp("none")


class UnboundAscii(Unbound):
    """The ``log-time-ascii`` file: kept as a name for ``--format``; detection says ``unbound``
    (the time is the RFC 3164 envelope's)."""

    name = "unbound-ascii"
    title = "Unbound log-queries, log-time-ascii (same as unbound; kept for --format)"

    def sniff(self, head: list[str]) -> bool:
        return False
