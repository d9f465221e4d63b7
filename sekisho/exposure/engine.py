"""One engine runs every probe: connect (closed / timeout), identify the service by its answers,
then run the probe's steps with a timeout on every socket and one rate limit for the whole check.

It talks only to the ``host:port`` pairs it is given (no DNS lookups of other names, no redirects
followed, no proxy from the environment).
"""

from __future__ import annotations

import base64
import contextlib
import datetime as dt
import http.client
import socket
import threading
import time
from collections.abc import Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any, Literal

from sekisho.exposure.probe import (
    HTTP_CHALLENGE,
    LOGIN_REDIRECT,
    TLS_REQUIRED,
    Answer,
    Probe,
    Step,
    any_match,
)
from sekisho.model.findings import SEVERITY_ORDER, Evidence, Finding, SourceRef

Status = Literal["open", "protected", "closed", "timeout", "unknown"]
USER_AGENT = "sekisho-exposure (read-only check of your own hosts)"
MAX_BODY = 256 * 1024

# Severity grows with the data seen (as LeakIX does): thresholds on what the extractors counted.
HIGH_RECORDS = 100_000
HIGH_BYTES = 100 * 1024 * 1024


def severity(base: str, values: dict[str, Any]) -> str:
    records = _int(values.get("records"))
    size = _int(values.get("bytes"))
    collections = values.get("collections") or []
    if records >= HIGH_RECORDS or size >= HIGH_BYTES:
        level = "high"
    elif records > 0 or size > 0 or len(collections) > 0:
        level = "medium"
    else:
        level = "low"
    return level if SEVERITY_ORDER[level] >= SEVERITY_ORDER[base] else base


def _int(v: Any) -> int:
    try:
        return int(v or 0)
    except (TypeError, ValueError):
        return 0


# Why a target has its status: code -> English (the message files hold both languages).
REASONS = {
    "refused": "connection refused",
    "unreachable": "unreachable ({error})",
    "timeout": "no answer within {seconds} s",
    "auth": "authentication required",
    "tls_cert": "TLS only, client certificate required ({detail})",
    "tls": "TLS only ({detail}); not checked over TLS",
    "no_data": "identified, but no data-bearing answer",
    "default_refused": "authentication required; its documented default login was refused",
    "no_user": "no user named: the probe logs in only as a user you name (--user)",
    "excluded": "not a data store (excluded)",
    "unrecognised": "no probe recognised it{excerpt}",
}


class RateLimiter:
    """At most ``rate`` new requests or connections per second over the whole check."""

    def __init__(self, rate: float) -> None:
        self.interval = 1.0 / rate if rate > 0 else 0.0
        self._next = 0.0
        self._lock = threading.Lock()

    def wait(self) -> None:
        if not self.interval:
            return
        with self._lock:
            now = time.monotonic()
            start = max(now, self._next)
            self._next = start + self.interval
        if start > now:
            time.sleep(start - now)


@dataclass
class Checked:
    """One target's status. ``reason`` is a code (``REASONS``; the CLI says it in Japanese or
    English from the message files), ``note`` the same in English with its ``args``."""

    target: str
    status: Status
    service: str | None = None
    evidence: list[Evidence] = field(default_factory=list)
    values: dict[str, Any] = field(default_factory=dict)
    reason: str | None = None
    args: dict[str, str] = field(default_factory=dict)

    @property
    def note(self) -> str | None:
        return REASONS[self.reason].format(**self.args) if self.reason else None

    def as_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {"target": self.target, "status": self.status, "service": self.service}
        if self.reason:
            out["reason"] = self.reason
            out["note"] = self.note
        return out


@dataclass
class CheckResult:
    findings: list[Finding]
    checked: list[Checked]

    def as_json(self) -> dict[str, Any]:
        return {
            "findings": [
                {
                    "target": f.subject,
                    "service": f.detail.get("service"),
                    "severity": f.severity,
                    "evidence": {
                        "values": f.detail.get("values", {}),
                        "requests": [e.model_dump(mode="json", exclude_none=True) for e in f.evidence],
                    },
                }
                for f in self.findings
            ],
            "checked": [c.as_json() for c in self.checked],
        }


class ProbeError(Exception):
    pass


@dataclass
class TargetState:
    """What every probe of one target shares: HTTP answers (a path asked once), and silence — a
    target that let an HTTP request or a line command time out unanswered is not asked again the
    same way by the next probe (a wire-protocol probe still tries its own greeting)."""

    http: dict[tuple[str, str, str | None, tuple[str, str] | None], Answer] = field(default_factory=dict)
    http_silent: bool = False
    line_silent: bool = False


class Conversation:
    """The sockets of one target: HTTP answers are cached per request (probes that ask the same
    thing ask once), a TCP probe keeps one connection for all its steps."""

    def __init__(
        self,
        host: str,
        port: int,
        timeout: float,
        limiter: RateLimiter,
        users: dict[str, str] | None = None,
        shared: TargetState | None = None,
    ) -> None:
        self.host, self.port, self.timeout, self.limiter = host, port, timeout, limiter
        self.users = users or {}
        self.sock: socket.socket | None = None
        self.buffer = b""
        self.shared = shared or TargetState()
        self._http = self.shared.http
        self.banner = b""

    # -- raw TCP --------------------------------------------------------------------------------
    def connect(self) -> socket.socket:
        if self.sock is None:
            self.limiter.wait()
            self.sock = socket.create_connection((self.host, self.port), timeout=self.timeout)
            self.buffer = b""
        return self.sock

    def send(self, data: bytes) -> None:
        self.connect().sendall(data)

    def recv_until(self, complete: Any, idle: float = 0.3) -> bytes:
        """Read until ``complete(buffer)`` is true, the peer closes, or it stays quiet for
        ``idle`` seconds after it began answering (``timeout`` before the first byte)."""
        sock = self.connect()
        deadline = time.monotonic() + self.timeout
        while not complete(self.buffer) and len(self.buffer) < MAX_BODY:
            left = deadline - time.monotonic()
            if left <= 0:
                break
            sock.settimeout(min(left, idle) if self.buffer else left)
            try:
                chunk = sock.recv(65536)
            except TimeoutError:
                if self.buffer:
                    break
                raise
            if not chunk:
                break
            self.buffer += chunk
        out, self.buffer = self.buffer, b""
        return out

    def recv_exact(self, n: int) -> bytes:
        sock = self.connect()
        while len(self.buffer) < n:
            chunk = sock.recv(65536)
            if not chunk:
                raise ProbeError("connection closed")
            self.buffer += chunk
        out, self.buffer = self.buffer[:n], self.buffer[n:]
        return out

    def close(self) -> None:
        if self.sock is not None:
            try:
                self.sock.close()
            finally:
                self.sock = None

    # -- HTTP -----------------------------------------------------------------------------------
    def http(self, method: str, path: str, body: str | None, login: tuple[str, str] | None = None) -> Answer:
        key = (method, path, body, login)
        if key in self._http:
            return self._http[key]
        if self.shared.http_silent:
            raise ProbeError("silent to HTTP before")
        self.limiter.wait()
        conn = http.client.HTTPConnection(self.host, self.port, timeout=self.timeout)
        try:
            headers = {"User-Agent": USER_AGENT, "Accept": "*/*", "Connection": "close"}
            if body is not None:
                headers["Content-Type"] = "application/json"
            if login is not None:
                token = base64.b64encode(f"{login[0]}:{login[1]}".encode()).decode()
                headers["Authorization"] = f"Basic {token}"
            conn.request(method, path, body=body, headers=headers)
            try:
                resp = conn.getresponse()
            except TimeoutError:
                self.shared.http_silent = True
                raise
            deadline = time.monotonic() + 3 * self.timeout  # a server trickling bytes is cut off
            raw = b""
            while len(raw) < MAX_BODY and time.monotonic() < deadline:
                chunk = resp.read1(min(65536, MAX_BODY - len(raw)))
                if not chunk:
                    break
                raw += chunk
            answer = Answer(
                body=raw.decode("utf-8", "replace"),
                status=resp.status,
                headers={k.lower(): v for k, v in resp.getheaders()},
                raw=raw,
            )
        finally:
            conn.close()
        self._http[key] = answer
        return answer


@dataclass
class Outcome:
    status: Status
    service: str
    evidence: list[Evidence]
    values: dict[str, Any]
    note: str | None = None


def _ask(probe: Probe, conv: Conversation, step: Step, login: tuple[str, str] | None = None) -> Answer:
    if probe.transport == "http" and step.action is None:
        return conv.http(step.method, step.path, step.body, login)
    if step.action is not None:
        return probe.converse(conv, step)
    assert step.send is not None
    if conv.shared.line_silent:
        raise ProbeError("silent to a line command before")
    conv.send(step.send)
    complete = getattr(probe, "complete", lambda buf: False)
    try:
        raw = conv.recv_until(complete)
    except TimeoutError:
        conv.shared.line_silent = True
        raise
    return Answer(body=raw.decode("utf-8", "replace"), raw=raw)


def run_probe(
    probe: Probe, conv: Conversation, users: dict[str, str], default_logins: bool = False
) -> Outcome | None:
    """None: this is not the probe's service. Otherwise what the target showed."""
    evidence: list[Evidence] = []
    values: dict[str, Any] = {}
    data_bearing = protected = False
    note: str | None = None
    scheme = "http" if probe.transport == "http" else probe.id
    if probe.needs_user and probe.id in users:
        values["user"] = users[probe.id]
    try:
        for i, step in enumerate(probe.steps):
            if step.action == "login" and probe.needs_user and probe.id not in users:
                note = "no_user"
                break
            try:
                answer = _ask(probe, conv, step)
            except (OSError, ProbeError, http.client.HTTPException) as e:
                if i == 0:
                    return None
                evidence.append(_evidence(scheme, conv, step, None, f"{type(e).__name__}: {e}"))
                continue
            if i == 0 and not any_match(step.identify, answer):
                return None
            evidence.append(_evidence(scheme, conv, step, answer))
            for ex in step.extract:
                v = ex.apply(answer)
                if v is not None and ex.name not in values:
                    values[ex.name] = v
            if any_match(step.exclude, answer):
                return Outcome("unknown", probe.id, evidence, values, "excluded")
            challenge = step.auth or (HTTP_CHALLENGE + LOGIN_REDIRECT if probe.transport == "http" else ())
            if any_match(challenge, answer):
                protected = True
                break
            if any_match(step.data, answer):
                data_bearing = True
    finally:
        with contextlib.suppress(OSError):
            probe.finish(conv)
        conv.close()
    if protected and default_logins and probe.default_login is not None:
        return _default_login(probe, conv, evidence, values)
    if protected:
        return Outcome("protected", probe.id, evidence, values, "auth")
    if data_bearing:
        return Outcome("open", probe.id, evidence, values)
    return Outcome("unknown", probe.id, evidence, values, note or "no_data")


def _default_login(
    probe: Probe, conv: Conversation, evidence: list[Evidence], values: dict[str, Any]
) -> Outcome:
    """Asked for (``--default-logins``): the one documented default login of this product, once,
    on read-only requests. Accepted → open (kind ``<probe>_default_login``); refused → protected."""
    assert probe.default_login is not None
    accepted = False
    for step in probe.default_login_steps:
        try:
            answer = _ask(probe, conv, step, probe.default_login)
        except (OSError, http.client.HTTPException) as e:
            evidence.append(_evidence("http", conv, step, None, f"{type(e).__name__}: {e}"))
            continue
        evidence.append(_evidence("http", conv, step, answer, login=probe.default_login[0]))
        if any_match(HTTP_CHALLENGE + step.auth, answer):
            break
        for ex in step.extract:
            v = ex.apply(answer)
            if v is not None and ex.name not in values:
                values[ex.name] = v
        accepted = accepted or any_match(step.data, answer)
    if accepted:
        values["default_login"] = probe.default_login[0]
        return Outcome("open", probe.id, evidence, values)
    return Outcome("protected", probe.id, evidence, values, "default_refused")


def _evidence(
    scheme: str,
    conv: Conversation,
    step: Step,
    answer: Answer | None,
    error: str | None = None,
    login: str | None = None,
) -> Evidence:
    host = f"[{conv.host}]" if ":" in conv.host else conv.host
    if scheme == "http":
        request = f"{step.method} http://{host}:{conv.port}{step.path}"
        if login is not None:
            request += f" (as {login}, the documented default login)"
    else:
        request = f"{scheme}://{host}:{conv.port} {step.describe()}"
    return Evidence(
        request=request,
        response=error if answer is None else answer.excerpt(),
        at=dt.datetime.now(dt.UTC),
        values={"status": answer.status} if answer is not None and answer.status is not None else {},
    )


class Engine:
    def __init__(
        self,
        probes: dict[str, type[Probe]],
        timeout: float = 3.0,
        rate: float = 20.0,
        workers: int = 8,
        users: dict[str, str] | None = None,
        banner_wait: float = 0.4,
        default_logins: bool = False,
    ) -> None:
        self.default_logins = default_logins
        self.probes = [cls() for cls in probes.values()]
        self.timeout = timeout
        self.limiter = RateLimiter(rate)
        self.workers = workers
        self.users = dict(users or {})
        self.banner_wait = banner_wait

    def candidates(self, port: int, banner: bytes) -> list[Probe]:
        """The probes whose default port this is first, then (service detection by response)
        the servers that greet first when one greeted, then HTTP, then the line protocols."""

        def rank(p: Probe) -> tuple[int, int]:
            if port in p.ports:
                return (0, 0)
            if p.speaks_first:
                return (1, 0) if banner else (9, 0)
            return (2, 0) if p.transport == "http" else (3, 0)

        return [p for p in sorted(self.probes, key=rank) if rank(p)[0] < 9]

    def check_one(self, host: str, port: int) -> Checked:
        target = f"[{host}]:{port}" if ":" in host else f"{host}:{port}"
        self.limiter.wait()
        try:
            sock = socket.create_connection((host, port), timeout=self.timeout)
        except ConnectionRefusedError:
            return Checked(target, "closed", reason="refused")
        except TimeoutError:
            return Checked(target, "timeout", reason="timeout", args={"seconds": f"{self.timeout:g}"})
        except OSError as e:
            return Checked(
                target,
                "closed",
                reason="unreachable",
                args={"error": f"{type(e).__name__}: {e.strerror or e}"},
            )
        banner = b""
        try:
            sock.settimeout(self.banner_wait)
            banner = sock.recv(4096)
        except (TimeoutError, OSError):
            banner = b""
        finally:
            sock.close()
        generic_protected: Outcome | None = None
        shared = TargetState()
        for probe in self.candidates(port, banner):
            conv = Conversation(host, port, self.timeout, self.limiter, self.users, shared)
            conv.banner = banner
            outcome = run_probe(probe, conv, self.users, self.default_logins)
            if outcome is None:
                continue
            return Checked(
                target, outcome.status, outcome.service, outcome.evidence, outcome.values, reason=outcome.note
            )
        # No probe knew it: an HTTP challenge is still "protected"; anything else is "unknown".
        conv = Conversation(host, port, self.timeout, self.limiter, shared=shared)
        try:
            root = conv.http("GET", "/", None)
            # (a TLS port that refuses plain HTTP is judged by the TLS handshake below)
            if any_match(HTTP_CHALLENGE + LOGIN_REDIRECT, root) and not any_match(TLS_REQUIRED, root):
                generic_protected = Outcome(
                    "protected", "http", [_evidence("http", conv, Step(), root)], {}, "auth"
                )
        except (OSError, ProbeError, http.client.HTTPException):
            pass
        if generic_protected is not None:
            g = generic_protected
            return Checked(target, g.status, g.service, g.evidence, g.values, reason=g.note)
        tls = self.tls_only(host, port)
        if tls is not None:
            return tls_checked(target, *tls)
        excerpt = banner[:120].decode("utf-8", "replace") if banner else None
        return Checked(
            target, "unknown", reason="unrecognised", args={"excerpt": f": {excerpt}" if excerpt else ""}
        )

    def tls_only(self, host: str, port: int) -> tuple[bool, str] | None:
        """None if the port does not speak TLS; else (a client certificate is required, detail).
        The handshake sends no certificate and checks none (it identifies, it does not trust)."""
        import ssl

        ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
        ctx.check_hostname = False
        ctx.verify_mode = ssl.CERT_NONE
        self.limiter.wait()
        try:
            raw = socket.create_connection((host, port), timeout=self.timeout)
        except OSError:
            return None
        try:
            with ctx.wrap_socket(raw) as tls:
                version = tls.version() or "TLS"
                tls.settimeout(min(self.timeout, 1.0))
                try:
                    tls.recv(1)  # TLS 1.3 servers refuse a missing client certificate here
                except ssl.SSLError as e:
                    return True, f"{version}: {e.reason or e}"
                except (TimeoutError, OSError):
                    pass
                return False, version
        except ssl.SSLError as e:
            reason = str(e.reason or e)
            if (
                "CERTIFICATE" in reason.upper() and "REQUIRED" in reason.upper()
            ) or "HANDSHAKE_FAILURE" in reason.upper():
                return True, reason
            return None
        except OSError:
            return None
        finally:
            raw.close()

    def check(self, targets: Iterable[tuple[str, int]]) -> CheckResult:
        pairs = list(dict.fromkeys(targets))
        with ThreadPoolExecutor(max_workers=max(1, self.workers)) as pool:
            checked = list(pool.map(lambda hp: self.check_one(*hp), pairs))
        by_id = {p.id: p for p in self.probes}
        findings = [to_finding(c, by_id[c.service]) for c in checked if c.status == "open" and c.service]
        return CheckResult(findings=sorted(findings, key=lambda f: (-f.rank, f.subject)), checked=checked)


def tls_checked(target: str, cert_required: bool, detail: str) -> Checked:
    """TLS only: with a client certificate required it is protected; without, it was not checked
    over TLS here, so it is unknown (an HTTPS service without authentication would be open)."""
    if cert_required:
        return Checked(target, "protected", "tls", reason="tls_cert", args={"detail": detail})
    return Checked(target, "unknown", "tls", reason="tls", args={"detail": detail})


def to_finding(c: Checked, probe: Probe) -> Finding:
    now = dt.datetime.now(dt.UTC).replace(tzinfo=None)  # the store's TIMESTAMP columns hold UTC, naive
    level = severity(probe.base_severity, c.values)
    login = c.values.get("default_login")
    kind = f"{probe.id}_default_login" if login else f"{probe.id}_open"
    how = f"accepts its documented default login ({login})" if login else "answers without authentication"
    how_ja = f"既定のログイン（{login}）を受け付けます" if login else "認証なしで応答します"
    return Finding(
        stage="exposure",
        kind=kind,
        subject=c.target,
        severity=level,
        title=f"{probe.title} on {c.target} {how}",
        title_ja=f"{c.target} の {probe.title_ja} が{how_ja}",
        detail={"service": probe.id, "status": c.status, "values": c.values},
        evidence=c.evidence,
        sources=[
            SourceRef(text=f"{probe.title} documentation", source=r, kind="primary") for r in probe.references
        ],
        first_seen=now,
        last_seen=now,
    )


__all__ = ["CheckResult", "Checked", "Conversation", "Engine", "RateLimiter", "severity", "to_finding"]
