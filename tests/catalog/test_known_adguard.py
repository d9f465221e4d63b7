"""AdGuard companiesdb in the known tier: the importer (a checkout and a real git directory), the
bundled file's provenance and licence, and the rule that its names yield to every name a v2fly or
PSL organisation list holds. The fixture tests/data/adguard-companiesdb is an excerpt of the real
dist/ files (CC BY-SA 4.0; see tests/data/README.md)."""

from __future__ import annotations

import gzip
import json
import shutil
import subprocess
from pathlib import Path

import duckdb
import pyarrow as pa
import pytest

from sekisho.catalog import load_catalog
from sekisho.catalog.known import import_adguard, load_known, run_import
from sekisho.catalog.loader import bundled_catalog_dir
from sekisho.errors import CatalogError
from sekisho.match import NameMatcher
from tests.conftest import DATA

FIXTURE = DATA / "adguard-companiesdb"
BUNDLED = bundled_catalog_dir() / "known" / "adguard-companies.json.gz"


def test_import_groups_trackers_by_company_and_keeps_companyless_trackers_apart() -> None:
    doc, report = import_adguard(FIXTURE)
    rows = {r["id"]: r for r in doc["services"]}
    # comScore's trackers (comscore, adxpose, scorecard_research_beacon, voicefive …) are one entry
    comscore = rows["adguard:comscore"]
    assert comscore["name"] == "comScore, Inc."
    assert {"scorecardresearch.com", "ads.adxpose.com", "voicefive.com", "zqtk.net"} <= set(
        comscore["domains"]
    )
    assert comscore["tags"]["scorecardresearch.com"] == ["site_analytics"]
    # a tracker without a company is an entry of its own, named by the tracker
    assert rows["adguard:tracker-a3cloud-net"]["domains"] == ["a3cloud.net"]
    trackers = json.loads((FIXTURE / "dist" / "trackers.json").read_text(encoding="utf-8"))
    assert report.names == len(trackers["trackerDomains"]) == sum(len(r["domains"]) for r in rows.values())
    assert doc["licence"] == "CC-BY-SA-4.0" and doc["dataset"] == "AdguardTeam/companiesdb"
    assert report.skipped == {}


def test_import_reads_a_git_directory_and_records_its_commit(tmp_path: Path) -> None:
    if shutil.which("git") is None:
        pytest.skip("git is not installed")
    repo = tmp_path / "companiesdb"
    shutil.copytree(FIXTURE, repo)
    # a public suffix and a non-name in the data: skipped and counted, never imported
    trackers = json.loads((repo / "dist" / "trackers.json").read_text(encoding="utf-8"))
    trackers["trackerDomains"]["co.uk"] = "comscore"
    trackers["trackerDomains"]["not a name"] = "comscore"
    (repo / "dist" / "trackers.json").write_text(json.dumps(trackers), encoding="utf-8")
    git = ["git", "-c", "user.name=t", "-c", "user.email=t@t", "-C", str(repo)]
    subprocess.run([*git, "init", "-q"], check=True)
    subprocess.run([*git, "add", "."], check=True)
    subprocess.run([*git, "commit", "-q", "-m", "fixture"], check=True)
    head = subprocess.run(
        [*git, "rev-parse", "HEAD"], check=True, capture_output=True, text=True
    ).stdout.strip()
    bare = tmp_path / "bare.git"
    subprocess.run(["git", "clone", "-q", "--mirror", str(repo), str(bare)], check=True)
    doc, report = import_adguard(bare)  # no work tree: read with git show
    assert doc["commit"] == report.commit == head
    assert report.skipped == {"not a domain name": 1, "public suffix (not one organisation's)": 1}
    assert all("co.uk" not in r["domains"] for r in doc["services"])
    out, _ = run_import("adguard-companies", bare, tmp_path / "out")
    with gzip.open(out) as fh:
        assert json.loads(fh.read())["commit"] == head


def test_import_refuses_what_is_not_companiesdb(tmp_path: Path) -> None:
    (tmp_path / "dist").mkdir()
    (tmp_path / "dist" / "trackers.json").write_text('{"trackers": {}}', encoding="utf-8")
    (tmp_path / "dist" / "companies.json").write_text('{"companies": {}}', encoding="utf-8")
    with pytest.raises(CatalogError, match="trackerDomains"):
        import_adguard(tmp_path)
    with pytest.raises(CatalogError, match=r"no dist/trackers\.json"):
        import_adguard(tmp_path / "nowhere")


def test_bundled_set_carries_its_commit_and_licence_on_every_entry() -> None:
    with gzip.open(BUNDLED) as fh:
        doc = json.loads(fh.read())
    assert doc["commit"] == "94ac1779b1de0ba5f72253abcb24cea0680e66d6"
    assert doc["licence"] == "CC-BY-SA-4.0" and len(doc["services"]) > 2500
    known = load_known(bundled_catalog_dir(), user_dir=Path("/nonexistent"))
    rows = [ks for sid, ks in known.services.items() if sid.startswith("adguard:")]
    assert len(rows) == len(doc["services"])
    assert all(
        ks.provenance.licence == "CC-BY-SA-4.0" and ks.provenance.commit == doc["commit"] for ks in rows
    )
    text = (bundled_catalog_dir() / "known" / "LICENSES.txt").read_text(encoding="utf-8")
    assert "adguard-companies.json.gz" in text and doc["commit"] in text and "CC BY-SA 4.0" in text


def test_adguard_names_yield_to_v2fly_and_psl_organisation_lists() -> None:
    cat, _ = load_catalog()
    known = cat.known
    index = known.index()
    adguard_names = {n for n, sid, _exact, _rank in index if sid.startswith("adguard:")}
    # doubleclick.net is in both AdGuard's Google entry and v2fly's google list: v2fly keeps it
    assert "doubleclick.net" in known.services["adguard:google"].domains
    assert "doubleclick.net" in known.services["v2fly:google"].domains
    assert "doubleclick.net" not in adguard_names
    held = {
        n
        for sid, ks in known.services.items()
        if sid.split(":")[0] in ("v2fly", "psl") and not ks.group
        for n in ks.domains
    }
    for name in adguard_names:
        labels = name.split(".")
        assert not any(".".join(labels[i:]) in held for i in range(len(labels))), name
    # …and what no other list names is AdGuard's
    con = duckdb.connect()
    names = ["b.scorecardresearch.com", "pixel.quantserve.com", "stats.g.doubleclick.net"]
    con.register("n", pa.table({"name": names}))
    con.execute("CREATE TEMP TABLE pending AS SELECT DISTINCT name FROM n")
    NameMatcher(cat).match_table(con, "pending", "out")
    got = dict(con.execute("SELECT name, service_id FROM out").fetchall())
    assert got["b.scorecardresearch.com"] == "adguard:comscore"
    assert got["pixel.quantserve.com"] == "adguard:quantcast"
    assert got["stats.g.doubleclick.net"] == "v2fly:google"
