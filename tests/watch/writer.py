"""A log writer for the watch tests, run as its own process: appends the records of a real log to
``LOG`` a few at a time (some lines written in two parts, as a busy writer does), rotating it every
``--rotate-every`` records the way logrotate does:

* ``rename``: ``LOG.1`` → ``LOG.2.gz`` (compressed), ``LOG`` → ``LOG.1``, a new ``LOG``;
* ``copytruncate``: ``LOG.1`` → ``LOG.2.gz``, ``LOG`` copied to ``LOG.1``, ``LOG`` truncated.

Every record also goes to ``--reference`` (one file with all the lines, for a one-shot scan to
compare with). A Zeek log's header is written at the top of each new file (with its own ``#open``
time, as Zeek does) and once at the top of the reference. Prints ``done`` when finished.

    python writer.py SOURCE LOG --reference ALL --style rename --rotate-every 400 --rate 2000
"""

from __future__ import annotations

import argparse
import gzip
import os
import shutil
import sys
import time
from pathlib import Path


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("source", type=Path)
    ap.add_argument("log", type=Path)
    ap.add_argument("--reference", type=Path, required=True)
    ap.add_argument("--style", choices=["rename", "copytruncate", "none"], default="rename")
    ap.add_argument("--rotate-every", type=int, default=500)
    ap.add_argument("--rate", type=float, default=1000.0, help="records per second")
    ap.add_argument("--limit", type=int, default=0)
    args = ap.parse_args()

    lines = args.source.read_bytes().splitlines(keepends=True)
    header = [ln for ln in lines if ln.startswith(b"#") and not ln.startswith(b"#close")]
    header = header if lines and lines[0].startswith(b"#separator") else []
    records = [ln for ln in lines if not ln.startswith(b"#")] if header else lines
    records = [r if r.endswith(b"\n") else r + b"\n" for r in records]
    if args.limit:
        records = records[: args.limit]

    opened = [0]

    def head_for_new_file() -> bytes:
        opened[0] += 1
        return b"".join(
            (b"#open\t2024-04-12-19-%02d-%02d\n" % divmod(opened[0], 60)) if h.startswith(b"#open") else h
            for h in header
        )

    with open(args.reference, "wb") as ref:
        ref.write(b"".join(header))
    with open(args.log, "wb") as f:
        f.write(head_for_new_file())

    def rotate() -> None:
        one, two = args.log.with_name(args.log.name + ".1"), args.log.with_name(args.log.name + ".2.gz")
        if one.exists():
            tmp = two.with_name(two.name + ".tmp")  # written aside, renamed when complete
            with open(one, "rb") as src, gzip.open(tmp, "wb") as dst:
                shutil.copyfileobj(src, dst)
            os.replace(tmp, two)
            one.unlink()
        if args.style == "rename":
            os.rename(args.log, one)
            with open(args.log, "wb") as f:
                f.write(head_for_new_file())
        else:
            shutil.copyfile(args.log, one)
            with open(args.log, "r+b") as f:
                f.truncate(0)
                f.write(head_for_new_file())

    delay = 1.0 / args.rate
    started = time.monotonic()
    for i, rec in enumerate(records):
        if args.style != "none" and i and i % args.rotate_every == 0:
            rotate()
        with open(args.log, "ab", buffering=0) as f, open(args.reference, "ab") as ref:
            if i % 7 == 3 and len(rec) > 10:  # half a line now, the rest a moment later
                f.write(rec[: len(rec) // 2])
                time.sleep(0.003)
                f.write(rec[len(rec) // 2 :])
            else:
                f.write(rec)
            ref.write(rec)
        ahead = started + (i + 1) * delay - time.monotonic()
        if ahead > 0:
            time.sleep(ahead)
    print("done", flush=True)
    sys.exit(0)


if __name__ == "__main__":
    main()
