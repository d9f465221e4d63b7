"""The engine aggregates lines per (day, client, raw name), then judges and normalises each group;
two groups become one observation when the normalised names (case, blanks, the final dot) or the
clients (missing and '-') are the same. The store must then hold one row per (day, client, name)
with every line counted — whether the file is read by DuckDB's JSON reader, as Zeek TSV, or line
by line (a malformed line among them).

Inputs are Zeek dns logs written here (JSON lines and TSV, Zeek's documented formats)."""

from __future__ import annotations

import datetime as dt
import json
from collections import Counter
from pathlib import Path
from typing import Any

from sekisho import api
from sekisho.store import Store

DAY = dt.datetime.now(dt.UTC).replace(hour=0, minute=0, second=0, microsecond=0) - dt.timedelta(days=3)
T0 = DAY.timestamp() + 3600


def _db(tmp_path: Path) -> Path:
    db = tmp_path / "s.duckdb"
    with Store(db) as store:
        store.set_setting("retention_days", str(365 * 100))
        store.set_setting("detail_days", str(365 * 100))
    return db


def _rows(db: Path) -> dict[tuple[str, str], tuple[int, Any, Any]]:
    with Store(db, read_only=True) as store:
        got = store.con.execute(
            "SELECT client, name, queries, first_seen, last_seen FROM observations ORDER BY ALL"
        ).fetchall()
    keys = [(c, n) for c, n, *_ in got]
    assert len(keys) == len(set(keys)), f"two rows for one (day, client, name): {got}"
    return {(c, n): (q, f, la) for c, n, q, f, la in got}


# (seconds after T0, client or None for a record without one, name as the log has it)
RECORDS = [
    (0, "10.0.0.1", "Example.COM"),
    (5, "10.0.0.1", "example.com."),
    (9, "10.0.0.1", "example.com"),
    (2, "10.0.0.1", "EXAMPLE.com."),
    (3, "10.0.0.2", "example.com"),
    (4, None, "sekisho.test.example.org"),
    (6, "-", "sekisho.test.example.org"),
    (7, "-", "Sekisho.Test.Example.Org."),
    (8, "10.0.0.2", "plain.example.net"),
]


def _expected() -> dict[tuple[str, str], tuple[int, float, float]]:
    out: dict[tuple[str, str], list[float]] = {}
    for s, client, name in RECORDS:
        out.setdefault((client or "-", name.lower().rstrip(".")), []).append(T0 + s)
    return {k: (len(v), min(v), max(v)) for k, v in out.items()}


def _check(db: Path) -> None:
    got = _rows(db)
    want = _expected()
    assert set(got) == set(want)
    for key, (n, first, last) in want.items():
        q, f, la = got[key]
        assert q == n, (key, q, n)
        assert f == dt.datetime.fromtimestamp(first, dt.UTC).replace(tzinfo=None), key
        assert la == dt.datetime.fromtimestamp(last, dt.UTC).replace(tzinfo=None), key
    assert sum(q for q, _, _ in got.values()) == len(RECORDS)


def _json_line(s: int, client: str | None, name: str) -> str:
    rec: dict[str, Any] = {"ts": T0 + s, "uid": f"C{s}", "query": name, "qtype_name": "A"}
    if client is not None:
        rec["id.orig_h"] = client
    return json.dumps(rec)


def test_json_lines_groups_fold_into_one_row_each(tmp_path: Path) -> None:
    log = tmp_path / "dns.json"
    log.write_text("".join(_json_line(*r) + "\n" for r in RECORDS))
    db = _db(tmp_path)
    result = api.scan([str(log)], db, format_name="zeek-dns-json")
    assert result["scan"]["parsed"] == len(RECORDS) and result["scan"]["malformed"] == 0
    _check(db)


def test_json_lines_read_line_by_line_fold_the_same(tmp_path: Path) -> None:
    # a malformed line sends the file to the line-by-line reading: the same rows, one more line
    log = tmp_path / "dns.json"
    lines = [_json_line(*r) for r in RECORDS]
    lines.insert(3, '{"ts": 1, "query": ')
    log.write_text("\n".join(lines) + "\n")
    db = _db(tmp_path)
    result = api.scan([str(log)], db, format_name="zeek-dns-json")
    assert result["scan"]["parsed"] == len(RECORDS) and result["scan"]["malformed"] == 1
    _check(db)


ZEEK_FIELDS = [
    "ts",
    "uid",
    "id.orig_h",
    "id.orig_p",
    "id.resp_h",
    "id.resp_p",
    "proto",
    "query",
    "rcode_name",
    "answers",
]


def _tsv(path: Path, records: list[tuple[int, str | None, str]]) -> None:
    head = [
        "#separator \\x09",
        "#set_separator\t,",
        "#empty_field\t(empty)",
        "#unset_field\t-",
        "#path\tdns",
        "#open\t2026-11-16-00-00-00",
        "#fields\t" + "\t".join(ZEEK_FIELDS),
        "#types\t"
        + "\t".join(
            ["time", "string", "addr", "port", "addr", "port", "enum", "string", "string", "vector[string]"]
        ),
    ]
    body = [
        "\t".join(
            [f"{T0 + s:.6f}", f"C{s}", client or "-", "5353", "10.0.0.53", "53", "udp", name, "NOERROR", "-"]
        )
        for s, client, name in records
    ]
    path.write_text("\n".join(head + body + ["#close\t2026-11-16-01-00-00"]) + "\n")


def test_zeek_tsv_groups_fold_into_one_row_each(tmp_path: Path) -> None:
    log = tmp_path / "dns.log"
    _tsv(log, RECORDS)
    db = _db(tmp_path)
    result = api.scan([str(log)], db)
    assert result["files"][0]["format"] == "zeek-dns"
    assert result["scan"]["parsed"] == len(RECORDS) and result["scan"]["malformed"] == 0
    _check(db)


def test_zeek_tsv_files_read_together_fold_the_same(tmp_path: Path) -> None:
    (tmp_path / "logs").mkdir()
    _tsv(tmp_path / "logs" / "a.log", RECORDS[:4])
    _tsv(tmp_path / "logs" / "b.log", RECORDS[4:])
    db = _db(tmp_path)
    result = api.scan([str(tmp_path / "logs")], db)
    assert result["scan"]["parsed"] == len(RECORDS)
    _check(db)


def test_normal_names_are_not_folded(tmp_path: Path) -> None:
    # nothing to fold: every group is its own row, counted once
    log = tmp_path / "dns.json"
    recs = [(i % 50, f"10.0.{i % 3}.1", f"h{i % 7}.example.com") for i in range(200)]
    log.write_text("".join(_json_line(*r) + "\n" for r in recs))
    db = _db(tmp_path)
    api.scan([str(log)], db, format_name="zeek-dns-json")
    got = _rows(db)
    want = Counter((c, n) for _, c, n in recs)
    assert {k: v[0] for k, v in got.items()} == dict(want)
