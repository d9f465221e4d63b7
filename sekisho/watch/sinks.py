"""Where alerts go: stdout (JSON lines), a JSON-lines file, syslog (RFC 5424 over UDP or TCP), a
webhook (JSON POST) and e-mail (SMTP with STARTTLS). Each sink is a class in :data:`SINKS`, made
from a mapping (the ``sinks:`` of the rules file) or a one-word spec on the command line
(:func:`parse_sink_spec`).

A sink only *sends*; the :class:`Dispatcher` owns retrying. Every alert is queued in the store for
every sink (``alert_deliveries``) in the transaction that raised it, and stays there until its
sink took it: a sink that fails is tried again later with exponential backoff, and never stops
the watcher or the other sinks.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import random
import socket
import sys
import time
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, ClassVar, TextIO
from urllib.parse import parse_qs, unquote, urlsplit

from sekisho.errors import ConfigError
from sekisho.store import Store
from sekisho.store import watch as wstore
from sekisho.watch.alerts import alert_payload

if TYPE_CHECKING:  # imported by the webhook and mail sinks when they first send (start-up)
    import smtplib
    import ssl
    from email.message import EmailMessage

    import httpx

__all__ = [
    "SINKS",
    "Dispatcher",
    "EmailSink",
    "JsonLinesFileSink",
    "Sink",
    "SinkError",
    "StdoutSink",
    "SyslogSink",
    "WebhookSink",
    "make_sink",
    "parse_sink_spec",
    "rfc5424",
]


class SinkError(Exception):
    """A sink could not take an alert (it stays queued)."""


class Sink:
    """One destination. ``name`` identifies it in the delivery queue, so it must stay the same
    across restarts for queued alerts to reach it."""

    type: ClassVar[str] = ""
    KEYS: ClassVar[frozenset[str]] = frozenset()

    def __init__(self, spec: dict[str, Any]) -> None:
        unknown = set(spec) - self.KEYS - {"type", "name", "retry_base", "retry_max"}
        if unknown:
            raise ConfigError(f"sink {self.type}: unknown key(s) {', '.join(sorted(unknown))}")
        self.spec = spec
        self.retry_base = float(spec.get("retry_base", 5.0))
        self.retry_max = float(spec.get("retry_max", 900.0))
        self.name = str(spec.get("name") or self.default_name())

    def default_name(self) -> str:
        return self.type

    def send(self, alert: dict[str, Any]) -> None:
        raise NotImplementedError

    def close(self) -> None:
        """Release connections."""


def _line(alert: dict[str, Any]) -> str:
    return json.dumps(alert, ensure_ascii=False, default=str, separators=(",", ":"))


class StdoutSink(Sink):
    """One JSON object per line on standard output."""

    type = "stdout"

    def __init__(self, spec: dict[str, Any], stream: TextIO | None = None) -> None:
        super().__init__(spec)
        self.stream = stream

    def send(self, alert: dict[str, Any]) -> None:
        out = self.stream or sys.stdout
        try:
            out.write(_line(alert) + "\n")
            out.flush()
        except (OSError, ValueError) as e:
            raise SinkError(f"stdout: {e}") from None


class JsonLinesFileSink(Sink):
    """Appends one JSON object per line to a file (for a log shipper, or `tail -f`)."""

    type = "jsonl"
    KEYS = frozenset({"path"})

    def default_name(self) -> str:
        if not self.spec.get("path"):
            raise ConfigError("sink jsonl needs a path")
        return f"jsonl:{self.spec['path']}"

    def send(self, alert: dict[str, Any]) -> None:
        try:
            with open(self.spec["path"], "a", encoding="utf-8") as f:
                f.write(_line(alert) + "\n")
        except OSError as e:
            raise SinkError(f"{self.spec['path']}: {e.strerror}") from None


# --- syslog -------------------------------------------------------------------------------------
FACILITIES = {
    "kern": 0, "user": 1, "mail": 2, "daemon": 3, "auth": 4, "syslog": 5, "lpr": 6, "news": 7,
    "uucp": 8, "cron": 9, "authpriv": 10, "ftp": 11, "local0": 16, "local1": 17, "local2": 18,
    "local3": 19, "local4": 20, "local5": 21, "local6": 22, "local7": 23,
}  # fmt: skip
SYSLOG_SEVERITY = {"critical": 2, "high": 3, "medium": 4, "low": 5, "info": 6}
SD_ID = "sekisho@32473"  # 32473: the private enterprise number reserved for documentation (RFC 5612)


def _sd_escape(v: str) -> str:
    return v.replace("\\", "\\\\").replace('"', '\\"').replace("]", "\\]")


def _token(v: str, limit: int) -> str:
    t = "".join(c for c in v if 33 <= ord(c) <= 126)[:limit]
    return t or "-"


def rfc5424(
    alert: dict[str, Any], facility: str = "local0", hostname: str | None = None, app: str = "sekisho"
) -> bytes:
    """One RFC 5424 message: header, structured data naming the alert, and the title and the
    alert as JSON as the message (UTF-8, marked with a BOM as the RFC asks)."""
    pri = FACILITIES[facility] * 8 + SYSLOG_SEVERITY.get(str(alert.get("severity")), 5)
    now = dt.datetime.now(dt.UTC)
    stamp = now.strftime("%Y-%m-%dT%H:%M:%S.") + f"{now.microsecond // 1000:03d}Z"
    host = _token(hostname or socket.gethostname(), 255)
    params = {
        "id": alert.get("id"),
        "rule": alert.get("rule"),
        "severity": alert.get("severity"),
        "service": alert.get("service"),
        "client": alert.get("client"),
        "subject": alert.get("subject"),
    }
    sd = (
        f"[{SD_ID} "
        + " ".join(f'{k}="{_sd_escape(str(v))}"' for k, v in params.items() if v is not None)
        + "]"
    )
    header = (
        f"<{pri}>1 {stamp} {host} {_token(app, 48)} {os.getpid()} {_token(str(alert.get('rule')), 32)} {sd} "
    )
    return header.encode("utf-8") + b"\xef\xbb\xbf" + f"{alert.get('title')} {_line(alert)}".encode()


class SyslogSink(Sink):
    """RFC 5424 to a syslog server: UDP (one datagram per alert) or TCP (octet-counted frames,
    RFC 6587; the connection is kept and re-opened after a failure)."""

    type = "syslog"
    KEYS = frozenset({"host", "port", "protocol", "facility", "hostname", "app", "timeout"})

    def __init__(self, spec: dict[str, Any]) -> None:
        super().__init__(spec)
        self.host = str(spec.get("host", "127.0.0.1"))
        self.protocol = str(spec.get("protocol", "udp")).lower()
        if self.protocol not in ("udp", "tcp"):
            raise ConfigError(f"sink syslog: protocol must be udp or tcp, not {self.protocol!r}")
        self.port = int(spec.get("port", 514 if self.protocol == "udp" else 601))
        self.facility = str(spec.get("facility", "local0"))
        if self.facility not in FACILITIES:
            raise ConfigError(f"sink syslog: unknown facility {self.facility!r}")
        self.timeout = float(spec.get("timeout", 5.0))
        self._sock: socket.socket | None = None

    def default_name(self) -> str:
        proto = str(self.spec.get("protocol", "udp")).lower()
        return f"syslog:{proto}://{self.spec.get('host', '127.0.0.1')}:{self.spec.get('port', 514 if proto == 'udp' else 601)}"

    def send(self, alert: dict[str, Any]) -> None:
        msg = rfc5424(alert, self.facility, self.spec.get("hostname"), str(self.spec.get("app", "sekisho")))
        try:
            if self.protocol == "udp":
                with socket.socket(_family(self.host), socket.SOCK_DGRAM) as s:
                    s.sendto(msg, (self.host, self.port))
                return
            if self._sock is None:
                self._sock = socket.create_connection((self.host, self.port), timeout=self.timeout)
            self._sock.sendall(str(len(msg)).encode() + b" " + msg)
        except OSError as e:
            self.close()
            raise SinkError(f"syslog {self.protocol}://{self.host}:{self.port}: {e}") from None

    def close(self) -> None:
        if self._sock is not None:
            try:
                self._sock.close()
            finally:
                self._sock = None


def _family(host: str) -> socket.AddressFamily:
    return socket.AF_INET6 if ":" in host else socket.AF_INET


# --- webhook ------------------------------------------------------------------------------------
class WebhookSink(Sink):
    """A JSON POST of each alert. Any 2xx answer takes it; anything else (or no answer) leaves it
    queued. The ``Idempotency-Key`` header carries the alert id, so a receiver can drop a repeat
    (possible only if the watcher is killed between the answer and noting it)."""

    type = "webhook"
    KEYS = frozenset({"url", "headers", "timeout"})

    def __init__(self, spec: dict[str, Any], client: httpx.Client | None = None) -> None:
        super().__init__(spec)
        if not str(spec.get("url", "")).startswith(("http://", "https://")):
            raise ConfigError("sink webhook needs an http(s) url")
        self.url = str(spec["url"])
        self.headers = {str(k): str(v) for k, v in (spec.get("headers") or {}).items()}
        self._client = client
        self._own = client is None
        self.timeout = float(spec.get("timeout", 10.0))

    def default_name(self) -> str:
        parts = urlsplit(str(self.spec.get("url", "")))
        return f"webhook:{parts.scheme}://{parts.hostname}{':' + str(parts.port) if parts.port else ''}{parts.path}"

    @property
    def client(self) -> httpx.Client:
        if self._client is None:
            import httpx

            self._client = httpx.Client(timeout=self.timeout, follow_redirects=False)
        return self._client

    def send(self, alert: dict[str, Any]) -> None:
        headers = {
            "User-Agent": "sekisho-watch",
            "Idempotency-Key": f"sekisho-alert-{alert.get('id')}",
            **self.headers,
        }
        import httpx

        try:
            r = self.client.post(self.url, json=alert, headers=headers)
        except httpx.HTTPError as e:
            raise SinkError(f"webhook {self.name}: {type(e).__name__}: {e}") from None
        if not 200 <= r.status_code < 300:
            raise SinkError(f"webhook {self.name}: HTTP {r.status_code}")

    def close(self) -> None:
        if self._own and self._client is not None:
            self._client.close()
            self._client = None


# --- e-mail -------------------------------------------------------------------------------------
class EmailSink(Sink):
    """One e-mail per alert over SMTP. ``tls: starttls`` (the default) refuses to send unless the
    server offers STARTTLS and the certificate checks out (``ca_file`` adds a CA); ``tls: ssl`` is
    SMTP over TLS (port 465); ``tls: none`` only for a relay on this machine."""

    type = "email"
    KEYS = frozenset(
        {"host", "port", "from", "to", "username", "password", "password_env", "tls", "ca_file", "timeout"}
    )

    def __init__(self, spec: dict[str, Any]) -> None:
        super().__init__(spec)
        self.host = str(spec.get("host", "localhost"))
        self.tls = str(spec.get("tls", "starttls"))
        if self.tls not in ("starttls", "ssl", "none"):
            raise ConfigError(f"sink email: tls must be starttls, ssl or none, not {self.tls!r}")
        self.port = int(spec.get("port", 465 if self.tls == "ssl" else 587))
        to = spec.get("to")
        self.to = [to] if isinstance(to, str) else list(to or [])
        if not self.to or not spec.get("from"):
            raise ConfigError("sink email needs from and to")
        self.sender = str(spec["from"])
        self.timeout = float(spec.get("timeout", 15.0))

    def default_name(self) -> str:
        to = self.spec.get("to")
        to_s = to if isinstance(to, str) else ",".join(to or [])
        return f"email:{self.spec.get('host', 'localhost')}->{to_s}"

    def _context(self) -> ssl.SSLContext:
        import ssl

        return ssl.create_default_context(cafile=self.spec.get("ca_file"))

    def _password(self) -> str | None:
        env = self.spec.get("password_env")
        if env:
            return os.environ.get(str(env))
        pw = self.spec.get("password")
        return None if pw is None else str(pw)

    def message(self, alert: dict[str, Any]) -> EmailMessage:
        # the mail modules are imported when mail is sent (not at every watcher's start)
        from email.message import EmailMessage
        from email.utils import formatdate, make_msgid

        msg = EmailMessage()
        msg["From"] = self.sender
        msg["To"] = ", ".join(self.to)
        msg["Subject"] = f"[sekisho] {str(alert.get('severity', '')).upper()}: {alert.get('title')}"
        msg["Date"] = formatdate(localtime=False, usegmt=True)
        msg["Message-ID"] = make_msgid(idstring=f"sekisho-alert-{alert.get('id')}")
        msg["X-Sekisho-Alert"] = str(alert.get("id"))
        lines = [
            str(alert.get("title")),
            "",
            f"rule:      {alert.get('rule')} ({alert.get('kind')})",
            f"severity:  {alert.get('severity')}",
            f"service:   {alert.get('service') or '-'}",
            f"client:    {alert.get('client') or '-'}",
            f"seen:      {alert.get('first_seen') or '-'} .. {alert.get('last_seen') or '-'}",
            f"alert id:  {alert.get('id')}  (acknowledge: sekisho alerts --ack {alert.get('id')})",
            "",
            "details:",
            json.dumps(alert.get("details") or {}, ensure_ascii=False, indent=2, default=str),
        ]
        msg.set_content("\n".join(lines))
        return msg

    def send(self, alert: dict[str, Any]) -> None:
        import smtplib
        import ssl

        msg = self.message(alert)
        try:
            if self.tls == "ssl":
                with smtplib.SMTP_SSL(
                    self.host, self.port, timeout=self.timeout, context=self._context()
                ) as smtp:
                    self._deliver(smtp, msg)
                return
            with smtplib.SMTP(self.host, self.port, timeout=self.timeout) as smtp:
                smtp.ehlo()
                if self.tls == "starttls":
                    if not smtp.has_extn("starttls"):
                        raise SinkError(f"email {self.host}:{self.port}: the server offers no STARTTLS")
                    smtp.starttls(context=self._context())
                    smtp.ehlo()
                self._deliver(smtp, msg)
        except (smtplib.SMTPException, OSError, ssl.SSLError) as e:
            raise SinkError(f"email {self.host}:{self.port}: {type(e).__name__}: {e}") from None

    def _deliver(self, smtp: smtplib.SMTP, msg: EmailMessage) -> None:
        user = self.spec.get("username")
        if user:
            smtp.login(str(user), self._password() or "")
        smtp.send_message(msg, from_addr=self.sender, to_addrs=self.to)


SINKS: dict[str, type[Sink]] = {
    "stdout": StdoutSink,
    "jsonl": JsonLinesFileSink,
    "syslog": SyslogSink,
    "webhook": WebhookSink,
    "email": EmailSink,
}


def make_sink(spec: dict[str, Any]) -> Sink:
    cls = SINKS.get(str(spec.get("type")))
    if cls is None:
        raise ConfigError(f"unknown sink type {spec.get('type')!r}; known: {', '.join(SINKS)}")
    return cls(dict(spec))


def parse_sink_spec(text: str) -> dict[str, Any]:
    """A sink from one word, for ``--sink``:

    ``stdout`` · ``jsonl:/var/log/sekisho-alerts.jsonl`` · ``syslog://host:514`` (UDP) ·
    ``syslog+tcp://host:601`` · ``https://hooks.example.org/x`` (webhook) ·
    ``smtp://user@mail.example.org:587?from=a@example.org&to=b@example.org`` (the password from
    ``$SEKISHO_SMTP_PASSWORD``; ``smtps://`` for SMTP over TLS)."""
    if text == "stdout":
        return {"type": "stdout"}
    if text.startswith(("jsonl:", "file:")):
        return {"type": "jsonl", "path": text.split(":", 1)[1]}
    if text.startswith(("http://", "https://")):
        return {"type": "webhook", "url": text}
    parts = urlsplit(text)
    query = {k: v[-1] for k, v in parse_qs(parts.query).items()}
    if parts.scheme in ("syslog", "syslog+udp", "syslog+tcp"):
        proto = "tcp" if parts.scheme.endswith("tcp") else "udp"
        spec: dict[str, Any] = {"type": "syslog", "protocol": proto, "host": parts.hostname or "127.0.0.1"}
        if parts.port:
            spec["port"] = parts.port
        spec.update({k: query[k] for k in ("facility", "hostname", "app") if k in query})
        return spec
    if parts.scheme in ("smtp", "smtps"):
        spec = {
            "type": "email",
            "host": parts.hostname or "localhost",
            "tls": "ssl" if parts.scheme == "smtps" else query.get("tls", "starttls"),
            "from": query.get("from"),
            "to": [t for t in query.get("to", "").split(",") if t],
        }
        if parts.port:
            spec["port"] = parts.port
        if parts.username:
            spec["username"] = unquote(parts.username)
            spec["password_env"] = "SEKISHO_SMTP_PASSWORD"  # noqa: S105 - the name of a variable, not a password
        if "ca_file" in query:
            spec["ca_file"] = query["ca_file"]
        return spec
    raise ConfigError(
        f"cannot read sink {text!r}: use stdout, jsonl:PATH, syslog://HOST:PORT, syslog+tcp://HOST:PORT, "
        "http(s)://URL or smtp://HOST:PORT?from=…&to=…"
    )


# --- delivery -----------------------------------------------------------------------------------
@dataclass
class DeliveryRound:
    delivered: int = 0
    failed: int = 0
    errors: list[str] = field(default_factory=list)


class Dispatcher:
    """Sends queued alerts to their sinks, oldest first. A sink that fails is skipped for the rest
    of the round and tried again after ``retry_base × 2^(attempts-1)`` seconds (at most
    ``retry_max``, ±10 % jitter); its alerts stay queued, in order."""

    def __init__(self, sinks: list[Sink]) -> None:
        names = [s.name for s in sinks]
        dup = next((n for n in names if names.count(n) > 1), None)
        if dup:
            raise ConfigError(f"two sinks are both named {dup!r}: give one a name:")
        self.sinks = {s.name: s for s in sinks}

    @property
    def names(self) -> list[str]:
        return list(self.sinks)

    def backoff(self, sink: Sink, attempts: int) -> float:
        delay = min(sink.retry_max, sink.retry_base * (2 ** max(attempts - 1, 0)))
        return float(delay * random.uniform(0.9, 1.1))  # noqa: S311 - retry jitter, not a secret

    def deliver(self, store: Store, budget: float = 10.0, limit: int = 1000) -> DeliveryRound:
        """One round over what is due; stops after ``budget`` seconds (the rest waits)."""
        out = DeliveryRound()
        started = time.monotonic()
        due = wstore.due_deliveries(store, self.names, wstore.utcnow(), limit)
        if not due:
            return out
        alerts = wstore.get_alerts(store, [int(d["alert_id"]) for d in due])
        payloads = {i: alert_payload(a) for i, a in alerts.items()}
        broken: set[str] = set()
        done: list[tuple[int, str]] = []
        try:
            for d in due:
                if d["sink"] in broken:
                    continue
                if time.monotonic() - started > budget:
                    break
                aid = int(d["alert_id"])
                if aid not in payloads:
                    continue
                sink = self.sinks[d["sink"]]
                try:
                    sink.send(payloads[aid])
                except Exception as e:  # a sink's failure is never the watcher's
                    broken.add(sink.name)
                    attempts = int(d["attempts"]) + 1
                    wait = self.backoff(sink, attempts)
                    msg = str(e) if isinstance(e, SinkError) else f"{type(e).__name__}: {e}"
                    wstore.mark_failed(
                        store, aid, sink.name, attempts, wstore.utcnow() + dt.timedelta(seconds=wait), msg
                    )
                    out.failed += 1
                    out.errors.append(f"{msg} (alert {aid}; retry in {wait:.0f}s)")
                    continue
                done.append((aid, sink.name))
        finally:
            wstore.mark_delivered(store, done, wstore.utcnow())
            out.delivered = len(done)
        return out

    def close(self) -> None:
        for s in self.sinks.values():
            s.close()
