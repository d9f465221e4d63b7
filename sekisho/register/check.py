"""Run the register checks and turn their hits into findings (``stage="register"``).

``check_register`` is the library call behind ``sekisho register check``: load, validate, run
every rule of :data:`RULES` with its parameters from ``sekisho/data/register_rules.yaml``, and,
with a store, record the register's version (history) and save the findings.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING, Any

import yaml

from sekisho.errors import ConfigError, Location
from sekisho.i18n import text
from sekisho.model.findings import SEVERITY_ORDER, Evidence, Finding
from sekisho.register.load import Problem, load_register
from sekisho.register.model import Register
from sekisho.register.rules import RULES, Context, Hit, Rule

if TYPE_CHECKING:
    from sekisho.catalog.loader import Catalog
    from sekisho.store import Store

STAGE = "register"


@dataclass
class RegisterCheck:
    """What a check found: the register, its problems, the findings, and what did not run."""

    register: Register
    problems: list[Problem]
    findings: list[Finding] = field(default_factory=list)
    skipped: dict[str, str] = field(default_factory=dict)  # rule id -> why it did not run
    version: int | None = None  # the register's version in the store
    new_version: bool = False

    @property
    def errors(self) -> list[Problem]:
        return [p for p in self.problems if p.severity == "error"]


def load_rule_params(path: Path | None = None) -> dict[str, dict[str, Any]]:
    """Each rule's parameters (severity, thresholds) by rule id."""
    if path is None:
        source = resources.files("sekisho") / "data" / "register_rules.yaml"
        where: Path | str = "sekisho/data/register_rules.yaml"
        raw = source.read_text(encoding="utf-8")
    else:
        where, raw = path, Path(path).read_text(encoding="utf-8")
    data = yaml.safe_load(raw) or {}
    if not isinstance(data, dict):
        raise ConfigError("a register rules file maps rule ids to their parameters", Location(where))
    unknown = sorted(set(data) - set(RULES))
    if unknown:
        raise ConfigError(
            f"unknown rule id(s) {', '.join(unknown)} (rules: {', '.join(RULES)})", Location(where)
        )
    out: dict[str, dict[str, Any]] = {}
    for rule_id, values in data.items():
        values = values or {}
        cls = RULES[rule_id]
        if not isinstance(values, dict):
            raise ConfigError(f"{rule_id}: a mapping of parameters", Location(where))
        for key, value in values.items():
            if key == "severity":
                if value not in SEVERITY_ORDER:
                    raise ConfigError(
                        f"{rule_id}.severity: {value!r} is not one of {', '.join(SEVERITY_ORDER)}",
                        Location(where),
                    )
            elif key not in cls.parameters:
                known = ", ".join(["severity", *cls.parameters])
                raise ConfigError(
                    f"{rule_id}: unknown parameter {key!r} (parameters: {known})", Location(where)
                )
            elif not isinstance(value, cls.parameters[key]) or isinstance(value, bool):
                raise ConfigError(f"{rule_id}.{key}: {value!r} is not a whole number", Location(where))
        out[rule_id] = dict(values)
    return out


def run_rules(
    ctx: Context, params: dict[str, dict[str, Any]] | None = None, now: dt.datetime | None = None
) -> tuple[list[Finding], dict[str, str]]:
    params = load_rule_params() if params is None else params
    now = now or dt.datetime.now()
    findings: list[Finding] = []
    skipped: dict[str, str] = {}
    for rule_id, cls in RULES.items():
        rule: Rule = cls(params.get(rule_id))
        if cls.needs_store and ctx.sightings is None:
            skipped[rule_id] = "no store (--db) to compare with"
            continue
        if cls.needs_catalog and ctx.catalog is None:
            skipped[rule_id] = "no catalog"
            continue
        severity = rule.params.get("severity", cls.severity)
        for hit in rule.check(ctx):
            findings.append(_finding(ctx.register, rule_id, severity, hit, now))
    return findings, skipped


def _finding(reg: Register, rule_id: str, severity: Any, hit: Hit, now: dt.datetime) -> Finding:
    params = {**hit.params, "chain": " → ".join(hit.chain)}
    evidence = []
    if hit.party is not None:
        where = reg.location(hit.party)
        evidence.append(
            Evidence(
                file=str(where.path),
                line=where.line or None,
                values=reg.parties[hit.party].model_dump(mode="json", exclude_none=True),
            )
        )
    return Finding(
        stage=STAGE,
        kind=rule_id,
        subject=hit.subject,
        severity=severity,
        title=text(f"register.rule.{rule_id}", "en", **params),
        title_ja=text(f"register.rule.{rule_id}", "ja", **params),
        detail={"party": hit.subject, "chain": hit.chain, **_plain(hit.detail)},
        evidence=evidence,
        sources=hit.sources,
        first_seen=hit.first_seen or now,
        last_seen=hit.last_seen or now,
    )


def _plain(value: Any) -> Any:
    """Dates and times as ISO text, so ``detail`` is JSON as it is."""
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    if isinstance(value, dt.date):
        return value.isoformat()
    return value


def check_register(
    path: Path,
    catalog: Catalog | None = None,
    store: Store | None = None,
    today: dt.date | None = None,
    params: dict[str, dict[str, Any]] | None = None,
    save: bool = True,
) -> RegisterCheck:
    """Load and check the register in ``path``; with a store, compare it with the observations,
    record its version and save the findings. A register with errors is not checked."""
    from sekisho.store.findings import save_findings
    from sekisho.store.register import observation_span, save_register_version, service_sightings

    reg, problems = load_register(path, catalog)
    result = RegisterCheck(reg, problems)
    if result.errors:
        return result
    ctx = Context(reg, catalog, today or dt.date.today())
    if store is not None:
        ctx.sightings = service_sightings(
            store, int((params or {}).get("shadow-vendor", {}).get("max_clients", 20))
        )
        ctx.span = observation_span(store)
    result.findings, result.skipped = run_rules(ctx, params)
    if store is not None and save:
        rows = [(pid, reg.location(pid).line, p.model_dump(mode="json")) for pid, p in reg.parties.items()]
        result.version, result.new_version = save_register_version(store, str(path), reg.sha256, rows)
        with store.transaction():
            save_findings(store, result.findings, run_id=result.version)
    return result


def stored_register(store: Store) -> tuple[dict[str, Any], Register] | None:
    """The newest register version in the store, rebuilt (its row, the register)."""
    from sekisho.register.model import Party
    from sekisho.store.register import latest_register

    latest = latest_register(store)
    if latest is None:
        return None
    reg = Register(path=Path(latest["path"]), sha256=latest["sha256"])
    for pid, line, data in latest["rows"]:
        reg.parties[pid] = Party.model_validate(data)
        reg.where[pid] = Location(latest["path"], line or 0)
    return latest, reg


def findings_json(findings: list[Finding]) -> dict[str, Any]:
    """The shape ``sekisho register check --json`` prints."""
    return {
        "findings": [
            {
                "kind": f.kind,
                "party": f.subject,
                "chain": f.detail.get("chain", []),
                "severity": f.severity,
                "title": f.title,
                "title_ja": f.title_ja,
                "detail": {k: v for k, v in f.detail.items() if k not in ("chain", "party")},
                "evidence": [e.model_dump(mode="json", exclude_none=True) for e in f.evidence],
                "sources": [s.model_dump(mode="json", exclude_none=True) for s in f.sources],
            }
            for f in findings
        ]
    }


__all__ = [
    "STAGE",
    "RegisterCheck",
    "check_register",
    "findings_json",
    "load_rule_params",
    "run_rules",
    "stored_register",
]
