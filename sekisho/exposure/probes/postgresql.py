"""PostgreSQL: does the server let a named user in without a password (``trust``)? Then only
``SELECT``s: database names and sizes, and the planner's row estimate of the user tables.

The user is ``postgres`` unless the admin names another (``--user postgresql=NAME``); one
startup message, no password is ever sent.
"""

from __future__ import annotations

import struct
from typing import ClassVar

from sekisho.exposure.engine import Conversation, ProbeError
from sekisho.exposure.probe import Answer, Extract, Match, Probe, Step

AUTH_NAMES = {0: "ok", 2: "kerberos", 3: "cleartext", 5: "md5", 7: "gss", 9: "sspi", 10: "sasl"}
DATABASES = (
    "SELECT datname, CASE WHEN has_database_privilege(datname, 'CONNECT') "
    "THEN pg_database_size(datname) END FROM pg_database WHERE NOT datistemplate ORDER BY datname"
)
ROWS = (
    "SELECT coalesce(sum(greatest(reltuples, 0)), 0)::bigint FROM pg_class c JOIN pg_namespace n "
    "ON n.oid = c.relnamespace WHERE c.relkind = 'r' AND n.nspname NOT IN ('pg_catalog', 'information_schema')"
)


class PostgreSQL(Probe):
    id: ClassVar[str] = "postgresql"
    title: ClassVar[str] = "PostgreSQL"
    title_ja: ClassVar[str] = "PostgreSQL"
    ports: ClassVar[tuple[int, ...]] = (5432,)
    transport: ClassVar = "tcp"
    references: ClassVar[tuple[str, ...]] = ("https://www.postgresql.org/docs/current/auth-trust.html",)
    steps: ClassVar[tuple[Step, ...]] = (
        Step(
            action="startup",
            identify=(Match(regex=r"^(auth|error) "),),
            auth=(Match(regex=r"^auth (?!ok)"), Match(regex=r"^error ")),
            extract=(Extract("server_version", regex=r"^param server_version (.+)$"),),
        ),
        Step(
            action=DATABASES,
            data=(Match(regex=r"^row "),),
            extract=(
                Extract("collections", regex=r"^row (\S+)", reduce="list"),
                Extract("bytes", regex=r"^row \S+ (\d+)", reduce="sum"),
            ),
        ),
        Step(
            action=ROWS, data=(Match(regex=r"^row \d+"),), extract=(Extract("records", regex=r"^row (\d+)"),)
        ),
    )

    def converse(self, conv: Conversation, step: Step) -> Answer:
        assert step.action is not None
        if step.action == "startup":
            user = conv.users.get(self.id, "postgres")
            params = b"".join(
                k.encode() + b"\0" + v.encode() + b"\0"
                for k, v in (
                    ("user", user),
                    ("database", "postgres"),
                    ("application_name", "sekisho-exposure"),
                )
            )
            body = struct.pack("!i", 196608) + params + b"\0"
            conv.send(struct.pack("!i", len(body) + 4) + body)
            return self._read(conv, until=b"RZE")
        q = step.action.encode() + b"\0"
        conv.send(b"Q" + struct.pack("!i", len(q) + 4) + q)
        answer = self._read(conv, until=b"Z")
        return answer

    @staticmethod
    def _read(conv: Conversation, until: bytes) -> Answer:
        lines: list[str] = []
        raw = b""
        while True:
            head = conv.recv_exact(5)
            kind, size = head[:1], struct.unpack("!i", head[1:])[0]
            if kind not in b"RSKZTDCENIA" or not 4 <= size < 1 << 24:
                raise ProbeError("not the PostgreSQL protocol")
            payload = conv.recv_exact(size - 4)
            raw += head + payload[:200]
            if kind == b"R":
                code = struct.unpack("!i", payload[:4])[0]
                name = AUTH_NAMES.get(code, str(code))
                if code == 10:
                    name += " " + ",".join(m.decode() for m in payload[4:].split(b"\0") if m)
                lines.append(f"auth {name}")
                if code != 0:
                    break
            elif kind == b"S":
                k, v, *_ = payload.split(b"\0")
                lines.append(f"param {k.decode()} {v.decode('utf-8', 'replace')}")
            elif kind == b"E":
                fields = {f[:1]: f[1:].decode("utf-8", "replace") for f in payload.split(b"\0") if f}
                lines.append(f"error {fields.get(b'C', '')} {fields.get(b'M', '')}")
                if b"E" in until or b"Z" not in until:
                    break
            elif kind == b"D":
                (n,) = struct.unpack("!h", payload[:2])
                pos, cols = 2, []
                for _ in range(n):
                    (ln,) = struct.unpack("!i", payload[pos : pos + 4])
                    pos += 4
                    if ln < 0:
                        cols.append("-")
                    else:
                        cols.append(payload[pos : pos + ln].decode("utf-8", "replace").replace(" ", "_"))
                        pos += ln
                lines.append("row " + " ".join(cols))
            elif kind == b"Z":
                break
        return Answer(body="\n".join(lines) + "\n", raw=raw)

    def finish(self, conv: Conversation) -> None:
        if conv.sock is not None:
            conv.send(b"X\0\0\0\4")
