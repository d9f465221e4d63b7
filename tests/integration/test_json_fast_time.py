"""The JSON reader reads a Zeek JSON time of seconds since the epoch as a number (not as text
parsed again) and still gives exactly what the line-by-line reading gives, whatever the time is:
a number, a number in a string, an ISO 8601 string, a boolean, null, an array, a number too large
for a date, 0 or 1 — on one line of a real Zeek JSON file (OTRF APT29) made so at test time."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest

from tests.integration.test_json_fast import fast_and_slow

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

    fast, slow, calls = fast_and_slow(path, tmp_path, monkeypatch)
    assert fast == slow
    readings = [bool(a[5] if len(a) > 5 else k.get("ts_text", False)) for a, k in calls]  # ts_text of each
    assert readings[0] is False, "the time was not read as a number first"
    if which in ("epoch", "string-number", "null", "huge", "negative"):
        assert readings == [False], readings  # one reading, the time as a number
    if which in ("true", "false", "zero", "one", "iso", "array"):
        assert True in readings, readings  # in doubt, or no number: read with the time as text
    account = fast[0][0]
    assert account["lines"] == account["parsed"] + account["skipped"] + account["malformed"]
