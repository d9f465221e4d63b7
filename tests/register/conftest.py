"""Registers for the register tests, written into tmp_path as YAML or CSV."""

from __future__ import annotations

import csv
import datetime as dt
from pathlib import Path
from typing import Any

import pytest

from sekisho.catalog.loader import Catalog, load_catalog
from sekisho.register.model import COLUMNS

TODAY = dt.date(2026, 12, 1)


def acceptance_parties() -> list[dict[str, Any]]:
    """Issue 16's acceptance register: controller -> processor (JP) -> subprocessor (JP,
    approved) -> subprocessor (CN, not approved, basis none)."""
    common = {"purposes": ["essential.service.operations"], "review_date": "2027-03-31"}
    return [
        {
            "id": "city",
            "name": "Example City",
            "role": "controller",
            "country": "JP",
            "data_categories": ["user.government_id", "user.contact"],
            "purposes": ["essential.service"],
        },
        {
            "id": "proc-jp",
            "name": "Entry K.K.",
            "role": "processor",
            "receives_from": "city",
            "country": "JP",
            "data_categories": ["user.government_id"],
            "transfer_basis": "contract",
            "approved_by_controller": True,
            **common,
        },
        {
            "id": "sub-jp",
            "name": "Keying K.K.",
            "role": "subprocessor",
            "receives_from": "proc-jp",
            "country": "JP",
            "data_categories": ["user.government_id"],
            "transfer_basis": "contract",
            "approved_by_controller": True,
            **common,
        },
        {
            "id": "sub-cn",
            "name": "Dalian keying",
            "role": "subprocessor",
            "receives_from": "sub-jp",
            "country": "CN",
            "data_categories": ["user.government_id"],
            "transfer_basis": "none",
            "approved_by_controller": False,
            **common,
        },
    ]


def write_yaml(path: Path, parties: list[dict[str, Any]]) -> Path:
    import yaml

    path.write_text(
        yaml.safe_dump({"parties": parties}, sort_keys=False, allow_unicode=True), encoding="utf-8"
    )
    return path


def write_csv(path: Path, parties: list[dict[str, Any]]) -> Path:
    with path.open("w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh)
        w.writerow(COLUMNS)
        for p in parties:
            row = []
            for c in COLUMNS:
                v = p.get(c, "")
                if isinstance(v, list):
                    v = ";".join(v)
                elif isinstance(v, bool):
                    v = "yes" if v else "no"
                row.append(v)
            w.writerow(row)
    return path


@pytest.fixture(scope="session")
def catalog() -> Catalog:
    cat, _ = load_catalog()
    return cat


ROOT_DATA = Path(__file__).resolve().parents[2] / "sekisho" / "data" / "fideslang"
