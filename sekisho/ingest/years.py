"""Years for year-less stamps (``Nov 23 18:40:00``: RFC 3164 syslog, dnsmasq, journald ``short``).

Such a line is dated in the latest year that puts it not after the file's modification time (plus
the clock-skew allowance), so a December line followed by January lines rolls back across the year
boundary: the December lines get the year before (the rule is in ``ts_expr``, style ``syslog``).
``sekisho scan --year N`` says the file ends in year N instead: the reference becomes the file's
modification time when that is in N, else the end of N (never later than now). Either way the
file's entry in the scan result says which years its lines were given, and why.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable
from typing import Any

__all__ = ["reference_time", "year_note", "yearless"]

# <PRI> optional, then "Mmm dd hh:mm:ss" (day space-padded or zero-padded), no year before or after
_YEARLESS = re.compile(r"^(?:<\d{1,3}>)?[A-Z][a-z]{2} [ 0-3]\d \d\d:\d\d:\d\d(?:\.\d+)? (?!\d{4}\b)")


def yearless(head: Iterable[str], lines: int = 20) -> bool:
    """Whether the file's first non-blank lines carry year-less syslog stamps."""
    seen = 0
    for line in head:
        if not line.strip():
            continue
        if _YEARLESS.match(line.lstrip("\ufeff")):
            return True
        seen += 1
        if seen >= lines:
            break
    return False


def reference_time(mtime: dt.datetime, year: int | None, now: dt.datetime | None = None) -> dt.datetime:
    """The time year-less stamps are placed not after: the file's ``mtime``, or with ``--year``
    the end of that year (``mtime`` itself when it falls in that year; never after ``now``)."""
    if year is None or year == mtime.year:
        return mtime
    end = dt.datetime(year, 12, 31, 23, 59, 59)
    return min(end, now or dt.datetime.now())


def year_note(con: Any, batch_table: str, mtime: dt.datetime, year: int | None) -> str | None:
    """The sentence for the file's entry: which years the year-less stamps were given, and why."""
    row = con.execute(f"SELECT min(day), max(day) FROM {batch_table}").fetchone()
    if not row or row[0] is None:
        return None
    first, last = row
    years = str(first.year) if first.year == last.year else f"{first.year}–{last.year}"
    if year is not None:
        why = f"given with --year {year}"
    else:
        why = f"inferred: the latest not after the file's modification time {mtime:%Y-%m-%d %H:%M}"
        if first.year != last.year:
            why += ", rolled back across the year boundary in the file"
        why += "; override with --year"
    return f"year-less stamps dated {years} ({first} to {last}; {why})"
