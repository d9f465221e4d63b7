"""memcached: ``stats`` (version, items, bytes)."""

from __future__ import annotations

from typing import ClassVar

from sekisho.exposure.probe import Extract, Match, Probe, Step


class Memcached(Probe):
    id: ClassVar[str] = "memcached"
    title: ClassVar[str] = "memcached"
    title_ja: ClassVar[str] = "memcached"
    ports: ClassVar[tuple[int, ...]] = (11211,)
    transport: ClassVar = "tcp"
    references: ClassVar[tuple[str, ...]] = ("https://github.com/memcached/memcached/wiki/SASLAuthProtocol",)
    steps: ClassVar[tuple[Step, ...]] = (
        Step(
            send=b"stats\r\n",
            identify=(Match(regex=r"^STAT pid \d+"), Match(regex=r"^CLIENT_ERROR unauthenticated")),
            auth=(Match(regex=r"^CLIENT_ERROR unauthenticated"),),
            data=(Match(regex=r"^STAT curr_items \d+"),),
            extract=(
                Extract("version", regex=r"^STAT version (\S+)"),
                Extract("records", regex=r"^STAT curr_items (\d+)"),
                Extract("bytes", regex=r"^STAT bytes (\d+)"),
            ),
        ),
    )

    @staticmethod
    def complete(buf: bytes) -> bool:
        return buf.endswith(b"END\r\n") or (
            buf.startswith((b"CLIENT_ERROR", b"ERROR", b"SERVER_ERROR")) and buf.endswith(b"\r\n")
        )
