"""Windows Server DNS debug log (DNS Manager → Properties → Debug Logging, "Log packets for
debugging", ``dns.log``): its packet lines.

::

    6/4/2020 11:30:01 AM 0E4C PACKET  0000020B9A2B5090 UDP Rcv 10.0.0.5        b0d4   Q [0001   D   NOERROR] A      (3)www(6)google(3)com(0)

Fields: date and time in the server's locale (``6/4/2020 11:30:01 AM`` en-US, ``2020-06-04
11:30:01`` sv-SE and other ISO locales, ``2020/06/04 11:30:01`` ja-JP, ``04.06.2020 11:30:01``
de-DE, ``04/06/2020 11:30:01`` en-GB — a slashed date with AM/PM is month first, without it day
first), thread, ``PACKET``, packet id, protocol, direction, remote address, transaction id, ``R``
for a response, opcode (``Q`` query, ``N`` notify, ``U`` update, ``?``), ``[flags rcode]``, type and
the name in length-prefixed labels. A received query (``Rcv``, no ``R``, opcode ``Q``) is a client's
question and gives a row; responses, the server's own recursive queries (``Snd`` without ``R``) and
other opcodes are skipped, as are the file's header and its non-packet lines. The time is the
server's local time, as written.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any, ClassVar

from sekisho.ingest.base import Format
from sekisho.ingest.sources import Compression

_PACKET = (
    r"^(\S+ \d{1,2}:\d\d:\d\d(?: [AaPp][Mm])?) +[0-9A-Fa-f]+ PACKET +[0-9A-Fa-f]+ (UDP|TCP) (Rcv|Snd) "
    r"(\S+) +([0-9A-Fa-f]{4}) ([R ]) ([QNU?]) \[([0-9A-Fa-f]{4}) +[A-Za-z ]*?([A-Z]+)\] +(\S+) +(\S+)"
)
_DATES = (
    "%m/%d/%Y %I:%M:%S %p",
    "%Y-%m-%d %H:%M:%S",
    "%Y/%m/%d %H:%M:%S",
    "%d.%m.%Y %H:%M:%S",
    "%d/%m/%Y %H:%M:%S",
    "%d-%m-%Y %H:%M:%S",
)
_HEADER = (
    r"^(DNS Server log file|Log file wrap|Message logging key|\s|Field #|Note:|\s*$|"
    r"[^ ]+ \d{1,2}:\d\d:\d\d(?: [AaPp][Mm])? +[0-9A-Fa-f]+ (EVENT|Note))"
)


class WindowsDnsDebug(Format):
    name: ClassVar[str] = "windows-dns"
    title: ClassVar[str] = "Windows Server DNS debug log (dns.log, packet lines)"
    kind = "dns"
    signature: ClassVar[tuple[str, ...]] = (
        r"\bPACKET +[0-9A-Fa-f]+ (?:UDP|TCP) (?:Rcv|Snd) ",
        r"^DNS Server log file creation at ",
    )
    signature_lines = 1
    priority = 20

    def compile_duckdb(
        self, path: Path, compression: Compression, mtime: dt.datetime, con: Any
    ) -> tuple[str, int]:
        from sekisho.ingest.duckdb_engine import _name, lines_relation
        from sekisho.sql import literal, literal_list

        groups = ["t", "proto", "dir", "remote", "xid", "r", "op", "flags", "rcode", "qtype", "qname"]
        t = "m.t"
        ts = "coalesce(" + ", ".join(f"try_strptime({t}, {literal(f)})" for f in _DATES) + ")"
        # (3)www(6)google(3)com(0) → www.google.com
        name = "regexp_replace(regexp_replace(m.qname, '^\\(\\d+\\)', ''), '\\(\\d+\\)', '.', 'g')"
        query = "m.dir = 'Rcv' AND m.r = ' ' AND m.op = 'Q'"
        sql = f"""
            SELECT {ts} AS ts, m.remote AS client, {_name(name)} AS name, NULL AS answers,
                   NULL::BIGINT AS bytes_out, NULL::BIGINT AS bytes_in, m.rcode AS status,
                   CASE WHEN _line IS NULL OR trim(_line) = '' THEN 'blank'
                        WHEN m.t <> '' AND {query} THEN 'ok'
                        WHEN m.t <> '' THEN 'skip'
                        WHEN regexp_matches(_line, {literal(_HEADER)}) AND NOT regexp_matches(_line, '\\bPACKET\\b') THEN 'skip'
                        ELSE 'bad' END AS _state,
                   CASE WHEN _line IS NULL OR trim(_line) = '' THEN 'blank line'
                        WHEN m.t <> '' AND {query} THEN NULL
                        WHEN m.t <> '' AND m.r = 'R' THEN 'response'
                        WHEN m.t <> '' AND m.dir = 'Snd' THEN 'the server''s own query (recursion, forwarding)'
                        WHEN m.t <> '' THEN 'other opcode or direction'
                        WHEN regexp_matches(_line, {literal(_HEADER)}) AND NOT regexp_matches(_line, '\\bPACKET\\b') THEN 'log header or non-packet line'
                        ELSE 'does not match the windows-dns packet line' END AS _reason,
                   _line
            FROM (SELECT *, regexp_extract(_line, {literal(_PACKET)}, {literal_list(groups)}) AS m
                  FROM {lines_relation(path, compression)})"""
        return sql, 0
