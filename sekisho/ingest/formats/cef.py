"""ArcSight Common Event Format (CEF) and IBM QRadar's Log Event Extended Format (LEEF): the
generic export of Check Point, Trend Micro, Imperva, Forcepoint, Fortinet, Zscaler NSS and others.

CEF (ArcSight "Implementing ArcSight CEF", revision 25)::

    CEF:0|Vendor|Product|Version|SignatureID|Name|Severity|src=10.0.0.1 dst=203.0.113.5 dhost=example.com

Header fields are separated by ``|``; the extension is ``key=value`` pairs separated by spaces, a
value running to the next `` key=`` (spaces allowed inside, ``\\=`` escaped). LEEF 1.0 separates
its pairs by tabs; LEEF 2.0 names its delimiter after the header (``|^|`` or ``|x09|``). Any syslog
prefix before ``CEF:``/``LEEF:`` is ignored, also a bare ``<PRI>`` (``<14>CEF:0|Imperva Inc.|…``).

The destination is ``dhost`` (CEF) or ``dhost``/``dstHost`` (LEEF), else the host of ``request``/
``url``, else ``destinationDnsDomain``, else ``dst`` (a flow). The client is ``src`` (``shost``).
Bytes: ``out`` / ``in`` (CEF), ``dstBytes``/``srcBytes`` (LEEF). The time is ``rt``/``devTime``:
epoch milliseconds, or ``MMM dd yyyy HH:mm:ss`` (CEF's other documented form), or Imperva
SecureSphere's ``31 March 2016 13:04:55``, else the syslog
prefix's, else the file's.
"""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path
from typing import Any, ClassVar

from sekisho.ingest.base import Format
from sekisho.ingest.sources import Compression
from sekisho.sql import literal as q

_HEADER = r"(CEF:\d+|LEEF:[12]\.\d+)\|"


def _cef(key: str) -> str:
    assert re.fullmatch(r"[A-Za-z0-9_]+", key)
    pat = q(r"(?:^|\s)" + key + r"=((?:[^\\]|\\.)*?)(?:\s+[A-Za-z0-9_]+=|$)")
    return f"NULLIF(trim(regexp_extract(_x, {pat}, 1)), '')"


def _leef(key: str) -> str:
    assert re.fullmatch(r"[A-Za-z0-9_]+", key)
    pat = q(r"(?:^|\t)" + key + r"=([^\t]*)")
    return f"NULLIF(trim(regexp_extract(_x, {pat}, 1)), '')"


def _value(*keys: str) -> str:
    cef = ", ".join(_cef(k) for k in keys)
    leef = ", ".join(_leef(k) for k in keys)
    return f"(CASE WHEN _kind = 'CEF' THEN coalesce({cef}) ELSE coalesce({leef}) END)"


class CommonEventFormat(Format):
    name: ClassVar[str] = "cef"
    title: ClassVar[str] = "CEF / LEEF (ArcSight, QRadar; Check Point, Trend Micro, Zscaler NSS, …)"
    kind = "conn"
    signature: ClassVar[tuple[str, ...]] = (r"(?:^|\s|:|>)(?:CEF:\d+|LEEF:[12]\.\d+)\|[^|]*\|",)
    signature_lines = 1
    priority = 18

    def compile_duckdb(
        self, path: Path, compression: Compression, mtime: dt.datetime, con: Any
    ) -> tuple[str, int]:
        from sekisho.ingest.duckdb_engine import _int, _name, lines_relation

        url = _value("request", "url")
        url_host = f"NULLIF(regexp_extract({url}, '^(?:[A-Za-z][A-Za-z0-9+.-]*://)?([^/:?#\\s]+)', 1), '')"
        name = f"coalesce({_value('dhost', 'dstHost')}, {url_host}, {_value('destinationDnsDomain')}, {_value('dst')})"
        t = _value("rt", "devTime", "end", "start")
        ts = (
            f"(CASE WHEN regexp_full_match(coalesce({t}, ''), '[0-9]{{12,13}}') THEN make_timestamp(TRY_CAST({t} AS BIGINT) * 1000) "
            f"WHEN regexp_full_match(coalesce({t}, ''), '[0-9]{{9,10}}') THEN make_timestamp(TRY_CAST({t} AS BIGINT) * 1000000) "
            f"ELSE coalesce(try_strptime({t}, '%b %d %Y %H:%M:%S'), try_strptime({t}, '%b %d %Y %H:%M:%S.%g'), "
            f"try_strptime({t}, '%d %B %Y %H:%M:%S'), "
            f"try_strptime(_pre, '%b %d %H:%M:%S')) END)"
        )
        # the year-less syslog stamp gets the file's year (as the envelopes do)
        ts = f"(CASE WHEN {ts} IS NOT NULL AND year({ts}) = 1900 THEN {ts} + INTERVAL ({mtime.year - 1900}) YEAR ELSE {ts} END)"
        mt = f"TIMESTAMP {q(mtime.strftime('%Y-%m-%d %H:%M:%S'))}"
        sql = f"""
            SELECT coalesce({ts}, {mt}) AS ts, {_value("src", "shost")} AS client, {_name(name)} AS name,
                   NULL AS answers, {_int(_value("out", "dstBytes"))} AS bytes_out,
                   {_int(_value("in", "srcBytes"))} AS bytes_in, {_value("act", "action", "cat")} AS status,
                   CASE WHEN _line IS NULL OR trim(_line) = '' THEN 'blank'
                        WHEN _kind = '' THEN 'bad'
                        WHEN {name} IS NULL THEN 'skip'
                        ELSE 'ok' END AS _state,
                   CASE WHEN _line IS NULL OR trim(_line) = '' THEN 'blank line'
                        WHEN _kind = '' THEN 'not a CEF or LEEF record'
                        WHEN {name} IS NULL THEN 'record without a destination' END AS _reason,
                   _line
            FROM (
              SELECT *, CASE WHEN _kind = 'LEEF' AND _delim NOT IN ('', 'x09', '0x09', '\\t') AND length(_delim) = 1
                             THEN replace(_rest, _delim, chr(9)) ELSE _rest END AS _x
              FROM (
                SELECT *, CASE WHEN _kind = 'CEF' THEN regexp_extract(_line, '(?:^|[\\s:>])CEF:\\d+\\|(?:(?:[^|\\\\]|\\\\.)*\\|){{6}}(.*)$', 1)
                               WHEN _ver = '2' THEN regexp_extract(_line, 'LEEF:2\\.\\d+\\|(?:[^|]*\\|){{4}}[^|]*\\|(.*)$', 1)
                               ELSE regexp_extract(_line, 'LEEF:1\\.\\d+\\|(?:[^|]*\\|){{4}}(.*)$', 1) END AS _rest,
                       CASE WHEN _ver = '2' THEN regexp_extract(_line, 'LEEF:2\\.\\d+\\|(?:[^|]*\\|){{4}}([^|]*)\\|', 1) ELSE '' END AS _delim
                FROM (
                  SELECT *, regexp_extract(_line, {q(_HEADER)}, 1) AS _h,
                         CASE WHEN starts_with(regexp_extract(_line, {q(_HEADER)}, 1), 'CEF') THEN 'CEF'
                              WHEN starts_with(regexp_extract(_line, {q(_HEADER)}, 1), 'LEEF') THEN 'LEEF' ELSE '' END AS _kind,
                         regexp_extract(_line, 'LEEF:([12])\\.', 1) AS _ver,
                         regexp_extract(_line, '^(?:<\\d{{1,3}}>)?(\\w{{3}} +\\d{{1,2}} \\d\\d:\\d\\d:\\d\\d)', 1) AS _pre
                  FROM {lines_relation(path, compression)})))"""
        return sql, 0
