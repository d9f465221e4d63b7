"""A mapped CSV (`--format csv --map …`) names the line of every malformed row it reports: rows
whose time cannot be read were counted malformed with no file:line at all (issue 10 item 6, found
again by a QA pass).

Real data: the CSV is written at test time from the real Zeek DNS log of ../shared/corpora
(otrf_apt29_NEWYORK_dns.json: ts, client, query), two of its timestamps spoiled by the test.
"""

from __future__ import annotations

import csv
import json
from pathlib import Path

from sekisho import api
from tests.conftest import DATA

CSV_MAP = {"ts": "time", "client": "src_ip", "name": "query"}


def _rows(corpora: Path) -> list[list[str]]:
    out = []
    for line in (corpora / "zeek/otrf_apt29_NEWYORK_dns.json").read_text().splitlines():
        rec = json.loads(line)
        if rec.get("query"):
            out.append([f"{rec['ts']:.6f}", rec["id_orig_h"], rec["query"]])
    return out


def test_rows_with_an_unreadable_time_are_reported_with_their_line_numbers(
    corpora: Path, tmp_path: Path
) -> None:
    rows = _rows(corpora)
    assert len(rows) > 50
    rows[9][0] = "yesterday"  # file line 11 (the header is line 1)
    rows[39][0] = "2020-13-45T99:00:00"  # file line 41
    path = tmp_path / "dns-export.csv"
    with path.open("w", newline="") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(["time", "src_ip", "query"])
        w.writerows(rows)
    result = api.scan(
        [str(path)],
        tmp_path / "s.duckdb",
        DATA / "catalog_ok",
        format_name="csv",
        mapping=CSV_MAP,
        keep_all=True,
    )
    (acc,) = result["files"]
    assert acc["lines"] == len(rows) + 1
    assert (acc["parsed"], acc["malformed"]) == (len(rows) - 2, 2)
    assert [s["line"] for s in acc["malformed_samples"]] == [11, 41]
    assert all(s["reason"].startswith("unreadable timestamp: ") for s in acc["malformed_samples"])
    assert "yesterday," + rows[9][1] in acc["malformed_samples"][0]["reason"]
