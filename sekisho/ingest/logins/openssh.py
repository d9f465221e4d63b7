"""OpenSSH ``sshd`` authentication messages (``/var/log/auth.log``, ``journalctl -u ssh`` in any
output form, ``sshd -e`` stderr).

Records: ``Accepted|Failed <method> for [invalid user ]USER from ADDR port N ssh2[: key]`` and
``Invalid user USER from ADDR port N``. Methods are sshd's own names (``password``, ``publickey``,
``keyboard-interactive/pam``, ``hostbased``, ``gssapi-with-mic``). Other sshd messages (connection
closed, PAM, disconnects, start-up) are skipped with a reason; a message that starts like a record
but does not match is malformed. Messages written by OpenSSH 9.2 (Debian 12) in the tests.
"""

from __future__ import annotations

import re
from typing import Any, ClassVar

from sekisho.ingest.base import LineRegexFormat
from sekisho.ingest.logins.base import LoginEvent, LoginFormat, Malformed, Skip, address

_ADDR = r"(\S+) port (\d+)"
_AUTH = re.compile(
    r"^(Accepted|Failed|Postponed) (\S+) for (invalid user )?(.*?) from "
    + _ADDR
    + r"(?: (ssh2))?(?:: (.*))?$"
)
_INVALID = re.compile(r"^Invalid user (.*?) from " + _ADDR + r"\s*$")
# sshd with UsePAM: a keyboard-interactive answer PAM refused (sshd-auth's own message)
_PAM_FAIL = re.compile(r"^PAM: Authentication failure for (illegal user )?(.*?) from (\S+)\s*$")
_RECORD_START = re.compile(r"^(?:Accepted|Failed|Invalid user|PAM: Authentication failure) ")
_SKIPS = (
    r"^(?:Connection (?:closed|reset)|Disconnected from|Received disconnect|pam_unix|pam_systemd|"
    r"Server listening|Received signal|error: |fatal: |banner exchange|Unable to negotiate|"
    r"maximum authentication attempts|Disconnecting|Timeout|drop connection|Starting session|"
    r"Close session|Postponed|User child|debug\d?: |Connection from|rexec line|kex_exchange|"
    r"message repeated|PAM |Exiting|Bad protocol|Did not receive|ssh_dispatch|Read error|"
    r"Transferred|srclimit|Failed none|Authentication refused|Accepted key|userauth_|"
    r"input_userauth|Not allowed|User .* not allowed|Protocol major|Bad packet|Attempt to write)"
)


class _Declaration(LineRegexFormat):
    """The message pattern the syslog-envelope layer chooses an envelope with."""

    name = "openssh"
    title = "OpenSSH sshd"
    kind = "conn"
    pattern = r"^(?:Accepted|Failed) \S+ for .* from \S+ port \d+"
    signature = (pattern, r"^Invalid user .* from \S+ port \d+", r"^Server listening on \S+ port \d+")
    groups = ()
    skips = (("sshd message without a sign-in", _SKIPS),)
    programs = ("sshd", "sshd-session", "sshd-auth")
    record_start = r"^(?:Accepted|Failed|Invalid user|PAM: Authentication failure) "


class OpenSSH(LoginFormat):
    name: ClassVar[str] = "openssh"
    title: ClassVar[str] = "OpenSSH sshd auth.log / journal (Accepted/Failed/Invalid user)"
    shape = "lines"
    declaration: ClassVar[type[LineRegexFormat]] = _Declaration
    reference = "OpenSSH auth2.c / auth.c auth_log(); lines written by Debian 12 openssh-server 9.2 in tests"
    priority = 20

    def record(self, rec: Any, year: int | None = None) -> LoginEvent:
        msg, prog, ts = rec
        if prog is not None and prog not in _Declaration.programs:
            raise Skip("another program's line")
        m = _AUTH.match(msg)
        if m:
            verdict, method, invalid, user, ip, _port, _proto, key = m.groups()
            if verdict == "Postponed":
                raise Skip("sshd message without a sign-in")
            if method == "none":
                raise Skip("sshd 'none' method probe")
            return LoginEvent(
                ts=ts,
                user=user,
                src_ip=address(ip),
                outcome="success" if verdict == "Accepted" else "failure",
                reason=("invalid user" if invalid else None)
                if verdict == "Accepted"
                else ("invalid user" if invalid else f"wrong {method.split('/')[0]}"),
                method=method,
                app="sshd",
                interactive=True,
                user_agent=key,
            )
        m = _INVALID.match(msg)
        if m:
            user, ip, _port = m.groups()
            return LoginEvent(
                ts=ts,
                user=user,
                src_ip=address(ip),
                outcome="failure",
                reason="invalid user",
                method=None,
                app="sshd",
                interactive=True,
            )
        m = _PAM_FAIL.match(msg)
        if m:
            invalid, user, ip = m.groups()
            return LoginEvent(
                ts=ts,
                user=user,
                src_ip=address(ip),
                outcome="failure",
                reason="invalid user" if invalid else "PAM authentication failure",
                method="keyboard-interactive/pam",
                app="sshd",
                interactive=True,
            )
        if _RECORD_START.match(msg):
            raise Malformed("starts like an sshd sign-in but does not match its pattern")
        if re.match(_SKIPS, msg):
            raise Skip("sshd message without a sign-in")
        if prog in _Declaration.programs:
            raise Skip("sshd message without a sign-in")
        raise Malformed("not an sshd message")
