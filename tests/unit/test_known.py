"""The known tier: importers (real git, the real PSL snapshot), the bundled sets, matching order."""

from __future__ import annotations

import gzip
import json
import shutil
import subprocess
from pathlib import Path

import duckdb
import pyarrow as pa
import pytest
from typer.testing import CliRunner

from sekisho.catalog import bundled_catalog_dir, open_catalog, validate
from sekisho.catalog.known import (
    bundled_psl_text,
    import_psl,
    import_v2fly,
    load_known,
    run_import,
)
from sekisho.cli.main import app
from sekisho.errors import CatalogError
from sekisho.match import NameMatcher
from sekisho.model.known import KnownService

DATA = Path(__file__).resolve().parents[1] / "data"


def _git(repo: Path, *args: str) -> str:
    return subprocess.run(
        ["git", "-C", str(repo), *args], check=True, capture_output=True, text=True
    ).stdout.strip()


@pytest.fixture()
def v2fly_repo(tmp_path: Path) -> Path:
    """A small domain-list-community checkout made with real git, in the project's syntax."""
    repo = tmp_path / "dlc"
    (repo / "data").mkdir(parents=True)
    (repo / "data" / "acme").write_text(
        "# Acme's names\ninclude:acme-cdn\nacme.example\ndomain:acme-mail.example @cn\n"
        "full:login.acme-sso.example\nregexp:^acme[0-9]+\\.example$\nkeyword:acme\n",
        encoding="utf-8",
    )
    (repo / "data" / "acme-cdn").write_text("acmecdn.example @ads  # its ads\n", encoding="utf-8")
    (repo / "data" / "category-things").write_text("com\nthings.example\nnot a name\n", encoding="utf-8")
    (repo / "data" / "private").write_text("local\nlan\n", encoding="utf-8")
    _git(repo, "init", "-q")
    _git(repo, "add", ".")
    _git(repo, "-c", "user.name=t", "-c", "user.email=t@example.org", "commit", "-qm", "lists")
    return repo


def test_v2fly_import_keeps_names_tags_includes_and_counts_what_it_skips(v2fly_repo: Path) -> None:
    doc, report = import_v2fly(v2fly_repo)
    rows = {r["id"]: r for r in doc["services"]}
    assert doc["commit"] == _git(v2fly_repo, "rev-parse", "HEAD") and doc["licence"] == "MIT"
    acme = rows["v2fly:acme"]
    assert acme["domains"] == ["acme-mail.example", "acme.example"]
    assert acme["hostnames"] == ["login.acme-sso.example"]
    assert acme["tags"] == {"acme-mail.example": ["cn"]} and acme["includes"] == ["acme-cdn"]
    assert rows["v2fly:acme-cdn"]["tags"] == {"acmecdn.example": ["ads"]}
    assert rows["v2fly:category-things"]["group"] and rows["v2fly:category-things"]["domains"] == [
        "things.example"
    ]
    assert "v2fly:private" not in rows
    assert (
        report.skipped["regexp rule (not a name)"] == 1 and report.skipped["keyword rule (not a name)"] == 1
    )
    # every dropped line is named with file:line
    assert "data/category-things:1: public suffix (not one organisation's)" in report.problems
    assert "data/category-things:3: not a domain name" in report.problems


def test_v2fly_import_reads_a_bare_git_directory_too(v2fly_repo: Path, tmp_path: Path) -> None:
    bare = tmp_path / "bare.git"
    subprocess.run(["git", "clone", "-q", "--bare", str(v2fly_repo), str(bare)], check=True)
    doc, _ = import_v2fly(bare)
    assert {r["id"] for r in doc["services"]} == {"v2fly:acme", "v2fly:acme-cdn", "v2fly:category-things"}


def test_psl_private_blocks_become_organisations_without_personal_data() -> None:
    text, where = bundled_psl_text()
    doc, report = import_psl(text, where)
    rows = {r["id"]: r for r in doc["services"]}
    assert "github.io" in rows["psl:github-inc"]["domains"]
    assert doc["licence"] == "MPL-2.0" and doc["commit"].split()[0] in text
    assert report.services > 400
    blob = json.dumps(doc)
    assert "Submitted by" not in blob and "@" not in blob  # submitters' names and e-mails are not kept


def test_bundled_known_tier_is_large_valid_and_carries_provenance_on_every_row() -> None:
    known = load_known(bundled_catalog_dir(), user_dir=Path("/nonexistent"))
    assert len(known.services) >= 1500
    for ks in known.services.values():
        again = KnownService.model_validate(ks.model_dump())  # the constructed rows are valid
        # MIT (v2fly), MPL-2.0 (PSL), CC-BY-SA-4.0 (AdGuard companiesdb), Apache-2.0 (sekisho's own
        # restricted-suffix table), CC0-1.0 (the mirror of the operators' published IP ranges:
        # those entries hold address ranges, no names — sekisho.catalog.ipranges)
        assert again.provenance.commit
        assert again.provenance.licence in ("MIT", "MPL-2.0", "CC-BY-SA-4.0", "Apache-2.0", "CC0-1.0")
        ranges_only = again.id.startswith("iprange:")
        assert again.provenance.file and (again.domains or again.hostnames or again.includes or ranges_only)


def test_researched_names_win_over_known_and_full_entries_match_only_themselves() -> None:
    cat = open_catalog()
    m = NameMatcher(cat)
    con = duckdb.connect()
    names = ["www.tiktok.com", "maps.google.com", "login.acme-sso-test.com", "x.login.acme-sso-test.com"]
    con.register("n", pa.table({"name": names}))
    con.execute("CREATE TEMP TABLE pending AS SELECT DISTINCT name FROM n")
    from sekisho.match.bulk import entries_table, match_sql

    extra = [("login.acme-sso-test.com", "v2fly:acme", True, 0)]
    match_sql(con, "pending", "out", entries_table(m.index, cat.known.index() + extra))
    got = dict(con.execute("SELECT name, service_id FROM out").fetchall())
    assert "tiktok.com" in cat.known.services["v2fly:tiktok"].domains  # both tiers hold it …
    assert got["www.tiktok.com"] == m.service_for("www.tiktok.com")[0] == "tiktok"  # … researched wins
    assert got["maps.google.com"] == "v2fly:google"  # no researched entry lists it (mail.: gmail)
    assert got["login.acme-sso-test.com"] == "v2fly:acme" and got["x.login.acme-sso-test.com"] is None


def test_owner_mapping_to_a_missing_operator_is_an_error_with_its_line(tmp_path: Path) -> None:
    root = tmp_path / "cat"
    shutil.copytree(DATA / "catalog_ok", root)
    (root / "known").mkdir(exist_ok=True)
    shutil.copy(bundled_catalog_dir() / "known" / "v2fly.json.gz", root / "known")
    (root / "known" / "v2fly-owners-test.yaml").write_text("# test\ngoogle: no-such-operator\n")
    _, findings = validate(root)
    bad = [f for f in findings if "no-such-operator" in f.message]
    assert bad and bad[0].severity == "error" and bad[0].location.line == 2


def test_user_import_of_a_noncommercial_set_goes_to_the_cache_never_the_package(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SEKISHO_CACHE", str(tmp_path / "cache"))
    services = {
        "categories": {
            "Advertising": [{"Acme Ads": {"https://acme.example/": ["acmeads.example", "bad name"]}}]
        }
    }
    src = tmp_path / "services.json"
    src.write_text(json.dumps(services))
    with pytest.raises(CatalogError, match="never written into the bundled catalog"):
        run_import("disconnect", src, bundled_catalog_dir() / "known")
    out, report = run_import("disconnect", src)
    assert out == tmp_path / "cache" / "known" / "disconnect.json.gz"
    assert report.skipped == {"not a domain name": 1}
    doc = json.loads(gzip.decompress(out.read_bytes()))
    assert doc["licence"] == "CC-BY-NC-SA-4.0"
    known = load_known(bundled_catalog_dir())
    assert known.services["disconnect:acme-ads"].domains == ["acmeads.example"]


def test_cli_lists_and_shows_known_entries_without_a_level(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SEKISHO_CACHE", str(tmp_path / "cache"))
    runner = CliRunner()
    res = runner.invoke(app, ["services", "--known", "--json"])
    assert res.exit_code == 0, res.output
    rows = json.loads(res.output)
    known = [r for r in rows if r["tier"] == "known"]
    assert len(known) >= 1500 and all("safety_level" not in r for r in known)
    assert all(r["status"] == "known — not assessed" for r in known)
    res = runner.invoke(app, ["show", "v2fly:google", "--json"])
    assert res.exit_code == 0, res.output
    shown = json.loads(res.output)
    assert shown["assessed"] is False and "safety_level" not in shown
    assert shown["provenance"]["licence"] == "MIT" and "google.com" in shown["domains"]
    res = runner.invoke(app, ["show", "v2fly:google", "--lang", "ja"])
    assert "既知 — 未評価" in res.output


def test_show_names_the_page_a_row_of_sekishos_own_tables_rests_on(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SEKISHO_CACHE", str(tmp_path / "cache"))
    runner = CliRunner()
    want = json.loads(runner.invoke(app, ["show", "site:rocket-chat", "--json"]).output)["provenance"]["url"]
    assert want.startswith("https://") and "RocketChat" in want
    for lang, label in (("en", "Source: "), ("ja", "根拠のページ: ")):
        res = runner.invoke(app, ["show", "site:rocket-chat", "--lang", lang], env={"COLUMNS": "400"})
        assert res.exit_code == 0, res.output
        assert label + want in res.output
