"""OpenSSH sign-ins: lines written by a real sshd (Debian's openssh-server) while paramiko clients
fail and succeed against it; the same messages under syslog envelopes; malformed lines counted."""

from __future__ import annotations

import time
from pathlib import Path

import paramiko
import pytest

from sekisho.ingest.logins import detect_login, read_logins
from sekisho.ingest.sources import open_source
from tests.audit.sshd import sshd, user
from tests.conftest import need, need_program


def _wait_for(log: Path, text: str, timeout: float = 20) -> str:
    """The log once it holds ``text`` (sshd writes after the client returns)."""
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        body = log.read_text()
        if text in body:
            return body
        time.sleep(0.05)
    raise AssertionError(f"sshd never wrote {text!r}:\n{log.read_text()}")


def _client() -> paramiko.SSHClient:
    c = paramiko.SSHClient()
    c.set_missing_host_key_policy(paramiko.AutoAddPolicy())
    return c


def test_real_sshd_lines_parse(tmp_path: Path) -> None:
    exe = need_program("sshd")
    need(Path("/etc/pam.d/sshd").exists(), "openssh-server's PAM configuration")
    me = user()
    with sshd(exe, tmp_path, pam=True) as (port, key, log):
        for name, pw in [(me, "wrong-1"), ("nosuchuser", "x")]:
            c = _client()
            with pytest.raises(paramiko.AuthenticationException):
                c.connect(
                    "127.0.0.1", port, username=name, password=pw, look_for_keys=False, allow_agent=False
                )
            c.close()
        t = paramiko.Transport(("127.0.0.1", port))
        t.start_client()
        with pytest.raises(paramiko.AuthenticationException):
            t.auth_interactive(me, lambda title, instr, prompts: ["wrong-2"] * len(prompts))
        t.close()
        _wait_for(log, "PAM: Authentication failure")
        c = _client()
        c.connect(
            "127.0.0.1", port, username=me, key_filename=str(key), look_for_keys=False, allow_agent=False
        )
        c.close()
        _wait_for(log, "Accepted publickey")
    src = open_source(log)
    try:
        assert detect_login(src).name == "openssh"
    finally:
        src.close()
    events, acct = read_logins(log)
    got = [(e.user, e.outcome, e.method, e.reason) for e in events]
    assert (me, "failure", "password", "wrong password") in got
    assert ("nosuchuser", "failure", None, "invalid user") in got  # "Invalid user … from"
    assert ("nosuchuser", "failure", "password", "invalid user") in got
    assert (me, "failure", "keyboard-interactive/pam", "PAM authentication failure") in got
    assert (me, "success", "publickey", None) in got
    ok = next(e for e in events if e.outcome == "success")
    assert ok.src_ip == "127.0.0.1" and ok.user_agent and ok.user_agent.startswith("ED25519 SHA256:")
    assert acct.malformed == 0, acct.malformed_samples
    assert acct.parsed == len(events) and acct.skipped >= 2  # "Server listening", "Connection closed"
    assert acct.parsed + acct.skipped == acct.lines
    assert all(e.line >= 1 and e.source == str(log) for e in events)


# sshd's own messages (as the test server above writes them) under the envelopes of auth.log,
# journalctl short-iso and -o json
_MSGS = [
    "Failed password for root from 203.0.113.9 port 55800 ssh2",
    "Invalid user admin from 203.0.113.9 port 55814",
    "Accepted publickey for root from 198.51.100.7 port 55830 ssh2: ED25519 SHA256:3Li/PkDToG4RUpJTuAE1kUPU6S0",
    "Accepted keyboard-interactive/pam for alice from 2001:db8::5 port 22 ssh2",
]


@pytest.mark.parametrize("style", ["rfc3164", "iso", "journal-json"])
def test_envelopes(tmp_path: Path, style: str) -> None:
    import json

    lines = []
    for i, m in enumerate(_MSGS):
        if style == "rfc3164":
            lines.append(f"Nov 30 10:0{i}:00 gw sshd[812]: {m}")
        elif style == "iso":
            lines.append(f"2026-11-30T10:0{i}:00+09:00 gw sshd[812]: {m}")
        else:
            us = 1_796_000_000_000_000 + i * 60_000_000
            lines.append(
                json.dumps({"MESSAGE": m, "SYSLOG_IDENTIFIER": "sshd", "__REALTIME_TIMESTAMP": str(us)})
            )
    other = lines[0].replace(_MSGS[0], "pam_unix(cron:session): session opened")
    lines.insert(1, other.replace("sshd[812]", "CRON[99]").replace('"sshd"', '"CRON"'))
    p = tmp_path / "auth.log"
    p.write_text("\n".join(lines) + "\n")
    events, acct = read_logins(p)
    assert acct.format == "openssh" and acct.malformed == 0
    assert [e.outcome for e in events] == ["failure", "failure", "success", "success"]
    assert events[3].src_ip == "2001:db8::5" and events[3].method == "keyboard-interactive/pam"
    assert acct.skipped_reasons.get("another program's line") == 1
    if style == "iso":
        assert events[0].ts.isoformat() == "2026-11-30T01:00:00+00:00"
    if style == "rfc3164":
        assert (events[0].ts.month, events[0].ts.day, events[0].ts.hour) == (11, 30, 10)


def test_malformed_counted_with_line(tmp_path: Path) -> None:
    p = tmp_path / "auth.log"
    p.write_text(
        "Nov 30 10:00:00 gw sshd[1]: Accepted password for bob from 192.0.2.1 port 22 ssh2\n"
        "Nov 30 10:00:01 gw sshd[1]: Accepted password for bob from\n"
        "Nov 30 10:00:02 gw sshd[1]: Failed password for bob from 192.0.2.1 port 22 ssh2\n"
    )
    events, acct = read_logins(p)
    assert len(events) == 2 and acct.malformed == 1
    assert acct.malformed_samples[0]["line"] == 2 and "does not match" in acct.malformed_samples[0]["reason"]
