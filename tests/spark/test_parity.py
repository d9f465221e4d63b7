"""Parity: the Spark engine (sekisho.match.spark_scan over sekisho.ingest.spark_engine, local[2])
and the DuckDB engine (sekisho.api.scan into a temporary store) read every corpus sample to the
same observations, each with the same match (registrable, service_id, matched_on), and the same
per-file account. Needs pyspark and a JRE; fails instead of skipping when CI is set."""

from __future__ import annotations

import glob
import importlib.util
import json
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import duckdb
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sekisho.match import MATCH_RULES
from tests.conftest import corpora_dir, need

pytestmark = [
    pytest.mark.realworld,
    pytest.mark.slow,
    # py4j (PySpark's bridge to the JVM) leaves its gateway sockets to the garbage collector
    pytest.mark.filterwarnings("ignore::ResourceWarning"),
    pytest.mark.filterwarnings("ignore::pytest.PytestUnraisableExceptionWarning"),
]

COLUMNS = "day, client, name, queries, first_seen, last_seen, bytes_out, bytes_in"
MATCH = "registrable, service_id, matched_on"  # the store's names table; a column of each Parquet row
ACCOUNT = (
    "format",
    "lines",
    "parsed",
    "skipped",
    "malformed",
    "malformed_samples",
    "skipped_reasons",
    "envelope",
    "note",
)

# (corpus path, the format detection must choose): every format the Spark engine compiles that
# has a sample in the corpora
SAMPLES = [
    ("zeek/wrccdc2018_dns_head5000.log", "zeek-dns"),
    ("zeek/wrccdc2018_dns.log.gz", "zeek-dns"),
    ("zeek/wrccdc2018_ssl_head5000.log", "zeek-ssl"),
    ("zeek/zeek_btest_wikipedia_dns.log", "zeek-dns"),  # masked times: every record malformed
    ("zeek/zeek_btest_wikipedia_http.log", "zeek-http"),
    ("zeek/zeek_btest_wikipedia_conn.log", "zeek-conn"),
    ("zeek/wrccdc2018_dns_head3000.json", "zeek-dns-json"),
    ("zeek/otrf_apt29_NEWYORK_dns.json", "zeek-dns-json"),
    ("zeek/otrf_apt29_NASHUA_ssl.json", "zeek-ssl-json"),
    ("zeek/otrf_apt29_SCRANTON_http.json", "zeek-http-json"),
    ("zeek/otrf_apt29_NASHUA_conn.json", "zeek-conn-json"),
    ("dnsmasq/dnsmasq_2.90_log-queries.log", "dnsmasq"),
    ("dnsmasq/dnsmasq_2.90_log-queries-extra.log", "dnsmasq"),
    ("unbound/unbound_1.17_log-queries-replies.log", "unbound"),
    ("unbound/unbound_1.17_log-queries-replies_log-time-ascii.log", "unbound"),
    ("bind9/named_9.18_querylog.log", "bind"),
    ("bind9/named_9.18_querylog_print-time-category.log", "bind"),
    ("squid/squid_5.7_access_native.log", "squid"),
    ("squid/squid_5.7_access_combined.log", "squid-combined"),
    ("suricata/surevego_eve_2017.json", "suricata-eve"),
    ("sysmon/otrf_sysmon_eid22_dnsquery.json", "sysmon-dns-json"),
]


@pytest.fixture(scope="module")
def spark() -> Iterator[Any]:
    """One local[2] session for the whole module, started once."""
    need(importlib.util.find_spec("pyspark") is not None, "pyspark (pip install 'sekisho[spark]')")
    need(shutil.which("java") is not None, "java (apt install openjdk-17-jre-headless)")
    from sekisho.ingest import spark_engine

    s = spark_engine.session("local[2]")
    yield s
    s.stop()


def _duckdb(path: Path, tmp: Path, fmt: str | None = None) -> tuple[list[tuple[Any, ...]], dict[str, Any]]:
    from sekisho import api

    result = api.scan([str(path)], db=tmp / "store.duckdb", format_name=fmt, keep_all=True)
    con = duckdb.connect(str(tmp / "store.duckdb"), read_only=True)
    try:
        rows = con.execute(f"SELECT {COLUMNS}, {MATCH} FROM observations JOIN names USING (name)").fetchall()
    finally:
        con.close()
    return sorted(rows, key=repr), result["files"][0]


def _parquet(out: Path) -> list[tuple[Any, ...]]:
    if not glob.glob(f"{out}/day=*/*.parquet"):
        return []
    rel = duckdb.sql(
        f"SELECT {COLUMNS}, {MATCH} FROM read_parquet('{out}/day=*/*.parquet', hive_partitioning=true)"
    )
    return sorted(rel.fetchall(), key=repr)


@pytest.mark.parametrize(("rel", "fmt"), SAMPLES, ids=[s[0] for s in SAMPLES])
def test_spark_equals_duckdb(spark: Any, tmp_path: Path, rel: str, fmt: str) -> None:
    from sekisho.match import spark_scan

    path = corpora_dir() / rel
    need(path.exists(), f"corpus sample {rel}")
    expected_rows, expected_file = _duckdb(path, tmp_path)
    result = spark_scan.scan([str(path)], tmp_path / "parquet", spark)
    got = result.files[0].as_dict()
    assert got["format"] == fmt
    assert {k: got.get(k) for k in ACCOUNT} == {k: expected_file.get(k) for k in ACCOUNT}
    rows = _parquet(tmp_path / "parquet")
    assert rows == expected_rows
    assert result.observations == len(rows)
    assert got["lines"] > 0
    # what the names were matched under: the version the store keeps on each of its names
    meta = json.loads((tmp_path / "parquet" / "_sekisho.json").read_text())
    assert meta["match_rules"] == MATCH_RULES
    assert {meta["match_version"]} >= _versions(tmp_path / "store.duckdb")
    assert meta["names"] == result.names == len({r[2] for r in rows})
    assert meta["files"] == [f.as_dict() for f in result.files]


def _versions(db: Path) -> set[str]:
    con = duckdb.connect(str(db), read_only=True)
    try:
        return {r[0] for r in con.execute("SELECT DISTINCT catalog_version FROM names").fetchall()}
    finally:
        con.close()


def test_malformed_lines_are_counted_with_their_numbers(spark: Any, tmp_path: Path) -> None:
    """A real dnsmasq log with lines broken in the middle and at the end: both engines count
    them and name the same line numbers and reasons."""
    from sekisho.match import spark_scan

    src = corpora_dir() / "dnsmasq/dnsmasq_2.90_log-queries.log"
    need(src.exists(), "corpus sample dnsmasq")
    lines = src.read_text().splitlines()
    lines[99] = lines[99].replace(" from ", " frm ")  # starts like a query: malformed
    lines.insert(500, "garbage \x01 line")
    lines.append("query[A] bad name with spaces from 127.0.0.1")
    path = tmp_path / "dnsmasq.log"
    path.write_text("\n".join(lines) + "\n")
    expected_rows, expected_file = _duckdb(path, tmp_path)
    result = spark_scan.scan([str(path)], tmp_path / "parquet", spark)
    got = result.files[0].as_dict()
    assert got["malformed"] == expected_file["malformed"] >= 2
    assert got["malformed_samples"] == expected_file["malformed_samples"]
    assert [s["line"] for s in got["malformed_samples"]][:2] == [100, 501]
    assert _parquet(tmp_path / "parquet") == expected_rows


_LABEL = st.text(alphabet="abcxyz019-_", min_size=1, max_size=8)
_NAME = st.one_of(
    st.lists(_LABEL, min_size=1, max_size=4).map(".".join),
    st.sampled_from(["Example.COM.", "bad name", "a..b", "-", "x" * 70 + ".com", "\u00e9t\u00e9.jp"]),
)
_LINE = st.one_of(
    st.tuples(
        st.sampled_from(["A", "AAAA", "HTTPS"]),
        _NAME,
        st.sampled_from(["10.0.0.1", "10.0.0.2", "::1", "[::1]", "host<1>"]),
    ).map(lambda t: f"query[{t[0]}] {t[1]} from {t[2]}"),
    st.sampled_from(["reply example.com is 1.2.3.4", "cached example.com is NXDOMAIN", "", "   ", "garbage"]),
)


@settings(max_examples=8, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    lines=st.lists(st.tuples(st.sampled_from(["Nov 23", "Dec  1", "Jan  2"]), _LINE), min_size=1, max_size=40)
)
def test_generated_dnsmasq_logs_agree(spark: Any, lines: list[tuple[str, str]]) -> None:
    """Property: for any dnsmasq log (queries with odd names, replies, blanks, garbage, several
    dates), the two engines give the same observations and the same account."""
    from sekisho.match import spark_scan

    with tempfile.TemporaryDirectory() as d:
        tmp = Path(d)
        path = tmp / "gen.log"
        body = [f"{day} 18:39:45 dnsmasq[15339]: {msg}" if msg.strip() else msg for day, msg in lines]
        path.write_text("\n".join(["Nov 23 18:39:45 dnsmasq[15339]: started, version 2.90", *body]) + "\n")
        expected_rows, expected_file = _duckdb(path, tmp, "dnsmasq")
        result = spark_scan.scan([str(path)], tmp / "parquet", spark, format_name="dnsmasq")
        got = result.files[0].as_dict()
        assert {k: got.get(k) for k in ACCOUNT} == {k: expected_file.get(k) for k in ACCOUNT}
        assert _parquet(tmp / "parquet") == expected_rows
