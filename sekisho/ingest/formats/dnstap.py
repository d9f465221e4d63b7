"""dnstap (https://dnstap.info): the DNS messages a server saw, as BIND, Unbound, Knot Resolver,
PowerDNS, CoreDNS and dnsdist log them — Frame Streams files of ``Dnstap`` protobuf messages,
written by BIND itself (``dnstap-output file``) or by ``fstrm_capture`` in front of a server's
dnstap socket.

A record is a query a client sent: ``CLIENT_QUERY`` (to a resolver) or ``AUTH_QUERY`` (to an
authoritative server), each question of its DNS message one row, the client its
``query_address``, the time its ``query_time``. A response counts only when its query was not
logged (a server told to log responses alone), as in a one-way capture. The server's own queries
upstream (``RESOLVER_*``, ``FORWARDER_*``, ``STUB_*``), tool and update messages are skipped, each
with its reason. The "lines" of a dnstap file are its data frames: frame N is reported as
``file:N``. Frames are read with the ``fstrm`` package, messages with ``dnstap-pb`` (protobuf).
"""

from __future__ import annotations

import datetime as dt
import socket
from collections.abc import Iterator
from pathlib import Path
from typing import Any, BinaryIO, ClassVar

from sekisho.ingest.base import BinaryFormat
from sekisho.ingest.decoded import Rows, rows_query
from sekisho.ingest.dnsmsg import BadMessage, questions
from sekisho.ingest.sources import Compression, open_decompressed

ROWS_TABLE = "dnstap_rows"
CONTENT_TYPE = b"protobuf:dnstap.Dnstap"
# Message.Type (dnstap.proto): the queries clients sent, their responses, and what is skipped
QUERIES = {1: "dnstap-auth-query", 5: "dnstap-client-query"}
RESPONSES = {2: "dnstap-auth-response", 6: "dnstap-client-response"}
SKIPPED = {
    3: "RESOLVER_QUERY: the resolver's own query upstream",
    4: "RESOLVER_RESPONSE: the answer to the resolver's own query",
    7: "FORWARDER_QUERY: a query forwarded upstream",
    8: "FORWARDER_RESPONSE: the answer to a forwarded query",
    9: "STUB_QUERY: a stub resolver's query",
    10: "STUB_RESPONSE: the answer to a stub resolver's query",
    11: "TOOL_QUERY: a tool's query",
    12: "TOOL_RESPONSE: the answer to a tool's query",
    13: "UPDATE_QUERY: a dynamic update",
    14: "UPDATE_RESPONSE: the answer to a dynamic update",
}
COUNTED = "DNS response to a query already counted"  # (as in a capture)


class DnstapError(ValueError):
    """A file that is not a dnstap Frame Streams file."""


def _frames(f: BinaryIO) -> Iterator[bytes | None]:
    """Each data frame's payload; None for a frame cut short (the end of a file still written)."""
    import fstrm

    codec = fstrm.FstrmCodec()
    started = False
    while True:
        want = codec.pending_nb_bytes()
        data = f.read(want)
        if not data:
            if codec.buf or codec.df_length is not None:
                yield None
            return
        if not codec.append_and_process(data):
            continue  # more of this frame to read (at the end of the file: cut short, above)
        try:
            kind, content_types, payload = codec.decode()
        except Exception as e:  # fstrm raises Exception for a control frame it cannot read
            raise DnstapError(f"unreadable Frame Streams control frame: {e}") from None
        if kind == fstrm.FSTRM_DATA_FRAME:
            if not started:
                raise DnstapError(
                    "no Frame Streams START frame before the data (a dnstap file that grew since the "
                    "last scan cannot be continued from the middle: rotate it, fstrm_capture -s)"
                )
            yield payload
        elif kind == fstrm.FSTRM_CONTROL_START:
            if content_types and CONTENT_TYPE not in content_types:
                other = content_types[0].decode("ascii", errors="replace")
                raise DnstapError(f"a Frame Streams file of {other!r}, not dnstap")
            started = True


def _address(raw: bytes) -> str | None:
    if len(raw) in (4, 16):
        return socket.inet_ntop(socket.AF_INET if len(raw) == 4 else socket.AF_INET6, raw)
    return None


class Decoder:
    """Frames in, rows out; remembers the queries counted, so a response to one is skipped."""

    def __init__(self) -> None:
        import dnstap_pb
        from google.protobuf.message import DecodeError  # (protobuf: what dnstap-pb's messages raise)

        self.rows = Rows()
        self.queries: set[tuple[str | None, int, int, str]] = set()
        self._parse = dnstap_pb.Dnstap.FromString
        self._decode_error = DecodeError

    def frame(self, n: int, payload: bytes) -> None:
        try:
            top = self._parse(payload)
        except self._decode_error:
            self.rows.add(n, None, None, None, None, "bad", "not a dnstap message")
            return
        if not top.HasField("message"):
            self.rows.add(n, None, None, None, None, "skip", "dnstap frame without a DNS message")
            return
        msg = top.message
        if msg.type in SKIPPED:
            self.rows.add(n, None, None, None, None, "skip", SKIPPED[msg.type])
            return
        response = msg.type in RESPONSES
        if not response and msg.type not in QUERIES:
            self.rows.add(n, None, None, None, None, "skip", f"dnstap message of type {msg.type}")
            return
        sec, nsec = (
            (msg.response_time_sec, msg.response_time_nsec)
            if response
            else (msg.query_time_sec, msg.query_time_nsec)
        )
        ts = sec + nsec / 1e9 if sec else None
        wire = msg.response_message if response else msg.query_message
        if not wire:
            self.rows.add(n, ts, None, None, None, "bad", "dnstap message without its DNS message")
            return
        try:
            ident, _, names = questions(wire)
        except BadMessage as e:
            self.rows.add(n, ts, None, None, None, "bad", str(e))
            return
        client = _address(msg.query_address)
        if not names:
            self.rows.add(n, ts, None, None, None, "skip", "DNS message without a question")
        for name in names:
            key = (client, msg.query_port, ident, name.lower())
            if not response:
                self.queries.add(key)
                self.rows.add(n, ts, client, name, QUERIES[msg.type])
            elif key in self.queries:
                self.rows.add(n, ts, None, None, None, "skip", COUNTED)
            else:
                self.rows.add(n, ts, client, name, RESPONSES[msg.type])


class Dnstap(BinaryFormat):
    name: ClassVar[str] = "dnstap"
    title: ClassVar[str] = "dnstap (Frame Streams): BIND, Unbound, Knot, PowerDNS, CoreDNS, dnsdist"
    kind = "dns"

    @staticmethod
    def matches_head(head: bytes) -> bool:
        """A Frame Streams control frame first (a zero length), naming dnstap's content type."""
        return head[:4] == b"\x00\x00\x00\x00" and CONTENT_TYPE in head[:256]

    def compile_duckdb(
        self, path: Path, compression: Compression, mtime: dt.datetime, con: Any
    ) -> tuple[str, int]:
        decoder = Decoder()
        with open_decompressed(path, compression) as f:
            n = 0
            for n, payload in enumerate(_frames(f), start=1):
                if payload is None:
                    decoder.rows.add(n, None, None, None, None, "bad", "frame cut short")
                    continue
                decoder.frame(n, payload)
        return rows_query(con, ROWS_TABLE, decoder.rows, "'frame ' || n"), 0
