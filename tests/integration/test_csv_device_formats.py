"""Issue 17: positional CSV formats — nfdump flows (made by the real nfpcapd and nfdump from a
corpus capture), Palo Alto PAN-OS (lines written in the vendor's documented field order) and Cisco
Umbrella (Umbrella's documented examples and elastic/integrations fixture lines, verbatim;
tests/data/README.md)."""

from __future__ import annotations

import csv
import datetime as dt
import subprocess
from pathlib import Path

from sekisho import api
from sekisho.ingest import detect
from sekisho.ingest.sources import open_source
from sekisho.store import Store
from tests.conftest import need, need_program


def scan(log: Path) -> tuple[dict[str, object], dict[tuple[str, str], tuple[object, ...]]]:
    db = log.with_suffix(".duckdb")
    with Store(db) as store:
        store.set_setting("retention_days", str(365 * 100))
        store.set_setting("detail_days", str(365 * 100))
    result = api.scan([str(log)], db=db, year=2023)
    files = result["files"]
    assert isinstance(files, list)
    with Store(db, read_only=True) as store:
        rows = store.con.execute(
            "SELECT client, name, sum(queries), min(first_seen), sum(bytes_out), sum(bytes_in) FROM observations GROUP BY ALL"
        ).fetchall()
    return files[0], {(str(r[0]), str(r[1])): tuple(r[2:]) for r in rows}


def test_nfdump_csv_from_real_flows(corpora: Path, tmp_path: Path) -> None:
    nfpcapd, nfdump = need_program("nfpcapd"), need_program("nfdump")
    flows = tmp_path / "flows"
    flows.mkdir()
    subprocess.run([nfpcapd, "-r", str(corpora / "pcap/zeek_wikipedia.pcap"), "-w", str(flows)],
                   check=True, timeout=60, capture_output=True)  # fmt: skip
    files = sorted(flows.glob("nfcapd.*"))
    need(bool(files), "nfpcapd wrote no nfcapd file")
    out = subprocess.run([nfdump, "-r", str(files[0]), "-o", "csv"], check=True, timeout=60, capture_output=True,
                         text=True, env={"TZ": "UTC", "PATH": "/usr/bin:/bin"}).stdout  # fmt: skip
    log = tmp_path / "flows.csv"
    log.write_text(out, encoding="utf-8")
    assert detect(open_source(log)).name == "nfdump"
    # the truth, from nfdump itself: its Summary line and its own rows read with Python's csv
    lines = out.splitlines()
    summary = dict(zip(lines[-2].split(","), lines[-1].split(","), strict=True))
    rows = list(csv.DictReader(lines[: lines.index("Summary")]))
    want: dict[tuple[str, str], int] = {}
    for r in rows:
        want[(r["sa"], r["da"])] = want.get((r["sa"], r["da"]), 0) + 1
    account, got = scan(log)
    assert account["format"] == "nfdump" and account["malformed"] == 0
    assert account["parsed"] == int(summary["flows"]) == len(rows)
    assert sum(int(v[2]) for v in got.values()) == int(summary["bytes"])  # type: ignore[call-overload]
    assert {k: int(v[0]) for k, v in got.items()} == want  # type: ignore[call-overload]
    assert account["skipped_reasons"] == {"header": 4}  # the column line and the Summary block


PAN = [
    # PAN-OS 10 TRAFFIC (end) and THREAT (url) in the documented order; SYSTEM; a cut record
    "May 10 01:02:03 PA-3220 1,2023/05/10 01:02:03,012801000001,TRAFFIC,end,2561,2023/05/10 01:02:02,10.1.2.3,"
    "203.0.113.10,198.51.100.1,203.0.113.10,allow-web,,,ssl,vsys1,trust,untrust,ethernet1/2,ethernet1/1,default,"
    "2023/05/10 01:02:03,123456,1,50123,443,40001,443,0x400053,tcp,allow,6400,2400,4000,20,2023/05/10 01:01:50,12,"
    "computer-and-internet-info,,7000000001,0x0,10.0.0.0-10.255.255.255,United States,,10,10,tcp-fin",
    "May 10 01:02:04 PA-3220 1,2023/05/10 01:02:04,012801000001,THREAT,url,2561,2023/05/10 01:02:04,10.1.2.4,"
    "203.0.113.20,198.51.100.1,203.0.113.20,allow-web,,,web-browsing,vsys1,trust,untrust,ethernet1/2,ethernet1/1,"
    'default,2023/05/10 01:02:04,123457,1,50124,80,40002,80,0x40b000,tcp,alert,"ime.example.cn/api/upload?x=1",'
    "(9999),computer-and-internet-info,informational,client-to-server,7000000002,0x0,10.0.0.0-10.255.255.255,China,0,"
    "text/html",
    "May 10 01:02:05 PA-3220 1,2023/05/10 01:02:05,012801000001,SYSTEM,general,2561,2023/05/10 01:02:05,,,,,,,,,vsys1,"
    ',,,,,,0,0,0,0,0,0,0x0,,,general,informational,"User admin logged in"',
    "May 10 01:02:06 PA-3220 1,2023/05/10 01:02:06,012801000001,TRAFFIC,end,short",
]


def test_paloalto(tmp_path: Path) -> None:
    log = tmp_path / "pan.log"
    log.write_text("\n".join(PAN) + "\n", encoding="utf-8")
    account, got = scan(log)
    assert account["format"] == "paloalto"
    assert got == {
        ("10.1.2.3", "203.0.113.10"): (1, dt.datetime(2023, 5, 10, 1, 2, 2), 2400, 4000),
        ("10.1.2.4", "ime.example.cn"): (1, dt.datetime(2023, 5, 10, 1, 2, 4), None, None),
    }
    assert account["skipped_reasons"] == {"other log type (system, config, …)": 1}
    samples = account["malformed_samples"]
    assert isinstance(samples, list) and samples[0]["line"] == 4 and "fewer than 31" in samples[0]["reason"]


# Umbrella's documented DNS-log examples, verbatim (with their spaces after some commas), from
# "DNS Log Formats", https://docs.umbrella.com/umbrella-user-guide/docs/dns-log-formats
UMBRELLA_DOC = [
    '"2015-01-16 17:48:41","ActiveDirectoryUserName", "ActiveDirectoryUserName,ADSite,Network", '
    '"10.10.1.100","24.123.132.133","Allowed","1 (A)", "NOERROR","domain-visited.com.", "Photo Sharing",'
    '"AD User","AD User,Site,Network",""',
    '"2015-01-16 17:48:41","ActiveDirectoryUserName", "ActiveDirectoryUserName,ADSite,Network", '
    '"10.10.1.100","24.123.132.133","Blocked","1 (A)", "NOERROR","domain-visited.com.", '
    '"Chat,Photo Sharing,Social Networking","AD User","AD User,Site,Network","Chat,Social Networking"',
]
# elastic/integrations 61cedd4870a6f82f297ea47beb8b24beb9f6215a,
# packages/cisco_umbrella/data_stream/log/_dev/test/pipeline/test-umbrella-dnslogs.log lines 1 and 12
UMBRELLA_ELASTIC = [
    '"2020-07-23 23:49:54","elasticuser","elasticuser,Elastic Machine","192.168.1.1","81.2.69.144","Allowed",'
    '"1 (A)","NOERROR","www.elastic.co.","Software/Technology,Business Services,Application","Test Policy Name",'
    '"AD Users, Roaming Computers",""',
    '"2023-05-05 12:50:00","Pa_redacted, De_redacted (De_redacted.Pa_redacted@example.com)","Pa_redacted, '
    'De_redacted (De_redacted.Pa_redacted@example.com),3WP64M3","2a02:cf40::1","2a02:cf40::2","Allowed",'
    '"28 (AAAA)","NOERROR","us-v10c.events.data.microsoft.com.","Software/Technology,Business Services,Allow '
    'List,Application,Business and Industry,Computers and Internet","AD Users","AD Users,Anyconnect Roaming '
    'Client","Allow List"',
]


def test_umbrella(tmp_path: Path) -> None:
    log = tmp_path / "dnslogs.csv"
    # the last line is written for the test: not an Umbrella record
    log.write_text(
        "\n".join([*UMBRELLA_DOC, *UMBRELLA_ELASTIC, "not,an,umbrella,line"]) + "\n", encoding="utf-8"
    )
    assert detect(open_source(log)).name == "umbrella-dns"
    account, got = scan(log)
    assert account["format"] == "umbrella-dns"
    assert got == {
        # both documented examples: the same query, allowed then blocked
        ("10.10.1.100", "domain-visited.com"): (2, dt.datetime(2015, 1, 16, 17, 48, 41), None, None),
        ("192.168.1.1", "www.elastic.co"): (1, dt.datetime(2020, 7, 23, 23, 49, 54), None, None),
        ("2a02:cf40::1", "us-v10c.events.data.microsoft.com"): (
            1,
            dt.datetime(2023, 5, 5, 12, 50),
            None,
            None,
        ),
    }
    assert account["malformed"] == 1
