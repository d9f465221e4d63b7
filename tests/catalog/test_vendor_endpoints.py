"""sekisho's own sourced organisation tables: vendors' endpoint lists (known/vendor-endpoints.yaml)
and organisations' sites (known/organisation-sites.yaml). Every row cites a dated page and quotes
the names it claims; a name on a row is matched to that row's organisation unless a researched
service, a v2fly or PSL organisation list holds it (or a name above it); both come before AdGuard
companies and the restricted-suffix groups; a row without its source, or with an operator id the
catalog does not have, is an error; editing a table re-matches stored names."""

from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path
from typing import Any

import pytest

from sekisho.catalog import load_catalog
from sekisho.catalog.known import SITES, VENDORS, SourcedTable, icann_suffixes, load_known, load_sourced_rows
from sekisho.catalog.loader import bundled_catalog_dir
from sekisho.errors import CatalogError
from sekisho.match import NameMatcher
from tests.catalog.helpers import match, read_table, write_table

ROOT = bundled_catalog_dir()
KNOWN = ROOT / "known"
TABLE = "vendor-endpoints.yaml"
TABLES = pytest.mark.parametrize("table", [VENDORS, SITES], ids=lambda t: t.tier)


@TABLES
def test_every_row_cites_a_dated_page_that_lists_its_names(table: SourcedTable) -> None:
    rows = load_sourced_rows(KNOWN, table)
    assert len(rows) >= 20
    public = icann_suffixes()
    seen: set[str] = set()
    for r in rows:
        assert str(r["source"]).startswith(("https://", "http://")), r["id"]
        assert r["source_kind"] in ("primary", "press", "secondary"), r["id"]
        assert isinstance(r["as_of"], dt.date) and r["read_on"] == dt.date(2026, 12, 1), r["id"]
        if r["as_of"] == r["read_on"]:
            assert r.get("undated") is True, r["id"]  # an undated page says so
        names = r["domains"] + r["hostnames"]
        assert names, r["id"]
        for n in names:
            assert n not in public and "." in n, n  # a registrable name, never a public suffix
            assert n in r["note"].lower(), (r["id"], n)  # the page's own listing is quoted
            assert n not in seen, n  # one row claims a name
            seen.add(n)
        op = str(r["operator"])
        if op.islower() and " " not in op:
            assert (ROOT / "operators" / f"{op}.yaml").is_file(), (r["id"], op)


def test_a_name_on_a_vendors_list_is_that_vendors() -> None:
    cat, _ = load_catalog()
    got = match(
        cat,
        [
            "ts01-b.cloudsink.net",
            "updates.paloaltonetworks.com",
            "telemetry.microsoft.com.nsatc.net",
            "ns1.p01.dynect.net",
            "service.fortiguard.net",
            "database.clamav.net",
        ],
    )
    assert got["ts01-b.cloudsink.net"] == ("cloudsink.net", "vendor:crowdstrike-falcon-cloud")
    assert got["updates.paloaltonetworks.com"][1] == "vendor:paloaltonetworks-cortex-xdr"
    assert got["telemetry.microsoft.com.nsatc.net"] == ("nsatc.net", "vendor:markmonitor-nsatc")
    assert got["ns1.p01.dynect.net"][1] == "vendor:dyn-managed-dns"
    assert got["service.fortiguard.net"][1] == "vendor:fortinet-fortiguard"
    assert got["database.clamav.net"][1] == "vendor:clamav-database"
    falcon = cat.known.services["vendor:crowdstrike-falcon-cloud"]
    assert falcon.operator == "crowdstrike-holdings" and not falcon.group
    assert falcon.provenance.url and "falcon-helm" in falcon.provenance.url
    dyn = cat.known.services["vendor:dyn-managed-dns"]
    assert dyn.operator is None and "(Dyn" in dyn.name  # not a catalog operator: named in the entry


def test_v2fly_organisation_lists_and_researched_services_come_first() -> None:
    cat, _ = load_catalog()
    got = match(cat, ["v10.vortex-win.data.microsoft.com", "downloads.upd.kaspersky.com"])
    # both vendors' lists hold these, but v2fly's microsoft and kaspersky lists hold the domain
    assert got["v10.vortex-win.data.microsoft.com"][1] == "v2fly:microsoft"
    assert got["downloads.upd.kaspersky.com"][1] == "v2fly:kaspersky"
    index = {(n, sid) for n, sid, _exact, _rank in cat.known.index()}
    assert ("data.microsoft.com", "vendor:microsoft-windows-diagnostics") not in index
    assert ("kaspersky.com", "vendor:kaspersky-update") not in index
    assert ("cloudsink.net", "vendor:crowdstrike-falcon-cloud") in index


def test_a_vendors_list_comes_before_the_suffix_groups() -> None:
    cat, _ = load_catalog()
    assert "suffix:mil" in cat.known.services
    got = match(cat, ["api.us-gov-2.crowdstrike.mil", "www.disa.mil"])
    assert got["api.us-gov-2.crowdstrike.mil"] == ("crowdstrike.mil", "vendor:crowdstrike-falcon-api")
    assert got["www.disa.mil"][1] == "suffix:mil"  # no vendor lists it: the group names the kind


def _catalog_copy(tmp_path: Path) -> Path:
    root = tmp_path / "catalog"
    shutil.copytree(ROOT, root, ignore=shutil.ignore_patterns("__pycache__"))
    return root


def _extra_row(name: str) -> dict[str, Any]:
    return {
        "id": "test-extra",
        "name": "a row of this test",
        "operator": "cisco-systems",
        "domains": [name],
        "source": "https://documentation.meraki.com/SM/Other_Topics/Systems_Manager_Firewall_Rules",
        "source_kind": "primary",
        "as_of": dt.date(2026, 12, 1),
        "undated": True,
        "read_on": dt.date(2026, 12, 1),
        "note": f"lists {name}",
    }


def test_researched_services_keep_their_names_and_adguard_yields(tmp_path: Path) -> None:
    cat, _ = load_catalog()
    # a researched service's domain no v2fly or PSL organisation list holds: a vendor row listing
    # it would claim it, were the researched entry not first
    held = {
        n
        for ks in cat.known.services.values()
        if not ks.group and ks.id.split(":", 1)[0] in ("v2fly", "psl")
        for n in ks.domains
    }
    researched = next(
        (sid, d)
        for sid, svc in sorted(cat.services.items())
        for d in svc.domains.value
        if d.count(".") == 1 and d not in held
    )
    adguard_only = "norton.com"  # AdGuard's Symantec company holds it; no v2fly or PSL list does
    assert match(cat, [f"www.{adguard_only}"])[f"www.{adguard_only}"][1] == "adguard:symantec"
    root = _catalog_copy(tmp_path)
    data = read_table(root, TABLE)
    data["vendors"] += [_extra_row(researched[1]) | {"id": "test-researched"}, _extra_row(adguard_only)]
    write_table(root, TABLE, data)
    cat2, _ = load_catalog(root)
    index = {(n, sid) for n, sid, _exact, _rank in cat2.known.index()}
    assert (researched[1], "vendor:test-researched") in index  # the known tier holds it ...
    got = match(cat2, [f"www.{researched[1]}", f"www.{adguard_only}"])
    assert got[f"www.{researched[1]}"][1] == researched[0]  # ... but the researched entry wins
    assert got[f"www.{adguard_only}"][1] == "vendor:test-extra"  # a vendor's list before AdGuard


@TABLES
def test_a_row_without_its_source_is_refused(tmp_path: Path, table: SourcedTable) -> None:
    root = _catalog_copy(tmp_path)
    data = read_table(root, table.file)
    del data[table.key][0]["source"]
    write_table(root, table.file, data)
    with pytest.raises(CatalogError, match="missing source"):
        load_known(root, user_dir=tmp_path / "none")


@TABLES
def test_an_unknown_operator_id_or_a_public_suffix_is_refused(tmp_path: Path, table: SourcedTable) -> None:
    root = _catalog_copy(tmp_path)
    data = read_table(root, table.file)
    data[table.key][0]["operator"] = "no-such-operator"
    write_table(root, table.file, data)
    with pytest.raises(CatalogError, match="unknown operator 'no-such-operator'"):
        load_known(root, user_dir=tmp_path / "none")
    data[table.key][0]["operator"] = "palo-alto-networks"
    data[table.key][0]["domains"] = ["co.jp"]
    write_table(root, table.file, data)
    with pytest.raises(CatalogError, match="not a registrable name"):
        load_known(root, user_dir=tmp_path / "none")


def test_a_name_on_an_organisations_site_row_is_that_organisations() -> None:
    cat, _ = load_catalog()
    got = match(
        cat, ["www.libreoffice.org", "4m6b4.x.incapdns.net", "docs.rocket.chat", "prod-tp.sumo.moz.works"]
    )
    assert got["www.libreoffice.org"] == ("libreoffice.org", "site:the-document-foundation")
    assert got["4m6b4.x.incapdns.net"] == ("incapdns.net", "site:imperva-incapsula-dns")
    assert got["docs.rocket.chat"][1] == "site:rocket-chat"
    moz = cat.known.services[str(got["prod-tp.sumo.moz.works"][1])]
    assert moz.operator == "mozilla-corporation" and not moz.group  # a catalog operator, by id
    tdf = cat.known.services["site:the-document-foundation"]
    assert tdf.operator is None and "(The Document Foundation, DE)" in tdf.name
    assert tdf.provenance.file == "known/organisation-sites.yaml"


def test_a_site_row_yields_to_v2fly_and_comes_before_adguard(tmp_path: Path) -> None:
    cat, _ = load_catalog()
    adguard_only = "norton.com"  # AdGuard's Symantec company holds it; no v2fly or PSL list does
    root = _catalog_copy(tmp_path)
    data = read_table(root, SITES.file)
    data["sites"] += [
        _extra_row("microsoft.com") | {"id": "test-v2fly"},  # v2fly:microsoft holds it
        _extra_row(adguard_only),
    ]
    write_table(root, SITES.file, data)
    cat2, _ = load_catalog(root)
    got = match(cat2, ["www.microsoft.com", f"www.{adguard_only}"])
    assert str(got["www.microsoft.com"][1]).startswith("v2fly:microsoft")  # not the site row
    assert got[f"www.{adguard_only}"][1] == "site:test-extra"
    assert match(cat, [f"www.{adguard_only}"])[f"www.{adguard_only}"][1] == "adguard:symantec"


def test_editing_the_table_changes_the_known_digest(tmp_path: Path) -> None:
    root = _catalog_copy(tmp_path)
    before = load_known(root, user_dir=tmp_path / "none")
    assert before.digest and "vendor:clamav-database" in before.services
    version_before = NameMatcher(load_catalog(root)[0]).version
    data = read_table(root, TABLE)
    data["vendors"] = [r for r in data["vendors"] if r["id"] != "clamav-database"]
    write_table(root, TABLE, data)
    after = load_known(root, user_dir=tmp_path / "none")
    assert after.digest != before.digest and "vendor:clamav-database" not in after.services
    # matches are cached under the matcher's version: a new digest re-matches stored names
    assert NameMatcher(load_catalog(root)[0]).version != version_before
