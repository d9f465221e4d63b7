"""The dossier in both languages, its JSON shape, and the CLI's handling of bad input."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

from sekisho.cli.main import app
from sekisho.i18n import messages

DATA = Path(__file__).resolve().parents[1] / "data"
runner = CliRunner()


def run(*args: str) -> tuple[int, str, str]:
    r = runner.invoke(app, list(args))
    return r.exit_code, r.stdout, r.stderr


def test_message_catalogs_have_the_same_keys() -> None:
    assert set(messages("en")) == set(messages("ja"))


def test_show_json_shape() -> None:
    code, out, _ = run("show", "alpha-ime", "--json", "--catalog", str(DATA / "catalog_ok"))
    assert code == 0
    d = json.loads(out)
    for key in (
        "id",
        "name",
        "operator",
        "owners",
        "jurisdictions",
        "scores",
        "safety_level",
        "legal_verdict",
        "technical_verdict",
        "risks",
        "response",
        "alternatives",
        "facts",
    ):
        assert key in d, key
    assert d["operator"] == {
        "id": "alpha-sg",
        "name": "Alpha Pte. Ltd.",
        "country": "SG",
        "country_verified": True,
    }
    assert [o["id"] for o in d["owners"]] == ["alpha-holdings"]
    assert set(d["scores"]) == {"data_protection", "privacy", "legal"}
    assert d["safety_level"] == 0
    for fact in d["facts"]:
        assert set(fact) >= {"statement", "value", "source", "as_of", "kind"}
    assert any(
        f["kind"] == "claim"
        for f in run("show", "beta-chat", "--json", "--catalog", str(DATA / "catalog_ok"))[1]
        and json.loads(run("show", "beta-chat", "--json", "--catalog", str(DATA / "catalog_ok"))[1])["facts"]
    )
    assert d["alternatives"][0]["id"] == "beta-chat" and d["alternatives"][0]["safety_level"] == 4


def test_dossier_in_japanese_and_english() -> None:
    code, ja, _ = run("show", "alpha-ime", "--lang", "ja", "--catalog", str(DATA / "catalog_ok"))
    assert code == 0
    for heading in (
        "評価サマリー",
        "安全性レベル",
        "法務判定",
        "技術判定",
        "主なリスク",
        "監査詳細",
        "推奨対応",
        "代替サービス",
        "事実と出典",
        "使用不可",
    ):
        assert heading in ja, heading
    code, en, _ = run("show", "alpha-ime", "--lang", "en", "--catalog", str(DATA / "catalog_ok"))
    assert code == 0
    for heading in (
        "Executive summary",
        "Safety level",
        "Legal verdict",
        "Recommended response",
        "Do not use",
    ):
        assert heading in en, heading
    assert "評価サマリー" not in en


def test_claims_stay_visibly_claims() -> None:
    code, out, _ = run("show", "beta-chat", "--lang", "en", "--catalog", str(DATA / "catalog_ok"))
    assert code == 0 and "CLAIM (unverified)" in out
    d = json.loads(run("show", "beta-chat", "--json", "--catalog", str(DATA / "catalog_ok"))[1])
    claim = next(f for f in d["facts"] if f["kind"] == "claim")
    assert "secretly owned" in claim["statement"]


def test_unknown_service_is_one_clear_line() -> None:
    code, out, err = run("show", "no-such-thing")
    assert code == 1
    assert "unknown service id 'no-such-thing'" in err
    assert "Traceback" not in out + err
    assert len(err.strip().splitlines()) == 1


def test_malformed_yaml_is_one_clear_line(tmp_path: Path) -> None:
    root = tmp_path / "cat"
    shutil.copytree(DATA / "catalog_ok", root)
    (root / "services" / "beta-chat.yaml").write_text("id: beta-chat\nname: [unclosed\n")
    code, out, err = run("services", "--catalog", str(root))
    assert code == 1
    assert "beta-chat.yaml:3: invalid YAML" in err
    assert "Traceback" not in out + err


def test_validate_exit_codes() -> None:
    assert run("catalog", "validate", str(DATA / "catalog_ok"))[0] == 0
    code, _, err = run("catalog", "validate", str(DATA / "catalog_broken"))
    assert code == 1
    assert "unknown-operator.yaml:5: unknown operator 'nobody-inc'" in err


def test_services_json_lists_every_service() -> None:
    code, out, _ = run("services", "--json")
    assert code == 0
    rows = json.loads(out)
    assert len(rows) >= 30
    assert {"id", "name", "operator", "operator_country", "safety_level"} <= set(rows[0])
    paypay = next(r for r in rows if r["id"] == "paypay")
    assert paypay["operator_country"] == "JP"


def test_adguard_services_export() -> None:
    code, out, _ = run(
        "catalog", "export", "--format", "adguard-services", "--catalog", str(DATA / "catalog_ok")
    )
    assert code == 0
    services = {s["id"]: s for s in json.loads(out)["blocked_services"]}
    alpha = services["sekisho_alpha_ime"]
    assert alpha["name"] == "Alpha IME"
    assert "||alpha-ime.example^" in alpha["rules"] and "||alpha-dict.s3.amazonaws.com^" in alpha["rules"]
    assert alpha["icon_svg"].startswith("<svg")


def test_settings_override_shows_both_values(tmp_path: Path) -> None:
    settings = tmp_path / "org.yaml"
    settings.write_text(
        "overrides:\n  alpha-ime:\n    safety_level: 2\n    justification: on-premises edition only\n"
    )
    code, out, _ = run(
        "show", "alpha-ime", "--json", "--catalog", str(DATA / "catalog_ok"), "--settings", str(settings)
    )
    d = json.loads(out)
    assert code == 0 and d["safety_level"] == 2 and d["computed_safety_level"] == 0
    assert d["override"]["justification"] == "on-premises edition only"


def test_bad_settings_file_names_file_and_line(tmp_path: Path) -> None:
    settings = tmp_path / "org.yaml"
    settings.write_text("weights:\n  privacy:\n    no_such_factor: 3\n")
    code, _, err = run("services", "--settings", str(settings))
    assert code == 1 and "org.yaml:3" in err and "unknown factor or score 'no_such_factor'" in err


def test_a_country_resting_on_a_secondary_source_is_shown_unverified_everywhere(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Issue 11 (Genspark): an operator country whose only source is secondary is a claim — the
    list, the dossier header and the JSON say it is unverified instead of stating it."""
    monkeypatch.setenv("SEKISHO_CACHE", str(tmp_path / "cache"))
    cat = tmp_path / "cat"
    shutil.copytree(Path(__file__).resolve().parents[1] / "data" / "catalog_ok", cat)
    op = cat / "operators" / "beta-kk.yaml"
    text = op.read_text()
    assert "\ncountry: {value: JP, " in text
    op.write_text(text.replace("\ncountry: {value: JP, ", "\ncountry: {value: JP, source_kind: secondary, "))
    run = CliRunner()
    listed = run.invoke(app, ["services", "--json", "--catalog", str(cat)])
    assert listed.exit_code == 0, listed.output
    rows = {r["id"]: r for r in json.loads(listed.output)}
    assert rows["beta-chat"]["operator_country_verified"] is False
    assert rows["alpha-ime"]["operator_country_verified"] is True
    table = run.invoke(app, ["services", "--catalog", str(cat)])
    assert "JP?" in table.output and "secondary source only" in table.output
    shown = run.invoke(app, ["show", "beta-chat", "--json", "--catalog", str(cat)])
    assert json.loads(shown.output)["operator"]["country_verified"] is False
    head = run.invoke(app, ["show", "beta-chat", "--lang", "ja", "--catalog", str(cat)])
    assert "未確認" in head.output
