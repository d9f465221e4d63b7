"""Squid parses a configuration that includes the export (squid -k parse), with no warning about
overlapping domains, and a running Squid denies blocked names and subdomains (ERR_ACCESS_DENIED),
lets the rest through to the origin (here a closed port: ERR_CONNECT_FAIL), and applies the research
group's lists to its address."""

from __future__ import annotations

import contextlib
import http.client
import subprocess
import tempfile
import time
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path

import pytest

from sekisho.policy import Plan
from tests.conftest import need_program
from tests.export.conftest import (
    BLOCKED_FOR_ALL,
    BLOCKED_FOR_RESEARCH,
    GROUP_CLIENT,
    UPSTREAM,
    free_port,
    write_export,
)

pytestmark = pytest.mark.program


@pytest.fixture()
def work() -> Iterator[Path]:
    """Squid drops to its own user, who cannot enter pytest's private tmp_path: a readable directory."""
    with tempfile.TemporaryDirectory(prefix="sekisho-squid-") as d:
        Path(d).chmod(0o777)
        yield Path(d)


def squid_conf(work: Path, include: Path, port: int, names: Iterable[str] = UPSTREAM) -> Path:
    """A squid.conf including the export, every one of ``names`` resolved to 127.0.0.1."""
    (work / "hosts").write_text("".join(f"127.0.0.1 {n}\n" for n in names))
    conf = work / "squid.conf"
    conf.write_text(f"""\
http_port 127.0.0.1:{port}
pid_filename none
cache_log {work}/cache.log
access_log none
cache_store_log none
coredump_dir {work}
hosts_file {work}/hosts
dns_nameservers 127.0.0.1
shutdown_lifetime 0 seconds
include {include}
acl test_clients src 127.0.0.0/8
http_access allow test_clients
http_access deny all
""")
    return conf


def test_squid_parses_the_export(tmp_path: Path, work: Path, plan: Plan) -> None:
    exe = need_program("squid")
    include = write_export(plan, "squid", tmp_path / "sekisho.conf")
    run = subprocess.run(
        [exe, "-k", "parse", "-f", str(squid_conf(work, include, 3128))], capture_output=True, text=True
    )
    assert run.returncode == 0, run.stderr
    assert f"Processing Configuration File: {include}" in run.stderr
    problems = [line for line in run.stderr.splitlines() if "WARNING" in line or "ERROR" in line]
    assert problems == [], problems  # e.g. "'.a.example' is a subdomain of '.example'" if not collapsed


def test_squid_parse_rejects_a_broken_include(tmp_path: Path, work: Path) -> None:
    exe = need_program("squid")
    include = tmp_path / "broken.conf"
    include.write_text("http_access deny sekisho_nonexistent_acl\n")
    run = subprocess.run(
        [exe, "-k", "parse", "-f", str(squid_conf(work, include, 3128))], capture_output=True
    )
    assert run.returncode != 0


def _fetch(port: int, name: str, source: str) -> str:
    """The X-Squid-Error of a GET for http://name:9/ through the proxy, from ``source``."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10, source_address=(source, 0))
    try:
        conn.request("GET", f"http://{name}:9/", headers={"Host": f"{name}:9"})
        response = conn.getresponse()
        response.read()
        return (response.getheader("X-Squid-Error") or f"HTTP {response.status}").split()[0]
    finally:
        conn.close()


@contextlib.contextmanager
def running_squid(
    conf: Path,
    port: int,
    log: Path,
    probe: str = "",
    ready: Callable[[], object] | None = None,
    env: dict[str, str] | None = None,
) -> Iterator[None]:
    """A running Squid (in the foreground, output to ``log``) for the block; ready once a fetch of
    ``probe`` through it is answered, or ``ready()`` returns (no fixed sleep); stopped after (the
    report's plan tests and the logformat tests run it so too)."""
    out = log.open("wb")
    proc = subprocess.Popen(
        [need_program("squid"), "-N", "-f", str(conf)], stdout=out, stderr=subprocess.STDOUT, env=env
    )
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                ready() if ready is not None else _fetch(port, probe, "127.0.0.1")
                break
            except OSError:
                assert proc.poll() is None and time.monotonic() < deadline, log.read_text()
                time.sleep(0.2)
        yield
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        out.close()


def test_running_squid_denies_blocked_names(tmp_path: Path, work: Path, plan: Plan) -> None:
    include = write_export(plan, "squid", tmp_path / "sekisho.conf")
    port = free_port()
    conf = squid_conf(work, include, port)
    with running_squid(conf, port, tmp_path / "squid.log", "allowed.example"):
        for source, blocked in (("127.0.0.1", BLOCKED_FOR_ALL), (GROUP_CLIENT, BLOCKED_FOR_RESEARCH)):
            for name in UPSTREAM:
                expected = "ERR_ACCESS_DENIED" if name in blocked else "ERR_CONNECT_FAIL"
                assert _fetch(port, name, source) == expected, f"{name} from {source}"
