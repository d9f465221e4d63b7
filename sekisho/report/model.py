"""The report, built once from the store and the catalog; renderers turn it into text, JSON, CSV,
HTML and PDF.

:func:`build_report` returns plain data (strings, numbers, lists, dicts — JSON as it is), already
in the chosen language and, with a :class:`~sekisho.report.pseudonym.Pseudonymizer`, with every
client address replaced by its pseudonym. Renderers only lay it out.
"""

from __future__ import annotations

import datetime as dt
import ipaddress
import os
from collections import defaultdict
from collections.abc import Callable
from importlib.metadata import PackageNotFoundError, version
from typing import TYPE_CHECKING, Any

from sekisho.assess import Assessor, jurisdictions
from sekisho.i18n import Lang, country, text
from sekisho.match.addresses import operators_by_address
from sekisho.report import queries
from sekisho.report.dossier import build_dossier
from sekisho.report.pseudonym import Pseudonymizer
from sekisho.report.response import recommend, response_plan
from sekisho.store import Store

if TYPE_CHECKING:
    from sekisho.catalog.loader import Catalog

__all__ = ["MachineIndex", "build_report", "fmt_time", "generated_at", "machine_key"]

RISKY = (0, 1)  # the levels whose machines the summary counts as affected


def generated_at() -> dt.datetime:
    """Now (UTC, whole seconds), or ``$SOURCE_DATE_EPOCH`` so a report can be reproduced byte for byte."""
    raw = os.environ.get("SOURCE_DATE_EPOCH", "").strip()
    if raw.isdigit():
        return dt.datetime.fromtimestamp(int(raw), dt.UTC)
    return dt.datetime.now(dt.UTC).replace(microsecond=0)


def fmt_time(v: Any) -> str | None:
    """A stored timestamp as ``YYYY-MM-DD HH:MM:SS``; dates as ``YYYY-MM-DD``."""
    if v is None:
        return None
    if isinstance(v, dt.datetime):
        return v.replace(microsecond=0).isoformat(sep=" ")
    if isinstance(v, dt.date):
        return v.isoformat()
    return str(v)


def _tool_version() -> str:
    try:
        return version("sekisho")
    except PackageNotFoundError:  # pragma: no cover - running from a source tree without install
        return "unknown"


def build_report(
    store: Store,
    assessor: Assessor,
    lang: Lang = "en",
    pseudonymize: Pseudonymizer | None = None,
    scope_limit: int = 50,
    unknown_limit: int = 25,
    generated: dt.datetime | None = None,
    resolver: str | None = None,
) -> dict[str, Any]:
    """Everything a report shows: summary, services with scores and scope, response, unknown
    destinations and the parse accounting of the scans."""
    cat = assessor.catalog
    when = generated or generated_at()
    anon = pseudonymize.client if pseudonymize else (lambda c: c)
    daily: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for r in store.daily_usage():
        daily[r["id"]].append(
            {"day": r["day"].isoformat(), "queries": int(r["queries"]), "clients": int(r["clients"])}
        )

    services = []
    scopes: dict[str, list[dict[str, Any]]] = {}
    for u in store.service_usage():
        sid = u["id"]
        if sid not in cat.services:
            continue  # removed from the catalog since the names were matched
        svc = cat.services[sid]
        rating = assessor.rate(sid)
        chain = cat.operator_chain(svc.operator.value)
        scope = store.scope(sid) if scope_limit else []
        scopes[sid] = scope
        dossier = build_dossier(cat, assessor, sid, lang)
        services.append(
            {
                "id": sid,
                "url": dossier["url"],
                "owners": dossier["owners"],
                "name": svc.name_ja if lang == "ja" and svc.name_ja else svc.name,
                "category": svc.category,
                "operator": chain[0].name if chain else svc.operator.value,
                "country": chain[0].country.value if chain else "",
                "ultimate_parent": chain[-1].name if chain else "",
                "jurisdictions": sorted({link.country for link in jurisdictions(cat, svc)}),
                "safety_level": rating.safety_level,
                "level_label": text(f"level.{rating.safety_level}", lang),
                "provisional": rating.provisional,
                "coverage": round(rating.coverage, 2),
                "scores": {k: v.value for k, v in rating.scores.items()},
                "legal_verdict": text(rating.legal_verdict.key, lang),
                "technical_verdict": text(rating.technical_verdict.key, lang),
                "risks": [r["text"] for r in dossier["risks"]],
                # the whole assessment, as `sekisho show ID --json` has it
                "override": dossier["override"],
                "computed_safety_level": dossier["computed_safety_level"],
                "risk_details": dossier["risks"],
                "score_details": dossier["score_details"],
                "caps": dossier["caps"],
                "alternatives": dossier["alternatives"],
                "facts": dossier["facts"],
                "incidents": dossier["incidents"],
                "response": [text(m.key, lang, **m.params) for m in rating.response],
                "clients": int(u["clients"]),
                "queries": int(u["queries"]),
                "names": int(u["names"]),
                "first_seen": fmt_time(u["first_seen"]),
                "last_seen": fmt_time(u["last_seen"]),
                "daily": daily.get(sid, []),
                "scope": [
                    {
                        "client": anon(c["client"]),
                        "first_seen": fmt_time(c["first_seen"]),
                        "last_seen": fmt_time(c["last_seen"]),
                        "queries": int(c["queries"]),
                        "days": int(c["days"]),
                        "names": list(c["names"])[:5],
                    }
                    for c in scope[:scope_limit]
                ],
                "scope_more": max(0, int(u["clients"]) - scope_limit),
            }
        )
    services.sort(key=lambda s: (s["safety_level"], -s["clients"], s["id"]))
    redact = pseudonymize is not None
    installed_unseen = join_inventory(services, scopes, store, cat, lang, anon, redact, scope_limit)
    findings = _findings(store, pseudonymize)
    register = _register(store, lang, redact)
    if register is not None:  # the register's findings are shown beside its transfer map
        register["findings"] = [f for f in findings if f["stage"] == "register"]

    by_level = {lvl: [s["id"] for s in services if s["safety_level"] == lvl] for lvl in range(5)}
    overview = store.overview()
    first, last = overview["first_day"], overview["last_day"]
    unknown_totals = store.unknown_totals()
    response = recommend(assessor, services, text("report.policy_why", lang, date=when.date().isoformat()))
    for s in services:
        s["blocked_by"] = response["blocked_by"].get(s["id"], [])
    scans = _scans(store, pseudonymize is not None)
    formats: dict[str, int] = defaultdict(int)
    for scan in scans:
        for f in scan["files"]:
            if f["format"]:
                formats[f["format"]] += f["lines"]
    settings = assessor.settings
    plan = response_plan(
        assessor,
        services,
        resolver=resolver or settings.resolver,
        formats=dict(formats),
        why=text("report.policy_why", lang, date=when.date().isoformat()),
        base_policy=settings.policy,
    )
    actions = {i["id"]: i for i in plan["items"]}
    for s in services:
        s["plan"] = actions[s["id"]]
    return {
        "lang": lang,
        "generated": when.strftime("%Y-%m-%d %H:%M:%S UTC"),
        "generated_at": when.isoformat(),
        "timezone": assessor.settings.timezone,
        "tool_version": _tool_version(),
        "catalog_version": cat.meta.version,
        "rules_version": assessor.rules.version,
        "pseudonymized": pseudonymize is not None,
        "period": {
            "first": fmt_time(first) or "",
            "last": fmt_time(last) or "",
            "days": (last - first).days + 1 if first and last else 0,
        },
        "summary": {
            "services": len(services),
            "by_level": by_level,
            "level_counts": {lvl: len(ids) for lvl, ids in by_level.items()},
            "clients_by_level": {lvl: queries.clients_reaching(store, ids) for lvl, ids in by_level.items()},
            "affected_clients": queries.clients_reaching(store, [i for lvl in RISKY for i in by_level[lvl]]),
            "clients_total": int(overview["clients"] or 0),
            "queries_total": int(overview["queries"] or 0),
            "unknown_domains": int(unknown_totals["domains"] or 0),
            "unknown_queries": int(unknown_totals["queries"] or 0),
            "worst_level": services[0]["safety_level"] if services else None,
            "provisional": sum(1 for s in services if s["provisional"]),
            "provisional_below": round(assessor.rules.provisional_below_coverage * 100),
            "provisional_max": assessor.rules.provisional_max_level,
        },
        "daily": [
            {
                "day": r["day"].isoformat(),
                "queries": int(r["queries"]),
                "service_queries": int(r["service_queries"]),
                "clients": int(r["clients"]),
            }
            for r in queries.daily_totals(store)
        ],
        "services": services,
        "response": response,
        "plan": plan,
        "service_names": {s["id"]: s["name"] for s in services},
        # flow addresses in an operator's published ranges: the operator only, with the caveat
        "operators": operators_by_address(store, cat, fmt_time),
        "unknown": [
            {
                "domain": r["domain"],
                "clients": int(r["clients"]),
                "queries": int(r["queries"]),
                "names": int(r["names"]),
                "first_seen": fmt_time(r["first_seen"]),
                "last_seen": fmt_time(r["last_seen"]),
            }
            for r in queries.unknown(store, limit=unknown_limit)
        ],
        "scans": scans,
        "sources": cited_sources(services),
        "findings": findings,
        "installed_unseen": installed_unseen,
        "register": register,
    }


def _findings(store: Store, pseudonymize: Pseudonymizer | None) -> list[dict[str, Any]]:
    """Every evidence stage's stored findings, worst first — one shape, whatever the stage
    (DESIGN.md "Evidence pipelines"). Pseudonymized, a subject is a keyed hash and the evidence
    is left out (a subject may be an account)."""
    from sekisho.store.findings import load_findings

    out = []
    for f in load_findings(store):
        raw = f.detail.get("values")
        values: dict[str, Any] = raw if isinstance(raw, dict) else {}
        row: dict[str, Any] = {
            "severity": f.severity,
            "stage": f.stage,
            "kind": f.kind,
            "subject": pseudonymize.user(f.subject) if pseudonymize else f.subject,
            "title": f"{f.stage}: {f.kind}" if pseudonymize else f.title,  # a title may name the subject
            "title_ja": None if pseudonymize else f.title_ja,
            "last_seen": fmt_time(f.last_seen) or "",
            "values": ""
            if pseudonymize
            else ", ".join(f"{k}: {v}" for k, v in values.items() if k != "user")[:300],
            "evidence": [] if pseudonymize else [e.request or f"{e.file}:{e.line}" for e in f.evidence[:3]],
        }
        out.append(row)
    return out


def _cited(s: dict[str, Any]) -> list[dict[str, Any]]:
    """Every fact or piece of evidence the service's part of the report shows."""
    items = list(s["facts"]) + list(s["incidents"])
    for score in s["score_details"].values():
        for f in score["factors"]:
            items += f["evidence"]
    for m in (*s["caps"], *s["risk_details"]):
        items += m["evidence"]
    return items


def cited_sources(services: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The appendix: each source the report cites, once, with its kinds, dates and services."""
    by_source: dict[str, dict[str, Any]] = {}
    for s in services:
        for item in _cited(s):
            entry = by_source.setdefault(
                item["source"],
                {
                    "source": item["source"],
                    "kinds": set(),
                    "source_kinds": set(),
                    "dates": set(),
                    "services": [],
                },
            )
            entry["kinds"].add(item["kind"])
            if item.get("source_kind"):
                entry["source_kinds"].add(item["source_kind"])
            entry["dates"].add(item["as_of"])
            if s["name"] not in entry["services"]:
                entry["services"].append(s["name"])
    return [
        {
            "n": n,
            "source": e["source"],
            "kinds": sorted(e["kinds"]),
            "source_kinds": sorted(e["source_kinds"]),
            "dates": sorted(e["dates"]),
            "services": e["services"],
        }
        for n, e in enumerate(sorted(by_source.values(), key=lambda e: e["source"]), 1)
    ]


def _scans(store: Store, redact: bool) -> list[dict[str, Any]]:
    """Each scan with its per-file accounting. Redacted (for a shareable report): file paths keep
    only their name and malformed-line reasons lose the quoted line, which may hold addresses."""
    rows = queries.scans(store, limit=20)
    files: dict[int, list[dict[str, Any]]] = defaultdict(list)
    for f in queries.scan_files(store, [int(r["id"]) for r in rows]):
        samples = f["malformed_samples"]
        if redact:
            samples = [{"line": s["line"], "reason": _redact(str(s["reason"]))} for s in samples]
        files[int(f["scan_id"])].append(
            {
                "path": os.path.basename(f["path"]) if redact else f["path"],
                "format": f["format"],
                "lines": int(f["lines"] or 0),
                "parsed": int(f["parsed"] or 0),
                "skipped": int(f["skipped"] or 0),
                "malformed": int(f["malformed"] or 0),
                "malformed_samples": samples,
                "note": _redact(f["note"]) if redact and f["note"] else f["note"],
            }
        )
    return [
        {
            "id": int(r["id"]),
            "started_at": fmt_time(r["started_at"]),
            "finished_at": fmt_time(r["finished_at"]),
            "catalog_version": r["catalog_version"],
            "lines": int(r["lines"] or 0),
            "parsed": int(r["parsed"] or 0),
            "malformed": int(r["malformed"] or 0),
            "files": files.get(int(r["id"]), []),
        }
        for r in rows
    ]


def _redact(reason: str) -> str:
    for quote in (": '", ': "'):
        reason = reason.split(quote, 1)[0]
    return reason


# --- the inventory in the scope of impact, and the register's transfer map (issues 16, 17) ---


def machine_key(name: str) -> str:
    """How a machine is compared across evidence: an address in its canonical form (an IPv4-mapped
    IPv6 address as IPv4), else the host name case-folded without a trailing dot."""
    v = name.strip().rstrip(".").casefold()
    try:
        ip = ipaddress.ip_address(v.strip("[]"))
    except ValueError:
        return v
    mapped = getattr(ip, "ipv4_mapped", None)
    return str(mapped or ip)


class MachineIndex:
    """Inventory machines, found from a client of the logs: the same address, the same host name,
    or the same short name when one side is a bare name (``PC-03`` and ``pc-03.city.example``).
    A short name shared by two machines joins neither: a guess could put software on the wrong
    machine."""

    def __init__(self, machines: set[str]) -> None:
        self.keys = {machine_key(m) for m in machines}
        self._bare: dict[str, str] = {}
        self._fqdn: dict[str, set[str]] = defaultdict(set)
        for k in self.keys:
            if _is_address(k):
                continue
            if "." in k:
                self._fqdn[k.split(".", 1)[0]].add(k)
            else:
                self._bare[k] = k

    def find(self, client: str) -> str | None:
        k = machine_key(client)
        if k in self.keys:
            return k
        if _is_address(k):
            return None
        if "." in k:
            short = k.split(".", 1)[0]
            # a bare name, unless a machine of another domain has that short name too
            return self._bare.get(short) if not self._fqdn.get(short) else None
        found = self._fqdn.get(k, set())
        return next(iter(found)) if len(found) == 1 else None


def _is_address(key: str) -> bool:
    try:
        ipaddress.ip_address(key)
    except ValueError:
        return False
    return True


def _installs(
    store: Store, cat: Catalog, lang: Lang, redact: bool
) -> tuple[dict[str, dict[str, list[dict[str, Any]]]], dict[str, str]]:
    """The inventory's findings as service id → machine key → installs (software, version,
    file:line), the services taken from the catalog's software entry; and each machine key's name
    as the inventory recorded it."""
    from sekisho.store.findings import load_findings

    out: dict[str, dict[str, list[dict[str, Any]]]] = defaultdict(lambda: defaultdict(list))
    names: dict[str, str] = {}
    for f in load_findings(store, stage="inventory"):
        d = f.detail
        machine, software = d.get("machine"), d.get("software")
        if f.kind != "software_installed" or not isinstance(machine, str) or not isinstance(software, str):
            continue
        sw = cat.software.get(software)
        services = list(sw.services) if sw else [s for s in d.get("services") or [] if isinstance(s, str)]
        ev = f.evidence[0] if f.evidence else None
        key = machine_key(machine)
        names.setdefault(key, machine)
        item = {
            "machine": None if redact else machine,
            "software": software,
            "software_name": (sw.name_ja if lang == "ja" and sw.name_ja else sw.name) if sw else software,
            "version": d.get("version"),
            "source": None if redact or ev is None or ev.file is None else f"{ev.file}:{ev.line}",
            "last_seen": fmt_time(f.last_seen),
        }
        for sid in services:
            out[sid][key].append(item)
    return out, names


def join_inventory(
    services: list[dict[str, Any]],
    scopes: dict[str, list[dict[str, Any]]],
    store: Store,
    cat: Catalog,
    lang: Lang,
    anon: Callable[[str], str],
    redact: bool,
    limit: int,
) -> list[dict[str, Any]]:
    """Mark each scope row whose machine has the service's software installed (``installed``), add
    the machines that have it but never reached it (``installed_only``, each saying whether the
    logs show the machine at all), and return the services with installs that no machine reached."""
    for s in services:
        s.update(installed_machines=0, installed_only=[], installed_only_more=0)
        for row in s["scope"]:
            row["installed"] = []
    if not limit:  # no scope asked for (the dashboard's overview)
        return []
    installs, machine_names = _installs(store, cat, lang, redact)
    if not installs:
        return []
    index = MachineIndex(set(machine_names.values()))
    in_logs = {k for c in queries.all_clients(store) if (k := index.find(c)) is not None}

    def only_rows(by_machine: dict[str, list[dict[str, Any]]], skip: set[str]) -> list[dict[str, Any]]:
        keys = sorted((k for k in by_machine if k not in skip), key=lambda k: machine_names[k])
        return [
            {"machine": anon(machine_names[k]), "in_logs": k in in_logs, "installed": by_machine[k]}
            for k in keys
        ]

    for s in services:
        by_machine = installs.get(s["id"], {})
        if not by_machine:
            continue
        reached: set[str] = set()
        for i, raw in enumerate(scopes.get(s["id"], [])):
            key = index.find(str(raw["client"]))
            if key is None or key not in by_machine:
                continue
            reached.add(key)
            if i < len(s["scope"]):
                s["scope"][i]["installed"] = by_machine[key]
        only = only_rows(by_machine, reached)
        s["installed_machines"] = len(by_machine)
        s["installed_only"] = only[:limit]
        s["installed_only_more"] = max(0, len(only) - limit)
    seen = {s["id"] for s in services}
    unseen = []
    for sid in sorted(set(installs) - seen):
        svc = cat.services.get(sid)
        if svc is None:
            continue
        rows = only_rows(installs[sid], set())
        unseen.append(
            {
                "id": sid,
                "name": svc.name_ja if lang == "ja" and svc.name_ja else svc.name,
                "machines": len(rows),
                "rows": rows[:limit],
                "more": max(0, len(rows) - limit),
            }
        )
    return unseen


def _register(store: Store, lang: Lang, redact: bool) -> dict[str, Any] | None:
    """The newest register version checked with ``register check --db``: its parties by the
    country they handle the data in (the transfer map), the countries named in ``lang``."""
    from sekisho.register.appi import transfers_by_country
    from sekisho.register.check import stored_register

    stored = stored_register(store)
    if stored is None:
        return None
    row, reg = stored
    by_country = transfers_by_country(reg)
    controllers = {p.country for p in reg.parties.values() if p.role == "controller"}

    names = {c: country(c, lang) for c in by_country}  # CLDR, as the rest of the report
    return {
        "version": int(row["version"]),
        "path": os.path.basename(row["path"]) if redact else row["path"],
        "loaded_at": fmt_time(row["loaded_at"]),
        "parties": len(reg.parties),
        "by_country": {c: len(ids) for c, ids in by_country.items()},
        "country_names": names,
        "countries": [
            {
                "code": c,
                "name": names[c],
                "parties": [
                    {"id": i, "name": reg.parties[i].name, "role": reg.parties[i].role, "chain": reg.chain(i)}
                    for i in ids
                ],
                "abroad": bool(controllers) and c not in controllers,
            }
            for c, ids in sorted(by_country.items(), key=lambda kv: (-len(kv[1]), kv[0]))
        ],
    }
