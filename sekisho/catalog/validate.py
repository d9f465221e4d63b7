"""Cross-entry checks: references resolve, domains are not claimed twice, dates are sane.

Schema errors come from :mod:`sekisho.catalog.loader`; this module adds what one file alone cannot
tell. Every finding names ``file:line``.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from sekisho.catalog.loader import Catalog, Finding, YamlDoc, load_catalog, read_yaml
from sekisho.errors import CatalogError, Location

EARLIEST_AS_OF = dt.date(1990, 1, 1)


def validate(root: Path | None = None, today: dt.date | None = None) -> tuple[Catalog, list[Finding]]:
    """Load and check a catalog directory; returns the catalog and every finding, sorted."""
    catalog, findings = load_catalog(root)
    findings.sort(key=_order)
    # Cross-entry findings come after the file's own errors (which may be their cause).
    later = (
        check_references(catalog)
        + check_domains(catalog)
        + check_dates(catalog, today or dt.date.today())
        + check_known(catalog)
    )
    return catalog, findings + sorted(later, key=_order)


def _order(f: Finding) -> tuple[str, int, str]:
    return (str(f.location.path), f.location.line, f.message)


def _where(cat: Catalog, kind: str, entry_id: str, *keys: str | int) -> Location:
    doc = cat.doc(kind, entry_id)
    return doc.where(*keys) if doc else Location(cat.root / kind / f"{entry_id}.yaml")


def check_references(cat: Catalog) -> list[Finding]:
    out: list[Finding] = []
    for sid, svc in cat.services.items():
        if svc.operator.value not in cat.operators:
            out.append(
                Finding(
                    _where(cat, "services", sid, "operator", "value"),
                    f"unknown operator {svc.operator.value!r}",
                )
            )
        for i, soft in enumerate(svc.software):
            if soft not in cat.software:
                out.append(Finding(_where(cat, "services", sid, "software", i), f"unknown software {soft!r}"))
        for i, alt in enumerate(svc.alternatives):
            if alt.service is None and alt.name is None:
                out.append(
                    Finding(
                        _where(cat, "services", sid, "alternatives", i),
                        "alternative needs a catalog 'service' id or a 'name'",
                    )
                )
            elif alt.service is not None and alt.service not in cat.services:
                out.append(
                    Finding(
                        _where(cat, "services", sid, "alternatives", i, "service"),
                        f"unknown alternative service {alt.service!r}",
                    )
                )
            elif alt.service == sid:
                out.append(
                    Finding(
                        _where(cat, "services", sid, "alternatives", i, "service"),
                        "a service cannot be its own alternative",
                    )
                )
    for oid, op in cat.operators.items():
        if op.parent and op.parent.value is not None and op.parent.value not in cat.operators:
            out.append(
                Finding(
                    _where(cat, "operators", oid, "parent", "value"),
                    f"unknown parent operator {op.parent.value!r}",
                )
            )
        for i, law in enumerate(op.laws):
            if law.value not in cat.laws:
                out.append(
                    Finding(_where(cat, "operators", oid, "laws", i, "value"), f"unknown law {law.value!r}")
                )
        chain = _parent_cycle(cat, oid)
        if chain:
            out.append(
                Finding(_where(cat, "operators", oid, "parent"), "ownership cycle: " + " → ".join(chain))
            )
    for swid, sw in cat.software.items():
        if sw.operator.value not in cat.operators:
            out.append(
                Finding(
                    _where(cat, "software", swid, "operator", "value"),
                    f"unknown operator {sw.operator.value!r}",
                )
            )
        for i, s in enumerate(sw.services):
            if s not in cat.services:
                out.append(Finding(_where(cat, "software", swid, "services", i), f"unknown service {s!r}"))
    for i, change in enumerate(cat.changelog):
        kind, _, eid = change.entry.partition("/")
        if kind not in ("services", "operators", "laws", "software", "rules", "catalog") or (
            kind in ("services", "operators", "laws", "software")
            and eid not in cat.entries(kind)
            and "removed" not in change.change.lower()
        ):
            out.append(
                Finding(
                    _where(cat, "changelog", "CHANGELOG", i, "entry"),
                    f"changelog names unknown entry {change.entry!r}",
                    "warning",
                )
            )
    return out


def _parent_cycle(cat: Catalog, start: str) -> list[str]:
    seen: list[str] = []
    current: str | None = start
    while current is not None and current in cat.operators:
        if current in seen:
            return seen[seen.index(current) :] + [current] if current == start else []
        seen.append(current)
        parent = cat.operators[current].parent
        current = parent.value if parent else None
    return []


def check_domains(cat: Catalog) -> list[Finding]:
    """A domain or host name may belong to one service only."""
    out: list[Finding] = []
    owner: dict[str, str] = {}
    for sid, svc in sorted(cat.services.items()):
        lists = [("domains", svc.domains)] + ([("hostnames", svc.hostnames)] if svc.hostnames else [])
        for field_name, fact in lists:
            for i, name in enumerate(fact.value):
                if name in owner and owner[name] != sid:
                    out.append(
                        Finding(
                            _where(cat, "services", sid, field_name, "value", i),
                            f"domain {name!r} is also claimed by service {owner[name]!r}",
                        )
                    )
                elif name in owner:
                    out.append(
                        Finding(
                            _where(cat, "services", sid, field_name, "value", i),
                            f"domain {name!r} listed twice",
                            "warning",
                        )
                    )
                else:
                    owner[name] = sid
    return out


def check_known(cat: Catalog) -> list[Finding]:
    """The known tier: each owner mapping names an operator of the catalog and a list that exists.
    A name both a researched and a known service hold is no finding: the researched one wins."""
    out: list[Finding] = []
    known = cat.known
    for path, problem in known.owner_problems:
        out.append(Finding(Location(path), problem))
    if not known.owners:
        return out
    keys = {sid.split(":", 1)[1] for sid in known.services} | set(known.services)
    for path in sorted((cat.root / "known").glob("*-owners-*.yaml")):
        doc = _owner_doc(path)
        if doc is None or not isinstance(doc.data, dict):
            continue
        for key, op in doc.data.items():
            if isinstance(op, str) and op not in cat.operators:
                out.append(Finding(doc.where(key), f"unknown operator {op!r} for known list {key!r}"))
            if str(key) not in keys:
                out.append(Finding(doc.where(key), f"no known list {key!r} (see known/*.json.gz)", "warning"))
    return out


def _owner_doc(path: Path) -> YamlDoc | None:
    try:
        return read_yaml(path)
    except CatalogError:
        return None  # reported by the known set's own reading


def _facts_with_keys(
    obj: object, keys: tuple[str | int, ...] = ()
) -> list[tuple[tuple[str | int, ...], object]]:
    """Every object carrying ``as_of`` inside an entry, with its key path."""
    from pydantic import BaseModel

    found: list[tuple[tuple[str | int, ...], object]] = []
    if isinstance(obj, BaseModel):
        if hasattr(obj, "as_of"):
            found.append((keys, obj))
        for name in type(obj).model_fields:
            found += _facts_with_keys(getattr(obj, name), keys + (name,))
    elif isinstance(obj, dict):
        for k, v in obj.items():
            found += _facts_with_keys(v, keys + (str(k),))
    elif isinstance(obj, list):
        for i, v in enumerate(obj):
            found += _facts_with_keys(v, keys + (i,))
    return found


def check_dates(cat: Catalog, today: dt.date) -> list[Finding]:
    out: list[Finding] = []
    for kind in ("services", "operators", "laws", "software"):
        for eid, entry in cat.entries(kind).items():
            for keys, fact in _facts_with_keys(entry):
                as_of: dt.date = getattr(fact, "as_of")  # noqa: B009 - found by having it
                if as_of > today:
                    out.append(
                        Finding(_where(cat, kind, eid, *keys, "as_of"), f"as_of {as_of} is in the future")
                    )
                elif as_of < EARLIEST_AS_OF:
                    out.append(
                        Finding(_where(cat, kind, eid, *keys, "as_of"), f"as_of {as_of} is implausibly old")
                    )
    return out


__all__ = ["check_dates", "check_domains", "check_known", "check_references", "validate"]
