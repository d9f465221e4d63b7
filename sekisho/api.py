"""The library's front door: what the CLI and web app call."""

from __future__ import annotations

from pathlib import Path

from sekisho.assess import Assessor, load_rules, load_settings
from sekisho.catalog import open_catalog


def assessor_for(catalog: Path | None = None, settings: Path | None = None, rules: Path | None = None) -> Assessor:
    """An assessor over the catalog at ``catalog`` (default: bundled) with an organisation's settings."""
    return Assessor(open_catalog(catalog), load_rules(rules), load_settings(settings))
