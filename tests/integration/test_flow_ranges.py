"""Issue 17 item 2: flow records without names, attributed to the operators that publish their
address ranges (known/ip-ranges.json.gz), never to a service, always with the caveat.

The flows are made by the real nfpcapd and nfdump from the corpus captures (tests/data/README.md):
``zeek_google-cert-repeat.pcap`` (TLS between a Google address and a DigitalOcean droplet),
``zeek_curl-8.1.2-dev-http3-www-google-de.pcap`` (QUIC from a container to Google) and
``zeek_wikipedia.pcap`` (NCSA 2011: Wikimedia's own addresses, which no set holds)."""

from __future__ import annotations

import gzip
import ipaddress
import json
import subprocess
from pathlib import Path
from typing import Any

import duckdb
import pytest
from typer.testing import CliRunner

from sekisho import api
from sekisho.catalog import bundled_catalog_dir, open_catalog
from sekisho.catalog.ipranges import import_ip_ranges, load_ip_ranges, parse_ranges
from sekisho.catalog.known import ImportReport
from sekisho.cli.main import app
from sekisho.match import MATCH_RULES, NameMatcher
from sekisho.store import Store
from tests.conftest import need, need_program

BUNDLED = bundled_catalog_dir() / "known" / "ip-ranges.json.gz"
PCAPS = ("zeek_google-cert-repeat", "zeek_curl-8.1.2-dev-http3-www-google-de", "zeek_wikipedia")


def bundled() -> dict[str, dict[str, Any]]:
    with gzip.open(BUNDLED, "rb") as fh:
        return {r["id"]: r for r in json.loads(fh.read())["services"]}


def flows(corpora: Path, tmp_path: Path) -> list[Path]:
    """nfdump CSV of each capture, by the real programs (as test_csv_device_formats does)."""
    nfpcapd, nfdump = need_program("nfpcapd"), need_program("nfdump")
    out = []
    for name in PCAPS:
        d = tmp_path / name
        d.mkdir()
        subprocess.run([nfpcapd, "-r", str(corpora / "pcap" / f"{name}.pcap"), "-w", str(d)],
                       check=True, timeout=60, capture_output=True)  # fmt: skip
        files = sorted(d.glob("nfcapd.*"))
        need(bool(files), "nfpcapd wrote no nfcapd file")
        csv = subprocess.run([nfdump, "-r", str(files[0]), "-o", "csv"], check=True, timeout=60,
                             capture_output=True, text=True, env={"TZ": "UTC", "PATH": "/usr/bin:/bin"}).stdout  # fmt: skip
        log = tmp_path / f"{name}.csv"
        log.write_text(csv, encoding="utf-8")
        out.append(log)
    return out


def names_of(db: Path) -> dict[str, tuple[str | None, str | None]]:
    with Store(db, read_only=True) as store:
        rows = store.con.execute("SELECT name, service_id, matched_on FROM names").fetchall()
    return {r[0]: (r[1], r[2]) for r in rows}


def test_bundled_sets_carry_their_provenance() -> None:
    sets = bundled()
    assert {"iprange:cloudflare-inc", "iprange:google-llc", "iprange:amazon-web-services-inc",
            "iprange:microsoft-corp"} <= set(sets)  # fmt: skip
    cat = open_catalog()
    for sid, row in sets.items():
        src = row["source"]
        assert isinstance(src, dict)
        assert src["published_at"] and src["read_from"] == "https://github.com/lord-alfred/ipranges"
        assert len(str(src["commit"])) == 40 and src["as_of"] and src["read_on"]
        assert row["operator"] in cat.operators  # the operator is named, never a service
        assert row["domains"] == [] and row["hostnames"] == []
        known = cat.known.services[sid]  # also a known entry: `sekisho show iprange:…`
        assert known.operator == row["operator"] and known.provenance.licence == "CC0-1.0"
    # Cloudflare's list as its page publishes it: 15 IPv4 and 7 IPv6 ranges (mirror commit 14dd971)
    cf = sets["iprange:cloudflare-inc"]
    assert "104.16.0.0/13" in cf["ipv4"] and "2606:4700::/32" in cf["ipv6"]
    assert len(cf["ipv4"]) == 15 and len(cf["ipv6"]) == 7


def test_lookup_is_longest_prefix_and_exact() -> None:
    ranges = load_ip_ranges(bundled_catalog_dir())
    for sid, row in bundled().items():
        for cidr in [*row["ipv4"][:50], *row["ipv6"][:50]]:
            net = ipaddress.ip_network(cidr)
            assert ranges.lookup(str(net[0])) == (sid, cidr)
            assert ranges.lookup(str(net[-1])) == (sid, cidr)
            if net.version == 4 and net.prefixlen > 8:
                before = ipaddress.ip_address(int(net[0]) - 1)
                hit = ranges.lookup(str(before))
                assert hit is None or hit[1] != cidr  # the address just below is not in it
    assert ranges.lookup("::ffff:104.16.1.1") == ("iprange:cloudflare-inc", "104.16.0.0/13")
    assert ranges.lookup("[2606:4700::1]") == ("iprange:cloudflare-inc", "2606:4700::/32")
    assert ranges.lookup("www.google.com") is None and ranges.lookup("10.0.0.1") is None


def test_import_reads_the_mirror_layout_and_operator_json(tmp_path: Path) -> None:
    """The importer over the bundled ranges written back as the mirror lays them out (plain CIDRs)
    and as AWS's documented ip-ranges.json shape; a line that is no range is counted with its place."""
    sets = bundled()
    cf, aws = sets["iprange:cloudflare-inc"], sets["iprange:amazon-web-services-inc"]
    (tmp_path / "cloudflare").mkdir()
    (tmp_path / "cloudflare" / "ipv4.txt").write_text("\n".join([*cf["ipv4"], "not-a-range"]) + "\n")
    (tmp_path / "cloudflare" / "ipv6.txt").write_text("\n".join(cf["ipv6"]) + "\n")
    aws_doc = {
        "syncToken": "1755820000",
        "createDate": "2026-08-22-00-00-00",
        "prefixes": [{"ip_prefix": p, "region": "GLOBAL", "service": "AMAZON"} for p in aws["ipv4"]],
        "ipv6_prefixes": [{"ipv6_prefix": p, "region": "GLOBAL", "service": "AMAZON"} for p in aws["ipv6"]],
    }
    (tmp_path / "ip-ranges.json").write_text(json.dumps(aws_doc))
    (tmp_path / "sources.yaml").write_text(
        "mirror: {repo: local, commit: test, commit_date: 2026-08-22, licence: CC0-1.0, read_on: 2026-12-01}\n"
        "sets:\n"
        "  - {operator: cloudflare-inc, files: [cloudflare/ipv4.txt, cloudflare/ipv6.txt], "
        "published_at: [https://www.cloudflare.com/ips-v4/]}\n"
        "  - {operator: amazon-web-services-inc, files: [ip-ranges.json], "
        "published_at: [https://ip-ranges.amazonaws.com/ip-ranges.json]}\n"
    )
    doc, report = import_ip_ranges(tmp_path)
    rows = {r["id"]: r for r in doc["services"]}
    assert rows["iprange:cloudflare-inc"]["ipv4"] == cf["ipv4"]
    assert rows["iprange:amazon-web-services-inc"]["ipv4"] == aws["ipv4"]
    assert rows["iprange:amazon-web-services-inc"]["source"]["file_dates"] == [
        "ip-ranges.json: createDate=2026-08-22-00-00-00"
    ]
    assert report.skipped == {"not an address range": 1}
    assert report.problems == [f"cloudflare/ipv4.txt:{len(cf['ipv4']) + 1}: not an address range"]
    # private and documentation ranges are nobody's published network
    r = ImportReport("x", "y")
    nets, _ = parse_ranges("10.0.0.0/8\n192.0.2.0/24\n1.1.1.0/24\n", "f", r)
    assert [str(n) for n in nets] == ["1.1.1.0/24"] and r.skipped == {
        "not a global address range (RFC 6890)": 2
    }


def test_flows_attributed_to_operators_with_the_caveat(corpora: Path, tmp_path: Path) -> None:
    logs = flows(corpora, tmp_path)
    db = tmp_path / "flows.duckdb"
    with Store(db) as store:
        store.set_setting("retention_days", str(365 * 100))
        store.set_setting("detail_days", str(365 * 100))
    result = api.scan([str(p) for p in logs], db=db, year=2023)
    got = names_of(db)
    sets = bundled()
    # Google's and DigitalOcean's addresses: the operator, and the published range it fell in
    for address, sid in (("142.250.179.196", "iprange:google-llc"), ("64.233.166.94", "iprange:google-llc"),
                         ("167.71.55.249", "iprange:digitalocean-holdings")):  # fmt: skip
        assert got[address][0] == sid
        cidr = str(got[address][1])
        assert cidr in sets[sid]["ipv4"] and ipaddress.ip_address(address) in ipaddress.ip_network(cidr)
    # outside every range: still unknown; a private or multicast address: still internal
    for address in ("208.80.152.3", "208.80.152.2", "141.142.2.2"):
        assert got[address] == (None, None)
    assert got["172.17.0.2"][0] == got["224.0.0.251"][0] == "internal:private-address"
    # shown as operators with the caveat (en and ja), never as a rated service
    ops = {r["id"]: r for r in result["operators"]}
    assert set(ops) == {"iprange:google-llc", "iprange:digitalocean-holdings"}
    assert (
        ops["iprange:google-llc"]["operator"] == "Google LLC" and ops["iprange:google-llc"]["addresses"] == 2
    )
    for r in ops.values():
        assert r["identifies"] == "operator"
        assert "not the service" in r["caveat"]["en"] and "サービスではありません" in r["caveat"]["ja"]
    assert result["services"] == []
    assert {d["domain"] for d in result["unknown"]} >= {"208.80.152.3", "141.142.2.2"}
    assert not {d["domain"] for d in result["unknown"]} & {"142.250.179.196", "167.71.55.249"}
    # the terminal summary and the JSON carry it too
    runner = CliRunner()
    for lang, phrase in (("en", "not the service"), ("ja", "サービスではありません")):
        out = runner.invoke(app, ["scan", str(logs[0]), "--db", str(db), "--year", "2023", "--lang", lang])
        assert out.exit_code == 0, out.output
        assert "iprange:google-llc" in out.output and phrase in out.output.replace("\n", "")
    out = runner.invoke(app, ["scan", str(logs[0]), "--db", str(db), "--year", "2023", "--json"])
    assert {r["id"] for r in json.loads(out.output)["operators"]} == set(ops)
    # the report (JSON, HTML, terminal) and the dashboard's unknown page
    out = runner.invoke(app, ["report", "--db", str(db), "--json", "-"])
    assert out.exit_code == 0, out.output
    assert {r["id"] for r in json.loads(out.output)["operators"]} == set(ops)
    html = tmp_path / "r.html"
    assert runner.invoke(app, ["report", "--db", str(db), "--html", str(html), "--lang", "ja"]).exit_code == 0
    page = html.read_text(encoding="utf-8")
    assert "iprange:digitalocean-holdings" in page and "サービスではありません" in page
    out = runner.invoke(app, ["report", "--db", str(db)])
    assert "iprange:google-llc" in out.output and "not the service" in out.output.replace("\n", "")
    pytest.importorskip("fastapi")
    from sekisho.web import create_app
    from tests.web.conftest import Client

    page = Client(create_app(db=db)).get("/unknown").text
    assert "iprange:google-llc" in page and "not the service" in page


def test_a_name_is_unaffected(corpora: Path, tmp_path: Path) -> None:
    """The same TLS capture read as a capture gives its name (SNI www.google.com): the researched
    service, not the operator of the address; the ranges only speak where no name is known."""
    db = tmp_path / "pcap.duckdb"
    api.scan([str(corpora / "pcap" / "zeek_google-cert-repeat.pcap")], db=db, keep_all=True)
    got = names_of(db)
    assert got["www.google.com"] == ("google-search", "www.google.com")
    assert not any(str(sid).startswith("iprange:") for sid, _ in got.values())


def test_matcher_version_and_the_known_digest() -> None:
    """A store re-matches its names under the new rules; the ranges file is in the known digest."""
    cat = open_catalog()
    m = NameMatcher(cat)
    assert m.version.endswith(MATCH_RULES) and MATCH_RULES == "psl-full-6"
    con = duckdb.connect()
    con.execute(
        "CREATE TEMP TABLE n AS SELECT * FROM (VALUES ('104.16.0.1'), ('cloudflare.com'), ('10.1.1.1')) t(name)"
    )
    m.match_table(con, "n", "out")
    got = dict(con.execute("SELECT name, service_id FROM out").fetchall())
    assert got["104.16.0.1"] == "iprange:cloudflare-inc"
    assert got["cloudflare.com"] != "iprange:cloudflare-inc" and got["10.1.1.1"] == "internal:private-address"


def test_show_names_the_operator_its_sources_and_the_caveat() -> None:
    runner = CliRunner()
    out = runner.invoke(app, ["show", "iprange:cloudflare-inc", "--json"])
    assert out.exit_code == 0, out.output
    entry = json.loads(out.output)
    assert entry["operator_id"] == "cloudflare-inc" and entry["assessed"] is False
    assert entry["ranges"] == {"ipv4": 15, "ipv6": 7}
    assert entry["source"]["published_at"][0] == "https://www.cloudflare.com/ips-v4/"
    assert "not the service" in entry["caveat"]["en"]
    out = runner.invoke(app, ["show", "iprange:google-llc", "--lang", "ja"])
    assert out.exit_code == 0 and "gstatic.com/ipranges/goog.txt" in out.output
    assert "サービスではありません" in out.output.replace("\n", "")
