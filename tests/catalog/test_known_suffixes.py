"""Restricted-registration suffixes (known/restricted-suffixes.yaml): every row is a real public
suffix with its registry's eligibility policy cited and dated; every name under one is matched to
that kind of organisation unless a more specific list claims it; a row without its source is an
error; editing the table re-matches stored names (the known digest changes)."""

from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path

import pytest

from sekisho.catalog import load_catalog
from sekisho.catalog.known import icann_suffixes, load_known, load_restricted_suffixes
from sekisho.catalog.loader import bundled_catalog_dir
from sekisho.errors import CatalogError
from tests.catalog.helpers import match, read_table, write_table

KNOWN = bundled_catalog_dir() / "known"
TABLE = "restricted-suffixes.yaml"


def test_every_row_is_an_icann_suffix_with_a_dated_registry_source() -> None:
    rows = load_restricted_suffixes(KNOWN)
    suffixes = {r["suffix"] for r in rows}
    # the Japanese attribute-type names users here care most about, and the US/UK ones
    assert {"go.jp", "lg.jp", "ac.jp", "ed.jp", "edu", "gov", "ac.uk", "gov.uk"} <= suffixes
    assert not suffixes & {"co.jp", "or.jp", "ne.jp", "gr.jp", "com", "jp"}  # not one kind of organisation
    public = icann_suffixes()
    for r in rows:
        assert r["suffix"] in public, r["suffix"]
        assert str(r["source"]).startswith(("https://", "http://")), r["suffix"]
        assert r["source_kind"] in ("primary", "press", "secondary")
        assert isinstance(r["as_of"], dt.date) and r["read_on"] == dt.date(2026, 12, 1)
        assert r["country"] == "INT" or (len(r["country"]) == 2 and r["country"].isupper())  # INT: .int
        assert r.get("kind_ja"), r["suffix"]  # a Japanese name for every kind
        if r["as_of"] == r["read_on"]:
            assert r.get("undated") is True, r["suffix"]  # an undated page says so


def test_names_under_a_restricted_suffix_name_the_kind_unless_a_list_is_more_specific() -> None:
    cat, _ = load_catalog()
    names = [
        "www.cpp.edu",
        "www.city.chiyoda.lg.jp",
        "www.mext.go.jp",
        "www.u-tokyo.ac.jp",
        "www.ftc.gov",
        "www.mit.edu",
    ]
    got = match(cat, names)
    assert got["www.cpp.edu"] == ("cpp.edu", "suffix:edu")  # the registrable domain names which one
    assert got["www.city.chiyoda.lg.jp"][1] == "suffix:lg.jp"
    assert got["www.mext.go.jp"][1] == "suffix:go.jp"
    assert got["www.u-tokyo.ac.jp"][1] == "suffix:ac.jp"
    assert got["www.ftc.gov"][1] == "suffix:gov"
    assert got["www.mit.edu"][1] == "v2fly:mit"  # an organisation's own list wins
    lg = cat.known.services["suffix:lg.jp"]
    assert lg.group and "地方公共団体" in lg.name and str(lg.provenance.url).startswith("http")


def _copy(tmp_path: Path) -> Path:
    root = tmp_path / "catalog"
    (root / "known").mkdir(parents=True)
    shutil.copy(KNOWN / TABLE, root / "known" / TABLE)
    return root


def test_a_row_without_its_source_is_refused(tmp_path: Path) -> None:
    root = _copy(tmp_path)
    data = read_table(root, TABLE)
    del data["suffixes"][0]["source"]
    write_table(root, TABLE, data)
    with pytest.raises(CatalogError, match="missing source"):
        load_known(root, user_dir=tmp_path / "none")


def test_editing_the_table_changes_the_known_digest(tmp_path: Path) -> None:
    root = _copy(tmp_path)
    before = load_known(root, user_dir=tmp_path / "none")
    assert before.digest and "suffix:go.jp" in before.services
    data = read_table(root, TABLE)
    data["suffixes"] = [r for r in data["suffixes"] if r["suffix"] != "go.jp"]
    write_table(root, TABLE, data)
    after = load_known(root, user_dir=tmp_path / "none")
    assert after.digest != before.digest and "suffix:go.jp" not in after.services
