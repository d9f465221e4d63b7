"""The detections as Sigma: parsed and validated by pySigma, converted by its SQLite backend, and
the converted queries run over the same sign-ins fire where sekisho's own rules do."""

from __future__ import annotations

import datetime as dt
import sqlite3

from sigma.backends.sqlite import sqliteBackend  # type: ignore[attr-defined]
from sigma.collection import SigmaCollection
from sigma.validation import SigmaValidator
from sigma.validators.core import validators

from sekisho.audit import load_params, run_audit
from sekisho.audit.rules import RULES
from sekisho.audit.sigma import NOT_EXPRESSIBLE, to_yaml
from sekisho.ingest.logins.base import LoginEvent
from sekisho.match.ipinfo import IpKnowledge
from tests.audit.helpers import ev, geoip, ip_in


def _collection(params: dict[str, object]) -> SigmaCollection:
    c = SigmaCollection.from_yaml(to_yaml(params))
    c.resolve_rule_references()
    return c


def test_valid_sigma_with_the_parameters_in_force() -> None:
    params = load_params(
        {"foreign_access": {"allowed_countries": ["JP"]}, "spray_then_success": {"min_users": 7}}
    )
    c = _collection(params)
    assert len(c.rules) == 6
    assert not [r.errors for r in c.rules if r.errors]
    assert list(SigmaValidator(validators.values()).validate_rules(iter(c.rules))) == []  # type: ignore[arg-type]
    y = to_yaml(params)
    assert "gte: 7" in y and "timespan: 60m" in y
    # every detection is exported or says why it cannot be
    exported = {"spray-then-success", "many-accounts-one-ip", "foreign-access"}
    assert set(RULES) == exported | set(NOT_EXPRESSIBLE)


def _sqlite(events: list[LoginEvent], k: IpKnowledge) -> sqlite3.Connection:
    con = sqlite3.connect(":memory:")
    con.execute(
        "CREATE TABLE logs (timestamp TEXT, user TEXT, src_ip TEXT, outcome TEXT, interactive INTEGER, src_country TEXT)"
    )
    con.executemany(
        "INSERT INTO logs VALUES (?, ?, ?, ?, ?, ?)",
        [
            (e.ts.astimezone(dt.UTC).strftime("%Y-%m-%d %H:%M:%S"), e.user, e.src_ip, e.outcome, int(e.interactive), k.lookup(e.src_ip).country)
            for e in events
        ],
    )  # fmt: skip
    return con


def test_converted_queries_fire_where_sekisho_does(tmp_path) -> None:  # type: ignore[no-untyped-def]
    k = geoip(tmp_path)
    atk = ip_in("RU", 3)
    events = [ev(f"v{i}", atk, i, ok=False) for i in range(5)] + [ev("v2", atk, 20)]
    events += [ev("x", ip_in("JP"), 100), ev("x", ip_in("CN"), 4000)]
    params = load_params({"foreign_access": {"allowed_countries": ["JP"]}})
    ours = run_audit(lambda: events, params, k)
    mine = {(a.rule, a.ips[0] if a.rule == "spray-then-success" else a.user) for a in ours.alerts}
    assert ("spray-then-success", atk) in mine and ("foreign-access", "x") in mine

    con = _sqlite(events, k)
    queries = sqliteBackend().convert(_collection(params))  # type: ignore[no-untyped-call]
    fired: dict[str, list[tuple[object, ...]]] = {}
    for q in queries:
        rows = con.execute(q).fetchall()
        kind = (
            "temporal_ordered"
            if "'temporal_ordered'" in q
            else ("value_count" if "'value_count'" in q else "rule")
        )
        fired.setdefault(kind, []).extend(rows)
    assert any(atk in str(r) for r in fired["temporal_ordered"])  # spray, then a success
    foreign = sorted(a.user or "" for a in ours.alerts if a.rule == "foreign-access")
    assert foreign == ["v2", "x"] and sorted(str(r[1]) for r in fired["rule"]) == foreign
    # many accounts: 1 success from the attacker's address is under the threshold
    assert fired.get("value_count", []) == []


def test_cli_audit_sigma(tmp_path) -> None:  # type: ignore[no-untyped-def]
    from typer.testing import CliRunner

    from sekisho.cli.main import app

    out = tmp_path / "sekisho.yml"
    r = CliRunner().invoke(app, ["audit-sigma", "--allow-country", "JP", "-o", str(out)])
    assert r.exit_code == 0, r.output
    assert "not exported: impossible-travel" in r.output
    c = SigmaCollection.from_yaml(out.read_text())
    assert len(c.rules) == 6
