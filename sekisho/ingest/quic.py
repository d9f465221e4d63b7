"""The server name in a QUIC client Initial (RFC 9000 §17.2.2, RFC 9001 §5).

A client's first Initial packets are protected with keys anyone can derive from the Destination
Connection ID the client chose (RFC 9001 §5.2): the point is obfuscation, not secrecy, so a passive
observer (tshark, Zeek, a firewall) reads the ClientHello and its SNI. The key schedule is HKDF
(RFC 5869) over SHA-256 with TLS 1.3's ``HKDF-Expand-Label``; header protection is AES-128-ECB on a
sample, the payload AES-128-GCM — all from the ``cryptography`` package, nothing hand-rolled.
QUIC version 1 (RFC 9000) and version 2 (RFC 9369) are read; other versions are skipped.
"""

from __future__ import annotations

import struct
from dataclasses import dataclass, field

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes, hmac
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDFExpand

from sekisho.ingest.tls import client_hello_sni

# version → (initial salt, label prefix, long-header type of an Initial)
VERSIONS: dict[int, tuple[bytes, str, int]] = {
    0x00000001: (bytes.fromhex("38762cf7f55934b34d179ae6a4c80cadccbb7f0a"), "quic ", 0),  # RFC 9001 §5.2
    0x6B3343CF: (bytes.fromhex("0dede3def700a6db819381be6e269dcbf9bd2ed9"), "quicv2 ", 1),  # RFC 9369 §3.3.1
}


class NotInitial(Exception):
    """Not a client Initial this module can open (a server's, another version, a short header)."""


def _expand_label(secret: bytes, label: str, length: int) -> bytes:
    full = b"tls13 " + label.encode()
    info = struct.pack("!HB", length, len(full)) + full + b"\x00"
    return HKDFExpand(hashes.SHA256(), length, info).derive(secret)


@dataclass(frozen=True)
class Keys:
    key: bytes
    iv: bytes
    hp: bytes


def client_keys(dcid: bytes, version: int = 1) -> Keys:
    salt, prefix, _ = VERSIONS[version]
    h = hmac.HMAC(salt, hashes.SHA256())  # HKDF-Extract(salt, IKM) is HMAC(salt, IKM)
    h.update(dcid)
    initial = h.finalize()
    client = _expand_label(initial, "client in", 32)
    return Keys(
        _expand_label(client, prefix + "key", 16),
        _expand_label(client, prefix + "iv", 12),
        _expand_label(client, prefix + "hp", 16),
    )


def _varint(buf: bytes, pos: int) -> tuple[int, int]:
    if pos >= len(buf):
        raise NotInitial("truncated")
    first = buf[pos]
    size = 1 << (first >> 6)
    if pos + size > len(buf):
        raise NotInitial("truncated")
    value = first & 0x3F
    for b in buf[pos + 1 : pos + size]:
        value = (value << 8) | b
    return value, pos + size


def open_initials(datagram: bytes) -> list[tuple[bytes, list[tuple[int, bytes]]]]:
    """The CRYPTO frames (offset, data) of each client Initial packet in a UDP datagram (packets
    may be coalesced), with the packet's Destination Connection ID. Raises :class:`NotInitial`
    when the first packet is not one (the datagram is then no client Initial)."""
    out: list[tuple[bytes, list[tuple[int, bytes]]]] = []
    pos = 0
    while pos < len(datagram):
        if datagram[pos] == 0:  # padding after the last packet
            break
        try:
            dcid, frames, pos = _open_one(datagram, pos)
        except NotInitial:
            if out:
                break  # a Handshake or 0-RTT packet after the Initial
            raise
        out.append((dcid, frames))
    return out


def _open_one(buf: bytes, start: int) -> tuple[bytes, list[tuple[int, bytes]], int]:
    first = buf[start]
    if not first & 0x80 or len(buf) < start + 7:
        raise NotInitial("short header")
    version = struct.unpack_from("!I", buf, start + 1)[0]
    if version not in VERSIONS:
        raise NotInitial(f"version {version:#x}")
    if (first & 0x30) >> 4 != VERSIONS[version][2]:
        raise NotInitial("not an Initial")
    pos = start + 5
    dlen = buf[pos]
    dcid = buf[pos + 1 : pos + 1 + dlen]
    pos += 1 + dlen
    if pos >= len(buf):
        raise NotInitial("truncated")
    pos += 1 + buf[pos]  # source connection ID
    token_len, pos = _varint(buf, pos)
    pos += token_len
    length, pn_offset = _varint(buf, pos)
    end = pn_offset + length
    if end > len(buf) or length < 20:
        raise NotInitial("truncated")
    keys = client_keys(dcid, version)
    sample = buf[pn_offset + 4 : pn_offset + 20]
    # RFC 9001 §5.4.3: header protection is AES-ECB of one 16-byte sample, by definition
    enc = Cipher(algorithms.AES(keys.hp), modes.ECB()).encryptor()  # noqa: S305
    mask = enc.update(sample) + enc.finalize()
    header = bytearray(buf[start : pn_offset + 4])
    header[0] ^= mask[0] & 0x0F
    pn_len = (header[0] & 0x03) + 1
    rel = pn_offset - start
    for i in range(pn_len):
        header[rel + i] ^= mask[1 + i]
    header = header[: rel + pn_len]
    pn = int.from_bytes(header[rel:], "big")
    nonce = bytes(a ^ b for a, b in zip(keys.iv, pn.to_bytes(12, "big"), strict=True))
    try:
        plain = AESGCM(keys.key).decrypt(nonce, buf[pn_offset + pn_len : end], bytes(header))
    except InvalidTag:
        raise NotInitial("not a client Initial (does not open with the client's keys)") from None
    return dcid, _crypto_frames(plain), end


def _crypto_frames(plain: bytes) -> list[tuple[int, bytes]]:
    frames: list[tuple[int, bytes]] = []
    pos = 0
    while pos < len(plain):
        ftype, pos = _varint(plain, pos)
        if ftype == 0x00 or ftype == 0x01:  # PADDING, PING
            continue
        if ftype in (0x02, 0x03):  # ACK
            _, pos = _varint(plain, pos)
            _, pos = _varint(plain, pos)
            count, pos = _varint(plain, pos)
            _, pos = _varint(plain, pos)
            for _ in range(2 * count + (3 if ftype == 0x03 else 0)):
                _, pos = _varint(plain, pos)
        elif ftype == 0x06:  # CRYPTO
            offset, pos = _varint(plain, pos)
            n, pos = _varint(plain, pos)
            frames.append((offset, plain[pos : pos + n]))
            pos += n
        elif ftype == 0x1C:  # CONNECTION_CLOSE
            _, pos = _varint(plain, pos)
            _, pos = _varint(plain, pos)
            n, pos = _varint(plain, pos)
            pos += n
        else:
            break  # no other frame may be in an Initial (RFC 9000 §12.4)
    return frames


@dataclass
class CryptoStream:
    """The client's CRYPTO bytes of one connection, reassembled by offset."""

    chunks: dict[int, bytes] = field(default_factory=dict)
    done: bool = False

    def add(self, offset: int, data: bytes) -> str | None:
        """Add a frame; the SNI once the ClientHello is whole ('' when it names none)."""
        if self.done or offset > 65536:
            return None
        self.chunks[offset] = data
        stream = b""
        for off in sorted(self.chunks):
            if off > len(stream):
                return None
            stream = stream[:off] + self.chunks[off] if off + len(self.chunks[off]) > len(stream) else stream
        if len(stream) < 4:
            return None
        if stream[0] != 1:
            self.done = True
            return ""
        need = 4 + int.from_bytes(stream[1:4], "big")
        if len(stream) < need:
            return None
        self.done = True
        return client_hello_sni(stream[:need]) or ""
