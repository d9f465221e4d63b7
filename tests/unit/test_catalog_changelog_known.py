"""The catalog changelog may name lists of the known tier (``known/NAME`` is
``known/NAME.yaml``): `sekisho catalog validate` warned "changelog names unknown entry" eight times
on the shipped catalog for lists that exist (found by a QA pass). A list that does not exist is
still warned about."""

from __future__ import annotations

import shutil
from pathlib import Path

from sekisho.catalog import validate
from sekisho.catalog.loader import Finding, load_catalog
from sekisho.catalog.validate import check_references

SHIPPED = Path(__file__).resolve().parents[2] / "sekisho" / "data" / "catalog"


def _changelog_warnings(findings: list[Finding]) -> list[str]:
    return [f.message for f in findings if "changelog names unknown entry" in f.message]


def test_the_shipped_catalog_names_only_entries_it_has() -> None:
    cat, _ = load_catalog(SHIPPED)
    assert any(c.entry.startswith("known/") for c in cat.changelog)  # the case is exercised
    assert _changelog_warnings(check_references(cat)) == []


def test_a_known_list_that_does_not_exist_is_warned_about(tmp_path: Path) -> None:
    root = tmp_path / "catalog"
    shutil.copytree(SHIPPED, root)
    with (root / "CHANGELOG.yaml").open("a", encoding="utf-8") as f:
        f.write(
            '- {date: 2026-12-01, entry: known/no-such-list, change: "added", why: "test", source: null}\n'
        )
    _, findings = validate(root)
    assert _changelog_warnings(findings) == ["changelog names unknown entry 'known/no-such-list'"]
