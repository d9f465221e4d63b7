"""CSV records read by position from log lines (PAN-OS syslog, Cisco Umbrella, Zscaler NSS …).

A vendor's documented field order is the declaration: ``columns`` maps each normalised column to a
0-based position. A line is split in SQL (``"quoted, values"`` kept whole, ``""`` an escaped quote);
positions are integers from the declaration, so no text of a log becomes SQL. ``record`` is the
pattern (RE2) a line's CSV part matches; text before it (a syslog prefix) is ignored. Lines that do
not match are malformed; records with too few fields too.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any, ClassVar

from sekisho.ingest.base import Format
from sekisho.ingest.sources import Compression
from sekisho.sql import literal as q

_FIELD = r'("(?:[^"]|"")*"|[^,]*)(?:,|$)'


def field_sql(fields: str, i: int) -> str:
    """SQL of field ``i`` (0-based) of the split list ``fields``: unquoted, NULL when empty."""
    raw = f"{fields}[{int(i) + 1}]"
    return f"NULLIF(CASE WHEN starts_with({raw}, '\"') THEN replace({raw}[2:-2], '\"\"', '\"') ELSE {raw} END, '')"


def all_malformed_sql(
    path: Path, compression: Compression, mtime: dt.datetime, reason: str, skip: str | None = None
) -> str:
    """Every non-blank line malformed with ``reason`` (lines matching ``skip`` skipped): a file
    whose header is missing cannot be read by position, and no line of it is silently dropped."""
    from sekisho.ingest.duckdb_engine import lines_relation

    mt = f"TIMESTAMP {q(mtime.strftime('%Y-%m-%d %H:%M:%S'))}"
    skipped = f"regexp_matches(_line, {q(skip)})" if skip else "FALSE"
    return f"""
        SELECT {mt} AS ts, NULL AS client, NULL AS name, NULL AS answers, NULL::BIGINT AS bytes_out,
               NULL::BIGINT AS bytes_in, NULL AS status,
               CASE WHEN _line IS NULL OR trim(_line) = '' THEN 'blank' WHEN {skipped} THEN 'skip' ELSE 'bad' END AS _state,
               CASE WHEN _line IS NULL OR trim(_line) = '' THEN 'blank line' WHEN {skipped} THEN 'directive'
                    ELSE {q(reason)} END AS _reason,
               _line
        FROM {lines_relation(path, compression)}"""


class PositionalCsvFormat(Format):
    record: ClassVar[str]  # RE2: the CSV part of a line (group 1)
    columns: ClassVar[dict[str, int]]
    min_fields: ClassVar[int]
    ts_formats: ClassVar[tuple[str, ...]]
    header: ClassVar[str | None] = None  # RE2: a header line, skipped
    field: ClassVar[str] = _FIELD  # RE2: one field and its comma (group 1: the field)

    def sniff(self, head: list[str]) -> bool:
        import re

        lines = [ln for ln in head if ln.strip() and not (self.header and re.search(self.header, ln))][:20]
        pat = re.compile(self.record)
        hits = sum(1 for ln in lines if pat.search(ln))
        return bool(lines) and hits >= max(1, len(lines) // 2)

    def name_sql(self, f: Any) -> str:
        """SQL of the destination; ``f(i)`` is the SQL of field ``i``."""
        return str(f(self.columns["name"]))

    def skip_sql(self, f: Any) -> list[tuple[str, str]]:
        """(condition SQL, reason) of records that carry no destination."""
        return []

    def compile_duckdb(
        self, path: Path, compression: Compression, mtime: dt.datetime, con: Any
    ) -> tuple[str, int]:
        from sekisho.ingest.duckdb_engine import _int, _name, lines_relation

        def f(i: int) -> str:
            return field_sql("_f", i)

        def col(name: str) -> str:
            return f(self.columns[name]) if name in self.columns else "NULL"

        t = col("ts")
        ts = "coalesce(" + ", ".join(f"try_strptime({t}, {q(fmt)})" for fmt in self.ts_formats) + ")"
        name = self.name_sql(f)
        skips = self.skip_sql(f)
        skip_state = "".join(f" WHEN {c} THEN 'skip'" for c, _ in skips)
        skip_reason = "".join(f" WHEN {c} THEN {q(r)}" for c, r in skips)
        header = f"regexp_matches(_line, {q(self.header)})" if self.header else "FALSE"
        sql = f"""
            SELECT {ts} AS ts, {col("client")} AS client, {_name(name)} AS name, {col("answers")} AS answers,
                   {_int(col("bytes_out"))} AS bytes_out, {_int(col("bytes_in"))} AS bytes_in,
                   {col("status")} AS status,
                   CASE WHEN _line IS NULL OR trim(_line) = '' THEN 'blank'
                        WHEN {header} THEN 'skip'
                        WHEN _c = '' THEN 'bad'
                        WHEN len(_f) < {int(self.min_fields)} THEN 'bad'{skip_state}
                        WHEN {name} IS NULL THEN 'skip'
                        ELSE 'ok' END AS _state,
                   CASE WHEN _line IS NULL OR trim(_line) = '' THEN 'blank line'
                        WHEN {header} THEN 'header'
                        WHEN _c = '' THEN {q(f"not a {self.name} record")}
                        WHEN len(_f) < {int(self.min_fields)} THEN len(_f) || ' fields, fewer than ' || {int(self.min_fields)}{skip_reason}
                        WHEN {name} IS NULL THEN 'record without a destination' END AS _reason,
                   _line
            FROM (SELECT *, regexp_extract_all(_c, {q(self.field)}, 1) AS _f FROM (
                    SELECT *, regexp_extract(_line, {q(self.record)}, 1) AS _c FROM {lines_relation(path, compression)}))"""
        return sql, 0
