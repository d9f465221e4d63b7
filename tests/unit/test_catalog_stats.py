"""`sekisho catalog stats --json` and `catalog coverage --db` (issue 11, item 7)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from sekisho import api
from sekisho.cli.main import app

DATA = Path(__file__).resolve().parents[1] / "data"


def test_stats_counts_both_tiers_and_source_kinds(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SEKISHO_CACHE", str(tmp_path / "cache"))
    res = CliRunner().invoke(app, ["catalog", "stats", "--json", "--catalog", str(DATA / "catalog_ok")])
    assert res.exit_code == 0, res.output
    out = json.loads(res.output)
    assert out["services"] == {"researched": 2, "known": 0}  # the test catalog has no known/ dir
    assert out["organisations"] == 3 and out["domains"] >= 2
    assert set(out["facts"]) >= {"primary", "press", "secondary"}
    assert 0 <= out["provisional"] <= 2


def test_coverage_splits_queries_into_researched_known_internal_unknown(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SEKISHO_CACHE", str(tmp_path / "cache"))
    log = tmp_path / "dnsmasq.log"
    lines = []
    for i, name in enumerate(
        ["chat.example.net", "www.google.com", "printer.lan", "wpad", "zz-nobody-9f3.xyz"]
    ):
        for _ in range(i + 1):
            lines.append(f"Dec  1 10:00:0{i} dnsmasq[1]: query[A] {name} from 10.0.0.{i + 1}")
    log.write_text("\n".join(lines) + "\n")
    db = tmp_path / "s.duckdb"
    # the test catalog (researched beta-chat) with the bundled known tier beside it
    import shutil

    cat = tmp_path / "cat"
    shutil.copytree(DATA / "catalog_ok", cat)
    shutil.copytree(
        Path(api.__file__).parent / "data" / "catalog" / "known",
        cat / "known",
        ignore=shutil.ignore_patterns("*.yaml"),
    )
    api.scan([str(log)], db=db, catalog=cat, keep_all=True)
    res = CliRunner().invoke(app, ["catalog", "coverage", "--db", str(db), "--json"])
    assert res.exit_code == 0, res.output
    out = json.loads(res.output)
    q = {k: v["queries"] for k, v in out["classes"].items()}
    assert q == {"researched": 1, "known": 2, "internal": 3 + 4, "unknown": 5}
    assert out["public_queries"] == 8 and out["public_attributed_share"] == round(3 / 8, 4)
    assert out["classes"]["internal"]["clients"] == 2


def test_stats_measure_the_sources_behind_the_rating(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Issue 11: the share of the rating's facts that are primary or press, and that no point
    counts on a secondary source alone — a secondary-only property is read as a claim."""
    import shutil

    monkeypatch.setenv("SEKISHO_CACHE", str(tmp_path / "cache"))
    cat = tmp_path / "cat"
    shutil.copytree(DATA / "catalog_ok", cat)
    svc = cat / "services" / "beta-chat.yaml"
    text = svc.read_text()
    for prop, kind in (
        ("e2e_encryption", "secondary"),
        ("deletion_right", "primary"),
        ("gdpr_applies", "press"),
    ):
        head = f"  {prop}: {{value: true, "
        assert head in text
        text = text.replace(head, f"  {prop}: {{value: true, source_kind: {kind}, ")
    svc.write_text(text)

    def stats(where: Path) -> dict:
        res = CliRunner().invoke(app, ["catalog", "stats", "--json", "--catalog", str(where)])
        assert res.exit_code == 0, res.output
        return json.loads(res.output)

    out = stats(cat)
    facts, points = out["rating_facts"], out["rating_points"]
    assert (facts["primary"], facts["press"], facts["secondary"]) == (1, 1, 1)
    total = sum(facts[k] for k in ("primary", "press", "secondary", "unstated"))
    assert facts["primary_or_press_share"] == round(2 / total, 4)
    assert (points["primary"], points["press"], points["secondary"]) == (
        1,
        1,
        0,
    )  # the secondary one is a claim
    assert points["points_on_secondary_alone"] == 0

    # once a press source confirms it, the same property counts (a second copy: catalogs are
    # cached per directory within a process)
    again = tmp_path / "again"
    shutil.copytree(cat, again)
    confirmed = text.replace(
        "e2e_encryption: {value: true, source_kind: secondary,",
        "e2e_encryption: {value: true, source_kind: press,",
    )
    (again / "services" / "beta-chat.yaml").write_text(confirmed)
    points = stats(again)["rating_points"]
    assert (points["press"], points["secondary"]) == (2, 0)


def test_stats_and_coverage_speak_japanese(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SEKISHO_CACHE", str(tmp_path / "cache"))
    res = CliRunner().invoke(app, ["catalog", "stats", "--lang", "ja", "--catalog", str(DATA / "catalog_ok")])
    assert res.exit_code == 0, res.output
    assert "調査済み 2 件" in res.output and "二次資料だけに基づく点数: 0 件" in res.output
    assert "{'" not in res.output  # no raw dicts
