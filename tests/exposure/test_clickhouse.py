"""ClickHouse probe against the real server from Debian's clickhouse-server package (18.16), on
loopback: the default user without a password → a finding whose severity follows the rows seen;
with a password → protected."""

from __future__ import annotations

import http.client
from pathlib import Path
from urllib.parse import quote

from sekisho.exposure import check
from tests.conftest import need_program
from tests.exposure.conftest import Audit, Server, free_port

HOST = "127.0.0.1"
CONFIG = """<yandex>
  <logger><level>information</level><console>1</console></logger>
  <http_port>{http}</http_port>
  <tcp_port>{tcp}</tcp_port>
  <listen_host>127.0.0.1</listen_host>
  <path>{d}/data/</path>
  <tmp_path>{d}/data/tmp/</tmp_path>
  <user_files_path>{d}/data/user_files/</user_files_path>
  <format_schema_path>{d}/data/format_schemas/</format_schema_path>
  <users_config>{d}/users.xml</users_config>
  <default_profile>default</default_profile>
  <default_database>default</default_database>
  <mark_cache_size>536870912</mark_cache_size>
</yandex>
"""
USERS = """<yandex>
  <profiles><default></default></profiles>
  <users><default><password>{password}</password><networks><ip>::/0</ip></networks>
    <profile>default</profile><quota>default</quota></default></users>
  <quotas><default></default></quotas>
</yandex>
"""


def clickhouse(servers: list[Server], tmp_path: Path, password: str = "") -> int:
    http, tcp = free_port(), free_port()
    (tmp_path / "config.xml").write_text(CONFIG.format(http=http, tcp=tcp, d=tmp_path))
    (tmp_path / "users.xml").write_text(USERS.format(password=password))
    cmd = [need_program("clickhouse-server"), f"--config-file={tmp_path / 'config.xml'}"]
    servers.append(Server(cmd, ready=r"Ready for connections"))
    return http


def post(port: int, sql: str) -> None:
    """The test's own setup writes (the probe only GETs, which ClickHouse runs read-only)."""
    conn = http.client.HTTPConnection(HOST, port, timeout=30)
    conn.request("POST", "/?query=" + quote(sql, safe=""))
    resp = conn.getresponse()
    body = resp.read()
    conn.close()
    assert resp.status == 200, body


def test_clickhouse_open_is_a_finding_growing_with_rows(servers, tmp_path, audit: Audit) -> None:
    port = clickhouse(servers, tmp_path)
    audit.allow(HOST, port)
    post(port, "CREATE DATABASE shop")
    post(port, "CREATE TABLE shop.orders (id UInt64) ENGINE = MergeTree() ORDER BY id")
    post(port, "INSERT INTO shop.orders SELECT number FROM system.numbers LIMIT 150000")
    (f,) = check([f"{HOST}:{port}"]).findings
    values = f.detail["values"]
    assert f.kind == "clickhouse_open" and values["version"].startswith("18.")
    assert {"default", "shop", "system"} <= set(values["collections"])
    assert values["records"] == 150000 and values["bytes"] > 0
    assert f.severity == "high"  # 150,000 rows >= 100,000


def test_clickhouse_password_is_protected(servers, tmp_path, audit: Audit) -> None:
    port = clickhouse(servers, tmp_path, password="not-guessed")
    audit.allow(HOST, port)
    result = check([f"{HOST}:{port}"])
    assert result.findings == []
    (c,) = result.checked
    assert (c.status, c.service) == ("protected", "clickhouse"), c.evidence
