"""List formats, parsed back and compared with the policy's decisions.

Which formats block a name's subdomains and which can let an allowed name under a blocked one
through is part of each test's expectation:

- hosts, domains: exact names only — www.alpha-ime.example is NOT blocked by alpha-ime.example;
- adguard (checked by Brave's adblock-rust engine), chrome: subdomains and exceptions;
- mikrotik, opensnitch: subdomains, no exceptions — the allowed ok.alpha-ime.example stays blocked,
  and the export says so.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from ruamel.yaml import YAML

from sekisho.export import export
from sekisho.export.targets.adguard import rules
from sekisho.policy import Plan, plan_for
from tests.conftest import need
from tests.export.conftest import BLOCKED_FOR_ALL, GENERATED, POLICY, UPSTREAM

# Blocked by the policy, but only under a blocked name: formats of exact names miss them.
ONLY_AS_SUBDOMAIN = {"www.alpha-ime.example", "x.blocked-parent.example"}
# Allowed by the policy under a blocked name: formats without exceptions block them anyway.
EXCEPTIONS = {"ok.alpha-ime.example", "deep.ok.alpha-ime.example"}


@pytest.fixture()
def plain_plan(catalog: Path, tmp_path: Path) -> Plan:
    """The test policy without its client group."""
    path = tmp_path / "no-groups.yaml"
    path.write_text(POLICY.split("groups:")[0])
    return plan_for(path, catalog, today=GENERATED.date())


def body(plan: Plan, fmt: str, comment: str = "#") -> list[str]:
    text = export(plan, fmt, GENERATED).data.decode("utf-8")
    return [line for line in text.splitlines() if line and not line.startswith(comment)]


def check(blocks: object, expected_blocked: set[str]) -> None:
    for name in UPSTREAM:
        assert blocks(name) == (name in expected_blocked), name  # type: ignore[operator]


def test_hosts_blocks_exact_names_only(plan: Plan) -> None:
    lines = body(plan, "hosts")
    v4 = {line.split()[1] for line in lines if line.startswith("0.0.0.0 ")}
    v6 = {line.split()[1] for line in lines if line.startswith(":: ")}
    assert v4 == v6 and len(lines) == 2 * len(v4)
    assert v4 == set(plan.default.exact)
    check(lambda n: n in v4, BLOCKED_FOR_ALL - ONLY_AS_SUBDOMAIN)  # hosts cannot block subdomains
    assert "blocked-parent.example" in v4 and "alpha-dict.s3.amazonaws.com" in v4
    assert "ok.alpha-ime.example" not in v4
    assert b"NOTE: this format blocks only the exact names listed" in export(plan, "hosts", GENERATED).data


def test_domains_list_is_every_blocked_name(plan: Plan) -> None:
    names = set(body(plan, "domains"))
    assert names == {
        "alpha-ime.example",
        "api.alpha-cloud.example",
        "alpha-dict.s3.amazonaws.com",
        "blocked-parent.example",
    }
    check(lambda n: n in names, BLOCKED_FOR_ALL - ONLY_AS_SUBDOMAIN)


def test_adguard_rules_in_a_real_filter_engine(plain_plan: Plan) -> None:
    try:
        import adblock
    except ImportError:
        adblock = None
    need(adblock is not None, "the adblock package (Brave's adblock-rust; pip install -e '.[dev]')")
    filters = adblock.FilterSet()
    filters.add_filter_list("\n".join(body(plain_plan, "adguard", "!")))
    engine = adblock.Engine(filters)

    def blocks(name: str) -> bool:
        url = f"https://{name}/"
        return bool(engine.check_network_urls(url, url, "document").matched)

    check(blocks, BLOCKED_FOR_ALL)  # subdomains blocked, the exception let through


def test_adguard_client_groups_use_client_modifiers(plan: Plan) -> None:
    assert sorted(body(plan, "adguard", "!")) == sorted(
        [
            "||alpha-dict.s3.amazonaws.com^$client=~127.0.0.2/32",
            "||alpha-ime.example^$client=~127.0.0.2/32",
            "||api.alpha-cloud.example^$client=~127.0.0.2/32",
            "||beta-cdn.example^$client=127.0.0.2/32",
            "||blocked-parent.example^",
            "||chat.example.net^$client=127.0.0.2/32",
            "@@||ok.alpha-ime.example^$client=~127.0.0.2/32",
        ]
    )


def test_adguardhome_settings_carry_the_rules_and_the_groups(plan: Plan) -> None:
    data = YAML(typ="safe").load(export(plan, "adguardhome", GENERATED).data.decode("utf-8"))
    assert data["user_rules"] == rules(plan)
    assert data["clients"]["persistent"] == [
        {
            "name": "sekisho-research",
            "ids": ["127.0.0.2/32"],
            "use_global_settings": True,
            "filtering_enabled": True,
            "use_global_blocked_services": True,
        }
    ]


def chrome_blocks(policy: dict[str, list[str]], name: str) -> bool:
    """Chrome's URLBlocklist/URLAllowlist host matching (chromium.org 'URL Blocklist filter format'):
    a host without a leading dot matches itself and its subdomains; the longest host match wins and
    an allowlist filter wins a tie."""
    matches = []  # (host length, is an allowlist filter)
    for allow, key in ((False, "URLBlocklist"), (True, "URLAllowlist")):
        for host in policy.get(key, []):
            h = host.lstrip(".")
            if name == h or (not host.startswith(".") and name.endswith("." + h)):
                matches.append((len(h), allow))
    return bool(matches) and not max(matches)[1]


def test_chrome_policy(plan: Plan) -> None:
    data = json.loads(export(plan, "chrome", GENERATED).data)
    assert data == {"URLBlocklist": list(plan.default.blocked), "URLAllowlist": ["ok.alpha-ime.example"]}
    check(lambda n: chrome_blocks(data, n), BLOCKED_FOR_ALL)


def test_mikrotik_script_blocks_subdomains_without_exceptions(plan: Plan) -> None:
    lines = body(plan, "mikrotik")
    assert lines[:2] == ["/ip dns static", 'remove [find where comment="sekisho"]']
    names = set()
    for line in lines[2:]:
        m = re.fullmatch(r'add name=(\S+) type=NXDOMAIN match-subdomain=yes comment="sekisho"', line)
        assert m, line
        names.add(m.group(1))
    assert names == set(plan.default.blocked)
    check(lambda n: any(n == d or n.endswith("." + d) for d in names), BLOCKED_FOR_ALL | EXCEPTIONS)
    warnings = export(plan, "mikrotik", GENERATED).warnings
    assert any("this format has no exceptions" in w for w in warnings)


def test_opensnitch_regexps(plan: Plan) -> None:
    patterns = [re.compile(line) for line in body(plan, "opensnitch")]
    check(lambda n: any(p.search(n) for p in patterns), BLOCKED_FOR_ALL | EXCEPTIONS)
    assert not any(p.search("notalpha-ime.example") for p in patterns)  # the dot is escaped, anchored
