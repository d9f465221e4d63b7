"""The report, built once from the store and the catalog; renderers turn it into text, JSON, HTML."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from typing import Any

from sekisho.assess import Assessor
from sekisho.i18n import Lang, text
from sekisho.store import Store


def build_report(store: Store, assessor: Assessor, lang: Lang = "en") -> dict[str, Any]:
    cat = assessor.catalog
    usage = {r["id"]: r for r in store.service_usage() if r["id"] in cat.services}
    daily: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for r in store.daily_usage():
        daily[r["id"]].append(
            {"day": r["day"].isoformat(), "queries": int(r["queries"]), "clients": int(r["clients"])}
        )
    services = []
    for sid, u in usage.items():
        svc = cat.services[sid]
        rating = assessor.rate(sid)
        chain = cat.operator_chain(svc.operator.value)
        services.append(
            {
                "id": sid,
                "name": svc.name_ja if lang == "ja" and svc.name_ja else svc.name,
                "category": svc.category,
                "operator": chain[0].name if chain else svc.operator.value,
                "country": chain[0].country.value if chain else "",
                "ultimate_parent": chain[-1].name if chain else "",
                "safety_level": rating.safety_level,
                "level_label": text(f"level.{rating.safety_level}", lang),
                "provisional": rating.provisional,
                "scores": {k: v.value for k, v in rating.scores.items()},
                "legal_verdict": text(rating.legal_verdict.key, lang),
                "technical_verdict": text(rating.technical_verdict.key, lang),
                "risks": [text(m.key, lang, **m.params) for m in rating.risks][:6],
                "response": [text(m.key, lang, **m.params) for m in rating.response],
                "clients": int(u["clients"]),
                "queries": int(u["queries"]),
                "first_seen": u["first_seen"],
                "last_seen": u["last_seen"],
                "daily": daily.get(sid, []),
            }
        )
    services.sort(key=lambda s: (s["safety_level"], -s["clients"], s["id"]))
    by_level = {lvl: [s["id"] for s in services if s["safety_level"] == lvl] for lvl in range(5)}
    overview = store.overview()
    scan_id = store.latest_scan_id()
    return {
        "lang": lang,
        "generated": dt.datetime.now(dt.UTC).replace(microsecond=0).isoformat(),
        "catalog_version": cat.meta.version,
        "rules_version": assessor.rules.version,
        "period": {"first": str(overview["first_day"] or ""), "last": str(overview["last_day"] or "")},
        "clients_total": int(overview["clients"] or 0),
        "queries_total": int(overview["queries"] or 0),
        "by_level": by_level,
        "affected_clients": len({c for s in services if s["safety_level"] <= 1 for c in [s["id"]]}),
        "services": services,
        "unknown": store.unknown_destinations(20),
        "files": store.last_scan_files(scan_id) if scan_id else [],
    }
