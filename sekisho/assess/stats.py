"""`sekisho catalog stats`: the size of the catalog's two tiers and the kinds of its sources."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from typing import Any

from sekisho.assess.engine import Assessor
from sekisho.catalog.loader import Catalog
from sekisho.catalog.validate import source_kind_counts
from sekisho.model.catalog import Law, Operator, Service
from sekisho.model.facts import Fact, Incident
from sekisho.model.rating import Rating

KINDS = ("primary", "press", "secondary")


def catalog_stats(assessor: Assessor) -> dict[str, Any]:
    cat = assessor.catalog
    known = cat.known.services
    researched_names = {
        n for s in cat.services.values() for n in s.domains.value + (s.hostnames.value if s.hostnames else [])
    }
    known_names = {n for k in known.values() for n in (*k.domains, *k.hostnames)}
    kinds = source_kind_counts(cat)
    ratings = assessor.rate_all()
    return {
        "services": {"researched": len(cat.services), "known": len(known)},
        "organisations": len(cat.operators),
        "domains": len(researched_names | known_names),
        "provisional": sum(1 for r in ratings.values() if r.provisional),
        "facts": _shares(Counter({k: kinds[k] for k in KINDS} | {"unstated": kinds["unknown"]})),
        "rating_facts": rating_fact_kinds(cat),
        "rating_points": rating_point_kinds(ratings.values()),
    }


def _shares(counts: Counter[str]) -> dict[str, Any]:
    total = sum(counts[k] for k in (*KINDS, "unstated"))
    strong = counts["primary"] + counts["press"]
    return {k: counts[k] for k in (*KINDS, "unstated")} | {
        "primary_or_press_share": round(strong / total, 4) if total else None
    }


def _rating_inputs(cat: Catalog) -> Iterator[Fact[Any] | Incident]:
    """Every fact the rating reads, whether or not it counts today: a service's operator, data
    locations, properties and incidents; every operator's country, head office, parent,
    jurisdictions and laws; every law's secret-cooperation and court facts."""
    for service in cat.services.values():
        assert isinstance(service, Service)
        yield service.operator
        yield from service.data_locations
        yield from service.properties.values()
        yield from service.incidents
    for op in cat.operators.values():
        assert isinstance(op, Operator)
        yield from _present(op.country, op.headquarters, op.parent, *op.jurisdictions, *op.laws)
    for law in cat.laws.values():
        assert isinstance(law, Law)
        yield from _present(law.compels_secret_cooperation, law.judicial_oversight)


def _present(*facts: Fact[Any] | None) -> Iterator[Fact[Any]]:
    return (f for f in facts if f is not None)


def rating_fact_kinds(cat: Catalog) -> dict[str, Any]:
    """The kinds of source behind the facts the rating reads (those resting on a secondary source
    alone are read as claims, so they earn and lose nothing: the share says how much of the
    method's input is primary or press)."""
    return _shares(Counter(f.source_kind or "unstated" for f in _rating_inputs(cat)))


def rating_point_kinds(ratings: Any) -> dict[str, Any]:
    """The kinds of source behind the evidence of every point that counts (yes, partial or no), and
    how many such points rest on secondary sources alone (the method says: none)."""
    counts: Counter[str] = Counter()
    alone = 0
    for rating in ratings:
        assert isinstance(rating, Rating)
        for score in rating.scores.values():
            for point in score.points:
                if point.status not in ("yes", "partial", "no"):
                    continue
                facts = [e for e in point.evidence if e.kind == "fact"]
                counts.update(e.source_kind or "unstated" for e in facts)
                if facts and all(e.source_kind == "secondary" for e in facts):
                    alone += 1
    return _shares(counts) | {"points_on_secondary_alone": alone}
