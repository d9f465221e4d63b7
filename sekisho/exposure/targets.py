"""Targets the user lists: ``host``, ``host:port``, ``[v6]:port``, a CIDR (refused above /22
unless asked), or a file of those (``@file`` or a path), one a line, ``#`` comments. Names are
resolved once, here, so the engine connects only to addresses the user's names gave."""

from __future__ import annotations

import ipaddress
import socket
from pathlib import Path

from sekisho.errors import Location, SekishoError

MAX_HOSTS_PREFIX = 22  # a /22 is 1,022 hosts


class TargetError(SekishoError):
    pass


def parse_ports(text: str | None) -> list[int]:
    if not text:
        return []
    out: list[int] = []
    for part in text.split(","):
        part = part.strip()
        if not part:
            continue
        if "-" in part:
            a, b = (int(x) for x in part.split("-", 1))
            if not 0 < a <= b < 65536 or b - a > 1024:
                raise TargetError(f"bad port range {part!r}")
            out.extend(range(a, b + 1))
        elif part.isdigit() and 0 < int(part) < 65536:
            out.append(int(part))
        else:
            raise TargetError(f"bad port {part!r}")
    return list(dict.fromkeys(out))


def _split(item: str) -> tuple[str, int | None]:
    if item.startswith("["):
        host, _, rest = item[1:].partition("]")
        return host, int(rest[1:]) if rest.startswith(":") and rest[1:].isdigit() else None
    if item.count(":") == 1:
        host, port = item.split(":")
        if not port.isdigit() or not 0 < int(port) < 65536:
            raise TargetError(f"bad port in {item!r}")
        return host, int(port)
    return item, None


def expand(
    items: list[str], ports: list[int], default_ports: list[int], allow_large: bool = False
) -> list[tuple[str, int]]:
    """Every (address, port) to check, in the order given."""
    out: list[tuple[str, int]] = []
    for raw in items:
        item = raw.strip()
        if not item or item.startswith("#"):
            continue
        path = Path(item[1:] if item.startswith("@") else item)
        if item.startswith("@") or ("/" in item and path.is_file()):
            out.extend(_expand_file(path, ports, default_ports, allow_large))
            continue
        host, port = _split(item)
        wanted = [port] if port is not None else (ports or default_ports)
        if "/" in host:
            try:
                net = ipaddress.ip_network(host, strict=False)
            except ValueError as e:
                raise TargetError(f"bad network {item!r}: {e}") from None
            limit = MAX_HOSTS_PREFIX if net.version == 4 else 128 - 10
            if net.prefixlen < limit and not allow_large:
                raise TargetError(
                    f"{item}: {net.num_addresses} addresses is more than a /{MAX_HOSTS_PREFIX}; "
                    "list smaller networks or pass --yes"
                )
            hosts = [str(a) for a in (net.hosts() if net.num_addresses > 2 else net)]
            out.extend((h, p) for h in hosts for p in wanted)
            continue
        out.extend((a, p) for a in resolve(host) for p in wanted)
    return list(dict.fromkeys(out))


def _expand_file(
    path: Path, ports: list[int], default_ports: list[int], allow_large: bool
) -> list[tuple[str, int]]:
    """Every line of a targets file; every bad line is named (``file:line: reason``) and the check
    does not start — a target the user listed is never dropped silently."""
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as e:
        raise TargetError(f"{path}: cannot read the targets file ({e})") from None
    out: list[tuple[str, int]] = []
    problems: list[str] = []
    for number, raw in enumerate(text.splitlines(), 1):
        line = raw.split("#", 1)[0].strip()
        if not line:
            continue
        try:
            out.extend(expand([line], ports, default_ports, allow_large))
        except TargetError as e:
            problems.append(str(Location(str(path), number)) + f": {e}")
    if problems:
        shown = "\n".join(problems[:20]) + (
            f"\n… and {len(problems) - 20} more" if len(problems) > 20 else ""
        )
        raise TargetError(f"{len(problems)} bad line(s) in the targets file, nothing checked:\n{shown}")
    return out


def resolve(host: str) -> list[str]:
    try:
        return [str(ipaddress.ip_address(host))]
    except ValueError:
        pass
    try:
        infos = socket.getaddrinfo(host, None, proto=socket.IPPROTO_TCP)
    except socket.gaierror as e:
        raise TargetError(f"{host}: cannot resolve ({e.strerror})") from None
    return list(dict.fromkeys(str(i[4][0]) for i in infos))
