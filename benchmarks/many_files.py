"""Benchmark: many small files against one file holding the same lines, in the same run.

Generates (seeded, outside the repo) --files dnsmasq logs of --lines lines each (year-less syslog
stamps, 200 clients, Zipf-like names; each file its own modification time) and one file holding all
those lines. Then runs `sekisho scan --json` on the directory and on the single file, each in its
own process into a fresh store, and prints both times, their ratio, CPU % and peak RSS, and whether
every line was accounted for in both.

Target (issue 10 item 7): the directory in under 3 × the time of the single file, under 1 GB peak.

usage: python benchmarks/many_files.py [--files 5000] [--lines 2] [--dir /tmp/sekisho-many]
"""

from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

DAY = 86400


def generate(root: Path, files: int, lines: int, seed: int = 12) -> Path:
    """``root/many/`` with the small files, ``root/one.log`` with all their lines."""
    rnd = random.Random(seed)
    many = root / "many"
    shutil.rmtree(many, ignore_errors=True)
    many.mkdir(parents=True)
    start = 1795046400  # 2026-11-16 00:00 UTC
    with open(root / "one.log", "w") as one:
        for f in range(files):
            out = []
            t = start + f * (6 * DAY // max(files, 1))
            for _ in range(lines):
                t += rnd.randint(0, 3)
                g = time.gmtime(t)
                stamp = time.strftime("%b ", g) + f"{g.tm_mday:2} " + time.strftime("%H:%M:%S", g)
                rank = int(200000 ** rnd.random()) - 1
                name = f"h{rank // 20000}.d{rank % 20000}.{['com', 'net', 'co.jp', 'org', 'jp'][rank % 5]}"
                client = f"10.0.{rnd.randrange(200) // 256}.{rnd.randrange(200)}"
                out.append(f"{stamp} dnsmasq[{1000 + f % 50}]: query[A] {name} from {client}\n")
            text = "".join(out)
            path = many / f"dnsmasq-{f:05}.log"
            path.write_text(text)
            mtime = t + 60
            os.utime(path, (mtime, mtime))
            one.write(text)
    os.utime(root / "one.log", (t + 60, t + 60))
    return many


def measure(label: str, cmd: list[str]) -> dict[str, Any]:
    with tempfile.TemporaryFile() as out_f, tempfile.TemporaryFile() as err_f:
        t0 = time.perf_counter()
        proc = subprocess.Popen(cmd, stdout=out_f, stderr=err_f)
        _, status, usage = os.wait4(proc.pid, 0)
        elapsed = time.perf_counter() - t0
        out_f.seek(0)
        err_f.seek(0)
        out, err = out_f.read().decode(), err_f.read().decode()
    if os.waitstatus_to_exitcode(status) not in (0, 1):
        raise SystemExit(f"{label} failed:\n{err[-2000:]}")
    result = json.loads(out)
    return {
        "label": label,
        "seconds": elapsed,
        "cpu_pct": 100 * (usage.ru_utime + usage.ru_stime) / elapsed,
        "cpu_s": usage.ru_utime + usage.ru_stime,
        "peak_mb": usage.ru_maxrss / 1024,
        "scan": result["scan"],
        "files": len(result["files"]),
    }


def scan_cmd(db: Path, target: Path) -> list[str]:
    for suffix in ("", ".wal"):
        Path(str(db) + suffix).unlink(missing_ok=True)
    return [
        sys.executable,
        "-c",
        "from sekisho.cli.main import main; import sys; "
        f"sys.argv = ['sekisho', 'scan', '--json', '--keep-all', '--db', {str(db)!r}, {str(target)!r}]; main()",
    ]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--files", type=int, default=5000)
    ap.add_argument("--lines", type=int, default=2, help="lines per small file")
    ap.add_argument("--dir", type=Path, default=Path(os.environ.get("TMPDIR", "/tmp")) / "sekisho-many")
    args = ap.parse_args()
    root = args.dir / f"{args.files}x{args.lines}"
    if not (root / "one.log").exists():
        print(f"generating {args.files:,} files of {args.lines} lines in {root}…", flush=True)
        generate(root, args.files, args.lines)
    one = measure("one file", scan_cmd(root / "one.duckdb", root / "one.log"))
    many = measure(f"{args.files:,} files", scan_cmd(root / "many.duckdb", root / "many"))
    for m in (one, many):
        s = m["scan"]
        print(
            f"{m['label']:12} {m['seconds']:7.2f} s  CPU {m['cpu_s']:6.2f} s ({m['cpu_pct']:3.0f} %)  peak {m['peak_mb']:6.0f} MB  "
            f"{m['files']:,} file entries, {s['lines']:,} lines, {s['parsed']:,} parsed, {s['malformed']:,} malformed",
            flush=True,
        )
    ratio = many["seconds"] / one["seconds"]
    # on a machine shared with other work, wall time moves with their load; CPU seconds less so
    print(
        f"CPU seconds: ×{many['cpu_s'] / one['cpu_s']:.2f} the single file; "
        f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores",
        flush=True,
    )
    same = one["scan"]["lines"] == many["scan"]["lines"] and one["scan"]["parsed"] == many["scan"]["parsed"]
    ok = ratio < 3 and many["peak_mb"] < 1024 and same
    print(
        f"ratio {ratio:.2f} × the single file (target < 3), peak {many['peak_mb']:.0f} MB (target < 1,024); "
        f"same lines and records: {same} → {'MET' if ok else 'NOT MET'}",
        flush=True,
    )
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
