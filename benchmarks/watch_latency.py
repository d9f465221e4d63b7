"""Alert latency of `sekisho watch`, from a line written to its alert emitted, and the watcher's CPU
use while idle.

A writer appends dnsmasq log lines (the format of ../shared/corpora/dnsmasq, one line per query)
to a log that a real `sekisho watch` process follows, at ``--rate`` lines per second. Each line is a
query for a service the default policy blocks, from a client never seen before, so each line raises
its own blocked-use alert on the watcher's stdout. The latency of a line is the time from its
``write()`` to its alert arriving on the pipe. Then the watcher is left idle and its CPU time
(utime + stime from /proc) is measured over ``--idle`` seconds.

    .venv/bin/python benchmarks/watch_latency.py                 # 10,000 lines
    .venv/bin/python benchmarks/watch_latency.py --lines 2000 --rate 1000 --interval 0.2
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
TEMPLATE = "Nov 23 18:40:00 dnsmasq[15339]: query[A] {name} from {client}\n"
NAMES = ["chat.deepseek.com", "api.deepseek.com", "cdn.deepseek.com"]


def cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--lines", type=int, default=10_000)
    ap.add_argument("--rate", type=float, default=500.0, help="lines written per second")
    ap.add_argument("--interval", type=float, default=None, help="watcher poll interval (default: its own)")
    ap.add_argument("--idle", type=float, default=30.0, help="seconds of idle CPU measurement")
    args = ap.parse_args()

    tmp = Path(tempfile.mkdtemp(prefix="sekisho-watch-bench-"))
    log, db = tmp / "dnsmasq.log", tmp / "bench.duckdb"
    log.write_text("Nov 23 18:39:45 dnsmasq[15339]: started, version 2.90 cachesize 150\n")
    cmd = [
        sys.executable,
        "-c",
        "from sekisho.cli.main import main; main()",
        "watch",
        str(log),
        "--db",
        str(db),
        "-q",
    ]
    if args.interval:
        cmd += ["--interval", str(args.interval)]
    watcher = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True, bufsize=1)
    received: dict[str, float] = {}
    got_all = threading.Event()

    def read() -> None:
        assert watcher.stdout is not None
        for line in watcher.stdout:
            now = time.time()
            alert = json.loads(line)
            if alert["rule"] == "blocked-use" and alert["client"] not in received:
                received[alert["client"]] = now
                if len(received) >= args.lines:
                    got_all.set()

    reader = threading.Thread(target=read, daemon=True)
    reader.start()
    time.sleep(3)  # start-up: imports, catalog, store

    written: dict[str, float] = {}
    start = time.monotonic()
    with open(log, "a", buffering=1) as f:
        for i in range(args.lines):
            client = f"10.{i // 65536}.{i // 256 % 256}.{i % 256}"
            line = TEMPLATE.format(name=NAMES[i % len(NAMES)], client=client)
            written[client] = time.time()
            f.write(line)
            ahead = start + (i + 1) / args.rate - time.monotonic()
            if ahead > 0:
                time.sleep(ahead)
    write_s = time.monotonic() - start
    if not got_all.wait(timeout=300):
        print(f"only {len(received)} of {args.lines} alerts arrived", file=sys.stderr)
    lat = sorted(received[c] - written[c] for c in received if c in written)

    time.sleep(3)  # let the last batch and deliveries settle
    c0, t0 = cpu_seconds(watcher.pid), time.monotonic()
    time.sleep(args.idle)
    c1, t1 = cpu_seconds(watcher.pid), time.monotonic()
    watcher.terminate()
    watcher.wait(timeout=30)

    def pct(q: float) -> float:
        return lat[min(len(lat) - 1, int(q * len(lat)))] * 1000

    print(f"lines written: {args.lines} in {write_s:.1f} s ({args.lines / write_s:.0f} lines/s)")
    print(f"alerts received: {len(lat)}")
    print(f"alert latency: median {statistics.median(lat) * 1000:.0f} ms, p90 {pct(0.90):.0f} ms, "
          f"p99 {pct(0.99):.0f} ms, max {lat[-1] * 1000:.0f} ms")  # fmt: skip
    print(f"idle CPU: {(c1 - c0) / (t1 - t0) * 100:.2f} % of one core over {t1 - t0:.0f} s")


if __name__ == "__main__":
    main()
