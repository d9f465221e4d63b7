"""Special-use names beyond single labels: example.com/.net/.org and every name under them
(RFC 6761 §6.5, reserved by RFC 2606 §3), .onion (RFC 7686) and .alt (RFC 9476) are internal
special-use names in the bulk match — never unknown destinations — while look-alikes are not; a
name a researched entry lists still belongs to it."""

from __future__ import annotations

import duckdb
import pyarrow as pa

from sekisho.match.bulk import entries_table, match_sql
from sekisho.match.internal import SPECIAL_USE


def bulk(names: list[str], catalog: dict[str, str] | None = None) -> dict[str, tuple[str | None, str | None]]:
    con = duckdb.connect()
    con.register("names_arrow", pa.table({"name": names}))
    con.execute("CREATE TEMP TABLE n AS SELECT DISTINCT name FROM names_arrow")
    match_sql(con, "n", "out", entries_table(catalog or {}, None))
    return {
        r[0]: (r[1], r[2]) for r in con.execute("SELECT name, service_id, matched_on FROM out").fetchall()
    }


def test_rfc6761_second_level_names_onion_and_alt_are_special_use() -> None:
    got = bulk(["example.com", "www.example.net", "a.b.example.org", "abc.onion", "x.y.alt"])
    assert got["example.com"] == (SPECIAL_USE, "example.com")
    assert got["www.example.net"] == (SPECIAL_USE, "example.net")
    assert got["a.b.example.org"] == (SPECIAL_USE, "example.org")
    assert got["abc.onion"] == (SPECIAL_USE, "onion")
    assert got["x.y.alt"] == (SPECIAL_USE, "alt")


def test_look_alikes_stay_public_names() -> None:
    names = ["notexample.com", "example.com.evil.net", "example.co.jp", "examples.org", "onion.com"]
    got = bulk(names)
    assert all(got[n][0] is None for n in names), got


def test_a_researched_entry_still_owns_a_name_under_example_com() -> None:
    got = bulk(["www.example.com"], {"example.com": "svc"})
    assert got["www.example.com"] == ("svc", "example.com")
