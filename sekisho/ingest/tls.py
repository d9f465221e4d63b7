"""The server name (SNI, RFC 6066 §3) of a TLS ClientHello (RFC 8446 §4.1.2), for packet captures."""

from __future__ import annotations


class BadHello(ValueError):
    """A ClientHello whose lengths do not add up."""


def client_hello_sni(msg: bytes) -> str | None:
    """The host_name of a ClientHello handshake message (type, 3-byte length, body), or None
    when it carries no server_name extension. Raises :class:`BadHello` on a malformed message."""
    if len(msg) < 4 or msg[0] != 1:
        raise BadHello("not a ClientHello")
    end = min(len(msg), 4 + int.from_bytes(msg[1:4], "big"))
    pos = 4 + 2 + 32  # legacy_version, random
    try:
        pos += 1 + msg[pos]  # legacy_session_id
        pos += 2 + int.from_bytes(msg[pos : pos + 2], "big")  # cipher_suites
        pos += 1 + msg[pos]  # legacy_compression_methods
        if pos >= end:
            return None  # no extensions (SSL 3.0-style hello)
        ext_end = min(end, pos + 2 + int.from_bytes(msg[pos : pos + 2], "big"))
        pos += 2
        while pos + 4 <= ext_end:
            etype = int.from_bytes(msg[pos : pos + 2], "big")
            elen = int.from_bytes(msg[pos + 2 : pos + 4], "big")
            data = msg[pos + 4 : pos + 4 + elen]
            pos += 4 + elen
            if etype != 0:
                continue
            p = 2  # server_name_list length
            while p + 3 <= len(data):
                ntype, nlen = data[p], int.from_bytes(data[p + 1 : p + 3], "big")
                name = data[p + 3 : p + 3 + nlen]
                if ntype == 0:  # host_name
                    if len(name) != nlen:
                        raise BadHello("server_name cut short")
                    return name.decode("ascii", errors="replace")
                p += 3 + nlen
            return None
    except IndexError:
        raise BadHello("ClientHello cut short") from None
    return None


class RecordStream:
    """The handshake bytes of the TLS records a client sent on one TCP connection, in order,
    until the first handshake message (the ClientHello) is whole."""

    LIMIT = 1 << 16

    def __init__(self) -> None:
        self.buf = b""

    def add(self, data: bytes) -> bytes | None:
        """Add a segment's payload; the ClientHello message once whole."""
        self.buf += data
        if len(self.buf) > self.LIMIT:
            raise BadHello("no whole ClientHello in the first 64 KiB")
        hs = b""
        pos = 0
        while pos + 5 <= len(self.buf):
            rtype = self.buf[pos]
            rlen = int.from_bytes(self.buf[pos + 3 : pos + 5], "big")
            if rtype != 0x16:
                raise BadHello("a record that is not a handshake before the ClientHello")
            hs += self.buf[pos + 5 : pos + 5 + rlen]
            pos += 5 + rlen
            if len(hs) >= 4 and len(hs) >= 4 + int.from_bytes(hs[1:4], "big"):
                return hs[: 4 + int.from_bytes(hs[1:4], "big")]
        return None
