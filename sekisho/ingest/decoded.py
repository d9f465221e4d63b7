"""Rows a format decodes in Python — EVTX records, packets, Pi-hole's database rows — reach the
engine as an Arrow table registered on its connection, which the format's SQL then reads like a
file: :func:`register_rows` registers them, :func:`rows_sql` is the SELECT of the engine's columns
over rows that carry ``ts``, ``client``, ``name``, ``status``, ``state`` and ``reason``."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import pyarrow as pa


def register_rows(con: Any, table: str, columns: Mapping[str, pa.Array]) -> None:
    """Register ``columns`` (name → Arrow array, all of one length) as ``table`` on ``con``."""
    con.execute("SELECT 1").fetchall()  # no pending result before registering
    con.register(table, pa.table(dict(columns)))


def rows_sql(ts: str, answers: str, line: str, source: str) -> str:
    """The engine's columns from decoded rows in ``source`` (a registered table or a subquery over
    one): ``ts`` and ``answers`` are SQL expressions over its columns, ``line`` the expression that
    names a row where a malformed one is reported (``'record ' || n``)."""
    from sekisho.ingest.duckdb_engine import _name

    return f"""
            SELECT {ts} AS ts, client, {_name("name")} AS name,
                   {answers} AS answers, NULL::BIGINT AS bytes_out, NULL::BIGINT AS bytes_in, status,
                   state AS _state, reason AS _reason, {line} AS _line
            FROM {source}"""


__all__ = ["register_rows", "rows_sql"]
