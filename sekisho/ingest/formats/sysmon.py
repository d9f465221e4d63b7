"""Sysmon event 22 (DNSEvent, "Dns query") as JSON lines: Winlogbeat, NXLog and flattened exports.

Sysmon (Microsoft Sysinternals) logs one event 22 per DNS query a process makes through the
Windows resolver, with ``QueryName``, ``QueryStatus``, ``QueryResults``, ``Image`` and ``UtcTime``
(the query's time in UTC, ``2020-10-22 05:54:21.349``). The same fields arrive in three shapes:

- flat (NXLog ``im_msvistalog`` + ``to_json()``, and Logstash/Winlogbeat pipelines that flatten):
  ``EventID``, ``Channel``, ``Hostname``, ``QueryName``, ``UtcTime`` at the top;
- Winlogbeat 7/8 (``winlog.event_id``, ``winlog.channel``, ``winlog.computer_name``,
  ``winlog.event_data.QueryName``, …);
- Winlogbeat 6 (``event_id``, ``computer_name``, ``event_data.QueryName``).

Other events of the same export (other Sysmon events, Security, System) are skipped as "other
record type". The client is the computer's name (Sysmon sees the process, not an address).
"""

from __future__ import annotations

import re

from sekisho.ingest.base import JsonLinesFormat, LineRegexFormat, Timestamp

CHANNEL = "Microsoft-Windows-Sysmon/Operational"


class SysmonDnsJson(JsonLinesFormat):
    name = "sysmon-dns-json"
    title = "Sysmon event 22 (DNS query), JSON lines from Winlogbeat or NXLog"
    kind = "dns"
    signature = (r'"(?:Channel|channel)"\s*:\s*"Microsoft-Windows-Sysmon/Operational"',)
    signature_lines = 1
    priority = 14
    # UtcTime has no offset and is UTC by definition: read it as such (not in the machine's zone)
    timestamp = Timestamp("strptime", "%Y-%m-%d %H:%M:%S.%g")
    paths = {
        "ts": ("UtcTime", "winlog/event_data/UtcTime", "event_data/UtcTime"),
        "client": ("Hostname", "winlog/computer_name", "computer_name", "host/name"),
        "name": ("QueryName", "winlog/event_data/QueryName", "event_data/QueryName"),
        "status": ("QueryStatus", "winlog/event_data/QueryStatus", "event_data/QueryStatus"),
        "answers": ("QueryResults", "winlog/event_data/QueryResults", "event_data/QueryResults"),
    }
    where = {
        "EventID": ("22", None),
        "winlog/event_id": ("22", None),
        "event_id": ("22", None),
        "Channel": (CHANNEL, None),
        "winlog/channel": (CHANNEL, None),
    }

    def sniff(self, head: list[str]) -> bool:
        """Sysmon's channel on any of the first lines, or lines that are all Windows events (a
        mixed export whose first Sysmon event comes later: the others are skipped, and counted)."""
        lines = [ln for ln in head if ln.strip()]
        if any(_SYSMON.search(ln) for ln in lines):
            return True
        return bool(lines) and all(_EVENT.search(ln) and _CHANNEL.search(ln) for ln in lines[:20])


_SYSMON = re.compile(SysmonDnsJson.signature[0])
_EVENT = re.compile(r'^\s*\{.*"(?:EventID|event_id)"\s*:')
_CHANNEL = re.compile(r'"(?:Channel|channel)"\s*:\s*"')


class SysmonDnsXml(LineRegexFormat):
    """Sysmon event 22 as event XML, one event a line: ``Get-WinEvent -LogName
    Microsoft-Windows-Sysmon/Operational | ForEach-Object { $_.ToXml() }``, ``wevtutil qe
    Microsoft-Windows-Sysmon/Operational /f:xml`` with one event per line, or Winlogbeat's
    ``event.original``. Windows renders the elements in schema order (``Provider``, ``EventID``, …,
    ``Computer``, then ``EventData`` with ``UtcTime`` before ``QueryName``), which the pattern
    follows; quotes may be single (Windows) or double (python-evtx). Other events are skipped."""

    name = "sysmon-dns-xml"
    title = "Sysmon event 22 (DNS query), event XML one per line (Get-WinEvent ToXml, wevtutil)"
    kind = "dns"
    signature = (r"<Event xmlns=.*<Provider Name=.Microsoft-Windows-Sysmon.",)
    signature_lines = 1
    priority = 14
    pattern = (
        r"<Provider Name=.Microsoft-Windows-Sysmon.[^>]*>.*?<EventID[^>]*>22</EventID>.*?"
        r"<Computer>([^<]*)</Computer>.*?<Data Name=.UtcTime.>([^<]*)</Data>.*?"
        r"<Data Name=.QueryName.>([^<]*)</Data>(?:.*?<Data Name=.QueryStatus.>([^<]*)</Data>)?"
    )
    groups = ("client", "ts", "name", "status")
    record_start = r"<EventID[^>]*>22</EventID>.*<Data Name=.QueryName.>"
    skips = (("other record type", r"^\s*<Event[ >]"),)
    timestamp = Timestamp("strptime", "%Y-%m-%d %H:%M:%S.%g")
