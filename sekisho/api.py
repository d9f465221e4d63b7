"""The library's front door: what the CLI and web app call."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from sekisho.assess import Assessor, load_rules, load_settings
from sekisho.catalog import open_catalog


def assessor_for(
    catalog: Path | None = None, settings: Path | None = None, rules: Path | None = None
) -> Assessor:
    """An assessor over the catalog at ``catalog`` (default: bundled) with an organisation's settings."""
    return Assessor(open_catalog(catalog), load_rules(rules), load_settings(settings))


def scan(
    paths: list[str],
    db: Path | None = None,
    catalog: Path | None = None,
    format_name: str | None = None,
    mapping: dict[str, str] | None = None,
    settings: Path | None = None,
    progress: Any = None,
    stdin: Any = None,
    *,
    year: int | None = None,
    keep_all: bool = False,
    unknown_limit: int = 20,
    reading: Any = None,
) -> dict[str, Any]:
    """Scan logs into the store and return the findings: ``{files, services, unknown, scan}``.
    ``year``: year-less stamps end in this year (default: inferred from each file's modification
    time); ``keep_all``: no roll-up or expiry (``scan.retention`` says what would have been);
    ``progress(what, size)`` is called after each file, ``reading(what, bytes)`` while one is read
    (from another thread)."""
    from sekisho.match.scan import run_scan
    from sekisho.store import Store

    assessor = assessor_for(catalog, settings)
    with Store(db) as store:
        outcome = run_scan(
            paths,
            store,
            assessor.catalog,
            format_name,
            mapping,
            progress,
            stdin,
            year=year,
            keep_all=keep_all,
            reading=reading,
        )
        result = findings(store, assessor, unknown_limit)
    result["files"] = outcome.files
    result["scan"] = {
        "id": outcome.scan_id,
        **outcome.totals,
        "new_names": outcome.new_names,
        "expired_observations": outcome.expired,
        "retention": outcome.retention,
    }
    return result


def findings(store: Any, assessor: Assessor, unknown_limit: int = 20) -> dict[str, Any]:
    """Per service: level, clients, queries, first/last seen; then unknown destinations (at most
    ``unknown_limit``), and apart from them the internal and special-use names."""
    services = []
    usage = store.service_usage()  # read once: the operators are rows of it too
    for row in usage:
        sid = row["id"]
        if sid not in assessor.catalog.services:
            continue  # a service removed from the catalog since the names were matched
        rating = assessor.rate(sid)
        services.append(
            {
                "id": sid,
                "name": assessor.catalog.services[sid].name,
                "safety_level": rating.safety_level,
                "provisional": rating.provisional,
                "clients": int(row["clients"]),
                "queries": int(row["queries"]),
                "names": int(row["names"]),
                "first_seen": _iso(row["first_seen"]),
                "last_seen": _iso(row["last_seen"]),
            }
        )
    services.sort(key=lambda s: (s["safety_level"], -s["clients"], -s["queries"], s["id"]))
    top, unknown_totals = store.unknown_summary(unknown_limit)  # the unknown rows read once
    unknown = [
        {
            "domain": r["domain"],
            "clients": int(r["clients"]),
            "queries": int(r["queries"]),
            "names": int(r["names"]),
        }
        for r in top
    ]
    # special-use and internal names (.arpa, .local, single labels, wpad …): not destinations
    from sekisho.match.addresses import operators_by_address
    from sekisho.report import queries

    internal = [
        {k: (int(v) if k in ("clients", "queries", "names") else v) for k, v in r.items()}
        for r in queries.internal(store, unknown_limit)
    ]
    return {
        "services": services,
        "operators": operators_by_address(store, assessor.catalog, _iso, usage),
        "unknown": unknown,
        "unknown_totals": unknown_totals,
        "internal": internal,
        "internal_totals": queries.internal_totals(store),
    }


def scope(service_id: str, db: Path | None = None, catalog: Path | None = None) -> dict[str, Any]:
    """Every client that reached the service, with first/last seen, queries and the names used."""
    from sekisho.store import Store

    cat = open_catalog(catalog)
    svc = cat.service(service_id)
    with Store(db, read_only=True) as store:
        clients = store.scope(service_id)
    return {
        "id": service_id,
        "name": svc.name,
        "clients": [
            {
                "client": c["client"],
                "first_seen": _iso(c["first_seen"]),
                "last_seen": _iso(c["last_seen"]),
                "queries": int(c["queries"]),
                "days": int(c["days"]),
                "names": list(c["names"]),
            }
            for c in clients
        ],
    }


def _iso(v: Any) -> str | None:
    return v.isoformat(sep=" ") if v is not None else None
