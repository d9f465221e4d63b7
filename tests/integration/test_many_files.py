"""Many files are one scan (issue 10 item 7): new files of one format are read together in one
engine pass, and the result is exactly that of scanning them one by one — every file's account
(lines, parsed, skipped, malformed, samples with their line numbers, notes) and every observation.

The files are pieces of real logs from the corpora (dnsmasq 2.90 with year-less stamps, Zeek TSV
and Zeek JSON from WRCCDC 2018), cut at test time, with each file's own modification time, some
malformed lines, an undecodable byte, a copy of a file, a truncated gzip and a half-written last line.
"""

from __future__ import annotations

import datetime as dt
import gzip
import os
from pathlib import Path
from typing import Any

import pytest

from sekisho.catalog import open_catalog
from sekisho.match import scan as scan_mod
from sekisho.match.scan import run_scan
from sekisho.store import Store


def _pieces(lines: list[bytes], n: int) -> list[list[bytes]]:
    size = -(-len(lines) // n)
    return [lines[i : i + size] for i in range(0, len(lines), size)]


def _make_tree(corpora: Path, root: Path) -> list[Path]:
    made: list[Path] = []

    def write(name: str, data: bytes, mtime: dt.datetime | None = None, gz: bool = False) -> None:
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(gzip.compress(data, mtime=0) if gz else data)
        if mtime is not None:
            os.utime(path, (mtime.timestamp(), mtime.timestamp()))
        made.append(path)

    dnsmasq = (corpora / "dnsmasq" / "dnsmasq_2.90_log-queries.log").read_bytes().splitlines(keepends=True)
    for i, piece in enumerate(_pieces(dnsmasq, 30)):
        body = list(piece)
        if i == 3:
            body[5:5] = [b"Nov 23 18:40:00 garbage that is no dnsmasq line\n"] * 2
        if i == 4:
            body[2:2] = [b"Nov 23 18:40:01 dnsmasq[1]: query[A] caf\xff.example from 10.0.0.9\n"]
        # each file its own modification time: year-less stamps are dated from it, per file
        write(f"dnsmasq/q{i:02}.log", b"".join(body), dt.datetime(2019 + i % 5, 12, 31 if i % 2 else 24, 12))
    write("dnsmasq/zz-copy.log", (root / "dnsmasq/q07.log").read_bytes(), dt.datetime(2023, 6, 1))
    write("dnsmasq/zz-growing.log", b"".join(dnsmasq[:40]) + b"Nov 23 18:40:02 dnsmasq[15339]: query[A] half")

    zeek = (corpora / "zeek" / "wrccdc2018_dns_head5000.log").read_bytes().splitlines(keepends=True)
    header = [ln for ln in zeek[:10] if ln.startswith(b"#")]
    body = [ln for ln in zeek if not ln.startswith(b"#")]
    for i, piece in enumerate(_pieces(body, 12)):
        write(f"zeek/dns{i:02}.log", b"".join(header + piece))

    js = (corpora / "zeek" / "wrccdc2018_dns_head3000.json").read_bytes().splitlines(keepends=True)
    for i, piece in enumerate(_pieces(js, 10)):
        data = b"".join(piece + ([b"{not json\n"] if i == 2 else []))
        write(f"json/dns{i:02}.json.gz", data, gz=True)
    # cut far past its first 64 KiB: it looks whole until the engine reads it to the end
    # (its lines in reverse order: it must not begin like another file, or it would be a copy)
    truncated = gzip.compress(b"".join(reversed(js)), mtime=0)
    write("json/dns99-cut.json.gz", truncated[: len(truncated) * 3 // 4])
    return sorted(made)


def _observations(db: Path) -> list[tuple[Any, ...]]:
    with Store(db) as store:
        return store.con.execute(
            "SELECT day, client, name, queries, bytes_out, bytes_in, first_seen, last_seen FROM observations "
            "ORDER BY ALL"
        ).fetchall()


def test_a_directory_of_many_files_equals_scanning_them_one_by_one(
    corpora: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = tmp_path / "logs"
    files = _make_tree(corpora, root)
    catalog = open_catalog()

    groups: list[int] = []
    real = scan_mod.scan_files

    def spy(con: Any, fmt: Any, parts: list[Any], compression: Any) -> None:
        groups.append(len(parts))
        real(con, fmt, parts, compression)

    monkeypatch.setattr(scan_mod, "scan_files", spy)
    with Store(tmp_path / "together.duckdb") as store:
        together = run_scan([str(root)], store, catalog, keep_all=True).files
    # dnsmasq pieces, Zeek TSV pieces and the gzip JSON pieces each went through one pass (the
    # JSON group holds the truncated file, so it is read again one by one)
    assert sorted(groups) == sorted([30, 12, 11])
    monkeypatch.setattr(scan_mod, "scan_files", real)

    alone = []
    with Store(tmp_path / "alone.duckdb") as store:
        for f in files:
            alone += run_scan([str(f)], store, catalog, keep_all=True).files
    assert [f["path"] for f in together] == [str(f) for f in files]
    assert together == alone
    assert _observations(tmp_path / "together.duckdb") == _observations(tmp_path / "alone.duckdb")

    by_path = {Path(f["path"]).name: f for f in together}
    # the guarantees, as the one-by-one scan gives them
    assert by_path["q03.log"]["malformed"] == 2 and [
        s["line"] for s in by_path["q03.log"]["malformed_samples"]
    ] == [6, 7]
    assert by_path["q04.log"]["malformed"] == 1 and by_path["q04.log"]["malformed_samples"][0]["line"] == 3
    assert "already scanned" in by_path["zz-copy.log"]["note"] and by_path["zz-copy.log"]["parsed"] == 0
    assert "incomplete last line" in by_path["zz-growing.log"]["note"]
    assert by_path["dns99-cut.json.gz"]["note"].startswith("not read")
    assert by_path["dns02.json.gz"]["malformed"] == 1
    assert "2019" in by_path["q00.log"]["note"] and "2020" in by_path["q01.log"]["note"]
    assert sum(f["parsed"] for f in together) > 8000
