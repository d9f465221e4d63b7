"""etcd and Prometheus probes against the real servers from Debian's packages (etcd-server,
prometheus), on loopback: open → a finding; etcd with authentication enabled and Prometheus
behind basic authentication → protected."""

from __future__ import annotations

import base64
import http.client
import json
import time
from pathlib import Path

from sekisho.exposure import check
from tests.conftest import need_program
from tests.exposure.conftest import Audit, Server, free_port

HOST = "127.0.0.1"


def post(port: int, path: str, doc: dict[str, object], token: str | None = None) -> dict[str, object]:
    """The test's own setup requests (the probe never writes)."""
    conn = http.client.HTTPConnection(HOST, port, timeout=10)
    headers = {"Content-Type": "application/json", **({"Authorization": token} if token else {})}
    conn.request("POST", path, body=json.dumps(doc), headers=headers)
    resp = conn.getresponse()
    body = json.loads(resp.read() or b"{}")
    conn.close()
    assert resp.status == 200, (path, resp.status, body)
    return body


def b64(s: str) -> str:
    return base64.b64encode(s.encode()).decode()


def etcd(servers: list[Server], tmp_path: Path) -> int:
    port, peer = free_port(), free_port()
    cmd = [
        need_program("etcd"), "--name", "t", "--data-dir", str(tmp_path / "etcd"),
        "--listen-client-urls", f"http://{HOST}:{port}", "--advertise-client-urls", f"http://{HOST}:{port}",
        "--listen-peer-urls", f"http://{HOST}:{peer}", "--initial-advertise-peer-urls", f"http://{HOST}:{peer}",
        "--initial-cluster", f"t=http://{HOST}:{peer}",
    ]  # fmt: skip
    servers.append(Server(cmd, ready=r"ready to serve client requests"))
    return port


def test_etcd_open_then_with_auth(servers, tmp_path, audit: Audit) -> None:
    port = etcd(servers, tmp_path)
    audit.allow(HOST, port)
    for i in range(7):
        post(port, "/v3/kv/put", {"key": b64(f"/config/app{i}"), "value": b64("secret-value")})
    result = check([f"{HOST}:{port}"])
    (f,) = result.findings
    assert (f.kind, f.detail["values"]["records"], f.severity) == ("etcd_open", "7", "medium")
    assert f.detail["values"]["version"].startswith("3.")
    assert all("secret-value" not in (e.response or "") for e in f.evidence)  # counts, never values
    assert f.evidence[1].request == f"POST http://{HOST}:{port}/v3/kv/range"

    post(port, "/v3/auth/user/add", {"name": "root", "password": "not-guessed"})
    post(port, "/v3/auth/role/add", {"name": "root"})
    post(port, "/v3/auth/user/grant", {"user": "root", "role": "root"})
    post(port, "/v3/auth/enable", {})
    secured = check([f"{HOST}:{port}"])
    assert secured.findings == []
    (c,) = secured.checked
    assert (c.status, c.service) == ("protected", "etcd"), c.evidence


def prometheus(servers: list[Server], tmp_path: Path, *extra: str) -> int:
    port = free_port()
    config = tmp_path / "prometheus.yml"
    config.write_text(
        f"scrape_configs:\n  - job_name: self\n    static_configs: [{{targets: ['{HOST}:{port}']}}]\n"
        "  - job_name: db-exporters\n    static_configs: [{targets: ['192.0.2.10:9187', '192.0.2.11:9187']}]\n"
    )
    cmd = [
        need_program("prometheus"), f"--config.file={config}", f"--storage.tsdb.path={tmp_path / 'tsdb'}",
        f"--web.listen-address={HOST}:{port}", *extra,
    ]  # fmt: skip
    servers.append(Server(cmd, ready=r"Server is ready to receive web requests"))
    return port


def wait_for_targets(port: int, n: int) -> None:
    """Ready to serve is not yet discovered: ask Prometheus until its target list has them."""
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        conn = http.client.HTTPConnection(HOST, port, timeout=10)
        conn.request("GET", "/api/v1/targets")
        doc = json.loads(conn.getresponse().read())
        conn.close()
        if len(doc["data"]["activeTargets"]) >= n:
            return
        time.sleep(0.1)  # a poll interval, not a wait for readiness: the loop checks the answer
    raise AssertionError("prometheus never listed its targets")


def test_prometheus_open_is_a_finding(servers, tmp_path, audit: Audit) -> None:
    port = prometheus(servers, tmp_path)
    audit.allow(HOST, port)
    wait_for_targets(port, 3)
    (f,) = check([f"{HOST}:{port}"]).findings
    values = f.detail["values"]
    assert f.kind == "prometheus_open" and values["targets"] == 3
    assert values["collections"] == ["db-exporters", "self"] or set(values["collections"]) == {
        "self",
        "db-exporters",
    }
    assert values["version"].startswith("2.")


def test_prometheus_basic_auth_is_protected(servers, tmp_path, audit: Audit) -> None:
    web = tmp_path / "web.yml"
    # The bcrypt hash of "test" from Prometheus' own guide (https://prometheus.io/docs/guides/basic-auth/).
    web.write_text(
        "basic_auth_users:\n  admin: $2b$12$hNf2lSsxfm0.i4a.1kVpSOVyBCfIB51VRjgBUyv6kdnyTlgWj81Ay\n"
    )
    port = prometheus(servers, tmp_path, f"--web.config.file={web}")
    audit.allow(HOST, port)
    result = check([f"{HOST}:{port}"])
    assert result.findings == []
    assert [c.status for c in result.checked] == ["protected"]
