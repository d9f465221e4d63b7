"""A scan that fails after it staged a file's aggregate is rolled back whole, and the same store
object scans on: the staged batch went with the transaction, so a later scan that stages nothing
(every file already read) merges nothing and counts nothing twice."""

from __future__ import annotations

from pathlib import Path

import pytest

from sekisho.catalog import open_catalog
from sekisho.errors import InputError
from sekisho.match.scan import run_scan
from sekisho.store import Store

LINE = "Nov 23 18:00:{s:02d} dnsmasq[15339]: query[A] host{i}.example.com from 10.0.0.{c}\n"


def _log(path: Path, client: int, lines: int) -> Path:
    path.write_text("".join(LINE.format(s=i % 60, i=i % 17, c=client) for i in range(lines)))
    return path


def _queries(store: Store) -> int:
    row = store.con.execute("SELECT coalesce(sum(queries), 0) FROM observations").fetchone()
    return int(row[0]) if row else 0


def test_a_failed_scan_leaves_nothing_staged(tmp_path: Path) -> None:
    catalog = open_catalog()
    store = Store(tmp_path / "s.duckdb")
    try:
        first = _log(tmp_path / "a.log", 1, 120)
        run_scan([str(first)], store, catalog, keep_all=True)
        assert _queries(store) == 120
        second = _log(tmp_path / "b.log", 2, 80)
        not_a_log = tmp_path / "c.bin"
        not_a_log.write_bytes(b"\x00\x01binary\x00" * 100)
        with pytest.raises(InputError):  # a named file that is no log: the whole scan is refused
            run_scan([str(second), str(not_a_log)], store, catalog, keep_all=True)
        assert _queries(store) == 120  # b.log's staged aggregate was rolled back with the scan
        again = run_scan([str(first)], store, catalog, keep_all=True)  # nothing new, nothing staged
        assert again.files[0]["lines"] == 0 and "already scanned" in str(again.files[0]["note"])
        assert _queries(store) == 120
        run_scan([str(second)], store, catalog, keep_all=True)
        assert _queries(store) == 200
    finally:
        store.close()
