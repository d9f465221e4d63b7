"""Benchmark: the full `sekisho scan` against baselines measured on the same file, in the same run.

Generates (once, seeded, outside the repo) a Zeek dns.log of about --size-mb MB: Zipf-like names
over ~200k names / 20k registrable domains, ~2,000 clients, 7 days — and the same records as Zeek
JSON lines. Then measures, each in its own process (so peak memory is that process's):

  wc -l · awk field count · bare DuckDB read_csv + GROUP BY query · Polars scan_csv + group_by ·
  the full sekisho scan (parse + match + aggregate + store into a fresh DuckDB file)

and the same for the JSON variant (bare DuckDB read_json + GROUP BY as its baseline). Prints MB/s,
lines/s, peak RSS and the ratio of each to the bare DuckDB group-by.

usage: python benchmarks/scan.py [--size-mb 1000] [--dir /tmp/sekisho-bench] [--skip-json]
                                [--shapes realistic,worst] [--quick] [--repeat N]

``--repeat N`` runs every contender N times, interleaved (bare, scan, bare, scan …), and takes the
median of each one's wall time and CPU seconds (and its largest peak): on a shared machine one run
says little.
"""

from __future__ import annotations

import argparse
import concurrent.futures
import multiprocessing
import os
import shlex
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from installed_env import ENV  # (benchmarks/ is this script's directory, on sys.path)

ZEEK_FIELDS = [
    "ts",
    "uid",
    "id.orig_h",
    "id.orig_p",
    "id.resp_h",
    "id.resp_p",
    "proto",
    "trans_id",
    "rtt",
    "query",
    "qclass",
    "qclass_name",
    "qtype",
    "qtype_name",
    "rcode",
    "rcode_name",
    "AA",
    "TC",
    "RD",
    "RA",
    "Z",
    "answers",
    "TTLs",
    "rejected",
]


def _compile() -> None:
    """sekisho's bytecode written before the first measured run (``installed_env``)."""
    import sekisho

    subprocess.run(
        [sys.executable, "-m", "compileall", "-q", str(Path(sekisho.__file__).parent)], env=ENV, check=True
    )


BYTES_PER_ROW_TSV = 160  # measured on the generator's output; used only to pick the row count
START_EPOCH = 1795046400  # 2026-11-16 00:00 UTC


# Draws of a name per client and day, in the realistic shape, for 6.25 M lines (scaled with the
# size): over 2,000 clients and 7 days this gives 16.0 lines per (day, client, name), as the real
# WRCCDC 2018 Zeek sample in the corpora has (53,615 lines, 3,369 (day, client, name) groups: 15.9).
NAMES_PER_CLIENT_DAY = 30


def generate(path: Path, rows: int, fmt: str, shape: str = "realistic") -> None:
    """Write the log with DuckDB (fast, deterministic: every value is a hash of the row number).

    ``worst``: every line draws its client and its name independently, so (day, client, name)
    barely repeats (1.3 lines per group) and the aggregate is nearly as large as the input.
    ``realistic``: each client asks for its own few names of the day, again and again (about 16
    lines per group, like a real network's log)."""
    import duckdb

    con = duckdb.connect()
    con.execute("SET preserve_insertion_order = true")
    # log-uniform rank over 200,000 names: a Zipf(1)-like popularity
    zipf = "CAST(floor(exp(({u} % 1000000) / 1000000.0 * ln(200000))) AS BIGINT) - 1"
    if shape == "worst":
        pick = zipf.format(u="hash(i, 4)")
    else:
        day = f"CAST(i * 7 // {rows} AS BIGINT)"
        k = max(1, round(NAMES_PER_CLIENT_DAY * rows / 6_250_000))
        # (high bits: hash(i, 5) and hash(i, 2) are related in their low bits)
        pick = zipf.format(u=f"hash(hash(i, 2) % 2000, {day}, (hash(i, 5) >> 20) % {k})")
    rel = f"""
        SELECT
            {START_EPOCH} + (i * 604800.0 / {rows}) AS ts,
            'C' || lpad(to_hex(hash(i, 1) % 68719476736), 9, '0') || 'bench' AS uid,
            '10.' || (c // 65536) || '.' || ((c // 256) % 256) || '.' || (c % 256) AS orig_h,
            1024 + hash(i, 3) % 60000 AS orig_p,
            name_idx, c
        FROM (
            SELECT i, hash(i, 2) % 2000 AS c, {pick} AS name_idx
            FROM range({rows}) t(i)
        )"""
    named = f"""
        SELECT *, 'h' || (name_idx // 20000) || '.d' || (name_idx % 20000) || '.' ||
               (['com', 'net', 'co.jp', 'org', 'io', 'jp', 'cn', 'ne.jp'])[1 + name_idx % 8] AS query
        FROM ({rel})"""
    path.parent.mkdir(parents=True, exist_ok=True)
    if fmt == "tsv":
        header = (
            "#separator \\x09\n#set_separator\t,\n#empty_field\t(empty)\n#unset_field\t-\n#path\tdns\n"
            "#open\t2026-11-16-00-00-00\n#fields\t"
            + "\t".join(ZEEK_FIELDS)
            + "\n#types\t"
            + "\t".join(
                [
                    "time",
                    "string",
                    "addr",
                    "port",
                    "addr",
                    "port",
                    "enum",
                    "count",
                    "interval",
                    "string",
                    "count",
                    "string",
                    "count",
                    "string",
                    "count",
                    "string",
                    "bool",
                    "bool",
                    "bool",
                    "bool",
                    "count",
                    "vector[string]",
                    "vector[interval]",
                    "bool",
                ]
            )
            + "\n"
        )
        body = path.with_suffix(".body")
        con.execute(f"""COPY (SELECT printf('%.6f', ts), uid, orig_h, orig_p, '10.0.0.53', 53, 'udp',
                                      hash(uid) % 65536, '0.000' || (100 + hash(uid) % 899), query, 1, 'C_INTERNET',
                                      1, 'A', 0, 'NOERROR', 'F', 'F', 'T', 'T', 0,
                                      '203.0.113.' || (1 + name_idx % 250), '300.000000', 'F'
                                FROM ({named}))
                        TO '{body}' (FORMAT csv, DELIMITER '\t', HEADER false, QUOTE '')""")
        with open(path, "wb") as out, open(body, "rb") as src:
            out.write(header.encode())
            while chunk := src.read(1 << 24):
                out.write(chunk)
            out.write(b"#close\t2026-11-23-00-00-00\n")
        body.unlink()
    else:
        con.execute(f"""COPY (SELECT ts, uid, orig_h AS "id.orig_h", orig_p AS "id.orig_p", '10.0.0.53' AS "id.resp_h",
                                      53 AS "id.resp_p", 'udp' AS proto, query, 'A' AS qtype_name,
                                      'NOERROR' AS rcode_name, ['203.0.113.' || (1 + name_idx % 250)] AS answers
                                FROM ({named}))
                        TO '{path}' (FORMAT json)""")


def measure(
    label: str, cmd: list[str], size: int, lines: int, env: dict[str, str] | None = None
) -> dict[str, Any]:
    """Run ``cmd`` in its own process: wall time, CPU % (user + system over wall; 200 % is both
    cores of a 2-core machine) and peak RSS, all of that process alone (``wait4``)."""
    with tempfile.TemporaryFile() as out_f, tempfile.TemporaryFile() as err_f:
        t0 = time.perf_counter()
        proc = subprocess.Popen(cmd, stdout=out_f, stderr=err_f, env=env or ENV)
        _, status, usage = os.wait4(proc.pid, 0)
        elapsed = time.perf_counter() - t0
        proc.returncode = os.waitstatus_to_exitcode(status)
        out_f.seek(0)
        err_f.seek(0)
        out, err = out_f.read().decode(), err_f.read().decode()
    if proc.returncode != 0:
        raise SystemExit(f"{label} failed: {shlex.join(cmd)}\n{err[-2000:]}")
    return {
        "label": label,
        "seconds": elapsed,
        "mb_s": size / 1e6 / elapsed,
        "lines_s": lines / elapsed,
        "cpu_pct": 100 * (usage.ru_utime + usage.ru_stime) / elapsed,
        "cpu_s": usage.ru_utime + usage.ru_stime,
        "peak_mb": usage.ru_maxrss / 1024,
        "out": out.strip()[-200:],
    }


def _median(ms: list[dict[str, Any]], size: int, lines: int) -> dict[str, Any]:
    """One contender's runs as one: the median wall time and CPU seconds, the largest peak."""
    import statistics

    seconds = statistics.median(m["seconds"] for m in ms)
    cpu_s = statistics.median(m["cpu_s"] for m in ms)
    return ms[-1] | {
        "seconds": seconds,
        "cpu_s": cpu_s,
        "cpu_pct": 100 * cpu_s / seconds,
        "mb_s": size / 1e6 / seconds,
        "lines_s": lines / seconds,
        "peak_mb": max(m["peak_mb"] for m in ms),
        "runs": [round(m["cpu_s"], 2) for m in ms],
    }


def py(code: str) -> list[str]:
    return [sys.executable, "-c", code]


def in_child(func: Any, *args: Any) -> Any:
    """Run ``func`` in a fresh interpreter: this process stays small, so the peak RSS each
    contender reports (``wait4``, which counts the memory a child had when forked) is its own."""
    ctx = multiprocessing.get_context("spawn")
    with concurrent.futures.ProcessPoolExecutor(1, mp_context=ctx) as pool:
        return pool.submit(func, *args).result()


def groups_per_line(path: Path, kind: str) -> tuple[int, int]:
    """(lines, (day, client, name) groups) of a generated file."""
    import duckdb

    if kind == "tsv":
        rel = (
            f"read_csv({str(path)!r}, delim='\\t', header=false, skip=8, quote='', escape='', "
            "auto_detect=false, ignore_errors=true, columns={"
            + ", ".join(f"'{f}': 'VARCHAR'" for f in ZEEK_FIELDS)
            + "})"
        )
    else:
        rel = f"read_json({str(path)!r}, format='newline_delimited')"
    row = (
        duckdb.connect()
        .execute(
            f'SELECT count(*), count(DISTINCT (CAST(to_timestamp(CAST(ts AS DOUBLE)) AS DATE), "id.orig_h", query)) '
            f"FROM {rel} WHERE ts IS NOT NULL AND ts NOT LIKE '#%'"
            if kind == "tsv"
            else f'SELECT count(*), count(DISTINCT (CAST(to_timestamp(ts) AS DATE), "id.orig_h", query)) FROM {rel}'
        )
        .fetchone()
    )
    assert row
    return int(row[0]), int(row[1])


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--size-mb", type=float, default=1000)
    ap.add_argument("--dir", type=Path, default=Path(os.environ.get("TMPDIR", "/tmp")) / "sekisho-bench")
    ap.add_argument("--skip-json", action="store_true")
    ap.add_argument("--shapes", default="realistic,worst", help="realistic, worst, or both (comma-separated)")
    ap.add_argument("--quick", action="store_true", help="only the bare DuckDB baseline and the scan")
    ap.add_argument("--repeat", type=int, default=1, help="runs of each contender, interleaved; medians")
    args = ap.parse_args()
    rows = int(args.size_mb * 1e6 / BYTES_PER_ROW_TSV)
    _compile()
    summary = []
    for shape in args.shapes.split(","):
        summary += run_shape(args, rows, shape)
    print("\n== summary (target on the realistic file: TSV ≥ 0.6, JSON ≥ 0.5 of bare DuckDB; peak < 2 GB)")
    # On a machine shared with other work the wall-time ratio moves with their load; the ratio of
    # CPU seconds (what each spent, whatever it waited for) is printed beside it.
    print(f"load average at the end: {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")
    for shape, kind, scan, ratio, target, cpu_ratio in summary:

        def met(r: float, target: float | None = target, peak: float = scan["peak_mb"]) -> str:
            return "met" if target is not None and r >= target and peak < 2048 else "NOT met"

        # on a loaded machine the wall-time ratio moves with the others' work: both verdicts
        verdict = "—" if target is None else f"wall {met(ratio)}, CPU {met(cpu_ratio)}"
        print(
            f"{shape:9} {kind:4}  sekisho scan {scan['seconds']:6.2f} s  ×{ratio:.2f} of bare DuckDB "
            f"(CPU ×{cpu_ratio:.2f})  "
            f"CPU {scan['cpu_pct']:4.0f} %  peak {scan['peak_mb']:5.0f} MB  {verdict}",
            flush=True,
        )


def run_shape(args: argparse.Namespace, rows: int, shape: str) -> list[tuple[Any, ...]]:
    tag = "" if shape == "worst" else f"-{shape}"
    tsv = args.dir / f"dns-{rows}{tag}.log"
    jsn = args.dir / f"dns-{rows}{tag}.json"
    if not tsv.exists():
        print(f"generating {tsv} ({rows:,} records, {shape})…", flush=True)
        in_child(generate, tsv, rows, "tsv", shape)
    if not args.skip_json and not jsn.exists():
        print(f"generating {jsn}…", flush=True)
        in_child(generate, jsn, rows, "json", shape)

    summary = []
    for path, kind in [(tsv, "tsv")] + ([] if args.skip_json else [(jsn, "json")]):
        size = path.stat().st_size
        lines = int(subprocess.run(["wc", "-l", str(path)], capture_output=True, text=True).stdout.split()[0])
        records, groups = in_child(groups_per_line, path, kind)
        print(
            f"\n== {shape} {kind}: {path} — {size / 1e6:,.0f} MB, {lines:,} lines, {groups:,} (day, client, name) "
            f"groups: {records / max(groups, 1):.1f} lines per group",
            flush=True,
        )
        if kind == "tsv":
            cols = "{" + ", ".join(f"'{f}': 'VARCHAR'" for f in ZEEK_FIELDS) + "}"
            bare = (
                f"import duckdb; print(duckdb.connect().execute(\"SELECT count(*) FROM (SELECT query, count(*) FROM read_csv('{path}', "
                f"columns={cols}, delim='\\t', header=false, skip=8, quote='', escape='', auto_detect=false, "
                f'ignore_errors=true) GROUP BY query)").fetchone())'
            )
            runs = [
                ("wc -l", ["wc", "-l", str(path)]),
                ("awk field count", ["awk", "-F\t", "{n+=NF} END {print n}", str(path)]),
                ("bare DuckDB read_csv + GROUP BY query", py(bare)),
                (
                    "Polars scan_csv + group_by",
                    py(
                        "import polars as pl; print(pl.scan_csv("
                        + repr(str(path))
                        + ", separator='\\t', has_header=False, "
                        "comment_prefix='#', quote_char=None, new_columns=" + repr(ZEEK_FIELDS) + ", "
                        "schema_overrides={c: pl.Utf8 for c in "
                        + repr(ZEEK_FIELDS)
                        + "}, truncate_ragged_lines=True)"
                        ".group_by('query').len().collect().height)"
                    ),
                ),
            ]
        else:
            bare = (
                f'import duckdb; print(duckdb.connect().execute("SELECT count(*) FROM (SELECT query, count(*) FROM '
                f"read_json('{path}', format='newline_delimited', columns={{'query': 'VARCHAR'}}) GROUP BY query)\").fetchone())"
            )
            runs = [("wc -l", ["wc", "-l", str(path)]), ("bare DuckDB read_json + GROUP BY query", py(bare))]
        db = args.dir / f"bench-{kind}.duckdb"
        for suffix in ("", ".wal"):
            Path(str(db) + suffix).unlink(missing_ok=True)
        runs.append(
            (
                "sekisho scan (parse+match+aggregate+store)",
                # a fresh store every run (with --repeat, a second scan of the same file into the
                # same store would find nothing new)
                py(
                    "import pathlib; [pathlib.Path(p).unlink(missing_ok=True) for p in "
                    f"({str(db)!r}, {str(db) + '.wal'!r})]; "
                    "from sekisho.cli.main import main; import sys; sys.argv=['sekisho','scan','--json',"
                    f"'--db',{str(db)!r},{str(path)!r}]; main()"
                ),
            )
        )
        if args.quick:
            runs = [r for r in runs if r[0].startswith(("bare DuckDB", "sekisho"))]
        every: dict[str, list[dict[str, Any]]] = {label: [] for label, _ in runs}
        for _ in range(max(1, args.repeat)):
            for label, cmd in runs:
                m = measure(label, cmd, size, lines)
                every[label].append(m)
                print(
                    f"{m['label']:45} {m['seconds']:7.2f} s {m['mb_s']:8.0f} MB/s {m['lines_s'] / 1e6:7.2f} M lines/s "
                    f"CPU {m['cpu_pct']:4.0f} % CPU {m['cpu_s']:5.2f} s peak {m['peak_mb']:6.0f} MB",
                    flush=True,
                )
        measured = [_median(every[label], size, lines) for label, _ in runs]
        if args.repeat > 1:
            print(f"  medians of {args.repeat} runs:", flush=True)
        base = next(m for m in measured if m["label"].startswith("bare DuckDB"))
        for m in measured:
            print(
                f"  {m['label']:45} ×{base['seconds'] / m['seconds']:.2f} of bare DuckDB "
                f"(CPU seconds {m['cpu_s']:.2f}: ×{base['cpu_s'] / max(m['cpu_s'], 1e-9):.2f})"
                + (f" runs {m['runs']}" if len(m["runs"]) > 1 else ""),
                flush=True,
            )
        scan = measured[-1]
        target = None if shape != "realistic" else (0.6 if kind == "tsv" else 0.5)
        summary.append(
            (shape, kind, scan, base["seconds"] / scan["seconds"], target, base["cpu_s"] / scan["cpu_s"])
        )
    return summary


if __name__ == "__main__":
    main()
