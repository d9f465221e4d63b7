"""W3C extended log files (W3C Working Draft WD-logfile-960323): Microsoft IIS, Symantec/Broadcom
ProxySG and other proxies. The ``#Fields:`` directive names the columns::

    #Software: Microsoft Internet Information Services 6.0
    #Fields: date time s-sitename s-computername s-ip cs-method cs-uri-stem cs-uri-query s-port …
    2007-01-22 05:00:11 W3SVC1 HOSTNAME 1.1.1.1 POST /SimpleAuthWebService/SimpleAuth.asmx - 80 - …

Values are separated by spaces (IIS writes a space inside a value as ``+``; ProxySG quotes such
values, ``"Mozilla/5.0 (Windows …)"``); ``-`` is an empty value. Like Zeek's ``#fields``, the header
is read by position: its names choose a position in Python and never enter the SQL text. The
destination is ``cs-host`` (or ``cs(Host)``, ``r-host``), else the host of an absolute ``cs-uri``
(proxies); the client is ``c-ip``; ``date`` + ``time`` are UTC (the draft's rule, IIS's default),
or ``time`` alone with the ``#Date:`` directive's day. A record with another number of values than
``#Fields`` names is malformed; so is a later ``#Fields`` that differs from the first (the records
after it would be misread: split the file there).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
from pathlib import Path
from typing import Any, ClassVar

from sekisho.ingest.base import Format
from sekisho.ingest.sources import Compression, open_decompressed
from sekisho.sql import literal as q

NAME_FIELDS = ("cs-host", "cs(host)", "r-host", "x-cs-host")
URI_FIELDS = ("cs-uri", "cs-uri-stem")
_DATE = re.compile(r"\d{4}-\d\d-\d\d")


def w3c_header(lines: list[str]) -> tuple[list[str], str | None]:
    """The names of the first ``#Fields:`` directive and the day of the first ``#Date:``."""
    fields: list[str] = []
    day: str | None = None
    for ln in lines:
        if not ln.startswith("#"):
            if fields:
                break
            continue
        if ln.startswith("#Fields:") and not fields:
            fields = ln[len("#Fields:") :].split()
        elif ln.startswith("#Date:") and day is None and (m := _DATE.search(ln)):
            day = m.group(0)
    return fields, day


class W3CExtended(Format):
    name: ClassVar[str] = "w3c"
    title: ClassVar[str] = "W3C extended log (IIS, ProxySG, other proxies; #Fields header)"
    kind = "proxy"
    priority = 12

    def __init__(self) -> None:
        self.head: list[str] = []  # the whole file's first lines (a grown file's rest has no header)

    def sniff(self, head: list[str]) -> bool:
        fields, _ = w3c_header(head[:50])
        if not fields or not {"date", "time", "c-ip", *NAME_FIELDS, *URI_FIELDS} & {
            f.lower() for f in fields
        }:
            return False
        self.head = head[:50]
        return True

    def compile_duckdb(
        self, path: Path, compression: Compression, mtime: dt.datetime, con: Any
    ) -> tuple[str, int]:
        from sekisho.ingest.duckdb_engine import _int, _name, lines_relation

        with open_decompressed(path, compression) as f:
            own = (
                f.read(64 * 1024).decode("utf-8", errors="replace").removeprefix("\ufeff").splitlines()[:200]
            )
        fields, day = w3c_header(own)
        if not fields:
            fields, day = w3c_header(self.head)
        if not fields:
            from sekisho.ingest.csvline import all_malformed_sql

            reason = "no #Fields: directive before this record (a W3C extended log names its fields first)"
            return all_malformed_sql(path, compression, mtime, reason, skip="^#"), 0
        low = [f.lower() for f in fields]
        # the first header's digest: a later header is compared by it (no log text enters SQL)
        first_md5 = hashlib.md5(" ".join(fields).encode(), usedforsecurity=False).hexdigest()
        differs = f"starts_with(_line, '#Fields:') AND md5(regexp_replace(trim(_line[9:]), '\\s+', ' ', 'g')) <> '{first_md5}'"

        def at(*names: str) -> str:
            for n in names:
                if n in low:
                    return f"NULLIF(trim(_t[{low.index(n) + 1}], '\"'), '-')"
            return "NULL"

        host = at(*NAME_FIELDS)
        uri_host = "NULL"
        for n in URI_FIELDS:
            if n in low:
                uri_host = f"NULLIF(regexp_extract({at(n)}, '^[A-Za-z][A-Za-z0-9+.-]*://([^/:?#]+)', 1), '')"
                break
        name = f"coalesce({host}, {uri_host})"
        if "date" in low:
            when = f"{at('date')} || ' ' || {at('time')}"
        elif day is not None:
            when = f"{q(day)} || ' ' || {at('time')}"
        else:
            when = "NULL"
        ts = f"coalesce(try_strptime({when}, '%Y-%m-%d %H:%M:%S'), try_strptime({when}, '%Y-%m-%d %H:%M:%S.%f'))"
        count = len(fields)
        sql = f"""
            SELECT {ts} AS ts, {at("c-ip")} AS client, {_name(name)} AS name, NULL AS answers,
                   {_int(at("cs-bytes"))} AS bytes_out, {_int(at("sc-bytes"))} AS bytes_in,
                   {at("sc-status")} AS status,
                   CASE WHEN _line IS NULL OR trim(_line) = '' THEN 'blank'
                        WHEN {differs} THEN 'bad'
                        WHEN starts_with(_line, '#') THEN 'skip'
                        WHEN len(_t) <> {count} THEN 'bad'
                        WHEN {name} IS NULL THEN 'skip'
                        ELSE 'ok' END AS _state,
                   CASE WHEN _line IS NULL OR trim(_line) = '' THEN 'blank line'
                        WHEN {differs} THEN 'a #Fields directive that differs from the first (split the file here)'
                        WHEN starts_with(_line, '#') THEN 'directive'
                        WHEN len(_t) <> {count} THEN len(_t) || ' values where #Fields names ' || {count}
                        WHEN {name} IS NULL THEN 'record without a host' END AS _reason,
                   _line
            FROM (SELECT *, regexp_extract_all(_line, '"[^"]*"|[^ \t"]+') AS _t
                  FROM {lines_relation(path, compression)})"""
        return sql, 0
