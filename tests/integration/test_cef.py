"""Issue 17: CEF and LEEF, from published example lines, verbatim (tests/data/README.md): the escaping
example of jcustenborder/cef-parser's README, the Imperva SecureSphere and CyberArk Vault lines of
Apache Metron's CEF parser test, and the LEEF 1.0/2.0 events of Tenzir's LEEF documentation (whose
headers are IBM's documented examples). The Check Point line is written for the test in CEF's
documented keys."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from sekisho import api
from sekisho.ingest import detect
from sekisho.ingest.sources import open_source
from sekisho.store import Store

# https://github.com/jcustenborder/cef-parser (README): an escaped pipe in the header, a bare one in
# the extension
CUSTENBORDER = (
    r"Sep 19 08:26:10 host CEF:0|security|threatmanager|1.0|100|detected a \| in message|10|"
    r"src=10.0.0.1 act=blocked a | dst=1.1.1.1"
)
# apache/metron 08451a5d9994cdad1b80536bfe55a820ff7e3002,
# metron-platform/metron-parsers/src/test/java/org/apache/metron/parsers/cef/CEFParserTest.java
# (testParseWafCEF, testParseCyberArkCEF; the Java string literals unescaped)
IMPERVA = (
    "<14>CEF:0|Imperva Inc.|SecureSphere|10.0.0.4_16|ABC - Secure Login.vm Page Rate Limit UK - Source IP||High|"
    "act=alert dst=17.43.200.42 dpt=88 duser=${Alert.username} src=10.31.45.69 spt=34435 proto=TCP rt=31 March 2016 13:04:55 "
    "cat=Alert cs1= cs1Label=Policy cs2=ABC-Secure cs2Label=ServerGroup cs3=servers_svc cs3Label=ServiceName cs4=server_app "
    "cs4Label=ApplicationName cs5=QA cs5Label=Description"
)
CYBERARK = (
    "Mar 21 14:05:00 VDCPVAULTN1 CEF:0|Cyber-Ark|Vault|7.20.0091|194|Backup Process Initiated|5|"
    "act=Backup Process Initiated suser=PR fname= dvc= shost=144.99.201.3 dhost= duser= externalId= app= "
    'reason= cs1Label="Affected User Name" cs1= cs2Label="Safe Name" cs2=RFCConfig cs3Label="Device Type" '
    'cs3= cs4Label="Database" cs4= cs5Label="Other info" cs5= cn1Label="Request Id" cn1= cn2Label="Ticket Id" '
    "cn2=  msg="
)
# written for the test
CHECKPOINT = (
    "CEF:0|Check Point|VPN-1 & FireWall-1|Check Point|Accept|https|Unknown|act=Accept rt=1684890123000 src=10.1.1.5 "
    "dst=203.0.113.7 dhost=ime.example.cn request=https://ime.example.cn/upload?q=a b out=1200 in=300"
)
# https://docs.tenzir.com/v4.22/formats/leef ("real-world LEEF events"; LEEF 1.0 pairs tab-separated)
LEEF1 = "LEEF:1.0|Microsoft|MSExchange|2016|15345|src=10.50.1.1\tdst=2.10.20.20\tspt=1200"
LEEF2 = "LEEF:2.0|Lancope|StealthWatch|1.0|41|^|src=10.0.1.8^dst=10.0.0.5^sev=5^srcPort=81^dstPort=21"

LINES = [CUSTENBORDER, IMPERVA, CYBERARK, CHECKPOINT, LEEF1, LEEF2, "just text"]


def test_cef_and_leef(tmp_path: Path) -> None:
    log = tmp_path / "siem.log"
    log.write_text("\n".join(LINES) + "\n", encoding="utf-8")
    db = tmp_path / "db.duckdb"
    with Store(db) as store:
        store.set_setting("retention_days", str(365 * 100))
        store.set_setting("detail_days", str(365 * 100))
    account = api.scan([str(log)], db=db, year=2023)["files"][0]  # type: ignore[index]
    with Store(db, read_only=True) as store:
        rows = store.con.execute(
            "SELECT client, name, first_seen, bytes_out, bytes_in FROM observations"
        ).fetchall()
    got = {(r[0], r[1]): r[2:] for r in rows}
    assert account["format"] == "cef"
    # the syslog stamp, year given; `\|` in the header does not end a field, `|` in a value is text
    assert got[("10.0.0.1", "1.1.1.1")] == (dt.datetime(2023, 9, 19, 8, 26, 10), None, None)
    # Imperva writes rt as "31 March 2016 13:04:55"
    assert got[("10.31.45.69", "17.43.200.42")] == (dt.datetime(2016, 3, 31, 13, 4, 55), None, None)
    # dhost wins over dst; rt is epoch ms (1684890123000 = 2023-05-24 01:02:03 UTC); out/in are bytes
    assert got[("10.1.1.5", "ime.example.cn")] == (dt.datetime(2023, 5, 24, 1, 2, 3), 1200, 300)
    assert ("10.50.1.1", "2.10.20.20") in got  # LEEF 1.0, tab-separated
    assert ("10.0.1.8", "10.0.0.5") in got  # LEEF 2.0 with its own delimiter
    assert len(got) == 5
    # the CyberArk backup event names no destination (dhost= is empty)
    assert account["skipped_reasons"] == {"record without a destination": 1}
    assert account["malformed"] == 1 and account["malformed_samples"][0]["line"] == 7


def test_pri_before_cef_is_detected(tmp_path: Path) -> None:
    # a device that writes "<PRI>CEF:0|…" with no syslog stamp (the Imperva line alone)
    log = tmp_path / "imperva.log"
    log.write_text(IMPERVA + "\n", encoding="utf-8")
    assert detect(open_source(log)).name == "cef"
