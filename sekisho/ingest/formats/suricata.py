"""Suricata EVE JSON: dns queries (eve v1 ``rrname``, v2/v3 ``queries[]``), TLS SNI, HTTP host."""

from __future__ import annotations

from sekisho.ingest.base import JsonLinesFormat, Timestamp


class SuricataEve(JsonLinesFormat):
    name = "suricata-eve"
    title = "Suricata eve.json (dns, tls, http events)"
    kind = "dns"
    signature = (r'"event_type"\s*:\s*"',)
    signature_lines = 1
    priority = 15
    programs = ("suricata",)  # eve to syslog (filetype: syslog): "suricata[pid]: {…}"
    timestamp = Timestamp("iso")
    paths = {
        "ts": ("timestamp",),
        "client": ("src_ip",),
        "name": ("dns/rrname", "$.dns.queries[0].rrname", "tls/sni", "http/hostname"),
        "status": ("dns/rcode", "http/status"),
        "bytes_in": ("http/length",),
    }
    # dns answers (v1 "answer", v2/v3 "response") would count a query twice: only requests count.
    where = {"event_type": ("dns", "tls", "http"), "dns/type": ("query", "request", None)}
