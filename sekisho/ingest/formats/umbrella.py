"""Cisco Umbrella DNS logs (the S3 log export, CSV with every value quoted), by Umbrella's
documented field order::

    "Timestamp","Most Granular Identity","Identities","Internal Ip","External Ip","Action",
    "QueryType","ResponseCode","Domain","Categories"[,"Most Granular Identity Type",
    "Identity Types","Blocked Categories", …]

``Timestamp`` is UTC (``2015-01-16 17:48:41``); the client is the internal address; the domain
has a trailing dot. Log versions that add columns at the end are read the same way. Umbrella's own
examples ("DNS Log Formats") put a space after some commas (``"ActiveDirectoryUserName",
"ActiveDirectoryUserName,ADSite,Network", "10.10.1.100"``): spaces before a field are allowed.
"""

from __future__ import annotations

from sekisho.ingest.csvline import PositionalCsvFormat


class UmbrellaDns(PositionalCsvFormat):
    name = "umbrella-dns"
    title = "Cisco Umbrella DNS log (S3 export CSV)"
    kind = "dns"
    priority = 20
    record = (
        r'^("\d{4}-\d\d-\d\d \d\d:\d\d:\d\d", *"[^"]*", *"[^"]*", *"[0-9A-Fa-f:.]*", *"[0-9A-Fa-f:.]*",'
        r' *"(?:Allowed|Blocked)", *"[^"]*", *"[^"]*", *"[^"]*".*)$'
    )
    field = r' *("(?:[^"]|"")*"|[^,]*)(?:,|$)'
    columns = {"ts": 0, "client": 3, "name": 8, "status": 5}
    min_fields = 9
    ts_formats = ("%Y-%m-%d %H:%M:%S",)
