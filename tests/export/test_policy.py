"""Policies: presets, an organisation's file, client groups, and the reasons every decision carries."""

from __future__ import annotations

from pathlib import Path

import pytest

from sekisho.api import assessor_for
from sekisho.catalog import Catalog, open_catalog
from sekisho.errors import ConfigError, NotFoundError
from sekisho.policy import PUBLISHED_LIST, build_plan, load_policy, plan_for, why
from tests.conftest import DATA
from tests.export.conftest import GENERATED

CATALOG_OK = DATA / "catalog_ok"


def decisions(spec: str | Path, catalog: Path = CATALOG_OK, group: str | None = None) -> dict[str, object]:
    plan = plan_for(spec, catalog, group=group, today=GENERATED.date())
    assert plan.result is not None
    return plan.result.decisions  # type: ignore[return-value]


def test_level0_blocks_level_0_with_its_facts() -> None:
    d = decisions("level0")
    assert d["alpha-ime"].action == "block" and d["beta-chat"].action == "allow"
    reason = d["alpha-ime"].reasons[0]
    assert reason.rule == "preset level0"
    assert "safety level 0" in reason.text
    assert any(f.source == "https://example.org/xa-law" for f in reason.facts)  # the secret-cooperation law
    assert not d["beta-chat"].explicit and d["beta-chat"].reasons[0].rule == "default"


def test_intel_law_follows_the_ownership_chain() -> None:
    d = decisions("intel-law:CN")
    assert d["alpha-ime"].action == "block" and d["beta-chat"].action == "allow"
    reason = d["alpha-ime"].reasons[0]
    assert reason.rule == "preset intel-law:CN"
    # alpha-ime's operator is in SG; its parent's head office is in CN: that fact is the reason
    assert "Alpha Holdings Ltd. (headquarters CN)" in reason.text
    sources = {f.source for f in reason.facts}
    assert {"https://example.org/alpha/filing", "https://example.org/xa-law"} <= sources


def test_intel_law_errors() -> None:
    with pytest.raises(NotFoundError, match="no law of JP that compels secret cooperation"):
        decisions("intel-law:JP")
    with pytest.raises(ConfigError, match="needs a country code"):
        decisions("intel-law:china")
    with pytest.raises(NotFoundError, match="unknown preset"):
        decisions("level9")


def test_assessment_preset_blocks_the_full_catalog_lists_and_says_what_the_catalog_found() -> None:
    assessor = assessor_for()
    plan = build_plan(load_policy("assessment"), assessor)
    assert plan.result is not None
    blocked = {d.service_id: d for d in plan.result.blocked()}
    assert set(blocked) == set(PUBLISHED_LIST) & set(assessor.catalog.services)
    for sid, d in blocked.items():
        svc = assessor.catalog.services[sid]
        assert set(d.names) == set(svc.domains.value + (svc.hostnames.value if svc.hostnames else []))
        reason = d.reasons[0]
        assert reason.text.startswith("the published list") and PUBLISHED_LIST[sid] in reason.text
        assert "Catalog: operated by" in reason.text and "catalog safety level" in reason.text
        operator = assessor.catalog.operator_chain(svc.operator.value)[0]
        assert operator.name in reason.text
        assert any(f.source == svc.operator.source for f in reason.facts)
    # more names than the published list's single registrable domain
    assert len(blocked["tiktok"].names) > 1 and "of which it missed" in blocked["tiktok"].reasons[0].text


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "org.yaml"
    path.write_text(text)
    return path


def test_policy_file_rules_apply_in_order_with_exceptions(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        """\
presets: [level0]
rules:
  - deny: {category: [ime, messaging]}
    except: {service: beta-chat}
    why: no cloud IMEs
  - allow: {operator: alpha-holdings}
    why: contract signed
  - warn: {service: beta-chat}
""",
    )
    d = decisions(path)
    alpha = d["alpha-ime"]
    assert alpha.action == "allow"  # the later rule overrides the preset and the deny
    assert alpha.reasons[0].rule == "org.yaml:6 allow operator=alpha-holdings"
    assert alpha.reasons[0].text == "contract signed"
    # operator matched through the chain: alpha-sg is controlled by alpha-holdings, with the source
    assert any(
        f.text.startswith("Alpha Pte. Ltd.: controlled by: alpha-holdings")
        and f.source == "https://example.org/alpha/filing"
        for f in alpha.reasons[0].facts
    )
    assert [r.rule for r in alpha.overridden] == [
        "preset level0",
        "org.yaml:3 deny category=ime,messaging except service=beta-chat",
    ]
    assert d["beta-chat"].action == "warn"


def test_a_name_allowed_under_a_blocked_one_is_an_exception(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "presets: [level0]\nrules:\n  - allow: {domain: status.alpha-ime.example}\n"
        "  - deny: {domain: evil.example}\n",
    )
    plan = plan_for(path, CATALOG_OK)
    bl = plan.default
    assert bl.holes == ("status.alpha-ime.example",)
    assert "evil.example" in bl.blocked
    assert bl.blocks("a.alpha-ime.example") and not bl.blocks("x.status.alpha-ime.example")
    answer = why("x.status.alpha-ime.example", plan, plan_catalog())
    assert not answer.blocked and answer.entry == "status.alpha-ime.example"
    assert answer.name_rules[0].reason.rule == "org.yaml:3 allow domain=status.alpha-ime.example"


def plan_catalog() -> Catalog:
    return open_catalog(CATALOG_OK)


def test_why_names_service_rule_and_fact() -> None:
    plan = plan_for("level0", CATALOG_OK)
    answer = why("Eu.API.alpha-cloud.example.", plan, plan_catalog())
    assert answer.blocked and answer.entry == "api.alpha-cloud.example"
    assert answer.service == "alpha-ime" and answer.matched_on == "api.alpha-cloud.example"
    assert [d.service_id for d in answer.decisions] == ["alpha-ime"]
    assert answer.decisions[0].reasons[0].rule == "preset level0"
    unknown = why("www.example.org", plan, plan_catalog())
    assert not unknown.blocked and unknown.entry is None and unknown.service is None


def test_subdomains_under_a_blocked_parent_are_collapsed(tmp_path: Path) -> None:
    path = write(tmp_path, "presets: [level0]\nrules:\n  - deny: {domain: cdn.alpha-ime.example}\n")
    bl = plan_for(path, CATALOG_OK).default
    assert "cdn.alpha-ime.example" in bl.exact and "cdn.alpha-ime.example" not in bl.blocked
    assert "alpha-ime.example" in bl.blocked


def test_client_group_rules_apply_on_top(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        """\
presets: [level0]
groups:
  - name: research
    addresses: [10.20.0.0/16, "2001:db8:20::/48"]
    rules:
      - allow: {service: alpha-ime}
""",
    )
    plan = plan_for(path, CATALOG_OK)
    assert plan.default.services == ("alpha-ime",)
    [group] = plan.groups
    assert group.group.addresses == ("10.20.0.0/16", "2001:db8:20::/48")
    assert group.blocklist.services == () and "client group research" in group.blocklist.audience
    assert decisions(path, group="research")["alpha-ime"].action == "allow"
    with pytest.raises(NotFoundError, match="no client group 'sales'"):
        decisions(path, group="sales")


@pytest.mark.parametrize(
    ("text", "message", "line"),
    [
        ("rules:\n  - deny: {service: nosuch}\n", "unknown id 'nosuch'", 2),
        ("rules:\n  - deny: {category: games}\n", "unknown category 'games'", 2),
        ("rules:\n  - deny: {colour: red}\n", "unknown selector 'colour'", 2),
        ("rules:\n  - deny: {service: beta-chat}\n    allow: {service: alpha-ime}\n", "exactly one of", 2),
        ("name: x\nrulez: []\n", "unknown key 'rulez'", 2),
        ("rules:\n  - deny: {domain: a.example, service: beta-chat}\n", "domain selector stands alone", 2),
        (
            "groups:\n  - name: a\n    addresses: [10.0.0.0/8]\n  - name: b\n    addresses: [10.1.0.0/16]\n",
            "groups a and b overlap",
            0,
        ),
        ("groups:\n  - name: a\n    addresses: [10.0.0.300]\n", "not an address or range", 3),
        ("rules: [\n", "invalid YAML", 0),
    ],
)
def test_policy_file_errors_say_where(tmp_path: Path, text: str, message: str, line: int) -> None:
    path = write(tmp_path, text)
    with pytest.raises((ConfigError, NotFoundError), match=message) as info:
        decisions(path)
    if line:
        assert str(info.value.source).endswith(f"org.yaml:{line}")
