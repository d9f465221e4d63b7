"""The question section of a DNS message (RFC 1035 §4.1.2), as a capture or a dnstap frame holds
it. Only the header and the questions are read: a name is all a row needs, and the answer sections
hold record types dpkt does not decode (RRSIG, SVCB, …)."""

from __future__ import annotations

import struct

from sekisho.ingest.lazy import lazy_module

dpkt = lazy_module("dpkt")


class BadMessage(ValueError):
    """A DNS message whose header or questions cannot be read."""


def questions(message: bytes) -> tuple[int, bool, list[str]]:
    """(id, is a response, the questions' names) of a DNS message in wire format."""
    try:
        ident, flags, qdcount = struct.unpack_from("!HHH", message)
        names, off = [], 12
        for _ in range(qdcount):
            name, off = dpkt.dns.unpack_name(message, off)
            if off + 4 > len(message):
                raise IndexError("question cut short")
            names.append(name)
            off += 4
    except (dpkt.dpkt.UnpackError, dpkt.dpkt.NeedData, struct.error, IndexError, UnicodeDecodeError):
        raise BadMessage("malformed DNS message") from None
    return ident, bool(flags & 0x8000), names
