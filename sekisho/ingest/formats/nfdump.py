"""NetFlow/IPFIX/sFlow flows as nfdump prints them: ``nfdump -r nfcapd.202301010000 -o csv``.

The first line names the columns (``ts,te,td,sa,da,sp,dp,pr,…,ibyt,…,obyt,…``; nfdump 1.6 and 1.7
differ in the columns after ``obyt``), read by position like Zeek's ``#fields`` (names pick a
position in Python, never enter SQL). A flow carries no name: the row's destination is ``da``, its
client ``sa``; ``ibyt`` are the bytes the source sent, ``obyt`` those it received (bidirectional
flows only). Flows are one-way, so an answer is a flow of its own, from the server. ``ts`` is the
flow's start in the time zone of the machine that ran nfdump (run it with ``TZ=UTC``). The
``Summary`` block nfdump appends is skipped.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any, ClassVar

from sekisho.ingest.csvline import PositionalCsvFormat, all_malformed_sql
from sekisho.ingest.sources import Compression, open_decompressed

WANTED = {"ts": "ts", "client": "sa", "name": "da", "bytes_out": "ibyt", "bytes_in": "obyt", "status": "pr"}


class NfdumpCsv(PositionalCsvFormat):
    name = "nfdump"
    title = "NetFlow/IPFIX flows, nfdump -o csv"
    kind = "conn"
    priority = 20
    record = r"^(\d{4}-\d\d-\d\d \d\d:\d\d:\d\d(?:\.\d+)?,.*)$"
    header: ClassVar[str | None] = r"^(ts,te,td,|Summary\s*$|flows,bytes,packets|\d+(,\d+(\.\d+)?){5}\s*$)"
    columns: ClassVar[dict[str, int]] = {}
    min_fields = 5
    ts_formats = ("%Y-%m-%d %H:%M:%S", "%Y-%m-%d %H:%M:%S.%g")

    def sniff(self, head: list[str]) -> bool:
        first = next((ln for ln in head if ln.strip()), "")
        return first.startswith("ts,te,td,sa,da,")

    def compile_duckdb(
        self, path: Path, compression: Compression, mtime: dt.datetime, con: Any
    ) -> tuple[str, int]:
        with open_decompressed(path, compression) as f:
            first = f.readline().decode("utf-8", errors="replace").strip()
        names = first.split(",")
        if not first.startswith("ts,te,td,sa,da,"):
            return all_malformed_sql(
                path, compression, mtime, "no nfdump csv header (ts,te,td,sa,da,…) on the first line"
            ), 0
        self.columns = {col: names.index(n) for col, n in WANTED.items() if n in names}  # type: ignore[misc]
        self.min_fields = len(names)  # type: ignore[misc]
        return super().compile_duckdb(path, compression, mtime, con)
