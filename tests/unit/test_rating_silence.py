"""Issue 11, item 5: a rating that silence cannot fool. Each rule on the test catalog (a fact
edited, the result must move) and on the bundled catalog's ChatGLM and Baidu IME."""

from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path

import pytest

from sekisho.assess import Assessor, load_rules, score_text
from sekisho.assess.engine import ownership_gap
from sekisho.catalog import open_catalog, validate
from sekisho.model.rating import Rating

DATA = Path(__file__).resolve().parents[1] / "data"
TODAY = dt.date(2026, 12, 1)


def rate(root: Path, sid: str) -> Rating:
    catalog, findings = validate(root, today=TODAY)
    assert [f for f in findings if f.severity == "error"] == []
    return Assessor(catalog, load_rules(), today=TODAY).rate(sid)


def point(r: Rating, score: str, factor: str) -> tuple[str, float]:
    p = next(p for p in r.scores[score].points if p.factor == factor)  # type: ignore[index]
    return p.status, p.earned


@pytest.fixture()
def cat(tmp_path: Path) -> Path:
    root = tmp_path / "cat"
    shutil.copytree(DATA / "catalog_ok", root)
    return root


def test_an_operator_without_a_parent_fact_makes_state_access_unknown_not_yes(cat: Path) -> None:
    assert point(rate(cat, "beta-chat"), "legal", "no_secret_cooperation_law")[0] == "yes"
    op = cat / "operators" / "beta-kk.yaml"
    op.write_text("\n".join(line for line in op.read_text().splitlines() if not line.startswith("parent:")))
    r = rate(cat, "beta-chat")
    assert point(r, "legal", "no_secret_cooperation_law") == ("unknown", 0.0)
    assert r.scores["legal"].coverage < 1 and r.scores["legal"].factors_known == 3


def test_data_stored_in_a_country_brings_its_laws_whoever_the_operator_is(cat: Path) -> None:
    svc = cat / "services" / "beta-chat.yaml"
    text = svc.read_text()
    assert "data_locations" in text
    svc.write_text(text.replace("{value: JP, source", "{value: CN, source", 1))
    r = rate(cat, "beta-chat")
    assert point(r, "legal", "no_secret_cooperation_law") == ("no", 0.0)
    assert r.scores["legal"].value is not None and r.scores["legal"].value < 10
    ev = [e for p in r.scores["legal"].points for e in p.evidence]
    assert any(e.statement == "fact.data_location" and e.value == "CN" for e in ev)


def test_covert_collection_caps_the_level_and_zeroes_what_it_contradicts(cat: Path) -> None:
    before = rate(cat, "beta-chat")
    assert point(before, "privacy", "consent_withdrawal") == ("yes", 2.5)
    svc = cat / "services" / "beta-chat.yaml"
    svc.write_text(
        svc.read_text() + 'incidents:\n  - {date: 2026-01-05, value: "Sent the contact list without asking", '
        "severity: medium, covert_collection: [contacts], source: https://example.org/news, "
        "as_of: 2026-01-06, source_kind: press}\n"
    )
    r = rate(cat, "beta-chat")
    assert point(r, "privacy", "consent_withdrawal") == ("no", 0.0)
    assert point(r, "data_protection", "no_covert_collection") == ("no", 0.0)
    assert r.scores["data_protection"].value < 10 and r.scores["privacy"].value < 10  # type: ignore[operator]
    assert any(c.rule == "covert-collection" for c in r.caps) and r.computed_level <= 1
    # without such an incident the penalty factor is absent: silence neither earns nor loses
    assert all(p.factor != "no_covert_collection" for p in before.scores["data_protection"].points)


def test_a_secondary_source_alone_never_counts(cat: Path) -> None:
    svc = cat / "services" / "beta-chat.yaml"
    text = svc.read_text()
    line = next(x for x in text.splitlines() if x.strip().startswith("consent_withdrawal:"))
    svc.write_text(text.replace(line, line.rstrip().rstrip("}") + ", source_kind: secondary}"))
    r = rate(cat, "beta-chat")
    assert point(r, "privacy", "consent_withdrawal") == ("claim", 0.0)
    ev = next(p for p in r.scores["privacy"].points if p.factor == "consent_withdrawal").evidence[0]
    assert ev.kind == "claim" and "secondary source only — a claim until confirmed" in (ev.note or "")


def test_a_thin_score_is_never_a_bare_number(cat: Path) -> None:
    r = rate(cat, "beta-chat")
    assert score_text(r.scores["legal"]) == "10/10"
    for keep in ("gdpr_applies",):
        svc = cat / "services" / "beta-chat.yaml"
        lines = svc.read_text().splitlines()
        props = ("appi_applies:", "redress_japan:")
        svc.write_text("\n".join(x for x in lines if not x.strip().startswith(props)) + "\n")
        assert keep
    op = cat / "operators" / "beta-kk.yaml"
    op.write_text("\n".join(x for x in op.read_text().splitlines() if not x.startswith("parent:")))
    legal = rate(cat, "beta-chat").scores["legal"]
    assert (legal.factors_known, legal.factors_total) == (1, 4)
    assert score_text(legal) == f"{legal.value:g}/10, 1 of 4 factors"
    assert score_text(legal, "ja") == f"{legal.value:g}/10（4 項目中 1 項目）"


def test_bundled_chatglm_legal_score_is_not_ten_out_of_ten() -> None:
    cat = open_catalog()
    a = Assessor(cat, load_rules(), today=TODAY)
    r = a.rate("chatglm")
    svc = cat.services["chatglm"]
    assert ownership_gap(cat, svc) is not None or any(
        f.value == "CN" and not f.is_claim for f in svc.data_locations
    )
    assert point(r, "legal", "no_secret_cooperation_law")[0] in ("unknown", "no")
    assert r.scores["legal"].value != 10.0 or r.scores["legal"].thin
    assert score_text(r.scores["legal"]) != "10/10"
    # with China among its data locations, China's laws reach the data
    cn = svc.model_copy(
        update={"data_locations": [*svc.data_locations, cat.operators["beijing-zhipu-huazhang"].country]}
    )
    cat.services["chatglm"] = cn
    try:
        r2 = a.rate("chatglm")
    finally:
        cat.services["chatglm"] = svc
    if not cat.operators["beijing-zhipu-huazhang"].country.is_claim:
        assert point(r2, "legal", "no_secret_cooperation_law")[0] == "no"
    assert score_text(r2.scores["legal"]) != "10/10"


def test_bundled_baidu_ime_keystroke_incident_denies_full_data_protection() -> None:
    cat = open_catalog()
    r = Assessor(cat, load_rules(), today=TODAY).rate("baidu-ime")
    assert any(i.covert_collection for i in cat.services["baidu-ime"].incidents)
    assert point(r, "data_protection", "no_covert_collection") == ("no", 0.0)
    assert r.scores["data_protection"].value != 10.0
    assert r.computed_level <= 1
