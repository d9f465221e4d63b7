"""How big does the store get? A year of a 2,000-machine network, in the real schema.

Model (printed with the result): each machine has its own set of --personal names, drawn Zipf-like
(log-uniform rank) from a universe of --universe names over --domains registrable domains; on each
working day it asks for --names-per-day of them. The store keeps (day, client, name) detail for
`detail_days` (35) and one row per (month, client, registrable domain, service) for the rest of
`retention_days` — what `Store.compact()` leaves. The tables are filled directly at that final shape
(detail days by the model, month rows as the distinct (client, registrable) of each month), then the
file is checkpointed and measured.

usage: python benchmarks/store_size.py [--clients 2000] [--personal 1500] [--names-per-day 400]
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

from sekisho.store import Store


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--clients", type=int, default=2000)
    ap.add_argument("--personal", type=int, default=1500, help="distinct names a machine uses over a year")
    ap.add_argument("--names-per-day", type=int, default=400)
    ap.add_argument("--universe", type=int, default=200_000)
    ap.add_argument("--domains", type=int, default=20_000)
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "year.duckdb"
        t0 = time.perf_counter()
        store = Store(path)
        detail_days = int(store.get_setting("detail_days", "35") or 35)
        con = store.con
        rank = f"CAST(floor(exp((hash(c, p) % 1000000) / 1000000.0 * ln({args.universe}))) AS BIGINT) - 1"
        con.execute(f"""
            CREATE TEMP TABLE personal AS
            SELECT c, p, {rank} AS r FROM range({args.clients}) a(c), range({args.personal}) b(p)""")
        con.execute(f"""
            CREATE TEMP TABLE personal_names AS
            SELECT c, p, '10.' || (c // 65536) || '.' || ((c // 256) % 256) || '.' || (c % 256) AS client,
                   'h' || (r // {args.domains}) || '.d' || (r % {args.domains}) || '.' ||
                   (['com','net','co.jp','org','io','jp','cn','ne.jp'])[1 + r % 8] AS name,
                   'd' || (r % {args.domains}) || '.' || (['com','net','co.jp','org','io','jp','cn','ne.jp'])[1 + r % 8]
                       AS registrable
            FROM personal""")
        share = args.names_per_day / args.personal
        # detail: on each of the last detail_days days, a machine uses `share` of its names
        con.execute(f"""
            INSERT INTO observations
            SELECT DATE '2026-11-23' - CAST(d AS INTEGER) AS day, client, name, 1 + hash(c, p, d) % 40,
                   NULL, NULL, TIMESTAMP '2026-11-01 09:00', TIMESTAMP '2026-11-01 17:00'
            FROM personal_names, range({detail_days}) t(d)
            WHERE (hash(c, p, d) % 1000) < {share * 1000}""")
        con.execute("""
            INSERT INTO names SELECT DISTINCT name, registrable, NULL, NULL, 'sim' FROM personal_names""")
        # month rows: the distinct (client, registrable) each machine used in each of the other months
        months = 12
        con.execute(f"""
            INSERT INTO observations_monthly
            SELECT DATE '2025-11-01' + INTERVAL (m) MONTH AS month, client, registrable, NULL,
                   sum(1 + hash(c, p, m) % 400), NULL, NULL, min(TIMESTAMP '2025-11-01'), max(TIMESTAMP '2025-11-30')
            FROM personal_names, range({months}) t(m)
            WHERE (hash(c, p, m, 7) % 1000) < {min(1.0, share * 21) * 1000}
            GROUP BY ALL""")
        counts = con.execute(
            "SELECT (SELECT count(*) FROM observations), (SELECT count(*) FROM observations_monthly), "
            "(SELECT count(*) FROM names)"
        ).fetchone()
        con.execute("DROP TABLE personal; DROP TABLE personal_names")
        con.execute("CHECKPOINT")
        store.close()
        size = path.stat().st_size
        print(
            f"model: {args.clients} machines, {args.personal} names each a year, {args.names_per_day} a day "
            f"(universe {args.universe:,} names / {args.domains:,} domains)"
        )
        print(
            f"rows: {counts[0]:,} detail ({detail_days} days), {counts[1]:,} month rows (12 months), "
            f"{counts[2]:,} names"
        )
        print(f"store size after CHECKPOINT: {size / 1e6:,.0f} MB   ({time.perf_counter() - t0:.0f} s)")


if __name__ == "__main__":
    main()
