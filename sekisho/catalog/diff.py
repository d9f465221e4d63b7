"""What changed for each service between two catalogs: operator, owner (the parent chain), country,
headquarters, jurisdictions, data locations — each value with the facts (source, date) behind it.

    from sekisho.catalog.diff import diff_catalogs
    for change in diff_catalogs(old, new).changed:
        print(change.service_id, [f.field for f in change.fields])

A change of sources alone (a newer document saying the same) is not a change. The safety level
is not a catalog fact but a rating: a caller that can rate passes ``level`` (a function of catalog
and service id) and it is compared like the rest.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from sekisho.catalog.loader import Catalog
from sekisho.model.catalog import Operator
from sekisho.model.facts import Fact

__all__ = ["FIELDS", "CatalogDiff", "FieldChange", "ServiceChange", "diff_catalogs", "service_facts"]

FIELDS = ("operator", "owner", "country", "headquarters", "jurisdictions", "data_locations", "safety_level")
LevelOf = Callable[[Catalog, str], int]


def _src(fact: Fact[Any], about: str | None = None) -> dict[str, Any]:
    out: dict[str, Any] = {"source": fact.source, "as_of": fact.as_of.isoformat()}
    if fact.kind != "fact":
        out["kind"] = fact.kind
    if fact.note:
        out["note"] = fact.note
    if about:
        out["about"] = about
    return out


def _entry(value: Any, sources: list[dict[str, Any]]) -> dict[str, Any]:
    return {"value": value, "sources": sources}


def service_facts(cat: Catalog, service_id: str, level: LevelOf | None = None) -> dict[str, dict[str, Any]]:
    """The facts of one service that an organisation using it must hear about when they change:
    ``{field: {"value": …, "sources": [{source, as_of, …}]}}``."""
    svc = cat.services[service_id]
    chain: list[Operator] = cat.operator_chain(svc.operator.value)
    op = chain[0] if chain else None
    facts: dict[str, dict[str, Any]] = {
        "operator": _entry(
            f"{op.name} ({op.id})" if op else svc.operator.value, [_src(svc.operator, "operator")]
        ),
        "owner": _entry(
            [f"{o.name} ({o.id})" for o in chain[1:]],
            [_src(o.parent, f"parent of {o.id}") for o in chain if o.parent is not None],
        ),
    }
    if op is not None:
        facts["country"] = _entry(op.country.value, [_src(op.country, f"country of {op.id}")])
        if op.headquarters is not None:
            facts["headquarters"] = _entry(
                op.headquarters.value, [_src(op.headquarters, f"headquarters of {op.id}")]
            )
    where: dict[str, list[dict[str, Any]]] = {}
    for o in chain:
        for label, f in (
            [("country", o.country)]
            + ([("headquarters", o.headquarters)] if o.headquarters else [])
            + [("jurisdiction", j) for j in o.jurisdictions]
        ):
            where.setdefault(f.value, []).append(_src(f, f"{label} of {o.id}"))
    facts["jurisdictions"] = _entry(sorted(where), [s for c in sorted(where) for s in where[c]])
    facts["data_locations"] = _entry(
        sorted({f.value for f in svc.data_locations}), [_src(f, "data location") for f in svc.data_locations]
    )
    if level is not None:
        facts["safety_level"] = _entry(
            level(cat, service_id), [{"source": f"rating of catalog {cat.meta.version}"}]
        )
    return facts


@dataclass(frozen=True)
class FieldChange:
    field: str
    before: dict[str, Any] | None
    after: dict[str, Any] | None

    def as_dict(self) -> dict[str, Any]:
        return {"field": self.field, "before": self.before, "after": self.after}


@dataclass(frozen=True)
class ServiceChange:
    service_id: str
    name: str
    fields: tuple[FieldChange, ...]

    def as_dict(self) -> dict[str, Any]:
        return {"service": self.service_id, "name": self.name, "changes": [f.as_dict() for f in self.fields]}


@dataclass
class CatalogDiff:
    old_version: str
    new_version: str
    added: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    changed: list[ServiceChange] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return {
            "old_version": self.old_version,
            "new_version": self.new_version,
            "added": self.added,
            "removed": self.removed,
            "changed": [c.as_dict() for c in self.changed],
        }


def compare_facts(
    before: dict[str, dict[str, Any]], after: dict[str, dict[str, Any]], fields: tuple[str, ...] = FIELDS
) -> list[FieldChange]:
    """The fields (of ``fields``) whose value differs; sources alone do not count."""
    out = []
    for name in fields:
        b, a = before.get(name), after.get(name)
        if ((b or {}).get("value") != (a or {}).get("value") and not (b is None or a is None)) or (
            (b is None) != (a is None) and name != "safety_level" and (b or a or {}).get("value")
        ):
            out.append(FieldChange(name, b, a))
    return out


def diff_catalogs(
    old: Catalog, new: Catalog, level: LevelOf | None = None, fields: tuple[str, ...] = FIELDS
) -> CatalogDiff:
    """Services added, removed, and changed in any of ``fields`` between ``old`` and ``new``."""
    diff = CatalogDiff(old.meta.version, new.meta.version)
    diff.added = sorted(set(new.services) - set(old.services))
    diff.removed = sorted(set(old.services) - set(new.services))
    for sid in sorted(set(old.services) & set(new.services)):
        changes = compare_facts(service_facts(old, sid, level), service_facts(new, sid, level), fields)
        if changes:
            diff.changed.append(ServiceChange(sid, new.services[sid].name, tuple(changes)))
    return diff
