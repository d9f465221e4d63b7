"""PowerDNS Recursor: the response policy zone of ``--format bind``, loaded by a running
pdns_recursor (``rpzFile`` in its Lua configuration), blocks the names and their subdomains,
lets the exception through to the upstream, and resolves everything else there."""

from __future__ import annotations

from pathlib import Path

import pytest

from sekisho.policy import Plan
from tests.conftest import need_program
from tests.export.conftest import BLOCKED_FOR_ALL, Daemon, check_resolver, free_port, start, write_export

pytestmark = pytest.mark.program


def test_running_pdns_recursor_applies_the_rpz(
    tmp_path: Path, plan: Plan, upstream: int, daemons: list[Daemon]
) -> None:
    zone = write_export(plan, "bind", tmp_path / "rpz.zone")
    lua = tmp_path / "recursor.lua"
    lua.write_text(f'rpzFile("{zone}", {{policyName="sekisho"}})\n')
    (tmp_path / "recursor.conf").touch()
    port = free_port()
    argv = [
        need_program("pdns_recursor"),
        f"--config-dir={tmp_path}",
        f"--socket-dir={tmp_path}",
        "--daemon=no",
        "--write-pid=no",
        "--disable-syslog=yes",
        f"--local-address=127.0.0.1:{port}",
        f"--forward-zones-recurse=.=127.0.0.1:{upstream}",
        "--dont-query=",  # the upstream is on loopback, which the Recursor does not ask by default
        "--dnssec=off",
        f"--lua-config-file={lua}",
        "--security-poll-suffix=",
    ]
    daemon = start(daemons, argv, port, tmp_path / "pdns_recursor.log", "allowed.example")
    check_resolver(port, BLOCKED_FOR_ALL)
    log = daemon.log.read_text()
    assert "rpz.zone" in log or "sekisho" in log, log[-2000:]  # it says it loaded the zone
