"""`sekisho register check|export|history` through the CLI, and the exports read back."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import yaml
from typer.testing import CliRunner

from sekisho.catalog.loader import Catalog
from sekisho.cli.main import app
from sekisho.register import load_register
from sekisho.register.appi import appi_rows
from sekisho.register.taxonomy import keys
from sekisho.report.register_export import appi_cells, fides_systems
from tests.register.conftest import acceptance_parties, write_csv, write_yaml

runner = CliRunner()
SAMPLE = Path(__file__).resolve().parents[2] / "samples" / "register" / "register.yaml"


def test_check_json_prints_the_issue_shape(tmp_path: Path) -> None:
    path = write_yaml(tmp_path / "r.yaml", acceptance_parties())
    res = runner.invoke(app, ["register", "check", str(path), "--json", "--today", "2026-12-01"])
    assert res.exit_code == 0, res.output
    data = json.loads(res.stdout)
    assert sorted(f["kind"] for f in data["findings"]) == [
        "state-access-law",
        "transfer-without-basis",
        "unapproved-subprocessor",
    ]
    for f in data["findings"]:
        assert set(f) >= {"kind", "party", "chain", "detail"}
        assert f["party"] == "sub-cn" and f["chain"] == ["city", "proc-jp", "sub-jp", "sub-cn"]
    assert data["transfers_by_country"] == {"CN": ["sub-cn"], "JP": ["city", "proc-jp", "sub-jp"]}


def test_check_refuses_a_broken_register_with_file_line(tmp_path: Path) -> None:
    parties = acceptance_parties()
    parties[2]["role"] = "vendor"
    path = write_csv(tmp_path / "r.csv", parties)
    res = runner.invoke(app, ["register", "check", str(path)])
    assert res.exit_code == 1
    assert f"{path}:4: role:" in res.stderr
    assert "not checked" in res.stderr
    res = runner.invoke(app, ["register", "check", str(path), "--json"])
    assert res.exit_code == 1
    data = json.loads(res.stdout)
    assert data["findings"] == []
    assert [(p["line"], p["severity"]) for p in data["problems"]] == [(4, "error")]
    assert data["problems"][0]["message"].startswith("role:")


def test_check_with_a_store_keeps_history(tmp_path: Path) -> None:
    db = tmp_path / "s.duckdb"
    path = write_yaml(tmp_path / "r.yaml", acceptance_parties())
    for _ in range(2):
        res = runner.invoke(app, ["register", "check", str(path), "--db", str(db), "--lang", "ja"])
        assert res.exit_code == 0, res.output
    assert "変更はありません" in res.stdout
    res = runner.invoke(app, ["register", "history", "--db", str(db), "--json"])
    rows = json.loads(res.stdout)
    assert len(rows) == 1 and rows[0]["parties"] == 4


def test_csv_export_reads_back_to_the_same_register(tmp_path: Path, catalog: Catalog) -> None:
    out = tmp_path / "out.csv"
    res = runner.invoke(app, ["register", "export", str(SAMPLE), "--to", "csv", "-o", str(out)])
    assert res.exit_code == 0, res.output
    a, _ = load_register(SAMPLE, catalog)
    b, problems = load_register(out, catalog)
    assert problems == []
    assert a.parties == b.parties


def test_fides_export_uses_published_keys_and_the_chain(catalog: Catalog) -> None:
    reg, _ = load_register(SAMPLE, catalog)
    res = runner.invoke(app, ["register", "export", str(SAMPLE), "--to", "fides"])
    assert res.exit_code == 0, res.output
    manifest = yaml.safe_load(res.stdout)
    assert manifest == json.loads(json.dumps(fides_systems(reg)))
    systems = {s["fides_key"]: s for s in manifest["system"]}
    assert set(systems) == set(reg.parties)
    uses, cats = keys("data_use"), keys("data_category")
    for s in manifest["system"]:
        for d in s["privacy_declarations"]:
            assert d["data_use"] in uses and all(c in cats for c in d["data_categories"])
    cn = systems["entry-sub-cn"]
    assert cn["responsibility"] == ["Sub-Processor"] and cn["does_international_transfers"] is True
    assert cn["ingress"][0]["fides_key"] == "entry-sub-jp"
    assert systems["entry-sub-jp"]["egress"] == [{"fides_key": "entry-sub-cn", "type": "system"}]


def test_appi_table_in_japanese_quotes_the_catalogs_laws(catalog: Catalog) -> None:
    res = runner.invoke(app, ["register", "export", str(SAMPLE), "--to", "appi-csv"])
    assert res.exit_code == 0, res.output
    rows = list(csv.reader(io.StringIO(res.stdout)))
    assert rows[0] == ["提供先", "提供先の国名", "当該国の個人情報保護制度", "講じている措置"]
    assert len(rows) == 2  # only the party in another country than the controller
    party, country, system, measures = rows[1]
    assert "entry-sub-cn" in party and country == "中華人民共和国 (CN)"
    law = catalog.laws["cn-national-intelligence-law"]
    assert law.summary_ja and law.summary_ja in system  # the catalog's text, not ours
    assert law.summary.source in system and law.summary.source_kind == "primary"
    assert "政府の情報収集への協力を義務付ける制度" in system
    pipl = catalog.laws["cn-pipl"]  # the country's protection system, from its law entry
    assert pipl.summary_ja and pipl.summary_ja in system and pipl.summary.source in system
    assert "個人情報保護法の項目がありません" not in system
    assert measures == "なし（移転の根拠が登録されていません）"


def test_appi_row_for_an_eu_member_uses_the_gdpr_entry(tmp_path: Path, catalog: Catalog) -> None:
    parties = acceptance_parties()
    parties[3].update(country="DE", transfer_basis="adequacy", contract_ref="DPA-7")
    reg, _ = load_register(write_yaml(tmp_path / "r.yaml", parties), catalog)
    [row] = appi_rows(reg, catalog)
    cells = appi_cells(row, "ja")
    gdpr = catalog.laws["eu-gdpr-chapter-v"]
    assert cells["country"] == "ドイツ (DE)"
    assert any(gdpr.summary_ja and gdpr.summary_ja in line for line in cells["system"])
    assert not any("項目がありません" in line for line in cells["system"])
    assert cells["measures"].startswith("我が国と同等の水準") and "契約 DPA-7" in cells["measures"]


def test_appi_table_keeps_a_hostile_name_as_text(tmp_path: Path, catalog: Catalog) -> None:
    parties = acceptance_parties()
    parties[3]["name"] = '=HYPERLINK("http://x")|<script>alert(1)</script>\nrow'
    path = write_yaml(tmp_path / "r.yaml", parties)
    md = runner.invoke(app, ["register", "export", str(path), "--to", "appi"]).stdout
    row = next(line for line in md.splitlines() if "sub-cn" in line)
    assert "<script>" not in md and "&lt;script&gt;" in row and "\\|" in row
    assert len([line for line in md.splitlines() if line.startswith("| ")]) == 2  # header and one row
    out = runner.invoke(app, ["register", "export", str(path), "--to", "appi-csv"]).stdout
    cells = list(csv.reader(io.StringIO(out)))[1]
    assert cells[0].startswith("'=HYPERLINK")


def test_committed_samples_are_what_export_writes() -> None:
    # appi-table.md quotes the catalog, which moves on: a snapshot, not compared here
    for to, name in (("csv", "register.csv"),):
        res = runner.invoke(app, ["register", "export", str(SAMPLE), "--to", to])
        assert res.exit_code == 0, res.output
        assert res.stdout == (SAMPLE.parent / name).read_text(encoding="utf-8"), (
            f"regenerate samples/register/{name}"
        )
