"""Redis and memcached probes against the real servers (Debian's redis-server, memcached) on
loopback: open → a finding, password/auth → protected, closed port → closed; Redis MONITOR shows the
probe sends only reads."""

from __future__ import annotations

import socket
import subprocess
from pathlib import Path

from sekisho.exposure import check
from sekisho.store import Store
from sekisho.store.findings import load_findings, save_findings
from tests.conftest import need, need_program
from tests.exposure.conftest import Audit, Server, free_port

HOST = "127.0.0.1"


def redis(servers: list[Server], tmp_path: Path, *extra: str) -> int:
    port = free_port()
    cmd = [
        need_program("redis-server"),
        "--port",
        str(port),
        "--bind",
        HOST,
        "--save",
        "",
        "--appendonly",
        "no",
    ]
    servers.append(Server([*cmd, "--dir", str(tmp_path), *extra], ready=r"Ready to accept connections"))
    return port


def resp(port: int, *commands: list[str]) -> bytes:
    """The test's own setup writes (never the probe's), in RESP."""
    with socket.create_connection((HOST, port), timeout=5) as s:
        out = b""
        for args in commands:
            s.sendall(f"*{len(args)}\r\n".encode() + b"".join(f"${len(a)}\r\n{a}\r\n".encode() for a in args))
            out += s.recv(65536)
        return out


def test_open_redis_is_a_finding_with_counts(servers, tmp_path, audit: Audit, db) -> None:
    port = redis(servers, tmp_path)
    audit.allow(HOST, port)
    resp(port, *[["SET", f"user:{i}", "x"] for i in range(25)], ["SELECT", "2"], ["SET", "k", "v"])
    result = check([f"{HOST}:{port}"])
    assert [c.as_json() for c in result.checked] == [
        {"target": f"{HOST}:{port}", "status": "open", "service": "redis"}
    ]
    (f,) = result.findings
    assert (f.stage, f.kind, f.subject, f.severity) == ("exposure", "redis_open", f"{HOST}:{port}", "medium")
    values = f.detail["values"]
    assert values["records"] == 26 and values["collections"] == ["db0", "db2"] and values["dbsize"] == "25"
    assert values["version"].startswith("7.") or values["version"][0].isdigit()
    assert [e.request for e in f.evidence] == [f"redis://{HOST}:{port} INFO", f"redis://{HOST}:{port} DBSIZE"]
    assert f.evidence[0].response and "redis_version" in f.evidence[0].response
    assert "x" not in (f.evidence[1].response or "").replace("\r\n", "")  # no record contents
    with Store(db) as store:
        assert save_findings(store, result.findings) == (1, 0)
        assert save_findings(store, check([f"{HOST}:{port}"]).findings) == (0, 1)
        (back,) = load_findings(store, stage="exposure")
        assert back.kind == "redis_open" and back.detail["values"]["records"] == 26


def test_requirepass_is_protected_never_a_finding(servers, tmp_path, audit: Audit) -> None:
    port = redis(servers, tmp_path, "--requirepass", "s3cret-not-guessed")
    audit.allow(HOST, port)
    result = check([f"{HOST}:{port}"])
    assert result.findings == []
    (c,) = result.checked
    assert (c.status, c.service) == ("protected", "redis")
    assert c.evidence[0].response and "NOAUTH" in c.evidence[0].response


def test_closed_port_is_closed(audit: Audit) -> None:
    port = free_port()
    audit.allow(HOST, port)
    (c,) = check([f"{HOST}:{port}"]).checked
    assert (c.status, c.service) == ("closed", None)


def test_monitor_shows_only_reads(servers, tmp_path, audit: Audit) -> None:
    port = redis(servers, tmp_path)
    audit.allow(HOST, port)
    resp(port, ["SET", "a", "1"])
    mon = socket.create_connection((HOST, port), timeout=5)
    mon.sendall(b"MONITOR\r\n")
    assert mon.recv(100).startswith(b"+OK")
    check([f"{HOST}:{port}"])  # every probe runs: detection tries them on this port too
    resp(port, ["ECHO", "end-of-check"])
    seen = b""
    while b"end-of-check" not in seen:
        chunk = mon.recv(65536)
        assert chunk, "monitor closed"
        seen += chunk
    mon.close()
    commands = [
        line.split(b'"')[1].upper().decode()
        for line in seen.splitlines()
        if line.startswith(b"+") and b'"' in line and b"end-of-check" not in line
    ]
    assert commands == ["INFO", "DBSIZE"], seen


def memcached(servers: list[Server], tmp_path: Path, *extra: str) -> int:
    port = free_port()
    cmd = [need_program("memcached"), "-l", HOST, "-p", str(port), "-U", "0", "-u", "root", "-vv", *extra]
    servers.append(Server(cmd, ready=r"server listening"))
    return port


def test_open_memcached_is_a_finding(servers, tmp_path, audit: Audit) -> None:
    port = memcached(servers, tmp_path)
    audit.allow(HOST, port)
    with socket.create_connection((HOST, port), timeout=5) as s:
        for i in range(3):
            s.sendall(f"set k{i} 0 0 5\r\nhello\r\n".encode())
            assert s.recv(100) == b"STORED\r\n"
    result = check([f"{HOST}:{port}"])
    (f,) = result.findings
    assert (f.kind, f.severity) == ("memcached_open", "medium")
    assert f.detail["values"]["records"] == "3" and int(f.detail["values"]["bytes"]) > 0


def test_memcached_with_auth_file_is_protected(servers, tmp_path, audit: Audit) -> None:
    auth = tmp_path / "auth"
    auth.write_text("admin:not-guessed\n")
    port = memcached(servers, tmp_path, "-Y", str(auth))
    audit.allow(HOST, port)
    result = check([f"{HOST}:{port}"])
    assert result.findings == []
    assert [(c.status, c.service) for c in result.checked] == [("protected", "memcached")]


def tls_redis(servers: list[Server], tmp_path: Path, auth_clients: str) -> int:
    """Redis on a TLS port only, with a self-signed certificate made here by openssl."""
    key, cert = tmp_path / "key.pem", tmp_path / "cert.pem"
    subprocess.run(
        [need_program("openssl"), "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1",
         "-subj", "/CN=127.0.0.1", "-keyout", str(key), "-out", str(cert)],
        check=True, capture_output=True,
    )  # fmt: skip
    port = free_port()
    cmd = [
        need_program("redis-server"), "--port", "0", "--tls-port", str(port), "--bind", HOST, "--save", "",
        "--tls-cert-file", str(cert), "--tls-key-file", str(key), "--tls-ca-cert-file", str(cert),
        "--tls-auth-clients", auth_clients, "--dir", str(tmp_path),
    ]  # fmt: skip
    servers.append(Server(cmd, ready=r"Ready to accept connections"))
    return port


def test_tls_only_with_client_certificates_is_protected(servers, tmp_path, audit: Audit) -> None:
    port = tls_redis(servers, tmp_path, "yes")
    audit.allow(HOST, port)
    result = check([f"{HOST}:{port}"])
    assert result.findings == []
    (c,) = result.checked
    assert (c.status, c.service) == ("protected", "tls") and "client certificate required" in (c.note or "")


def test_tls_only_without_client_certificates_is_unknown_not_safe(servers, tmp_path, audit: Audit) -> None:
    port = tls_redis(servers, tmp_path, "no")
    audit.allow(HOST, port)
    (c,) = check([f"{HOST}:{port}"]).checked
    assert (c.status, c.service) == ("unknown", "tls") and "not checked over TLS" in (c.note or "")


def test_sentinel_is_excluded(servers, tmp_path, audit: Audit) -> None:
    port = free_port()
    conf = tmp_path / "sentinel.conf"
    conf.write_text(f"port {port}\nbind {HOST}\ndir {tmp_path}\n")
    servers.append(Server([need_program("redis-server"), str(conf), "--sentinel"], ready=r"Sentinel ID is"))
    audit.allow(HOST, port)
    result = check([f"{HOST}:{port}"])
    assert result.findings == []
    (c,) = result.checked
    assert (c.status, c.service) == ("unknown", "redis") and "excluded" in (c.note or "")


def test_ipv6_target(servers, tmp_path, audit: Audit) -> None:
    with socket.socket(socket.AF_INET6) as probe_v6:
        try:
            probe_v6.bind(("::1", 0))
        except OSError:
            need(False, "an IPv6 loopback (::1)")
        port = int(probe_v6.getsockname()[1])
    cmd = [
        need_program("redis-server"),
        "--port",
        str(port),
        "--bind",
        "::1",
        "--save",
        "",
        "--dir",
        str(tmp_path),
    ]
    servers.append(Server(cmd, ready=r"Ready to accept connections"))
    audit.allow("::1", port)
    (f,) = check([f"[::1]:{port}"]).findings
    assert f.subject == f"[::1]:{port}" and f.evidence[0].request == f"redis://[::1]:{port} INFO"
