"""`sekisho scan --engine spark`: one clear line without the extra; with it, Parquet by day and the
same accounts as the library call."""

from __future__ import annotations

import importlib.util
import json
import shutil
import sys
from pathlib import Path

import duckdb
import pytest
from typer.testing import CliRunner

from sekisho.cli.main import app
from tests.conftest import corpora_dir, need


def test_without_the_extra_one_line_names_it(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "pyspark", None)  # import fails, find_spec says "absent"
    log = tmp_path / "q.log"
    log.write_text("query[A] example.com from 10.0.0.1\nquery[A] example.org from 10.0.0.2\n")
    result = CliRunner().invoke(app, ["scan", "--engine", "spark", str(log), "--out", str(tmp_path / "pq")])
    assert result.exit_code == 1, result.output
    lines = result.output.strip().splitlines()
    assert len(lines) == 1, result.output
    assert "pip install 'sekisho[spark]'" in lines[0] and "pyspark" in lines[0]
    assert not (tmp_path / "pq").exists()


@pytest.mark.parametrize(
    "args",
    [["--engine", "spark"], ["--out", "x"], ["--engine", "flink", "--out", "x"]],
    ids=["spark-without-out", "out-without-spark", "unknown-engine"],
)
def test_engine_and_out_go_together(tmp_path: Path, args: list[str]) -> None:
    log = tmp_path / "q.log"
    log.write_text("query[A] example.com from 10.0.0.1\n")
    result = CliRunner().invoke(app, ["scan", str(log), *args])
    assert result.exit_code != 0
    assert "--out" in result.output or "unknown engine" in result.output


@pytest.mark.realworld
@pytest.mark.slow
@pytest.mark.filterwarnings("ignore::ResourceWarning")
@pytest.mark.filterwarnings("ignore::pytest.PytestUnraisableExceptionWarning")
def test_scan_engine_spark_writes_parquet_by_day(tmp_path: Path) -> None:
    need(importlib.util.find_spec("pyspark") is not None, "pyspark (pip install 'sekisho[spark]')")
    need(shutil.which("java") is not None, "java (apt install openjdk-17-jre-headless)")
    src = corpora_dir() / "bind9/named_9.18_querylog_print-time-category.log"
    need(src.exists(), "corpus sample bind9")
    out = tmp_path / "pq"
    result = CliRunner().invoke(app, ["scan", "--engine", "spark", str(src), "--out", str(out), "--json"])
    assert result.exit_code == 0, result.output
    doc = json.loads(result.output)
    (f,) = doc["files"]
    assert f["format"] == "bind" and f["lines"] == 1072 and f["parsed"] == 900
    assert f["lines"] == f["parsed"] + f["skipped"] + f["malformed"]
    days = sorted(p.name for p in out.glob("day=*"))
    assert days and all(d.startswith("day=2026-") for d in days)
    total = duckdb.sql(
        f"SELECT sum(queries), count(*) FROM read_parquet('{out}/day=*/*.parquet')"
    ).fetchall()[0]
    assert total == (900, doc["observations"])
    # matched: every row says what its name is, and _sekisho.json what it was matched under
    meta = json.loads((out / "_sekisho.json").read_text())
    assert meta["files"] == doc["files"] and meta["names"] == doc["names"] > 0
    assert meta["match_version"].endswith(meta["match_rules"])
    unmatched = duckdb.sql(
        f"SELECT count(*) FROM read_parquet('{out}/day=*/*.parquet') WHERE registrable IS NULL"
    ).fetchall()[0][0]
    assert unmatched == 0


@pytest.mark.parametrize("url", ["hdfs://namenode/sekisho/obs", "s3a://bucket/sekisho/obs"])
def test_a_hadoop_directory_is_refused_saying_what_to_do(tmp_path: Path, url: str) -> None:
    """DuckDB reads neither HDFS nor (without its httpfs extension, not here offline) object
    storage: `report --db` says so and how to copy the directory, and writes nothing."""
    target = tmp_path / "r.json"
    result = CliRunner().invoke(app, ["report", "--db", url, "--json", str(target)])
    assert result.exit_code == 1, result.output
    assert f"{url.split(':')[0]}://" in result.output and "copy the directory" in result.output
    assert not target.exists()


def test_parquet_without_its_sekisho_json_is_refused(tmp_path: Path) -> None:
    """Partitions without _sekisho.json (written before names were matched on Spark) are not
    guessed at: the store says to scan again."""
    (tmp_path / "obs" / "day=2026-12-01").mkdir(parents=True)
    result = CliRunner().invoke(app, ["scope", "deepseek", "--db", str(tmp_path / "obs"), "--json"])
    assert result.exit_code == 1, result.output
    assert "_sekisho.json" in result.output and "--engine spark" in result.output
