"""Log formats and their recognition. A new format is one module in ``formats/`` and one line here."""

from __future__ import annotations

from sekisho.errors import InputError, NotFoundError
from sekisho.ingest import envelope
from sekisho.ingest.base import Format
from sekisho.ingest.formats.adguard import AdGuardQuerylog
from sekisho.ingest.formats.adguard_legacy import AdGuardLegacyQuerylog
from sekisho.ingest.formats.bind import BindQuerylog
from sekisho.ingest.formats.cef import CommonEventFormat
from sekisho.ingest.formats.cisco_asa import CiscoAsaConnection
from sekisho.ingest.formats.coredns import CoreDns
from sekisho.ingest.formats.csv_mapped import CsvMapped
from sekisho.ingest.formats.defender import DefenderNetworkEvents
from sekisho.ingest.formats.dnsmasq import Dnsmasq
from sekisho.ingest.formats.dnstap import Dnstap
from sekisho.ingest.formats.domain_list import DomainList
from sekisho.ingest.formats.evtx import SysmonEvtx
from sekisho.ingest.formats.fortigate import FortiGate
from sekisho.ingest.formats.infoblox import InfobloxQuery
from sekisho.ingest.formats.nfdump import NfdumpCsv
from sekisho.ingest.formats.paloalto import PaloAlto
from sekisho.ingest.formats.pcap import PacketCapture
from sekisho.ingest.formats.pdns_recursor import PowerDnsRecursor
from sekisho.ingest.formats.pihole_db import PiholeFtlDb
from sekisho.ingest.formats.squid import SquidCombined, SquidNative
from sekisho.ingest.formats.squid_logformat import BUILT_IN, SquidLogformat, declare
from sekisho.ingest.formats.suricata import SuricataEve
from sekisho.ingest.formats.sysmon import SysmonDnsJson, SysmonDnsXml
from sekisho.ingest.formats.umbrella import UmbrellaDns
from sekisho.ingest.formats.unbound import Unbound, UnboundAscii
from sekisho.ingest.formats.w3c import W3CExtended
from sekisho.ingest.formats.windows_dns import WindowsDnsDebug
from sekisho.ingest.formats.windows_dns_analytic import (
    DnsServerAnalyticEvtx,
    DnsServerAnalyticJson,
    DnsServerAnalyticXml,
)
from sekisho.ingest.formats.zeek import (
    ZeekConn,
    ZeekConnJson,
    ZeekDns,
    ZeekDnsJson,
    ZeekHttp,
    ZeekHttpJson,
    ZeekSsl,
    ZeekSslJson,
)
from sekisho.ingest.formats.zscaler import ZscalerNss
from sekisho.ingest.sources import Source

FORMATS: dict[str, type[Format]] = {
    "zeek-dns": ZeekDns,
    "zeek-ssl": ZeekSsl,
    "zeek-http": ZeekHttp,
    "zeek-conn": ZeekConn,
    "zeek-dns-json": ZeekDnsJson,
    "zeek-ssl-json": ZeekSslJson,
    "zeek-http-json": ZeekHttpJson,
    "zeek-conn-json": ZeekConnJson,
    "suricata-eve": SuricataEve,
    "sysmon-dns-json": SysmonDnsJson,
    "sysmon-dns-xml": SysmonDnsXml,
    "dnsmasq": Dnsmasq,
    "bind": BindQuerylog,
    "infoblox": InfobloxQuery,
    "cisco-asa": CiscoAsaConnection,
    "fortigate": FortiGate,
    "paloalto": PaloAlto,
    "umbrella-dns": UmbrellaDns,
    "nfdump": NfdumpCsv,
    "cef": CommonEventFormat,
    "zscaler-nss": ZscalerNss,
    "defender-network": DefenderNetworkEvents,
    "unbound": Unbound,
    "unbound-ascii": UnboundAscii,
    "pdns-recursor": PowerDnsRecursor,
    "coredns": CoreDns,
    "squid": SquidNative,
    "squid-combined": SquidCombined,
    "squid-logformat": SquidLogformat,
    "w3c": W3CExtended,
    "windows-dns": WindowsDnsDebug,
    "windows-dns-analytic-json": DnsServerAnalyticJson,
    "windows-dns-analytic-xml": DnsServerAnalyticXml,
    "windows-dns-analytic-evtx": DnsServerAnalyticEvtx,
    "adguard": AdGuardQuerylog,
    "adguard-legacy": AdGuardLegacyQuerylog,
    "pihole-db": PiholeFtlDb,
    "pcap": PacketCapture,
    "dnstap": Dnstap,
    "sysmon-evtx": SysmonEvtx,
    "domains": DomainList,
    "csv": CsvMapped,
}

__all__ = ["FORMATS", "Format", "detect", "get_format"]


def get_format(name: str, mapping: dict[str, str] | None = None) -> Format:
    """The format ``name``; ``mapping`` holds what the user gives it: ``csv``'s columns
    (``name=COL``…), ``squid-logformat``'s line (``{"logformat": "%ts.%03tu …"}``; without one,
    Squid's default ``squid`` layout, as an ``access_log`` that names no format)."""
    try:
        cls = FORMATS[name]
    except KeyError:
        raise NotFoundError(f"unknown format {name!r}; known: {', '.join(FORMATS)}") from None
    if cls is SquidLogformat:
        return declare((mapping or {}).get("logformat") or BUILT_IN["squid"])()
    return CsvMapped(mapping) if cls is CsvMapped else cls()


def detect(source: Source) -> Format:
    """The format of ``source`` from its first lines; a clear error if it is no log we know."""
    from sekisho.errors import Location

    if source.is_sqlite:
        if PiholeFtlDb.is_ftl_db(source.path):
            return PiholeFtlDb()
        raise InputError(
            "an SQLite database, but not a Pi-hole query database (no queries table)",
            Location(source.display),
        )
    # known by their magic numbers (an EVTX file by its first records: the DNS Server's, else Sysmon's)
    for binary in (PacketCapture, Dnstap, DnsServerAnalyticEvtx, SysmonEvtx):
        if binary.matches_head(source.head):
            return binary()
    head = source.head_lines()
    if b"\x00" in source.head[:4096]:
        raise InputError("binary data, not a text log (use --format to force one)", Location(source.display))
    if not any(line.strip() for line in head):
        raise InputError("empty: no lines to read", Location(source.display))
    for cls in sorted(FORMATS.values(), key=lambda c: c.priority):
        if cls in (CsvMapped, PiholeFtlDb, PacketCapture, Dnstap, SysmonEvtx, DnsServerAnalyticEvtx):
            continue
        fmt = cls()
        # under any syslog envelope (RFC 3164/5424, journald, …) or none: sekisho.ingest.envelope
        if envelope.sniff(fmt, head)[0]:
            return fmt
    # the file's shape, never its contents: an error reaches terminals and the dashboard
    first = next(line for line in head if line.strip())
    raise InputError(
        f"not a log format sekisho recognises ({_shape(first, len(head))}); "
        f"use --format with one of: {', '.join(FORMATS)}",
        Location(source.display),
    )


def _shape(first: str, lines: int) -> str:
    """What the first line looks like, in words and counts only (no byte of it is quoted)."""
    size = len(first.rstrip("\r\n").encode("utf-8", "surrogateescape"))
    text = first.strip()
    read = f"{lines} line{'s' if lines != 1 else ''} read"
    if text in ("{", "["):  # a pretty-printed document: JSON logs hold one object a line
        return f"a JSON document spread over many lines, not one JSON object a line as JSON logs are; {read}"
    if text.startswith(("{", "[")):
        kind = "JSON"
    elif "\t" in text:
        kind = f"tab-separated text ({text.count(chr(9)) + 1} fields)"
    elif text.count(",") >= 2:
        kind = f"comma-separated text ({text.count(',') + 1} fields)"
    else:
        words = len(text.split())
        kind = f"text of {words} word{'s' if words != 1 else ''}"
    return f"first line is {size} byte{'s' if size != 1 else ''} of {kind} matching no known format; {read}"
