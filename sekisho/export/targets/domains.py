"""Plain domain list: one name a line, every name listed (consumers differ on subdomains)."""

from __future__ import annotations

from sekisho.export.base import Target


class Domains(Target):
    name = "domains"
    summary = "plain list of names, one a line (Pi-hole adlists, firewall and proxy name lists)"
    subdomains = False
    block = "{name}"
    grammar = ("{N}",)
    notes = (
        "every blocked name is listed, including names under another blocked name, because some "
        "consumers (Pi-hole) match exact names and others match suffixes",
    )
