"""hosts file: ``0.0.0.0 name`` and ``:: name``. A hosts file matches exact names only."""

from __future__ import annotations

from sekisho.export.base import Target


class Hosts(Target):
    name = "hosts"
    summary = "hosts-file lines (0.0.0.0 and ::) for /etc/hosts, OpenWrt, Windows, Pi-hole"
    suffix = ".hosts"
    subdomains = False
    block = "0.0.0.0 {name}\n:: {name}"
    grammar = (r"(?:0\.0\.0\.0|::) {N}",)
