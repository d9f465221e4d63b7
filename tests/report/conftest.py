"""A store holding the bundled sample logs (one generated office week), scanned once per session,
and a pseudonym key file of the test's own (never the user's)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from sekisho import api
from sekisho.api import assessor_for
from sekisho.assess import Assessor
from sekisho.store import Store
from tests.conftest import ROOT

SAMPLES = ROOT / "samples" / "logs"


@pytest.fixture(scope="session")
def sample_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    db = tmp_path_factory.mktemp("report") / "sample.duckdb"
    api.scan([str(SAMPLES)], db)
    return db


@pytest.fixture(scope="session")
def assessor() -> Assessor:
    return assessor_for()


@pytest.fixture()
def store(sample_db: Path) -> Iterator[Store]:
    with Store(sample_db, read_only=True) as s:
        yield s


@pytest.fixture(autouse=True)
def key_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    path = tmp_path / "config" / "pseudonym.key"
    monkeypatch.setenv("SEKISHO_PSEUDONYM_KEY", str(path))
    return path
