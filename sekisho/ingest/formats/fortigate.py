"""FortiGate (FortiOS 5.4–7.x) traffic, UTM (web filter, DNS filter, application control, IPS) and
DNS logs: ``key=value`` pairs, sent by syslog or exported from FortiAnalyzer/the GUI::

    date=2016-06-15 time=11:44:46 devname=Device_Name devid=FGTXXXX9999999999 logid=9999999999
    type=utm subtype=webfilter … srcip=1.2.3.11 … dstip=1.5.5.92 … hostname="4-edge-chat.facebook.com" …

The destination is the record's ``hostname`` (web filter, traffic with a resolved host), else its
``qname`` (DNS query logs), else its destination address ``dstip`` (traffic without a name: a flow,
matched by address). The client is ``srcip``; ``sentbyte``/``rcvdbyte`` are the bytes. The time is
``eventtime`` (FortiOS 6.2+: epoch in seconds, ms, µs or ns) when present, else ``date`` and
``time`` with ``tz`` (``tz="+0900"``) when present, else ``date``/``time`` as written (the
device's local time). System events (``type=event``) carry no destination and are skipped.
"""

from __future__ import annotations

import datetime as dt

from sekisho.ingest.keyvalue import KeyValueFormat, value_sql


class FortiGate(KeyValueFormat):
    name = "fortigate"
    title = "FortiGate traffic / UTM / DNS logs (key=value)"
    kind = "conn"
    priority = 20
    record_keys = ("devid", "logid", "type")
    keys = {
        "client": ("srcip",),
        "name": ("hostname", "qname", "dstip"),
        "bytes_out": ("sentbyte",),
        "bytes_in": ("rcvdbyte",),
        "status": ("action",),
    }
    skips = (("system event, no destination", "type", ("event",)),)

    def ts_sql(self, mtime: dt.datetime) -> str:
        et = value_sql("eventtime")
        epoch = (
            f"make_timestamp(CASE WHEN length({et}) >= 18 THEN TRY_CAST({et} AS BIGINT) // 1000 "
            f"WHEN length({et}) >= 15 THEN TRY_CAST({et} AS BIGINT) "
            f"WHEN length({et}) >= 12 THEN TRY_CAST({et} AS BIGINT) * 1000 "
            f"ELSE TRY_CAST({et} AS BIGINT) * 1000000 END)"
        )
        written = f"{value_sql('date')} || ' ' || {value_sql('time')}"
        tz = value_sql("tz")
        zoned = f"(try_strptime({written} || ' ' || {tz}, '%Y-%m-%d %H:%M:%S %z') AT TIME ZONE 'UTC')"
        return (
            f"(CASE WHEN regexp_full_match(coalesce({et}, ''), '[0-9]{{10,19}}') THEN {epoch} "
            f"WHEN {tz} IS NOT NULL THEN {zoned} "
            f"ELSE try_strptime({written}, '%Y-%m-%d %H:%M:%S') END)"
        )
