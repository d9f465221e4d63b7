"""JSON lines read by DuckDB's JSON reader (the fast path) give exactly what the line-by-line
reading gives: every file's account and every observation. The fast path is taken only when each
line is one JSON object and none is malformed; anything else is read line by line again.

Real files from the corpora (Zeek JSON from WRCCDC 2018 and OTRF APT29, Suricata EVE), and
copies of a real file with one line made hostile at test time (a blank line, a line that is not
a JSON object, two objects on one line, a name that is no DNS name, no final newline).
"""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import pytest

from sekisho.catalog import open_catalog
from sekisho.ingest import duckdb_engine
from sekisho.match.scan import run_scan
from sekisho.store import Store

Reading = tuple[list[dict[str, Any]], list[tuple[Any, ...]]]  # (file accounts, observations)
VARIANTS = [
    "wrccdc",
    "apt29",
    "suricata",
    "blank",
    "not-object",
    "two-objects",
    "bad-name",
    "no-final-newline",
]


def _scan(path: Path, db: Path) -> Reading:
    with Store(db) as store:
        files = run_scan([str(path)], store, open_catalog(), keep_all=True).files
        obs = store.con.execute("SELECT * FROM observations ORDER BY ALL").fetchall()
    return files, obs


def fast_and_slow(
    path: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> tuple[Reading, Reading, list[tuple[tuple[Any, ...], dict[str, Any]]]]:
    """Scan ``path`` twice, into two stores: as sekisho does (the JSON reader where it may), then
    line by line only. Returns both readings and the arguments of every JSON-reader query
    compiled in the first (``compile_json_fast``'s positional and keyword arguments)."""
    calls: list[tuple[tuple[Any, ...], dict[str, Any]]] = []
    real = duckdb_engine.compile_json_fast

    def spy(*a: Any, **k: Any) -> str:
        calls.append((a, k))
        return real(*a, **k)

    monkeypatch.setattr(duckdb_engine, "compile_json_fast", spy)
    fast = _scan(path, tmp_path / "fast.duckdb")
    monkeypatch.setattr(duckdb_engine, "json_fast_keys", lambda fmt: None)  # line by line only
    slow = _scan(path, tmp_path / "slow.duckdb")
    return fast, slow, calls


def _variants(corpora: Path, tmp: Path) -> list[Path]:
    src = corpora / "zeek" / "wrccdc2018_dns_head3000.json"
    lines = src.read_bytes().splitlines(keepends=True)
    out = [
        src,
        corpora / "zeek" / "otrf_apt29_NEWYORK_dns.json",
        corpora / "suricata" / "surevego_eve_2017.json",
    ]
    hostile = {
        "blank": lines[:100] + [b"\n"] + lines[100:200],
        "not-object": lines[:100] + [b"[1, 2]\n"] + lines[100:200],
        "two-objects": lines[:100] + [lines[100].rstrip(b"\n") + lines[101]] + lines[102:200],
        "bad-name": lines[:100]
        + [lines[100].replace(b'"query":"', b'"query":"evil[/] ', 1)]
        + lines[101:200],
        "no-final-newline": lines[:199] + [lines[199].rstrip(b"\n")],
    }
    for name, body in hostile.items():
        path = tmp / f"{name}.json"
        path.write_bytes(b"".join(body))
        out.append(path)
    return out


@pytest.mark.parametrize("which", VARIANTS)
def test_json_reader_equals_line_by_line(
    corpora: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, which: str
) -> None:
    path = dict(zip(VARIANTS, _variants(corpora, tmp_path), strict=True))[which]
    local = tmp_path / ("copy-" + path.name)
    shutil.copy(path, local)
    fast, slow, calls = fast_and_slow(local, tmp_path, monkeypatch)
    assert fast == slow
    if which in ("wrccdc", "apt29"):
        assert calls, "the JSON reader was not used for a plain Zeek JSON file"
    assert fast[0][0]["lines"] == fast[0][0]["parsed"] + fast[0][0]["skipped"] + fast[0][0]["malformed"]
