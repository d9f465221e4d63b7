"""One response plan (issue 13 item 2): every service the plan marks for blocking is refused by the
real resolver or proxy loading the export the plan names, and every service it lets through (to
approve or to monitor) still resolves — for each bundled base policy and an organisation's settings.

The store is the bundled sample week (DeepSeek, Zoom, Teams, Baidu IME, TikTok, PayPay, …). The
export is made by running the plan's own `sekisho export` command; the resolver is the real Unbound,
dnsmasq, BIND or Squid, started as tests/export does, over a real dnsmasq upstream that answers
every name of the services found."""

from __future__ import annotations

import shlex
import subprocess
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from sekisho.api import assessor_for
from sekisho.assess import Assessor
from sekisho.cli.main import app
from sekisho.report.model import build_report
from sekisho.report.response import preset_specs
from sekisho.store import Store
from tests.conftest import need_program
from tests.export.conftest import Daemon, addresses, free_port, start
from tests.export.test_bind import named_conf
from tests.export.test_squid import _fetch
from tests.export.test_unbound import unbound_conf

pytestmark = pytest.mark.program

UPSTREAM_ADDR = "192.0.2.77"


def _plan(sample_db: Path, tmp_path: Path, resolver: str, policy: str) -> tuple[dict[str, Any], Assessor]:
    settings = tmp_path / "settings.yaml"
    settings.write_text(f"resolver: {resolver}\npolicy: '{policy}'\ntimezone: Asia/Tokyo\n")
    assessor = assessor_for(settings=settings)
    with Store(sample_db, read_only=True) as store:
        report = build_report(store, assessor, "ja", scope_limit=0)
    return report["plan"], assessor


def _names(assessor: Assessor, sid: str) -> list[str]:
    return [n for n in assessor.catalog.service(sid).domains.value if "*" not in n]


def _export_as_the_plan_says(plan: dict[str, Any], tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Save the plan's policy file and run the plan's export command, writing into tmp_path."""
    monkeypatch.chdir(tmp_path)
    if plan["policy_yaml"]:
        (tmp_path / plan["policy"]).write_text(plan["policy_yaml"], encoding="utf-8")
    argv = shlex.split(plan["export_command"])
    assert argv[:2] == ["sekisho", "export"] and argv[argv.index("-o") + 1] == plan["file"]
    out = tmp_path / Path(plan["file"]).name
    argv[argv.index("-o") + 1] = str(out)
    res = CliRunner().invoke(app, argv[1:])
    assert res.exit_code == 0, res.output
    return out


@pytest.fixture()
def daemons() -> Iterator[list[Daemon]]:
    started: list[Daemon] = []
    yield started
    for d in reversed(started):
        d.stop()


def _upstream(tmp_path: Path, daemons: list[Daemon], names: list[str]) -> int:
    exe = need_program("dnsmasq")
    port = free_port()
    argv = [
        exe,
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
        *(f"--host-record={n},{UPSTREAM_ADDR}" for n in names),
    ]
    start(daemons, argv, port, tmp_path / "upstream.log", names[0])
    return port


def _check(plan: dict[str, Any], assessor: Assessor, blocked: Any) -> None:
    """``blocked(name) -> bool`` asks the real program; the plan's word must match for every name."""
    assert plan["blocked"], "the sample week has services to block"
    for item in plan["items"]:
        for name in _names(assessor, item["id"]):
            assert blocked(name) == item["block"], (
                f"{item['id']} ({item['action']}): {name} {'not ' if item['block'] else ''}blocked"
            )


def _dns_resolver(
    resolver: str, export: Path, tmp_path: Path, daemons: list[Daemon], up: int, probe: str
) -> int:
    port = free_port()
    if resolver == "unbound":
        conf = unbound_conf(tmp_path, export, port, up)
        start(daemons, [need_program("unbound"), "-d", "-c", str(conf)], port, tmp_path / "u.log", probe)
    elif resolver == "dnsmasq":
        check = subprocess.run(
            [need_program("dnsmasq"), "--test", f"--conf-file={export}"], capture_output=True
        )
        assert check.returncode == 0, check.stderr
        argv = [
            need_program("dnsmasq"),
            "--keep-in-foreground",
            "--conf-file=/dev/null",
            f"--conf-file={export}",
            "--no-resolv",
            "--no-hosts",
            "--bind-interfaces",
            "--listen-address=127.0.0.1",
            f"--port={port}",
            "--pid-file=",
            "--user=root",
            "--log-facility=-",
            f"--server=127.0.0.1#{up}",
        ]
        start(daemons, argv, port, tmp_path / "d.log", probe)
    else:
        conf = named_conf(tmp_path, port, up, [("sekisho", "any", export)])
        named_check = subprocess.run(
            [need_program("named-checkconf"), "-z", str(conf)], capture_output=True, text=True
        )
        assert named_check.returncode == 0, named_check.stdout + named_check.stderr
        start(daemons, [need_program("named"), "-g", "-c", str(conf)], port, tmp_path / "n.log", probe)
    return port


ORG = [(r, p) for r in ("unbound", "dnsmasq", "bind") for p in ("level0", "intel-law:CN", "assessment")]


@pytest.mark.parametrize(("resolver", "policy"), ORG)
def test_plan_blocks_on_a_real_resolver(
    sample_db: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    daemons: list[Daemon],
    resolver: str,
    policy: str,
) -> None:
    plan, assessor = _plan(sample_db, tmp_path, resolver, policy)
    assert plan["resolver"] == resolver and plan["resolver_source"] == "settings"
    export = _export_as_the_plan_says(plan, tmp_path, monkeypatch)
    names = sorted({n for i in plan["items"] for n in _names(assessor, i["id"])})
    up = _upstream(tmp_path, daemons, names)
    port = _dns_resolver(resolver, export, tmp_path, daemons, up, "probe-not-blocked.example")

    def refused(name: str) -> bool:
        got = addresses(port, name)
        assert got in ({"0.0.0.0"}, set(), {UPSTREAM_ADDR}), (name, got)
        return got != {UPSTREAM_ADDR}

    _check(plan, assessor, refused)


def test_every_bundled_policy_is_a_base(sample_db: Path, tmp_path: Path) -> None:
    """The plan takes each built-in policy as the organisation's base; what the base blocks is blocked."""
    specs = preset_specs(assessor_for())
    assert {"level0", "assessment"} <= set(specs) and any(s.startswith("intel-law:") for s in specs)
    for spec in specs:
        plan, _ = _plan(sample_db, tmp_path, "unbound", spec)
        by_id = {i["id"]: i for i in plan["items"]}
        assert by_id["deepseek"]["action"] == "stop"
        assert by_id["paypay"]["action"] == "monitor" and not by_id["paypay"]["block"]
        for i in plan["items"]:
            assert i["block"] == (i["action"] in ("stop", "forbid"))
            assert (i["because"] == "policy") <= i["block"]


def test_the_issue_contradictions_are_gone(sample_db: Path, tmp_path: Path) -> None:
    """The issue's contradictions, whatever the catalog rates each service today: a service rated 1
    (Zoom when the issue was filed) is blocked by the policy the plan names, not told to block with
    level0, which does not block it; a service whose verdict allows approved use (PayPay, and TikTok
    at level 2) is not blocked, unless the organisation's base policy blocks it."""
    plan, assessor = _plan(sample_db, tmp_path, "unbound", "level0")
    levels = {i["id"]: assessor.rate(i["id"]).safety_level for i in plan["items"]}
    by_id = {i["id"]: i for i in plan["items"]}
    assert plan["policy"] == "sekisho-plan.yaml" and "--policy sekisho-plan.yaml" in plan["export_command"]
    rated_1 = [sid for sid, lvl in levels.items() if lvl == 1]
    assert rated_1, "the samples should reach a service rated 1"
    for sid in rated_1:
        assert by_id[sid]["block"] and sid in plan["policy_yaml"], sid
    for sid, lvl in levels.items():
        if lvl >= 2:
            assert not by_id[sid]["block"], sid
            assert by_id[sid]["action"] == ("approve" if lvl == 2 else "monitor"), sid
    assert levels["paypay"] >= 2 and not by_id["paypay"]["block"]
    strict, _ = _plan(sample_db, tmp_path, "unbound", "intel-law:CN")
    tiktok = next(i for i in strict["items"] if i["id"] == "tiktok")
    assert tiktok["block"] and tiktok["because"] == "policy"


def test_resolver_detected_from_the_logs(sample_db: Path, tmp_path: Path) -> None:
    settings = tmp_path / "s.yaml"
    settings.write_text("weights: {}\n")
    with Store(sample_db, read_only=True) as store:
        plan = build_report(store, assessor_for(settings=settings), "en", scope_limit=0)["plan"]
    assert (plan["resolver"], plan["resolver_source"]) == ("squid", "logs")  # the sample week's proxy log
    assert plan["steps"][0]["command"].startswith("sekisho export --format squid ")


@pytest.fixture()
def work() -> Iterator[Path]:
    with tempfile.TemporaryDirectory(prefix="sekisho-squid-") as d:
        Path(d).chmod(0o777)
        yield Path(d)


def test_plan_blocks_on_a_real_squid(
    sample_db: Path, tmp_path: Path, work: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    exe = need_program("squid")
    plan, assessor = _plan(sample_db, tmp_path, "squid", "level0")
    export = _export_as_the_plan_says(plan, tmp_path, monkeypatch)
    names = sorted({n for i in plan["items"] for n in _names(assessor, i["id"])})
    (work / "hosts").write_text("".join(f"127.0.0.1 {n}\n" for n in [*names, "probe.example"]))
    port = free_port()
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
include {export}
acl test_clients src 127.0.0.0/8
http_access allow test_clients
http_access deny all
""")
    parse = subprocess.run([exe, "-k", "parse", "-f", str(conf)], capture_output=True, text=True)
    assert parse.returncode == 0, parse.stderr
    log = (tmp_path / "squid.log").open("wb")
    proc = subprocess.Popen([exe, "-N", "-f", str(conf)], stdout=log, stderr=subprocess.STDOUT)
    try:
        deadline = time.monotonic() + 30
        while True:  # ready when it answers; no fixed sleep
            try:
                _fetch(port, "probe.example", "127.0.0.1")
                break
            except OSError:
                assert proc.poll() is None and time.monotonic() < deadline, (
                    tmp_path / "squid.log"
                ).read_text()
                time.sleep(0.2)
        _check(plan, assessor, lambda name: _fetch(port, name, "127.0.0.1") == "ERR_ACCESS_DENIED")
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        log.close()
