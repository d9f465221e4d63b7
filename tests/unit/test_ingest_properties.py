"""Property tests: whatever bytes a file holds, every registered format either yields rows or
counts the lines it cannot read — never an exception — and every line is accounted for.

Inputs mix arbitrary bytes with the bytes that break line readers: invalid UTF-8, NUL, ``\\r``
(alone and in ``\\r\\n``), the engine's own delimiter ``\\x1e``, quotes, braces, tabs, and lines
longer than DuckDB's 2 MB line limit.
"""

from __future__ import annotations

import datetime as dt
import io
import tempfile
from pathlib import Path
from typing import Any

import duckdb
import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from sekisho import api
from sekisho.errors import InputError
from sekisho.ingest import FORMATS, get_format
from sekisho.ingest.base import ZeekTsvFormat
from sekisho.ingest.duckdb_engine import FileAccount, scan_file
from sekisho.ingest.sources import compression_of
from sekisho.store import Store

SETTINGS = settings(
    max_examples=30,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
MTIME = dt.datetime(2026, 11, 23, 12, 0, 0)

# Bytes and fragments that have broken line readers before, and fragments of real log syntax so
# that some examples get past the first character of a pattern.
ATOMS = [
    b"\x00",
    b"\r",
    b"\r\n",
    b"\n",
    b"\n\n",
    b"\x1e",
    b"\xff",
    b"\xc3",
    b"\xe3\x81",
    b"\t",
    b" ",
    b"#",
    b"\\",
    b"{",
    b"}",
    b"[",
    b"]",
    b'"',
    b"'",
    b",",
    b";",
    b":",
    b"-",
    b".",
    b"(empty)",
    b"\xef\xbb\xbf",
    b'{"ts":',
    b'"query":"',
    b'"event_type":"dns"',
    b'"dns":{"type":"query","rrname":"',
    b'"src_ip":"10.0.0.1"',
    b'"id.orig_h":"10.0.0.2"',
    b'"_path":"dns"',
    b'"T":"2026-11-23T10:00:00Z","QH":"',
    b"1795459401.138",
    b"Nov 23 18:39:46 dnsmasq[15339]: ",
    b"query[A] ",
    b" from 127.0.0.11",
    b"[1795459401] unbound[2:0] info: ",
    b"23-Nov-2026 18:41:52.106 queries: info: ",
    b"client @0x7f2e79516098 127.0.0.13#51429 (a.test): query: ",
    b" IN A +E(0)K (127.0.0.1)",
    b" TCP_MISS/200 ",
    b" GET http://",
    b"[2001:db8::5]",
    b":443",
    b"example.com",
    b"simeji.me",
    b"0.0.0.0 ",
    b"! comment",
]
LINE_BYTES = st.lists(st.one_of(st.binary(max_size=24), st.sampled_from(ATOMS)), max_size=40).map(b"".join)
LONG_LINE = b"x" * 2_100_000  # over DuckDB's default max_line_size of 2 MB

# Formats whose reader splits records into columns (DuckDB drops lines that are entirely empty
# there, so their line count may be lower than the file's by those empty lines).
COLUMNAR = {name for name, cls in FORMATS.items() if issubclass(cls, ZeekTsvFormat)} | {"csv"}
CSV_MAP = {"name": "name", "client": "client", "ts": "ts"}


def zeek_header(fmt_name: str) -> bytes:
    """A Zeek TSV header (the documented #-lines) declaring the fields the format needs."""
    cls = FORMATS[fmt_name]
    assert issubclass(cls, ZeekTsvFormat)
    fields = ["ts", "uid", "id.orig_h", "id.orig_p", "id.resp_h", "id.resp_p"]
    fields += [f for f in cls.fields.values() if f not in fields]
    lines = [
        "#separator \\x09",
        "#set_separator\t,",
        "#empty_field\t(empty)",
        "#unset_field\t-",
        f"#path\t{cls.path}",
        "#open\t2026-11-23-12-00-00",
        "#fields\t" + "\t".join(fields),
        "#types\t" + "\t".join("string" for _ in fields),
    ]
    return ("\n".join(lines) + "\n").encode()


def content_for(fmt_name: str, body: bytes) -> bytes:
    """What a file of this format holds: Zeek TSV and CSV describe their columns in a header."""
    if fmt_name in FORMATS and issubclass(FORMATS[fmt_name], ZeekTsvFormat):
        return zeek_header(fmt_name) + body
    if fmt_name == "csv":
        return b"ts,client,name\n" + body
    return body


def line_count(data: bytes) -> int:
    """Lines as ``wc -l`` counts them, plus a last line that has no newline (a UTF-8 byte order
    mark that starts the file is an encoding mark, not text)."""
    data = data.removeprefix(b"\xef\xbb\xbf")
    return data.count(b"\n") + (1 if data and not data.endswith(b"\n") else 0)


def empty_lines(data: bytes) -> int:
    parts = data.split(b"\n")
    if parts and parts[-1] == b"":
        parts.pop()
    return sum(1 for p in parts if p in (b"", b"\r"))


def check_account(a: FileAccount | dict[str, Any], data: bytes, fmt_name: str) -> None:
    acc = a.as_dict() if isinstance(a, FileAccount) else a
    lines, parsed, skipped, malformed = acc["lines"], acc["parsed"], acc["skipped"], acc["malformed"]
    assert min(lines, parsed, skipped, malformed) >= 0
    assert lines == parsed + skipped + malformed
    assert sum(acc.get("skipped_reasons", {}).values()) == skipped, acc  # every skip has its reason
    if fmt_name in COLUMNAR:
        assert line_count(data) - empty_lines(data) <= lines <= line_count(data)
    else:
        assert lines == line_count(data)
    samples = acc["malformed_samples"]
    # the first malformed lines, each with its real line number and a reason
    assert len(samples) == min(5, malformed)
    numbers = [s["line"] for s in samples]
    assert numbers == sorted(set(numbers))
    assert all(1 <= n <= line_count(data) for n in numbers)
    assert all(isinstance(s["reason"], str) and s["reason"] for s in samples)


# One fresh in-memory DuckDB per format, scanning example after example like the store's
# connection scans file after file (a connection costs as much as a small scan).
_CONNECTIONS: dict[str, duckdb.DuckDBPyConnection] = {}


def scan_bytes(fmt_name: str, data: bytes) -> FileAccount:
    if fmt_name not in _CONNECTIONS:
        _CONNECTIONS[fmt_name] = duckdb.connect()
    con = _CONNECTIONS[fmt_name]
    with tempfile.TemporaryDirectory() as d:
        path = Path(d) / "input.log"
        path.write_bytes(data)
        fmt = get_format(fmt_name, CSV_MAP if fmt_name == "csv" else None)
        account = FileAccount(str(path), fmt_name)
        scan_file(con, fmt, path, "none", MTIME, account)
        # the batch holds only well-formed rows: a name, a client, a day
        bad = con.execute(
            "SELECT count(*) FROM ingest_batch WHERE name IS NULL OR name = '' OR client IS NULL OR day IS NULL"
        ).fetchone()
        total = con.execute("SELECT coalesce(sum(queries), 0) FROM ingest_batch").fetchone()
    assert bad == (0,)
    assert total == (account.parsed,)
    return account


LINE_FORMATS = sorted(n for n in FORMATS if n != "csv" and FORMATS[n].text)


@pytest.mark.parametrize("fmt_name", LINE_FORMATS)
@SETTINGS
@given(body=LINE_BYTES)
@example(body=b"")
@example(body=b"\r")
@example(body=b"a.example\r\nb.example\r\n")
@example(body=b"\r\r\n\x1e\n\x00\n\xff\xfe\n")
@example(body=b"one\x1etwo\nthree\n")
@example(body=b"garbage\n" * 7)
@example(body=b"\x00\r")  # DuckDB cuts a line at \x1e after a NUL without a reject
@example(body=b"\xef\xbb\xbf\x00")  # the reader drops a leading byte order mark
def test_any_bytes_give_rows_or_counted_malformed_lines(fmt_name: str, body: bytes) -> None:
    data = content_for(fmt_name, body)
    check_account(scan_bytes(fmt_name, data), data, fmt_name)


@pytest.mark.parametrize("fmt_name", ["dnsmasq", "zeek-dns", "zeek-dns-json", "squid-combined", "domains"])
def test_a_line_longer_than_the_reader_allows_is_one_malformed_line(fmt_name: str) -> None:
    data = content_for(fmt_name, b"short line\n" + LONG_LINE + b"\nshort line\n")
    a = scan_bytes(fmt_name, data)
    check_account(a, data, fmt_name)
    long_line_no = data[: data.index(LONG_LINE)].count(b"\n") + 1
    assert long_line_no in [s["line"] for s in a.malformed_samples]


CSV_FIELD = st.one_of(
    st.text(max_size=12).map(lambda s: s.encode("utf-8", "surrogatepass")),
    st.binary(max_size=8),
    st.sampled_from(
        [b"1795459401", b"2026-11-23T10:00:00Z", b"10.0.0.1", b"example.com", b"", b'"q"', b"a,b"]
    ),
)
CSV_BODY = st.lists(st.lists(CSV_FIELD, min_size=1, max_size=4).map(b",".join), max_size=12).map(
    lambda rows: b"".join(r + b"\n" for r in rows)
)


@SETTINGS
@given(body=CSV_BODY)
@example(body=b"1795459401,10.0.0.1,a.example\n1795459402,10.0.0.2\n,,\n\xff,\xfe,\xfd\n")
@example(body=b"1795459401,10.0.0.1,a.example\r\n1795459401,10.0.0.1,b.example\r\n")
def test_csv_rows_give_rows_or_counted_malformed_lines(body: bytes) -> None:
    """CSV quoting lets a record span lines, and a CSV may not be a CSV at all: so either every
    row is accounted for, or the file is refused as a whole with a clear error naming it."""
    data = content_for("csv", body)
    with tempfile.TemporaryDirectory() as d:
        path = Path(d) / "input.csv"
        path.write_bytes(data)
        try:
            result = api.scan([str(path)], db=Path(d) / "db.duckdb", format_name="csv", mapping=CSV_MAP)
        except InputError as e:
            assert str(path) in str(e)
            return
    acc = result["files"][0]
    assert acc["lines"] == acc["parsed"] + acc["skipped"] + acc["malformed"]
    assert acc["lines"] <= line_count(data)


@pytest.mark.parametrize(
    "fmt_name", ["dnsmasq", "squid", "zeek-dns", "zeek-dns-json", "suricata-eve", "domains"]
)
@settings(max_examples=10, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(body=LINE_BYTES)
@example(body=b"\r\n\x00\xff\x1e\n")
@example(body=b"BZh\x00")  # starts like bz2: read as bz2, and refused as a broken one
def test_forced_format_through_the_api_never_fails_on_content(fmt_name: str, body: bytes) -> None:
    data = content_for(fmt_name, body)
    with tempfile.TemporaryDirectory() as d:
        path = Path(d) / "input.log"
        path.write_bytes(data)
        db = Path(d) / "db.duckdb"
        with Store(db) as store:  # keep rows of any date: this checks the store gets every row
            store.set_setting("retention_days", str(10**7))
            store.set_setting("detail_days", str(10**7))  # per-day detail kept: the tests read it
        try:
            result = api.scan([str(path)], db=db, format_name=fmt_name)
        except InputError as e:
            if "matches no line of this file" in e.message:
                # a forced format that recognises no line is refused by name (issue 12), never
                # silently counted as zero
                assert str(path) in str(e)
                return
            # Only a file that starts like a compressed one may be refused as a whole.
            assert compression_of(data) != "none", e
            assert str(path) in str(e)
            return
        with Store(db, read_only=True) as store:
            counts = store.counts()
    assert [f["path"] for f in result["files"]] == [str(path)]
    acc = result["files"][0]
    if compression_of(data) == "none":
        # A file on disk may still be growing: a last line without its newline waits for the
        # next scan, and the account says so.
        whole = data[: data.rfind(b"\n") + 1]
        if whole != data and data.removeprefix(b"\xef\xbb\xbf"):
            assert "incomplete last line" in (acc.get("note") or ""), acc
        check_account(acc, whole if whole or not data.startswith(b"\xef\xbb\xbf") else b"", fmt_name)
    assert acc["lines"] == acc["parsed"] + acc["skipped"] + acc["malformed"]
    assert result["scan"]["lines"] == acc["lines"]
    assert counts["queries"] == acc["parsed"]  # every parsed row is in the store, none twice


# --- the same properties, pinned down on inputs that once failed ----------------------------------
def test_crlf_lines_are_read_like_lf_lines() -> None:
    lf = b"a.example\nb.example\n# comment\nc.example\n"
    crlf = lf.replace(b"\n", b"\r\n")
    a_lf, a_crlf = scan_bytes("domains", lf), scan_bytes("domains", crlf)
    assert (a_crlf.lines, a_crlf.parsed, a_crlf.skipped, a_crlf.malformed) == (4, 3, 1, 0)
    assert (a_lf.lines, a_lf.parsed, a_lf.skipped, a_lf.malformed) == (4, 3, 1, 0)


def test_a_bare_carriage_return_makes_only_its_line_malformed() -> None:
    data = b"a.example\nb.exa\rmple\nc.example\n"
    a = scan_bytes("domains", data)
    assert (a.lines, a.parsed, a.malformed) == (3, 2, 1)
    assert [s["line"] for s in a.malformed_samples] == [2]


def test_crlf_zeek_tsv_is_read() -> None:
    header = zeek_header("zeek-dns").replace(b"\n", b"\r\n")
    rec = b"1795459401.5\tC1\t10.0.0.1\t5353\t10.0.0.53\t53\ta.example\t-\tNOERROR\r\n"
    a = scan_bytes("zeek-dns", header + rec * 3)
    assert (a.lines, a.parsed, a.skipped, a.malformed) == (11, 3, 8, 0)


@pytest.mark.parametrize(
    ("fmt_name", "line"),
    [
        ("unbound", b"[99999999999999999999] unbound[1:0] info: 10.0.0.1 a.example. A IN\n"),
        ("zeek-dns-json", b'{"ts": 1e300, "id.orig_h": "10.0.0.1", "query": "a.example"}\n'),
        ("zeek-dns-json", b'{"ts": "nan", "id.orig_h": "10.0.0.1", "query": "a.example"}\n'),
        ("zeek-dns-json", b'{"ts": 253402300800, "id.orig_h": "10.0.0.1", "query": "a.example"}\n'),
        (
            "suricata-eve",
            b'{"timestamp": "99999-01-01T00:00:00Z", "event_type": "dns", "src_ip": "10.0.0.1", '
            b'"dns": {"type": "query", "rrname": "a.example"}}\n',
        ),
    ],
)
def test_an_impossible_timestamp_is_one_malformed_line_not_a_failed_file(fmt_name: str, line: bytes) -> None:
    good = {
        "unbound": b"[1795459401] unbound[1:0] info: 10.0.0.1 b.example. A IN\n",
        "zeek-dns-json": b'{"ts": 1795459401.5, "id.orig_h": "10.0.0.1", "query": "b.example"}\n',
        "suricata-eve": b'{"timestamp": "2026-11-23T10:00:00.000000+0000", "event_type": "dns", "src_ip": "10.0.0.1", '
        b'"dns": {"type": "query", "rrname": "b.example"}}\n',
    }[fmt_name]
    a = scan_bytes(fmt_name, good + line + good)
    assert (a.lines, a.parsed, a.malformed) == (3, 2, 1)
    assert a.malformed_samples[0]["line"] == 2
    assert "timestamp" in a.malformed_samples[0]["reason"]


def test_the_first_malformed_lines_are_reported_whatever_their_kind() -> None:
    """Pattern mismatches on lines 2-4 come before undecodable lines 5-10: samples are lines 2-6."""
    data = b"a.example\n" + b"not a domain line\n" * 3 + b"\xff\xfe\n" * 6 + b"b.example\n"
    a = scan_bytes("domains", data)
    assert a.malformed == 9
    assert [s["line"] for s in a.malformed_samples] == [2, 3, 4, 5, 6]


def test_stdin_bytes_are_held_to_the_same_accounting(tmp_path: Path) -> None:
    data = b"a.example\r\nb.exa\x00mple\n\xff\n\nc.example"
    result = api.scan(["-"], db=tmp_path / "db.duckdb", format_name="domains", stdin=io.BytesIO(data))
    acc = result["files"][0]
    assert acc["path"] == "<stdin>"
    assert (acc["lines"], acc["parsed"], acc["skipped"], acc["malformed"]) == (5, 2, 1, 2)
    assert [s["line"] for s in acc["malformed_samples"]] == [2, 3]


@SETTINGS
@given(body=st.binary(max_size=2000))
@example(body=b"SQLite format 3\x00" + b"\x00" * 200)
def test_any_bytes_as_a_pihole_database_are_refused_by_name(body: bytes) -> None:
    """The query database is not lines: bytes that are not a Pi-hole database are refused as a
    whole, with the file named — never a crash."""
    with tempfile.TemporaryDirectory() as d:
        path = Path(d) / "pihole-FTL.db"
        path.write_bytes(body)
        try:
            result = api.scan([str(path)], db=Path(d) / "db.duckdb", format_name="pihole-db")
        except InputError as e:
            assert str(path) in str(e)
        else:  # a file that cannot even be decompressed is reported in its entry, and not read
            [entry] = result["files"]
            assert entry["path"] == str(path) and entry["note"].startswith("not read: "), entry
