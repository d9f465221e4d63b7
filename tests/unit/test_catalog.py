"""Catalog schema and validation: every problem reported as file:line: reason."""

from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path

import pytest
from pydantic import ValidationError

from sekisho.catalog import bundled_catalog_dir, open_catalog, validate
from sekisho.catalog.validate import _facts_with_keys
from sekisho.errors import CatalogError
from sekisho.model.facts import Fact

DATA = Path(__file__).resolve().parents[1] / "data"
BROKEN = DATA / "catalog_broken"


def findings_text(root: Path) -> list[str]:
    _, findings = validate(root, today=dt.date(2026, 11, 23))
    return [str(f).replace(str(root) + "/", "") for f in findings if f.severity == "error"]


def test_fixture_catalog_is_valid() -> None:
    assert findings_text(DATA / "catalog_ok") == []


def test_broken_fixtures_each_reported_with_file_and_line() -> None:
    assert sorted(findings_text(BROKEN)) == [
        "operators/unknown-law.yaml:5: unknown law 'xx-no-such-law'",
        "services/bad-date.yaml:10: properties.deletion_right.as_of: '2025-13-45' is not a date (YYYY-MM-DD)",
        "services/bad-yaml.yaml:4: invalid YAML: found unexpected end of stream",
        "services/dup-domain.yaml:9: domain 'alpha-ime.example' is also claimed by service 'alpha-ime'",
        "services/future-date.yaml:5: as_of 2099-01-01 is in the future",
        "services/missing-source.yaml:5: operator.source: missing (every fact needs value, source and as_of)",
        "services/unknown-operator.yaml:5: unknown operator 'nobody-inc'",
        "services/wrong-name.yaml:6: domains.source: source must be an http(s) URL or a 'doc:' reference",
    ]


def test_id_must_match_file_name(tmp_path: Path) -> None:
    root = tmp_path / "cat"
    shutil.copytree(DATA / "catalog_ok", root)
    (root / "services" / "beta-chat.yaml").rename(root / "services" / "beta.yaml")
    assert any(
        "services/beta.yaml:1: id 'beta-chat' does not match file name 'beta'" in f
        for f in findings_text(root)
    )


def test_ownership_cycle_is_found(tmp_path: Path) -> None:
    root = tmp_path / "cat"
    shutil.copytree(DATA / "catalog_ok", root)
    path = root / "operators" / "alpha-holdings.yaml"
    path.write_text(path.read_text().replace("parent: {value: null", "parent: {value: alpha-sg"))
    assert any("ownership cycle" in f for f in findings_text(root))


def test_open_catalog_refuses_a_broken_catalog_with_a_file_error_first() -> None:
    with pytest.raises(CatalogError) as e:
        open_catalog(BROKEN)
    assert "bad-date.yaml:10" in str(e.value)
    assert "more; run `sekisho catalog validate`" in str(e.value)


def test_fact_needs_source_and_date() -> None:
    with pytest.raises(ValidationError):
        Fact[bool].model_validate({"value": True, "as_of": "2025-01-01"})
    with pytest.raises(ValidationError):
        Fact[bool].model_validate({"value": True, "source": "https://x.example", "as_of": "yesterday"})
    fact = Fact[bool].model_validate(
        {"value": True, "source": "https://x.example", "as_of": "2025-01-01", "kind": "claim"}
    )
    assert fact.is_claim


def test_bundled_catalog_is_valid_and_complete() -> None:
    catalog, findings = validate(bundled_catalog_dir())
    assert [str(f) for f in findings if f.severity == "error"] == []
    required = {
        "tiktok",
        "paypay",
        "zoom",
        "deepseek",
        "genspark",
        "manus",
        "line",
        "baidu-ime",
        "simeji",
        "sogou-input",
        "wechat",
        "alipay",
        "temu",
        "shein",
        "capcut",
        "alibaba-cloud",
        "huawei-cloud",
        "kimi",
        "qwen",
        "doubao",
        "chatglm",
        "ernie-bot",
        "lark",
        "dingtalk",
        "wps-office",
        "yandex",
        "telegram",
        "chatgpt",
        "gemini",
        "microsoft-copilot",
        "claude",
    }
    assert required <= set(catalog.services)
    assert {
        "cn-national-intelligence-law",
        "cn-data-security-law",
        "us-cloud-act",
        "us-fisa-702",
        "jp-appi",
        "eu-gdpr-chapter-v",
        "ru-sorm-yarovaya",
    } <= set(catalog.laws)


def test_every_bundled_fact_has_source_and_date() -> None:
    catalog = open_catalog()
    n = 0
    for kind in ("services", "operators", "laws", "software"):
        for entry in catalog.entries(kind).values():
            for _, fact in _facts_with_keys(entry):
                assert str(fact.source).startswith(("http://", "https://", "doc:"))
                assert isinstance(fact.as_of, dt.date)
                n += 1
    assert n > 500


def test_every_bundled_service_reaches_an_ultimate_parent() -> None:
    catalog = open_catalog()
    for sid, svc in catalog.services.items():
        chain = catalog.operator_chain(svc.operator.value)
        assert chain, sid
        top = chain[-1]
        assert top.parent is None or top.parent.value is None or top.parent.value not in catalog.operators, (
            sid
        )


def test_published_corrections_are_recorded() -> None:
    """PayPay is operated by a Japanese company, Zoom by a US one: the catalog says so, with sources."""
    catalog = open_catalog()
    paypay = catalog.operator_chain(catalog.services["paypay"].operator.value)
    assert paypay[0].country.value == "JP" and paypay[-1].country.value == "JP"
    zoom = catalog.operator_chain(catalog.services["zoom"].operator.value)
    assert zoom[0].country.value == "US"
    # ...but Zoom's real links to China are facts too
    assert "CN" in {j.value for j in zoom[0].jurisdictions}
