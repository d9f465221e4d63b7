"""Export injection (issue 10, item 2): a hostile name in a policy file or the catalog is refused
where it is read, with file:line; a name that reaches a plan another way is refused by every
target; hostile policy names reach headers only as plain text; real programs prove the result."""

from __future__ import annotations

import dataclasses
import shutil
import subprocess
from pathlib import Path

import pytest

from sekisho.catalog import open_catalog
from sekisho.errors import CatalogError, ConfigError
from sekisho.export import TARGETS, export
from sekisho.export.base import plain
from sekisho.model.names import check_name
from sekisho.policy import plan_for
from sekisho.policy.load import read_policy_file
from tests.conftest import DATA, need_program
from tests.export.conftest import GENERATED
from tests.export.test_unbound import unbound_conf

HOSTILE_DOMAINS = {
    "newline": 'evil.example\nlocal-data: "bank.example A 203.0.113.66"',
    "quote": 'evil.example" always_null\n    local-data: "bank.example A 203.0.113.66',
    "semicolon": "evil.example; drop",
    "backslash": "evil\\.example",
    "space": "evil example.com",
    "slash": "evil.example/#\naddress=/bank.example/203.0.113.66",
    "nul": "evil\x00.example",
    "line separator": "evil\u2028.example",
    "bidi override": "evil\u202e.example",
    "script": '"};alert(1);//.example',
    "caret": "evil.example^$client=10.0.0.0/8",
    "ip address": "192.0.2.1",
    "empty label": "evil..example",
    "long label": "x" * 64 + ".example",
    "bad a-label": "xn--zz.example",
    "leading hyphen": "-evil.example",
}


def policy(tmp_path: Path, body: str) -> Path:
    path = tmp_path / "hostile.yaml"
    path.write_text(body, encoding="utf-8")
    return path


@pytest.mark.parametrize("kind", sorted(HOSTILE_DOMAINS))
def test_a_hostile_domain_refuses_the_policy_with_file_and_line(tmp_path: Path, kind: str) -> None:
    import json

    value = json.dumps(HOSTILE_DOMAINS[kind])  # a YAML double-quoted scalar carries any character
    path = policy(
        tmp_path, f"name: x\nrules:\n  - allow: {{domain: ok.example}}\n  - deny:\n      domain: {value}\n"
    )
    with pytest.raises(ConfigError) as err:
        read_policy_file(path)
    assert str(err.value).startswith(f"{path}:5: domain "), str(err.value)
    assert "is not a valid name" in str(err.value)


def test_the_line_is_that_of_the_bad_item_in_a_list(tmp_path: Path) -> None:
    path = policy(tmp_path, 'rules:\n  - deny:\n      domain:\n        - a.example\n        - "b.example;"\n')
    with pytest.raises(ConfigError, match=r"hostile\.yaml:5: domain 'b\.example;'"):
        read_policy_file(path)


def test_a_policy_name_with_a_control_character_is_refused(tmp_path: Path) -> None:
    path = policy(tmp_path, 'presets: [level0]\nname: "x\\nserver:\\n  local-data: bank"\n')
    with pytest.raises(
        ConfigError, match=r"hostile\.yaml:2: policy name contains the control character U\+000A"
    ):
        read_policy_file(path)


def test_international_names_become_a_labels(tmp_path: Path, catalog: Path) -> None:
    path = policy(tmp_path, "rules:\n  - deny: {domain: Bücher.Example.}\n  - deny: {domain: 例え.jp}\n")
    plan = plan_for(path, catalog, today=GENERATED.date())
    assert {"xn--bcher-kva.example", "xn--r8jz45g.jp"} <= set(plan.default.blocked)
    text = export(plan, "unbound", GENERATED).data.decode()
    assert 'local-zone: "xn--bcher-kva.example." always_null' in text
    assert text.isascii() or "ü" not in text.split("server:", 1)[1]


def test_cdn_style_names_and_underscores_are_accepted() -> None:
    assert check_name("r3---sn-abc.googlevideo.com") == "r3---sn-abc.googlevideo.com"
    assert check_name("_dmarc.Example.com.") == "_dmarc.example.com"


def test_a_hostile_catalog_domain_is_refused(tmp_path: Path) -> None:
    root = tmp_path / "catalog"
    shutil.copytree(DATA / "catalog_ok", root)
    svc = root / "services" / "alpha-ime.yaml"
    svc.write_text(
        svc.read_text().replace("[alpha-ime.example,", '["alpha-ime.example\\"\\nlocal-data: x",'),
        encoding="utf-8",
    )
    with pytest.raises(CatalogError) as err:
        open_catalog(root)
    assert "alpha-ime.yaml" in str(err.value) and "is not a domain name" in str(err.value)


@pytest.mark.parametrize("target", sorted(TARGETS))
@pytest.mark.parametrize("kind", ["newline", "quote", "semicolon", "script", "bidi override"])
def test_every_target_refuses_a_name_that_bypassed_the_policy_reader(plan, target: str, kind: str) -> None:
    """Defence in depth: the plan is altered after loading, as a future bug or a library caller could."""
    bad = HOSTILE_DOMAINS[kind]
    hostile = dataclasses.replace(
        plan, default=dataclasses.replace(plan.default, blocked=(*plan.default.blocked, bad), exact=(bad,))
    )
    with pytest.raises(ConfigError, match="export refused: name"):
        export(hostile, target, GENERATED)


@pytest.mark.parametrize("target", sorted(TARGETS))
def test_every_target_refuses_a_line_outside_its_grammar(plan, target: str, monkeypatch) -> None:
    """The second wall: even if a target's code wrote a line it should not, nothing is returned."""
    cls = TARGETS[target]
    real = cls.body
    monkeypatch.setattr(
        cls, "body", lambda self, p, g: [*real(self, p, g), 'local-data: "bank.example A 1.2.3.4"']
    )
    with pytest.raises(ConfigError, match=f"export refused: {target} line"):
        export(plan, target, GENERATED)


def test_the_grammars_accept_every_real_export(plan) -> None:
    """The grammars are not so strict that a valid plan (groups, exceptions, ranges) fails."""
    for target in TARGETS:
        assert export(plan, target, GENERATED).entries > 0 or target == "nftables"


HOSTILE_NAMES = [
    'acme" local-data: "bank.example A 203.0.113.66',
    "acme\\",
    "acme */ alert(1); /*",
    "アクメ; drop table",
    "acme`id`'",
]


@pytest.mark.parametrize("name", HOSTILE_NAMES)
def test_a_hostile_policy_name_reaches_headers_as_plain_text(
    tmp_path: Path, catalog: Path, name: str
) -> None:
    import json

    path = policy(tmp_path, f"name: {json.dumps(name)}\npresets: [level0]\n")
    plan = plan_for(path, catalog, today=GENERATED.date())
    for target, cls in TARGETS.items():
        text = export(plan, target, GENERATED).data.decode()
        if cls.comment is None:
            assert name not in text
            continue
        header = [ln for ln in text.splitlines() if ln.startswith(f"{cls.comment} catalog ")]
        assert len(header) == 1, target
        assert f"policy {plain(name)} (sha256:" in header[0], header[0]
        assert not any(ch in header[0].split("; policy ", 1)[1] for ch in "\"'\\;`"), header[0]


@pytest.mark.program
def test_unbound_accepts_a_hostile_named_policy_and_adds_no_local_data(tmp_path: Path, catalog: Path) -> None:
    """The reported attack: with the fixes, unbound-checkconf sees only the intended zones."""
    checkconf = need_program("unbound-checkconf")
    path = policy(tmp_path, 'name: "acme\\" local-data: \\"bank.example A 203.0.113.66"\npresets: [level0]\n')
    plan = plan_for(path, catalog, today=GENERATED.date())
    include = tmp_path / "sekisho.conf"
    include.write_bytes(export(plan, "unbound", GENERATED).data)
    conf = unbound_conf(tmp_path, include, 5353, 5354)
    run = subprocess.run([checkconf, str(conf)], capture_output=True, text=True)
    assert run.returncode == 0, run.stdout + run.stderr
    lines = include.read_text().splitlines()
    assert not [ln for ln in lines if "bank.example" in ln and not ln.startswith("# catalog ")]
    zones = [line for line in include.read_text().splitlines() if "local-zone:" in line]
    assert zones and all(line.strip().startswith('local-zone: "') for line in zones)
