"""Issue 4 acceptance on the real log samples in ../shared/corpora (see its MANIFEST.md).

Every sample of a format sekisho reads is recognised as that format, parses with zero malformed
lines (or each malformed line is explained), and its line accounting adds up to the file's real
line count. Where the corpora hold a ground truth (dnsmasq, Unbound, BIND, Squid: what each client
asked for, written by the script that sent the traffic), the names sekisho stores per client must
equal it, query counts included. Expected values here come from the ground truth or from reading
the sample independently with the standard library — never from sekisho itself.
"""

from __future__ import annotations

import collections
import datetime as dt
import gzip
import ipaddress
import json
import re
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import duckdb
import pytest

from sekisho import api
from sekisho.errors import InputError
from sekisho.ingest import detect, get_format
from sekisho.ingest.duckdb_engine import FileAccount, scan_file
from sekisho.ingest.sources import open_source
from sekisho.store import Store

pytestmark = pytest.mark.realworld

# (path under corpora, the format it must be recognised as)
SAMPLES: list[tuple[str, str]] = [
    ("zeek/wrccdc2018_dns.log.gz", "zeek-dns"),
    ("zeek/wrccdc2018_dns.json.gz", "zeek-dns-json"),
    ("zeek/wrccdc2018_ssl.log.gz", "zeek-ssl"),
    ("zeek/wrccdc2018_ssl.json.gz", "zeek-ssl-json"),
    ("zeek/wrccdc2018_dns_head5000.log", "zeek-dns"),
    ("zeek/wrccdc2018_ssl_head5000.log", "zeek-ssl"),
    ("zeek/wrccdc2018_dns_head3000.json", "zeek-dns-json"),
    ("zeek/wrccdc2018_ssl_head3000.json", "zeek-ssl-json"),
    ("zeek/otrf_apt29_NEWYORK_dns.json", "zeek-dns-json"),
    ("zeek/otrf_apt29_NASHUA_ssl.json", "zeek-ssl-json"),
    ("zeek/otrf_apt29_SCRANTON_http.json", "zeek-http-json"),
    ("zeek/otrf_apt29_NASHUA_conn.json", "zeek-conn-json"),
    ("zeek/zeek_btest_wikipedia_dns.log", "zeek-dns"),
    ("zeek/zeek_btest_wikipedia_http.log", "zeek-http"),
    ("zeek/zeek_btest_wikipedia_conn.log", "zeek-conn"),
    ("suricata/surevego_eve_2017.json", "suricata-eve"),
    ("dnsmasq/dnsmasq_2.90_log-queries.log", "dnsmasq"),
    ("dnsmasq/dnsmasq_2.90_log-queries-extra.log", "dnsmasq"),
    ("unbound/unbound_1.17_log-queries-replies.log", "unbound"),
    ("unbound/unbound_1.17_log-queries-replies_log-time-ascii.log", "unbound"),  # RFC 3164 envelope
    ("bind9/named_9.18_querylog.log", "bind"),
    ("bind9/named_9.18_querylog_print-time-category.log", "bind"),
    ("bind9/named_9.18_general_query-errors.log", "bind"),
    ("squid/squid_5.7_access_native.log", "squid"),
    ("squid/squid_5.7_access_combined.log", "squid-combined"),
]
# Zeek btest baselines: every record's timestamp is masked as XXXXXXXXXX.XXXXXX (MANIFEST.md).
MASKED = {p for p, _ in SAMPLES if "btest" in p}

# Real files in the corpora that are no log sekisho reads: each must be refused with a clear
# error naming it — not mistaken for some other format.
NOT_LOGS: list[tuple[str, str]] = [
    ("squid/squid_5.7_cache.log", "not a log format sekisho recognises"),
    ("cloud/plaso_aws_cloudtrail_lookup-events.jsonl", "not a log format sekisho recognises"),
    ("cloud/plaso_azure_activity_log.jsonl", "not a log format sekisho recognises"),
    ("cloud/plaso_gcp_logging.jsonl", "not a log format sekisho recognises"),
]
# Read since issue 17 (tests/realworld/test_sysmon.py, tests/realworld/test_pcap.py): the Sysmon
# exports (sysmon-dns-json) and the captures (pcap, the same names as tshark).

# Where the ground truth is, per log.
GROUND_TRUTH = {
    "dnsmasq/dnsmasq_2.90_log-queries.log": "dnsmasq/dnsmasq_2.90_log-queries.groundtruth.json",
    "dnsmasq/dnsmasq_2.90_log-queries-extra.log": "dnsmasq/dnsmasq_2.90_log-queries-extra.groundtruth.json",
    "unbound/unbound_1.17_log-queries-replies.log": "unbound/unbound_1.17_log-queries-replies.groundtruth.json",
    "unbound/unbound_1.17_log-queries-replies_log-time-ascii.log": (
        "unbound/unbound_1.17_log-queries-replies_log-time-ascii.groundtruth.json"
    ),
    "bind9/named_9.18_querylog.log": "bind9/named_9.18_querylog.groundtruth.json",
    "bind9/named_9.18_querylog_print-time-category.log": (
        "bind9/named_9.18_querylog_print-time-category.groundtruth.json"
    ),
}
SQUID_TRUTH = {
    "squid/squid_5.7_access_native.log": "squid/squid_5.7_access_native.groundtruth.json",
    "squid/squid_5.7_access_combined.log": "squid/squid_5.7_access_combined.groundtruth.json",
}


# --- helpers --------------------------------------------------------------------------------------
def _open(path: Path) -> Any:
    return gzip.open(path, "rb") if path.suffix == ".gz" else open(path, "rb")


def real_lines(path: Path) -> list[bytes]:
    """The file's lines as ``wc -l`` sees them (plus a last line without its newline), decompressed."""
    with _open(path) as f:
        data = f.read()
    lines = data.split(b"\n")
    if lines and lines[-1] == b"":
        lines.pop()
    return lines


def _norm(name: str) -> str:
    return name.strip().rstrip(".").lower()


def _dns_name(name: str) -> bool:
    """An independent reading of the engine's edge check: an address, or labels of letters,
    digits, '-', '_' (Zeek's \\xNN escapes allowed), '*', each 1-63 long, 253 in all."""
    try:
        ipaddress.ip_address(name.strip("[]"))
        return True
    except ValueError:
        pass
    if len(name) > 253:
        return False
    for label in name.split("."):
        bare = re.sub(r"\\x[0-9a-f]{2}", "x", label)
        if label != "*" and not (1 <= len(bare) <= 63 and re.fullmatch(r"[a-z0-9_-]+", bare)):
            return False
    return True


# Real names in the corpora that are no DNS names, malformed "not a DNS name" at the edge: WRCCDC
# 2018 has 14 mDNS instance names with a space and brackets and 8 queries for http://172.16.0.58.
NOT_DNS = {"zeek/wrccdc2018_dns.log.gz": 22, "zeek/wrccdc2018_dns.json.gz": 22}


class Scanned:
    """One sample scanned into its own store (retention off: some samples are from 2017/2018)."""

    def __init__(self, path: Path, db: Path) -> None:
        with Store(db) as store:
            store.set_setting("retention_days", str(365 * 100))
            store.set_setting("detail_days", str(365 * 100))  # per-day detail kept: the tests read it
        result = api.scan([str(path)], db=db)
        assert len(result["files"]) == 1
        self.account: dict[str, Any] = result["files"][0]
        with Store(db, read_only=True) as store:
            rows = store.con.execute(
                "SELECT client, name, sum(queries), min(first_seen), max(last_seen) FROM observations GROUP BY ALL"
            ).fetchall()
        self.counts: dict[tuple[str, str], int] = {(c, n): int(q) for c, n, q, _, _ in rows}
        self.first_last = {(c, n): (f, last) for c, n, _, f, last in rows}

    def names_by_client(self) -> dict[str, set[str]]:
        out: dict[str, set[str]] = collections.defaultdict(set)
        for client, name in self.counts:
            out[client].add(name)
        return dict(out)


@pytest.fixture(scope="module")
def scanned(corpora: Path, tmp_path_factory: pytest.TempPathFactory) -> Any:
    cache: dict[str, Scanned] = {}

    def get(rel: str) -> Scanned:
        if rel not in cache:
            path = corpora / rel
            assert path.is_file(), f"missing corpus file {path}"
            cache[rel] = Scanned(path, tmp_path_factory.mktemp("db") / "store.duckdb")
        return cache[rel]

    return get


# --- recognition and accounting -------------------------------------------------------------------
@pytest.mark.parametrize(("rel", "fmt"), SAMPLES, ids=[p for p, _ in SAMPLES])
def test_sample_is_recognised_as_its_format(corpora: Path, rel: str, fmt: str) -> None:
    src = open_source(corpora / rel)
    try:
        assert detect(src).name == fmt
    finally:
        src.close()


@pytest.mark.parametrize(("rel", "fmt"), SAMPLES, ids=[p for p, _ in SAMPLES])
def test_sample_line_accounting_adds_up(corpora: Path, scanned: Any, rel: str, fmt: str) -> None:
    a = scanned(rel).account
    assert a["format"] == fmt
    assert a["lines"] == a["parsed"] + a["skipped"] + a["malformed"]
    assert a["lines"] == len(real_lines(corpora / rel))
    if rel in NOT_DNS:
        assert a["malformed"] == NOT_DNS[rel], a["malformed_samples"]
        assert all(s["reason"].startswith("not a DNS name") for s in a["malformed_samples"])
    elif rel not in MASKED:
        assert a["malformed"] == 0, a["malformed_samples"]
        assert a["malformed_samples"] == []


@pytest.mark.parametrize("rel", sorted(MASKED))
def test_masked_zeek_timestamps_are_each_reported_malformed(corpora: Path, scanned: Any, rel: str) -> None:
    """Every record of a btest baseline is malformed (its time is masked), with the right lines."""
    lines = real_lines(corpora / rel)
    records = [i + 1 for i, ln in enumerate(lines) if not ln.startswith(b"#")]
    assert all(lines[i - 1].startswith(b"XXXXXXXXXX.XXXXXX\t") for i in records)
    a = scanned(rel).account
    assert a["malformed"] == len(records) > 0
    assert a["parsed"] == 0
    assert a["skipped"] == len(lines) - len(records)  # the header, the '### BTest' line and #close
    samples = a["malformed_samples"]
    assert [s["line"] for s in samples] == records[:5]
    for s in samples:
        assert s["reason"].startswith("unreadable timestamp"), s
        # the sample quotes the record found on that line
        uid = lines[s["line"] - 1].split(b"\t")[1].decode()
        assert uid in s["reason"]


@pytest.mark.parametrize(("rel", "expected"), NOT_LOGS, ids=[p for p, _ in NOT_LOGS])
def test_files_that_are_no_log_we_read_get_a_clear_error(
    corpora: Path, tmp_path: Path, rel: str, expected: str
) -> None:
    path = corpora / rel
    with pytest.raises(InputError) as err:
        api.scan([str(path)], db=tmp_path / "db.duckdb")
    assert str(path) in str(err.value)
    assert expected in str(err.value)


# --- independent readings of the samples ----------------------------------------------------------
ZEEK_TSV_NAME = {
    "zeek-dns": "query",
    "zeek-ssl": "server_name",
    "zeek-http": "host",
    "zeek-conn": "id.resp_h",
}
ZEEK_JSON_NAME = {
    "zeek-dns-json": ("query",),
    "zeek-ssl-json": ("server_name",),
    "zeek-http-json": ("host",),
    "zeek-conn-json": ("id.resp_h", "id_resp_h"),
}


def zeek_tsv_aggregate(
    path: Path, name_field: str
) -> tuple[collections.Counter[tuple[str, str]], list[float]]:
    """(client, name) → records, read with the standard library; and the record timestamps."""
    counts: collections.Counter[tuple[str, str]] = collections.Counter()
    times: list[float] = []
    fields: list[str] = []
    for raw in real_lines(path):
        line = raw.decode()
        if line.startswith("#fields"):
            fields = line.split("\t")[1:]
        if line.startswith("#"):
            continue
        rec = dict(zip(fields, line.split("\t"), strict=True))
        if rec[name_field] in ("-", "(empty)", "") or not _dns_name(_norm(rec[name_field])):
            continue
        counts[(rec["id.orig_h"], _norm(rec[name_field]))] += 1
        times.append(float(rec["ts"]))
    return counts, times


def zeek_json_aggregate(path: Path, name_fields: tuple[str, ...]) -> collections.Counter[tuple[str, str]]:
    counts: collections.Counter[tuple[str, str]] = collections.Counter()
    for raw in real_lines(path):
        rec = json.loads(raw)
        name = next((rec[f] for f in name_fields if rec.get(f) not in (None, "")), None)
        if name is None or not _dns_name(_norm(str(name))):
            continue
        client = rec.get("id.orig_h") or rec.get("id_orig_h")
        counts[(client, _norm(str(name)))] += 1
    return counts


@pytest.mark.parametrize(
    ("rel", "fmt"), [s for s in SAMPLES if s[1] in ZEEK_TSV_NAME and s[0] not in MASKED], ids=lambda v: str(v)
)
def test_zeek_tsv_aggregates_equal_an_independent_reading(
    corpora: Path, scanned: Any, rel: str, fmt: str
) -> None:
    expected, times = zeek_tsv_aggregate(corpora / rel, ZEEK_TSV_NAME[fmt])
    got = scanned(rel)
    assert got.counts == dict(expected)
    assert got.account["parsed"] == sum(expected.values())
    # times are epoch seconds, stored as UTC
    firsts = [f for f, _ in got.first_last.values()]
    lasts = [last for _, last in got.first_last.values()]
    utc = dt.UTC
    assert min(firsts) == dt.datetime.fromtimestamp(min(times), utc).replace(tzinfo=None)
    assert max(lasts) == dt.datetime.fromtimestamp(max(times), utc).replace(tzinfo=None)


@pytest.mark.parametrize(("rel", "fmt"), [s for s in SAMPLES if s[1] in ZEEK_JSON_NAME], ids=lambda v: str(v))
def test_zeek_json_aggregates_equal_an_independent_reading(
    corpora: Path, scanned: Any, rel: str, fmt: str
) -> None:
    expected = zeek_json_aggregate(corpora / rel, ZEEK_JSON_NAME[fmt])
    got = scanned(rel)
    assert got.counts == dict(expected)
    assert got.account["parsed"] == sum(expected.values()) > 0


@pytest.mark.parametrize("kind", ["dns", "ssl"])
def test_zeek_tsv_and_json_of_the_same_capture_agree(scanned: Any, kind: str) -> None:
    tsv = scanned(f"zeek/wrccdc2018_{kind}.log.gz")
    js = scanned(f"zeek/wrccdc2018_{kind}.json.gz")
    assert len(tsv.counts) > 1000
    assert tsv.counts == js.counts
    assert tsv.account["parsed"] == js.account["parsed"]
    # first/last seen agree too (ISO 8601 in JSON, epoch seconds in TSV)
    assert tsv.first_last == js.first_last


def test_suricata_names_are_dns_queries_tls_sni_and_http_hosts(corpora: Path, scanned: Any) -> None:
    rel = "suricata/surevego_eve_2017.json"
    expected: collections.Counter[tuple[str, str]] = collections.Counter()
    for raw in real_lines(corpora / rel):
        ev = json.loads(raw)
        kind = ev.get("event_type")
        name = None
        if kind == "dns" and ev["dns"].get("type") == "query":  # not the answer records
            name = ev["dns"]["rrname"]
        elif kind == "tls":
            name = ev["tls"].get("sni")
        elif kind == "http":
            name = ev["http"].get("hostname")
        if name:
            expected[(ev["src_ip"], _norm(name))] += 1
    got = scanned(rel)
    assert sum(expected.values()) > 50
    assert got.counts == dict(expected)
    assert got.account["parsed"] == sum(expected.values())


# --- ground truth: what each client really asked for ----------------------------------------------
@pytest.mark.parametrize("rel", sorted(GROUND_TRUTH))
def test_dns_server_logs_match_the_ground_truth(corpora: Path, scanned: Any, rel: str) -> None:
    truth = json.loads((corpora / GROUND_TRUTH[rel]).read_text())
    got = scanned(rel)
    # Names are lowercased without the trailing dot (0x20 mixed case folds), PTR names are in
    # in-addr.arpa form, and a REFUSED or NXDOMAIN query is still a query the client made.
    assert got.names_by_client() == {c: set(info["names"]) for c, info in truth["clients"].items()}
    for client, info in truth["clients"].items():
        per_name: collections.Counter[str] = collections.Counter()
        for key, n in info["queries"].items():
            per_name[key.rsplit(" ", 1)[0]] += n  # 'name TYPE' → name
        # The ground truth counts dig invocations; a TCP retry after a truncated UDP answer would be
        # a second query on the wire. These runs had none, so the counts are equal.
        assert {n: got.counts[(client, n)] for n in per_name} == dict(per_name), client
    assert got.account["parsed"] == truth["queries_sent"]


def _squid_expected(truth: dict[str, Any]) -> dict[str, collections.Counter[str]]:
    """Per client: host → requests, from the ground truth's 'METHOD url' → count."""
    out: dict[str, collections.Counter[str]] = {}
    for client, info in truth["clients"].items():
        hosts: collections.Counter[str] = collections.Counter()
        for key, n in info["urls"].items():
            method, url = key.split(" ", 1)
            if method == "RAW-HTTP10":
                # a hand-made HTTP/1.0 proxy request: Squid logs it like any GET (note_after_run)
                url = url.removeprefix("raw:").split(" ")[1]
            elif method.startswith("RAW-"):
                continue  # no destination named: logged as error:invalid-request and the like
            host = url.rsplit(":", 1)[0] if method == "CONNECT" else urlsplit(url).hostname
            assert host
            hosts[host.lower()] += n
        out[client] = hosts
    return out


@pytest.mark.parametrize("rel", sorted(SQUID_TRUTH))
def test_squid_logs_match_the_ground_truth(corpora: Path, scanned: Any, rel: str) -> None:
    truth = json.loads((corpora / SQUID_TRUTH[rel]).read_text())
    expected = _squid_expected(truth)
    got = scanned(rel)
    names = got.names_by_client()
    for client, info in truth["clients"].items():
        assert names[client] == set(info["hosts"]) | set(expected[client]), client
        assert {h: got.counts[(client, h)] for h in expected[client]} == dict(expected[client]), client
    assert set(names) == set(truth["clients"])
    # an IPv6 literal is stored as the address, as the client wrote it, without URL brackets
    assert any(name == "2001:db8::5" for _, name in got.counts)
    raw_without_host = sum(
        n
        for info in truth["clients"].values()
        for k, n in info["urls"].items()
        if k.startswith("RAW-") and not k.startswith("RAW-HTTP10")
    )
    assert got.account["parsed"] == truth["requests_sent"] - raw_without_host
    assert got.account["skipped"] == raw_without_host


def test_squid_native_and_combined_agree_whatever_the_local_time_zone(corpora: Path) -> None:
    """The same 900 requests in two formats: same (client, host) counts and the same UTC times,
    even when the engine's session time zone is not UTC (combined stamps carry +0000)."""

    def batch(rel: str, fmt: str) -> dict[tuple[str, str], tuple[int, dt.datetime, dt.datetime]]:
        con = duckdb.connect()
        con.execute("SET TimeZone = 'Asia/Tokyo'")
        account = FileAccount(rel, fmt)
        scan_file(con, get_format(fmt), corpora / rel, "none", dt.datetime(2026, 11, 23), account)
        assert account.malformed == 0
        rows = con.execute(
            "SELECT client, name, sum(queries), min(first_seen), max(last_seen) FROM ingest_batch GROUP BY ALL"
        ).fetchall()
        return {
            (c, n): (int(q), f.replace(microsecond=0), last.replace(microsecond=0))
            for c, n, q, f, last in rows
        }

    native = batch("squid/squid_5.7_access_native.log", "squid")
    combined = batch("squid/squid_5.7_access_combined.log", "squid-combined")
    assert native == combined
    first = min(f for _, f, _ in native.values())
    # the first native record, read independently: its epoch seconds as UTC
    epoch = float(real_lines(corpora / "squid/squid_5.7_access_native.log")[0].split()[0])
    assert first == dt.datetime.fromtimestamp(int(epoch), dt.UTC).replace(tzinfo=None)


def test_scope_on_real_logs_lists_the_clients_the_ground_truth_names(corpora: Path, tmp_path: Path) -> None:
    """`scope simeji` over the dnsmasq sample: exactly the clients that asked for a simeji.me name."""
    rel = "dnsmasq/dnsmasq_2.90_log-queries.log"
    truth = json.loads((corpora / GROUND_TRUTH[rel]).read_text())
    db = tmp_path / "db.duckdb"
    api.scan([str(corpora / rel)], db=db)
    scope = api.scope("simeji", db=db)
    expected = {
        c: sorted(n for n in info["names"] if n == "simeji.me" or n.endswith(".simeji.me"))
        for c, info in truth["clients"].items()
    }
    expected = {c: names for c, names in expected.items() if names}
    assert 0 < len(expected) < len(truth["clients"])
    assert {c["client"]: c["names"] for c in scope["clients"]} == expected
