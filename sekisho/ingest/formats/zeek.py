"""Zeek logs: dns, ssl, http, conn — TSV with a ``#fields`` header, and JSON lines.

JSON field names appear in three styles in the wild: flat with dots (``"id.orig_h"``, Zeek's own
JSON writer), nested objects (``{"id": {"orig_h": …}}``), and underscores (``id_orig_h``, e.g.
after Logstash/OTRF flattening). The JSON declarations try all three.
"""

from __future__ import annotations

from sekisho.ingest.base import JsonLinesFormat, Timestamp, ZeekTsvFormat


def _alts(field: str) -> tuple[str, ...]:
    if "." not in field:
        return (field,)
    return (f'$."{field}"', field.replace(".", "/"), field.replace(".", "_"))


class ZeekDns(ZeekTsvFormat):
    name = "zeek-dns"
    title = "Zeek dns.log (TSV)"
    kind = "dns"
    path = "dns"
    fields = {
        "ts": "ts",
        "client": "id.orig_h",
        "name": "query",
        "answers": "answers",
        "status": "rcode_name",
    }
    priority = 10


class ZeekSsl(ZeekTsvFormat):
    name = "zeek-ssl"
    title = "Zeek ssl.log (TSV): TLS server name (SNI)"
    kind = "tls"
    path = "ssl"
    fields = {"ts": "ts", "client": "id.orig_h", "name": "server_name"}
    priority = 10


class ZeekHttp(ZeekTsvFormat):
    name = "zeek-http"
    title = "Zeek http.log (TSV): Host header"
    kind = "http"
    path = "http"
    fields = {
        "ts": "ts",
        "client": "id.orig_h",
        "name": "host",
        "bytes_out": "request_body_len",
        "bytes_in": "response_body_len",
        "status": "status_code",
    }
    priority = 10


class ZeekConn(ZeekTsvFormat):
    name = "zeek-conn"
    title = "Zeek conn.log (TSV): destination addresses"
    kind = "conn"
    path = "conn"
    fields = {
        "ts": "ts",
        "client": "id.orig_h",
        "name": "id.resp_h",
        "bytes_out": "orig_bytes",
        "bytes_in": "resp_bytes",
        "status": "conn_state",
    }
    priority = 10


class _ZeekJson(JsonLinesFormat):
    timestamp = Timestamp("auto")
    priority = 20
    zeek_path: str = ""
    distinctive: tuple[str, ...] = ()

    def sniff(self, head: list[str]) -> bool:
        lines = [ln for ln in head[:20] if ln.strip()]
        objects = [ln for ln in lines if ln.lstrip().startswith("{")]
        # nearly every line a JSON object: one stray line (a cut record, a '[1,2,3]') does not
        # hide the whole file — it is read, and the stray line counted malformed
        if not objects or len(objects) < max(1, len(lines) * 4 // 5):
            return False
        first = objects[0]
        tagged = f'"_path":"{self.zeek_path}"' in first.replace(
            " ", ""
        ) or f'"@stream":"{self.zeek_path}"' in first.replace(" ", "")
        return tagged or all(f'"{k}"' in first for k in self.distinctive)


class ZeekDnsJson(_ZeekJson):
    name = "zeek-dns-json"
    title = "Zeek dns log (JSON lines)"
    kind = "dns"
    zeek_path = "dns"
    distinctive = ("query", "qtype_name", "rcode_name")
    paths = {
        "ts": ("ts",),
        "client": _alts("id.orig_h"),
        "name": ("query",),
        "answers": ("answers",),
        "status": ("rcode_name",),
    }


class ZeekSslJson(_ZeekJson):
    name = "zeek-ssl-json"
    title = "Zeek ssl log (JSON lines)"
    kind = "tls"
    zeek_path = "ssl"
    distinctive = ("server_name", "cipher")
    paths = {"ts": ("ts",), "client": _alts("id.orig_h"), "name": ("server_name",)}


class ZeekHttpJson(_ZeekJson):
    name = "zeek-http-json"
    title = "Zeek http log (JSON lines)"
    kind = "http"
    zeek_path = "http"
    distinctive = ("host", "method", "uri")
    paths = {
        "ts": ("ts",),
        "client": _alts("id.orig_h"),
        "name": ("host",),
        "bytes_out": ("request_body_len",),
        "bytes_in": ("response_body_len",),
        "status": ("status_code",),
    }


class ZeekConnJson(_ZeekJson):
    name = "zeek-conn-json"
    title = "Zeek conn log (JSON lines)"
    kind = "conn"
    zeek_path = "conn"
    distinctive = ("conn_state", "orig_bytes")
    paths = {
        "ts": ("ts",),
        "client": _alts("id.orig_h"),
        "name": _alts("id.resp_h"),
        "bytes_out": ("orig_bytes",),
        "bytes_in": ("resp_bytes",),
        "status": ("conn_state",),
    }
