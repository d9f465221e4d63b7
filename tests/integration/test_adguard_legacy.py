"""AdGuard Home's query log before v0.99.3 (issue 12): ``Question`` is the packed DNS request in
base64, ``Time`` RFC 3339 with an offset. The QNAME is decoded inside DuckDB
(sekisho.ingest.wire).

The first line is AdGuard Home's own test vector for this layout, verbatim
(internal/querylog/decode_test.go at AdguardTeam/AdGuardHome 8a9c6e8a, 2020-11-16); the others are
built in the documented layout (Go's ``encoding/json`` of the pre-v0.99.3 ``logEntry``: Question,
Answer, Result, Time, Elapsed, IP, Upstream) with the request packed by dnspython, as
``dns.Msg.Pack()`` packs it. tests/data/README.md lists the source.
"""

from __future__ import annotations

import base64
import json
from pathlib import Path

import dns.message
import dns.name
import duckdb
import pytest

from sekisho import api
from sekisho.ingest import FORMATS, detect
from sekisho.ingest.sources import open_source
from sekisho.ingest.wire import dns_question_base64
from sekisho.store import Store

ADGUARD_VECTOR = (
    '{"Question":"ULgBAAABAAAAAAAAC2FkZ3VhcmR0ZWFtBmdpdGh1YgJpbwAAHAAB","Answer":"ULiBgAABAAAAAQAAC2FkZ3V'
    "hcmR0ZWFtBmdpdGh1YgJpbwAAHAABwBgABgABAAADQgBLB25zLTE2MjIJYXdzZG5zLTEwAmNvAnVrABFhd3NkbnMtaG9zdG1hc3R"
    'lcgZhbWF6b24DY29tAAAAAAEAABwgAAADhAASdQAAAVGA","Result":{},"Time":"2020-11-13T12:41:25.970861+03:00",'
    '"Elapsed":244066501,"IP":"127.0.0.1","Upstream":"https://1.1.1.1:443/dns-query"}'
)


def entry(name: str | bytes, when: str, ip: str, reason: int = 0) -> str:
    """One line as AdGuard Home < v0.99.3 wrote it (field order of its logEntry struct)."""
    if isinstance(name, bytes):
        wire = name
    else:
        wire = dns.message.make_query(dns.name.from_text(name), "A").to_wire()
    result = {"IsFiltered": True, "Reason": reason, "Rule": "||tracker.example^"} if reason else {}
    return json.dumps(
        {
            "Question": base64.b64encode(wire).decode(),
            "Result": result,
            "Time": when,
            "Elapsed": 1234567,
            "IP": ip,
            "Upstream": "tls://1.1.1.1:853",
        },
        separators=(",", ":"),
    )


def test_the_qname_is_decoded_in_sql_from_the_wire_format() -> None:
    con = duckdb.connect()
    names = ["www.City.Example.lg.jp.", "_ldap._tcp.dc.corp.example.net.", "xn--eckwd4c7c.xn--zckzah."]
    for n in names:
        b64 = base64.b64encode(dns.message.make_query(n, "AAAA").to_wire()).decode()
        assert con.execute(f"SELECT {dns_question_base64('$1')}", [b64]).fetchone() == (n.rstrip("."),)
    header = bytes(12)
    bad = {
        "cut short": header + b"\x03www\x07exam",
        "compression pointer": header + b"\xc0\x0c\x00\x01\x00\x01",
        "not base64": None,
    }
    for why, wire in bad.items():
        b64 = "%%%not base64" if wire is None else base64.b64encode(wire).decode()
        got = con.execute(f"SELECT {dns_question_base64('$1')}", [b64]).fetchone()
        assert got == ("undecodable DNS question",), why
    assert con.execute(f"SELECT {dns_question_base64('$1')}", [""]).fetchone() == (None,)


def test_a_legacy_querylog_is_detected_and_read(tmp_path: Path) -> None:
    log = tmp_path / "querylog.json"
    lines = [
        ADGUARD_VECTOR,
        entry("www.google.com.", "2019-10-20T08:15:00.123456789+09:00", "192.168.10.21"),
        entry("tracker.example.net.", "2019-10-20T08:15:01.5+09:00", "192.168.10.22", reason=3),
        entry("www.google.com.", "2019-10-20T23:59:59Z", "192.168.10.21"),
        entry(bytes(12) + b"\x03www\x07exam", "2019-10-20T09:00:00+09:00", "192.168.10.23"),  # cut short
        entry(b"", "2019-10-20T09:00:01+09:00", "192.168.10.23"),  # AdGuard's empty Question
    ]
    log.write_text("\n".join(lines) + "\n")
    src = open_source(log)
    try:
        assert detect(src).name == "adguard-legacy"
    finally:
        src.close()
    db = tmp_path / "db.duckdb"
    f = api.scan([str(log)], db=db, keep_all=True)["files"][0]
    assert f["format"] == "adguard-legacy"
    assert (f["lines"], f["parsed"], f["skipped"], f["malformed"]) == (6, 4, 1, 1), f
    assert f["malformed_samples"][0]["line"] == 5
    assert f["malformed_samples"][0]["reason"].startswith("not a DNS name")
    assert f["skipped_reasons"] == {"record without a name": 1}
    with Store(db, read_only=True) as store:
        rows = store.con.execute(
            "SELECT day::VARCHAR, client, name, queries, first_seen::VARCHAR FROM observations ORDER BY ALL"
        ).fetchall()
    assert rows == [
        ("2019-10-19", "192.168.10.21", "www.google.com", 1, "2019-10-19 23:15:00.123456"),  # +09:00 → UTC
        ("2019-10-19", "192.168.10.22", "tracker.example.net", 1, "2019-10-19 23:15:01.5"),
        ("2019-10-20", "192.168.10.21", "www.google.com", 1, "2019-10-20 23:59:59"),
        ("2020-11-13", "127.0.0.1", "adguardteam.github.io", 1, "2020-11-13 09:41:25.970861"),
    ]


def test_the_current_layout_is_still_its_own_format(tmp_path: Path) -> None:
    log = tmp_path / "querylog.json"
    log.write_text(
        '{"T":"2024-05-01T10:00:00.1+09:00","QH":"www.google.com","QT":"A","QC":"IN","IP":"10.0.0.5"}\n'
    )
    src = open_source(log)
    try:
        assert detect(src).name == "adguard"
    finally:
        src.close()
    assert "adguard-legacy" in FORMATS


@pytest.mark.parametrize("n", [0, 1])
def test_names_decoded_from_the_wire_pass_the_same_edge_check(tmp_path: Path, n: int) -> None:
    """A question whose label holds a space or a bracket (legal on the wire) is malformed, not stored."""
    label = [b"a b", b"x[/]"][n]
    wire = (
        bytes.fromhex("abcd01000001000000000000")
        + bytes([len(label)])
        + label
        + b"\x03com\x00\x00\x01\x00\x01"
    )
    log = tmp_path / "querylog.json"
    log.write_text(entry(wire, "2019-10-20T09:00:00+09:00", "10.0.0.1") + "\n" + ADGUARD_VECTOR + "\n")
    f = api.scan([str(log)], db=tmp_path / "db.duckdb", keep_all=True)["files"][0]
    assert (f["parsed"], f["malformed"]) == (1, 1), f
    assert f["malformed_samples"][0]["reason"].startswith("not a DNS name")
