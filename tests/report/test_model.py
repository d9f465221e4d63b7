"""The report model from the sample store: summary, services with scores and scope, response,
unknown destinations, parse accounting — and the renderers that only lay it out."""

from __future__ import annotations

import csv
import io
import json
import re
from pathlib import Path

import pytest
from rich.console import Console

from sekisho import api
from sekisho.assess import Assessor
from sekisho.export import TARGETS
from sekisho.policy import plan_for
from sekisho.report.html import render_html
from sekisho.report.model import build_report
from sekisho.report.response import COMMAND_TARGETS, policy_yaml
from sekisho.report.tabular import CSV_TABLES, render_csv, render_json
from sekisho.report.terminal import render_terminal
from sekisho.store import Store


def test_summary_counts_agree_with_the_store(store: Store, assessor: Assessor, sample_db: Path) -> None:
    r = build_report(store, assessor, "en")
    s = r["summary"]
    found = api.findings(store, assessor)["services"]
    assert s["services"] == len(found) == len(r["services"]) > 0
    assert sum(s["level_counts"].values()) == s["services"]
    assert s["clients_total"] == 200  # the sample office
    risky = {x["id"] for x in found if x["safety_level"] <= 1}
    machines = {c["client"] for sid in risky for c in api.scope(sid, sample_db)["clients"]}
    assert s["affected_clients"] == len(machines) > 0
    assert r["period"] == {"first": "2026-11-16", "last": "2026-11-20", "days": 5}
    levels = [x["safety_level"] for x in r["services"]]
    assert levels == sorted(levels)


def test_each_service_has_scores_scope_and_volume(store: Store, assessor: Assessor) -> None:
    r = build_report(store, assessor, "en")
    ime = next(x for x in r["services"] if x["id"] == "baidu-ime")
    assert set(ime["scores"]) == {"data_protection", "privacy", "legal"}
    assert ime["clients"] == len(ime["scope"]) + ime["scope_more"] == 14
    assert sum(d["queries"] for d in ime["daily"]) == ime["queries"]
    assert all(re.fullmatch(r"10\.20\.0\.\d+", c["client"]) for c in ime["scope"])
    assert ime["response"] and ime["legal_verdict"]


def test_response_names_policies_and_a_policy_file_that_works(store: Store, assessor: Assessor) -> None:
    r = build_report(store, assessor, "en")
    presets = {p["policy"]: p for p in r["response"]["presets"]}
    assert "deepseek" in presets["level0"]["services"]
    assert presets["level0"]["commands"][0] == (
        "sekisho export --format unbound --policy level0 -o sekisho-level0.conf"
    )
    risky = r["response"]["risky"]
    assert "deepseek" in risky
    assert f"deny: {{service: [{', '.join(risky)}]}}" in r["response"]["policy_yaml"]


def test_policy_file_loads_and_blocks_what_it_names(tmp_path: Path) -> None:
    path = tmp_path / "sekisho-policy.yaml"
    path.write_text(policy_yaml(["zoom", "tiktok"], 'found: "report" 2026-11-23'), encoding="utf-8")
    blocked = plan_for(str(path)).default.services
    assert {"zoom", "tiktok", "deepseek"} <= set(blocked)


def test_command_suffixes_match_the_export_targets() -> None:
    for name, suffix in COMMAND_TARGETS.items():
        assert TARGETS[name].suffix == suffix


def test_json_is_the_whole_model(store: Store, assessor: Assessor) -> None:
    r = build_report(store, assessor, "ja")
    back = json.loads(render_json(r))
    assert back["summary"]["services"] == r["summary"]["services"]
    assert back["services"][0]["level_label"] == "使用不可"


@pytest.mark.parametrize("table", list(CSV_TABLES))
def test_csv_tables(store: Store, assessor: Assessor, table: str) -> None:
    rows = list(csv.DictReader(io.StringIO(render_csv(build_report(store, assessor), table))))
    assert rows
    if table == "services":
        assert {"id", "safety_level", "score_legal", "clients", "first_seen"} <= set(rows[0])
    if table == "scope":
        assert {r["service"] for r in rows} >= {"baidu-ime", "deepseek"}


def test_csv_defuses_formulas() -> None:
    report = {"unknown": [{"domain": "=HYPERLINK(1)", "clients": 1}, {"domain": "-x", "clients": 2}]}
    out = render_csv(report, "unknown")
    assert "'=HYPERLINK(1)" in out and "'-x" in out


@pytest.mark.parametrize("lang", ["en", "ja"])
def test_terminal(store: Store, assessor: Assessor, lang: str) -> None:
    console = Console(record=True, width=100)
    render_terminal(build_report(store, assessor, lang), console)  # type: ignore[arg-type]
    out = console.export_text()
    assert {"en": "Recommended response", "ja": "推奨対応"}[lang] in out
    # the plan's one command, for the proxy whose log was scanned, with the policy that blocks what
    # the base policy (level0) leaves open: every service rated 1 (whichever the catalog rates so)
    assert "sekisho export --format squid --policy sekisho-plan.yaml" in out
    report = build_report(store, assessor, lang)  # type: ignore[arg-type]
    beyond_base = [x["id"] for x in report["services"] if x["plan"]["block"] and x["safety_level"] > 0]
    assert beyond_base, "the samples should reach a service rated 1"
    for sid in beyond_base:
        assert re.search(rf"deny: \{{service: \[[^]]*\b{re.escape(sid)}\b", out), sid
    assert "access.log" in out


@pytest.mark.parametrize(
    ("lang", "title", "heading"),
    [("en", "Where our data goes", "Per service"), ("ja", "データの行き先", "サービス別")],
)
def test_html_is_self_contained(
    store: Store, assessor: Assessor, lang: str, title: str, heading: str
) -> None:
    html = render_html(build_report(store, assessor, lang))  # type: ignore[arg-type]
    assert f'<html lang="{lang}">' in html and title in html and heading in html
    assert "<svg" in html and "<style>" in html
    for outside in ("<script", "<link", "<img", "src=", "url(", "@import"):
        assert outside not in html, outside
    # every link stays inside the document, but the sources cited: plain links, opened only when clicked
    for attrs, href in re.findall(r'<a ([^>]*)href="([^"]*)"', html):
        assert href.startswith("#") or (
            href.startswith(("https://", "http://")) and 'class="ext" rel="noreferrer"' in attrs
        ), href
    assert html.count("<h1") == 1


def test_empty_store_still_reports(tmp_path: Path, assessor: Assessor) -> None:
    with Store(tmp_path / "empty.duckdb") as s:
        r = build_report(s, assessor, "en")
    assert r["summary"]["services"] == 0 and r["scans"] == []
    html = render_html(r)
    assert "No catalog service was found" in html and "No scan yet" in html
