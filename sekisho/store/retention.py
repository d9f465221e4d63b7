"""Retention that never surprises: what a scan rolls up or expires, counted from the scan's time.

The store keeps per-day detail for ``detail_days`` and monthly roll-ups until ``retention_days``
(``sekisho db set``). Both ages count back from the day of the scan (UTC), never from the newest
day observed: a record dated in the future is malformed at ingest, so no file can move the window,
and no scan rolls up or expires observations because of the dates in *other* files. What a
compaction does is returned as a :class:`Compaction` — rows, queries and the period of each part —
for the terminal and the JSON to show; with ``keep_all`` it is only planned, nothing is changed.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import asdict, dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from sekisho.store import Store

__all__ = ["DEFAULT_DETAIL_DAYS", "DEFAULT_RETENTION_DAYS", "Compaction", "compact"]

DEFAULT_DETAIL_DAYS = 35
DEFAULT_RETENTION_DAYS = 400


@dataclass
class Compaction:
    """What a compaction rolled up and expired (or, with ``kept_all``, would have)."""

    reference: dt.date  # ages count back from this day (the scan's, UTC)
    detail_days: int
    retention_days: int
    detail_cutoff: dt.date  # detail before this day is rolled up by month
    keep_from: dt.date  # observations of months before this day's month are expired
    rolled_rows: int = 0
    rolled_queries: int = 0
    rolled_first: dt.date | None = None
    rolled_last: dt.date | None = None
    expired_rows: int = 0
    expired_queries: int = 0
    expired_first: dt.date | None = None
    expired_last: dt.date | None = None
    kept_all: bool = False  # --keep-all: planned only, the store is unchanged

    @property
    def changes(self) -> bool:
        return bool(self.rolled_rows or self.expired_rows)

    def as_dict(self) -> dict[str, Any]:
        return {k: v.isoformat() if isinstance(v, dt.date) else v for k, v in asdict(self).items()}

    def lines(self) -> list[str]:
        """One line per part, for the terminal (nothing when nothing was or would be changed)."""
        verb = ("would roll up", "would expire") if self.kept_all else ("rolled up", "expired")
        out = []
        if self.rolled_rows:
            out.append(
                f"{verb[0]} {self.rolled_rows:,} day rows ({self.rolled_queries:,} queries, "
                f"{self.rolled_first} to {self.rolled_last}) into monthly totals: older than "
                f"detail-days {self.detail_days} before {self.reference}"
            )
        if self.expired_rows:
            out.append(
                f"{verb[1]} {self.expired_rows:,} rows ({self.expired_queries:,} queries, "
                f"{self.expired_first} to {self.expired_last}): older than retention-days "
                f"{self.retention_days} before {self.reference}"
            )
        if out and self.kept_all:
            out.append("kept everything (--keep-all); `sekisho db set retention-days N` keeps more for good")
        return out


def _shift(day: dt.date, days: int) -> dt.date:
    try:
        return day - dt.timedelta(days=days)
    except OverflowError:
        return dt.date.min


def _setting(store: Store, key: str, default: int) -> int:
    value = store.get_setting(key, str(default))
    return int(value) if value else default


def compact(store: Store, today: dt.date | None = None, keep_all: bool = False) -> Compaction:
    """Roll detail older than ``detail_days`` up to one row per (month, client, registrable domain,
    service) and expire months older than ``retention_days``, both counted back from ``today``
    (default: today, UTC). With ``keep_all`` nothing is changed; the result says what would be."""
    ref = today or dt.datetime.now(dt.UTC).date()
    detail_days = _setting(store, "detail_days", DEFAULT_DETAIL_DAYS)
    retention_days = _setting(store, "retention_days", DEFAULT_RETENTION_DAYS)
    cut, keep = _shift(ref, detail_days), _shift(ref, retention_days)
    c = Compaction(ref, detail_days, retention_days, cut, keep, kept_all=keep_all)
    con = store.con
    params = {"cut": cut, "keep": keep}
    row = con.execute(
        "SELECT count(*), coalesce(sum(queries), 0), min(day), max(day) FROM observations WHERE day < $cut",
        {"cut": cut},
    ).fetchone()
    assert row
    c.rolled_rows, c.rolled_queries, c.rolled_first, c.rolled_last = int(row[0]), int(row[1]), row[2], row[3]
    # Expired: months before keep_from's month, whether they are detail now (rolled first, then
    # expired), detail kept longer than retention (detail_days >= retention_days), or roll-ups.
    row = con.execute(
        """
        SELECT count(*), coalesce(sum(queries), 0), min(first_seen)::DATE, max(last_seen)::DATE FROM (
            SELECT queries, first_seen, last_seen FROM observations
            WHERE (day < $cut AND date_trunc('month', day) < date_trunc('month', $keep::DATE))
               OR (day >= $cut AND day < $keep)
            UNION ALL
            SELECT queries, first_seen, last_seen FROM observations_monthly
            WHERE month < date_trunc('month', $keep::DATE))""",
        params,
    ).fetchone()
    assert row
    c.expired_rows, c.expired_queries, c.expired_first, c.expired_last = (
        int(row[0]),
        int(row[1]),
        row[2],
        row[3],
    )
    if keep_all or not c.changes:
        return c
    if c.rolled_rows:
        con.execute(
            """
            CREATE OR REPLACE TEMP TABLE rolled AS
            SELECT month, client, registrable, service_id, sum(queries) AS queries, sum(bytes_out) AS bytes_out,
                   sum(bytes_in) AS bytes_in, min(first_seen) AS first_seen, max(last_seen) AS last_seen
            FROM (
                SELECT date_trunc('month', o.day)::DATE AS month, o.client,
                       coalesce(n.registrable, o.name) AS registrable, n.service_id, o.queries, o.bytes_out,
                       o.bytes_in, o.first_seen, o.last_seen
                FROM observations o LEFT JOIN names n USING (name) WHERE o.day < $cut
                UNION ALL
                SELECT * FROM observations_monthly
                WHERE month IN (SELECT DISTINCT date_trunc('month', day)::DATE FROM observations WHERE day < $cut)
            ) GROUP BY ALL""",
            {"cut": cut},
        )
        con.execute("DELETE FROM observations_monthly WHERE month IN (SELECT DISTINCT month FROM rolled)")
        con.execute("INSERT INTO observations_monthly SELECT * FROM rolled")
        con.execute("DELETE FROM observations WHERE day < ?", [cut])
        con.execute("DROP TABLE rolled")
    con.execute("DELETE FROM observations WHERE day < ?", [keep])
    con.execute("DELETE FROM observations_monthly WHERE month < date_trunc('month', ?::DATE)", [keep])
    return c
