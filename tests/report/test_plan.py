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
from tests.export import conftest as export_conftest
from tests.export import test_squid
from tests.export.conftest import Daemon, addresses, free_port, run_dnsmasq
from tests.export.test_bind import run_named
from tests.export.test_dnsmasq import dnsmasq_resolver
from tests.export.test_squid import _fetch, running_squid, squid_conf
from tests.export.test_unbound import run_unbound

pytestmark = pytest.mark.program

UPSTREAM_ADDR = "192.0.2.77"
# the export tests' fixtures, used here as they are: the daemons a test started (stopped after it)
# and the directory Squid's own user can read
daemons = export_conftest.daemons
work = test_squid.work


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


def _upstream(tmp_path: Path, daemons: list[Daemon], names: list[str]) -> int:
    records = (f"--host-record={n},{UPSTREAM_ADDR}" for n in names)
    return run_dnsmasq(daemons, tmp_path / "upstream.log", names[0], *records)


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
    if resolver == "unbound":
        return run_unbound(daemons, tmp_path, export, up, probe)
    if resolver == "dnsmasq":
        check = subprocess.run(
            [need_program("dnsmasq"), "--test", f"--conf-file={export}"], capture_output=True
        )
        assert check.returncode == 0, check.stderr
        return dnsmasq_resolver(daemons, tmp_path, export, up, probe)
    return run_named(daemons, tmp_path, up, [("sekisho", "any", export)], probe)


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


def test_plan_blocks_on_a_real_squid(
    sample_db: Path, tmp_path: Path, work: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    exe = need_program("squid")
    plan, assessor = _plan(sample_db, tmp_path, "squid", "level0")
    export = _export_as_the_plan_says(plan, tmp_path, monkeypatch)
    names = sorted({n for i in plan["items"] for n in _names(assessor, i["id"])})
    port = free_port()
    conf = squid_conf(work, export, port, [*names, "probe.example"])
    parse = subprocess.run([exe, "-k", "parse", "-f", str(conf)], capture_output=True, text=True)
    assert parse.returncode == 0, parse.stderr
    with running_squid(conf, port, tmp_path / "squid.log", "probe.example"):
        _check(plan, assessor, lambda name: _fetch(port, name, "127.0.0.1") == "ERR_ACCESS_DENIED")
