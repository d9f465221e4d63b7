"""MikroTik RouterOS 7 script: static DNS entries answering NXDOMAIN for the name and its
subdomains. Importing it again first removes the entries an earlier import added."""

from __future__ import annotations

from sekisho.export.base import Target


class Mikrotik(Target):
    name = "mikrotik"
    summary = "RouterOS 7 script (/ip dns static type=NXDOMAIN match-subdomain=yes); /import it"
    suffix = ".rsc"
    prologue = '/ip dns static\nremove [find where comment="sekisho"]'
    block = 'add name={name} type=NXDOMAIN match-subdomain=yes comment="sekisho"'
    grammar = (
        "/ip dns static",
        r'remove \[find where comment="sekisho"\]',
        'add name={N} type=NXDOMAIN match-subdomain=yes comment="sekisho"',
    )
