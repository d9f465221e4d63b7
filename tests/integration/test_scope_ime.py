"""Issue 4 acceptance: on a network of 200 clients where 14 reach an input-method vendor,
`scope` lists exactly those 14.

The log is written by a real dnsmasq on loopback: 200 clients (127.0.1.1-200; loopback accepts any
127/8 source) send ordinary queries, 14 of them also ask for Baidu IME names, 9 others for Simeji
names, and some ask for look-alike names that belong to neither.
"""

from __future__ import annotations

import os
import random
import signal
import socket
import subprocess
import time
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import dns.exception
import dns.flags
import dns.message
import dns.query
import dns.rcode
import pytest

from sekisho import api
from sekisho.store import Store
from tests.conftest import need_program

pytestmark = pytest.mark.program

CLIENTS = [f"127.0.1.{i}" for i in range(1, 201)]
PROBE = "127.0.2.1"  # asks whether dnsmasq is up yet; not one of the 200
ORDINARY = [
    "www.google.com",
    "outlook.office365.com",
    "www.yahoo.co.jp",
    "update.example.com",
    "ntp.example.org",
    "intranet.city.example.jp",
    "cdn.example.net",
    "mail.example.jp",
    "ocsp.example.com",
    "wpad.example.jp",
]
BAIDU_IME = ["ime.baidu.jp", "IME.Baidu.JP", "cloud.ime.baidu.jp", "baidu.jp"]  # 0x20 case included
SIMEJI = ["simeji.me", "api.simeji.me", "Dict.Simeji.ME"]
# Names that look like the vendors' but are not theirs: a match must be on a label boundary.
LOOKALIKES = [
    "notbaidu.jp",
    "baidu.jp.example.com",
    "ime-baidu.jp.example.net",
    "xsimeji.me",
    "simeji.me.example.org",
]


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def ask(name: str, client: str, port: int, qtype: str = "A", timeout: float = 3) -> dns.message.Message:
    query = dns.message.make_query(name, qtype)
    return dns.query.udp(query, "127.0.0.1", port=port, source=client, timeout=timeout)


@pytest.fixture()
def dnsmasq(tmp_path: Path) -> Iterator[tuple[int, Path, subprocess.Popen[bytes]]]:
    """A real dnsmasq answering every name with 203.0.113.1 and logging every query to a file."""
    program = need_program("dnsmasq")
    port = free_port()
    log = tmp_path / "dnsmasq.log"
    args = [
        program,
        "--no-daemon",
        "-C",
        "/dev/null",
        f"--port={port}",
        "--listen-address=127.0.0.1",
        "--bind-interfaces",
        "--no-resolv",
        "--no-hosts",
        "--log-queries",
        f"--log-facility={log}",
        "--address=/#/203.0.113.1",
        "--pid-file=",
    ]
    if os.geteuid() == 0:
        args += ["--user=root", "--group=root"]  # keep writing the log file in tmp_path
    # With --no-daemon dnsmasq also logs to stderr: a file, as a pipe nobody reads would fill up
    # and stall it.
    stderr = open(tmp_path / "dnsmasq.stderr", "wb")  # noqa: SIM115 (closed in finally)
    proc = subprocess.Popen(args, stdout=subprocess.DEVNULL, stderr=stderr)
    try:
        deadline = time.monotonic() + 20
        while True:
            assert proc.poll() is None, f"dnsmasq exited: {(tmp_path / 'dnsmasq.stderr').read_text()}"
            try:
                ask("ready.invalid", PROBE, port, timeout=0.3)
                break
            except (TimeoutError, OSError, dns.exception.Timeout):
                assert time.monotonic() < deadline, "dnsmasq did not answer"
                time.sleep(0.1)
        yield port, log, proc
    finally:
        if proc.poll() is None:
            proc.send_signal(signal.SIGTERM)
            try:
                proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
        stderr.close()


def test_scope_lists_exactly_the_14_of_200_clients_that_reach_an_ime_vendor(
    dnsmasq: tuple[int, Path, subprocess.Popen[bytes]], tmp_path: Path
) -> None:
    port, log, proc = dnsmasq
    rng = random.Random(14)
    ime = sorted(rng.sample(CLIENTS, 14))
    simeji = sorted(rng.sample([c for c in CLIENTS if c not in ime], 9))
    plan: list[tuple[str, str, str]] = []  # (client, name, qtype)
    for client in CLIENTS:
        for name in rng.sample(ORDINARY, rng.randint(2, 6)):
            plan.append((client, name, "A"))
        if rng.random() < 0.2:
            plan.append((client, rng.choice(LOOKALIKES), "A"))
        if client in ime:
            plan += [(client, rng.choice(BAIDU_IME), "A") for _ in range(rng.randint(1, 5))]
        if client in simeji:
            plan += [(client, rng.choice(SIMEJI), "A") for _ in range(rng.randint(1, 3))]
    rng.shuffle(plan)  # clients interleave, as on a real network
    assert sum(1 for _, n, _ in plan if n in LOOKALIKES) > 0

    for client, name, qtype in plan:
        reply = ask(name, client, port, qtype)  # answered from --address (A), or refused (no upstream)
        assert reply.flags & dns.flags.QR
        assert reply.rcode() in (dns.rcode.NOERROR, dns.rcode.REFUSED)
    proc.send_signal(signal.SIGTERM)  # dnsmasq closes its log
    assert proc.wait(timeout=10) == 0

    db = tmp_path / "db.duckdb"
    result = api.scan([str(log)], db=db)
    account = result["files"][0]
    assert account["format"] == "dnsmasq"
    assert account["malformed"] == 0
    with Store(db, read_only=True) as store:
        rows = store.con.execute("SELECT client, sum(queries) FROM observations GROUP BY client").fetchall()
    per_client = dict(rows)
    assert set(per_client) - {PROBE} == set(CLIENTS)
    assert sum(q for c, q in per_client.items() if c != PROBE) == len(plan)  # every query, once
    assert account["parsed"] == sum(per_client.values())

    def expected(names: list[str]) -> dict[str, tuple[int, list[str]]]:
        per: dict[str, Counter[str]] = {}
        for client, name, _ in plan:
            if name in names:
                per.setdefault(client, Counter())[name.lower()] += 1
        return {c: (sum(n.values()), sorted(n)) for c, n in per.items()}

    scope = api.scope("baidu-ime", db=db)
    got = {c["client"]: (c["queries"], c["names"]) for c in scope["clients"]}
    assert sorted(got) == ime
    assert len(got) == 14
    assert got == expected(BAIDU_IME)
    for c in scope["clients"]:
        assert c["first_seen"] and c["last_seen"] and c["first_seen"] <= c["last_seen"]
        assert c["days"] == 1

    other = api.scope("simeji", db=db)
    assert {c["client"]: (c["queries"], c["names"]) for c in other["clients"]} == expected(SIMEJI)
    assert sorted(c["client"] for c in other["clients"]) == simeji

    # the findings name both vendors with the right number of clients
    services = {s["id"]: s for s in result["services"]}
    assert services["baidu-ime"]["clients"] == 14
    assert services["simeji"]["clients"] == 9
