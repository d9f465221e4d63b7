"""Hostile and broken inputs (issue 10): log text never becomes SQL, the engine can reach no file
but the ones it reads, and truncated or corrupt inputs and stores fail with one line naming the
file while the other files are still read.

The hostile Zeek headers are the documented Zeek TSV header (``#separator``, ``#fields`` …) with
field names crafted the way the attack in the issue was: a double quote that closes the identifier,
then statements that read, list and write files. The broken compressed files are real gzip, bzip2
and zstd streams of a generated dnsmasq log, cut short.
"""

from __future__ import annotations

import bz2
import gzip
import os
from pathlib import Path

import duckdb
import pytest
import zstandard
from typer.testing import CliRunner

from sekisho import api
from sekisho.cli.main import app
from sekisho.ingest.duckdb_engine import engine_connection
from sekisho.store import Store

FIELDS = [
    "ts",
    "uid",
    "id.orig_h",
    "id.orig_p",
    "id.resp_h",
    "id.resp_p",
    "proto",
    "query",
    "rcode_name",
    "answers",
]


def zeek_dns(path: Path, fields: list[str], rows: int = 20) -> Path:
    header = [
        "#separator \\x09",
        "#set_separator\t,",
        "#empty_field\t(empty)",
        "#unset_field\t-",
        "#path\tdns",
        "#open\t2026-11-30-10-00-00",
        "#fields\t" + "\t".join(fields),
        "#types\t" + "\t".join("string" for _ in fields),
    ]
    lines = []
    for i in range(rows):
        values = {
            "ts": f"{1795950000 + i}.000001",
            "uid": f"C{i}",
            "id.orig_h": f"10.0.0.{i % 5 + 1}",
            "id.orig_p": "5353",
            "id.resp_h": "10.0.0.53",
            "id.resp_p": "53",
            "proto": "udp",
            "query": f"host{i % 7}.example.com",
            "rcode_name": "NOERROR",
        }
        lines.append("\t".join(values.get(f, "x") for f in fields))
    path.write_text("\n".join(header + lines) + "\n")
    return path


def observations(db: Path) -> list[tuple[object, ...]]:
    with Store(db, read_only=True) as store:
        return store.con.execute(
            "SELECT client, name, sum(queries) FROM observations GROUP BY ALL ORDER BY ALL"
        ).fetchall()


def test_a_zeek_header_cannot_run_sql(tmp_path: Path) -> None:
    pwned = tmp_path / "pwned.csv"
    hostile = [
        f"ts\" FROM (SELECT 1); COPY (SELECT 42) TO '{pwned}'; SELECT \"x",
        "x\" , (SELECT content FROM read_text('/etc/hostname')) AS \"y",
        'z""; DROP TABLE observations; --',
        'id.orig_h"',
    ]
    (tmp_path / "clean").mkdir()
    clean = zeek_dns(tmp_path / "clean" / "dns.log", FIELDS)
    evil_dir = tmp_path / "evil"
    evil_dir.mkdir()
    evil = zeek_dns(evil_dir / "dns.log", FIELDS[:3] + hostile + FIELDS[3:])
    db_clean, db_evil = tmp_path / "clean.duckdb", tmp_path / "evil.duckdb"
    api.scan([str(clean)], db=db_clean)
    result = api.scan([str(evil)], db=db_evil)
    assert result["files"][0]["parsed"] == 20
    assert not pwned.exists()
    assert observations(db_evil) == observations(db_clean)


def test_a_csv_header_cannot_run_sql(tmp_path: Path) -> None:
    pwned = tmp_path / "pwned.csv"
    col = f"name\"; COPY (SELECT 1) TO '{pwned}'; --"
    log = tmp_path / "fw.csv"
    log.write_text(
        f'ts,client,"{col.replace(chr(34), chr(34) * 2)}"\n'
        + "".join(f"2026-11-30T10:00:0{i}Z,10.0.0.{i},site{i}.example.org\n" for i in range(5))
    )
    result = api.scan(
        [str(log)],
        db=tmp_path / "db.duckdb",
        format_name="csv",
        mapping={"name": col, "ts": "ts", "client": "client"},
    )
    assert result["files"][0]["parsed"] == 5
    assert not pwned.exists()


def test_the_engine_reaches_only_the_files_it_reads(tmp_path: Path) -> None:
    log = tmp_path / "a.log"
    log.write_text("one\ntwo\n")
    other = tmp_path / "other.txt"
    other.write_text("secret\n")
    con = engine_connection([log])
    assert con.execute(f"SELECT count(*) FROM read_csv('{log}', header=false)").fetchone() == (2,)
    for sql in (
        f"SELECT * FROM read_text('{other}')",
        "SELECT * FROM read_text('/etc/hostname')",
        f"COPY (SELECT 1) TO '{tmp_path / 'out.csv'}'",
        f"ATTACH '{tmp_path / 'x.duckdb'}' AS x",
    ):
        with pytest.raises(duckdb.Error):
            con.execute(sql)
    with pytest.raises(duckdb.Error):
        con.execute("SET enable_external_access = true")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a.log", "other.txt"]


def dnsmasq_log(lines: int = 400) -> bytes:
    out = []
    for i in range(lines):
        out.append(
            f"Nov 30 10:{i // 60 % 60:02d}:{i % 60:02d} dnsmasq[42]: query[A] host{i % 9}.example.net from 10.1.0.{i % 4 + 1}"
        )
    return ("\n".join(out) + "\n").encode()


def test_truncated_compressed_files_are_reported_and_the_others_read(tmp_path: Path) -> None:
    data = dnsmasq_log()
    logs = tmp_path / "logs"
    logs.mkdir()
    (logs / "ok.log").write_bytes(data.replace(b"example.net", b"example.org"))
    (logs / "cut.log.gz").write_bytes(gzip.compress(data)[:-300])
    (logs / "cut.log.bz2").write_bytes(bz2.compress(data)[:-300])
    (logs / "cut.log.zst").write_bytes(zstandard.ZstdCompressor().compress(data)[:-30])
    db = tmp_path / "db.duckdb"
    run = CliRunner().invoke(app, ["scan", str(logs), "--db", str(db), "--json"])
    assert run.exit_code == 1, run.output
    assert "Traceback" not in run.output
    files = {Path(f["path"]).name: f for f in api_json(run.output)["files"]}
    assert files["ok.log"]["parsed"] == 400
    for name, kind in (("cut.log.gz", "gzip"), ("cut.log.bz2", "bz2"), ("cut.log.zst", "zstd")):
        assert files[name]["note"].startswith("not read: cannot decompress"), files[name]
        assert kind in files[name]["note"]
    assert sum(q for _, _, q in observations(db)) == 400


def api_json(text: str) -> dict:
    import json

    return json.loads(text[text.index("{") :])


@pytest.mark.parametrize("damage", ["random", "checksums"])
def test_a_corrupt_store_is_one_clear_line(tmp_path: Path, damage: str) -> None:
    db = tmp_path / "store.duckdb"
    log = tmp_path / "a.log"
    log.write_bytes(dnsmasq_log(50))
    api.scan([str(log)], db=db)
    if damage == "random":
        db.write_bytes(os.urandom(200_000))
    else:
        raw = bytearray(db.read_bytes())
        for i in range(4096 + 100, len(raw), 4096):
            raw[i : i + 64] = os.urandom(64)
        db.write_bytes(bytes(raw))
    for args in (["report"], ["scope", "baidu-ime"], ["db", "info"]):
        run = CliRunner().invoke(app, [*args, "--db", str(db)])
        assert run.exit_code == 1, run.output
        assert "Traceback" not in run.output
        assert str(db) in run.output


def test_a_half_written_last_line_waits_for_the_next_scan(tmp_path: Path) -> None:
    log = tmp_path / "dnsmasq.log"
    whole = dnsmasq_log(6).splitlines(keepends=True)
    log.write_bytes(b"".join(whole[:3]) + whole[3][:25])  # the writer is in the middle of line 4
    db = tmp_path / "db.duckdb"
    first = api.scan([str(log)], db=db)["files"][0]
    assert (first["lines"], first["parsed"], first["malformed"]) == (3, 3, 0)
    assert "incomplete last line" in first["note"]
    log.write_bytes(b"".join(whole))  # the line is finished, and two more follow
    second = api.scan([str(log)], db=db)["files"][0]
    assert (second["parsed"], second["malformed"]) == (3, 0), second
    assert sum(q for _, _, q in observations(db)) == 6


def test_control_characters_make_a_record_malformed(tmp_path: Path) -> None:
    good = dnsmasq_log(200)  # > 4 KiB, so the NUL below is past the part read to detect the format
    bad = [
        b"Nov 30 11:00:00 dnsmasq[42]: query[A] evil\x1b[2J.example.com from 10.1.0.9",
        b"Nov 30 11:00:01 dnsmasq[42]: query[A] nul\x00byte.example.com from 10.1.0.9",
        b"Nov 30 11:00:02 dnsmasq[42]: query[A] bell\x07.example.com from 10.1.0.9",
    ]
    log = tmp_path / "dnsmasq.log"
    log.write_bytes(good + b"\n".join(bad) + b"\n")
    db = tmp_path / "db.duckdb"
    f = api.scan([str(log)], db=db)["files"][0]
    assert f["parsed"] == 200
    assert f["malformed"] == 3, f
    assert all(not any(c < " " for c in name) for _, name, _ in observations(db))


def test_overlong_lines_are_counted_malformed_with_their_numbers(tmp_path: Path) -> None:
    good = dnsmasq_log(3)
    log = tmp_path / "dnsmasq.log"
    with open(log, "wb") as f:
        f.write(good)  # lines 1-3
        f.write(b"Nov 30 10:00:01 dnsmasq[42]: query[A] " + b"x" * (3 << 20) + b".com from 10.1.0.1\n")  # 4
        f.write(good)  # 5-7
        f.write(b"Nov 30 10:00:01 dnsmasq[42]: query[A] " + b"y" * (40 << 20) + b".com from 10.1.0.1\n")  # 8
        f.write(good)  # 9-11
    result = api.scan([str(log)], db=tmp_path / "db.duckdb")["files"][0]
    assert (result["lines"], result["parsed"], result["malformed"]) == (11, 9, 2), result
    assert [s["line"] for s in result["malformed_samples"]] == [4, 8]


def test_a_name_that_is_not_a_dns_name_is_malformed_not_stored(tmp_path: Path) -> None:
    """Names are validated once, at the edge (issue 10 items 2 and 5): markup, spaces, URLs and
    trailing garbage make the line malformed with a reason; DNS names, the root, wildcard labels,
    service labels, Zeek's \\xNN escapes (NetBIOS) and addresses pass."""
    good = dnsmasq_log(200)  # > 4 KiB: the hostile lines are past the part read to detect the format
    bad = {
        b"query[A] www.evil[/].com from 10.1.0.9": "not a DNS name",
        b"query[A] [bold red]x[/].net from 10.1.0.9": "starts like a dnsmasq record but does not match",
        b"query[A] ok.example.net from 10.1.0.9 and then some": "starts like a dnsmasq record",
        b"query[A] http://172.16.0.58 from 10.1.0.9": "not a DNS name",
        b"query[A] " + b"a" * 64 + b".example.net from 10.1.0.9": "not a DNS name",  # label > 63
    }
    fine = [
        b"query[NS] . from 10.1.0.8",
        b"query[SRV] _ldap._tcp.dc._msdcs.corp.example.net from 10.1.0.8",
        b"query[A] *.example.net from 10.1.0.8",
        b"query[PTR] 8.0.1.10.in-addr.arpa from 10.1.0.8",
        b"query[A] xn--eckwd4c7c.xn--zckzah from 10.1.0.8",
    ]
    lines = [b"Nov 30 11:00:%02d dnsmasq[42]: " % i + m for i, m in enumerate([*bad, *fine])]
    log = tmp_path / "dnsmasq.log"
    log.write_bytes(good + b"\n".join(lines) + b"\n")
    db = tmp_path / "db.duckdb"
    f = api.scan([str(log)], db=db)["files"][0]
    assert (f["parsed"], f["malformed"]) == (200 + len(fine), len(bad)), f
    samples = {s["line"]: s["reason"] for s in f["malformed_samples"]}
    for n, reason in enumerate(bad.values(), start=201):
        assert samples[n].startswith(reason), (n, samples)
    stored = {name for _, name, _ in observations(db)}
    assert {"", "_ldap._tcp.dc._msdcs.corp.example.net", "*.example.net"} <= stored
    assert not any(c in n for n in stored for c in "[]/: "), stored


def test_zeek_names_are_validated_at_the_same_edge(tmp_path: Path) -> None:
    """The same check for a Zeek log (every format passes the engine's final clause): Zeek writes
    non-printable octets of a name as \\xNN (NetBIOS ``\\x01\\x02__MSBROWSE__\\x02\\x01``), kept;
    an mDNS instance name with a space and brackets is malformed."""
    path = zeek_dns(tmp_path / "dns.log", FIELDS, rows=10)
    text = path.read_text().splitlines()
    row = text[-1].split("\t")
    q = FIELDS.index("query")
    extra = []
    for name in [
        "\\x01\\x02__MSBROWSE__\\x02\\x01",
        "*",
        "nougat [28:d2:44:0f:4c:e9]._workstation._tcp.local",
    ]:
        extra.append("\t".join(row[:q] + [name] + row[q + 1 :]))
    path.write_text("\n".join(text + extra) + "\n")
    db = tmp_path / "db.duckdb"
    f = api.scan([str(path)], db=db)["files"][0]
    assert (f["parsed"], f["malformed"]) == (12, 1), f
    assert f["malformed_samples"][0]["reason"].startswith("not a DNS name")
    stored = {name for _, name, _ in observations(db)}
    assert "\\x01\\x02__msbrowse__\\x02\\x01" in stored and "*" in stored


def test_a_file_of_no_known_format_is_described_never_quoted(tmp_path: Path) -> None:
    """Detection errors give the first line's shape, never its bytes (issue 10 item 6): a scan of
    ``/etc/shadow``-like text tells its size and kind, in the terminal and in the file's entry."""
    secret = "root:$6$Zq9.secret-hash-do-not-print:19700:0:99999:7:::"
    path = tmp_path / "shadow"
    path.write_text(secret + "\nbin:*:19700:0:99999:7:::\n")
    res = CliRunner().invoke(app, ["scan", "--db", str(tmp_path / "db.duckdb"), str(path)])
    assert res.exit_code == 1
    assert "secret-hash" not in res.output and "root:" not in res.output, res.output
    assert f"first line is {len(secret)} bytes of text of 1 word matching no known format" in res.output
    assert "2 lines read" in res.output
    listed = tmp_path / "dir"
    listed.mkdir()
    (listed / "notes.json").write_text('{"password": "hunter2"}\n')
    (listed / "ok.log").write_bytes(dnsmasq_log(5))
    files = {Path(f["path"]).name: f for f in api.scan([str(listed)], db=tmp_path / "db2.duckdb")["files"]}
    note = files["notes.json"]["note"]
    assert "hunter2" not in note and "first line is 23 bytes of JSON" in note and "--format" not in note
    assert files["ok.log"]["parsed"] == 5


def test_one_huge_line_among_few_is_one_malformed_line(tmp_path: Path) -> None:
    """DuckDB's parallel reader refuses a file whose few lines include one past its buffer; the
    engine reads it again with one thread, so the other lines still count."""
    good = dnsmasq_log(1)
    log = tmp_path / "dnsmasq.log"
    log.write_bytes(
        good + b"Nov 30 10:00:01 dnsmasq[42]: query[A] " + b"y" * (40 << 20) + b".com from 10.1.0.1\n" + good
    )
    result = api.scan([str(log)], db=tmp_path / "db.duckdb")["files"][0]
    assert (result["lines"], result["parsed"], result["malformed"]) == (3, 2, 1), result
    assert [s["line"] for s in result["malformed_samples"]] == [2]


def test_a_client_that_is_no_address_makes_the_record_malformed(tmp_path: Path) -> None:
    log = tmp_path / "dnsmasq.log"
    log.write_bytes(
        dnsmasq_log(4)
        + b"Nov 30 11:00:00 dnsmasq[42]: query[A] deepseek.com from 10.0.0.[red]5\n"
        + b"Nov 30 11:00:01 dnsmasq[42]: query[A] deepseek.com from {x:1}\n"
    )
    result = api.scan([str(log)], db=tmp_path / "db.duckdb")["files"][0]
    assert (result["parsed"], result["malformed"]) == (4, 2), result
    assert {s["line"] for s in result["malformed_samples"]} == {5, 6}
    assert all("[" not in c and "{" not in c for c, _, _ in observations(tmp_path / "db.duckdb"))


def test_a_newline_in_a_file_name_cannot_fake_an_output_line(tmp_path: Path) -> None:
    logs = tmp_path / "logs"
    logs.mkdir()
    (logs / "x\nfake: 0 parsed").write_bytes(dnsmasq_log(2) + b"not a dnsmasq line\n")
    (logs / "y\nerror: forged").write_bytes(b"\x00\x01binary\n")
    run = CliRunner().invoke(app, ["scan", str(logs), "--db", str(tmp_path / "db.duckdb")])
    lines = run.output.splitlines()
    assert not any(line.startswith(("fake:", "error: forged")) for line in lines), run.output
    assert "\\nfake" in run.output  # shown escaped


@pytest.mark.realworld
def test_one_stray_line_does_not_hide_a_json_log(tmp_path: Path, corpora: Path) -> None:
    """A cut record or a top-level array among real Zeek JSON lines: the file is still read as
    Zeek JSON and the stray line is malformed ('not a JSON object'), not a reason to refuse it all."""
    lines = (corpora / "zeek" / "wrccdc2018_dns_head3000.json").read_text().splitlines()
    log = tmp_path / "dns.json"
    log.write_text("\n".join(lines[:3] + ["[1,2,3]"] + lines[3:10]) + "\n")
    f = api.scan([str(log)], db=tmp_path / "db.duckdb")["files"][0]
    assert (f["format"], f["lines"], f["parsed"], f["malformed"]) == ("zeek-dns-json", 11, 10, 1), f
    assert (
        f["malformed_samples"][0]["line"] == 4 and "not a JSON object" in f["malformed_samples"][0]["reason"]
    )
