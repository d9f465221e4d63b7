"""A database made ahead of need (the watcher's store opener makes one) is what the engine's next
connection uses, and it is locked down exactly as a new one: only the given files are readable,
and no setting can be changed."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest

from sekisho.ingest import duckdb_engine
from sekisho.ingest.duckdb_engine import add_spare_connection, engine_connection


def test_the_spare_database_is_taken_once_and_locked(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # (a watcher run earlier in this process may have left its spare unused)
    monkeypatch.setattr(duckdb_engine, "_SPARE", [])
    allowed, other = tmp_path / "a.log", tmp_path / "b.log"
    allowed.write_text("x\n")
    other.write_text("y\n")
    spare = duckdb.connect(":memory:")
    add_spare_connection(spare)
    con = engine_connection([allowed])
    try:
        assert con is spare and not duckdb_engine._SPARE
        assert con.execute(f"SELECT count(*) FROM read_csv('{allowed}', header=false)").fetchone() == (1,)
        with pytest.raises(duckdb.Error):
            con.execute(f"SELECT * FROM read_csv('{other}', header=false)").fetchall()
        with pytest.raises(duckdb.Error):
            con.execute("SET enable_external_access = true")
    finally:
        con.close()
    again = engine_connection([allowed])  # none left: a new one
    try:
        assert again is not spare
    finally:
        again.close()


def test_one_spare_is_kept(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(duckdb_engine, "_SPARE", [])
    first, second = duckdb.connect(":memory:"), duckdb.connect(":memory:")
    add_spare_connection(first)
    add_spare_connection(second)  # the first is still unused: the second is closed
    assert [first] == duckdb_engine._SPARE
    with pytest.raises(duckdb.Error):
        second.execute("SELECT 1")
    first.close()
