"""MongoDB over its wire protocol (OP_MSG): ``hello`` (needs no login on any server), then
``listDatabases`` — names and sizes on disk. Both are reads; no credentials are sent."""

from __future__ import annotations

import itertools
import struct
from typing import Any, ClassVar

from sekisho.exposure.engine import Conversation, ProbeError
from sekisho.exposure.probe import Answer, Extract, Match, Probe, Step

OP_MSG = 2013
_ids = itertools.count(1)


def bson_encode(doc: dict[str, Any]) -> bytes:
    """The few BSON types a command needs: int32, string, bool, nested document."""
    out = b""
    for key, value in doc.items():
        k = key.encode() + b"\0"
        if isinstance(value, bool):
            out += b"\x08" + k + (b"\x01" if value else b"\x00")
        elif isinstance(value, int):
            out += b"\x10" + k + struct.pack("<i", value)
        elif isinstance(value, str):
            v = value.encode() + b"\0"
            out += b"\x02" + k + struct.pack("<i", len(v)) + v
        elif isinstance(value, dict):
            out += b"\x03" + k + bson_encode(value)
        else:
            raise TypeError(type(value))
    return struct.pack("<i", len(out) + 5) + out + b"\0"


_FIXED = {0x01: 8, 0x07: 12, 0x09: 8, 0x11: 8, 0x12: 8, 0x10: 4, 0x08: 1, 0x0A: 0, 0x13: 16, 0xFF: 0, 0x7F: 0}


def bson_decode(buf: bytes, pos: int = 0) -> tuple[dict[str, Any], int]:
    """A BSON document at ``pos``; values of types a reply can hold, others kept as ``None``."""
    (size,) = struct.unpack_from("<i", buf, pos)
    end = pos + size
    if size < 5 or end > len(buf):
        raise ProbeError("bad BSON")
    pos += 4
    doc: dict[str, Any] = {}
    while pos < end - 1:
        kind = buf[pos]
        nul = buf.index(b"\0", pos + 1)
        key = buf[pos + 1 : nul].decode("utf-8", "replace")
        pos = nul + 1
        value: Any = None
        if kind == 0x01:
            (value,) = struct.unpack_from("<d", buf, pos)
        elif kind == 0x10:
            (value,) = struct.unpack_from("<i", buf, pos)
        elif kind == 0x12:
            (value,) = struct.unpack_from("<q", buf, pos)
        elif kind == 0x08:
            value = buf[pos] == 1
        if kind in _FIXED:
            pos += _FIXED[kind]
        elif kind in (0x02, 0x0D, 0x0E):
            (n,) = struct.unpack_from("<i", buf, pos)
            value = buf[pos + 4 : pos + 3 + n].decode("utf-8", "replace")
            pos += 4 + n
        elif kind in (0x03, 0x04):
            sub, pos = bson_decode(buf, pos)
            value = list(sub.values()) if kind == 0x04 else sub
        elif kind == 0x05:
            (n,) = struct.unpack_from("<i", buf, pos)
            pos += 5 + n
        elif kind == 0x0B:  # regex: two cstrings
            pos = buf.index(b"\0", buf.index(b"\0", pos) + 1) + 1
        else:
            raise ProbeError(f"BSON type {kind:#x}")
        doc[key] = value
    return doc, end


class MongoDB(Probe):
    id: ClassVar[str] = "mongodb"
    title: ClassVar[str] = "MongoDB"
    title_ja: ClassVar[str] = "MongoDB"
    ports: ClassVar[tuple[int, ...]] = (27017,)
    transport: ClassVar = "tcp"
    references: ClassVar[tuple[str, ...]] = (
        "https://www.mongodb.com/docs/manual/administration/security-checklist/",
    )
    steps: ClassVar[tuple[Step, ...]] = (
        Step(
            action="hello",
            identify=(Match(regex=r"^hello maxWireVersion=\d+"),),
            extract=(Extract("max_wire_version", regex=r"^hello maxWireVersion=(\d+)"),),
        ),
        Step(
            action="listDatabases",
            auth=(Match(regex=r"^error (13|18)\b"), Match(regex=r"requires authentication|Unauthorized")),
            data=(Match(regex=r"^db "),),
            extract=(
                Extract("collections", regex=r"^db (\S+)", reduce="list"),
                Extract("bytes", regex=r"^total (\d+)"),
            ),
        ),
    )

    def converse(self, conv: Conversation, step: Step) -> Answer:
        assert step.action is not None
        reply = self.command(conv, {step.action: 1, "$db": "admin"})
        if not reply.get("ok"):
            line = f"error {reply.get('code', '')} {reply.get('codeName', '')} {reply.get('errmsg', '')}"
            return Answer(body=line + "\n")
        if step.action == "hello":
            return Answer(body=f"hello maxWireVersion={int(reply.get('maxWireVersion') or 0)}\n")
        lines = [
            f"db {d.get('name', '?')} {int(d.get('sizeOnDisk') or 0)}"
            for d in reply.get("databases") or []
            if isinstance(d, dict)
        ]
        lines.append(f"total {int(reply.get('totalSize') or 0)}")
        return Answer(body="\n".join(lines) + "\n")

    @staticmethod
    def command(conv: Conversation, doc: dict[str, Any]) -> dict[str, Any]:
        body = struct.pack("<I", 0) + b"\0" + bson_encode(doc)
        conv.send(struct.pack("<iiii", 16 + len(body), next(_ids), 0, OP_MSG) + body)
        length, _rid, _to, opcode = struct.unpack("<iiii", conv.recv_exact(16))
        if opcode != OP_MSG or not 21 <= length <= 48 * 1024 * 1024:
            raise ProbeError("not the MongoDB protocol")
        payload = conv.recv_exact(length - 16)
        (flags,) = struct.unpack_from("<I", payload, 0)
        if flags & 1:
            payload = payload[:-4]  # checksum
        if payload[4] != 0:
            raise ProbeError("no body section")
        reply, _ = bson_decode(payload, 5)
        return reply
