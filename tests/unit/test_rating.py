"""Rule evaluation: a fact changes, the score changes — and the reason names the fact."""

from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path

import pytest

from sekisho.assess import Assessor, OrgSettings, load_rules
from sekisho.assess.rules import Override
from sekisho.catalog import open_catalog, validate

DATA = Path(__file__).resolve().parents[1] / "data"
TODAY = dt.date(2026, 11, 23)


def assessor(root: Path, settings: OrgSettings | None = None) -> Assessor:
    catalog, findings = validate(root, today=TODAY)
    assert [f for f in findings if f.severity == "error"] == []
    return Assessor(catalog, load_rules(), settings, today=TODAY)


@pytest.fixture()
def cat_copy(tmp_path: Path) -> Path:
    root = tmp_path / "cat"
    shutil.copytree(DATA / "catalog_ok", root)
    return root


def test_scores_from_facts(cat_copy: Path) -> None:
    r = assessor(cat_copy).rate("beta-chat")
    assert r.scores["data_protection"].value == 10.0
    assert r.scores["privacy"].value == 10.0
    assert r.scores["legal"].value == 10.0
    assert r.computed_level == 4 and not r.provisional and r.caps == []


def test_a_fact_changed_changes_the_score_and_names_the_fact(cat_copy: Path) -> None:
    path = cat_copy / "services" / "beta-chat.yaml"
    path.write_text(
        path.read_text().replace(
            "e2e_encryption: {value: true, source: https://example.org/beta/security",
            "e2e_encryption: {value: false, source: https://example.org/beta/security-2026",
        )
    )
    r = assessor(cat_copy).rate("beta-chat")
    point = next(p for p in r.scores["data_protection"].points if p.factor == "e2e_encryption")
    assert point.status == "no" and point.earned == 0
    assert point.evidence[0].source == "https://example.org/beta/security-2026"
    assert r.scores["data_protection"].value == 7.0  # 7 of 10 weight earned
    assert any(m.key == "risk.factor.e2e_encryption" for m in r.risks)


def test_partial_earns_half(cat_copy: Path) -> None:
    path = cat_copy / "services" / "beta-chat.yaml"
    path.write_text(
        path.read_text().replace("e2e_encryption: {value: true", "e2e_encryption: {value: partial")
    )
    r = assessor(cat_copy).rate("beta-chat")
    point = next(p for p in r.scores["data_protection"].points if p.factor == "e2e_encryption")
    assert point.status == "partial" and point.earned == point.weight / 2


def test_claims_never_count(cat_copy: Path) -> None:
    path = cat_copy / "services" / "beta-chat.yaml"
    path.write_text(
        path.read_text().replace(
            "deletion_right: {value: true, source: https://example.org/beta/privacy, as_of: 2025-06-01}",
            "deletion_right: {value: true, source: https://example.org/beta/privacy, as_of: 2025-06-01, kind: claim}",
        )
    )
    r = assessor(cat_copy).rate("beta-chat")
    point = next(p for p in r.scores["data_protection"].points if p.factor == "deletion_right")
    assert point.status == "claim" and point.earned == 0
    assert r.scores["data_protection"].coverage < 1


def test_secret_cooperation_law_caps_the_level_with_its_evidence(cat_copy: Path) -> None:
    r = assessor(cat_copy).rate("alpha-ime")
    rules = {c.rule: c for c in r.caps}
    assert {
        "secret-cooperation-law",
        "secret-cooperation-law-without-court",
        "data-where-secret-cooperation-law-applies",
        "plus-recent-serious-incident",
    } <= set(rules)
    assert r.computed_level == 0
    sources = {e.source for e in rules["data-where-secret-cooperation-law-applies"].reason.evidence}
    # the parent's headquarters fact, the law's text and the data-location fact
    assert {
        "https://example.org/alpha/filing",
        "https://example.org/xa-law",
        "https://example.org/alpha/privacy",
    } <= sources
    legal = next(p for p in r.scores["legal"].points if p.factor == "no_secret_cooperation_law")
    assert legal.status == "no" and legal.earned == 0


def test_moving_headquarters_lifts_the_law_cap_only_with_the_data(cat_copy: Path) -> None:
    path = cat_copy / "operators" / "alpha-holdings.yaml"
    path.write_text(path.read_text().replace("headquarters: {value: CN", "headquarters: {value: JP"))
    r = assessor(cat_copy).rate("alpha-ime")
    # the data is still stored in CN: that country's laws reach it, whoever the operator is
    assert any(c.rule == "secret-cooperation-law" for c in r.caps)
    svc = cat_copy / "services" / "alpha-ime.yaml"
    svc.write_text(
        svc.read_text().replace(
            "  - {value: CN, source: https://example.org/alpha/privacy",
            "  - {value: JP, source: https://example.org/alpha/privacy",
        )
    )
    r = assessor(cat_copy).rate("alpha-ime")
    assert not any(c.rule.startswith("secret-cooperation") for c in r.caps)
    legal = next(p for p in r.scores["legal"].points if p.factor == "no_secret_cooperation_law")
    assert legal.status == "yes"


def test_too_few_facts_make_it_provisional(cat_copy: Path) -> None:
    path = cat_copy / "services" / "beta-chat.yaml"
    lines = [
        ln
        for ln in path.read_text().splitlines()
        if not any(
            k in ln
            for k in (
                "anonymisation",
                "consent_withdrawal",
                "purpose_limitation",
                "data_minimisation",
                "gdpr_applies",
                "appi_applies",
                "redress_japan",
                "transparency_report",
            )
        )
    ]
    path.write_text("\n".join(lines) + "\n")
    r = assessor(cat_copy).rate("beta-chat")
    assert r.provisional
    assert r.computed_level <= load_rules().provisional_max_level
    assert any(c.rule == "provisional" for c in r.caps)


def test_category_weights_differ(cat_copy: Path) -> None:
    rules = load_rules()
    assert (
        rules.weights_for("storage")["data_protection"]["encryption_at_rest"]
        > rules.weights_for("social")["data_protection"]["encryption_at_rest"]
    )


def test_organisation_reweights_and_overrides(cat_copy: Path) -> None:
    base = assessor(cat_copy).rate("alpha-ime")
    settings = OrgSettings(
        weights={"privacy": {"consent_withdrawal": 0}},
        overrides={
            "alpha-ime": Override(safety_level=1, justification="contract with local data residency signed")
        },
    )
    r = assessor(cat_copy, settings).rate("alpha-ime")
    assert r.computed_level == base.computed_level == 0
    assert r.safety_level == 1 and r.override and "residency" in r.override.justification
    assert not any(p.factor == "consent_withdrawal" for p in r.scores["privacy"].points)
    assert r.scores["privacy"].value != base.scores["privacy"].value


def test_override_needs_a_justification() -> None:
    with pytest.raises(ValueError):
        Override(safety_level=3, justification="ok")


def test_bundled_catalog_rates_every_service() -> None:
    a = Assessor(open_catalog(), load_rules(), today=TODAY)
    ratings = a.rate_all()
    assert len(ratings) >= 30
    for r in ratings.values():
        for score in r.scores.values():
            for p in score.points:
                if p.status in ("yes", "no", "partial"):
                    assert p.evidence, (r.service_id, p.factor)
