"""Accounting that tells the truth (issue 12 item 4), on the real corpora: recognised non-query
lines are skipped with their reasons, a partly matching auto-detection says which share it could
not read, and a forced format that matches no line is an error."""

from __future__ import annotations

from pathlib import Path

import pytest

from sekisho import api
from sekisho.errors import InputError
from tests.conftest import DATA


def _scan(paths: list[Path], db: Path, fmt: str | None = None) -> list[dict]:
    return api.scan([str(p) for p in paths], db, DATA / "catalog_ok", format_name=fmt)["files"]


def test_bind_non_query_lines_are_skipped_with_their_reasons(corpora: Path, db: Path) -> None:
    path = corpora / "bind9/named_9.18_general_query-errors.log"
    text = path.read_text().splitlines()
    (acc,) = _scan([path], db)
    assert (acc["parsed"], acc["malformed"], acc["skipped"]) == (0, 0, len(text))
    reasons = acc["skipped_reasons"]
    assert reasons["BIND query error (the query itself is logged apart)"] == sum(
        "query failed" in ln for ln in text
    )
    assert reasons["BIND zone load or maintenance"] == sum(" zoneload: " in ln for ln in text) + sum(
        "all zones loaded" in ln for ln in text
    )
    assert sum(reasons.values()) == len(text)
    assert "not a query record" not in reasons or reasons["not a query record"] < len(text) // 4


def test_partial_detection_names_the_share_it_could_not_read(corpora: Path, tmp_path: Path, db: Path) -> None:
    """dnsmasq's log with Squid's access log appended: detected as dnsmasq from its first lines;
    the 900 Squid lines are not dnsmasq's, and the note says how many and what share."""
    dnsmasq = (corpora / "dnsmasq/dnsmasq_2.90_log-queries.log").read_bytes()
    squid = (corpora / "squid/squid_5.7_access_native.log").read_bytes()
    mixed = tmp_path / "mixed.log"
    mixed.write_bytes(dnsmasq + squid)
    (acc,) = _scan([mixed], db)
    n_squid = squid.count(b"\n")
    total = n_squid + dnsmasq.count(b"\n")
    assert (acc["format"], acc["parsed"], acc["malformed"], acc["lines"]) == ("dnsmasq", 900, n_squid, total)
    assert f"{n_squid} of {total} lines ({n_squid / total:.1%}) could not be read as dnsmasq" in acc["note"]
    # a file read whole says nothing of the kind
    (clean,) = _scan([corpora / "dnsmasq/dnsmasq_2.90_log-queries.log"], tmp_path / "clean.duckdb")
    assert "could not be read" not in (clean.get("note") or "")


def test_forcing_a_format_that_matches_no_line_is_an_error(corpora: Path, db: Path) -> None:
    path = corpora / "squid/squid_5.7_access_native.log"
    with pytest.raises(InputError) as e:
        _scan([path], db, fmt="bind")
    assert "--format bind matches no line of this file (900 malformed of 900)" in str(e.value)
    assert e.value.source is not None and e.value.source.line == 1  # file:line of the first refused line
    # forcing the right format is fine, and so is a forced format whose lines are all recognised
    (acc,) = _scan([path], db, fmt="squid")
    assert acc["parsed"] > 0
