"""Benchmark: the Spark engine in local mode against the DuckDB engine, on the same generated file.

Generates (once, seeded, outside the repo) the Zeek dns.log of benchmarks/scan.py (realistic
shape: about 16 lines per (day, client, name)), then runs, each in its own process:

  duckdb      the DuckDB engine's ingest (parse, check, aggregate per day/client/name), all cores
  spark[1]    the Spark engine, local[1]: the same ingest, observations written as Parquet by day
  spark[2]    the same, local[2]
  spark[2]+m  local[2] with matching (sekisho.match.spark_scan): the distinct names collected,
              matched by the store's matcher on the driver, broadcast and joined into every row

The first three do the same work (no catalog matching, no store); the last one shows what matching
adds. For Spark the JVM start is timed apart from the scan. Prints seconds, MB/s, lines/s, the ratio of each to DuckDB, the scaling from 1
to 2 cores, and checks the outputs agree (rows and summed queries).

usage: python benchmarks/spark.py [--size-mb 1000] [--dir /tmp/sekisho-bench]
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from scan import BYTES_PER_ROW_TSV, generate


def run_duckdb(path: str) -> dict[str, float]:
    import datetime as dt

    import duckdb

    from sekisho.ingest import detect
    from sekisho.ingest.duckdb_engine import BATCH_TABLE, FileAccount, scan_file
    from sekisho.ingest.sources import open_source

    src = open_source(Path(path))
    fmt = detect(src)
    con = duckdb.connect()
    account = FileAccount(path, fmt.name)
    t0 = time.perf_counter()
    scan_file(con, fmt, Path(path), "none", dt.datetime.fromtimestamp(src.mtime), account, src.head_lines())
    rows, queries = con.execute(f"SELECT count(*), sum(queries) FROM {BATCH_TABLE}").fetchall()[0]
    return {"scan_s": time.perf_counter() - t0, "rows": rows, "queries": queries, "lines": account.lines}


def run_spark(path: str, cores: int, out: str, match: bool = False) -> dict[str, float]:
    import duckdb

    from sekisho.ingest import spark_engine
    from sekisho.match import spark_scan

    catalog = None
    if match:
        from sekisho.catalog import open_catalog

        catalog = open_catalog()  # loaded before the clock starts, as a scan into the store has it

    t0 = time.perf_counter()
    spark = spark_engine.session(f"local[{cores}]")
    spark.range(1).count()  # the JVM and its executors are up
    started = time.perf_counter() - t0
    t1 = time.perf_counter()
    if catalog is not None:
        result = spark_scan.scan([path], out, spark, catalog)
    else:
        result = spark_engine.scan([path], out, spark)
    scan_s = time.perf_counter() - t1
    spark.stop()
    rows, queries = duckdb.sql(
        f"SELECT count(*), sum(queries) FROM read_parquet('{out}/day=*/*.parquet')"
    ).fetchall()[0]
    return {
        "start_s": started,
        "scan_s": scan_s,
        "rows": rows,
        "queries": queries,
        "lines": result.files[0].lines,
        **({"names": result.names} if result.names is not None else {}),
    }


def child(args: list[str]) -> dict[str, float]:
    env = {**os.environ, "PYTHONWARNINGS": "ignore"}
    proc = subprocess.run(
        [sys.executable, __file__, "--child", *args], capture_output=True, text=True, env=env, check=False
    )
    if proc.returncode != 0:
        raise SystemExit(f"{args[0]} failed:\n{proc.stderr[-3000:]}")
    result: dict[str, float] = json.loads(proc.stdout.strip().splitlines()[-1])
    return result


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--size-mb", type=int, default=1000)
    ap.add_argument("--dir", default="/tmp/sekisho-bench")
    ap.add_argument("--child", nargs="+")
    a = ap.parse_args()
    if a.child:
        kind, path, *rest = a.child
        if kind == "duckdb":
            out = run_duckdb(path)
        else:
            out = run_spark(path, int(rest[0]), rest[1], match=kind == "spark-match")
        print(json.dumps(out))
        return
    work = Path(a.dir)
    work.mkdir(parents=True, exist_ok=True)
    tsv = work / f"dns-{a.size_mb}mb.log"
    if not tsv.exists():
        generate(tsv, a.size_mb * 1_000_000 // BYTES_PER_ROW_TSV, "tsv", "realistic")
    size = tsv.stat().st_size
    runs = {"duckdb": child(["duckdb", str(tsv)])}
    for cores in (1, 2):
        runs[f"spark[{cores}]"] = child(["spark", str(tsv), str(cores), str(work / f"spark-out-{cores}")])
    runs["spark[2]+m"] = child(["spark-match", str(tsv), "2", str(work / "spark-out-match")])
    base = runs["duckdb"]["scan_s"]
    lines = runs["duckdb"]["lines"]
    print(f"file: {tsv} ({size / 1e6:.0f} MB, {lines:,.0f} lines); cores here: {os.cpu_count()}")
    print(f"{'engine':10} {'start s':>8} {'scan s':>8} {'MB/s':>8} {'lines/s':>11} {'× DuckDB':>9}")
    for label, r in runs.items():
        print(
            f"{label:10} {r.get('start_s', 0):8.1f} {r['scan_s']:8.1f} {size / 1e6 / r['scan_s']:8.1f} "
            f"{lines / r['scan_s']:11,.0f} {r['scan_s'] / base:9.2f}"
        )
    print(f"Spark scaling 1 → 2 cores: {runs['spark[1]']['scan_s'] / runs['spark[2]']['scan_s']:.2f}×")
    m = runs["spark[2]+m"]
    print(
        f"matching on Spark: {m['names']:,.0f} distinct names, "
        f"+{m['scan_s'] - runs['spark[2]']['scan_s']:.1f} s over spark[2]"
    )
    same = all(
        (r["rows"], r["queries"], r["lines"]) == (runs["duckdb"]["rows"], runs["duckdb"]["queries"], lines)
        for r in runs.values()
    )
    print(
        f"outputs agree (observations {runs['duckdb']['rows']:,.0f}, queries {runs['duckdb']['queries']:,.0f}): {same}"
    )
    if not same:
        raise SystemExit(1)


if __name__ == "__main__":
    main()
