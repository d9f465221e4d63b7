"""The register checks: issue 16's acceptance register, and each rule's negative case."""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import pytest

from sekisho.catalog.loader import Catalog
from sekisho.register import RULES, check_register, findings_json
from tests.register.conftest import TODAY, acceptance_parties, write_csv, write_yaml

CHAIN = ["city", "proc-jp", "sub-jp", "sub-cn"]


def kinds(path: Path, catalog: Catalog) -> set[tuple[str, str]]:
    result = check_register(path, catalog, today=TODAY)
    assert result.errors == []
    return {(f.kind, f.subject) for f in result.findings}


def edited(**changes: dict[str, Any]) -> list[dict[str, Any]]:
    parties = copy.deepcopy(acceptance_parties())
    for p in parties:
        p.update(changes.get(p["id"], {}))
    return parties


@pytest.mark.parametrize("writer", [write_yaml, write_csv], ids=["yaml", "csv"])
def test_acceptance_register_gives_exactly_the_listed_findings(
    tmp_path: Path, catalog: Catalog, writer: Any
) -> None:
    path = writer(tmp_path / f"register.{'csv' if writer is write_csv else 'yaml'}", acceptance_parties())
    result = check_register(path, catalog, today=TODAY)
    assert result.problems == []
    got = sorted((f.kind, f.subject) for f in result.findings)
    assert got == [
        ("state-access-law", "sub-cn"),
        ("transfer-without-basis", "sub-cn"),
        ("unapproved-subprocessor", "sub-cn"),
    ]
    out = findings_json(result.findings)["findings"]
    assert all(f["chain"] == CHAIN and f["party"] == "sub-cn" for f in out)
    law = next(f for f in out if f["kind"] == "state-access-law")
    ids = {x["id"] for x in law["detail"]["laws"]}
    assert "cn-national-intelligence-law" in ids and all(x["country"] == "CN" for x in law["detail"]["laws"])
    assert any(s["source"].startswith("https://") for s in law["sources"])
    tw = next(f for f in out if f["kind"] == "transfer-without-basis")
    assert tw["detail"]["from_country"] == "JP" and tw["detail"]["to_country"] == "CN"
    assert "city → proc-jp → sub-jp → sub-cn" in tw["title"]
    assert tw["evidence"][0]["file"] == str(path) and tw["evidence"][0]["line"] > 1
    # the store and log rules did not run without a store, and say so
    assert set(result.skipped) == {"shadow-vendor", "never-seen"}


def test_every_rule_is_registered_with_its_id() -> None:
    assert list(RULES) == [
        "transfer-without-basis",
        "unapproved-subprocessor",
        "state-access-law",
        "shadow-vendor",
        "never-seen",
        "review-overdue",
    ]
    assert all(cls.id == rid for rid, cls in RULES.items())


def test_transfer_with_a_basis_or_within_a_country_is_no_finding(tmp_path: Path, catalog: Catalog) -> None:
    with_consent = edited(**{"sub-cn": {"transfer_basis": "consent"}})
    assert ("transfer-without-basis", "sub-cn") not in kinds(
        write_yaml(tmp_path / "a.yaml", with_consent), catalog
    )
    # a missing basis counts as none abroad, but a basis 'none' inside Japan moves nothing abroad
    missing = edited(**{"sub-cn": {"transfer_basis": None}}, **{"sub-jp": {"transfer_basis": "none"}})
    got = kinds(write_yaml(tmp_path / "b.yaml", missing), catalog)
    assert ("transfer-without-basis", "sub-cn") in got
    assert ("transfer-without-basis", "sub-jp") not in got


def test_approved_subprocessors_and_unapproved_processors(tmp_path: Path, catalog: Catalog) -> None:
    approved = edited(**{"sub-cn": {"approved_by_controller": True}})
    assert not any(
        k == "unapproved-subprocessor" for k, _ in kinds(write_yaml(tmp_path / "a.yaml", approved), catalog)
    )
    # the approval is asked of sub-processors at any depth; a processor is the controller's own contract
    deeper = edited(
        **{"sub-jp": {"approved_by_controller": False}, "proc-jp": {"approved_by_controller": False}}
    )
    got = kinds(write_yaml(tmp_path / "b.yaml", deeper), catalog)
    assert {s for k, s in got if k == "unapproved-subprocessor"} == {"sub-jp", "sub-cn"}


def test_state_access_law_needs_the_catalog_to_say_so(tmp_path: Path, catalog: Catalog) -> None:
    # a Japanese party whose catalog operator (Cybozu) no such law reaches
    jp = edited(**{"sub-cn": {"country": "JP", "catalog_operator": "cybozu-inc"}})
    assert not any(k == "state-access-law" for k, _ in kinds(write_yaml(tmp_path / "a.yaml", jp), catalog))


def test_state_access_law_through_a_parent_of_the_catalog_operator(tmp_path: Path, catalog: Catalog) -> None:
    # registered in Singapore; its parent ByteDance Ltd. has its head office in China
    sg = edited(
        **{"sub-cn": {"country": "SG", "catalog_operator": "bytedance-pte-ltd", "transfer_basis": "contract"}}
    )
    result = check_register(write_yaml(tmp_path / "a.yaml", sg), catalog, today=TODAY)
    law = next(f for f in result.findings if f.kind == "state-access-law")
    assert law.detail["ownership_chain"] == ["bytedance-pte-ltd", "bytedance-ltd"]
    vias = {(x["id"], x["via"], x["entity"]) for x in law.detail["laws"]}
    assert ("cn-national-intelligence-law", "parent headquarters", "bytedance-ltd") in vias
    assert law.detail["chain"] == CHAIN


def test_review_overdue_and_its_negative(tmp_path: Path, catalog: Catalog) -> None:
    parties = edited(**{"proc-jp": {"review_date": "2026-06-30"}, "sub-jp": {"review_date": None}})
    result = check_register(write_yaml(tmp_path / "a.yaml", parties), catalog, today=TODAY)
    overdue = {f.subject: f for f in result.findings if f.kind == "review-overdue"}
    assert set(overdue) == {"proc-jp", "sub-jp"}  # due in the past; no date at all
    assert overdue["proc-jp"].detail["days_overdue"] == 154
    assert overdue["sub-jp"].detail["days_overdue"] is None
    assert overdue["sub-jp"].detail["chain"] == ["city", "proc-jp", "sub-jp"]
    # the acceptance register's dates lie ahead: none (see the acceptance test), nor on the due day
    due_today = edited(**{"proc-jp": {"review_date": TODAY.isoformat()}})
    assert not any(
        k == "review-overdue" for k, _ in kinds(write_yaml(tmp_path / "b.yaml", due_today), catalog)
    )


def test_rule_parameters_change_severity(tmp_path: Path, catalog: Catalog) -> None:
    path = write_yaml(tmp_path / "a.yaml", acceptance_parties())
    result = check_register(
        path, catalog, today=TODAY, params={"unapproved-subprocessor": {"severity": "critical"}}
    )
    assert {f.kind: f.severity for f in result.findings}["unapproved-subprocessor"] == "critical"


@pytest.mark.parametrize(
    ("text", "error"),
    [
        ("never-seen:\n  dayz: 30\n", "never-seen: unknown parameter 'dayz' (parameters: severity, days)"),
        ("review-overdue:\n  severity: urgent\n", "review-overdue.severity: 'urgent' is not one of"),
        ("shadow-vendor:\n  max_clients: many\n", "shadow-vendor.max_clients: 'many' is not a whole number"),
        ("no-such-rule: {}\n", "unknown rule id(s) no-such-rule"),
    ],
)
def test_a_rules_file_mistake_is_refused_with_its_file(tmp_path: Path, text: str, error: str) -> None:
    from sekisho.errors import ConfigError
    from sekisho.register import load_rule_params

    path = tmp_path / "rules.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ConfigError) as e:
        load_rule_params(path)
    assert str(e.value).startswith(f"{path}: {error}")


def test_the_bundled_rules_file_is_valid() -> None:
    from sekisho.register import load_rule_params

    params = load_rule_params()
    assert params["never-seen"]["days"] == 90 and set(params) == set(RULES)
