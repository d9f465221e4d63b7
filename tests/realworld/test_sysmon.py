"""Issue 17: Sysmon event 22 (DNS query) from JSON exports and EVTX files.

Expected values come from reading the samples with the standard library (``json``), never from
sekisho. The JSON samples are the OTRF Security-Datasets export in ../shared/corpora/sysmon (see
its MANIFEST.md).
"""

from __future__ import annotations

import collections
import datetime as dt
import json
import os
from pathlib import Path

import pytest

from sekisho import api
from sekisho.ingest import detect
from sekisho.ingest.formats.evtx import sysmon_dns
from sekisho.ingest.sources import open_source
from sekisho.store import Store

pytestmark = pytest.mark.realworld


def scan(
    path: Path, db: Path, fmt: str | None = None
) -> tuple[dict[str, object], dict[tuple[str, str], int], dt.datetime | None]:
    """Scan one file (``fmt`` forced, or detected) into a store that keeps old dates: (its account,
    queries per (client, name), the first time seen; None when nothing counted). The Windows DNS
    Server tests use it too."""
    with Store(db) as store:
        store.set_setting("retention_days", str(365 * 100))
        store.set_setting("detail_days", str(365 * 100))
    result = api.scan([str(path)], db=db, format_name=fmt)
    files = result["files"]
    assert isinstance(files, list) and len(files) == 1
    with Store(db, read_only=True) as store:
        rows = store.con.execute(
            "SELECT client, name, sum(queries), min(first_seen) FROM observations GROUP BY ALL"
        ).fetchall()
    first = min((r[3] for r in rows), default=None)
    return files[0], {(str(c), str(n)): int(q) for c, n, q, _ in rows}, first


def expected(path: Path) -> tuple[collections.Counter[tuple[str, str]], int, dt.datetime]:
    want: collections.Counter[tuple[str, str]] = collections.Counter()
    lines = 0
    first = dt.datetime.max
    for line in path.read_text(encoding="utf-8").splitlines():
        lines += 1
        ev = json.loads(line)
        if str(ev.get("EventID")) == "22" and ev.get("Channel") == "Microsoft-Windows-Sysmon/Operational":
            want[(ev["Hostname"], ev["QueryName"].lower().rstrip("."))] += 1
            first = min(first, dt.datetime.strptime(ev["UtcTime"], "%Y-%m-%d %H:%M:%S.%f"))
    return want, lines, first


@pytest.mark.parametrize(
    "rel", ["sysmon/otrf_sysmon_eid22_dnsquery.json", "sysmon/otrf_psh_cmstp_all_events.json"]
)
def test_sysmon_json_gives_every_dns_query(rel: str, corpora: Path, tmp_path: Path) -> None:
    path = corpora / rel
    assert detect(open_source(path)).name == "sysmon-dns-json"
    want, lines, first = expected(path)
    assert sum(want.values()) == 205
    account, got, first_seen = scan(path, tmp_path / "db.duckdb")
    assert got == dict(want)
    assert account["lines"] == lines
    assert account["parsed"] == 205 and account["malformed"] == 0
    assert account["skipped"] == lines - 205  # the other events of a mixed export, each counted
    assert first_seen == first  # UtcTime, read as UTC


def test_winlogbeat_nesting(corpora: Path, tmp_path: Path) -> None:
    """Winlogbeat 7/8 nests the same fields under ``winlog`` (``winlog.event_id``,
    ``winlog.event_data.QueryName``, ``winlog.computer_name``): the corpus events, nested so."""
    src = corpora / "sysmon/otrf_sysmon_eid22_dnsquery.json"
    nested = tmp_path / "winlogbeat.ndjson"
    with nested.open("w", encoding="utf-8") as out:
        for line in src.read_text(encoding="utf-8").splitlines():
            ev = json.loads(line)
            data = {k: ev[k] for k in ("UtcTime", "QueryName", "QueryStatus", "QueryResults", "Image")}
            doc = {
                "@timestamp": ev["@timestamp"],
                "event": {"code": "22", "provider": "Microsoft-Windows-Sysmon"},
                "winlog": {
                    "event_id": "22",
                    "channel": ev["Channel"],
                    "computer_name": ev["Hostname"],
                    "event_data": data,
                },
            }
            out.write(json.dumps(doc) + "\n")
    assert detect(open_source(nested)).name == "sysmon-dns-json"
    want, _, _ = expected(src)
    account, got, _ = scan(nested, tmp_path / "db.duckdb")
    assert got == dict(want) and account["malformed"] == 0


# One record of EVTX-ATTACK-SAMPLES "Privilege Escalation/Sysmon_UACME_64.evtx" (sbousseaden,
# commit 4ceed2f4706daf601c212a8f91c113dd85349a2c) as python-evtx 0.8.1 renders it, verbatim.
RECORD_1084 = """<Event xmlns="http://schemas.microsoft.com/win/2004/08/events/event"><System><Provider Name="Microsoft-Windows-Sysmon" Guid="{5770385f-c22a-43e0-bf4c-06f5698ffbd9}"></Provider>
<EventID Qualifiers="">22</EventID>
<Version>5</Version>
<Level>4</Level>
<Task>22</Task>
<Opcode>0</Opcode>
<Keywords>0x8000000000000000</Keywords>
<TimeCreated SystemTime="2020-10-20 11:51:01.476723+00:00"></TimeCreated>
<EventRecordID>1084</EventRecordID>
<Correlation ActivityID="" RelatedActivityID=""></Correlation>
<Execution ProcessID="7212" ThreadID="1320"></Execution>
<Channel>Microsoft-Windows-Sysmon/Operational</Channel>
<Computer>DESKTOP-NTSSLJD</Computer>
<Security UserID="S-1-5-18"></Security>
</System>
<EventData><Data Name="RuleName">-</Data>
<Data Name="UtcTime">2020-10-20 11:50:59.461</Data>
<Data Name="ProcessGuid">{23f38d93-abac-5f8e-3900-000000000c00}</Data>
<Data Name="ProcessId">2428</Data>
<Data Name="QueryName">wpad</Data>
<Data Name="QueryStatus">9003</Data>
<Data Name="QueryResults">-</Data>
<Data Name="Image">C:\\Windows\\System32\\svchost.exe</Data>
</EventData>
</Event>
"""


def test_evtx_record_xml() -> None:
    found = sysmon_dns(RECORD_1084)
    assert found is not None
    record_id, data = found
    assert record_id == 1084
    assert (data["QueryName"], data["UtcTime"], data["Computer"]) == (
        "wpad",
        "2020-10-20 11:50:59.461",
        "DESKTOP-NTSSLJD",
    )
    assert sysmon_dns(RECORD_1084.replace(">22</EventID>", ">7</EventID>")) is None  # image load
    assert sysmon_dns(RECORD_1084.replace('Name="Microsoft-Windows-Sysmon"', 'Name="Other"')) is None
    with pytest.raises(ValueError):
        sysmon_dns(RECORD_1084[:200])


def test_evtx_file(tmp_path: Path) -> None:
    """The whole EVTX (530 records, one of them Sysmon event 22) through python-evtx. The file is
    GPL-licensed sample data, not in the corpora: set SEKISHO_EVTX_SAMPLES to a checkout of
    sbousseaden/EVTX-ATTACK-SAMPLES (tests/data/README.md)."""
    root = os.environ.get("SEKISHO_EVTX_SAMPLES")
    path = Path(root or "-") / "Privilege Escalation" / "Sysmon_UACME_64.evtx"
    if not path.is_file():
        pytest.skip("SEKISHO_EVTX_SAMPLES not set to an EVTX-ATTACK-SAMPLES checkout (optional data)")
    assert detect(open_source(path)).name == "sysmon-evtx"
    account, got, first = scan(path, tmp_path / "db.duckdb")
    assert got == {("DESKTOP-NTSSLJD", "wpad"): 1}
    assert first == dt.datetime(2020, 10, 20, 11, 50, 59, 461000)
    assert (account["lines"], account["parsed"], account["skipped"], account["malformed"]) == (530, 1, 529, 0)


def test_sysmon_xml_lines(tmp_path: Path) -> None:
    """Event XML one per line (Get-WinEvent … ToXml(), python-evtx's rendering joined): record 1084
    as python-evtx renders it, the same in Windows' single-quoted self-closing style, and an image-
    load event (Sysmon 7) that is skipped."""
    one = RECORD_1084.replace("\n", "")
    windows = (
        one.replace('"', "'")
        .replace("></Provider>", "/>")
        .replace("<Data Name='QueryName'>wpad", "<Data Name='QueryName'>ime.example.cn")
        .replace("2020-10-20 11:50:59.461", "2020-10-20 11:51:00.000")
    )
    other = one.replace(">22</EventID>", ">7</EventID>")
    log = tmp_path / "sysmon.xml"
    log.write_text("\n".join([one, windows, other]) + "\n", encoding="utf-8")
    assert detect(open_source(log)).name == "sysmon-dns-xml"
    account, got, first = scan(log, tmp_path / "db.duckdb")
    assert got == {("DESKTOP-NTSSLJD", "wpad"): 1, ("DESKTOP-NTSSLJD", "ime.example.cn"): 1}
    assert first == dt.datetime(2020, 10, 20, 11, 50, 59, 461000)
    assert account["skipped_reasons"] == {"other record type": 1} and account["malformed"] == 0
