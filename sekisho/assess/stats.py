"""`sekisho catalog stats`: the size of the catalog's two tiers and the kinds of its sources."""

from __future__ import annotations

from typing import Any

from sekisho.assess.engine import Assessor
from sekisho.catalog.validate import source_kind_counts


def catalog_stats(assessor: Assessor) -> dict[str, Any]:
    cat = assessor.catalog
    known = cat.known.services
    researched_names = {
        n for s in cat.services.values() for n in s.domains.value + (s.hostnames.value if s.hostnames else [])
    }
    known_names = {n for k in known.values() for n in (*k.domains, *k.hostnames)}
    kinds = source_kind_counts(cat)
    return {
        "services": {"researched": len(cat.services), "known": len(known)},
        "organisations": len(cat.operators),
        "domains": len(researched_names | known_names),
        "provisional": sum(1 for r in assessor.rate_all().values() if r.provisional),
        "facts": {k: kinds[k] for k in ("primary", "press", "secondary")} | {"unstated": kinds["unknown"]},
    }
