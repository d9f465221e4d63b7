"""Issue 17: Windows DNS Server analytic events (ETW, ``Microsoft-Windows-DNSServer/Analytical``)
and its audit channel, as JSON lines, event XML and EVTX.

The JSON lines are real exported events: ``ETW_EVENTS`` are the four events of Elastic's
``microsoft_dnsserver`` integration test (Elastic Agent's ETW input on a Windows Server 2022 DNS
server, addresses replaced by Elastic's documentation ranges), ``AUDIT_EVENTS`` the three of its
audit test (Winlogbeat's ``winlog`` input), each written on one line, otherwise verbatim; the NXLog
audit record is Google SecOps' documented NXLog example, verbatim. Lines no export at hand has —
an NXLog event 256, the event XML, the EVTX record — are built field by field from the event
template of Microsoft's "DNS Logging and Diagnostics" (``QUERY_RECEIVED: TCP=%1; InterfaceIP=%2;
Source=%3; RD=%4; QNAME=%5; QTYPE=%6; XID=%7; Port=%8; Flags=%9; …``) with the values of those real
events; the test says where. Sources and commits: tests/data/README.md. Expected values are read
off the events by hand, never from sekisho.
"""

from __future__ import annotations

import datetime as dt
import itertools
import json
import os
import struct
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from sekisho.ingest import detect
from sekisho.ingest.formats.windows_dns_analytic import (
    EVENTS,
    DnsServerAnalyticEvtx,
    dns_server_record,
    skip_reason,
)
from sekisho.ingest.sources import open_source
from sekisho.store import Store
from tests.realworld.test_sysmon import RECORD_1084, scan

# elastic/integrations packages/microsoft_dnsserver/data_stream/analytical/_dev/test/pipeline/
# test-events.json at 4290c51bdb8a485b400038e40a06401466b4d565: events 257, 261, 256, 259
ETW_EVENTS = """\
{"@timestamp":"2024-04-22T09:31:13.894Z","winlog":{"process_id":"852","thread_id":"3668","task":"1","keywords":"9223372036854775810","provider_guid":"{EB79061A-A566-4698-9119-3ED2807060E7}","session":"Elastic-DNSServer-Analytical","channel":"16","flags":"576","event_data":{"AA":"0","TCP":"0","AdditionalInfo":"VirtualizationInstance:.","Destination":"216.160.83.56","AD":"0","QNAME":"google.es.","Zone":"..Cache","Port":"59560","GUID":"{BF629903-4288-435F-9182-470BEDF5C0A4}","ElapsedTime":"9","Flags":"33152","BufferSize":"55","XID":"7","DNSSEC":"0","Scope":"Default","QTYPE":"28","PolicyName":"NULL","InterfaceIP":"172.31.87.64","RCODE":"0","PacketData":"0x00078180000100010000000006676F6F676C6502657300001C0001C00C001C00010000012C00102607F8B040040C17000000000000005E"},"opcode":"0","version":0,"activity_guid":"{00000000-0000-0000-0000-000000000000}"},"log":{"level":"information"},"input":{"type":"etw"},"event":{"severity":4,"agent_id_status":"verified","ingested":"2024-04-22T09:31:25Z","code":"257","provider":"Microsoft-Windows-DNSServer","created":"2024-04-22T09:31:15.845Z","kind":"event","dataset":"microsoft_dnsserver.analytical"}}
{"@timestamp":"2024-04-22T09:31:13.894Z","winlog":{"process_id":"852","thread_id":"3668","task":"2","keywords":"9223372036854775840","provider_guid":"{EB79061A-A566-4698-9119-3ED2807060E7}","session":"Elastic-DNSServer-Analytical","channel":"16","flags":"576","event_data":{"TCP":"0","AA":"1","AdditionalInfo":".","AD":"0","QNAME":"google.es.","Port":"0","GUID":"{BF629903-4288-435F-9182-470BEDF5C0A4}","Flags":"33792","Source":"175.16.199.8","CacheScope":"Default","BufferSize":"66","XID":"14383","QTYPE":"28","QueriesAttached":"0","RecursionDepth":"1","InterfaceIP":"0.0.0.0","RecursionScope":".","PacketData":"0x382F8400000100010000000106676F6F676C6502657300001C0001C00C001C00010000012C00102607F8B040040C17000000000000005E0000290200000080000000"},"opcode":"0","version":0,"activity_guid":"{00000000-0000-0000-0000-000000000000}"},"log":{"level":"information"},"input":{"type":"etw"},"event":{"severity":4,"agent_id_status":"verified","ingested":"2024-04-22T09:31:25Z","code":"261","provider":"Microsoft-Windows-DNSServer","created":"2024-04-22T09:31:15.845Z","kind":"event","dataset":"microsoft_dnsserver.analytical"}}
{"@timestamp":"2024-04-22T09:31:13.872Z","agent":{"name":"EC2AMAZ-253CQ8C","id":"08ea6913-ff37-4a14-949a-6ff920697c89","type":"filebeat","ephemeral_id":"517f621d-b51c-4d7c-8827-b2d187ffd7c8","version":"8.13.0"},"winlog":{"process_id":"852","thread_id":"3668","task":"1","keywords":"9223372036854775809","provider_guid":"{EB79061A-A566-4698-9119-3ED2807060E7}","session":"Elastic-DNSServer-Analytical","flags":"576","channel":"16","event_data":{"TCP":"0","AdditionalInfo":".","QNAME":"google.es.","Port":"59559","GUID":"{73A2D33C-B319-42F5-8EEF-46776AF0D9B7}","Flags":"256","Source":"67.43.156.1","BufferSize":"27","XID":"6","RD":"1","QTYPE":"1","InterfaceIP":"172.31.87.64","PacketData":"0x00060100000100000000000006676F6F676C650265730000010001"},"opcode":"0","version":0,"activity_guid":"{00000000-0000-0000-0000-000000000000}"},"log":{"level":"information"},"elastic_agent":{"id":"08ea6913-ff37-4a14-949a-6ff920697c89","version":"8.13.0","snapshot":true},"cloud":{"availability_zone":"us-east-1a","image":{"id":"ami-0f9c44e98edf38a2b"},"instance":{"id":"i-07681ae1abc085baf"},"provider":"aws","machine":{"type":"t2.medium"},"service":{"name":"EC2"},"region":"us-east-1","account":{"id":"12345678"}},"input":{"type":"etw"},"data_stream":{"namespace":"default","type":"logs","dataset":"microsoft_dnsserver.analytical"},"host":{"hostname":"ec2amaz-253cq8c","os":{"build":"20348.2322","kernel":"10.0.20348.2322 (WinBuild.160101.0800)","name":"Windows Server 2022 Datacenter","family":"windows","type":"windows","version":"10.0","platform":"windows"},"ip":["fe80::dd4a:8121:e72b:6f21","172.31.87.64"],"name":"ec2amaz-253cq8c","id":"6e134718-e196-4a81-8c7d-db595a4b6452","mac":["12-7E-D2-0B-F3-35"],"architecture":"x86_64"},"event":{"severity":4,"agent_id_status":"verified","ingested":"2024-04-22T09:31:25Z","code":"256","provider":"Microsoft-Windows-DNSServer","kind":"event","created":"2024-04-22T09:31:14.845Z","dataset":"microsoft_dnsserver.analytical"}}
{"@timestamp":"2024-04-22T09:44:35.017Z","winlog":{"process_id":"852","thread_id":"4196","task":"1","keywords":"9223372036854775816","provider_guid":"{EB79061A-A566-4698-9119-3ED2807060E7}","session":"Elastic-DNSServer-Analytical","channel":"16","flags":"576","event_data":{"TCP":"0","AdditionalInfo":".","XID":"23472","QNAME":"example.com.","Zone":"NULL","QTYPE":"1","PolicyName":"NULL","InterfaceIP":"0.0.0.0","Source":"216.160.83.56","Reason":"System"},"opcode":"0","version":0,"activity_guid":"{00000000-0000-0000-0000-000000000000}"},"log":{"level":"error"},"input":{"type":"etw"},"event":{"severity":2,"agent_id_status":"verified","ingested":"2024-04-22T09:44:38Z","code":"259","provider":"Microsoft-Windows-DNSServer","created":"2024-04-22T09:44:36.038Z","kind":"event","dataset":"microsoft_dnsserver.analytical"}}
"""

# the same package, data_stream/audit/_dev/test/pipeline/test-events.json at
# c81e9fe78b8c969e7b96b4a6486e10b6a9fc3d94: Winlogbeat events 577 (policy), 540 (root hints), 536 (cache purge)
AUDIT_EVENTS = """\
{"@timestamp":"2024-04-23T09:16:40.645Z","winlog":{"computer_name":"EC2AMAZ-253CQ8C","process":{"pid":852,"thread":{"id":7708}},"keywords":["AUDIT_POLICY"],"channel":"Microsoft-Windows-DNSServer/Audit","event_data":{"Policy":"BlackholePolicy","Condition":"And","Action":"Ignore","Type":"Query processing","ProcessingOrder":"1","IsEnabled":"True","ServerName":"EC2AMAZ-253CQ8C","Criteria":"FQDN=EQ,*.treyresearch.com"},"opcode":"Info","record_id":27,"event_id":"577","task":"POLICY_OP","provider_guid":"{eb79061a-a566-4698-9119-3ed2807060e7}","api":"wineventlog","provider_name":"Microsoft-Windows-DNSServer","user":{"identifier":"S-1-5-21-2397692938-4146434421-2570431792-500","domain":"EC2AMAZ-253CQ8C","name":"Administrator","type":"User"}},"log":{"level":"information"},"message":"A server level policy BlackholePolicy for Query processing  has been created on server EC2AMAZ-253CQ8C with following properties: Processing order:1; Criteria:FQDN=EQ,*.treyresearch.com; Action:Ignore; Condition:And; IsEnabled:True.","input":{"type":"winlog"},"event":{"agent_id_status":"verified","ingested":"2024-04-23T09:31:03Z","code":"577","provider":"Microsoft-Windows-DNSServer","kind":"event","created":"2024-04-23T09:30:53.311Z","action":"POLICY_OP","dataset":"microsoft_dnsserver.audit"}}
{"@timestamp":"2024-04-23T09:32:34.489Z","winlog":{"computer_name":"EC2AMAZ-253CQ8C","record_id":37,"process":{"pid":852,"thread":{"id":2984}},"task":"Configuration","event_id":"540","keywords":["AUDIT_ROOTHINTS"],"provider_guid":"{eb79061a-a566-4698-9119-3ed2807060e7}","channel":"Microsoft-Windows-DNSServer/Audit","api":"wineventlog","opcode":"Info","provider_name":"Microsoft-Windows-DNSServer","user":{"identifier":"S-1-5-21-2397692938-4146434421-2570431792-500","domain":"EC2AMAZ-253CQ8C","name":"Administrator","type":"User"}},"log":{"level":"information"},"message":"The root hints have been modified.","input":{"type":"winlog"},"event":{"agent_id_status":"verified","ingested":"2024-04-23T09:32:46Z","code":"540","provider":"Microsoft-Windows-DNSServer","created":"2024-04-23T09:32:35.960Z","kind":"event","action":"Configuration","dataset":"microsoft_dnsserver.audit"}}
{"@timestamp":"2024-04-23T09:32:34.487Z","winlog":{"computer_name":"EC2AMAZ-253CQ8C","process":{"pid":852,"thread":{"id":2984}},"keywords":["AUDIT_CACHE"],"channel":"Microsoft-Windows-DNSServer/Audit","event_data":{"Scope":"Default","QNAME":"B.ROOT-SERVERS.NET.","QTYPE":"28"},"opcode":"Info","record_id":29,"event_id":"536","task":"CACHE_OP","provider_guid":"{eb79061a-a566-4698-9119-3ed2807060e7}","api":"wineventlog","provider_name":"Microsoft-Windows-DNSServer","user":{"identifier":"S-1-5-21-2397692938-4146434421-2570431792-500","domain":"EC2AMAZ-253CQ8C","name":"Administrator","type":"User"}},"log":{"level":"information"},"message":"A record of type 28, QNAME B.ROOT-SERVERS.NET. was purged from scope Default in cache.","input":{"type":"winlog"},"data_stream":{"namespace":"default","type":"logs","dataset":"microsoft_dnsserver.audit"},"host":{"hostname":"ec2amaz-253cq8c","os":{"build":"20348.2322","kernel":"10.0.20348.2322 (WinBuild.160101.0800)","name":"Windows Server 2022 Datacenter","family":"windows","type":"windows","version":"10.0","platform":"windows"},"ip":["fe80::dd4a:8121:e72b:6f21","172.31.87.64"],"name":"ec2amaz-253cq8c","id":"6e134718-e196-4a81-8c7d-db595a4b6452","mac":["12-7E-D2-0B-F3-35"],"architecture":"x86_64"},"event":{"agent_id_status":"verified","ingested":"2024-04-23T09:32:46Z","code":"536","provider":"Microsoft-Windows-DNSServer","kind":"event","created":"2024-04-23T09:32:35.959Z","action":"CACHE_OP","dataset":"microsoft_dnsserver.audit"}}
"""

# Google SecOps, "Windows DNS" parser field map, the NXLog (im_msvistalog) JSON example, verbatim
NXLOG_AUDIT = '{"EventTime": 1640073312000, "Hostname": "WIN-TEST", "Keywords": "4611686018427912192", "EventType": "INFO", "SeverityValue": 2, "Severity": "INFO", "EventID": 514, "SourceName": "Microsoft-Windows-DNSServer", "ProviderGuid": "{EB79061A-A566-4698-9119-3ED2807060E7}", "Version": 0, "TaskValue": 5, "OpcodeValue": 0, "RecordNumber": 1, "ExecutionProcessID": 2244, "ExecutionThreadID": 1448, "Channel": "Microsoft-Windows-DNSServer/Audit", "Domain": "DNSTEST", "AccountName": "Administrator", "UserID": "S-1-2-3", "AccountType": "User", "Message": "The zone dnstest.local was updated. The SecondaryServers setting has been set to deny zone transfers. [virtualization instance: .].", "Category": "ZONE_OP", "Opcode": "Info", "Zone": "dnstest.local", "PropertyKey": "SecondaryServers", "NewValue": "deny zone transfers", "VirtualizationID": ".", "EventReceivedTime": 1640073312001, "SourceModuleName": "auditeventlog", "SourceModuleType": "im_msvistalog"}'

# Event 256's data in the order of its template (Microsoft, "DNS Logging and Diagnostics"; %10 is
# the length of %11, BufferSize): Windows renders EventData in this order.
QUERY_TEMPLATE = ("TCP", "InterfaceIP", "Source", "RD", "QNAME", "QTYPE", "XID", "Port", "Flags",
                  "BufferSize", "PacketData", "AdditionalInfo", "GUID")  # fmt: skip
NS = "http://schemas.microsoft.com/win/2004/08/events/event"
GUID = "{eb79061a-a566-4698-9119-3ed2807060e7}"


def events(text: str) -> list[dict[str, object]]:
    return [json.loads(line) for line in text.splitlines()]


def write(path: Path, lines: list[str]) -> Path:
    path.write_text("".join(line + "\n" for line in lines), encoding="utf-8")
    return path


def as_xml(ev: dict[str, object], record_id: int, style: str = "windows") -> str:
    """An exported ETW event (Elastic's shape) as the event XML of the same event, one line:
    Windows' ``ToXml()`` (single quotes, self-closing, ``SystemTime`` with seven digits) or
    python-evtx's (double quotes, ``SystemTime="… +00:00"``). Event 256's data goes in template
    order; other events keep the export's order (the parser looks only at their EventID)."""
    w = ev["winlog"]
    event = ev["event"]
    assert isinstance(w, dict) and isinstance(event, dict)
    data: dict[str, str] = dict(w.get("event_data", {}))
    if event["code"] == "256":
        data = {k: data[k] for k in QUERY_TEMPLATE if k in data}
    when = dt.datetime.fromisoformat(str(ev["@timestamp"]).replace("Z", "+00:00"))
    q = "'" if style == "windows" else '"'
    stamp = when.strftime("%Y-%m-%dT%H:%M:%S.%f") + "0Z" if style == "windows" else str(when)
    channel = (
        w["channel"]
        if str(w["channel"]).startswith("Microsoft")
        else "Microsoft-Windows-DNSServer/Analytical"
    )
    end = "/>" if style == "windows" else "></Provider>"
    keywords = w["keywords"] if isinstance(w["keywords"], list) else [w["keywords"]]
    kw = hex(int(keywords[0])) if str(keywords[0]).isdigit() else "0x4000000000000000"
    return (
        f"<Event xmlns={q}{NS}{q}><System><Provider Name={q}Microsoft-Windows-DNSServer{q} Guid={q}{GUID}{q}{end}"
        f"<EventID>{event['code']}</EventID><Version>0</Version><Level>4</Level><Task>{w['task']}</Task>"
        f"<Opcode>0</Opcode><Keywords>{kw}</Keywords><TimeCreated SystemTime={q}{stamp}{q}/>"
        f"<EventRecordID>{record_id}</EventRecordID><Correlation/><Execution ProcessID={q}852{q} ThreadID={q}3668{q}/>"
        f"<Channel>{channel}</Channel><Computer>EC2AMAZ-253CQ8C</Computer><Security/></System><EventData>"
        + "".join(f"<Data Name={q}{k}{q}>{v}</Data>" for k, v in data.items())
        + "</EventData></Event>"
    )


def test_etw_json_real_events(tmp_path: Path) -> None:
    """Elastic Agent's ETW input: the query (256) counts; the response (257), the server's
    recursion answer (261) and an ignored query (259) are skipped, each with what it is."""
    log = write(tmp_path / "dnsserver-analytical.ndjson", ETW_EVENTS.splitlines())
    assert detect(open_source(log)).name == "windows-dns-analytic-json"
    account, got, first = scan(log, tmp_path / "db.duckdb")
    assert got == {("67.43.156.1", "google.es"): 1}  # Source and QNAME of the 256, final dot gone
    assert first == dt.datetime(2024, 4, 22, 9, 31, 13, 872000)  # its @timestamp, UTC
    assert (account["lines"], account["parsed"], account["skipped"], account["malformed"]) == (4, 1, 3, 0)
    assert account["skipped_reasons"] == {
        "response sent (257 RESPONSE_SUCCESS), not a query": 1,
        "upstream response to the server's recursion (261 RECURSE_RESPONSE_IN)": 1,
        "query ignored by the server (259 IGNORED_QUERY; its 256 is counted)": 1,
    }


def test_audit_channel_carries_no_queries(tmp_path: Path) -> None:
    """The Audit channel (Winlogbeat, NXLog): a policy, the root hints, a cache purge naming
    B.ROOT-SERVERS.NET. and a zone update are recognised as the DNS Server's and skipped."""
    log = write(tmp_path / "dnsserver-audit.ndjson", [*AUDIT_EVENTS.splitlines(), NXLOG_AUDIT])
    assert detect(open_source(log)).name == "windows-dns-analytic-json"
    account, got, _ = scan(log, tmp_path / "db.duckdb")
    assert got == {}
    assert (account["lines"], account["parsed"], account["skipped"], account["malformed"]) == (4, 0, 4, 0)
    assert account["skipped_reasons"] == {skip_reason(536): 4}
    assert skip_reason(536).startswith("audit event")


def nxlog_query(event_time: object, **change: object) -> str:
    """An NXLog event 256 built field by field: NXLog im_etw's field names (those Microsoft
    Sentinel's NXLog DNS parser reads: ``EventTime``, ``EventID``, ``SourceName``, ``ProviderGuid``,
    ``ChannelID``, ``Hostname``, then the event's own data), the common values of the documented
    NXLog example (NXLOG_AUDIT), and the 256 template's data with the values of Elastic's real
    event 256. ``Channel=…`` gives im_msvistalog's shape (an exported log read by NXLog)."""
    base = json.loads(NXLOG_AUDIT)
    common = {k: base[k] for k in ("Hostname", "EventType", "SeverityValue", "Severity", "SourceName",
                                   "ProviderGuid", "Version", "OpcodeValue", "ExecutionProcessID",
                                   "ExecutionThreadID", "Domain", "AccountName", "UserID", "AccountType")}  # fmt: skip
    etw = events(ETW_EVENTS)[2]["winlog"]
    assert isinstance(etw, dict)
    data = {k: etw["event_data"][k] for k in QUERY_TEMPLATE}
    doc = {"EventTime": event_time, **common, "EventID": 256, "TaskValue": 1, "ChannelID": 16,
           "Category": "LOOK_UP", **data, "EventReceivedTime": 1640073312001,
           "SourceModuleName": "dns_analytical", "SourceModuleType": "im_etw"}  # fmt: skip
    doc.update(change)
    return json.dumps({k: v for k, v in doc.items() if v is not None})


def test_nxlog_flat_and_its_times(tmp_path: Path) -> None:
    """NXLog's flat records: the time as epoch milliseconds (the documented example), ISO 8601
    with an offset (to UTC) or without one (as written); the accounting of the rest."""
    lines = [
        nxlog_query(1640073312000),
        nxlog_query("2021-12-21T08:55:12.250000+01:00", Source="10.0.0.8"),
        nxlog_query(
            "2021-12-21 08:55:12",
            Source="10.0.0.9",
            QNAME="WWW.Example.ORG.",
            Channel="Microsoft-Windows-DNSServer/Analytical",
            ChannelID=None,
            SourceModuleType="im_msvistalog",
        ),
        nxlog_query(1640073312000, QNAME=None),  # a 256 without its name
        nxlog_query("yesterday"),  # a time nobody can read
        NXLOG_AUDIT,
        '{"EventTime": 1640073312000, "EventID": 4624, "SourceName": "Microsoft-Windows-Security-Auditing"}',
        "{not json",
    ]
    log = write(tmp_path / "nxlog.json", lines)
    from sekisho.ingest.formats.sysmon import SysmonDnsJson

    assert SysmonDnsJson().sniff([lines[2], NXLOG_AUDIT])  # Sysmon's takes any export of Windows events …
    assert detect(open_source(log)).name == "windows-dns-analytic-json"  # … so the DNS Server's goes first
    account, got, _ = scan(log, tmp_path / "db.duckdb")
    assert got == {
        ("67.43.156.1", "google.es"): 1,
        ("10.0.0.8", "google.es"): 1,
        ("10.0.0.9", "www.example.org"): 1,
    }
    with Store(tmp_path / "db.duckdb", read_only=True) as store:
        seen = dict(
            store.con.execute("SELECT client, min(first_seen) FROM observations GROUP BY ALL").fetchall()
        )
    assert seen == {
        "67.43.156.1": dt.datetime(2021, 12, 21, 7, 55, 12),
        "10.0.0.8": dt.datetime(2021, 12, 21, 7, 55, 12, 250000),
        "10.0.0.9": dt.datetime(2021, 12, 21, 8, 55, 12),
    }
    assert (account["lines"], account["parsed"], account["skipped"], account["malformed"]) == (8, 3, 3, 2)
    assert account["skipped_reasons"] == {
        "record without a name": 1,
        skip_reason(514): 1,
        "other record type": 1,
    }
    samples = account["malformed_samples"]
    assert isinstance(samples, list)
    got_reasons = sorted((s["line"], str(s["reason"]).split(":")[0]) for s in samples)
    assert got_reasons == [(5, "unreadable timestamp"), (8, "not a JSON object")]


def sysmon_line() -> str:
    """Record 1084 of EVTX-ATTACK-SAMPLES' Sysmon_UACME_64.evtx as python-evtx renders it
    (tests/realworld/test_sysmon.py), on one line."""
    return RECORD_1084.replace("\n", "")


def test_event_xml_lines(tmp_path: Path) -> None:
    """Event XML one per line, Windows' rendering and python-evtx's; the audit channel, a Sysmon
    event and a 256 cut short in the same file."""
    etw = events(ETW_EVENTS)
    audit = events(AUDIT_EVENTS)[2]  # 536, the cache purge with a QNAME
    lines = [as_xml(ev, 150 + i) for i, ev in enumerate(etw)]
    lines.append(as_xml(etw[2], 160, style="python-evtx"))
    lines.append(as_xml(audit, 29))
    lines.append(sysmon_line())
    lines.append(lines[2].split("<Data Name='QNAME'>")[0])  # the 256 without its QNAME: cut short
    log = write(tmp_path / "analytical.xml", lines)
    assert (
        "<Data Name='Source'>67.43.156.1</Data><Data Name='RD'>1</Data><Data Name='QNAME'>google.es.</Data>"
        in lines[2]
    )
    assert detect(open_source(log)).name == "windows-dns-analytic-xml"
    account, got, first = scan(log, tmp_path / "db.duckdb")
    assert got == {("67.43.156.1", "google.es"): 2}
    assert first == dt.datetime(2024, 4, 22, 9, 31, 13, 872000)
    assert (account["lines"], account["parsed"], account["skipped"], account["malformed"]) == (8, 2, 5, 1)
    assert account["skipped_reasons"] == {
        skip_reason(257): 1, skip_reason(261): 1, skip_reason(259): 1, skip_reason(536): 1, "other record type": 1,
    }  # fmt: skip
    samples = account["malformed_samples"]
    assert isinstance(samples, list) and [s["line"] for s in samples] == [8]


def test_sysmon_keeps_its_files(corpora: Path, tmp_path: Path) -> None:
    """Sysmon's exports stay Sysmon's; a mixed export holding both goes to Sysmon (its events
    are the queries of the machines; the DNS Server's are then "other record type"); forced on a
    Sysmon export, the DNS Server's format counts nothing."""
    src = corpora / "sysmon/otrf_psh_cmstp_all_events.json"
    assert detect(open_source(src)).name == "sysmon-dns-json"
    mixed = write(
        tmp_path / "mixed.json",
        [*src.read_text(encoding="utf-8").splitlines()[:50], *ETW_EVENTS.splitlines()],
    )
    assert detect(open_source(mixed)).name == "sysmon-dns-json"
    xml = write(tmp_path / "sysmon.xml", [sysmon_line()])
    assert detect(open_source(xml)).name == "sysmon-dns-xml"
    lines = len(src.read_text(encoding="utf-8").splitlines())
    account, got, _ = scan(src, tmp_path / "db.duckdb", fmt="windows-dns-analytic-json")
    assert got == {} and account["parsed"] == 0 and account["malformed"] == 0
    assert account["skipped_reasons"] == {"other record type": lines}


# One event 256 as python-evtx 0.8.1 renders a record (the layout of RECORD_1084 in
# tests/realworld/test_sysmon.py), with the data of Elastic's real event 256 in template order
RECORD_256 = """<Event xmlns="http://schemas.microsoft.com/win/2004/08/events/event"><System><Provider Name="Microsoft-Windows-DNSServer" Guid="{eb79061a-a566-4698-9119-3ed2807060e7}"></Provider>
<EventID Qualifiers="">256</EventID>
<Version>0</Version>
<Level>4</Level>
<Task>1</Task>
<Opcode>0</Opcode>
<Keywords>0x8000000000000001</Keywords>
<TimeCreated SystemTime="2024-04-22 09:31:13.872412+00:00"></TimeCreated>
<EventRecordID>152</EventRecordID>
<Correlation ActivityID="" RelatedActivityID=""></Correlation>
<Execution ProcessID="852" ThreadID="3668"></Execution>
<Channel>Microsoft-Windows-DNSServer/Analytical</Channel>
<Computer>EC2AMAZ-253CQ8C</Computer>
<Security UserID="S-1-5-18"></Security>
</System>
<EventData><Data Name="TCP">0</Data>
<Data Name="InterfaceIP">172.31.87.64</Data>
<Data Name="Source">67.43.156.1</Data>
<Data Name="RD">1</Data>
<Data Name="QNAME">google.es.</Data>
<Data Name="QTYPE">1</Data>
<Data Name="XID">6</Data>
<Data Name="Port">59559</Data>
<Data Name="Flags">256</Data>
<Data Name="BufferSize">27</Data>
<Data Name="PacketData">0x00060100000100000000000006676F6F676C650265730000010001</Data>
<Data Name="AdditionalInfo">.</Data>
<Data Name="GUID">{73A2D33C-B319-42F5-8EEF-46776AF0D9B7}</Data>
</EventData>
</Event>
"""


def test_evtx_records() -> None:
    """What the EVTX reader makes of each record python-evtx renders."""
    assert dns_server_record(RECORD_256) == (
        152,
        "ok",
        None,
        {"ts": "2024-04-22 09:31:13.872", "client": "67.43.156.1", "name": "google.es."},
    )
    for eid in (257, 259, 260, 261, 286, 541):
        got = dns_server_record(RECORD_256.replace(">256</EventID>", f">{eid}</EventID>"))
        assert got == (152, "skip", skip_reason(eid), {})
    no_name = dns_server_record(RECORD_256.replace("google.es.", ""))
    assert no_name is not None and no_name[1:3] == ("skip", "record without a name")
    assert dns_server_record(sysmon_line()) is None  # another provider: "other record type"
    with pytest.raises(ValueError):
        dns_server_record(RECORD_256[:300])
    # not an EVTX, an EVTX header with no record: neither is the DNS Server's
    assert not DnsServerAnalyticEvtx.matches_head(b"<Event xmlns=")
    assert not DnsServerAnalyticEvtx.matches_head(b"ElfFile\x00" + bytes(4088))


def test_evtx_sysmon_file_stays_sysmon(tmp_path: Path) -> None:
    """A real EVTX of Sysmon's (GPL sample data, not in the corpora: SEKISHO_EVTX_SAMPLES points
    to a checkout of sbousseaden/EVTX-ATTACK-SAMPLES) is not taken; forced, nothing counts."""
    root = os.environ.get("SEKISHO_EVTX_SAMPLES")
    path = Path(root or "-") / "Privilege Escalation" / "Sysmon_UACME_64.evtx"
    if not path.is_file():
        pytest.skip("SEKISHO_EVTX_SAMPLES not set to an EVTX-ATTACK-SAMPLES checkout (optional data)")
    assert not DnsServerAnalyticEvtx.matches_head(open_source(path).head)
    assert detect(open_source(path)).name == "sysmon-evtx"
    account, got, _ = scan(path, tmp_path / "db.duckdb", fmt="windows-dns-analytic-evtx")
    assert got == {}
    assert (account["lines"], account["parsed"], account["skipped"], account["malformed"]) == (530, 0, 530, 0)
    assert account["skipped_reasons"] == {"other record type": 530}


def test_reasons_cover_the_manifest() -> None:
    """Every analytic event but 256 and every audit event has its reason; none claims 256."""
    assert all(not lo <= 256 <= hi and lo <= hi for lo, hi, _ in EVENTS)
    spans = sorted((lo, hi) for lo, hi, _ in EVENTS)
    assert all(a[1] < b[0] for a, b in itertools.pairwise(spans))  # no overlap
    assert skip_reason(260) == "the server's own recursive query (260 RECURSE_QUERY_OUT)"
    assert skip_reason(287) == "other DNS Server event"


# --- an EVTX file, written by the test ----------------------------------------------------------
# No DNS Server .evtx is public and none can be exported here (no Windows Server). The file is
# written in the EVTX layout (libyal's "Windows XML Event Log (EVTX) format" as python-evtx reads
# it): a 4 KiB file header, one 64 KiB chunk, each record a binary-XML template of its own with
# its names inline and TimeCreated's SystemTime a FILETIME substitution, as Windows writes it.

FILETIME = 0x11  # variant type of a substitution


def _name(text: str) -> bytes:
    return struct.pack("<IHH", 0, 0, len(text)) + text.encode("utf-16-le") + b"\0\0"


def _value(text: str) -> bytes:
    return struct.pack("<BBH", 0x05, 0x01, len(text)) + text.encode("utf-16-le")


def _element(el: ET.Element, off: int, subs: dict[str, int]) -> bytes:
    """One element at chunk offset ``off``: names inline, attribute and text values literal but
    for those named in ``subs`` (attribute name → substitution index)."""
    tag = el.tag.split("}")[-1]
    attrs = list(el.attrib.items())
    if tag == "Event":
        attrs.insert(0, ("xmlns", "http://schemas.microsoft.com/win/2004/08/events/event"))
    head_len = 11 + len(_name(tag)) + (4 if attrs else 0)
    body = b""
    for i, (key, val) in enumerate(attrs):
        a_off = off + head_len + len(body)
        token = 0x46 if i < len(attrs) - 1 else 0x06
        v = struct.pack("<BHB", 0x0D, subs[key], FILETIME) if key in subs else _value(val)
        body += struct.pack("<BI", token, a_off + 5) + _name(key) + v
    kids = [k for k in el]
    text = (el.text or "").strip()
    if not kids and not text and not (el.text is not None and tag == "Data"):
        body += b"\x03"  # empty element
    else:
        body += b"\x02"
        if text or not kids:
            body += _value(el.text or "")
        for kid in kids:
            body += _element(kid, off + head_len + len(body), subs)
        body += b"\x04"
    head = struct.pack("<BHII", 0x41 if attrs else 0x01, 0, len(body), off + 11) + _name(tag)
    return head + (struct.pack("<I", 0) if attrs else b"") + body


def _filetime(stamp: str) -> int:
    when = dt.datetime.fromisoformat(stamp.replace("Z", "+00:00"))
    return (when - dt.datetime(1601, 1, 1, tzinfo=dt.UTC)) // dt.timedelta(microseconds=1) * 10


def _record(xml: str, off: int, number: int) -> bytes:
    root = ET.fromstring(xml)
    created = root.find(".//{*}TimeCreated")
    assert created is not None
    ft = _filetime(created.get("SystemTime", ""))
    ti_off = off + 0x18 + 4  # record header, then the stream start
    template_off = ti_off + 10
    data = b"\x0f\x01\x01\x00" + _element(root, template_off + 0x18 + 4, {"SystemTime": 0}) + b"\x00"
    template = (
        struct.pack("<I", 0) + struct.pack("<I", number) + bytes(12) + struct.pack("<I", len(data)) + data
    )
    bxml = b"\x0f\x01\x01\x00" + struct.pack("<BBII", 0x0C, 0x01, number, template_off) + template
    bxml += struct.pack("<I", 1) + struct.pack("<HBB", 8, FILETIME, 0) + struct.pack("<Q", ft)
    size = 0x18 + len(bxml) + 4
    return struct.pack("<IIQQ", 0x00002A2A, size, number, ft) + bxml + struct.pack("<I", size)


def write_evtx(path: Path, records: list[str]) -> Path:
    body, last = b"", 0x200
    for n, xml in enumerate(records, start=1):
        last = 0x200 + len(body)
        body += _record(xml, last, n)
    count = len(records)
    chunk = b"ElfChnk\x00" + struct.pack("<QQQQ", 1, count, 1, count)
    chunk += struct.pack("<IIII", 0x80, last, 0x200 + len(body), 0) + bytes(0x44) + struct.pack("<I", 0)
    chunk = (chunk + bytes(0x200 - len(chunk)) + body).ljust(0x10000, b"\0")
    header = (
        b"ElfFile\x00" + struct.pack("<QQQ", 0, 0, count + 1) + struct.pack("<IHHHH", 0x80, 1, 3, 0x1000, 1)
    )
    header = (header + bytes(0x4C) + struct.pack("<II", 0, 0)).ljust(0x1000, b"\0")
    path.write_bytes(header + chunk)
    return path


def dns_records() -> list[str]:
    """The five DNS Server events as records: 256 (RECORD_256), then the ETW events 257, 261,
    256 and 259 in the XML of ``as_xml`` with python-evtx's quoting."""
    return [
        RECORD_256,
        *(as_xml(ev, 200 + i, style="python-evtx") for i, ev in enumerate(events(ETW_EVENTS))),
    ]


def test_evtx_file_written_in_the_evtx_layout(tmp_path: Path) -> None:
    """python-evtx reads the file back (the writer is right); the DNS Server's file is
    recognised and read; Sysmon's and a mixed one stay sysmon-evtx."""
    import Evtx.Evtx as evtx

    path = write_evtx(tmp_path / "Microsoft-Windows-DNSServer%4Analytical.evtx", dns_records())
    with evtx.Evtx(str(path)) as log:
        rendered = [r.xml() for r in log.records()]
    assert rendered[0] == RECORD_256  # read back as written
    assert DnsServerAnalyticEvtx.matches_head(open_source(path).head)
    assert detect(open_source(path)).name == "windows-dns-analytic-evtx"
    account, got, first = scan(path, tmp_path / "db.duckdb")
    assert got == {("67.43.156.1", "google.es"): 2}
    assert first == dt.datetime(2024, 4, 22, 9, 31, 13, 872000)
    assert (account["lines"], account["parsed"], account["skipped"], account["malformed"]) == (5, 2, 3, 0)
    assert account["skipped_reasons"] == {skip_reason(257): 1, skip_reason(261): 1, skip_reason(259): 1}

    sysmon = write_evtx(tmp_path / "sysmon.evtx", [RECORD_1084])
    with evtx.Evtx(str(sysmon)) as log:  # the real Sysmon record, rewritten: as python-evtx read it
        assert [r.xml() for r in log.records()] == [RECORD_1084]
    assert detect(open_source(sysmon)).name == "sysmon-evtx"
    mixed = write_evtx(tmp_path / "mixed.evtx", [RECORD_1084, *dns_records()])
    assert not DnsServerAnalyticEvtx.matches_head(open_source(mixed).head)
    assert detect(open_source(mixed)).name == "sysmon-evtx"
    account, got, _ = scan(mixed, tmp_path / "db2.duckdb", fmt="windows-dns-analytic-evtx")
    assert got == {("67.43.156.1", "google.es"): 2}  # forced: the DNS Server's read, Sysmon's skipped
    assert account["skipped_reasons"] == {
        "other record type": 1, skip_reason(257): 1, skip_reason(261): 1, skip_reason(259): 1,
    }  # fmt: skip
