"""MySQL / MariaDB: only as a user the admin names (``--user mysql=NAME``), with no password;
an empty root password is never tried. Reads the greeting (version), logs in, then
``SHOW DATABASES`` and the row and size totals of ``information_schema.tables``."""

from __future__ import annotations

import struct
from typing import ClassVar

from sekisho.exposure.engine import Conversation, ProbeError
from sekisho.exposure.probe import Answer, Extract, Match, Probe, Step

CLIENT_LONG_PASSWORD = 0x1
CLIENT_PROTOCOL_41 = 0x200
CLIENT_SECURE_CONNECTION = 0x8000
CLIENT_PLUGIN_AUTH = 0x80000
CAPS = CLIENT_LONG_PASSWORD | CLIENT_PROTOCOL_41 | CLIENT_SECURE_CONNECTION | CLIENT_PLUGIN_AUTH
SIZES = (
    "SELECT COALESCE(SUM(table_rows), 0), COALESCE(SUM(data_length), 0) FROM information_schema.tables "
    "WHERE table_schema NOT IN ('mysql', 'information_schema', 'performance_schema', 'sys')"
)


def _lenenc(buf: bytes, pos: int) -> tuple[int | None, int]:
    first = buf[pos]
    if first < 0xFB:
        return first, pos + 1
    if first == 0xFB:
        return None, pos + 1
    width = {0xFC: 2, 0xFD: 3, 0xFE: 8}[first]
    return int.from_bytes(buf[pos + 1 : pos + 1 + width], "little"), pos + 1 + width


class MySQL(Probe):
    id: ClassVar[str] = "mysql"
    title: ClassVar[str] = "MySQL/MariaDB"
    title_ja: ClassVar[str] = "MySQL/MariaDB"
    ports: ClassVar[tuple[int, ...]] = (3306,)
    transport: ClassVar = "tcp"
    speaks_first: ClassVar[bool] = True
    needs_user: ClassVar[bool] = True
    references: ClassVar[tuple[str, ...]] = (
        "https://dev.mysql.com/doc/dev/mysql-server/latest/page_protocol_connection_phase.html",
    )
    steps: ClassVar[tuple[Step, ...]] = (
        Step(
            action="greeting",
            identify=(Match(regex=r"^greeting "), Match(regex=r"^error ")),
            auth=(Match(regex=r"^error "),),
            extract=(Extract("version", regex=r"^greeting \d+ (\S+)"),),
        ),
        Step(action="login", auth=(Match(regex=r"^login (?!ok)"),)),
        Step(
            action="SHOW DATABASES",
            data=(Match(regex=r"^row "),),
            extract=(Extract("collections", regex=r"^row (\S+)", reduce="list"),),
        ),
        Step(
            action=SIZES,
            data=(Match(regex=r"^row \d+"),),
            extract=(Extract("records", regex=r"^row (\d+)"), Extract("bytes", regex=r"^row \d+ (\d+)")),
        ),
    )

    def converse(self, conv: Conversation, step: Step) -> Answer:
        assert step.action is not None
        if step.action == "greeting":
            seq, payload = self._packet(conv)
            if payload[:1] == b"\xff":
                return Answer(body=f"error {self._error(payload)}\n", raw=payload[:200])
            if payload[:1] != b"\x0a":
                raise ProbeError("not a MySQL greeting")
            version = payload[1 : payload.index(b"\0", 1)].decode("utf-8", "replace")
            return Answer(body=f"greeting 10 {version}\n", raw=payload[:200])
        if step.action == "login":
            user = conv.users[self.id].encode()
            body = (
                struct.pack("<IIB", CAPS, 1 << 24, 33)
                + b"\0" * 23
                + user
                + b"\0"
                + b"\0"  # auth response of length 0: no password
                + b"mysql_native_password\0"
            )
            self._write(conv, 1, body)
            seq, payload = self._packet(conv)
            if payload[:1] == b"\xfe":  # auth switch: answer it, still without a password
                self._write(conv, seq + 1, b"")
                seq, payload = self._packet(conv)
            if payload[:1] == b"\x00":
                return Answer(body="login ok\n")
            if payload[:1] == b"\xff":
                return Answer(body=f"login error {self._error(payload)}\n")
            return Answer(body="login password-required\n")
        self._write(conv, 0, b"\x03" + step.action.encode())
        seq, payload = self._packet(conv)
        if payload[:1] == b"\xff":
            return Answer(body=f"error {self._error(payload)}\n")
        ncols, _ = _lenenc(payload, 0)
        for _ in range(ncols or 0):
            self._packet(conv)
        self._packet(conv)  # EOF after the column definitions
        lines = []
        while True:
            seq, payload = self._packet(conv)
            if payload[:1] in (b"\xfe", b"\xff") and len(payload) < 9:
                break
            pos, cols = 0, []
            for _ in range(ncols or 0):
                n, pos = _lenenc(payload, pos)
                if n is None:
                    cols.append("-")
                else:
                    cols.append(payload[pos : pos + n].decode("utf-8", "replace").replace(" ", "_"))
                    pos += n
            lines.append("row " + " ".join(cols))
        return Answer(body="\n".join(lines) + "\n")

    @staticmethod
    def _packet(conv: Conversation) -> tuple[int, bytes]:
        head = conv.recv_exact(4)
        size = int.from_bytes(head[:3], "little")
        if size == 0 or size > 1 << 20:
            raise ProbeError("not the MySQL protocol")
        return head[3], conv.recv_exact(size)

    @staticmethod
    def _write(conv: Conversation, seq: int, payload: bytes) -> None:
        conv.send(len(payload).to_bytes(3, "little") + bytes([seq & 0xFF]) + payload)

    @staticmethod
    def _error(payload: bytes) -> str:
        code = struct.unpack("<H", payload[1:3])[0]
        msg = payload[3:]
        if msg[:1] == b"#":
            msg = msg[6:]
        return f"{code} {msg.decode('utf-8', 'replace')}"

    def finish(self, conv: Conversation) -> None:
        if conv.sock is not None:
            self._write(conv, 0, b"\x01")  # COM_QUIT
