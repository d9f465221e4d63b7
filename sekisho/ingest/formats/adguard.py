"""AdGuard Home query log (``querylog.json``: one JSON object per line)."""

from __future__ import annotations

from sekisho.ingest.base import JsonLinesFormat, Timestamp


class AdGuardQuerylog(JsonLinesFormat):
    name = "adguard"
    title = "AdGuard Home querylog.json"
    kind = "dns"
    signature = (r'^\{"T":"[^"]+","QH":"',)
    signature_lines = 1
    priority = 15
    timestamp = Timestamp("iso")
    paths = {"ts": ("T",), "client": ("IP",), "name": ("QH",), "status": ("Result/Reason",)}
