"""Start-up time of the CLI: `sekisho --help` and `sekisho services`, beside `python -c pass`.

Each command runs as a fresh process (the installed console script of this venv), ``--runs`` times
after one warm-up run; the median wall time is printed with its ratio to a bare interpreter. The
targets (issue 12): `--help` < 0.3 s, `services` < 0.6 s.

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
import time
from pathlib import Path

BIN = Path(sys.executable).parent
TARGETS = {"sekisho --help": 0.3, "sekisho services": 0.6}


def wall(argv: list[str]) -> float:
    start = time.perf_counter()
    subprocess.run(argv, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return time.perf_counter() - start


def measure(argv: list[str], runs: int) -> dict[str, float]:
    wall(argv)  # warm the page cache and the bytecode
    times = [wall(argv) for _ in range(runs)]
    return {"median_s": statistics.median(times), "min_s": min(times), "max_s": max(times)}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--runs", type=int, default=9)
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args()
    sekisho = str(BIN / "sekisho")
    env_note = f"{os.cpu_count()} cores, load {os.getloadavg()[0]:.2f}"
    commands = {
        "python -c pass": [sys.executable, "-c", "pass"],
        "sekisho --help": [sekisho, "--help"],
        "sekisho services": [sekisho, "services"],
    }
    results = {name: measure(argv, args.runs) for name, argv in commands.items()}
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
            print(
                f"  {name:18} {r['median_s']:6.3f} s  (min {r['min_s']:.3f}, max {r['max_s']:.3f})"
                f"  {r['ratio']:5.1f}× python{verdict}"
            )
    if any(results[n]["median_s"] >= t for n, t in TARGETS.items()):
        sys.exit(1)


if __name__ == "__main__":
    main()
