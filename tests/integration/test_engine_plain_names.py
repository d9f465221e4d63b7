"""A name of plain DNS labels (1-63 lower-case letters, digits, '-', '_') is judged per group by one
regular expression, every other name by the full checks (normalisation, control characters, DNS
syntax). The verdicts at the edges of that shortcut — a label of 63 and of 64 characters, a name
of 253 and of 254, one letter, upper case, a final dot, an empty label, a wildcard, an escape — are
the same through Zeek TSV, DuckDB's JSON reader and the line-by-line reading (one malformed line
sends a JSON file there, and the line-by-line clause never takes the shortcut).

Inputs are Zeek dns logs written here (TSV and JSON lines, Zeek's documented formats)."""

from __future__ import annotations

from pathlib import Path

import pytest

from sekisho import api
from sekisho.store import Store
from tests.integration.test_engine_folds import T0, _db, _json_line, _tsv

L63, L64 = "a" * 63, "b" * 64
N253 = ".".join([L63, L63, L63, "c" * 61])  # 63 * 3 + 61 + 3 dots = 253 characters
N254 = N253 + "d"
# name as the log has it -> the stored name, or None when the record is malformed
CASES: dict[str, str | None] = {
    f"{L63}.example.com": f"{L63}.example.com",
    f"{L64}.example.com": None,  # a label over 63
    N253: N253,
    N254: None,  # a name over 253
    "a": "a",
    "Upper.Example.NET": "upper.example.net",
    "final.dot.example.org.": "final.dot.example.org",
    "empty..label.example": None,
    "*.wild.example.com": "*.wild.example.com",
    "nb\\x01\\x02name.example": "nb\\x01\\x02name.example",
    "has space.example": None,
    "under_score-dash.example.jp": "under_score-dash.example.jp",
}
RECORDS = [(i, f"10.0.0.{i % 3 + 1}", name) for i, name in enumerate(CASES)]


def _check(db: Path, result: dict[str, object], extra_malformed: int = 0) -> None:
    bad = sum(1 for v in CASES.values() if v is None)
    scan = result["scan"]
    assert isinstance(scan, dict)
    assert scan["malformed"] == bad + extra_malformed
    assert scan["parsed"] == len(CASES) - bad
    with Store(db, read_only=True) as store:
        got = {r[0] for r in store.con.execute("SELECT DISTINCT name FROM observations").fetchall()}
    assert got == {v for v in CASES.values() if v is not None}


def test_zeek_tsv(tmp_path: Path) -> None:
    log = tmp_path / "dns.log"
    _tsv(log, RECORDS)
    db = _db(tmp_path)
    _check(db, api.scan([str(log)], db))


@pytest.mark.parametrize("line_by_line", [False, True])
def test_json_lines(tmp_path: Path, line_by_line: bool) -> None:
    log = tmp_path / "dns.json"
    lines = [_json_line(*r) for r in RECORDS]
    if line_by_line:
        lines.insert(2, f'{{"ts": {T0}, "query": ')  # malformed: the file is read line by line
    log.write_text("\n".join(lines) + "\n")
    db = _db(tmp_path)
    _check(db, api.scan([str(log)], db, format_name="zeek-dns-json"), extra_malformed=int(line_by_line))
