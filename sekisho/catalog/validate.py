"""Cross-entry checks: references resolve, domains are not claimed twice, dates are sane.

Schema errors come from :mod:`sekisho.catalog.loader`; this module adds what one file alone cannot
tell. Every finding names ``file:line``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from pathlib import Path

from sekisho.catalog.loader import Catalog, Finding, Severity, YamlDoc, load_catalog, read_yaml
from sekisho.errors import CatalogError, Location
from sekisho.model.facts import Claim

EARLIEST_AS_OF = dt.date(1990, 1, 1)


def validate(
    root: Path | None = None,
    today: dt.date | None = None,
    require_source_kind: bool = False,
    source_kinds: bool = True,
) -> tuple[Catalog, list[Finding]]:
    """Load and check a catalog directory; returns the catalog and every finding, sorted.
    ``require_source_kind`` makes a missing ``source_kind`` (or ``as_of`` equal to ``read_on``
    without ``undated: true``) an error per fact instead of one warning per entry; ``source_kinds``
    False leaves those checks and the Japanese-text check out (opening a catalog for use: they can
    only warn then)."""
    catalog, findings = load_catalog(root)
    findings.sort(key=_order)
    # Cross-entry findings come after the file's own errors (which may be their cause).
    later = (
        check_references(catalog)
        + check_domains(catalog)
        + check_dates(catalog, today or dt.date.today())
        + check_known(catalog)
        + (check_source_kinds(catalog, require_source_kind) if source_kinds or require_source_kind else [])
        + (check_japanese(catalog) if source_kinds else [])
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
        if (
            kind not in ("services", "operators", "laws", "software", "rules", "catalog", "known")
            or (
                kind in ("services", "operators", "laws", "software")
                and eid not in cat.entries(kind)
                and "removed" not in change.change.lower()
            )
            or (  # the known tier is a directory: known/NAME is known/NAME.yaml or an imported NAME.json.gz
                kind == "known"
                and not any((cat.root / "known" / f"{eid}{ext}").is_file() for ext in (".yaml", ".json.gz"))
                and "removed" not in change.change.lower()
            )
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


KIND_RANK = {"secondary": 0, "press": 1, "primary": 2}


def source_hosts(cat: Catalog) -> tuple[dict[str, str], list[Finding]]:
    """``source_hosts.yaml``: host → kind (primary, press, secondary)."""
    path = cat.root / "source_hosts.yaml"
    if not path.exists():
        return {}, []
    try:
        doc = read_yaml(path)
    except CatalogError as e:
        return {}, [Finding(e.source or Location(path), e.message)]
    out: dict[str, str] = {}
    bad: list[Finding] = []
    for host, kind in (doc.data or {}).items() if isinstance(doc.data, dict) else []:
        if kind not in KIND_RANK:
            bad.append(Finding(doc.where(host), f"{host}: kind must be primary, press or secondary"))
        else:
            out[str(host).lower()] = str(kind)
    return out, bad


def _host(source: str) -> str:
    from urllib.parse import urlsplit

    return (urlsplit(source).hostname or "").lower().removeprefix("www.")


def _under(host: str, names: Iterable[str]) -> str | None:
    labels = host.split(".")
    candidates = {".".join(labels[i:]) for i in range(len(labels))}
    return next((n for n in names if n in candidates), None)


def host_kind(host: str, hosts: dict[str, str]) -> str | None:
    labels = host.split(".")
    for i in range(len(labels)):
        kind = hosts.get(".".join(labels[i:]))
        if kind:
            return kind
    return None


def operator_domains(cat: Catalog) -> dict[str, set[str]]:
    """operator id → the domains of every service it (or a subsidiary) operates."""
    out: dict[str, set[str]] = {}
    for svc in cat.services.values():
        names = set(svc.domains.value) | set(svc.hostnames.value if svc.hostnames else [])
        for op in cat.operator_chain(svc.operator.value):
            out.setdefault(op.id, set()).update(names)
    return out


def own_domains(cat: Catalog, kind: str, entry_id: str, by_op: dict[str, set[str]]) -> set[str]:
    """The domains of the operator(s) an entry is about: an operator's (and its subsidiaries')
    services, or for a service or software, those of every operator in its chain."""
    if kind == "operators":
        return by_op.get(entry_id, set())
    if kind in ("services", "software"):
        entry = cat.services[entry_id] if kind == "services" else cat.software[entry_id]
        return set().union(*(by_op.get(op.id, set()) for op in cat.operator_chain(entry.operator.value)))
    return set()


def check_source_kinds(cat: Catalog, require: bool = False) -> list[Finding]:
    """Every fact, incident and claim names its source's kind; the kind is not stronger than the
    host list allows (a host on the operator's own domains is primary); ``as_of`` is the source's
    own date, not the day it was read (unless ``undated: true`` says the source has none)."""
    hosts, out = source_hosts(cat)
    severity: Severity = "error" if require else "warning"
    by_op = operator_domains(cat)
    for kind in ("services", "operators", "laws", "software"):
        for eid, entry in cat.entries(kind).items():
            own = own_domains(cat, kind, eid, by_op)
            missing: list[tuple[str | int, ...]] = []
            same_day: list[tuple[str | int, ...]] = []
            total = 0
            for keys, fact in _facts_with_keys(entry):
                source = getattr(fact, "source", None)
                if not isinstance(source, str) or not hasattr(fact, "source_kind"):
                    continue
                total += 1
                declared = getattr(fact, "source_kind")  # noqa: B009
                if declared is None:
                    missing.append(keys)
                host = _host(source)
                listed = "primary" if host and _under(host, own) else host_kind(host, hosts)
                if declared and listed and KIND_RANK[declared] > KIND_RANK[listed]:
                    out.append(
                        Finding(
                            _where(cat, kind, eid, *keys, "source_kind"),
                            f"source_kind {declared!r}, but {host} is {listed!r} in source_hosts.yaml",
                            severity,
                        )
                    )
                read_on = getattr(fact, "read_on", None)
                if read_on is not None and read_on == getattr(fact, "as_of") and not getattr(fact, "undated"):  # noqa: B009
                    same_day.append(keys)
            for keys_list, what in (
                (missing, "without source_kind (primary, press or secondary)"),
                (
                    same_day,
                    "with as_of equal to read_on (as_of is the source's own date; "
                    "say undated: true if it has none)",
                ),
            ):
                if not keys_list:
                    continue
                if require:
                    out += [Finding(_where(cat, kind, eid, *k), f"fact {what}") for k in keys_list]
                else:
                    out.append(
                        Finding(
                            _where(cat, kind, eid, *keys_list[0]),
                            f"{len(keys_list)} of {total} facts {what}; first here",
                            severity,
                        )
                    )
    return out


_Gap = tuple[tuple[str | int, ...], str]  # key path of the English text, what is missing


def check_japanese(cat: Catalog) -> list[Finding]:
    """The Japanese report and dashboard show every text in Japanese, falling back to the English:
    a service's ``name_ja``, ``description_ja`` (when it has a description) and each incident's
    ``value_ja``; a law's ``name_ja`` and ``summary_ja``; a software's ``name_ja``; every claim's
    ``statement_ja`` (services, operators, laws, software). One warning per entry, at its first
    gap, naming the incidents by date and counting the claims."""
    out: list[Finding] = []
    entries: list[tuple[str, str, list[_Gap]]] = []
    for sid, svc in cat.services.items():
        gaps: list[_Gap] = []
        if not svc.name_ja:
            gaps.append((("name",), "name_ja"))
        if svc.description and not svc.description_ja:
            gaps.append((("description",), "description_ja"))
        missing = [(i, inc.date) for i, inc in enumerate(svc.incidents) if not inc.value_ja]
        if missing:
            dates = ", ".join(str(d) for _, d in missing)
            gaps.append((("incidents", missing[0][0]), f"value_ja of the incident(s) of {dates}"))
        entries.append(("services", sid, gaps))
    for lid, law in cat.laws.items():
        gaps = [(("name",), "name_ja")] if not law.name_ja else []
        if not law.summary_ja:
            gaps.append((("summary",), "summary_ja"))
        entries.append(("laws", lid, gaps))
    for swid, sw in cat.software.items():
        entries.append(("software", swid, [] if sw.name_ja else [(("name",), "name_ja")]))
    entries += [("operators", oid, []) for oid in cat.operators]
    for kind, eid, found in entries:
        found += _claim_gaps(getattr(cat, kind)[eid].claims)
        if found:
            out.append(
                Finding(
                    _where(cat, kind, eid, *found[0][0]),
                    "no Japanese text: "
                    + "; ".join(what for _, what in found)
                    + " (the Japanese report shows the English)",
                    "warning",
                )
            )
    return out


def _claim_gaps(claims: list[Claim]) -> list[_Gap]:
    missing = [i for i, c in enumerate(claims) if not c.statement_ja]
    if not missing:
        return []
    return [
        (("claims", missing[0], "statement"), f"statement_ja of {len(missing)} of {len(claims)} claim(s)")
    ]


def source_kind_counts(cat: Catalog) -> dict[str, int]:
    """How many facts, incidents and claims rest on each kind of source (``unknown``: not said)."""
    counts = {"primary": 0, "press": 0, "secondary": 0, "unknown": 0}
    for kind in ("services", "operators", "laws", "software"):
        for entry in cat.entries(kind).values():
            for _keys, fact in _facts_with_keys(entry):
                if hasattr(fact, "source_kind") and isinstance(getattr(fact, "source", None), str):
                    counts[getattr(fact, "source_kind") or "unknown"] += 1  # noqa: B009
    return counts


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


__all__ = [
    "check_dates",
    "check_domains",
    "check_japanese",
    "check_known",
    "check_references",
    "check_source_kinds",
    "source_kind_counts",
    "validate",
]
