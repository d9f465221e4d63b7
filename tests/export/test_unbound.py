"""Unbound loads the export (unbound-checkconf) and a running unbound answers blocked names with
0.0.0.0 / ::, resolves allowed ones (including an exception under a blocked name) through the
upstream, and applies the research group's view to its address."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from sekisho.policy import Plan, plan_for
from tests.conftest import need_program
from tests.export.conftest import (
    BLOCKED_FOR_ALL,
    BLOCKED_FOR_RESEARCH,
    GENERATED,
    GROUP_CLIENT,
    Daemon,
    check_resolver,
    free_port,
    start,
    write_export,
)

pytestmark = pytest.mark.program


def unbound_conf(tmp_path: Path, include: Path, port: int, upstream: int) -> Path:
    conf = tmp_path / "unbound.conf"
    conf.write_text(f"""\
server:
    interface: 127.0.0.1
    port: {port}
    do-ip6: no
    do-daemonize: no
    username: ""
    chroot: ""
    directory: "{tmp_path}"
    pidfile: ""
    use-syslog: no
    logfile: ""
    verbosity: 1
    module-config: "iterator"
    do-not-query-localhost: no
    access-control: 127.0.0.0/8 allow
include: "{include}"
forward-zone:
    name: "."
    forward-addr: 127.0.0.1@{upstream}
""")
    return conf


def run_unbound(daemons: list[Daemon], tmp_path: Path, include: Path, upstream: int, probe: str) -> int:
    """A running unbound that includes the export and forwards to ``upstream`` (the report's plan
    tests run it so too); returns its port."""
    port = free_port()
    conf = unbound_conf(tmp_path, include, port, upstream)
    start(daemons, [need_program("unbound"), "-d", "-c", str(conf)], port, tmp_path / "unbound.log", probe)
    return port


def test_unbound_checkconf_accepts_the_export(tmp_path: Path, plan: Plan) -> None:
    checkconf = need_program("unbound-checkconf")
    include = write_export(plan, "unbound", tmp_path / "sekisho.conf")
    conf = unbound_conf(tmp_path, include, 5353, 5354)
    run = subprocess.run([checkconf, str(conf)], capture_output=True, text=True)
    assert run.returncode == 0, run.stdout + run.stderr
    assert "no errors" in run.stdout


def test_unbound_checkconf_rejects_a_broken_include(tmp_path: Path) -> None:
    """The check above can fail: a misspelt zone type is refused."""
    checkconf = need_program("unbound-checkconf")
    include = tmp_path / "broken.conf"
    include.write_text('server:\n    local-zone: "x.example." always_nul\n')
    run = subprocess.run(
        [checkconf, str(unbound_conf(tmp_path, include, 5353, 5354))], capture_output=True, text=True
    )
    assert run.returncode != 0


def test_running_unbound_blocks_and_resolves(
    tmp_path: Path, plan: Plan, upstream: int, daemons: list[Daemon]
) -> None:
    include = write_export(plan, "unbound", tmp_path / "sekisho.conf")
    port = run_unbound(daemons, tmp_path, include, upstream, "allowed.example")
    check_resolver(port, BLOCKED_FOR_ALL)
    # the research group's view: alpha-ime allowed, beta-chat blocked
    check_resolver(port, BLOCKED_FOR_RESEARCH, source=GROUP_CLIENT)


def test_a_group_that_blocks_nothing_is_not_given_the_global_blocks(
    tmp_path: Path, catalog: Path, upstream: int, daemons: list[Daemon]
) -> None:
    """Unbound applies the global zones to a view without zones; the export's sentinel zone prevents it."""
    policy = tmp_path / "open-group.yaml"
    policy.write_text(
        "presets: [level0]\ngroups:\n  - name: lab\n    addresses: [127.0.0.2/32]\n"
        "    rules:\n      - allow: {service: alpha-ime}\n"
    )
    plan = plan_for(policy, catalog, today=GENERATED.date())
    assert plan.groups[0].blocklist.blocked == ()
    include = write_export(plan, "unbound", tmp_path / "sekisho.conf")
    port = run_unbound(daemons, tmp_path, include, upstream, "allowed.example")
    check_resolver(
        port,
        {
            "alpha-ime.example",
            "www.alpha-ime.example",
            "ok.alpha-ime.example",
            "deep.ok.alpha-ime.example",
            "api.alpha-cloud.example",
        },
    )
    check_resolver(port, set(), source=GROUP_CLIENT)
