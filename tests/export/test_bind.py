"""BIND: named-checkzone accepts the response policy zone, and a running named with
``response-policy`` blocks names and subdomains, passes the exception through, and gives the research
group (a view matching its address) the zone exported with --group research."""

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


def test_named_checkzone_accepts_the_rpz(tmp_path: Path, plan: Plan) -> None:
    exe = need_program("named-checkzone")
    zone = write_export(plan, "bind", tmp_path / "rpz.zone")
    run = subprocess.run([exe, "rpz.sekisho", str(zone)], capture_output=True, text=True)
    assert run.returncode == 0, run.stdout + run.stderr
    assert "OK" in run.stdout
    assert f"serial {int(GENERATED.timestamp())}" in run.stdout


def test_named_checkzone_rejects_a_broken_zone(tmp_path: Path) -> None:
    exe = need_program("named-checkzone")
    zone = tmp_path / "broken.zone"
    zone.write_text("$TTL 300\nx.example A 0.0.0.0\n")  # no SOA
    assert subprocess.run([exe, "rpz.sekisho", str(zone)], capture_output=True).returncode != 0


def named_conf(tmp_path: Path, port: int, upstream: int, views: list[tuple[str, str, Path]]) -> Path:
    """views: (view name, match-clients, zone file); one view matching ``any`` comes last."""
    blocks = []
    for name, clients, zone in views:
        blocks.append(f"""
view "{name}" {{
    match-clients {{ {clients}; }};
    recursion yes;
    forwarders {{ 127.0.0.1 port {upstream}; }};
    forward only;
    response-policy {{ zone "rpz.{name}"; }};
    zone "rpz.{name}" {{ type primary; file "{zone}"; allow-query {{ none; }}; }};
}};""")
    conf = tmp_path / "named.conf"
    conf.write_text(f"""\
options {{
    directory "{tmp_path}";
    listen-on port {port} {{ 127.0.0.1; }};
    listen-on-v6 {{ none; }};
    pid-file none;
    session-keyfile none;
    allow-query {{ any; }};
    allow-recursion {{ any; }};
    dnssec-validation no;
}};
controls {{ }};
{"".join(blocks)}
""")
    return conf


def run_named(
    daemons: list[Daemon], tmp_path: Path, upstream: int, views: list[tuple[str, str, Path]], probe: str
) -> int:
    """A running named with ``views`` (see :func:`named_conf`), its configuration and zones first
    passed by named-checkconf -z (the report's plan tests run it so too); returns its port."""
    port = free_port()
    conf = named_conf(tmp_path, port, upstream, views)
    check = subprocess.run([need_program("named-checkconf"), "-z", str(conf)], capture_output=True, text=True)
    assert check.returncode == 0, check.stdout + check.stderr
    start(daemons, [need_program("named"), "-g", "-c", str(conf)], port, tmp_path / "named.log", probe)
    return port


def test_running_named_applies_the_rpz(
    tmp_path: Path, plan: Plan, catalog: Path, policy_file: Path, upstream: int, daemons: list[Daemon]
) -> None:
    default_zone = write_export(plan, "bind", tmp_path / "rpz.zone")
    research = plan_for(policy_file, catalog, group="research", today=GENERATED.date())
    research_zone = write_export(research, "bind", tmp_path / "rpz-research.zone")
    views = [("research", f"{GROUP_CLIENT}/32", research_zone), ("default", "any", default_zone)]
    port = run_named(daemons, tmp_path, upstream, views, "allowed.example")
    check_resolver(port, BLOCKED_FOR_ALL)
    check_resolver(port, BLOCKED_FOR_RESEARCH, source=GROUP_CLIENT)
