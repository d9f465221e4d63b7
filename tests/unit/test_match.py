"""Names → registrable domain → service: the bulk (DuckDB) matcher agrees with tldextract."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pyarrow as pa
from hypothesis import given, settings
from hypothesis import strategies as st

from sekisho.catalog import open_catalog
from sekisho.match import NameMatcher, registrable_domain
from sekisho.match.bulk import entries_table, match_sql

DATA = Path(__file__).resolve().parents[1] / "data"
TRICKY = [
    "a.b.example.co.jp",
    "www.city.kawasaki.jp",
    "x.kawasaki.jp",
    "y.x.kawasaki.jp",
    "a.www.ck",
    "b.c.ck",
    "foo.s3.amazonaws.com",
    "co.jp",
    "com",
    "1.2.3.4",
    "2001:db8::5",
    "x.y.test",
    "localhost",
    "www.gov.uk",
    "a.b.c.d.e.f.example.com",
    "xn--eckwd4c7c.xn--zckzah",
    "bucket.storage.googleapis.com",
]


def bulk(
    names: list[str], catalog: dict[str, str] | None = None
) -> dict[str, tuple[str, str | None, str | None]]:
    con = duckdb.connect()
    con.register("n", pa.table({"name": names}))
    con.execute("CREATE TEMP TABLE pending AS SELECT DISTINCT name FROM n")
    match_sql(con, "pending", "out", entries_table(catalog or {}, None))
    return {r[0]: (r[1], r[2], r[3]) for r in con.execute("SELECT * FROM out").fetchall()}


def test_bulk_registrable_agrees_with_tldextract_on_tricky_names() -> None:
    got = bulk(TRICKY)
    for name in TRICKY:
        assert got[name][0] == registrable_domain(name), name


label = st.text(alphabet="abcdefghijklmnopqrstuvwxyz0123456789-", min_size=1, max_size=12).filter(
    lambda s: not s.startswith("-") and not s.endswith("-")
)
tld = st.sampled_from(
    [
        "com",
        "jp",
        "co.jp",
        "kawasaki.jp",
        "uk",
        "gov.uk",
        "ck",
        "cn",
        "com.cn",
        "ne.jp",
        "lg.jp",
        "tokyo.jp",
        "bd",
        "test",
        "invalid",
    ]
)


@settings(max_examples=200, deadline=None)
@given(st.lists(st.tuples(st.lists(label, min_size=0, max_size=4), tld), min_size=1, max_size=30))
def test_bulk_registrable_agrees_with_tldextract(parts: list[tuple[list[str], str]]) -> None:
    names = sorted({".".join([*labels, suffix]) for labels, suffix in parts})
    got = bulk(names)
    for name in names:
        assert got[name][0] == registrable_domain(name), name


def test_longest_catalog_suffix_wins_and_hosts_on_third_party_infra_match() -> None:
    catalog = {"example.net": "svc-a", "api.example.net": "svc-b", "svc-c-assets.s3.amazonaws.com": "svc-c"}
    got = bulk(
        [
            "x.api.example.net",
            "www.example.net",
            "svc-c-assets.s3.amazonaws.com",
            "other.s3.amazonaws.com",
            "notexample.net",
        ],
        catalog,
    )
    assert got["x.api.example.net"][1:] == ("svc-b", "api.example.net")
    assert got["www.example.net"][1:] == ("svc-a", "example.net")
    assert got["svc-c-assets.s3.amazonaws.com"][1] == "svc-c"
    assert got["other.s3.amazonaws.com"][1] is None  # a shared cloud domain is never a service
    assert got["notexample.net"][1] is None  # a suffix match is on label boundaries


def test_python_and_bulk_matchers_agree_on_the_bundled_catalog() -> None:
    matcher = NameMatcher(open_catalog())
    # (not example.org: special-use, RFC 6761 §6.5)
    names = [f"x.{d}" for d in list(matcher.index)[:300]] + [
        "www.google.com",
        "unknown.no-such-name-here.org",
    ]
    got = bulk(names, matcher.index)
    for name in names:
        assert got[name][1] == matcher.service_for(name)[0], name
