"""The JSON reader reads a Zeek JSON time of seconds since the epoch as a number (not as text
parsed again) and still gives exactly what the line-by-line reading gives, whatever the time is:
a number, a number in a string, an ISO 8601 string, a boolean, null, an array, a number too large
for a date, 0 or 1 — on one line of a real Zeek JSON file (OTRF APT29) made so at test time."""

from __future__ import annotations

import re
import shutil
from pathlib import Path
from typing import Any

import pytest

from sekisho.catalog import open_catalog
from sekisho.ingest import duckdb_engine
from sekisho.match.scan import run_scan
from sekisho.store import Store

TS = re.compile(rb'"ts":[0-9.]+')
CHANGES = {
    "epoch": None,  # the file as it is
    "string-number": b'"ts":"1588316619.797806"',
    "iso": b'"ts":"2020-05-01T07:03:39.797806Z"',
    "true": b'"ts":true',
    "false": b'"ts":false',
    "null": b'"ts":null',
    "array": b'"ts":[1588316619]',
    "huge": b'"ts":1e300',
    "zero": b'"ts":0',
    "one": b'"ts":1.0',
    "negative": b'"ts":-1588316619.5',
}


def _scan(path: Path, db: Path) -> tuple[list[dict[str, Any]], list[tuple[Any, ...]]]:
    with Store(db) as store:
        files = run_scan([str(path)], store, open_catalog(), keep_all=True).files
        obs = store.con.execute("SELECT * FROM observations ORDER BY ALL").fetchall()
    return files, obs


@pytest.mark.parametrize("which", list(CHANGES))
@pytest.mark.parametrize("where", [5, 140])  # early, and near the end of the file
def test_time_read_as_a_number_equals_line_by_line(
    corpora: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, which: str, where: int
) -> None:
    src = corpora / "zeek" / "otrf_apt29_NEWYORK_dns.json"
    lines = src.read_bytes().splitlines(keepends=True)[:150]
    assert len(lines) == 150 and all(TS.search(line) for line in lines)
    change = CHANGES[which]
    if change is not None:
        lines[where] = TS.sub(change, lines[where], count=1)
    path = tmp_path / f"{which}.json"
    path.write_bytes(b"".join(lines))
    if which == "epoch" and where == 140:
        shutil.copy(src, path)  # the whole real file

    readings: list[bool] = []  # ts_text of each fast reading
    real = duckdb_engine.compile_json_fast

    def spy(*a: Any, **k: Any) -> str:
        readings.append(bool(a[5] if len(a) > 5 else k.get("ts_text", False)))
        return real(*a, **k)

    monkeypatch.setattr(duckdb_engine, "compile_json_fast", spy)
    fast = _scan(path, tmp_path / "fast.duckdb")
    monkeypatch.setattr(duckdb_engine, "json_fast_keys", lambda fmt: None)  # line by line only
    slow = _scan(path, tmp_path / "slow.duckdb")
    assert fast == slow
    assert readings[0] is False, "the time was not read as a number first"
    if which in ("epoch", "string-number", "null", "huge", "negative"):
        assert readings == [False], readings  # one reading, the time as a number
    if which in ("true", "false", "zero", "one", "iso", "array"):
        assert True in readings, readings  # in doubt, or no number: read with the time as text
    account = fast[0][0]
    assert account["lines"] == account["parsed"] + account["skipped"] + account["malformed"]
