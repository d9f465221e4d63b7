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
        ["chat.example.net", "www.google.com", "printer.lan", "wpad", "zz-nobody-9f3.example.org"]
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
