"""dnsmasq accepts the export (--test) and a running dnsmasq blocks names and their subdomains with
0.0.0.0 / ::, and forwards allowed names (including the exception under a blocked name)."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from sekisho.export import export
from sekisho.policy import Plan
from tests.conftest import need_program
from tests.export.conftest import (
    BLOCKED_FOR_ALL,
    GENERATED,
    Daemon,
    check_resolver,
    run_dnsmasq,
    write_export,
)

pytestmark = pytest.mark.program


def dnsmasq_resolver(daemons: list[Daemon], tmp_path: Path, conf: Path, upstream: int, probe: str) -> int:
    """A running dnsmasq that loads the export ``conf`` and forwards the rest to ``upstream``
    (the report's plan tests run it so too); returns its port."""
    return run_dnsmasq(
        daemons, tmp_path / "dnsmasq.log", probe, f"--conf-file={conf}", f"--server=127.0.0.1#{upstream}"
    )


def test_dnsmasq_test_accepts_the_export(tmp_path: Path, plan: Plan) -> None:
    exe = need_program("dnsmasq")
    conf = write_export(plan, "dnsmasq", tmp_path / "sekisho.conf")
    run = subprocess.run([exe, "--test", f"--conf-file={conf}"], capture_output=True, text=True)
    assert run.returncode == 0, run.stderr
    assert "syntax check OK" in run.stderr


def test_dnsmasq_test_rejects_a_broken_file(tmp_path: Path) -> None:
    exe = need_program("dnsmasq")
    conf = tmp_path / "broken.conf"
    conf.write_text("adress=/x.example/#\n")
    assert subprocess.run([exe, "--test", f"--conf-file={conf}"], capture_output=True).returncode != 0


def test_running_dnsmasq_blocks_and_forwards(
    tmp_path: Path, plan: Plan, upstream: int, daemons: list[Daemon]
) -> None:
    conf = write_export(plan, "dnsmasq", tmp_path / "sekisho.conf")
    port = dnsmasq_resolver(daemons, tmp_path, conf, upstream, "allowed.example")
    check_resolver(port, BLOCKED_FOR_ALL)


def test_dnsmasq_export_has_no_client_groups(plan: Plan) -> None:
    """dnsmasq cannot answer per client: the file says so and points to --group."""
    result = export(plan, "dnsmasq", GENERATED)
    assert any("client groups (research) are not in this file" in w for w in result.warnings)
    assert b"NOTE: client groups (research) are not in this file" in result.data
