"""What the known-tier tests share: matching names with the real matcher, and reading and
rewriting one YAML table of a catalog copy (``known/<file>``)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import duckdb
import pyarrow as pa
import yaml

from sekisho.match import NameMatcher


def match(cat: Any, names: list[str]) -> dict[str, tuple[str, str | None]]:
    """Each name → (its registrable domain, the service id it is matched to) under ``cat``."""
    con = duckdb.connect()
    con.register("n", pa.table({"name": names}))
    con.execute("CREATE TEMP TABLE pending AS SELECT DISTINCT name FROM n")
    NameMatcher(cat).match_table(con, "pending", "out")
    rows = con.execute("SELECT name, registrable, service_id FROM out").fetchall()
    return {r[0]: (r[1], r[2]) for r in rows}


def read_table(root: Path, file: str) -> dict[str, Any]:
    data: dict[str, Any] = yaml.safe_load((root / "known" / file).read_text(encoding="utf-8"))
    return data


def write_table(root: Path, file: str, data: dict[str, Any]) -> None:
    text = yaml.safe_dump(data, allow_unicode=True, sort_keys=False)
    (root / "known" / file).write_text(text, encoding="utf-8")
