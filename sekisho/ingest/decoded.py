"""Rows a format decodes in Python — EVTX records, packets, Pi-hole's database rows — reach the
engine as an Arrow table registered on its connection, which the format's SQL then reads like a
file: :func:`register_rows` registers them, :func:`rows_sql` is the SELECT of the engine's columns
over rows that carry ``ts``, ``client``, ``name``, ``status``, ``state`` and ``reason``."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import pyarrow as pa


class Rows:
    """The rows a decoder makes, column by column; skipped records are counted per reason, one row
    (weighted by :meth:`weights`) standing for them all."""

    def __init__(self) -> None:
        self.n: list[int] = []
        self.ts: list[float | None] = []
        self.client: list[str | None] = []
        self.name: list[str | None] = []
        self.status: list[str | None] = []
        self.state: list[str] = []
        self.reason: list[str | None] = []
        self.count = 0  # every row added, skipped ones included
        # skipped records are counted per reason, not kept (most packets of a capture name nothing):
        # reason → (first packet number, packets)
        self.skipped: dict[str, tuple[int, int]] = {}

    def add(
        self,
        n: int,
        ts: float | None,
        client: str | None,
        name: str | None,
        status: str | None,
        state: str = "ok",
        reason: str | None = None,
    ) -> None:
        self.count += 1
        if state == "skip" and reason is not None:
            first, k = self.skipped.get(reason, (n, 0))
            self.skipped[reason] = (first, k + 1)
            return
        self.n.append(n)
        self.ts.append(ts)
        self.client.append(client)
        self.name.append(name)
        self.status.append(status)
        self.state.append(state)
        self.reason.append(reason)

    def weights(self) -> list[int]:
        """Each kept row counts once; then one row per skip reason, weighted by its records."""
        out = [1] * len(self.n)
        for reason, (first, k) in self.skipped.items():
            self.add_kept(first, reason)
            out.append(k)
        return out

    def add_kept(self, n: int, reason: str) -> None:
        self.n.append(n)
        self.ts.append(None)
        self.client.append(None)
        self.name.append(None)
        self.status.append(None)
        self.state.append("skip")
        self.reason.append(reason)


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


def rows_query(con: Any, table: str, rows: Rows, line: str) -> str:
    """Register ``rows`` (times in seconds since 1970) as ``table`` on ``con``; the engine's SELECT
    over them, each kept row once and each skip row as many times as the records it stands for
    (``line``: what names a record where a malformed one is reported, ``'packet ' || n``)."""
    weights = rows.weights()
    columns = {
        "w": pa.array(weights, pa.int64()),
        "n": pa.array(rows.n, pa.int64()),
        "ts": pa.array(rows.ts, pa.float64()),
        "client": pa.array(rows.client, pa.string()),
        "name": pa.array(rows.name, pa.string()),
        "status": pa.array(rows.status, pa.string()),
        "state": pa.array(rows.state, pa.string()),
        "reason": pa.array(rows.reason, pa.string()),
    }
    register_rows(con, table, columns)
    weighted = f"(SELECT *, unnest(range(w)) AS _i FROM {table})"
    return rows_sql("make_timestamp(CAST(ts * 1000000 AS BIGINT))", "NULL", line, weighted)


__all__ = ["Rows", "register_rows", "rows_query", "rows_sql"]
