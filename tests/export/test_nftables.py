"""nftables: ``nft -c -f`` accepts the export; loaded for real in a private network namespace
(twice: reloading replaces the table), its sets hold the catalog's ranges, collapsed, and a
connection to a blocked address is rejected while one to another address is not. Without ranges in
the catalog the file is still valid and says it blocks nothing."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from sekisho.export import export
from sekisho.policy import Plan, plan_for
from tests.conftest import DATA, need_program
from tests.export.conftest import GENERATED, write_export

pytestmark = pytest.mark.program

PROBE = """
import socket, sys
for addr in sys.argv[1:]:
    s = socket.socket()
    s.settimeout(2)
    try:
        s.connect((addr, 9))
        print(addr, "connected")
    except ConnectionRefusedError:
        print(addr, "refused")   # reached the (closed) port: not blocked
    except OSError as e:
        print(addr, "blocked", e.errno)  # rejected or dropped by the sekisho table
"""


def netns(*commands: str) -> subprocess.CompletedProcess[str]:
    unshare = need_program("unshare")
    return subprocess.run(
        [unshare, "-rn", "sh", "-ec", " && ".join(commands)], capture_output=True, text=True
    )


def test_nft_check_accepts_the_export(tmp_path: Path, plan: Plan) -> None:
    nft = need_program("nft")
    path = write_export(plan, "nftables", tmp_path / "sekisho.nft")
    run = netns(f"{nft} -c -f {path}")
    assert run.returncode == 0, run.stderr


def test_nft_check_rejects_a_broken_file(tmp_path: Path) -> None:
    nft = need_program("nft")
    path = tmp_path / "broken.nft"
    path.write_text("table inet sekisho {\n  set s { type ipv4_addr; elements = { 300.1.2.3 } }\n}\n")
    assert netns(f"{nft} -c -f {path}").returncode != 0


def test_nft_loads_and_rejects_blocked_addresses(tmp_path: Path, plan: Plan) -> None:
    nft, ip = need_program("nft"), need_program("ip")
    path = write_export(plan, "nftables", tmp_path / "sekisho.nft")
    probe = tmp_path / "probe.py"
    probe.write_text(PROBE)
    run = netns(
        f"{ip} link set lo up",
        f"{ip} addr add 192.0.2.1/32 dev lo",  # in alpha-ime's ranges (catalog fixture)
        f"{ip} addr add 198.51.100.1/32 dev lo",  # in no range
        f"{nft} -f {path}",
        f"{nft} -f {path}",  # a second load replaces the table instead of failing
        f"{nft} -j list set inet sekisho blocked4 > {tmp_path}/v4.json",
        f"{nft} -j list set inet sekisho blocked6 > {tmp_path}/v6.json",
        f"{sys.executable} {probe} 192.0.2.1 198.51.100.1",
    )
    assert run.returncode == 0, run.stderr
    v4 = json.loads((tmp_path / "v4.json").read_text())["nftables"][1]["set"]["elem"]
    v6 = json.loads((tmp_path / "v6.json").read_text())["nftables"][1]["set"]["elem"]
    assert v4 == [{"prefix": {"addr": "192.0.2.0", "len": 24}}]  # 192.0.2.0/25 + 192.0.2.128/25 collapsed
    assert v6 == [{"prefix": {"addr": "2001:db8:a::", "len": 48}}]
    lines = dict(line.split(" ", 1) for line in run.stdout.splitlines())
    assert lines["192.0.2.1"].startswith("blocked"), run.stdout
    assert lines["198.51.100.1"] == "refused", run.stdout


def test_nftables_without_ranges_says_it_blocks_nothing(tmp_path: Path) -> None:
    nft = need_program("nft")
    plan = plan_for("level0", DATA / "catalog_ok", today=GENERATED.date())  # no ip_ranges in this catalog
    result = export(plan, "nftables", GENERATED)
    assert result.entries == 0
    assert b"this file blocks NOTHING" in result.data
    path = tmp_path / "empty.nft"
    path.write_bytes(result.data)
    assert netns(f"{nft} -c -f {path}").returncode == 0
