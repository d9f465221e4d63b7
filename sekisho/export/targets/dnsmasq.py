"""dnsmasq: ``address=/name/#`` answers 0.0.0.0 and :: for the name and everything under it;
``server=/name/#`` sends an allowed name under a blocked one to the normal upstream servers."""

from __future__ import annotations

from sekisho.export.base import Target


class Dnsmasq(Target):
    name = "dnsmasq"
    summary = "dnsmasq conf-file (address=/name/# → 0.0.0.0 and :: for the name and its subdomains)"
    suffix = ".conf"
    exceptions = True
    block = "address=/{name}/#"
    allow = "server=/{name}/#"
    grammar = ("(?:address|server)=/{N}/#",)
