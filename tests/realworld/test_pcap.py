"""Issue 17 acceptance: the packet captures in ../shared/corpora/pcap give the same names as tshark.

The expected names come from running Wireshark's tshark on the same files
(``-T fields -e dns.qry.name -e tls.handshake.extensions_server_name -e http.host``), never from
sekisho. tshark's ``http.host`` keeps a ``:port``; a name has none, so the port is dropped there.
"""

from __future__ import annotations

import gzip
import shutil
import subprocess
from pathlib import Path

import pytest

from sekisho import api
from sekisho.ingest import detect
from sekisho.ingest.sources import open_source
from sekisho.store import Store
from tests.conftest import need_program

pytestmark = pytest.mark.realworld

CAPTURES = [
    "pcap/zeek_wikipedia.pcap",  # DNS, mDNS, LLMNR, HTTP
    "pcap/zeek_dns-edns-ecs.pcap",  # DNS with EDNS, DNSSEC answers, responses without queries
    "pcap/zeek_google-cert-repeat.pcap",  # TLS SNI
    "pcap/zeek_curl-8.1.2-dev-http3-www-google-de.pcap",  # QUIC Initial SNI
]


def tshark_names(tshark: str, path: Path) -> set[str]:
    out = subprocess.run(
        [
            tshark, "-r", str(path), "-n", "-T", "fields",
            "-e", "dns.qry.name", "-e", "tls.handshake.extensions_server_name", "-e", "http.host",
        ],
        capture_output=True, text=True, check=True, timeout=120,
    ).stdout  # fmt: skip
    names: set[str] = set()
    for line in out.splitlines():
        dns, sni, host = (line.split("\t") + ["", "", ""])[:3]
        for value in (*dns.split(","), *sni.split(","), *host.split(",")):
            value = value.strip()
            if not value:
                continue
            if value.count(":") == 1:
                value = value.split(":")[0]
            names.add(value.lower().rstrip("."))
    return names


def stored_names(db: Path) -> set[str]:
    with Store(db, read_only=True) as store:
        return {str(r[0]) for r in store.con.execute("SELECT DISTINCT name FROM observations").fetchall()}


def scan(path: Path, db: Path) -> dict[str, object]:
    with Store(db) as store:
        store.set_setting("retention_days", str(365 * 100))  # the captures are from 2011-2023
        store.set_setting("detail_days", str(365 * 100))
    result = api.scan([str(path)], db=db)
    files = result["files"]
    assert isinstance(files, list) and len(files) == 1
    account = files[0]
    assert isinstance(account, dict)
    return account


@pytest.mark.parametrize("rel", CAPTURES)
def test_capture_gives_the_names_tshark_gives(rel: str, corpora: Path, tmp_path: Path) -> None:
    tshark = need_program("tshark")
    path = corpora / rel
    src = open_source(path)
    assert detect(src).name == "pcap"
    expected = tshark_names(tshark, path)
    assert expected, "tshark found no names: the sample is not what this test expects"
    account = scan(path, tmp_path / "db.duckdb")
    assert account["format"] == "pcap"
    assert stored_names(tmp_path / "db.duckdb") == expected
    # every packet accounted for: tshark counts them too
    frames = subprocess.run(
        [tshark, "-r", str(path), "-n", "-T", "fields", "-e", "frame.number"],
        capture_output=True, text=True, check=True, timeout=120,
    ).stdout.split()  # fmt: skip
    assert account["lines"] == len(frames)
    assert account["parsed"] + account["skipped"] + account["malformed"] == account["lines"]
    assert account["malformed"] == 0


def test_gzip_capture_and_pcapng(corpora: Path, tmp_path: Path) -> None:
    """A capture compressed with gzip, and the same capture converted to pcapng by Wireshark's
    editcap, give the same names as the original."""
    editcap = need_program("editcap")
    original = corpora / "pcap/zeek_wikipedia.pcap"
    ng = tmp_path / "wikipedia.pcapng"
    subprocess.run([editcap, "-F", "pcapng", str(original), str(ng)], check=True, timeout=60)
    assert ng.read_bytes()[:4] == b"\x0a\x0d\x0d\x0a"
    gz = tmp_path / "wikipedia.pcap.gz"
    with open(original, "rb") as f, gzip.open(gz, "wb") as out:
        shutil.copyfileobj(f, out)
    scan(original, tmp_path / "a.duckdb")
    want = stored_names(tmp_path / "a.duckdb")
    for i, p in enumerate((ng, gz)):
        db = tmp_path / f"{i}.duckdb"
        account = scan(p, db)
        assert account["format"] == "pcap"
        assert stored_names(db) == want


def test_cut_capture_reports_the_packet(corpora: Path, tmp_path: Path) -> None:
    """A capture whose last packet is cut short (a sensor killed mid-write): that packet is counted
    malformed with its number, the others are read."""
    data = (corpora / "pcap/zeek_wikipedia.pcap").read_bytes()
    cut = tmp_path / "cut.pcap"
    cut.write_bytes(data[:-10])
    account = scan(cut, tmp_path / "db.duckdb")
    assert account["lines"] == 136
    assert account["malformed"] == 1
    samples = account["malformed_samples"]
    assert isinstance(samples, list)
    assert samples[0]["line"] == 136 and "cut short" in samples[0]["reason"]
