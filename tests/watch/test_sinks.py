"""Sinks against real servers on 127.0.0.1: a webhook server that fails the first requests (every
alert still arrives exactly once), syslog over UDP and TCP (RFC 5424 frames), SMTP with STARTTLS
(aiosmtpd), and a sink that is down: the watcher goes on and the alerts wait in the queue."""

from __future__ import annotations

import json
import re
import shutil
import socket
import ssl
import subprocess
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import httpx
import pytest

from sekisho.store import Store
from sekisho.store import watch as wstore
from sekisho.watch import (
    SinkError,
    Watcher,
    WatchOptions,
    list_alerts,
    load_alert_rules,
    make_sink,
    parse_sink_spec,
)
from sekisho.watch.sinks import EmailSink, SyslogSink, WebhookSink, rfc5424
from tests.conftest import need_program

from .conftest import DNSMASQ, new_db, wait_for

ALERT = {
    "id": 7,
    "time": "2026-11-23T10:00:00Z",
    "rule": "blocked-use",
    "kind": "blocked_use",
    "severity": "critical",
    "title": "Blocked service reached: DeepSeek (deepseek) by 10.0.0.5 (policy level0)",
    "service": "deepseek",
    "client": "10.0.0.5",
    "subject": "deepseek",
    "details": {"names": ["chat.deepseek.com"], "quote": 'a "quoted" ] value'},
}


# --- webhook ---------------------------------------------------------------------------------
class _Hook(BaseHTTPRequestHandler):
    fail_first = 0
    seen = 0
    lock = threading.Lock()
    accepted: list[dict[str, Any]] = []
    keys: list[str] = []

    def do_POST(self) -> None:
        body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
        with self.lock:
            type(self).seen += 1
            fail = self.seen <= self.fail_first
        if fail:
            self.send_response(503 if self.seen % 2 else 500)
            self.end_headers()
            return
        with self.lock:
            self.accepted.append(json.loads(body))
            self.keys.append(self.headers.get("Idempotency-Key", ""))
        self.send_response(204)
        self.end_headers()

    def log_message(self, *args: Any) -> None:
        pass


@pytest.fixture()
def hook_server() -> Iterator[tuple[str, type[_Hook]]]:
    handler = type("Hook", (_Hook,), {"fail_first": 5, "seen": 0, "accepted": [], "keys": []})
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    t = threading.Thread(target=server.serve_forever, daemon=True)
    t.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/hooks/sekisho", handler
    server.shutdown()
    server.server_close()


@pytest.mark.realworld
def test_webhook_failing_first_requests_gets_every_alert_exactly_once(
    corpora: Path, tmp_path: Path, hook_server: tuple[str, type[_Hook]]
) -> None:
    url, handler = hook_server
    log = tmp_path / "dnsmasq.log"
    shutil.copyfile(corpora / DNSMASQ, log)
    db = new_db(tmp_path / "w.duckdb")
    rules = tmp_path / "rules.yaml"
    rules.write_text(f"sinks:\n  - {{type: webhook, url: '{url}', retry_base: 0.05, retry_max: 0.2}}\n")
    w = Watcher(
        [log],
        db,
        load_alert_rules(rules),
        [make_sink(s) for s in load_alert_rules(rules).sinks],
        options=WatchOptions(interval=0.05, idle_close=60),
    )
    stop = threading.Event()
    t = threading.Thread(target=w.run, args=(stop,), daemon=True)
    t.start()
    try:

        def all_delivered() -> bool:  # (the watcher's own view: nothing left in its queue)
            return handler.seen > handler.fail_first and w._next_due is None

        wait_for(all_delivered, 60, "every alert delivered")
    finally:
        stop.set()
        t.join(30)
    alerts = list_alerts(db, include_acked=True)
    assert len(alerts) >= 10
    ids = [a["id"] for a in handler.accepted]
    assert sorted(ids) == sorted(a["id"] for a in alerts)  # every alert, each exactly once
    assert len(ids) == len(set(ids))
    assert handler.seen == handler.fail_first + len(alerts)
    assert handler.keys == [f"sekisho-alert-{i}" for i in ids]
    first = min(alerts, key=lambda a: a["id"])
    assert first["deliveries"][0]["attempts"] >= 2  # it was retried


def test_webhook_through_an_injected_transport() -> None:
    calls: list[httpx.Request] = []

    def handle(request: httpx.Request) -> httpx.Response:
        calls.append(request)
        return httpx.Response(200 if len(calls) > 1 else 429)

    sink = WebhookSink(
        {"type": "webhook", "url": "https://hooks.example.org/x"},
        client=httpx.Client(transport=httpx.MockTransport(handle)),
    )
    with pytest.raises(SinkError, match="HTTP 429"):
        sink.send(ALERT)
    sink.send(ALERT)
    assert json.loads(calls[-1].content)["id"] == 7
    assert calls[-1].headers["content-type"] == "application/json"


# --- syslog ----------------------------------------------------------------------------------
RFC5424 = re.compile(
    rb"^<(?P<pri>\d{1,3})>1 (?P<ts>\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z) (?P<host>\S+) sekisho (?P<pid>\d+) "
    rb"(?P<msgid>\S+) (?P<sd>\[sekisho@32473 (?:[a-z]+=\"(?:[^\"\\\]]|\\.)*\" ?)+\]) \xef\xbb\xbf(?P<msg>.*)$",
    re.S,
)


def test_rfc5424_message_shape() -> None:
    msg = rfc5424({**ALERT, "client": 'x"y]z'}, facility="local3", hostname="gw1")
    m = RFC5424.match(msg)
    assert m, msg
    assert int(m["pri"]) == 19 * 8 + 2  # local3, critical → crit
    assert m["host"] == b"gw1" and m["msgid"] == b"blocked-use"
    assert b'client="x\\"y\\]z"' in m["sd"]
    title, _, body = m["msg"].decode().partition(" {")
    assert title == ALERT["title"] and json.loads("{" + body)["id"] == 7


def test_syslog_udp_and_tcp_to_local_servers() -> None:
    udp = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    udp.bind(("127.0.0.1", 0))
    udp.settimeout(5)
    SyslogSink({"type": "syslog", "port": udp.getsockname()[1]}).send(ALERT)
    data, _ = udp.recvfrom(65535)
    udp.close()
    assert RFC5424.match(data)

    srv = socket.socket()
    srv.bind(("127.0.0.1", 0))
    srv.listen(1)
    srv.settimeout(5)
    spec = parse_sink_spec(f"syslog+tcp://127.0.0.1:{srv.getsockname()[1]}")
    sink = make_sink(spec)
    got: list[bytes] = []

    def serve() -> None:
        conn, _ = srv.accept()
        buf = b""
        conn.settimeout(5)
        while len(got) < 2:
            buf += conn.recv(65535)
            while b" " in buf:  # octet counting: "LEN MSG"
                n, _, rest = buf.partition(b" ")
                if len(rest) < int(n):
                    break
                got.append(rest[: int(n)])
                buf = rest[int(n) :]
        conn.close()

    t = threading.Thread(target=serve)
    t.start()
    sink.send(ALERT)
    sink.send({**ALERT, "id": 8})
    t.join(10)
    sink.close()
    srv.close()
    matches = [RFC5424.match(m) for m in got]
    assert all(matches)
    assert [json.loads("{" + m["msg"].decode().partition(" {")[2])["id"] for m in matches if m] == [7, 8]


def test_syslog_tcp_down_is_a_sink_error() -> None:
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()  # nothing listens there
    with pytest.raises(SinkError):
        SyslogSink({"type": "syslog", "protocol": "tcp", "port": port}).send(ALERT)


# --- e-mail ----------------------------------------------------------------------------------
def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture()
def tls_cert(tmp_path: Path) -> tuple[Path, Path]:
    openssl = need_program("openssl")  # to make a test certificate
    key, cert = tmp_path / "key.pem", tmp_path / "cert.pem"
    subprocess.run(
        [openssl, "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", str(key), "-out", str(cert),
         "-days", "2", "-subj", "/CN=localhost", "-addext", "subjectAltName=DNS:localhost,IP:127.0.0.1"],
        check=True, capture_output=True,
    )  # fmt: skip
    return key, cert


@pytest.fixture()
def smtp_server(tls_cert: tuple[Path, Path]) -> Iterator[tuple[int, list[Any]]]:
    from aiosmtpd import controller as aiosmtpd_controller
    from aiosmtpd.smtp import AuthResult, LoginPassword

    key, cert = tls_cert
    ctx = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    ctx.load_cert_chain(cert, key)
    received: list[Any] = []

    class Handler:
        async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
            received.append(
                (session.auth_data, envelope.mail_from, list(envelope.rcpt_tos), envelope.content)
            )
            return "250 OK"

    def auth(server: Any, session: Any, envelope: Any, mechanism: str, data: Any) -> AuthResult:
        ok = isinstance(data, LoginPassword) and data.login == b"alerts" and data.password == b"s3cret"
        return AuthResult(success=ok, handled=False)

    controller = aiosmtpd_controller.Controller(
        Handler(),
        hostname="127.0.0.1",
        port=free_port(),
        tls_context=ctx,
        require_starttls=True,
        authenticator=auth,
        auth_required=True,
        server_hostname="localhost",
    )
    controller.start()
    try:
        yield controller.port, received
    finally:
        controller.stop()


def test_email_over_starttls_to_a_local_smtp_server(
    smtp_server: tuple[int, list[Any]], tls_cert: tuple[Path, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    port, received = smtp_server
    monkeypatch.setenv("SEKISHO_SMTP_PASSWORD", "s3cret")
    spec = parse_sink_spec(
        f"smtp://alerts@127.0.0.1:{port}?from=sekisho@example.org&to=soc@example.org,ciso@example.org"
        f"&ca_file={tls_cert[1]}"
    )
    sink = make_sink(spec)
    assert isinstance(sink, EmailSink) and sink.tls == "starttls"
    sink.send(ALERT)
    assert len(received) == 1
    _auth, sender, rcpts, content = received[0]
    assert sender == "sekisho@example.org" and rcpts == ["soc@example.org", "ciso@example.org"]
    text = content.decode()
    assert "Subject: [sekisho] CRITICAL: Blocked service reached: DeepSeek" in text
    assert "sekisho alerts --ack 7" in text and "X-Sekisho-Alert: 7" in text

    wrong = make_sink({**spec, "password_env": "NOPE"})
    with pytest.raises(SinkError):
        wrong.send(ALERT)
    untrusted = make_sink({k: v for k, v in spec.items() if k != "ca_file"})
    with pytest.raises(SinkError, match=r"SSL|certificate|CERTIFICATE"):
        untrusted.send(ALERT)  # an unknown certificate is refused, not ignored
    assert len(received) == 1


def test_email_refuses_a_server_without_starttls(tmp_path: Path) -> None:
    from aiosmtpd import controller as aiosmtpd_controller

    class Sink:
        async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
            raise AssertionError("nothing may be sent in clear text")

    c = aiosmtpd_controller.Controller(Sink(), hostname="127.0.0.1", port=free_port())
    c.start()
    try:
        port = c.port
        sink = EmailSink(
            {
                "type": "email",
                "host": "127.0.0.1",
                "port": port,
                "from": "a@example.org",
                "to": "b@example.org",
            }
        )
        with pytest.raises(SinkError, match="STARTTLS"):
            sink.send(ALERT)
    finally:
        c.stop()


# --- a sink that is down ---------------------------------------------------------------------
@pytest.mark.realworld
def test_a_failing_sink_never_stops_the_watcher_and_loses_nothing(corpora: Path, tmp_path: Path) -> None:
    log = tmp_path / "dnsmasq.log"
    lines = (corpora / DNSMASQ).read_bytes().splitlines(keepends=True)
    log.write_bytes(b"".join(lines[:400]))
    db = new_db(tmp_path / "w.duckdb")
    closed = socket.socket()
    closed.bind(("127.0.0.1", 0))
    dead_port = closed.getsockname()[1]
    closed.close()
    good = tmp_path / "alerts.jsonl"
    specs = [
        {"type": "webhook", "url": f"http://127.0.0.1:{dead_port}/x", "name": "hook", "retry_base": 60},
        {"type": "jsonl", "path": str(good)},
    ]
    w = Watcher([log], db, load_alert_rules(), [make_sink(s) for s in specs], options=WatchOptions(once=True))
    w.run()
    with open(log, "ab") as f:
        f.writelines(lines[400:])
    w = Watcher([log], db, load_alert_rules(), [make_sink(s) for s in specs], options=WatchOptions(once=True))
    w.run()  # the dead webhook did not stop the batches nor the other sink
    alerts = list_alerts(db)
    sent = [json.loads(x)["id"] for x in good.read_text().splitlines()]
    assert sorted(sent) == sorted(a["id"] for a in alerts)
    with Store(db, read_only=True) as store:
        assert wstore.pending_count(store, ["hook"]) == len(alerts)  # all still queued for the webhook
        assert store.con.execute("SELECT sum(queries) FROM observations").fetchone()[0] > 0  # type: ignore[index]
    errors = {
        d["last_error"] for a in alerts for d in a["deliveries"] if d["sink"] == "hook" and d["attempts"]
    }
    assert errors and all("ConnectError" in (e or "") for e in errors)

    # Later the webhook is back: the queued alerts are delivered, in order, once each.
    got: list[int] = []

    def handle(request: httpx.Request) -> httpx.Response:
        got.append(json.loads(request.content)["id"])
        return httpx.Response(200)

    hook = WebhookSink(specs[0], client=httpx.Client(transport=httpx.MockTransport(handle)))
    with wstore.open_store(db) as store:
        store.con.execute("UPDATE alert_deliveries SET next_attempt = now() - INTERVAL 1 SECOND")
    # a watcher started again, with nothing to read (its log is gone), sends them in its first poll
    w = Watcher([tmp_path / "gone.log"], db, load_alert_rules(), [hook], options=WatchOptions(once=True))
    w.run()
    assert got == sorted(a["id"] for a in alerts)
    with Store(db, read_only=True) as store:
        assert wstore.pending_count(store, ["hook"]) == 0
