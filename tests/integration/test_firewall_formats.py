"""Issue 17: firewall formats (Cisco ASA/FTD connections, FortiGate key=value), from published lines.

No ASA or FortiGate runs on Debian, so the tests hold published example lines verbatim (sources in
tests/data/README.md): Wazuh's ruleset tests and decoders (wazuh/wazuh-ruleset
908c90b74b49ed04ee53b0367b55bb28e3c628ee) and Logstash's pattern specs
(logstash-plugins/logstash-patterns-core 7f94275ec8212f7f0aa6eb4ac5dbf3d70cd05cac). The expected
clients and destinations are read off the lines by hand, following Cisco's and Fortinet's field
definitions, not from sekisho.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from sekisho import api
from sekisho.ingest import detect
from sekisho.ingest.sources import open_source
from sekisho.store import Store

ASA = [
    # logstash-patterns-core spec/patterns/firewalls_spec.rb:616 (CISCO_TAGGED_SYSLOG)
    "<191>Aug  1 14:01:20 abc-asa1: %ASA-6-302013: Built outbound TCP connection 906569140 for "
    "out-v1101:10.125.126.86/2010 (10.125.126.86/2010) to ent-v1124:100.100.100.111/51444 (10.125.1.11/37785)",
    # wazuh-ruleset tools/rules-testing/tests/cisco_asa.ini:71, :65, as a syslog server writes them
    "Aug  1 14:01:21 10.0.0.1 %ASA-6-302013: Built outbound TCP connection 9 for outside:10.1.2.1/22 (10.1.2.1/22) to "
    "inside:10.1.1.2/53496 (10.1.1.2/53496)",
    "Aug  1 14:01:22 10.0.0.1 %ASA-6-302014: Teardown TCP connection 4211 for external:171.70.168.183/53 to mgmt:192.168.1.185/1032 "
    "duration 0:00:00 bytes 526",
    # logstash-patterns-core spec/patterns/firewalls_spec.rb:451
    "Aug  1 14:01:23 10.0.0.1 %ASA-4-419001: Dropping TCP packet from outside:65.55.184.155/80 to inside:192.168.10.11/49043, "
    "reason: MSS exceeded, MSS 1380, data 1460",
]

FORTI = [
    # wazuh-ruleset decoders/0100-fortigate_decoders.xml lines 85, 187, 63, 73 (verbatim)
    "date=2016-06-15 time=11:44:46 devname=Device_Name devid=FGTXXXX9999999999 logid=9999999999 type=utm "
    'subtype=webfilter eventtype=urlfilter level=warning vd="root" urlfilteridx=3 urlfilterlist="default" '
    'policyid=2 sessionid=1563645 user="" srcip=1.2.3.11 srcport=52414 srcintf="internal2" dstip=1.5.5.92 '
    'dstport=443 dstintf="wan2" proto=6 service=HTTPS hostname="4-edge-chat.facebook.com" profile="default" '
    'action=blocked reqtype=referral url="/p?partition=-2&cb=lz1k&failure=5&sticky_token=274&sticky_pool='
    'atn2c06_chat-proxy" sentbyte=932 rcvdbyte=0 direction=outgoing msg="URL was blocked because it is in '
    'the URL filter list" crscore=30 crlevel=high',
    "date=2016-06-16 time=10:19:23 devname=Device_Name devid=FGTXXXX9999999999 logid=0000000013 type=traffic "
    'subtype=forward level=notice vd=root srcip=7.3.8.5 srcport=57727 srcintf="internal1" dstip=7.8.9.81 '
    'dstport=80 dstintf="wan1" poluuid=d6217c58-8c42-51e5-c3a6-c7766895cbfd sessionid=181876 proto=6 '
    'action=deny policyid=8 dstcountry="Reserved" srccountry="Reserved" trandisp=snat transip=160.242.8.82 '
    'transport=57727 service="HTTP" appid=107347980 app="Proxy.HTTP" appcat="Proxy" apprisk=critical '
    'applist="default" appact=drop-session duration=30 sentbyte=0 rcvdbyte=3042 sentpkt=0',
    "date=2016-06-15 time=09:41:35 devname=Device_Name devid=FGTXXXX9999999999 logid=9999999999 type=utm "
    'subtype=ips eventtype=signature level=alert vd="root" severity=info srcip=192.168.10.8 '
    'dstip=157.55.235.162 srcintf="internal2" dstintf="wan2" policyid=2 sessionid=1473454 action=dropped '
    'proto=6 service=tcp/20480 attack="HTTP.Unknown.Tunnelling" srcport=62216 dstport=80 direction=outgoing '
    'attackid=107347981 profile="default" ref="http://www.fortinet.com/ids/VID107347981" '
    'incidentserialno=1999871775 msg="http_decoder: HTTP.Unknown.Tunnelling,"',
    "Mar 22 19:21:00 10.10.10.10 date=2016-03-22 time=19:20:46 devname=Text devid=FGT3HD0000000000 "
    'logid=0000018000 type=anomaly subtype=anomaly level=alert vd="root" severity=critical srcip=10.10.10.35 '
    'dstip=10.10.10.84 srcintf="port2" sessionid=0 action=detected proto=6 service=tcp/36875 count=1903 '
    'attack="tcp_syn_flood" srcport=32835 dstport=2960 attackid=100663396 profile="DoS-policy1" '
    'ref="http://www.fortinet.com/ids/VID100663396" msg="anomaly: tcp_syn_flood, 2001 > threshold 2000, '
    'repeats 1903 times" crscore=50 crlevel=critical',
    # written for the test with FortiOS 7 DNS-log and event-log key names (eventtime in ns, tz): no
    # published line at hand; the expected time is computed by hand from eventtime
    'date=2023-02-01 time=10:00:00 eventtime=1675213200123456789 tz="+0900" devname="FGT" devid="FG100F" '
    'logid="1501054802" type="dns" subtype="dns-response" level="notice" vd="root" srcip=192.168.1.10 '
    'srcport=50000 dstip=8.8.8.8 dstport=53 proto=17 qname="www.example.jp" qtype="A"',
    'date=2023-02-01 time=10:00:00 tz="+0900" devname="FGT" devid="FG100F" logid="0100032001" type="event" '
    'subtype="system" level="information" vd="root" logdesc="Admin login successful"',
]


def scan(
    tmp_path: Path, lines: list[str]
) -> tuple[dict[str, object], dict[tuple[str, str], tuple[object, ...]]]:
    log = tmp_path / "device.log"
    log.write_text("\n".join(lines) + "\n", encoding="utf-8")
    db = tmp_path / "db.duckdb"
    with Store(db) as store:
        store.set_setting("retention_days", str(365 * 100))
        store.set_setting("detail_days", str(365 * 100))
    result = api.scan([str(log)], db=db, year=2023)
    files = result["files"]
    assert isinstance(files, list)
    with Store(db, read_only=True) as store:
        rows = store.con.execute(
            "SELECT client, name, min(first_seen), sum(bytes_out), sum(bytes_in) FROM observations GROUP BY ALL"
        ).fetchall()
    return files[0], {(str(r[0]), str(r[1])): tuple(r[2:]) for r in rows}


def test_asa_connections(tmp_path: Path) -> None:
    account, got = scan(tmp_path, ASA)
    assert account["format"] == "cisco-asa"
    # outbound: the "for" side is the destination, the "to" side the inside initiator
    assert set(got) == {("100.100.100.111", "10.125.126.86"), ("10.1.1.2", "10.1.2.1")}
    assert got[("100.100.100.111", "10.125.126.86")][0] == dt.datetime(2023, 8, 1, 14, 1, 20)
    assert account["skipped_reasons"] == {"other ASA/FTD message": 2}
    assert account["malformed"] == 0


def test_asa_inbound_and_own_stamp(tmp_path: Path) -> None:
    lines = [
        # Cisco's 302015 form, inbound: "for" is the initiator; the device's own stamp has a year
        "Aug  1 14:01:21 fw1 : Aug 01 2023 14:01:20: %ASA-6-302015: Built inbound UDP connection 7 for "
        "outside:203.0.113.9/5353 (203.0.113.9/5353) to inside:10.0.0.5/53 (10.0.0.5/53)",
        "Aug  1 14:01:22 fw1 : %ASA-6-302013: Built outbound TCP connection garbage",
    ]
    account, got = scan(tmp_path, lines)
    assert set(got) == {("203.0.113.9", "10.0.0.5")}
    assert got[("203.0.113.9", "10.0.0.5")][0] == dt.datetime(2023, 8, 1, 14, 1, 20)
    assert account["malformed"] == 1
    samples = account["malformed_samples"]
    assert isinstance(samples, list) and samples[0]["line"] == 2


def test_fortigate(tmp_path: Path) -> None:
    account, got = scan(tmp_path, FORTI)
    assert account["format"] == "fortigate"
    assert got[("1.2.3.11", "4-edge-chat.facebook.com")] == (dt.datetime(2016, 6, 15, 11, 44, 46), 932, 0)
    assert got[("7.3.8.5", "7.8.9.81")] == (
        dt.datetime(2016, 6, 16, 10, 19, 23),
        0,
        3042,
    )  # a flow: the address
    assert ("192.168.10.8", "157.55.235.162") in got
    assert ("10.10.10.35", "10.10.10.84") in got
    # eventtime (ns) wins: 1675213200.123456789 s = 2023-02-01 01:00:00.123456 UTC (10:00 at +09:00)
    assert got[("192.168.1.10", "www.example.jp")][0] == dt.datetime(2023, 2, 1, 1, 0, 0, 123456)
    assert account["skipped_reasons"] == {"system event, no destination": 1}
    assert (account["parsed"], account["malformed"]) == (5, 0)


def test_fortigate_foreign_line_is_malformed(tmp_path: Path) -> None:
    log = tmp_path / "mixed.log"
    log.write_text(
        FORTI[0] + "\n" + FORTI[1] + "\nDec  1 12:00:00 host sshd[1]: Accepted password\n", encoding="utf-8"
    )
    assert detect(open_source(log)).name == "fortigate"
    account, _ = scan(tmp_path, log.read_text(encoding="utf-8").splitlines())
    assert account["malformed"] == 1
    samples = account["malformed_samples"]
    assert (
        isinstance(samples, list)
        and samples[0]["line"] == 3
        and "not a fortigate record" in samples[0]["reason"]
    )
