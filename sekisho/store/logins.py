"""The ``login_events`` table (migration 006): normalised sign-ins of every login format."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from dataclasses import fields
from typing import TYPE_CHECKING

from sekisho.ingest.logins.base import LoginEvent

if TYPE_CHECKING:
    from sekisho.store import Store

COLUMNS = [f.name for f in fields(LoginEvent)]


def save_login_events(store: Store, source: str, events: list[LoginEvent]) -> int:
    """Replace the rows of ``source`` with ``events``; returns how many were stored."""
    import pyarrow as pa

    cols: dict[str, list[object]] = {c: [] for c in COLUMNS}
    for ev in events:
        for c in COLUMNS:
            v = getattr(ev, c)
            if c == "ts":
                v = v.astimezone(dt.UTC).replace(tzinfo=None)
            cols[c].append(v)
    batch = pa.table(cols) if events else None
    names = ", ".join(f'"{c}"' for c in COLUMNS)
    with store.transaction():
        store.con.execute("DELETE FROM login_events WHERE source = ?", [source])
        if events:
            store.con.register("login_batch", batch)
            try:
                store.con.execute(f"INSERT INTO login_events ({names}) SELECT {names} FROM login_batch")
            finally:
                store.con.unregister("login_batch")
    return len(events)


def load_login_events(
    store: Store, since: dt.datetime | None = None, batch: int = 100_000
) -> Iterator[LoginEvent]:
    """Stored sign-ins in time order (then source and line), streamed in batches; the same event
    stored from two files (a log and its rotated copy) once."""
    names = ", ".join(f'"{c}"' for c in COLUMNS)
    cur = store.con.cursor()
    # one event read from two files (auth.log and its rotated copy auth.log.1) counts once
    cur.execute(
        f"SELECT {names} FROM login_events WHERE ? IS NULL OR ts >= ? "
        'QUALIFY row_number() OVER (PARTITION BY ts, "user", src_ip, outcome, method, app, format '
        "ORDER BY source, line) = 1 ORDER BY ts, source, line",
        [since, since],
    )
    while rows := cur.fetchmany(batch):
        for r in rows:
            d = dict(zip(COLUMNS, r, strict=True))
            d["ts"] = d["ts"].replace(tzinfo=dt.UTC)
            yield LoginEvent(**d)


__all__ = ["load_login_events", "save_login_events"]
