"""Redis: ``INFO`` (version, mode, keys per database) and ``DBSIZE``. Sentinel is excluded."""

from __future__ import annotations

from typing import ClassVar

from sekisho.exposure.probe import Extract, Match, Probe, Step


def resp_complete(buf: bytes) -> bool:
    """One whole RESP reply: a line (``+``, ``-``, ``:``) or a bulk string of its stated length."""
    if not buf.endswith(b"\r\n"):
        return False
    if buf[:1] == b"$":
        head, _, rest = buf.partition(b"\r\n")
        try:
            size = int(head[1:])
        except ValueError:
            return True
        return size < 0 or len(rest) >= size + 2
    return True


class Redis(Probe):
    id: ClassVar[str] = "redis"
    title: ClassVar[str] = "Redis"
    title_ja: ClassVar[str] = "Redis"
    ports: ClassVar[tuple[int, ...]] = (6379,)
    transport: ClassVar = "tcp"
    references: ClassVar[tuple[str, ...]] = (
        "https://redis.io/docs/latest/operate/oss_and_stack/management/security/",
    )
    steps: ClassVar[tuple[Step, ...]] = (
        Step(
            send=b"INFO\r\n",
            identify=(Match(regex=r"^redis_version:"), Match(regex=r"^-(NOAUTH|DENIED)")),
            auth=(Match(regex=r"^-(NOAUTH|DENIED|ERR .*(password|AUTH))"),),
            exclude=(Match(regex=r"^redis_mode:sentinel"),),
            data=(Match(regex=r"^# Keyspace"),),
            extract=(
                Extract("version", regex=r"^redis_version:(\S+)"),
                Extract("mode", regex=r"^redis_mode:(\S+)"),
                Extract("collections", regex=r"^(db\d+):keys=", reduce="list"),
                Extract("records", regex=r"^db\d+:keys=(\d+)", reduce="sum"),
                Extract("used_memory", regex=r"^used_memory:(\d+)"),
            ),
        ),
        Step(
            send=b"DBSIZE\r\n",
            auth=(Match(regex=r"^-(NOAUTH|DENIED)"),),
            data=(Match(regex=r"^:\d+"),),
            extract=(Extract("dbsize", regex=r"^:(\d+)"),),
        ),
    )

    @staticmethod
    def complete(buf: bytes) -> bool:
        return resp_complete(buf)
