"""Windows DNS Server analytic events (ETW): ``Microsoft-Windows-DNSServer/Analytical``.

The DNS Server (Windows Server 2012 R2 with KB2956577, 2016 and later) logs each step of a query
as an event of the provider ``Microsoft-Windows-DNSServer`` (GUID
``{EB79061A-A566-4698-9119-3ED2807060E7}``; Microsoft, "DNS Logging and Diagnostics"). Event 256,
``QUERY_RECEIVED: TCP=%1; InterfaceIP=%2; Source=%3; RD=%4; QNAME=%5; QTYPE=%6; XID=%7; Port=%8;
Flags=%9; …``, is a client's question and gives a row: client ``Source``, name ``QNAME`` (written
with its final dot), time the event's ``TimeCreated`` (UTC). Every other event is skipped with
what it is (:data:`EVENTS`): the responses (257, 258, 284, 285), ignored queries (259, logged after
their 256), the server's own recursion (260–262, 289–291), dynamic updates, zone transfers and
notifies, internal lookups and rate limiting; 286, a QUERY_RECEIVED with EDNS details, is not
counted: only 256 is, so that no query counts twice. The ``Microsoft-Windows-DNSServer/Audit``
channel (events 512–599: zones, records, cache, server settings) carries no queries: its events
are skipped as such.

The same events arrive in three shapes, each a format of this module:

- ``windows-dns-analytic-json``: JSON lines from Elastic Agent's ETW input (the
  ``microsoft_dnsserver`` integration: ``event.code``, ``event.provider``, ``winlog.event_data.*``,
  ``@timestamp``), Winlogbeat (``winlog.event_id``, ``winlog.provider_name``,
  ``winlog.event_data.*``) and NXLog (flat: ``EventID``, ``SourceName``, ``Source``, ``QNAME``,
  ``EventTime``; a time without an offset is read as written);
- ``windows-dns-analytic-xml``: event XML one per line (``Get-WinEvent -Path …Analytical.etl
  -Oldest | ForEach-Object { $_.ToXml() }``, ``wevtutil qe … /f:xml``);
- ``windows-dns-analytic-evtx``: an ``.evtx`` file (``wevtutil epl``, Event Viewer "Save All Events
  As…"), read with python-evtx as ``sysmon-evtx`` reads Sysmon's; recognised when the DNS Server's
  events are among its first records and Sysmon's are not (a log holding both is Sysmon's).
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any, ClassVar

from sekisho.ingest.base import Format, JsonLinesFormat, LineRegexFormat, Timestamp
from sekisho.ingest.formats.evtx import MAGIC, NS, Picked, SysmonEvtx, event_of
from sekisho.ingest.sources import Compression

PROVIDER = "Microsoft-Windows-DNSServer"
GUID = "{EB79061A-A566-4698-9119-3ED2807060E7}"
QUERY_RECEIVED = 256

# Event ids of the provider's manifest (the templates of "DNS Logging and Diagnostics") → why a
# record is skipped. Ranges are inclusive; an id in none of them is "other DNS Server event".
EVENTS: tuple[tuple[int, int, str], ...] = (
    (257, 257, "response sent (257 RESPONSE_SUCCESS), not a query"),
    (258, 258, "response failure (258 RESPONSE_FAILURE), not a query"),
    (259, 259, "query ignored by the server (259 IGNORED_QUERY; its 256 is counted)"),
    (260, 260, "the server's own recursive query (260 RECURSE_QUERY_OUT)"),
    (261, 261, "upstream response to the server's recursion (261 RECURSE_RESPONSE_IN)"),
    (262, 262, "recursion timeout (262 RECURSE_QUERY_TIMEOUT)"),
    (263, 264, "dynamic update (263 DYN_UPDATE_RECV, 264 DYN_UPDATE_RESPONSE)"),
    (265, 276, "zone transfer or notify (265-276 IXFR/AXFR/XFR_NOTIFY)"),
    (277, 278, "dynamic update forwarding (277 DYN_UPDATE_FORWARD, 278 DYN_UPDATE_RESPONSE_IN)"),
    (279, 280, "the server's internal lookup (279 INTERNAL_LOOKUP_CNAME, 280 INTERNAL_LOOKUP_ADDITIONAL)"),
    (281, 283, "response rate limiting (281-283 RRL_TO_BE_*)"),
    (284, 284, "response sent (284 RESPONSE_SUCCESS), not a query"),
    (285, 285, "response failure (285 RESPONSE_FAILURE), not a query"),
    (286, 286, "QUERY_RECEIVED with EDNS details (286): only 256 is counted"),
    (289, 289, "the server's own recursive query (289 RECURSE_QUERY_OUT)"),
    (290, 290, "upstream response to the server's recursion (290 RECURSE_RESPONSE_IN)"),
    (291, 291, "recursion timeout (291 RECURSE_QUERY_TIMEOUT)"),
    (
        512,
        599,
        "audit event (Microsoft-Windows-DNSServer/Audit: zone, record, cache or setting change), no query",
    ),
)
OTHER = "other DNS Server event"


def skip_reason(event_id: int) -> str:
    """Why an event of the DNS Server other than 256 gives no row."""
    return next((reason for lo, hi, reason in EVENTS if lo <= event_id <= hi), OTHER)


def _reasons_sql(col: str) -> str:
    """SQL CASE: the skip reason of the integer event id ``col`` (not 256)."""
    from sekisho.sql import literal

    whens = " ".join(f"WHEN {col} BETWEEN {lo} AND {hi} THEN {literal(reason)}" for lo, hi, reason in EVENTS)
    return f"CASE {whens} ELSE {literal(OTHER)} END"


# --- JSON lines --------------------------------------------------------------------------------

_PROVIDER_RE = (
    r'"(?:provider|provider_name|SourceName|ProviderName)"\s*:\s*"Microsoft-Windows-DNSServer"'
    r'|"(?:channel|Channel)"\s*:\s*"Microsoft-Windows-DNSServer/(?:Analytical|Audit)"'
    r'|(?i:"(?:provider_guid|ProviderGuid)"\s*:\s*"\{?eb79061a-a566-4698-9119-3ed2807060e7\}?")'
)
_SYSMON_RE = r'"(?:Channel|channel)"\s*:\s*"Microsoft-Windows-Sysmon/Operational"'


class _Fields(JsonLinesFormat):
    """The JSON reading (:func:`sekisho.ingest.duckdb_engine.compile_json`) of the records: the
    event id travels in ``status`` and the time, as written, in ``answers``; the DNS Server's
    format below turns them into the skip reason and the UTC time."""

    name = "windows-dns-analytic-json"
    title = "Windows DNS Server analytic events, JSON lines (fields)"
    kind = "dns"
    signature = (_PROVIDER_RE,)
    priority = 13
    timestamp = Timestamp("none")
    paths = {
        "client": ("Source", "winlog/event_data/Source", "event_data/Source"),
        "name": ("QNAME", "winlog/event_data/QNAME", "event_data/QNAME"),
        "status": ("event/code", "winlog/event_id", "EventID", "event_id"),
        "answers": ("@timestamp", "EventTime"),
    }
    # records of other providers in the same export are "other record type"
    where = {
        "event/provider": (PROVIDER, None),
        "winlog/provider_name": (PROVIDER, None),
        "SourceName": (PROVIDER, None),
        "ProviderName": (PROVIDER, None),
        "winlog/provider_guid": (GUID, GUID.lower(), None),
        "ProviderGuid": (GUID, GUID.lower(), None),
    }


class DnsServerAnalyticJson(Format):
    name: ClassVar[str] = "windows-dns-analytic-json"
    title: ClassVar[str] = (
        "Windows DNS Server analytic events (ETW), JSON lines from Elastic Agent, Winlogbeat or NXLog"
    )
    kind = "dns"
    signature: ClassVar[tuple[str, ...]] = (_PROVIDER_RE,)
    priority = 13  # before sysmon-dns-json, which takes any export of Windows events

    def sniff(self, head: list[str]) -> bool:
        """The DNS Server's provider or channel on one of the first lines, Sysmon's on none."""
        import re

        lines = [ln for ln in head if ln.strip()][:20]
        mine, sysmon = re.compile(_PROVIDER_RE), re.compile(_SYSMON_RE)
        return any(mine.search(ln) for ln in lines) and not any(sysmon.search(ln) for ln in lines)

    def compile_duckdb(
        self, path: Path, compression: Compression, mtime: dt.datetime, con: Any
    ) -> tuple[str, int]:
        from sekisho.ingest.duckdb_engine import compile_json

        inner = compile_json(_Fields(), path, compression, mtime)
        eid = "TRY_CAST(status AS INTEGER)"
        mine = "(_state = 'ok' OR _reason = 'record without a name')"  # a DNS Server record
        t = "answers"
        ts = (  # ISO with its offset (Beats) or without (NXLog's local time, as written); epoch s or ms
            f"CASE WHEN regexp_matches({t}, '^[0-9]{{13}}$') THEN make_timestamp(TRY_CAST({t} AS BIGINT) * 1000) "
            f"WHEN regexp_matches({t}, '^[0-9]{{9,10}}([.][0-9]+)?$') "
            f"THEN make_timestamp(TRY_CAST(TRY_CAST({t} AS DOUBLE) * 1000000 AS BIGINT)) "
            f"WHEN regexp_matches({t}, '(Z|[+-][0-9][0-9]:?[0-9][0-9])$') "
            f"THEN CAST(TRY_CAST({t} AS TIMESTAMPTZ) AT TIME ZONE 'UTC' AS TIMESTAMP) "
            f"ELSE TRY_CAST({t} AS TIMESTAMP) END"
        )
        sql = f"""
            SELECT {ts} AS ts, client, name, NULL AS answers, bytes_out, bytes_in, NULL AS status,
                   CASE WHEN NOT {mine} THEN _state
                        WHEN {eid} IS NULL THEN 'skip'
                        WHEN {eid} = {QUERY_RECEIVED} AND coalesce(name, '') <> '' THEN 'ok'
                        ELSE 'skip' END AS _state,
                   CASE WHEN NOT {mine} THEN _reason
                        WHEN {eid} IS NULL THEN 'other record type'
                        WHEN {eid} = {QUERY_RECEIVED} AND coalesce(name, '') <> '' THEN NULL
                        WHEN {eid} = {QUERY_RECEIVED} THEN 'record without a name'
                        ELSE {_reasons_sql(eid)} END AS _reason,
                   _line
            FROM ({inner})"""
        return sql, 0


# --- event XML, one a line ---------------------------------------------------------------------

_XML_EVENT = r"<Provider Name=.Microsoft-Windows-DNSServer.[^>]*>.*?<EventID[^>]*>"


class DnsServerAnalyticXml(LineRegexFormat):
    """Event XML one per line as Windows renders it (``ToXml()``, ``wevtutil qe /f:xml``) or as
    python-evtx does (double quotes, ``SystemTime="2025-08-13 13:04:51.355085+00:00"``): the
    elements in schema order, ``TimeCreated`` before ``EventData``, whose ``Source`` comes
    before ``QNAME`` in event 256's template."""

    name = "windows-dns-analytic-xml"
    title = "Windows DNS Server analytic events (ETW), event XML one per line (Get-WinEvent ToXml, wevtutil)"
    kind = "dns"
    signature = (r"<Event xmlns=.*<Provider Name=.Microsoft-Windows-DNSServer.",)
    signature_lines = 1
    priority = 13
    pattern = (
        _XML_EVENT + r"256</EventID>.*?<TimeCreated SystemTime=.([^'\"]*).[^>]*>.*?"
        r"<Data Name=.Source.>([^<]*)</Data>.*?<Data Name=.QNAME.>([^<]*)</Data>"
    )
    groups = ("ts", "client", "name")
    record_start = _XML_EVENT + r"256</EventID>"
    skips = tuple(
        (
            reason,
            _XML_EVENT
            + (f"{lo}</EventID>" if lo == hi else f"(?:{'|'.join(map(str, range(lo, hi + 1)))})</EventID>"),
        )
        for lo, hi, reason in EVENTS
    ) + ((OTHER, _XML_EVENT), ("other record type", r"^\s*<Event[ >]"))
    timestamp = Timestamp("iso")


# --- .evtx -------------------------------------------------------------------------------------


def dns_server_record(xml: str) -> Picked | None:
    """One record rendered as XML → (EventRecordID, state, reason, row); None for another
    provider's. Raises ValueError on XML that is not an event."""
    record_id, provider, event_id, system, data = event_of(xml)
    if provider != PROVIDER:
        return None
    if not event_id.isdigit():
        return record_id, "skip", OTHER, {}
    if int(event_id) != QUERY_RECEIVED:
        return record_id, "skip", skip_reason(int(event_id)), {}
    created = system.find(f"{NS}TimeCreated")
    stamp = "" if created is None else created.get("SystemTime", "")
    try:
        when = dt.datetime.fromisoformat(stamp.replace("Z", "+00:00"))
    except ValueError:
        when = None
    if when is not None and when.tzinfo is not None:
        when = when.astimezone(dt.UTC).replace(tzinfo=None)
    row: dict[str, str | None] = {
        "ts": None if when is None else when.strftime("%Y-%m-%d %H:%M:%S.%f")[:-3],
        "client": data.get("Source") or None,
        "name": data.get("QNAME"),
    }
    if not data.get("QNAME"):
        return record_id, "skip", "record without a name", row
    return record_id, "ok", None, row


class DnsServerAnalyticEvtx(SysmonEvtx):
    name: ClassVar[str] = "windows-dns-analytic-evtx"
    title: ClassVar[str] = "Windows event log file (.evtx): DNS Server analytic events (256 QUERY_RECEIVED)"

    @staticmethod
    def matches_head(head: bytes) -> bool:
        """An EVTX file whose first records (the first 20 of its first chunk that lie whole in
        ``head``) include the DNS Server's and none of Sysmon's (a log holding both is Sysmon's,
        as a JSON export is)."""
        if not head.startswith(MAGIC):
            return False
        import contextlib

        import Evtx.Evtx as evtx

        from sekisho.ingest.formats.evtx import PROVIDER as SYSMON

        providers: set[str] = set()
        # FileHeader.chunks() yields only chunks whole in the buffer: a 64 KiB head holds none, so
        # the first chunk is read directly, up to the record the head cuts
        with contextlib.suppress(Exception):
            for n, rec in enumerate(evtx.FileHeader(head, 0).first_chunk().records()):
                if n >= 20:
                    break
                providers.add(event_of(rec.xml())[1])
        return PROVIDER in providers and SYSMON not in providers

    def pick(self, xml: str) -> Picked | None:
        return dns_server_record(xml)
