"""A store that opens but whose blocks cannot be read — cut short by a full disk or an interrupted
copy, or damaged — gives one line naming the file and what is wrong, exit 1; it gave a DuckDB
traceback from `db info`, `report` and `scan` (found by a QA pass).

Real data: the store is made by scanning the real dnsmasq 2.90 log of ../shared/corpora; the test
then cuts a copy short, and overwrites blocks of another copy.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

DNSMASQ = "dnsmasq/dnsmasq_2.90_log-queries.log"


def _sekisho(*args: str, home: Path) -> subprocess.CompletedProcess[str]:
    cmd = [sys.executable, "-c", "from sekisho.cli.main import main; main()", *args]
    env = {**os.environ, "SEKISHO_CACHE": str(home / "cache"), "SEKISHO_WAIT": "0"}
    return subprocess.run(cmd, capture_output=True, text=True, env=env, timeout=120, check=False)


@pytest.fixture(scope="module")
def good_store(corpora: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    home = tmp_path_factory.mktemp("store")
    db = home / "good.duckdb"
    done = _sekisho("scan", str(corpora / DNSMASQ), "--db", str(db), home=home)
    assert done.returncode == 0, done.stderr
    return db


def _damaged(good: Path, tmp_path: Path, how: str) -> Path:
    db = tmp_path / f"{how}.duckdb"
    shutil.copyfile(good, db)
    size = db.stat().st_size
    with db.open("r+b") as f:
        if how == "cut":
            f.truncate(size * 2 // 3)  # the header is whole, later blocks are missing
        else:
            # DuckDB's blocks (256 KiB) follow its three 4 KiB headers; each starts with its
            # checksum: spoil every block's, so that any block a command reads fails its check
            for offset in range(3 * 4096, size, 256 * 1024):
                f.seek(offset)
                f.write(b"\xa5" * 8)
    return db


# (a report may not need the blocks a cut removed: DuckDB reads only the blocks a query needs)
CASES = [
    ("cut", ("db", "info")),
    ("cut", ("scan", "__LOG__")),
    ("overwritten", ("db", "info")),
    ("overwritten", ("report",)),
    ("overwritten", ("scan", "__LOG__")),
]


@pytest.mark.parametrize(("how", "command"), CASES)
def test_a_damaged_store_is_one_clear_error(
    good_store: Path, corpora: Path, tmp_path: Path, how: str, command: tuple[str, ...]
) -> None:
    db = _damaged(good_store, tmp_path, how)
    args = [str(corpora / DNSMASQ) if a == "__LOG__" else a for a in command]
    done = _sekisho(*args, "--db", str(db), home=tmp_path)
    assert done.returncode == 1
    assert "Traceback" not in done.stderr
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1, done.stderr
    assert lines[0].startswith(f"error: {db}: ")
    assert "damaged or cut short" in lines[0] or "cannot open the database" in lines[0]
