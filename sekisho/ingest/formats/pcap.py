"""Packet captures (pcap and pcapng, as tcpdump, Wireshark/dumpcap and most sensors write them).

Each packet that names a destination gives one normalised row: a DNS query (UDP/TCP port 53,
mDNS 5353, LLMNR 5355; every question), a TLS ClientHello's server name on any TCP port, the
server name in a QUIC client Initial (decrypted with the RFC 9001 initial keys, see
:mod:`sekisho.ingest.quic`), and the ``Host`` of an HTTP/1.x request. A DNS response counts only
when its query was not captured (a one-way capture still shows the names). Packets are decoded with
``dpkt`` in Python (a capture is binary, not lines), and the rows go to the engine as Arrow like
Pi-hole's database rows. "Lines" of a capture are its packets: a malformed packet is reported as
``file:N`` with N the packet number (Wireshark's ``frame.number``).

A capture is recognised by its magic number. One that grew since the last scan cannot be
continued from the middle (a packet record means nothing without the file's header): rotate
captures (``tcpdump -G``/``-C``, ``dumpcap -b``) so that each file is complete when scanned.
"""

from __future__ import annotations

import datetime as dt
import re
import struct
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any, BinaryIO, ClassVar

from sekisho.ingest.base import BinaryFormat
from sekisho.ingest.decoded import Rows, rows_query
from sekisho.ingest.dnsmsg import BadMessage, questions
from sekisho.ingest.lazy import lazy_module
from sekisho.ingest.sources import Compression, open_decompressed
from sekisho.ingest.tls import BadHello, RecordStream, client_hello_sni

if TYPE_CHECKING:
    from sekisho.ingest.quic import CryptoStream


dpkt = lazy_module("dpkt")
quic = lazy_module("sekisho.ingest.quic")  # RFC 9001 keys via cryptography

ROWS_TABLE = "pcap_rows"
PCAP_MAGICS = {
    b"\xd4\xc3\xb2\xa1": ("<", 1e6),
    b"\xa1\xb2\xc3\xd4": (">", 1e6),
    b"\x4d\x3c\xb2\xa1": ("<", 1e9),
    b"\xa1\xb2\x3c\x4d": (">", 1e9),
}
PCAPNG_MAGIC = b"\x0a\x0d\x0d\x0a"
DNS_PORTS = {53, 5353, 5355}
HTTP_METHODS = re.compile(rb"^(GET|POST|HEAD|PUT|DELETE|OPTIONS|CONNECT|PATCH|TRACE) \S+ HTTP/1\.[01]\r\n")
HOST_HEADER = re.compile(rb"\r\nhost:[ \t]*([^\r\n]*)", re.IGNORECASE)
NO_NAME = "no DNS query, TLS/QUIC server name or HTTP Host"


class CaptureError(ValueError):
    """A capture file sekisho cannot read at all."""


def _packets(f: BinaryIO) -> Iterator[tuple[float, int, bytes, bool]]:
    """(time, link type, frame, whole) per packet; ``whole`` is False for a record cut short."""
    magic = f.read(4)
    if magic == PCAPNG_MAGIC:
        f.seek(0)
        try:
            reader = dpkt.pcapng.Reader(f)
        except (ValueError, dpkt.dpkt.UnpackError) as e:
            raise CaptureError(f"unreadable pcapng header: {e}") from None
        link = reader.datalink()
        it = iter(reader)
        while True:
            try:
                ts, buf = next(it)
            except StopIteration:
                return
            except (dpkt.dpkt.NeedData, dpkt.dpkt.UnpackError, struct.error):
                yield 0.0, link, b"", False
                return
            yield float(ts), link, bytes(buf), True
    if magic not in PCAP_MAGICS:
        raise CaptureError(
            "not a pcap or pcapng file (its magic number is missing: a capture that grew "
            "since the last scan cannot be continued from the middle)"
        )
    endian, divisor = PCAP_MAGICS[magic]
    rest = f.read(20)
    if len(rest) < 20:
        raise CaptureError("pcap header cut short")
    link = struct.unpack(endian + "I", rest[16:20])[0] & 0x0FFFFFFF
    rec = struct.Struct(endian + "IIII")
    while True:
        hdr = f.read(16)
        if not hdr:
            return
        if len(hdr) < 16:
            yield 0.0, link, b"", False
            return
        sec, frac, caplen, _ = rec.unpack(hdr)
        buf = f.read(caplen)
        yield sec + frac / divisor, link, buf, len(buf) == caplen


def _ip_of(link: int, frame: bytes) -> Any:
    """The IPv4/IPv6 packet in a frame of this link type, or None."""
    if link == 1:  # Ethernet (VLAN tags handled by dpkt)
        eth = dpkt.ethernet.Ethernet(frame)
        data = eth.data
    elif link == 113:  # Linux cooked (SLL)
        data = dpkt.sll.SLL(frame).data
    elif link == 276:  # Linux cooked v2 (SLL2)
        data = dpkt.sll2.SLL2(frame).data
    elif link in (0, 108):  # BSD loopback / OpenBSD loop
        data = dpkt.loopback.Loopback(frame).data
    elif link in (12, 14, 101, 228, 229):  # raw IP
        data = dpkt.ip6.IP6(frame) if frame[:1] and frame[0] >> 4 == 6 else dpkt.ip.IP(frame)
    else:
        return None
    return data if isinstance(data, (dpkt.ip.IP, dpkt.ip6.IP6)) else None


def _addr(ip: Any, which: str) -> str:
    import socket

    raw = getattr(ip, which)
    return socket.inet_ntop(socket.AF_INET6 if len(raw) == 16 else socket.AF_INET, raw)


class Decoder:
    """Packets in, rows out; keeps the per-connection state (TLS records, QUIC CRYPTO frames,
    DNS queries seen) a capture needs."""

    def __init__(self) -> None:
        self.rows = Rows()
        self.tls: dict[tuple[str, int, str, int], RecordStream] = {}
        self.quic: dict[tuple[str, int, str, int, bytes], CryptoStream] = {}
        self.http: dict[tuple[str, int, str, int], bytes] = {}
        self.queries: set[tuple[str, str, int, str]] = set()
        self.closed: set[tuple[str, int, str, int]] = set()  # TCP flows whose first bytes were read

    def packet(self, n: int, ts: float, link: int, frame: bytes) -> None:
        before = self.rows.count
        try:
            ip = _ip_of(link, frame)
        except (dpkt.dpkt.UnpackError, dpkt.dpkt.NeedData, struct.error, IndexError):
            self.rows.add(n, ts, None, None, None, "bad", "truncated or malformed link/IP header")
            return
        if ip is None:
            self.rows.add(
                n,
                ts,
                None,
                None,
                None,
                "skip",
                f"link type {link} or not IP"
                if link not in (0, 1, 12, 14, 101, 108, 113, 228, 229, 276)
                else "not an IP packet",
            )
            return
        src, dst = _addr(ip, "src"), _addr(ip, "dst")
        l4 = ip.data
        if isinstance(l4, dpkt.udp.UDP):
            payload = bytes(l4.data)
            if l4.sport in DNS_PORTS or l4.dport in DNS_PORTS:
                self._dns(n, ts, src, dst, payload)
            elif l4.dport == 443 or l4.sport == 443 or (payload[:1] and payload[0] & 0xC0 == 0xC0):
                self._quic(n, ts, src, l4.sport, dst, l4.dport, payload)
        elif isinstance(l4, dpkt.tcp.TCP):
            payload = bytes(l4.data)
            if payload and (l4.sport == 53 or l4.dport == 53):
                self._dns_tcp(n, ts, src, dst, payload)
            elif payload:
                self._tcp(n, ts, (src, l4.sport, dst, l4.dport), payload)
        if self.rows.count == before:
            self.rows.add(n, ts, None, None, None, "skip", NO_NAME)

    def _dns(self, n: int, ts: float, src: str, dst: str, payload: bytes) -> None:
        try:
            ident, response, names = questions(payload)
        except BadMessage as e:
            self.rows.add(n, ts, None, None, None, "bad", str(e))
            return
        client, server = (dst, src) if response else (src, dst)
        for name in names:
            key = (client, server, ident, name.lower())
            if not response:
                self.queries.add(key)
                self.rows.add(n, ts, client, name, "dns")
            elif key in self.queries:
                self.rows.add(n, ts, None, None, None, "skip", "DNS response to a query already counted")
            else:
                self.rows.add(n, ts, client, name, "dns-response")

    def _dns_tcp(self, n: int, ts: float, src: str, dst: str, payload: bytes) -> None:
        pos = 0
        while pos + 2 <= len(payload):
            size = int.from_bytes(payload[pos : pos + 2], "big")
            if pos + 2 + size > len(payload):
                break  # continues in the next segment (not reassembled)
            self._dns(n, ts, src, dst, payload[pos + 2 : pos + 2 + size])
            pos += 2 + size

    def _quic(self, n: int, ts: float, src: str, sport: int, dst: str, dport: int, payload: bytes) -> None:
        try:
            packets = quic.open_initials(payload)
        except quic.NotInitial:
            return
        for dcid, frames in packets:
            stream = self.quic.setdefault((src, sport, dst, dport, dcid), quic.CryptoStream())
            for offset, data in frames:
                try:
                    sni = stream.add(offset, data)
                except BadHello as e:
                    stream.done = True
                    self.rows.add(n, ts, None, None, None, "bad", f"QUIC ClientHello: {e}")
                    return
                if sni:
                    self.rows.add(n, ts, src, sni, "quic-sni")

    def _tcp(self, n: int, ts: float, flow: tuple[str, int, str, int], payload: bytes) -> None:
        if flow in self.tls:
            self._tls(n, ts, flow, payload)
        elif flow in self.http:
            self._http(n, ts, flow, payload)
        elif payload[0] == 0x16 and payload[1:2] == b"\x03" and len(payload) > 5 and payload[5] == 1:
            self.tls[flow] = RecordStream()
            self._tls(n, ts, flow, payload)
        elif HTTP_METHODS.match(payload):
            self.http[flow] = b""
            self._http(n, ts, flow, payload)

    def _tls(self, n: int, ts: float, flow: tuple[str, int, str, int], payload: bytes) -> None:
        try:
            hello = self.tls[flow].add(payload)
            if hello is None:
                return
            del self.tls[flow]
            sni = client_hello_sni(hello)
        except BadHello as e:
            self.tls.pop(flow, None)
            self.rows.add(n, ts, None, None, None, "bad", f"TLS ClientHello: {e}")
            return
        if sni:
            self.rows.add(n, ts, flow[0], sni, "tls-sni")

    def _http(self, n: int, ts: float, flow: tuple[str, int, str, int], payload: bytes) -> None:
        buf = self.http[flow] + payload
        while buf:
            if not HTTP_METHODS.match(buf):
                buf = b""  # a body or a later request in another segment: Host is read from request heads
                break
            end = buf.find(b"\r\n\r\n")
            if end < 0:
                if len(buf) > 65536:
                    self.rows.add(n, ts, None, None, None, "bad", "HTTP request head longer than 64 KiB")
                    buf = b""
                break
            head = buf[: end + 2]
            m = HOST_HEADER.search(head)
            if m and m.group(1).strip():
                host = m.group(1).strip().decode("latin-1")
                host = host.rsplit(":", 1)[0] if re.fullmatch(r"[^:\[\]]+:\d+", host) else host
                self.rows.add(n, ts, flow[0], host.strip("[]") if host.startswith("[") else host, "http-host")
            buf = buf[end + 4 :]
        if buf:
            self.http[flow] = buf
        else:
            self.http[flow] = b""


class PacketCapture(BinaryFormat):
    name: ClassVar[str] = "pcap"
    title: ClassVar[str] = "Packet capture (pcap, pcapng): DNS queries, TLS and QUIC SNI, HTTP Host"
    kind = "dns"

    @staticmethod
    def matches_head(head: bytes) -> bool:
        return head[:4] in PCAP_MAGICS or (head[:4] == PCAPNG_MAGIC and len(head) >= 12)

    def compile_duckdb(
        self, path: Path, compression: Compression, mtime: dt.datetime, con: Any
    ) -> tuple[str, int]:
        decoder = Decoder()
        with open_decompressed(path, compression) as f:
            n = 0
            for n, (ts, link, frame, whole) in enumerate(_packets(f), start=1):
                if not whole:
                    decoder.rows.add(n, ts or None, None, None, None, "bad", "packet record cut short")
                    continue
                decoder.packet(n, ts, link, frame)
        return rows_query(con, ROWS_TABLE, decoder.rows, "'packet ' || n"), 0
