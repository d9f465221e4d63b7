"""A scan on Spark, matched against the catalog by the store's own matcher.

:func:`sekisho.ingest.spark_engine.scan` reads the logs; here its distinct names are matched by
:meth:`sekisho.match.NameMatcher.match_table` — the same DuckDB query a scan into the store runs
(:func:`sekisho.match.scan.match_new_names`), in an in-memory DuckDB on the driver — so a name gets
the same ``registrable``, ``service_id`` and ``matched_on`` on both engines. The answer is broadcast
to the executors and joined (:mod:`sekisho.ingest.spark_engine`). ``_sekisho.json`` beside the
partitions records the catalog version, the match version (catalog, known tier, MATCH_RULES, own
domains) and the accounts, for :mod:`sekisho.store.parquet`.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

import duckdb
import pyarrow as pa

from sekisho.catalog import Catalog, open_catalog
from sekisho.ingest import spark_engine
from sekisho.match import MATCH_RULES, NameMatcher

if TYPE_CHECKING:
    from pyspark.sql import SparkSession

__all__ = ["match_names", "scan"]


def match_names(
    matcher: NameMatcher, names: list[str]
) -> list[tuple[str, str | None, str | None, str | None]]:
    """``(name, registrable, service_id, matched_on)`` for each name, by the store's bulk match."""
    con = duckdb.connect()
    try:
        con.register("spark_names_arrow", pa.table({"name": pa.array(names, pa.string())}))
        con.execute("CREATE TEMP TABLE spark_names AS SELECT DISTINCT name FROM spark_names_arrow")
        con.unregister("spark_names_arrow")
        matcher.match_table(con, "spark_names", "spark_matches")
        rows = con.execute("SELECT name, registrable, service_id, matched_on FROM spark_matches").fetchall()
    finally:
        con.close()
    return [(str(r[0]), r[1], r[2], r[3]) for r in rows]


def scan(
    paths: list[str],
    out: Path | str,
    spark: SparkSession | None = None,
    catalog: Catalog | Path | str | None = None,
    format_name: str | None = None,
    *,
    year: int | None = None,
    own_domains: Sequence[str] = (),
) -> spark_engine.SparkScan:
    """Scan ``paths`` on Spark into Parquet by day at ``out``, each row matched against ``catalog``
    (default: the active catalog). ``own_domains``: the organisation's domains (internal), as the
    store's setting ``own_domains``."""
    cat = catalog if isinstance(catalog, Catalog) else open_catalog(catalog)
    matcher = NameMatcher(cat, tuple(own_domains))
    meta = {
        "catalog_version": cat.meta.version,
        "match_version": matcher.version,
        "match_rules": MATCH_RULES,
        "own_domains": list(own_domains),
    }
    return spark_engine.scan(
        paths,
        out,
        spark,
        format_name,
        year=year,
        match=lambda names: match_names(matcher, names),
        meta=meta,
    )
