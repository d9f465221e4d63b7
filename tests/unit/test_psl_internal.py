"""The full public-suffix list decides registrable domains (ICANN and private sections), checked
by the PSL's own test vectors (``tests/test_psl.txt`` of publicsuffix/list, shipped inside the
``publicsuffixlist`` package and read from it at test time); special-use and internal names are
classified apart from unknown destinations — both in the bulk DuckDB match."""

from __future__ import annotations

import importlib.resources
import re
from pathlib import Path

import duckdb
import pyarrow as pa
import pytest

from sekisho import api
from sekisho.match import registrable_domain
from sekisho.match.bulk import entries_table, match_sql
from sekisho.match.internal import (
    NETBIOS,
    OWN_DOMAIN,
    PRIVATE_ADDRESS,
    SINGLE_LABEL,
    SPECIAL_USE,
    UNKNOWN_TLD,
    WPAD,
    is_internal,
    normalise_domain,
)
from tests.conftest import DATA


def vectors() -> list[tuple[str, str | None]]:
    text = (importlib.resources.files("publicsuffixlist") / "test_psl.txt").read_text(encoding="utf-8")
    out = []
    for a, b in re.findall(r"checkPublicSuffix\((null|'[^']*'), (null|'[^']*')\);", text):
        if a == "null":
            continue  # no name at all: nothing a log holds
        out.append((a.strip("'"), None if b == "null" else b.strip("'")))
    return out


def bulk(names: list[str], own: tuple[str, ...] = ()) -> dict[str, tuple[str, str | None, str | None]]:
    con = duckdb.connect()
    con.register("names_arrow", pa.table({"name": names}))
    con.execute("CREATE TEMP TABLE n AS SELECT DISTINCT name FROM names_arrow")
    match_sql(con, "n", "out", entries_table({"example.com": "svc"}, None), own_domains=own)
    return {r[0]: (r[1], r[2], r[3]) for r in con.execute("SELECT * FROM out").fetchall()}


def _idna(s: str) -> str | None:
    try:
        return s.encode("idna").decode("ascii").lower()
    except UnicodeError:
        return None


def test_the_psl_test_vectors_pass_one_by_one_and_in_bulk() -> None:
    cases = vectors()
    assert len(cases) > 70  # the file, not an empty read
    failures = []
    for name, expected in cases:
        got = registrable_domain(name)
        want = expected.lower() if expected else name.strip().rstrip(".").lower()  # null: no registrable part
        if got != want:
            failures.append((name, expected, got))
    assert failures == []
    # the same vectors through DuckDB, as names arrive in logs (IDNA A-labels, no leading dot)
    ascii_cases = [(_idna(n), _idna(e) if e else None) for n, e in cases if not n.startswith(".")]
    ascii_cases = [(n, e) for n, e in ascii_cases if n]
    got_bulk = bulk([n for n, _ in ascii_cases])
    bulk_failures = [(n, e, got_bulk[n][0]) for n, e in ascii_cases if got_bulk[n][0] != (e or n)]
    assert bulk_failures == []


@pytest.mark.parametrize(
    ("name", "registrable"),
    [
        ("www.example.uk.com", "example.uk.com"),  # private section: uk.com is a suffix
        ("alice.github.io", "alice.github.io"),  # every github.io site is its own domain
        ("bob.github.io", "bob.github.io"),
        ("www.example.co.jp", "example.co.jp"),
        ("s3.amazonaws.com", "s3.amazonaws.com"),
    ],
)
def test_private_section_counts(name: str, registrable: str) -> None:
    assert registrable_domain(name) == registrable
    assert bulk([name])[name][0] == registrable


@pytest.mark.parametrize(
    ("name", "kind"),
    [
        ("1.0.168.192.in-addr.arpa", SPECIAL_USE),
        ("b.a.9.8.7.6.5.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.8.b.d.0.1.0.0.2.ip6.arpa", SPECIAL_USE),
        ("printer.home.arpa", SPECIAL_USE),
        ("macbook.local", SPECIAL_USE),
        ("fileserver.internal", SPECIAL_USE),
        ("nas.lan", SPECIAL_USE),
        ("pc1.localdomain", SPECIAL_USE),
        ("dc01.corp", SPECIAL_USE),
        ("localhost", SPECIAL_USE),
        ("x.test", SPECIAL_USE),
        ("y.invalid", SPECIAL_USE),
        ("z.example", SPECIAL_USE),
        ("fileserver", SINGLE_LABEL),
        ("wpad", SINGLE_LABEL),
        ("wpad.city.example.jp", WPAD),
        ("\\x01\\x02__msbrowse__\\x02\\x01", NETBIOS),
        ("fhepfcelehfcepfffacacacacacacabn", NETBIOS),
        # a TLD the public-suffix list does not know at all: not a public name
        ("snozberry.oompa.loompa", UNKNOWN_TLD),
        ("_ldap._tcp.dc._msdcs.factory.oompa.loompa", UNKNOWN_TLD),
        ("dc1.corp.example-internal", UNKNOWN_TLD),
        # addresses that are no internet destination (RFC 6890)
        ("192.168.1.10", PRIVATE_ADDRESS),
        ("10.0.0.1", PRIVATE_ADDRESS),
        ("172.31.255.1", PRIVATE_ADDRESS),
        ("127.0.0.1", PRIVATE_ADDRESS),
        ("100.64.0.1", PRIVATE_ADDRESS),
        ("192.0.2.55", PRIVATE_ADDRESS),
        ("::1", PRIVATE_ADDRESS),
        ("2001:db8::5", PRIVATE_ADDRESS),
        ("fe80::1", PRIVATE_ADDRESS),
        ("fd12:3456::1", PRIVATE_ADDRESS),
    ],
)
def test_special_use_and_internal_names(name: str, kind: str) -> None:
    assert bulk([name])[name][1] == kind


@pytest.mark.parametrize(
    "name",
    [
        "www.google.com",
        "example.com",
        "city.example.lg.jp",
        "8.8.8.8",
        "172.32.0.1",  # just past 172.16.0.0/12
        "2606:4700:4700::1111",
        "www.nic.ck",  # a TLD the PSL has only as a wildcard rule (*.ck)
        "example.xn--q9jyb4c",  # .みんな, an IDN TLD in the PSL (as logs carry it: A-label)
    ],
)
def test_internet_names_and_addresses_are_not_internal(name: str) -> None:
    assert not is_internal(bulk([name])[name][1])


def test_own_domains_and_their_subdomains_are_internal_others_are_not() -> None:
    own = (normalise_domain("City.Example.LG.JP."), normalise_domain("oompa.loompa"))
    got = bulk(
        [
            "city.example.lg.jp",
            "www.city.example.lg.jp",
            "notcity.example.lg.jp",
            "store.oompa.loompa",
            "example.com",
        ],
        own,
    )
    assert got["city.example.lg.jp"][1:] == (OWN_DOMAIN, "city.example.lg.jp")
    assert got["www.city.example.lg.jp"][1:] == (OWN_DOMAIN, "city.example.lg.jp")
    assert got["store.oompa.loompa"][1:] == (OWN_DOMAIN, "oompa.loompa")  # own before unknown-TLD
    assert got["notcity.example.lg.jp"][1] is None  # a label boundary, not a string suffix
    assert got["example.com"][1:] == ("svc", "example.com")
    assert got["www.city.example.lg.jp"][0] == registrable_domain("www.city.example.lg.jp")  # still the PSL's


@pytest.mark.parametrize("value", ["jp", "a..b", "bad domain.jp", "x_.-y.jp", ""])
def test_an_own_domain_that_is_not_a_domain_is_refused(value: str) -> None:
    with pytest.raises(ValueError, match="not a domain name"):
        normalise_domain(value)


def test_own_domains_are_a_store_setting_and_changing_them_rematches(tmp_path: Path) -> None:
    """`sekisho db set own-domains` stores them; the next scan re-matches every stored name."""
    from typer.testing import CliRunner

    from sekisho.cli.main import app
    from sekisho.store import Store

    db = tmp_path / "s.duckdb"
    log = tmp_path / "hosts.txt"
    log.write_text("portal.city.example.lg.jp\nwww.google.com\n")
    api.scan([str(log)], db, DATA / "catalog_ok", keep_all=True)
    runner = CliRunner()
    bad = runner.invoke(app, ["db", "set", "own-domains", "city.example.lg.jp,not a domain", "--db", str(db)])
    assert bad.exit_code != 0 and "not a domain name" in bad.output
    ok = runner.invoke(
        app, ["db", "set", "own-domains", "City.Example.lg.jp.,city.example.lg.jp", "--db", str(db)]
    )
    assert ok.exit_code == 0, ok.output
    with Store(db, read_only=True) as store:
        assert store.own_domains() == ("city.example.lg.jp",)
        before = dict(store.con.execute("SELECT name, service_id FROM names").fetchall())
    assert not is_internal(before["portal.city.example.lg.jp"])
    log2 = tmp_path / "more.txt"
    log2.write_text("www.google.com\n")
    api.scan([str(log2)], db, DATA / "catalog_ok", keep_all=True)
    with Store(db, read_only=True) as store:
        after = dict(store.con.execute("SELECT name, service_id FROM names").fetchall())
    assert after["portal.city.example.lg.jp"] == OWN_DOMAIN
    assert not is_internal(after["www.google.com"])


def test_a_real_capture_reports_internal_names_apart_from_unknown(corpora: Path, db: Path) -> None:
    """The WRCCDC 2018 Zeek dns log (a real network): its reverse look-ups, .local and single-label
    names are internal, listed apart; none is an unknown destination."""
    result = api.scan(
        [str(corpora / "zeek/wrccdc2018_dns_head5000.log")],
        db,
        DATA / "catalog_ok",
        keep_all=True,
        unknown_limit=10_000,
    )
    unknown = {u["domain"] for u in result["unknown"]}
    assert len(result["unknown"]) == result["unknown_totals"]["domains"] > 20  # --unknown N: all N, not 20
    internal = result["internal"]
    assert internal, "the capture holds reverse look-ups"
    assert all(not d.endswith((".arpa", ".local")) and "." in d for d in unknown)
    kinds = {i["kind"] for i in internal}
    assert SPECIAL_USE in kinds
    assert any(i["domain"].endswith("in-addr.arpa") for i in internal)
