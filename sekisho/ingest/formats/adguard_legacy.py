"""AdGuard Home's query log before v0.99.3 (``querylog.json`` written until October 2019).

One JSON object per line: ``Question`` is the packed DNS request in base64 (Go's ``[]byte``),
``Answer`` the packed response, ``Result`` the filtering result, ``Time`` an RFC 3339 time with
its offset, ``Elapsed`` nanoseconds, ``IP`` the client, ``Upstream``. The layout is the one
AdGuard Home's own reader still decodes for compatibility (``querylog/decode.go``, the
``"Question"`` case marked "pre-v0.99.3 compatibility", in AdguardTeam/AdGuardHome since commit
2f5d6593, 2019-10-24, which changed the on-disk format to ``T``/``QH``/``QT``). The name is taken
from the message's first question inside DuckDB (:mod:`sekisho.ingest.wire`).
"""

from __future__ import annotations

from sekisho.ingest.base import JsonLinesFormat, Timestamp


class AdGuardLegacyQuerylog(JsonLinesFormat):
    name = "adguard-legacy"
    title = "AdGuard Home querylog.json, layout before v0.99.3 (Question/Time)"
    kind = "dns"
    signature = (r'^\{"Question":"[A-Za-z0-9+/=]*",.*"Time":"',)
    signature_lines = 1
    priority = 15
    timestamp = Timestamp("iso")
    paths = {"ts": ("Time",), "client": ("IP",), "name": ("Question",), "status": ("Result/Reason",)}
    decode = {"name": "dns-question-base64"}
