"""Alert rules: a YAML file (``sekisho/data/alert_rules.yaml`` holds the defaults) naming rules by
``type``; each type is a small class in :data:`RULE_TYPES` that judges one batch.

An organisation's file (``sekisho watch --rules FILE``) changes a default rule by its ``id`` (only
the fields it names), switches one off (``enabled: false``), adds rules of its own, and lists its
``sinks`` (replacing the default stdout)::

    defaults: {dedup_window: 12h}
    rules:
      - {id: first-use, max_level: 2}
      - {id: spike, enabled: false}
      - {id: block-ai, type: blocked_use, policy: acme-policy.yaml, severity: critical}
    sinks:
      - {type: webhook, url: "https://chat.example.org/hooks/sekisho"}
"""

from __future__ import annotations

import datetime as dt
import ipaddress
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any, ClassVar, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from sekisho.catalog import Catalog
from sekisho.catalog.diff import FIELDS
from sekisho.catalog.loader import read_yaml
from sekisho.errors import CatalogError, ConfigError, Location
from sekisho.policy import Blocklist, Plan
from sekisho.store import Store
from sekisho.store import watch as wstore
from sekisho.watch.alerts import Candidate

Severity = Literal["info", "low", "medium", "high", "critical"]
DURATION = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*([smhdw]?)\s*$")
UNITS = {"": 1, "s": 1, "m": 60, "h": 3600, "d": 86400, "w": 604800}


def seconds(value: str | float | int) -> float:
    """``90``, ``"90s"``, ``"30m"``, ``"24h"``, ``"7d"`` → seconds."""
    if isinstance(value, (int, float)):
        return float(value)
    m = DURATION.match(str(value))
    if not m:
        raise ValueError(f"{value!r} is not a duration (e.g. 90s, 30m, 24h, 7d)")
    return float(m.group(1)) * UNITS[m.group(2)]


def bundled_rules_path() -> Path:
    return Path(str(resources.files("sekisho") / "data" / "alert_rules.yaml"))


# --- what a rule sees -------------------------------------------------------------------------
@dataclass
class ServiceInfo:
    id: str
    name: str
    safety_level: int
    level_text: str = ""
    level_facts: list[dict[str, Any]] = field(default_factory=list)


@dataclass
class BatchContext:
    """One batch as the rules see it; the queries run on first use and are kept."""

    store: Store
    catalog: Catalog
    services: Mapping[str, ServiceInfo]
    plans: dict[str, Plan]
    _memo: dict[str, Any] = field(default_factory=dict)

    def _get(self, key: str, make: Callable[[], Any]) -> Any:
        if key not in self._memo:
            self._memo[key] = make()
        return self._memo[key]

    @property
    def service_clients(self) -> list[dict[str, Any]]:
        rows: list[dict[str, Any]] = self._get("sc", lambda: wstore.batch_service_clients(self.store))
        return rows

    @property
    def unknown_domains(self) -> list[dict[str, Any]]:
        rows: list[dict[str, Any]] = self._get("ud", lambda: wstore.batch_unknown_domains(self.store))
        return rows

    def service_days(self, baseline_days: int) -> list[dict[str, Any]]:
        rows: list[dict[str, Any]] = self._get(
            f"sd{baseline_days}", lambda: wstore.batch_service_days(self.store, baseline_days)
        )
        return rows

    @property
    def name_clients(self) -> list[dict[str, Any]]:
        rows: list[dict[str, Any]] = self._get("nc", lambda: wstore.name_clients(self.store))
        return rows


def _service(ctx: BatchContext, sid: str) -> dict[str, Any]:
    info = ctx.services.get(sid)
    if info is None:
        return {"id": sid}
    return {"id": sid, "name": info.name, "safety_level": info.safety_level}


def _label(ctx: BatchContext, sid: str) -> str:
    info = ctx.services.get(sid)
    return f"{info.name} ({sid})" if info else sid


def _ts(v: Any) -> str | None:
    return v.isoformat(sep=" ") if isinstance(v, dt.datetime) else None


# --- rule types -------------------------------------------------------------------------------
class AlertRule(BaseModel):
    """Fields every rule has."""

    model_config = ConfigDict(defer_build=True, extra="forbid", frozen=True)

    id: str = Field(pattern=r"^[a-z0-9][a-z0-9-]*$")
    type: str
    severity: Severity = "medium"
    enabled: bool = True
    dedup_window: float | None = Field(default=None, description="seconds; default: defaults.dedup_window")
    description: str | None = None

    batch: ClassVar[bool] = True  # judges batches of log lines (not catalog changes)

    @field_validator("dedup_window", mode="before")
    @classmethod
    def _window(cls, v: Any) -> Any:
        return None if v is None else seconds(v)

    def evaluate(self, ctx: BatchContext) -> list[Candidate]:
        raise NotImplementedError

    def candidate(self, **kw: Any) -> Candidate:
        return Candidate(rule=self.id, kind=self.type, severity=self.severity, **kw)


class FirstUse(AlertRule):
    """The first use (in this store) of a service rated at ``max_level`` or below."""

    type: Literal["first_use"] = "first_use"
    max_level: int = Field(default=1, ge=0, le=4)

    def evaluate(self, ctx: BatchContext) -> list[Candidate]:
        per: dict[str, list[dict[str, Any]]] = {}
        for r in ctx.service_clients:
            sid = r["service_id"]
            info = ctx.services.get(sid)
            if r["service_seen"] or info is None or info.safety_level > self.max_level:
                continue
            per.setdefault(sid, []).append(r)
        out = []
        for sid, rows in per.items():
            info = ctx.services[sid]
            clients = sorted({r["client"] for r in rows})
            out.append(
                self.candidate(
                    subject=sid,
                    service_id=sid,
                    title=f"First use of {_label(ctx, sid)}, safety level {info.safety_level}, "
                    f"by {len(clients)} client(s)",
                    details={
                        "service": _service(ctx, sid),
                        "clients": clients[:50],
                        "queries": sum(int(r["queries"]) for r in rows),
                        "names": sorted({n for r in rows for n in r["names"]})[:20],
                        "why": info.level_text,
                        "facts": info.level_facts,
                    },
                    event_first=min(r["first_seen"] for r in rows),
                    event_last=max(r["last_seen"] for r in rows),
                )
            )
        return out


class NewClient(AlertRule):
    """A client reaching a service rated at ``max_level`` or below that it never reached before
    (the service itself was in use already; its first use is ``first_use``'s)."""

    type: Literal["new_client"] = "new_client"
    max_level: int = Field(default=1, ge=0, le=4)

    def evaluate(self, ctx: BatchContext) -> list[Candidate]:
        out = []
        for r in ctx.service_clients:
            sid = r["service_id"]
            info = ctx.services.get(sid)
            if (
                not r["service_seen"]
                or r["client_seen"]
                or info is None
                or info.safety_level > self.max_level
            ):
                continue
            out.append(
                self.candidate(
                    subject=sid,
                    service_id=sid,
                    client=r["client"],
                    title=f"New client {r['client']} for {_label(ctx, sid)}, safety level {info.safety_level}",
                    details={
                        "service": _service(ctx, sid),
                        "queries": int(r["queries"]),
                        "names": list(r["names"])[:20],
                        "why": info.level_text,
                        "facts": info.level_facts,
                    },
                    event_first=r["first_seen"],
                    event_last=r["last_seen"],
                )
            )
        return out


class BlockedUse(AlertRule):
    """Any query for a name the policy blocks: the block is leaking (or not deployed). One alert
    per service (or blocked domain) and client."""

    type: Literal["blocked_use"] = "blocked_use"
    policy: str = "level0"

    def evaluate(self, ctx: BatchContext) -> list[Candidate]:
        plan = ctx.plans[self.policy]
        groups = [
            ([ipaddress.ip_network(a, strict=False) for a in g.group.addresses], g.blocklist)
            for g in plan.groups
        ]
        lists: dict[str, Blocklist] = {}
        verdicts: dict[tuple[int, str], tuple[bool, str | None]] = {}
        found: dict[tuple[str, str], Candidate] = {}
        for r in ctx.name_clients:
            client = r["client"]
            bl = lists.get(client)
            if bl is None:
                bl = lists[client] = _blocklist_for(client, plan.default, groups)
            key = (id(bl), r["name"])
            verdict = verdicts.get(key)
            if verdict is None:
                verdict = verdicts[key] = bl.verdict(r["name"])
            blocked, entry = verdict
            if not blocked:
                continue
            sid = r["service_id"]
            subject = sid or entry or r["name"]
            c = found.get((subject, client))
            if c is None:
                c = found[(subject, client)] = self.candidate(
                    subject=subject,
                    service_id=sid,
                    client=client,
                    title=(
                        f"Blocked service reached: {_label(ctx, sid)} by {client} (policy {plan.policy.label})"
                        if sid
                        else f"Blocked domain reached: {entry} by {client} (policy {plan.policy.label})"
                    ),
                    details={
                        **({"service": _service(ctx, sid)} if sid else {}),
                        "policy": plan.policy.label,
                        "audience": bl.audience,
                        "blocked_entry": entry,
                        "names": [],
                        "queries": 0,
                        "reasons": _reasons(plan, sid, entry),
                    },
                    event_first=r["first_seen"],
                    event_last=r["last_seen"],
                )
            else:
                c.event_first = min(c.event_first or r["first_seen"], r["first_seen"])
                c.event_last = max(c.event_last or r["last_seen"], r["last_seen"])
            c.details["queries"] += int(r["queries"])
            if r["name"] not in c.details["names"] and len(c.details["names"]) < 20:
                c.details["names"].append(r["name"])
        return list(found.values())


def _blocklist_for(client: str, default: Blocklist, groups: list[tuple[list[Any], Blocklist]]) -> Blocklist:
    if groups:
        try:
            ip = ipaddress.ip_address(client)
        except ValueError:
            return default
        for nets, bl in groups:
            if any(ip in n for n in nets):
                return bl
    return default


def _reasons(plan: Plan, sid: str | None, entry: str | None) -> list[dict[str, Any]]:
    result = plan.result
    if result is None:
        return []
    reasons = []
    if sid and sid in result.decisions:
        reasons = list(result.decisions[sid].reasons)
    else:
        reasons = [n.reason for n in result.names if n.name == entry]
    return [
        {
            "rule": r.rule,
            "text": r.text,
            "facts": [
                {
                    "text": f.text,
                    "source": f.source,
                    "as_of": f.as_of.isoformat() if f.as_of else None,
                    **({"claim": True} if f.claim else {}),
                }
                for f in r.facts
            ],
        }
        for r in reasons
    ]


class UnknownDestination(AlertRule):
    """A registrable domain that is in no catalog entry, when its queries in the store first reach
    ``min_queries`` (or its clients ``min_clients``, if set)."""

    type: Literal["unknown_destination"] = "unknown_destination"
    min_queries: int = Field(default=50, ge=1)
    ignore_suffixes: list[str] = Field(
        default_factory=lambda: ["arpa", "local", "localdomain", "lan", "home", "internal", "localhost"]
    )

    def evaluate(self, ctx: BatchContext) -> list[Candidate]:
        out = []
        for r in ctx.unknown_domains:
            domain = str(r["domain"])
            if "." not in domain or _ignored(domain, self.ignore_suffixes) or _is_address(domain):
                continue
            before, after = int(r["queries_before"]), int(r["queries_before"]) + int(r["queries"])
            if not before < self.min_queries <= after:
                continue
            out.append(
                self.candidate(
                    subject=domain,
                    title=f"Unknown destination {domain}: {after} queries (not in the catalog)",
                    details={
                        "domain": domain,
                        "queries": after,
                        "threshold": self.min_queries,
                        "clients": list(r["client_list"])[:50],
                        "names": list(r["names"])[:20],
                    },
                    event_first=r["first_seen"],
                    event_last=r["last_seen"],
                )
            )
        return out


def _ignored(domain: str, suffixes: list[str]) -> bool:
    return any(domain == s or domain.endswith("." + s) for s in suffixes)


def _is_address(name: str) -> bool:
    try:
        ipaddress.ip_address(name.strip("[]"))
        return True
    except ValueError:
        return False


class Spike(AlertRule):
    """A service's queries on one day passing ``factor`` times its mean daily queries over the
    ``baseline_days`` before (with at least ``min_baseline_days`` days of data, and at least
    ``min_queries`` queries that day). One alert per service and day."""

    type: Literal["spike"] = "spike"
    factor: float = Field(default=5.0, gt=1)
    baseline_days: int = Field(default=7, ge=1, le=90)
    min_baseline_days: int = Field(default=3, ge=1)
    min_queries: int = Field(default=100, ge=1)

    def evaluate(self, ctx: BatchContext) -> list[Candidate]:
        out = []
        for r in ctx.service_days(self.baseline_days):
            if int(r["baseline_days"]) < self.min_baseline_days:
                continue
            mean = int(r["baseline_queries"]) / self.baseline_days
            limit = max(self.min_queries, self.factor * mean)
            before, after = int(r["queries_before"]), int(r["queries_before"]) + int(r["queries"])
            if not before < limit <= after:
                continue
            sid, day = r["service_id"], r["day"]
            out.append(
                self.candidate(
                    subject=f"{sid}@{day}",
                    service_id=sid,
                    title=f"Spike: {_label(ctx, sid)} {after} queries on {day} against a baseline of "
                    f"{mean:.1f}/day",
                    details={
                        "service": _service(ctx, sid),
                        "day": str(day),
                        "queries": after,
                        "baseline_mean": round(mean, 2),
                        "baseline_days": self.baseline_days,
                        "factor": self.factor,
                    },
                    event_first=r["first_seen"],
                    event_last=r["last_seen"],
                )
            )
        return out


class CatalogChange(AlertRule):
    """A service in use changed operator, owner, country, jurisdiction or safety level in a newer
    catalog (see :mod:`sekisho.watch.catalog_watch`)."""

    type: Literal["catalog_change"] = "catalog_change"
    fields: list[str] = Field(default_factory=lambda: list(FIELDS))
    batch: ClassVar[bool] = False

    @field_validator("fields")
    @classmethod
    def _known(cls, v: list[str]) -> list[str]:
        for f in v:
            if f not in FIELDS:
                raise ValueError(f"unknown field {f!r}; known: {', '.join(FIELDS)}")
        return v

    def evaluate(self, ctx: BatchContext) -> list[Candidate]:
        return []


RULE_TYPES: dict[str, type[AlertRule]] = {
    "first_use": FirstUse,
    "blocked_use": BlockedUse,
    "new_client": NewClient,
    "unknown_destination": UnknownDestination,
    "spike": Spike,
    "catalog_change": CatalogChange,
}


# --- the rules file ---------------------------------------------------------------------------
@dataclass
class AlertRules:
    rules: list[AlertRule]
    dedup_window: float = 86400.0
    sinks: list[dict[str, Any]] = field(default_factory=list)
    sources: list[str] = field(default_factory=list)

    @property
    def enabled(self) -> list[AlertRule]:
        return [r for r in self.rules if r.enabled]

    def windows(self) -> dict[str, float]:
        return {r.id: r.dedup_window if r.dedup_window is not None else self.dedup_window for r in self.rules}

    def with_policy(self, policy: str) -> AlertRules:
        """Every ``blocked_use`` rule judging by ``policy`` (``--policy`` on the command line)."""
        rules = [
            r.model_copy(update={"policy": policy}) if isinstance(r, BlockedUse) else r for r in self.rules
        ]
        return AlertRules(rules, self.dedup_window, self.sinks, self.sources)


def _read(path: Path) -> tuple[dict[str, Any], Any]:
    try:
        doc = read_yaml(path)
    except CatalogError as e:
        raise ConfigError(e.message, e.source) from None
    data = doc.data or {}
    if not isinstance(data, dict):
        raise ConfigError("expected a mapping with rules:, sinks:, defaults:", Location(path, 1))
    unknown = set(data) - {"version", "defaults", "rules", "sinks"}
    if unknown:
        key = sorted(unknown)[0]
        raise ConfigError(f"unknown key {key!r} (known: version, defaults, rules, sinks)", doc.where(key))
    return data, doc


def _build(item: dict[str, Any], doc: Any, i: int) -> AlertRule:
    kind = item.get("type")
    cls = RULE_TYPES.get(str(kind))
    if cls is None:
        raise ConfigError(
            f"rule {item.get('id', i + 1)!r}: unknown type {kind!r}; known: {', '.join(RULE_TYPES)}",
            doc.where("rules", i, "type"),
        )
    try:
        return cls.model_validate(item)
    except ValidationError as e:
        err = e.errors()[0]
        loc = [p for p in err["loc"] if isinstance(p, (str, int))]
        what = ".".join(str(p) for p in loc)
        msg = str(err["msg"]).removeprefix("Value error, ")
        raise ConfigError(
            f"rule {item.get('id', i + 1)!r}: {what + ': ' if what else ''}{msg}", doc.where("rules", i, *loc)
        ) from None


def load_alert_rules(path: Path | None = None) -> AlertRules:
    """The bundled rules, with the organisation's file (if any) applied on top."""
    base, base_doc = _read(bundled_rules_path())
    items: list[dict[str, Any]] = [dict(r) for r in base.get("rules") or []]
    docs: list[tuple[Any, int]] = [(base_doc, i) for i in range(len(items))]
    window = seconds((base.get("defaults") or {}).get("dedup_window", "24h"))
    sinks = list(base.get("sinks") or [])
    sources = [str(bundled_rules_path())]
    if path is not None:
        org, doc = _read(Path(path))
        sources.append(str(path))
        if "dedup_window" in (org.get("defaults") or {}):
            try:
                window = seconds(org["defaults"]["dedup_window"])
            except ValueError as e:
                raise ConfigError(str(e), doc.where("defaults", "dedup_window")) from None
        if not isinstance(org.get("rules") or [], list):
            raise ConfigError("rules: expected a list", doc.where("rules"))
        for i, item in enumerate(org.get("rules") or []):
            if not isinstance(item, dict) or "id" not in item:
                raise ConfigError("each rule needs an id", doc.where("rules", i))
            at = next((j for j, r in enumerate(items) if r.get("id") == item["id"]), None)
            if at is None:
                items.append(dict(item))
                docs.append((doc, i))
            else:
                items[at] = {**items[at], **item}
                docs[at] = (doc, i)
        if "sinks" in org:
            sinks = list(org.get("sinks") or [])
    rules = [_build(item, d, i) for item, (d, i) in zip(items, docs, strict=True)]
    ids = [r.id for r in rules]
    dup = next((x for x in ids if ids.count(x) > 1), None)
    if dup:
        raise ConfigError(f"two rules have the id {dup!r}")
    return AlertRules(rules, window, sinks, sources)
