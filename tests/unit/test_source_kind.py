"""Issue 11, item 4: every fact names its source's kind, checked against the catalog's host list."""

from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path

import pytest

from sekisho.catalog import validate
from sekisho.catalog.validate import source_kind_counts

DATA = Path(__file__).resolve().parents[1] / "data"
TODAY = dt.date(2026, 12, 1)


@pytest.fixture()
def cat(tmp_path: Path) -> Path:
    root = tmp_path / "cat"
    shutil.copytree(DATA / "catalog_ok", root)
    (root / "source_hosts.yaml").write_text("example.org: secondary\nnews.example.com: press\n")
    return root


def _findings(root: Path, require: bool = False) -> list[str]:
    _, findings = validate(root, today=TODAY, require_source_kind=require)
    return [f"{f.location.path.name}:{f.location.line}:{f.severity}:{f.message}" for f in findings]


def test_missing_source_kind_is_one_warning_per_entry_with_a_count_or_an_error_per_fact(cat: Path) -> None:
    warn = [f for f in _findings(cat) if "without source_kind" in f]
    assert any(f.startswith("beta-chat.yaml:") and ":warning:" in f and " facts without" in f for f in warn)
    errors = [f for f in _findings(cat, require=True) if "without source_kind" in f]
    assert all(":error:" in f for f in errors) and len(errors) > len(warn)
    assert sum(source_kind_counts(validate(cat, today=TODAY)[0]).values()) >= len(errors)


def test_a_kind_stronger_than_the_host_list_allows_is_reported(cat: Path) -> None:
    svc = cat / "services" / "beta-chat.yaml"
    text = svc.read_text()
    line = next(x for x in text.splitlines() if x.strip().startswith("consent_withdrawal:"))
    svc.write_text(text.replace(line, line.rstrip().rstrip("}") + ", source_kind: primary}"))
    lineno = svc.read_text().splitlines().index(line.rstrip().rstrip("}") + ", source_kind: primary}") + 1
    got = [f for f in _findings(cat, require=True) if "source_hosts.yaml" in f]
    assert got == [
        f"beta-chat.yaml:{lineno}:error:source_kind 'primary', but example.org is 'secondary' in source_hosts.yaml"
    ]


def test_a_source_on_the_operators_own_domain_is_primary(cat: Path) -> None:
    svc = cat / "services" / "beta-chat.yaml"
    text = svc.read_text()
    domain = next(x for x in text.splitlines() if x.startswith("domains:"))
    own = domain.split("[", 1)[1].split(",")[0].split("]")[0].strip()
    line = next(x for x in text.splitlines() if x.strip().startswith("consent_withdrawal:"))
    new = (
        line.split("source:")[0] + f"source: https://{own}/privacy, as_of: 2025-06-01, source_kind: primary}}"
    )
    svc.write_text(text.replace(line, new))
    assert not [f for f in _findings(cat, require=True) if "source_hosts.yaml" in f]


def test_as_of_equal_to_read_on_needs_undated(cat: Path) -> None:
    svc = cat / "services" / "beta-chat.yaml"
    text = svc.read_text()
    line = next(x for x in text.splitlines() if x.strip().startswith("consent_withdrawal:"))
    read = line.rstrip().rstrip("}") + ", read_on: 2025-06-01}"
    svc.write_text(text.replace(line, read))
    assert any("as_of equal to read_on" in f for f in _findings(cat, require=True))
    svc.write_text(text.replace(line, read.rstrip("}") + ", undated: true}"))
    assert not any("as_of equal to read_on" in f for f in _findings(cat, require=True))
