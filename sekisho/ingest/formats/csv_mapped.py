"""CSV with a header row and a column mapping given by the user.

``--format csv --map name=query,client=src_ip,ts=time`` — any CSV a firewall, proxy or SIEM can
export. ``ts`` is read as epoch seconds or ISO 8601. Rows whose ``name`` is empty are skipped;
rows the CSV reader cannot split, and rows whose ``ts`` cannot be read, are malformed, with their
line numbers (a row with quoted fields is counted but may not be located).
"""

from __future__ import annotations

import csv
import datetime as dt
from pathlib import Path
from typing import Any, ClassVar

from sekisho.errors import ConfigError
from sekisho.ingest.base import NORMALISED, Format, Timestamp
from sekisho.ingest.sources import Compression

DELIMITERS = (",", ";", "\t", "|")


def _header(path: Path, compression: Compression) -> tuple[list[str], str]:
    """The column names of the CSV's header row, and its delimiter (the one the header uses most)."""
    from sekisho.ingest.sources import open_decompressed

    with open_decompressed(path, compression) as f:
        first = f.readline(1 << 20).decode("utf-8", errors="replace").removeprefix("\ufeff").rstrip("\r\n")
    delim = max(DELIMITERS, key=first.count)
    names = next(csv.reader([first], delimiter=delim), [])
    if not first or not names:
        raise ConfigError("the CSV has no header row naming its columns")
    return [n.strip() for n in names], delim


class CsvMapped(Format):
    name: ClassVar[str] = "csv"
    title: ClassVar[str] = "CSV with a header and a column mapping (--map name=COL,client=COL,ts=COL)"
    kind = "dns"
    priority = 99

    def __init__(self, mapping: dict[str, str] | None = None) -> None:
        self.mapping = dict(mapping or {})
        unknown = set(self.mapping) - set(NORMALISED)
        if unknown:
            raise ConfigError(
                f"--map: unknown column(s) {', '.join(sorted(unknown))}; use {', '.join(NORMALISED)}"
            )

    def sniff(self, head: list[str]) -> bool:
        return False  # never guessed: a CSV needs the user's mapping

    def compile_duckdb(
        self, path: Path, compression: Compression, mtime: dt.datetime, con: Any
    ) -> tuple[str, int]:
        from sekisho.ingest.duckdb_engine import REJECTS, _comp, _name, q, ts_expr
        from sekisho.sql import positional

        if "name" not in self.mapping:
            raise ConfigError("--map must name the column holding the domain/host: --map name=COLUMN")
        comp = _comp(compression)
        names, delim = _header(path, compression)
        # The header's names only choose a position: the SQL reads the columns as c0, c1, …
        by_position = positional(len(names))
        columns = "{" + ", ".join(f"{q(c)}: 'VARCHAR'" for c in by_position) + "}"
        rel = (
            f"read_csv({q(str(path))}, header=true, auto_detect=false, columns={columns}, delim={q(delim)}, "
            f"quote='\"', escape='\"', compression={q(comp)}, "
            f"{REJECTS})"
        )
        missing = [c for c in self.mapping.values() if c not in names]
        if missing:
            raise ConfigError(
                f"--map names column(s) not in the CSV header: {', '.join(missing)} "
                f"(header: {', '.join(names)})"
            )

        def col(n: str) -> str:
            return by_position[names.index(self.mapping[n])] if n in self.mapping else "NULL"

        ts = (
            ts_expr(Timestamp("auto"), col("ts"), mtime)
            if "ts" in self.mapping
            else ts_expr(Timestamp("none"), "", mtime)
        )
        # the row as it stood in the file (fields rejoined by the delimiter; unquoted rows come out
        # as they were written), so that the engine finds the line numbers of malformed rows
        fields = ", ".join(f"coalesce({c}, '')" for c in by_position)
        line = f"array_to_string([{fields}], {q(delim)})"
        sql = f"""
            SELECT {ts} AS ts, {col("client")} AS client, {_name(col("name"))} AS name, {col("answers")} AS answers,
                   TRY_CAST({col("bytes_out")} AS BIGINT) AS bytes_out, TRY_CAST({col("bytes_in")} AS BIGINT) AS bytes_in,
                   {col("status")} AS status,
                   CASE WHEN coalesce({col("name")}, '') = '' THEN 'skip' ELSE 'ok' END AS _state,
                   CASE WHEN coalesce({col("name")}, '') = '' THEN 'row without a name' END AS _reason,
                   {line} AS _line
            FROM {rel}"""
        return sql, 1
