"""Cisco ASA / Firepower Threat Defense connection records: ``%ASA-6-302013`` (TCP) and
``%ASA-6-302015`` (UDP), "Built … connection".

Cisco's message reference (ASA Series Syslog Messages, 302013)::

    %ASA-6-302013: Built {inbound|outbound} TCP connection_id for interface:real_address/real_port
        (mapped_address/mapped_port) [(idfw_user)] to interface:real_address/real_port
        (mapped_address/mapped_port) [(idfw_user)] [(user)]

For an *outbound* connection the ``for`` side is the foreign host and ``to`` the inside initiator;
for an *inbound* one the reverse. The row's name is the destination's address (no name is logged:
a flow record), its client the initiator. Other ASA messages (teardowns, denies, VPN) are
recognised and skipped. The device's own stamp (``logging timestamp``: ``Aug 01 2023 14:01:20``,
with its year) wins over the syslog server's.
"""

from __future__ import annotations

from sekisho.ingest.base import LineRegexFormat, Timestamp

_ADDR = r"[0-9A-Fa-f:.]+"
_SIDE = r"\S+:(" + _ADDR + r")/\d+(?: \(\S+\))?(?: ?\([^)]*\))*"


class CiscoAsaConnection(LineRegexFormat):
    name = "cisco-asa"
    title = "Cisco ASA / FTD connection records (%ASA-6-302013, 302015)"
    kind = "conn"
    signature = (r"%(?:ASA|FTD)-\d-\d{6}: ",)
    signature_lines = 1
    priority = 20
    pattern = (
        r"(?:(\w{3} +\d{1,2} \d{4} \d\d:\d\d:\d\d)(?:\.\d+)?:? (?:\S+ )?:? ?)?"
        r"%(?:ASA|FTD)-\d-30201[35]: Built (?:"
        r"outbound (?:TCP|UDP) connection \d+ for " + _SIDE + r" to " + _SIDE + r"|"
        r"inbound (?:TCP|UDP) connection \d+ for " + _SIDE + r" to " + _SIDE + r")"
    )
    groups = ("ts", "name", "client", "client_2", "name_2")
    record_start = r"%(?:ASA|FTD)-\d-30201[35]: "
    skips = (("other ASA/FTD message", r"%(?:ASA|FTD)-\d-\d{6}: "),)
    timestamp = Timestamp("strptime", "%b %d %Y %H:%M:%S", optional=True)
