"""The report as JSON (all of it) and as CSV (one table of it, for a spreadsheet)."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Callable, Iterator
from typing import Any

from sekisho.errors import ConfigError

__all__ = ["CSV_TABLES", "render_csv", "render_json"]


def render_json(report: dict[str, Any]) -> str:
    return json.dumps(report, ensure_ascii=False, indent=2, default=str) + "\n"


def _services(r: dict[str, Any]) -> Iterator[dict[str, Any]]:
    for s in r["services"]:
        yield {
            "id": s["id"],
            "name": s["name"],
            "safety_level": s["safety_level"],
            "provisional": s["provisional"],
            **{f"score_{k}": v for k, v in s["scores"].items()},
            "category": s["category"],
            "operator": s["operator"],
            "country": s["country"],
            "ultimate_parent": s["ultimate_parent"],
            "jurisdictions": " ".join(s["jurisdictions"]),
            "clients": s["clients"],
            "queries": s["queries"],
            "first_seen": s["first_seen"],
            "last_seen": s["last_seen"],
            "blocked_by": " ".join(s["blocked_by"]),
        }


def _scope(r: dict[str, Any]) -> Iterator[dict[str, Any]]:
    for s in r["services"]:
        for c in s["scope"]:
            yield {
                "service": s["id"],
                "safety_level": s["safety_level"],
                "client": c["client"],
                "first_seen": c["first_seen"],
                "last_seen": c["last_seen"],
                "days": c["days"],
                "queries": c["queries"],
                "names": " ".join(c["names"]),
            }


def _unknown(r: dict[str, Any]) -> Iterator[dict[str, Any]]:
    yield from r["unknown"]


def _files(r: dict[str, Any]) -> Iterator[dict[str, Any]]:
    for scan in r["scans"]:
        for f in scan["files"]:
            yield {
                "scan": scan["id"],
                **{k: f[k] for k in ("path", "format", "lines", "parsed", "skipped", "malformed", "note")},
            }


CSV_TABLES: dict[str, Callable[[dict[str, Any]], Iterator[dict[str, Any]]]] = {
    "services": _services,
    "scope": _scope,
    "unknown": _unknown,
    "files": _files,
}


def render_csv(report: dict[str, Any], table: str = "services") -> str:
    """One table of the report as CSV (header row first). ``table``: services, scope, unknown, files."""
    if table not in CSV_TABLES:
        raise ConfigError(f"unknown CSV table {table!r} (tables: {', '.join(CSV_TABLES)})")
    rows = [{k: _cell(v) for k, v in row.items()} for row in CSV_TABLES[table](report)]
    out = io.StringIO()
    if rows:
        writer = csv.DictWriter(out, fieldnames=list(rows[0]), lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)
    return out.getvalue()


def _cell(value: Any) -> Any:
    """Text that a spreadsheet would run as a formula (names come from logs, which anyone can
    write to) gets a leading apostrophe."""
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + value
    return value
