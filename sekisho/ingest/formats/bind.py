"""BIND 9 query log (``querylog yes``), with or without ``print-time``/``print-category``/``print-severity``.

``client @0x… 10.0.0.5#53000 (name): [view v: ]query: name IN A +E(0)K (server)``; a TSIG-signed
query names its key after the port (``10.0.0.5#53000/key tsig-key (name)``); ``print-category``
adds ``queries: `` (and ``print-severity`` ``info: ``). Without print-time the line has no time of
its own: the envelope's (syslog, journald) or else the file's modification time is used.

Lines of BIND's other categories and messages (zone loads, transfers, RPZ rewrites, resolver and
query-error messages, start-up) are *skipped*, each with its reason, not counted as malformed.
"""

from __future__ import annotations

from sekisho.ingest.base import LineRegexFormat, Timestamp

_TIME = r"(?:(\d\d-\w{3}-\d{4} \d\d:\d\d:\d\d\.\d+) )?"
_TIME_NC = r"(?:\d\d-\w{3}-\d{4} \d\d:\d\d:\d\d\.\d+ )?"
_CLIENT = r"client (?:@0x[0-9a-fA-F]+ )?([0-9A-Fa-f:.]+)#\d+(?:/key \S+)? \(\S+\): (?:view \S+: )?"
_CAT = r"(?:[a-z-]+: (?:(?:info|notice|warning|error|critical|debug(?: \d+)?|dynamic): )?)?"


def _skip(reason: str, body: str) -> tuple[str, str]:
    return reason, "^" + _TIME_NC + _CAT + body


class BindQuerylog(LineRegexFormat):
    name = "bind"
    title = "BIND 9 query log"
    kind = "dns"
    signature = (
        r"client (?:@0x[0-9a-f]+ )?[0-9A-Fa-f:.]+#\d+(?:/key \S+)? \(\S+\): (?:view \S+: )?query: ",
        r"^\d\d-\w{3}-\d{4} \d\d:\d\d:\d\d\.\d+ [a-z-]+: [a-z]+: ",
        r"^(?:general: (?:\w+: )?)?starting BIND \d",  # named's first message (journalctl -o cat)
    )
    signature_lines = 1
    priority = 30
    programs = ("named",)
    pattern = "^" + _TIME + r"(?:queries: (?:info: )?)?" + _CLIENT + r"query: (\S+) (\S+) (\S+)(?: |$)"
    groups = ("ts", "client", "name", "qclass", "qtype")
    skips = (
        _skip("BIND query error (the query itself is logged apart)", r"client .*query failed"),
        _skip("BIND zone transfer", r"(?:client .*)?(?:transfer of|AXFR|IXFR|zone transfer)"),
        _skip("BIND RPZ rewrite", r"(?:client .*)?rpz "),
        _skip("BIND dynamic update / notify", r"client .*(?:update|notify|signer)"),
        _skip(
            "BIND zone load or maintenance",
            r"(?:managed-keys-zone|zone \S+|automatic empty zone|all zones loaded)",
        ),
        _skip(
            "BIND resolver message",
            r"(?:lame server|.*resolving|.*(?:timed out|unreachable|FORMERR|broken trust|validating|"
            r"no valid (?:RRSIG|DS|signature))|resolver priming|DNS format error|success resolving)",
        ),
        (
            "BIND message of another category",
            "^" + _TIME_NC + r"[a-z-]+: (?:info|notice|warning|error|critical|debug(?: \d+)?|dynamic): ",
        ),
        (
            "BIND server message (start-up, shutdown, configuration)",
            r"^(?:starting BIND|running|built with|compiled |linked to|-{10,}|BIND 9 is|Inc\. \(ISC\)|"
            r"corporation\.|available at|found \d+ CPU|using |DNSSEC algorithms|DS algorithms|"
            r"HMAC algorithms|TKEY mode|the (?:initial )?working directory|loading configuration|"
            r"reading built-in|looking for GeoIP|(?:no longer )?listening on|generating session key|"
            r"sizing zone|set up managed keys|configuring command channel|open: |command channel|"
            r"stopping command channel|shutting down|exiting|reloading|received control channel|"
            r"max open files|adjusted limit|couldn't |none:\d+)",
        ),
    )
    # any other line with BIND's own time (another category: general, network, config …)
    skip = r"^\d\d-\w{3}-\d{4} \d\d:\d\d:\d\d\.\d+ "
    timestamp = Timestamp("strptime", "%d-%b-%Y %H:%M:%S.%g", optional=True)
