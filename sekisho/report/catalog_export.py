"""The catalog as other tools read it (AdGuard Home blocked services) and its list of sources."""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Callable
from typing import Any

from sekisho.catalog import Catalog
from sekisho.catalog.validate import _facts_with_keys

# A plain shield, so entries load in AdGuard Home, which expects an icon for each service.
GENERIC_ICON = (
    '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 24 24" fill="currentColor">'
    '<path d="M12 2 4 5v6c0 5 3.4 9.7 8 11 4.6-1.3 8-6 8-11V5z"/></svg>'
)


def adguard_services(catalog: Catalog) -> str:
    """``{"blocked_services": [{id, name, rules, icon_svg}]}`` as in AdGuard Home's services.json."""
    items = []
    for sid, svc in sorted(catalog.services.items()):
        names = sorted(set(svc.domains.value) | set(svc.hostnames.value if svc.hostnames else []))
        items.append(
            {
                "id": f"sekisho_{sid.replace('-', '_')}",
                "name": svc.name,
                "rules": [f"||{n}^" for n in names],
                "icon_svg": GENERIC_ICON,
            }
        )
    return json.dumps({"blocked_services": items}, ensure_ascii=False, indent=2) + "\n"


def collect_sources(catalog: Catalog) -> list[dict[str, Any]]:
    counts: Counter[str] = Counter()
    for kind in ("services", "operators", "laws", "software"):
        for entry in catalog.entries(kind).values():
            for _, fact in _facts_with_keys(entry):
                counts[str(getattr(fact, "source"))] += 1  # noqa: B009 - any object carrying a source
    return [{"source": s, "facts": n} for s, n in sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))]


CATALOG_FORMATS: dict[str, Callable[[Catalog], str]] = {
    "adguard-services": adguard_services,
}
