"""Zscaler Internet Access NSS feeds in JSON, one object a line, ``{"sourcetype": "zscalernss-web"
| "zscalernss-dns", "event": {…}}``, or the bare ``event`` object. An NSS feed's keys are the
administrator's choice (the Feed Output Format); the SIEM integrations publish theirs:

- web, Splunk's keys: ``hostname`` (``%s{ehost}``) for ``ClientIP`` (``%s{cip}``), ``status``,
  ``requestsize``/``responsesize``, ``datetime``;
- web, Elastic's keys (NSS's own field names): ``time`` (``%s{time}``, ``Mon Oct 16 22:55:48
  2023``), ``cip`` or ``cltip``, ``host`` or else the host of ``eurl`` (``www.example.com:443``),
  ``reqsize``/``respsize``, ``respcode``;
- DNS: ``dns_req`` (``%s{req}``) for ``clt_sip`` (``%s{cip}``), ``datetime``.

The time is in the feed's configured time zone (set it to GMT). A feed without these keys is read
with ``--format csv --map``.
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
        "ts": ("event/datetime", "event/time", "datetime", "time"),
        "client": (
            "event/ClientIP",
            "event/clt_sip",
            "event/cip",
            "event/cltip",
            "ClientIP",
            "clt_sip",
            "cip",
        ),
        "name": (
            "event/hostname",
            "event/host",
            "event/dns_req",
            "event/eurl",
            "hostname",
            "host",
            "dns_req",
            "eurl",
        ),
        "status": ("event/status", "event/resaction", "event/respcode", "status", "resaction", "respcode"),
        "bytes_out": ("event/requestsize", "event/reqsize", "requestsize", "reqsize"),
        "bytes_in": ("event/responsesize", "event/respsize", "responsesize", "respsize"),
    }
    decode = {"name": "url-host"}
    where = {"sourcetype": ("zscalernss-web", "zscalernss-dns", None)}
