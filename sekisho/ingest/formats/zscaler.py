"""Zscaler Internet Access NSS feeds in the JSON output format Zscaler documents for SIEMs (the
Splunk/Sentinel feed): one object a line, ``{"sourcetype": "zscalernss-web" | "zscalernss-dns",
"event": {…}}``, or the bare ``event`` object.

Web feed: ``hostname`` (``%s{ehost}``) for ``ClientIP`` (``%s{cip}``), ``status``, ``requestsize``/
``responsesize``. DNS feed: ``dns_req`` (``%s{req}``) for ``clt_sip`` (``%s{cip}``). ``datetime``
(``%s{time}``, ``Mon Jun 20 15:29:11 2022``) is in the feed's configured time zone (set it to GMT).
An NSS feed's fields are the administrator's choice: a feed without these keys is read with
``--format csv --map``.
"""

from __future__ import annotations

from sekisho.ingest.base import JsonLinesFormat, Timestamp


class ZscalerNss(JsonLinesFormat):
    name = "zscaler-nss"
    title = "Zscaler NSS web and DNS feeds (JSON)"
    kind = "proxy"
    signature = (r'"sourcetype"\s*:\s*"zscalernss-(?:web|dns)"', r'"vendor"\s*:\s*"Zscaler"')
    signature_lines = 1
    priority = 16
    timestamp = Timestamp("strptime", "%a %b %d %H:%M:%S %Y")
    paths = {
        "ts": ("event/datetime", "datetime"),
        "client": ("event/ClientIP", "event/clt_sip", "ClientIP", "clt_sip"),
        "name": ("event/hostname", "event/dns_req", "hostname", "dns_req"),
        "status": ("event/status", "event/resaction", "status", "resaction"),
        "bytes_out": ("event/requestsize", "requestsize"),
        "bytes_in": ("event/responsesize", "responsesize"),
    }
    where = {"sourcetype": ("zscalernss-web", "zscalernss-dns", None)}
