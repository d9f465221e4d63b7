"""Microsoft Defender for Endpoint ``DeviceNetworkEvents`` (advanced hunting), exported as JSON
lines (the API's ``Results`` rows one per line, Sentinel/Log Analytics exports, Event Hub streams
with the row under ``properties``), by the table's documented columns: ``Timestamp``,
``DeviceName``, ``ActionType``, ``RemoteIP``, ``RemotePort``, ``RemoteUrl``, ``LocalIP``, ….

The destination is ``RemoteUrl`` (the name Defender saw), else ``RemoteIP`` (a flow); the client
is ``DeviceName`` (``LocalIP`` when it has none); ``ActionType`` (``ConnectionSuccess``,
``ConnectionFailed``, ``DnsConnectionInspected`` …) is the status. ``Timestamp`` is UTC. The portal's
CSV export has the same columns: read it with ``--format csv --map name=RemoteUrl,client=DeviceName,ts=Timestamp``.
"""

from __future__ import annotations

from sekisho.ingest.base import JsonLinesFormat, Timestamp


class DefenderNetworkEvents(JsonLinesFormat):
    name = "defender-network"
    title = "Microsoft Defender for Endpoint DeviceNetworkEvents (JSON lines)"
    kind = "conn"
    signature = (r'"RemoteIP"\s*:.*"DeviceName"\s*:|"DeviceName"\s*:.*"RemoteIP"\s*:',)
    signature_lines = 1
    priority = 16
    timestamp = Timestamp("iso")
    paths = {
        "ts": ("Timestamp", "properties/Timestamp", "TimeGenerated"),
        "client": ("DeviceName", "properties/DeviceName", "LocalIP", "properties/LocalIP"),
        "name": ("RemoteUrl", "properties/RemoteUrl", "RemoteIP", "properties/RemoteIP"),
        "status": ("ActionType", "properties/ActionType"),
    }
    decode = {"name": "first-non-empty", "client": "first-non-empty"}
