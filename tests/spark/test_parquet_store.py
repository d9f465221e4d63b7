"""`report`, `scope` and `serve` read a Spark scan's Parquet directory (`--db DIR`) with the same
code as the DuckDB store, and give the same answers for the same files; the directory is read-only.
Real PySpark in local mode and a JRE; fails instead of skipping when CI is set."""

from __future__ import annotations

import importlib.util
import json
import re
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import duckdb
import pytest
from typer.testing import CliRunner

from sekisho.cli.main import app
from sekisho.errors import SekishoError
from tests.conftest import corpora_dir, need

pytestmark = [
    pytest.mark.realworld,
    pytest.mark.slow,
    pytest.mark.filterwarnings("ignore::ResourceWarning"),
    pytest.mark.filterwarnings("ignore::pytest.PytestUnraisableExceptionWarning"),
]

# several formats in one run, so the report has services, unknown and internal names, several days
FILES = [
    "zeek/wrccdc2018_dns_head5000.log",
    "dnsmasq/dnsmasq_2.90_log-queries.log",
    "squid/squid_5.7_access_native.log",
    "suricata/surevego_eve_2017.json",
    "sysmon/otrf_sysmon_eid22_dnsquery.json",
]
# The only keys that may differ, and why: when each report was made, and when each scan started
# and ended (the store's `now()` in its transaction; the Spark driver's clock around its run).
DIFFERENT = {"/generated", "/generated_at", "/scans[0]/started_at", "/scans[0]/finished_at"}


@pytest.fixture(scope="module")
def both(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Path, Path]]:
    """The same files scanned once by each engine: (DuckDB store, Parquet directory)."""
    need(importlib.util.find_spec("pyspark") is not None, "pyspark (pip install 'sekisho[spark]')")
    need(shutil.which("java") is not None, "java (apt install openjdk-17-jre-headless)")
    paths = [corpora_dir() / f for f in FILES]
    need(all(p.exists() for p in paths), "corpus samples " + ", ".join(FILES))
    from sekisho import api
    from sekisho.ingest import spark_engine
    from sekisho.match import spark_scan

    tmp = tmp_path_factory.mktemp("engines")
    store, out = tmp / "store.duckdb", tmp / "parquet"
    # keep_all: the samples are years old; the store would roll them up (the directory keeps all)
    api.scan([str(p) for p in paths], db=store, keep_all=True)
    spark = spark_engine.session("local[2]")
    try:
        spark_scan.scan([str(p) for p in paths], out, spark)
        # a run whose every record is malformed: no partition at all; written to a URL, so
        # _sekisho.json goes through the Hadoop file system as it does to hdfs:// or s3a://
        spark_scan.scan(
            [str(corpora_dir() / "zeek/zeek_btest_wikipedia_dns.log")], f"file://{tmp}/empty", spark
        )
    finally:
        spark.stop()
    yield store, out


def _cli(*args: str) -> str:
    result = CliRunner().invoke(app, list(args))
    assert result.exit_code == 0, result.output
    return result.output


def _report(db: Path, tmp: Path) -> dict[str, Any]:
    target = tmp / f"{db.name}.json"
    _cli("report", "--db", str(db), "--json", str(target))
    doc: dict[str, Any] = json.loads(target.read_text())
    return doc


def _differences(a: Any, b: Any, at: str = "") -> set[str]:
    """The paths (``/scans[0]/started_at``) where two JSON documents differ."""
    if isinstance(a, dict) and isinstance(b, dict):
        out: set[str] = set()
        for k in a.keys() | b.keys():
            out |= _differences(a.get(k), b.get(k), f"{at}/{k}") if k in a and k in b else {f"{at}/{k}"}
        return out
    if isinstance(a, list) and isinstance(b, list) and len(a) == len(b):
        return set().union(
            *(_differences(x, y, f"{at}[{i}]") for i, (x, y) in enumerate(zip(a, b, strict=True)))
        )
    return set() if a == b else {at}


def test_report_json_equal(both: tuple[Path, Path], tmp_path: Path) -> None:
    store, out = both
    from_store, from_parquet = _report(store, tmp_path), _report(out, tmp_path)
    assert _differences(from_store, from_parquet) <= DIFFERENT  # the times may fall in one second
    # the report is not trivially equal: it names services, unknown domains, days and files
    assert len(from_parquet["services"]) >= 5
    assert from_parquet["unknown"]
    assert len(from_parquet["daily"]) >= 2
    assert [f["path"] for s in from_parquet["scans"] for f in s["files"]] == [
        str(corpora_dir() / f) for f in FILES
    ]


def test_scope_equal(both: tuple[Path, Path], tmp_path: Path) -> None:
    store, out = both
    services = [s["id"] for s in _report(out, tmp_path)["services"]]
    assert services
    for sid in services:
        from_store = json.loads(_cli("scope", sid, "--db", str(store), "--json"))
        assert json.loads(_cli("scope", sid, "--db", str(out), "--json")) == from_store, sid
        assert from_store["clients"], sid


def test_dashboard_pages_equal(both: tuple[Path, Path]) -> None:
    """`serve --db DIR`: the dashboard's pages over the directory are the store's pages (apart from
    each page's random CSRF token)."""
    need(importlib.util.find_spec("starlette") is not None, "the web extra")
    from sekisho.web import create_app
    from tests.web.conftest import Client

    store, out = both
    pages: dict[Path, list[tuple[int, str]]] = {}
    for db in (store, out):
        client = Client(create_app(db=db))
        pages[db] = [
            (r.status_code, re.sub(r'(csrf_token" value=")[0-9a-f]+', r"\1", r.text))
            for r in (client.get(p) for p in ("/", "/services", "/unknown", "/services/deepseek"))
        ]
    assert [s for s, _ in pages[out]] == [200, 200, 200, 200]
    assert pages[out] == pages[store]


def test_the_directory_is_read_only(both: tuple[Path, Path]) -> None:
    from sekisho.store import Store

    _, out = both
    before = sorted(p.relative_to(out) for p in out.rglob("*"))
    store = Store(out)
    with pytest.raises(SekishoError, match="read-only"), store.transaction():
        pass
    with pytest.raises(duckdb.Error, match="read-only"):
        store.con.execute("INSERT INTO settings VALUES ('own_domains', 'example.org')")
    store.con.execute("CREATE TEMP TABLE t AS SELECT 1 AS x")  # the questions' temp tables work
    scratch = store._parquet.db
    assert scratch.exists()
    store.close()
    assert not scratch.exists()
    log = corpora_dir() / "squid/squid_5.7_access_native.log"
    result = CliRunner().invoke(app, ["scan", "--db", str(out), str(log)])
    assert result.exit_code == 1 and "read-only" in result.output, result.output
    assert sorted(p.relative_to(out) for p in out.rglob("*")) == before


def test_a_run_with_no_observations_reads_as_an_empty_store(both: tuple[Path, Path]) -> None:
    from sekisho.store import Store

    empty = both[1].parent / "empty"
    assert not list(empty.glob("day=*")) and (empty / "_sekisho.json").exists()
    with Store(empty, read_only=True) as store:
        assert store.counts() == {"observations": 0, "queries": 0, "files": 0, "scans": 1}
        assert store.service_usage() == []
        (scan,) = store.last_scan_files(1)
        assert scan["parsed"] == 0 and scan["malformed"] == scan["lines"] - scan["skipped"] > 0
