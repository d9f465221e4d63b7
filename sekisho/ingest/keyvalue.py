"""Logs of ``key=value`` pairs (FortiGate, and devices that write like it), compiled to DuckDB SQL.

A declaration names, per normalised column, the keys that fill it (the first present wins), the
keys every record carries (a line without them is not a record of the product: malformed), and the
keys whose values make a record one that carries no destination (skipped with a reason). Values are
bare (``srcip=10.0.0.1``) or double-quoted (``hostname="www.example.com"``). Keys are the
declaration's own constants: nothing read from a log becomes SQL text (:mod:`sekisho.sql`).
Pairs are found anywhere in the line, so any syslog prefix in front of them is ignored.
"""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path
from typing import Any, ClassVar

from sekisho.ingest.base import Format
from sekisho.ingest.sources import Compression
from sekisho.sql import literal as q

_KEY = re.compile(r"[A-Za-z_][A-Za-z0-9_.-]*")


_PAIR = r'(?:^|[\s,])([A-Za-z_][A-Za-z0-9_.-]*)=("[^"]*"|[^\s,"]*)'


def value_sql(key: str) -> str:
    """SQL of the value of ``key`` in the line's pairs (NULL when absent or empty): the line is
    split into its keys ``_k`` and values ``_v`` once (two regex passes), then looked up by list
    position — much cheaper than one regular expression per key."""
    if not _KEY.fullmatch(key):
        raise ValueError(f"not a key: {key!r}")
    return f"NULLIF(trim(_v[list_position(_k, {q(key)})], '\"'), '')"


class KeyValueFormat(Format):
    # normalised column → keys tried in order (``ts`` is built by :meth:`ts_sql`)
    keys: ClassVar[dict[str, tuple[str, ...]]]
    # keys every record has
    record_keys: ClassVar[tuple[str, ...]]
    # (reason, key, values): a record whose ``key`` is one of ``values`` is skipped with ``reason``
    skips: ClassVar[tuple[tuple[str, str, tuple[str, ...]], ...]] = ()

    def sniff(self, head: list[str]) -> bool:
        lines = [ln for ln in head if ln.strip()][:20]
        pats = [re.compile(r"(?:^|[\s,])" + re.escape(k) + "=") for k in self.record_keys]
        hits = sum(1 for ln in lines if all(p.search(ln) for p in pats))
        return bool(lines) and hits >= max(1, len(lines) // 2)

    def ts_sql(self, mtime: dt.datetime) -> str:
        raise NotImplementedError

    def compile_duckdb(
        self, path: Path, compression: Compression, mtime: dt.datetime, con: Any
    ) -> tuple[str, int]:
        from sekisho.ingest.duckdb_engine import _int, _name, lines_relation

        def col(name: str) -> str:
            ks = self.keys.get(name, ())
            if not ks:
                return "NULL"
            return (
                value_sql(ks[0]) if len(ks) == 1 else "coalesce(" + ", ".join(value_sql(k) for k in ks) + ")"
            )

        is_record = " AND ".join(f"{value_sql(k)} IS NOT NULL" for k in self.record_keys)
        skip_states = "".join(
            f" WHEN {value_sql(k)} IN ({', '.join(q(v) for v in vals)}) THEN 'skip'"
            for _, k, vals in self.skips
        )
        skip_reasons = "".join(
            f" WHEN {value_sql(k)} IN ({', '.join(q(v) for v in vals)}) THEN {q(r)}"
            for r, k, vals in self.skips
        )
        sql = f"""
            SELECT {self.ts_sql(mtime)} AS ts, {col("client")} AS client, {_name(col("name"))} AS name,
                   {col("answers")} AS answers, {_int(col("bytes_out"))} AS bytes_out,
                   {_int(col("bytes_in"))} AS bytes_in, {col("status")} AS status,
                   CASE WHEN _line IS NULL OR trim(_line) = '' THEN 'blank'
                        WHEN NOT ({is_record}) THEN 'bad'{skip_states}
                        WHEN {col("name")} IS NULL THEN 'skip'
                        ELSE 'ok' END AS _state,
                   CASE WHEN _line IS NULL OR trim(_line) = '' THEN 'blank line'
                        WHEN NOT ({is_record}) THEN {q(f"not a {self.name} record (no {', '.join(self.record_keys)})")}
                        {skip_reasons}
                        WHEN {col("name")} IS NULL THEN 'record without a destination' END AS _reason,
                   _line
            FROM (SELECT *, regexp_extract_all(_line, {q(_PAIR)}, 1) AS _k, regexp_extract_all(_line, {q(_PAIR)}, 2) AS _v
                  FROM {lines_relation(path, compression)})"""
        return sql, 0
