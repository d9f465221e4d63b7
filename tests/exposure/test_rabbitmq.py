"""RabbitMQ management against the real rabbitmq-server (Debian, 3.10) on loopback: without
credentials it is always challenged → protected; only with ``--default-logins`` the documented
``guest``/``guest`` is tried once, on ``/api/overview`` — accepted → a ``rabbitmq_default_login``
finding; with the default user replaced → protected ("default login refused")."""

from __future__ import annotations

import os
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from sekisho.exposure import check
from tests.conftest import need
from tests.exposure.conftest import Audit, Server, free_port

HOST = "127.0.0.1"
BIN = Path("/usr/lib/rabbitmq/bin/rabbitmq-server")


@pytest.fixture()
def rabbit(servers: list[Server], tmp_path: Path) -> Iterator[object]:
    epmd_ports: list[int] = []

    def start(extra_conf: str = "") -> int:
        need(BIN.exists(), "rabbitmq-server (apt-get install rabbitmq-server; .ci/run does)")
        amqp, mgmt, dist, epmd = (free_port() for _ in range(4))
        d = tmp_path / f"rmq{mgmt}"
        d.mkdir()
        (d / "enabled_plugins").write_text("[rabbitmq_management].\n")
        (d / "rabbitmq.conf").write_text(
            f"listeners.tcp.default = {HOST}:{amqp}\nmanagement.tcp.port = {mgmt}\nmanagement.tcp.ip = {HOST}\n"
            + extra_conf
        )
        env = {
            **os.environ,
            "HOME": str(d),
            "RABBITMQ_NODENAME": f"sekisho{mgmt}@localhost",
            "RABBITMQ_MNESIA_BASE": str(d / "mnesia"),
            "RABBITMQ_LOG_BASE": str(d / "log"),
            "RABBITMQ_LOGS": "-",
            "RABBITMQ_CONFIG_FILE": str(d / "rabbitmq.conf"),
            "RABBITMQ_CONFIG_FILES": str(d / "conf.d"),
            "RABBITMQ_ENABLED_PLUGINS_FILE": str(d / "enabled_plugins"),
            "RABBITMQ_PID_FILE": str(d / "pid"),
            "RABBITMQ_DIST_PORT": str(dist),
            "ERL_EPMD_PORT": str(epmd),
        }
        epmd_ports.append(epmd)
        servers.append(Server([str(BIN)], ready=r"Server startup complete", timeout=120, env=env))
        return mgmt

    yield start
    for s in reversed(servers):
        s.stop()
    for port in epmd_ports:  # the Erlang port mapper this node started
        subprocess.run(["epmd", "-kill"], env={**os.environ, "ERL_EPMD_PORT": str(port)}, capture_output=True)


def test_guest_is_tried_only_when_asked(rabbit, audit: Audit) -> None:
    port = rabbit()
    audit.allow(HOST, port)
    plain = check([f"{HOST}:{port}"])
    assert plain.findings == []
    assert [(c.status, c.service, c.reason) for c in plain.checked] == [("protected", "rabbitmq", "auth")]
    asked = check([f"{HOST}:{port}"], default_logins=True)
    (f,) = asked.findings
    assert (f.kind, f.subject) == ("rabbitmq_default_login", f"{HOST}:{port}")
    assert f.detail["values"]["default_login"] == "guest" and f.detail["values"]["version"].startswith("3.")
    assert "accepts its documented default login (guest)" in f.title
    assert [e.request for e in f.evidence] == [
        f"GET http://{HOST}:{port}/api/overview",
        f"GET http://{HOST}:{port}/api/overview (as guest, the documented default login)",
    ]


def test_replaced_default_user_is_protected(rabbit, audit: Audit) -> None:
    port = rabbit("default_user = admin\ndefault_pass = not-guessed\n")
    audit.allow(HOST, port)
    result = check([f"{HOST}:{port}"], default_logins=True)
    assert result.findings == []
    assert [(c.status, c.reason) for c in result.checked] == [("protected", "default_refused")]
