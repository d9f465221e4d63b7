"""Palo Alto Networks PAN-OS traffic, threat and URL-filtering logs, CSV over syslog, by the field
order PAN-OS 10.x/11.x document ("Syslog Field Descriptions")::

    FUTURE_USE, Receive Time, Serial Number, Type, Threat/Content Type, FUTURE_USE, Generated Time,
    Source Address, Destination Address, NAT Source IP, NAT Destination IP, Rule Name, Source User,
    Destination User, Application, Virtual System, Source Zone, Destination Zone, Inbound Interface,
    Outbound Interface, Log Action, FUTURE_USE, Session ID, Repeat Count, Source Port,
    Destination Port, NAT Source Port, NAT Destination Port, Flags, Protocol, Action,
    (traffic) Bytes, Bytes Sent, Bytes Received, … | (threat) URL/Filename, Threat ID, Category, …

The destination of a URL-filtering record (``THREAT``, subtype ``url``) is the host of its URL
(field 31); of any other traffic or threat record, the destination address (a flow, matched by
address). The client is the source address; bytes sent/received (traffic, fields 32/33) are the
bytes. The time is the Generated Time, the firewall's local time as written. Other log types
(SYSTEM, CONFIG, HIP-MATCH, GLOBALPROTECT, …) are skipped.
"""

from __future__ import annotations

from typing import Any

from sekisho.ingest.csvline import PositionalCsvFormat


class PaloAlto(PositionalCsvFormat):
    name = "paloalto"
    title = "Palo Alto Networks PAN-OS traffic / threat / URL logs (CSV syslog)"
    kind = "conn"
    priority = 20
    record = r"(?:^|\s)(\d+,\d{4}/\d\d/\d\d \d\d:\d\d:\d\d,[^,]*,[A-Z-]+,.*)$"
    columns = {"ts": 6, "client": 7, "bytes_out": 32, "bytes_in": 33, "status": 30}
    min_fields = 31
    ts_formats = ("%Y/%m/%d %H:%M:%S",)

    def name_sql(self, f: Any) -> str:
        # the URL's host: before the first '/', without a port (PAN-OS writes "host/path" or "host:port/")
        url_host = f"NULLIF(regexp_extract({f(31)}, '^(?:[a-zA-Z][a-zA-Z0-9+.-]*://)?([^/:?]+)', 1), '')"
        return f"(CASE WHEN {f(3)} = 'THREAT' AND {f(4)} = 'url' THEN {url_host} ELSE {f(8)} END)"

    def skip_sql(self, f: Any) -> list[tuple[str, str]]:
        return [(f"{f(3)} NOT IN ('TRAFFIC', 'THREAT')", "other log type (system, config, …)")]
