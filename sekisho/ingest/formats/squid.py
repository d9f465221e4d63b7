"""Squid access.log: the native ``squid`` format and the built-in ``combined`` format.

The destination host comes from the URL (``http://host:port/…``) or, for CONNECT, ``host:port``.
Requests that never named a destination (``NONE_NONE/400 … error:invalid-request``, origin-form
``GET /path``) are recognised and skipped. ``bytes_in`` is the size of the reply to the client.
"""

from __future__ import annotations

from sekisho.ingest.base import LineRegexFormat, Timestamp

# URL → host: scheme://[user@]host[:port]/…  |  host:port (CONNECT)
# An IPv6 literal is captured without its brackets (``http://[2001:db8::5]/`` → ``2001:db8::5``), the
# way clients and other formats write an address. Groups: URL [v6], URL host, CONNECT [v6], CONNECT host.
_HOST = r"(?:\[([0-9A-Fa-f:.]+)\]|([^/:? \[\]]+))"
_URL = r"(?:[A-Za-z][A-Za-z0-9+.-]*://(?:[^/@ ]*@)?" + _HOST + r"(?::\d+)?\S*|" + _HOST + r":\d+)"


class SquidNative(LineRegexFormat):
    name = "squid"
    title = "Squid access.log (native format)"
    kind = "proxy"
    signature = (r"^\d{9,10}\.\d{3}\s+\d+ \S+ [A-Z_]+/\d{3} \d+ ",)
    signature_lines = 2
    priority = 30
    pattern = r"^(\d{9,10}\.\d+)\s+\d+ (\S+) ([A-Z_]+/\d{3}) (\d+) (\S+) " + _URL + r" "
    groups = ("ts", "client", "status", "bytes_in", "method", "name", "name_2", "name_3", "name_4")
    skip = r"^\d{9,10}\.\d+\s+\d+ \S+ [A-Z_]+/\d{3} \d+ \S+ (?:error:|/|-)"
    timestamp = Timestamp("epoch")


class SquidCombined(LineRegexFormat):
    name = "squid-combined"
    title = "Squid access.log (combined format)"
    kind = "proxy"
    signature = (
        r'^\S+ \S+ \S+ \[\d\d/\w{3}/\d{4}:\d\d:\d\d:\d\d [+-]\d{4}\] "[A-Z]+ \S+ [^"]*" \d{3} \d+ .* [A-Z_]+:[A-Z_]+$',
    )
    signature_lines = 2
    priority = 35
    pattern = (
        r'^(\S+) \S+ \S+ \[(\d\d/\w{3}/\d{4}:\d\d:\d\d:\d\d [+-]\d{4})\] "([A-Z]+) '
        + _URL
        + r' [^"]*" (\d{3}) (\d+) '
    )
    groups = ("client", "ts", "method", "name", "name_2", "name_3", "name_4", "status", "bytes_in")
    skip = r'^\S+ \S+ \S+ \[[^\]]+\] "(?:-|[A-Z]+ (?:/|error:))'
    timestamp = Timestamp("strptime", "%d/%b/%Y:%H:%M:%S %z")
