"""Start-up time of the CLI: `sekisho --help` and `sekisho services`, beside `python -c pass`, and
of `sekisho watch` to its first committed batch.

Each command runs as a fresh process (the installed console script of this venv), ``--runs`` times
after one warm-up run; the median wall time is printed with its ratio to a bare interpreter. The
watcher follows a new dnsmasq log of 2,000 queries (the line format of ../shared/corpora/dnsmasq,
200 clients, 400 names) into a new store each run; its time is from the process's start to its
"following …; first batch committed" line on stderr (with the CPU seconds it used to then); and
again for a restart (the store and log exist, 2,000 lines were written since the last watcher). The
targets (issue 12): `--help` < 0.3 s, `services` < 0.6 s, watch's first batch < 0.5 s.

    .venv/bin/python benchmarks/startup.py            # 9 runs each
    .venv/bin/python benchmarks/startup.py --runs 21 --json
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from installed_env import ENV  # (benchmarks/ is this script's directory, on sys.path)

BIN = Path(sys.executable).parent
TARGETS = {"sekisho --help": 0.3, "sekisho services": 0.6, "sekisho watch: 1st batch": 0.5}


def wall(argv: list[str]) -> float:
    start = time.perf_counter()
    subprocess.run(argv, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=ENV)
    return time.perf_counter() - start


def measure(argv: list[str], runs: int) -> dict[str, float]:
    wall(argv)  # warm the page cache and the bytecode
    times = [wall(argv) for _ in range(runs)]
    return {"median_s": statistics.median(times), "min_s": min(times), "max_s": max(times)}


def cpu_seconds(pid: int) -> float:
    """User + system CPU seconds the process has used so far (Linux /proc; NaN elsewhere)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    except (OSError, ValueError, IndexError):
        return float("nan")


WATCH_CPU: list[float] = []  # CPU seconds of each watcher to its first batch


def _lines(minute: int) -> str:
    return "".join(
        f"Nov 23 {18 + minute // 60:02d}:{minute % 60:02d}:{i % 60:02d} dnsmasq[15339]: query[A] "
        f"host{i % 400}.example{i % 37}.com from 10.0.{i % 200 // 100}.{i % 100 + 1}\n"
        for i in range(2000)
    )


def _start(argv: list[str]) -> float:
    """Seconds from starting the watcher ``argv`` to its "following" line (its CPU seconds to then
    are appended to WATCH_CPU); the watcher is stopped."""
    start = time.perf_counter()
    p = subprocess.Popen(argv, stderr=subprocess.PIPE, text=True, env=ENV)
    assert p.stderr is not None
    try:
        for line in p.stderr:
            if " following " in line:
                assert "first batch committed" in line, line
                elapsed = time.perf_counter() - start
                WATCH_CPU.append(cpu_seconds(p.pid))
                return elapsed
        raise SystemExit(f"the watcher stopped before following: rc {p.wait()}")
    finally:
        p.terminate()
        p.wait(timeout=30)


def watch_first_batch(sekisho: str, catalog: str | None = None, restart: bool = False) -> float:
    """Seconds from starting `sekisho watch` to its line saying the first batch is committed (its
    CPU seconds to then are appended to WATCH_CPU). ``restart``: the store and the log exist (a
    watcher read them and stopped), 2,000 lines were written since."""
    with tempfile.TemporaryDirectory() as d:
        log = Path(d) / "dnsmasq.log"
        log.write_text(_lines(0))
        argv = [sekisho, "watch", str(log), "--db", f"{d}/w.duckdb", "--interval", "0.1"]
        argv += ["--catalog", catalog] if catalog else []
        argv += ["--sink", f"jsonl:{d}/a.jsonl"]
        if restart:
            _start(argv)
            WATCH_CPU.pop()
            with log.open("a") as f:
                f.write(_lines(1))
        return _start(argv)


def measure_watch(
    sekisho: str, runs: int, catalog: str | None = None, restart: bool = False
) -> dict[str, float]:
    watch_first_batch(sekisho, catalog)  # also fills the catalog cache, as any earlier start would
    WATCH_CPU.clear()
    times = [watch_first_batch(sekisho, catalog, restart) for _ in range(runs)]
    return {
        "median_s": statistics.median(times),
        "min_s": min(times),
        "max_s": max(times),
        "cpu_median_s": statistics.median(WATCH_CPU),
    }


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--runs", type=int, default=9)
    ap.add_argument("--json", action="store_true")
    ap.add_argument(
        "--catalog",
        help="watch with this catalog directory (a still copy, while others edit the bundled one)",
    )
    args = ap.parse_args()
    sekisho = str(BIN / "sekisho")
    env_note = f"{os.cpu_count()} cores, load {os.getloadavg()[0]:.2f}"
    if "PYTHONPYCACHEPREFIX" in ENV:
        env_note += f", bytecode in {ENV['PYTHONPYCACHEPREFIX']}"
    commands = {
        "python -c pass": [sys.executable, "-c", "pass"],
        "sekisho --help": [sekisho, "--help"],
        "sekisho services": [sekisho, "services"],
    }
    results = {name: measure(argv, args.runs) for name, argv in commands.items()}
    results["sekisho watch: 1st batch"] = measure_watch(sekisho, args.runs, args.catalog)
    results["watch restart: 1st batch"] = measure_watch(sekisho, args.runs, args.catalog, restart=True)
    base = results["python -c pass"]["median_s"]
    for r in results.values():
        r["ratio"] = r["median_s"] / base
    if args.json:
        print(json.dumps({"runs": args.runs, "machine": env_note, "results": results}, indent=2))
    else:
        print(f"median of {args.runs} runs ({env_note})")
        for name, r in results.items():
            target = TARGETS.get(name)
            verdict = "" if target is None else ("  ok" if r["median_s"] < target else f"  OVER {target} s")
            cpu = f", CPU {r['cpu_median_s']:.3f} s" if "cpu_median_s" in r else ""
            print(
                f"  {name:24} {r['median_s']:6.3f} s  (min {r['min_s']:.3f}, max {r['max_s']:.3f}{cpu})"
                f"  {r['ratio']:5.1f}× python{verdict}"
            )
    if any(results[n]["median_s"] >= t for n, t in TARGETS.items()):
        sys.exit(1)


if __name__ == "__main__":
    main()
