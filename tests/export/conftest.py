"""Fixtures for the export tests: a small catalog with a policy that has every feature (preset,
domain deny, exception under a blocked name, a client group), a real dnsmasq upstream serving every
test name, and helpers to run real daemons on loopback ports and query them with dnspython."""

from __future__ import annotations

import datetime as dt
import shutil
import socket
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import dns.exception
import dns.message
import dns.query
import dns.rcode
import dns.rdatatype
import pytest

from sekisho.export import export
from sekisho.policy import Plan, plan_for
from tests.conftest import DATA, need_program

GENERATED = dt.datetime(2026, 1, 2, 3, 4, 5, tzinfo=dt.UTC)
GROUP_CLIENT = "127.0.0.2"  # the research group's address in the test policy

# Every name the upstream answers, with its address: a resolver that fails to block a name
# returns this address, so a missing block is visible.
UPSTREAM = {
    "alpha-ime.example": "192.0.2.1",
    "www.alpha-ime.example": "192.0.2.2",
    "ok.alpha-ime.example": "192.0.2.3",
    "deep.ok.alpha-ime.example": "192.0.2.4",
    "api.alpha-cloud.example": "192.0.2.5",
    "chat.example.net": "192.0.2.6",
    "www.chat.example.net": "192.0.2.7",
    "allowed.example": "192.0.2.8",
    "x.blocked-parent.example": "192.0.2.9",
}
# What the test policy must do, written out by hand (not computed by sekisho).
BLOCKED_FOR_ALL = {
    "alpha-ime.example",
    "www.alpha-ime.example",
    "api.alpha-cloud.example",
    "x.blocked-parent.example",
}
BLOCKED_FOR_RESEARCH = {"chat.example.net", "www.chat.example.net", "x.blocked-parent.example"}

POLICY = """\
name: test-org
presets: [level0]
rules:
  - deny: {domain: blocked-parent.example}
    why: a name outside the catalog
  - allow: {domain: ok.alpha-ime.example}
    why: the vendor's status page
groups:
  - name: research
    addresses: [127.0.0.2/32]
    rules:
      - allow: {service: alpha-ime}
        why: evaluation on isolated hosts
      - deny: {service: beta-chat}
        why: not for this group
"""


@pytest.fixture()
def catalog(tmp_path: Path) -> Path:
    """catalog_ok (alpha-ime level 0, beta-chat level 4) with IP ranges for alpha-ime."""
    root = tmp_path / "catalog"
    shutil.copytree(DATA / "catalog_ok", root)
    svc = root / "services" / "alpha-ime.yaml"
    svc.write_text(
        svc.read_text() + "ip_ranges: {value: [192.0.2.0/25, 192.0.2.128/25, 2001:db8:a::/48], "
        "source: https://example.org/alpha/firewall, as_of: 2025-01-01}\n"
    )
    return root


@pytest.fixture()
def policy_file(tmp_path: Path) -> Path:
    path = tmp_path / "test-org.yaml"
    path.write_text(POLICY)
    return path


@pytest.fixture()
def plan(catalog: Path, policy_file: Path) -> Plan:
    return plan_for(policy_file, catalog, today=GENERATED.date())


def write_export(plan: Plan, fmt: str, path: Path) -> Path:
    path.write_bytes(export(plan, fmt, GENERATED).data)
    return path


def free_port() -> int:
    """A port free for both UDP and TCP on 127.0.0.1."""
    for _ in range(50):
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as u:
            u.bind(("127.0.0.1", 0))
            port = u.getsockname()[1]
            with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as t:
                try:
                    t.bind(("127.0.0.1", port))
                except OSError:
                    continue
            return int(port)
    raise RuntimeError("no free port")


def query(port: int, name: str, rdtype: str = "A", source: str = "127.0.0.1") -> dns.message.Message:
    q = dns.message.make_query(name, rdtype)
    return dns.query.udp(q, "127.0.0.1", port=port, timeout=2, source=source)


def addresses(port: int, name: str, rdtype: str = "A", source: str = "127.0.0.1") -> set[str]:
    """The addresses a resolver answers for ``name`` (empty set: no address)."""
    answer = query(port, name, rdtype, source)
    assert answer.rcode() in (dns.rcode.NOERROR, dns.rcode.NXDOMAIN), dns.rcode.to_text(answer.rcode())
    return {
        item.to_text()
        for rrset in answer.answer
        if rrset.rdtype == dns.rdatatype.from_text(rdtype)
        for item in rrset
    }


class Daemon:
    """A real server process started by a test; always stopped by the fixture that made it."""

    def __init__(self, argv: list[str], port: int, log: Path) -> None:
        self.port = port
        self.log = log
        self._out = log.open("wb")
        self.proc = subprocess.Popen(argv, stdout=self._out, stderr=subprocess.STDOUT)

    def wait_ready(self, name: str, timeout: float = 20.0) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise AssertionError(
                    f"{self.log.name}: exited {self.proc.returncode}:\n{self.log.read_text()}"
                )
            try:
                query(self.port, name)
                return
            except (dns.exception.Timeout, OSError):
                time.sleep(0.1)
        raise AssertionError(f"{self.log.name}: no answer in {timeout}s:\n{self.log.read_text()}")

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self._out.close()


@pytest.fixture()
def daemons() -> Iterator[list[Daemon]]:
    started: list[Daemon] = []
    yield started
    for d in reversed(started):
        d.stop()


def start(daemons: list[Daemon], argv: list[str], port: int, log: Path, probe: str) -> Daemon:
    d = Daemon(argv, port, log)
    daemons.append(d)
    d.wait_ready(probe)
    return d


def run_dnsmasq(daemons: list[Daemon], log: Path, probe: str, *options: str) -> int:
    """A real dnsmasq in the foreground on a free loopback port, reading no system file, with
    ``options`` (an upstream's ``--host-record``s, or an export and its ``--server``); ready once it
    answers ``probe``. Returns its port."""
    port = free_port()
    argv = [
        need_program("dnsmasq"),
        "--keep-in-foreground",
        "--conf-file=/dev/null",
        "--no-resolv",
        "--no-hosts",
        "--bind-interfaces",
        "--listen-address=127.0.0.1",
        f"--port={port}",
        "--pid-file=",
        "--user=root",
        "--log-facility=-",
        *options,
    ]
    start(daemons, argv, port, log, probe)
    return port


@pytest.fixture()
def upstream(tmp_path: Path, daemons: list[Daemon]) -> int:
    """A real dnsmasq on a loopback port answering every name in UPSTREAM; returns its port."""
    records = (f"--host-record={n},{a},{v6(a)}" for n, a in UPSTREAM.items())
    port = run_dnsmasq(daemons, tmp_path / "upstream-dnsmasq.log", "allowed.example", *records)
    assert addresses(port, "alpha-ime.example") == {"192.0.2.1"}
    return port


def v6(ipv4: str) -> str:
    """The upstream's IPv6 address for a test name: 192.0.2.N → 2001:db8::N."""
    return f"2001:db8::{ipv4.rsplit('.', 1)[1]}"


def check_resolver(port: int, blocked: set[str], source: str = "127.0.0.1") -> None:
    """Every UPSTREAM name: blocked ones answer 0.0.0.0 (and ::), the others the upstream address."""
    for name, addr in UPSTREAM.items():
        got = addresses(port, name, "A", source)
        if name in blocked:
            assert got == {"0.0.0.0"}, f"{name} from {source}: expected blocked (0.0.0.0), got {got}"
            assert addresses(port, name, "AAAA", source) == {"::"}, f"{name}: AAAA not ::"
        else:
            assert got == {addr}, f"{name} from {source}: expected {addr} from upstream, got {got}"
            assert addresses(port, name, "AAAA", source) == {v6(addr)}, f"{name}: AAAA not from upstream"
