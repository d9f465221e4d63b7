"""The DuckDB engine: compiles a format declaration into one SQL scan.

No Python runs per line. Text formats are read as lines by DuckDB's CSV reader (one column, no
quoting), fields come from ``regexp_extract`` or ``json_extract_string``; Zeek TSV is read as TSV
with the ``#fields`` of its header. Every line ends in one of four states: ``ok`` (a record),
``skip`` (recognised, carries no record: comments, start-up messages, replies), ``blank``, or
``bad`` (malformed: counted, and the first ones reported with line number and reason).

The result of :func:`scan_file` is a temporary table ``ingest_batch`` aggregated per
(day, client, name) — the store merges it — and a :class:`FileAccount`.
"""

from __future__ import annotations

import contextvars
import copy
import dataclasses
import datetime as dt
import io
import os
import re
import subprocess
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import duckdb

from sekisho.ingest import envelope, progress
from sekisho.ingest.base import (
    Format,
    JsonLinesFormat,
    LineRegexFormat,
    Timestamp,
    ZeekTsvFormat,
    _fields_line,
    numbered_groups,
)
from sekisho.ingest.sources import Compression, open_decompressed
from sekisho.ingest.wire import DECODERS
from sekisho.sql import ident, literal, literal_list, positional

MAX_SAMPLES = 5
TS_MIN, TS_MAX = "TIMESTAMP '0001-01-01'", "TIMESTAMP '9999-12-31 23:59:59.999999'"
# A record dated later than the scan's time by more than this (clocks and time zones differ) is
# malformed, "in the future": it never moves the retention window or the report's period.
CLOCK_SKEW = dt.timedelta(days=1)


def not_after() -> str:
    """SQL for the latest time a record may carry: now (UTC) plus :data:`CLOCK_SKEW`."""
    latest = dt.datetime.now(dt.UTC).replace(tzinfo=None) + CLOCK_SKEW
    return f"TIMESTAMP {q(latest.strftime('%Y-%m-%d %H:%M:%S'))}"


LINE_DELIM = "\x1e"  # a byte that does not occur in text logs; a line holding it is reported


@dataclass
class FileAccount:
    """What became of every line of one file."""

    path: str
    format: str
    lines: int = 0
    parsed: int = 0
    skipped: int = 0
    malformed: int = 0
    malformed_samples: list[dict[str, Any]] = field(default_factory=list)
    skipped_reasons: dict[str, int] = field(default_factory=dict)
    first_line: int = 1
    note: str | None = None
    envelope: str | None = None  # the syslog envelope its lines came in (sekisho.ingest.envelope)

    def as_dict(self) -> dict[str, Any]:
        return {
            "path": self.path,
            "format": self.format,
            "lines": self.lines,
            "parsed": self.parsed,
            "skipped": self.skipped,
            "malformed": self.malformed,
            "malformed_samples": self.malformed_samples,
            "skipped_reasons": self.skipped_reasons,
            **({"envelope": self.envelope} if self.envelope else {}),
            **({"note": self.note} if self.note else {}),
        }


q = literal  # the engine's short name for a SQL string literal (sekisho.sql)


def _comp(c: Compression) -> str:
    return {"none": "none", "gzip": "gzip", "zstd": "zstd", "bz2": "none"}[c]


# Where the engine reads: one file, or several of one format, compression and header in one pass
# (``read_csv([...], filename=true)``); then every row says which file (``_file``, its position in
# the list) and that file's modification time (``_mtime``, from the table ``ingest_files``).
Target = Path | list[Path]
# The reference time of year-less and time-less records: a file's modification time, or the SQL of
# each row's (``_mtime``) when several files are read together.
Mtime = dt.datetime | str
FILES_TABLE = "ingest_files"


def _paths_sql(target: Target) -> str:
    return literal_list([str(p) for p in target]) if isinstance(target, list) else q(str(target))


def _with_file(rel: str, target: Target, cols: str) -> str:
    """``rel`` (a ``read_csv`` of ``target``) with the columns ``_file`` and ``_mtime`` added."""
    if not isinstance(target, list):
        return f"(SELECT {cols}, 0 AS _file, NULL::TIMESTAMP AS _mtime FROM {rel})"
    return (
        f"(SELECT {', '.join('_r.' + c.strip() for c in cols.split(','))}, _f.i AS _file, _f.mtime AS _mtime "
        f"FROM {rel} _r JOIN {FILES_TABLE} _f ON _r.filename = _f.path)"
    )


REJECTS_TABLE = "ingest_rejects"  # every reader that stores rejects names it through REJECTS
REJECTS = f"store_rejects=true, rejects_table='{REJECTS_TABLE}', rejects_scan='ingest_reject_scans'"
# Set while a file is read again by one thread: DuckDB's parallel CSV reader refuses a file whose
# few lines include one longer than its buffer ("does not support a full read on this file").
_SERIAL: contextvars.ContextVar[bool] = contextvars.ContextVar("sekisho_serial_read", default=False)


def _serial() -> str:
    return ", parallel=false" if _SERIAL.get() else ""


def lines_relation(path: Target, compression: Compression, rejects: bool = True) -> str:
    """``rejects=False``: read without a rejects table (faster, by up to 3× for many small files);
    a line the reader refuses then fails the query, and the caller reads again with one."""
    many = ", filename=true" if isinstance(path, list) else ""
    rej = f", {REJECTS}" if rejects else ""
    rel = (
        f"read_csv({_paths_sql(path)}, columns={{'_line': 'VARCHAR'}}, delim={q(LINE_DELIM)}, quote='', escape='', "
        f"header=false, auto_detect=false, compression={q(_comp(compression))}{rej}, new_line='\\n'{many}{_serial()})"
    )
    return _with_file(rel, path, "_line")


def ts_expr(ts: Timestamp, col: str, mtime: Mtime) -> str:
    """SQL turning the text column ``col`` into a TIMESTAMP (``mtime``: the file's modification
    time, or the SQL of each row's file's)."""
    mt = mtime if isinstance(mtime, str) else f"TIMESTAMP {q(mtime.strftime('%Y-%m-%d %H:%M:%S'))}"
    year = f"year({mtime})" if isinstance(mtime, str) else str(mtime.year)
    if ts.optional:
        inner = ts_expr(Timestamp(ts.style, ts.fmt), col, mtime)
        return f"(CASE WHEN coalesce({col}, '') = '' THEN {mt} ELSE {inner} END)"
    if ts.style == "auto":
        return f"coalesce({ts_expr(Timestamp('epoch'), col, mtime)}, {ts_expr(Timestamp('iso'), col, mtime)})"
    if ts.style == "epoch":
        return f"make_timestamp(TRY_CAST(TRY_CAST({col} AS DOUBLE) * 1000000 AS BIGINT))"
    if ts.style == "iso":
        return f"CAST(TRY_CAST({col} AS TIMESTAMPTZ) AT TIME ZONE 'UTC' AS TIMESTAMP)"
    if ts.style == "strptime":
        assert ts.fmt
        if "%z" in ts.fmt or "%Z" in ts.fmt:
            # With an offset DuckDB gives a TIMESTAMPTZ, which a plain cast would turn into the
            # machine's local time: convert it to UTC like every other stamp.
            return f"(try_strptime({col}, {q(ts.fmt)}) AT TIME ZONE 'UTC')"
        return f"try_strptime({col}, {q(ts.fmt)})"
    if ts.style == "syslog":
        # No year in the line: take the file's year, and the year before for dates after the file's.
        t = f"try_strptime({year} || ' ' || regexp_replace({col}, ' +', ' ', 'g'), '%Y %b %d %H:%M:%S')"
        return f"(CASE WHEN {t} > {mt} + INTERVAL 1 DAY THEN {t} - INTERVAL 1 YEAR ELSE {t} END)"
    return mt


def _name(expr: str) -> str:
    return f"lower(rtrim(trim({expr}), '.'))"


# A name of lower-case letters, digits, '_', '-' and '.', neither starting with '.' nor ending
# with one, is its own normalisation (no case, no blank, no final dot): most names are, and one
# regular expression costs less than trim, rtrim and lower together (0.04 against 0.09 CPU s for
# 390 k names).
_NORMAL = "'[a-z0-9_-][a-z0-9_.-]*[a-z0-9_-]'"


# A name of DNS labels as they are stored (1-63 lower-case letters, digits, '_', '-'): normal, no
# control character, a DNS name when at most 253 characters long (the checks of ``_scan_locked``).
_PLAIN = "'[a-z0-9_-]{1,63}(\\.[a-z0-9_-]{1,63})*'"


def _name_once(expr: str) -> str:
    """:func:`_name` of ``expr``, skipped for a name that is already normal."""
    return f"CASE WHEN regexp_full_match({expr}, {_NORMAL}) THEN {expr} ELSE {_name(expr)} END"


def _int(expr: str) -> str:
    return f"TRY_CAST({expr} AS BIGINT)"


def compile_regex(
    fmt: LineRegexFormat,
    path: Target,
    compression: Compression,
    mtime: Mtime,
    rejects: bool = True,
    raw_names: bool = False,
) -> str:
    groups = list(fmt.groups)
    g: dict[str, str] = {}
    for base in ("ts", "client", "name", "answers", "bytes_out", "bytes_in", "status"):
        alts = [f"NULLIF(m.{groups[i]}, '')" for i in numbered_groups(fmt.groups, base)]
        if alts:
            g[base] = alts[0] if len(alts) == 1 else f"coalesce({', '.join(alts)})"
    if "name" not in g:
        raise TypeError(f"format {fmt.name!r} declares no 'name' group")

    def col(name: str, conv: str = "{}") -> str:
        return conv.format(g[name]) if name in g else "NULL"

    # the syslog envelope of this file (none, RFC 3164/5424, journald …) is stripped first: the
    # pattern and skips apply to the product's message (_msg); _line stays whole for accounting
    env = envelope.for_file(fmt, path[0] if isinstance(path, list) else path, compression)
    fmt.envelope_seen = None if env is envelope.NONE else env.name  # into the file's account
    skip, skip_reason = envelope.skip_sql(fmt)
    # a message that starts like a record but fails the pattern is malformed, never skipped
    start = start_reason = ""
    if fmt.record_start:
        starts = f"regexp_matches(_msg, {q(fmt.record_start)})"
        start = f"WHEN {starts} THEN 'bad'"
        start_reason = (
            f"WHEN {starts} THEN {q(f'starts like a {fmt.name} record but does not match its pattern')}"
        )
    return f"""
        SELECT
            {envelope.ts_sql(fmt, g.get("ts"), env, mtime)} AS ts,
            {col("client")} AS client,
            {g["name"] if raw_names else _name(g["name"])} AS name,
            {col("answers")} AS answers,
            {col("bytes_out", "TRY_CAST({} AS BIGINT)")} AS bytes_out,
            {col("bytes_in", "TRY_CAST({} AS BIGINT)")} AS bytes_in,
            {col("status")} AS status,
            CASE WHEN {g["name"]} IS NOT NULL THEN 'ok'
                 WHEN _line IS NULL OR trim(_line) = '' THEN 'blank'
                 {start}
                 {skip}
                 ELSE 'bad' END AS _state,
            CASE WHEN {g["name"]} IS NOT NULL THEN NULL
                 WHEN _line IS NULL OR trim(_line) = '' THEN 'blank line'
                 {start_reason}
                 {skip_reason}
                 ELSE 'does not match the {fmt.name} line pattern' END AS _reason,
            _line, _file
        FROM (
            SELECT _line, _file, _mtime, _prog, _env_ts, regexp_extract(_msg, {q(fmt.pattern)}, {literal_list(groups)}) AS m, _msg
            FROM {envelope.relation(lines_relation(path, compression, rejects), env)}
        )"""


def _json_path(p: str) -> str:
    return p if p.startswith("$") else "$." + ".".join(f'"{part}"' for part in p.split("/"))


def compile_json(
    fmt: JsonLinesFormat,
    path: Target,
    compression: Compression,
    mtime: Mtime,
    rejects: bool = True,
    raw_names: bool = False,
) -> str:
    all_paths: list[str] = []
    index: dict[str, list[int]] = {}
    for column, alternatives in list(fmt.paths.items()) + [(f"_w_{k}", (k,)) for k in fmt.where]:
        index[column] = []
        for p in alternatives:
            all_paths.append(_json_path(p))
            index[column].append(len(all_paths))

    def field_of(column: str) -> str:
        if column not in index:
            return "NULL"
        raw = (
            "coalesce(" + ", ".join(f"j[{i}]" for i in index[column]) + ")"
            if len(index[column]) > 1
            else f"j[{index[column][0]}]"
        )
        return DECODERS[fmt.decode[column]](raw) if column in fmt.decode else raw  # sekisho.ingest.wire

    def allowed(k: str, vals: tuple[str | None, ...]) -> str:
        listed = [q(v) for v in vals if v is not None]
        test = f"{field_of('_w_' + k)} IN ({', '.join(listed)})" if listed else "FALSE"
        return f"({test} OR {field_of('_w_' + k)} IS NULL)" if None in vals else test

    conds = " AND ".join(allowed(k, vals) for k, vals in fmt.where.items()) or "TRUE"
    # JSON lines inside a syslog envelope (Suricata's "suricata[pid]: {…}"): the object is the
    # message; other lines of the product's program or of other programs are skipped
    env = envelope.for_file(fmt, path[0] if isinstance(path, list) else path, compression)
    fmt.envelope_seen = None if env is envelope.NONE else env.name  # into the file's account
    rel, text, other, other_reason = lines_relation(path, compression, rejects), "_line", "", ""
    if env is not envelope.NONE:
        rel, text = envelope.relation(rel, env), "_msg"
        other = "WHEN j IS NULL AND _prog IS NOT NULL THEN 'skip'"
        mine = literal_list(fmt.programs) if fmt.programs else "[]"
        other_reason = (
            f"WHEN j IS NULL AND list_contains({mine}, _prog) THEN {q(f'{fmt.name} message, not a record')} "
            "WHEN j IS NULL AND _prog IS NOT NULL THEN 'line of another program'"
        )
    return f"""
        SELECT
            {ts_expr(fmt.timestamp, field_of("ts"), mtime)} AS ts,
            {field_of("client")} AS client,
            {field_of("name") if raw_names else _name(field_of("name"))} AS name,
            {field_of("answers")} AS answers,
            {_int(field_of("bytes_out"))} AS bytes_out,
            {_int(field_of("bytes_in"))} AS bytes_in,
            {field_of("status")} AS status,
            CASE WHEN _line IS NULL OR trim(_line) = '' THEN 'blank'
                 {other}
                 WHEN j IS NULL THEN 'bad'
                 WHEN NOT ({conds}) THEN 'skip'
                 WHEN coalesce({field_of("name")}, '') = '' THEN 'skip'
                 ELSE 'ok' END AS _state,
            CASE {other_reason}
                 WHEN j IS NULL THEN 'not a JSON object'
                 WHEN NOT ({conds}) THEN 'other record type'
                 WHEN coalesce({field_of("name")}, '') = '' THEN 'record without a name' END AS _reason,
            _line, _file
        FROM (
            -- a record is a JSON object: an array, a string or a number on its own is malformed
            SELECT *, CASE WHEN starts_with(ltrim({text}), '{{')
                           THEN try(json_extract_string({text}, {literal_list(all_paths)})) END AS j
            FROM {rel}
        )"""


_QUOTED_KEY = re.compile(r'^\$\."([^"]+)"$')


def _key_path(p: str) -> tuple[str, list[str]] | None:
    """A format's path as (top-level key, the keys below it), when ``read_json`` can read it."""
    if m := _QUOTED_KEY.match(p):
        return m.group(1), []
    if p.startswith("$") or '"' in p:
        return None
    head, *rest = p.split("/")
    return head, rest


def json_fast_keys(fmt: JsonLinesFormat) -> list[str] | None:
    """The top-level keys a JSON-lines format reads, when ``read_json`` can read them all (keys,
    ``$."key"``, ``a/b`` paths; no other JSONPath); else None."""
    keys: list[str] = []
    for _, alternatives in list(fmt.paths.items()) + [(f"_w_{k}", (k,)) for k in fmt.where]:
        for p in alternatives:
            kp = _key_path(p)
            if kp is None:
                return None
            if kp[0] not in keys:
                keys.append(kp[0])
    return keys


def json_number_keys(fmt: JsonLinesFormat) -> list[str]:
    """The top-level keys that hold only the record's time, when the format reads it as seconds
    since the epoch (``epoch``, or ``auto`` which tries that first): ``read_json`` can read them as
    numbers (DOUBLE), not as text parsed again — a quarter of the reading's CPU on Zeek JSON. A
    file whose time is text (ISO 8601) fails that read and is read with the time as text."""
    ts = fmt.timestamp
    if ts.style not in ("epoch", "auto") or ts.optional or "ts" in fmt.decode:
        return []
    heads: list[str] = []
    for p in fmt.paths.get("ts", ()):
        kp = _key_path(p)
        if kp is None or kp[1]:
            return []
        heads.append(kp[0])
    others = {
        kp[0]
        for column, alts in list(fmt.paths.items()) + [(f"_w_{k}", (k,)) for k in fmt.where]
        if column != "ts"
        for a in alts
        if (kp := _key_path(a))
    }
    return [] if others.intersection(heads) else heads


def compile_json_fast(
    fmt: JsonLinesFormat,
    path: Target,
    compression: Compression,
    mtime: Mtime,
    raw_names: bool = False,
    ts_text: bool = False,
) -> str:
    """The same records as :func:`compile_json`, read by DuckDB's JSON reader (parallel, typed)
    instead of line by line: every line must be one JSON object, or the reader fails. It has no
    line text (``_line`` is NULL) and skips blank lines without a word, so the caller accepts its
    result only when every line was counted and none was malformed; otherwise it reads the file
    again line by line (:func:`compile_json`), which reports each line."""
    keys = json_fast_keys(fmt)
    assert keys is not None
    cols = {k: f"c{i}" for i, k in enumerate(keys)}
    # a key with keys below it is read as JSON text and looked into (a string there has none)
    nested = {
        kp[0]
        for _, alts in list(fmt.paths.items()) + [("", (k,)) for k in fmt.where]
        for a in alts
        if (kp := _key_path(a)) and kp[1]
    }

    def one(p: str) -> str:
        kp = _key_path(p)
        assert kp is not None
        head, rest = kp
        if head not in nested:
            return cols[head]
        below = "$" + "".join(f'."{k}"' for k in rest)
        return f"json_extract_string({cols[head]}, {q(below)})"

    def field_of(column: str) -> str:
        alts = [column[3:]] if column.startswith("_w_") else list(fmt.paths.get(column, ()))
        if not alts:
            return "NULL"
        raw = f"coalesce({', '.join(one(a) for a in alts)})" if len(alts) > 1 else one(alts[0])
        return DECODERS[fmt.decode[column]](raw) if column in fmt.decode else raw  # sekisho.ingest.wire

    def allowed(k: str, vals: tuple[str | None, ...]) -> str:
        listed = [q(v) for v in vals if v is not None]
        test = f"{field_of('_w_' + k)} IN ({', '.join(listed)})" if listed else "FALSE"
        return f"({test} OR {field_of('_w_' + k)} IS NULL)" if None in vals else test

    conds = " AND ".join(allowed(k, vals) for k, vals in fmt.where.items()) or "TRUE"
    fmt.envelope_seen = None
    numbers = set() if ts_text else set(json_number_keys(fmt))
    kinds = {k: "JSON" if k in nested else "DOUBLE" if k in numbers else "VARCHAR" for k in keys}
    columns = "{" + ", ".join(f"{q(k)}: {q(kinds[k])}" for k in keys) + "}"
    many = ", filename=true" if isinstance(path, list) else ""
    rel = f"read_json({_paths_sql(path)}, format='newline_delimited', columns={columns}{many})"
    renamed = ", ".join(f"{ident(k)} AS {c}" for k, c in cols.items())
    if isinstance(path, list):
        rel = f"(SELECT {renamed}, filename FROM {rel})"
    else:
        rel = f"(SELECT {renamed} FROM {rel})"
    name = field_of("name")
    state, reason = name_state(name)
    if fmt.where:
        state = f"CASE WHEN NOT ({conds}) THEN 'skip' ELSE {state} END"
        reason = f"CASE WHEN NOT ({conds}) THEN 'other record type' ELSE {reason} END"
    # a time read as a number is seconds since the epoch (the text reading of "auto" is moot)
    stamp = Timestamp("epoch") if numbers else fmt.timestamp
    return f"""
        SELECT
            {ts_expr(stamp, field_of("ts"), mtime)} AS ts,
            {field_of("client")} AS client,
            {name if raw_names else _name(name)} AS name,
            {field_of("answers")} AS answers,
            {_int(field_of("bytes_out"))} AS bytes_out,
            {_int(field_of("bytes_in"))} AS bytes_in,
            {field_of("status")} AS status,
            {state} AS _state,
            {reason} AS _reason,
            NULL::VARCHAR AS _line, _file
        FROM {_with_file(rel, path, ", ".join(cols.values()))}"""


def zeek_header(path: Path, compression: Compression) -> tuple[list[str], int]:
    """The ``#fields`` of a Zeek TSV log and how many header lines precede the first record."""
    fields: list[str] = []
    n = 0
    with open_decompressed(path, compression) as f:
        for raw in f:
            line = raw.decode("utf-8", errors="replace")
            if not line.startswith("#"):
                break
            n += 1
            if line.startswith("#fields"):
                fields = line.rstrip("\r\n").split("\t")[1:]
    return fields, n


def name_state(name: str) -> tuple[str, str]:
    """SQL for the state and reason of a record whose state is a function of its name (the raw
    field) alone — Zeek TSV, JSON lines without a ``where`` — so the engine may judge it once per
    distinct name rather than once per line."""
    empty = f"coalesce({name}, '') = ''"
    return (
        f"CASE WHEN {empty} THEN 'skip' ELSE 'ok' END",
        f"CASE WHEN {empty} THEN 'record without a name' END",
    )


def compile_zeek(
    fmt: ZeekTsvFormat,
    path: Target,
    compression: Compression,
    mtime: Mtime,
    head: list[str] | None = None,
    raw_names: bool = False,
) -> tuple[str, int]:
    """Several files are read together only when their headers are the same (the caller's rule)."""
    fields, header_lines = zeek_header(path[0] if isinstance(path, list) else path, compression)
    if not fields:
        # The continuation of a grown log has no header of its own: its fields are those of the
        # header at the start of the whole file (``head``).
        fields = _fields_line(head or [])
    missing = [f for f in fmt.fields.values() if f not in fields]
    if missing:
        raise ValueError(f"Zeek header has no field(s) {', '.join(missing)}")
    # Read by position: the header's names choose a column, they never enter the SQL text.
    cols = positional(len(fields))
    columns = "{" + ", ".join(f"{q(c)}: 'VARCHAR'" for c in cols) + "}"
    many = ", filename=true" if isinstance(path, list) else ""
    rel = _with_file(
        f"read_csv({_paths_sql(path)}, columns={columns}, delim='\\t', quote='', escape='', header=false, "
        f"auto_detect=false, skip={int(header_lines)}, nullstr=['-', '(empty)'], compression={q(_comp(compression))}, "
        f"{REJECTS}, new_line='\\n'{many})",
        path,
        ", ".join(cols),
    )

    def col(name: str) -> str:
        return cols[fields.index(fmt.fields[name])] if name in fmt.fields else "NULL"

    ts = ts_expr(Timestamp("epoch"), col("ts"), mtime)
    return (
        f"""
        SELECT {ts} AS ts, {col("client")} AS client, {col("name") if raw_names else _name(col("name"))} AS name,
               {col("answers")} AS answers, {_int(col("bytes_out"))} AS bytes_out,
               {_int(col("bytes_in"))} AS bytes_in, {col("status")} AS status,
               {name_state(col("name"))[0]} AS _state, {name_state(col("name"))[1]} AS _reason,
               concat_ws(chr(9), {cols[0]}, {cols[1] if len(cols) > 1 else cols[0]}) AS _line, _file
        FROM {rel}""",
        header_lines,
    )


def compile_format(
    fmt: Format,
    path: Target,
    compression: Compression,
    mtime: Mtime,
    con: duckdb.DuckDBPyConnection,
    head: list[str] | None = None,
    rejects: bool = True,
    raw_names: bool = False,
    json_fast: bool = False,
    ts_text: bool = False,
) -> tuple[str, int]:
    """SQL yielding the normalised columns plus ``_state``, ``_reason``, ``_line``, ``_file``; and
    header lines (per file).

    ``path``: one file, or a list read in one pass (line-regex, JSON lines and Zeek TSV formats;
    ``mtime`` is then ``_mtime``, and the table ``ingest_files`` maps each path to its position and
    modification time). ``head``: the first lines of the whole file, when ``path`` holds only its
    continuation. ``raw_names``: the name as the line has it (the caller normalises it, once per
    distinct name rather than once per line); custom formats always give it normalised.
    ``ts_text``: the JSON reader reads the time as text, never as a number."""
    if isinstance(fmt, ZeekTsvFormat):
        return compile_zeek(fmt, path, compression, mtime, head, raw_names)
    if isinstance(fmt, LineRegexFormat):
        return compile_regex(fmt, path, compression, mtime, rejects, raw_names), 0
    if isinstance(fmt, JsonLinesFormat) and json_fast:
        return compile_json_fast(fmt, path, compression, mtime, raw_names, ts_text), 0
    if isinstance(fmt, JsonLinesFormat):
        return compile_json(fmt, path, compression, mtime, rejects, raw_names), 0
    custom = getattr(fmt, "compile_duckdb", None)
    if custom is None or isinstance(path, list) or isinstance(mtime, str):
        raise TypeError(
            f"the DuckDB engine cannot compile format {fmt.name!r}" + (" for several files" if custom else "")
        )
    sql, header = custom(path, compression, mtime, con)
    return f"SELECT *, 0 AS _file FROM ({sql})", int(header)


BATCH_TABLE = "ingest_batch"


def scan_file(
    con: duckdb.DuckDBPyConnection,
    fmt: Format,
    path: Path,
    compression: Compression,
    mtime: dt.datetime,
    account: FileAccount,
    head: list[str] | None = None,
) -> None:
    """Scan one plain/gzip/zstd file into ``ingest_batch`` and fill ``account``.

    ``account.first_line`` is the line number of the file's first line here (for a grown file
    read from an offset); malformed samples carry real line numbers of the original file.
    ``head``: the first lines of the whole file, for a header that describes the rest (Zeek TSV)
    when ``path`` holds only the new part of a grown file.

    DuckDB's CSV reader stops on a carriage return when lines end in ``\n`` (a file written on
    Windows, or a stray ``\r``), or worse, takes it for a line break. A file with a ``\r`` in
    its first 64 KiB (or one the reader stops on) is read from a copy where ``\r\n`` ends a line
    like ``\n`` and a bare ``\r`` makes its line malformed; line numbers stay the same.
    """
    if not fmt.text:  # a database, not lines: no line endings to repair
        _scan_file(con, fmt, path, compression, mtime, account, head)
        return
    if _has_cr(path, compression, limit=64 * 1024):
        _scan_without_cr(con, fmt, path, compression, mtime, account, head)
        return
    before = copy.deepcopy(account)
    try:
        _scan_file(con, fmt, path, compression, mtime, account, head)
    except duckdb.InvalidInputException:
        if not _has_cr(path, compression):
            raise
        account.__dict__.update(before.__dict__)  # count the lines once, from the copy
        _scan_without_cr(con, fmt, path, compression, mtime, account, head)


def _scan_without_cr(
    con: duckdb.DuckDBPyConnection,
    fmt: Format,
    path: Path,
    compression: Compression,
    mtime: dt.datetime,
    account: FileAccount,
    head: list[str] | None,
) -> None:
    plain = _without_cr(path, compression)
    try:
        _scan_file(con, fmt, plain, "none", mtime, account, head)
    finally:
        plain.unlink(missing_ok=True)


def _has_cr(path: Path, compression: Compression, limit: int | None = None) -> bool:
    """Whether the (decompressed) file holds a carriage return, in its first ``limit`` bytes."""
    read = 0
    with open_decompressed(path, compression) as f:
        while chunk := f.read(min(1 << 20, limit - read) if limit else 1 << 20):
            if b"\r" in chunk:
                return True
            read += len(chunk)
            if limit and read >= limit:
                break
    return False


def _without_cr(path: Path, compression: Compression) -> Path:
    """A plain copy of the file with ``\r\n`` turned into ``\n`` and any other ``\r`` into the
    line delimiter (so that line is reported as malformed, not silently joined or split)."""
    fd, tmp = tempfile.mkstemp(prefix="sekisho-cr-", suffix=".log")
    bare = LINE_DELIM.encode()
    with os.fdopen(fd, "wb") as out, open_decompressed(path, compression) as src:
        carry = b""
        while chunk := src.read(1 << 20):
            chunk, carry = carry + chunk, b""
            if chunk.endswith(b"\r"):  # its \n may start the next chunk
                chunk, carry = chunk[:-1], b"\r"
            out.write(chunk.replace(b"\r\n", b"\n").replace(b"\r", bare))
        if carry:
            out.write(bare)
    return Path(tmp)


def _scan_file(
    con: duckdb.DuckDBPyConnection,
    fmt: Format,
    path: Path,
    compression: Compression,
    mtime: dt.datetime,
    account: FileAccount,
    head: list[str] | None,
) -> None:
    _read_parts(con, fmt, path, compression, mtime, [Part(path, mtime, account)], head)


@dataclass
class Part:
    """One file of a scan: where the engine reads it, its reference time, its account, and (after
    the scan) the first and last day of its records."""

    path: Path
    mtime: dt.datetime
    account: FileAccount
    days: tuple[dt.date, dt.date] | None = None
    content: bytes | None = None  # the whole (uncompressed) file, when already read


def scan_files(
    con: duckdb.DuckDBPyConnection, fmt: Format, parts: list[Part], compression: Compression
) -> None:
    """Scan several new files of one format, compression and header (for Zeek TSV, the same
    ``#fields``; for syslog-wrapped text, the same envelope) in one pass into ``ingest_batch``,
    filling every part's account exactly as :func:`scan_file` would one by one.

    No fallbacks here: a carriage return the reader stops on, a truncated compressed file or an
    I/O error raises, and the caller reads the files one by one (so the error names one file)."""
    paths = [p.path for p in parts]
    if len(set(map(str, paths))) != len(paths):
        raise ValueError("the same path twice in one group")
    _read_parts(con, fmt, paths, compression, "_mtime", parts, None)


def _read_parts(
    store_con: duckdb.DuckDBPyConnection,
    fmt: Format,
    target: Target,
    compression: Compression,
    mtime: Mtime,
    parts: list[Part],
    head: list[str] | None,
) -> None:
    con = engine_connection([p.path for p in parts])
    watched = progress.watch(con)  # how far the read is, for a progress bar that asked
    lines_before = [p.account.lines for p in parts]
    # a large file's newlines are counted by wc(1) while DuckDB reads it (the count is needed
    # after the read: the lines the reader lost without a word); of a group, the first few files
    # only (the others are counted after the read, one at a time, as before)
    counts = [
        NewlineCount.start(p.path)
        if fmt.text and compression == "none" and p.content is None and i < COUNTS_AHEAD
        else None
        for i, p in enumerate(parts)
    ]
    try:
        if isinstance(target, list):
            con.execute(
                f"CREATE TEMP TABLE {FILES_TABLE} AS SELECT unnest(?::VARCHAR[]) AS path, "
                "unnest(?::INTEGER[]) AS i, unnest(?::TIMESTAMP[]) AS mtime",
                [[str(p.path) for p in parts], list(range(len(parts))), [p.mtime for p in parts]],
            )
        fast = isinstance(fmt, (LineRegexFormat, JsonLinesFormat))
        saved = [_snapshot(p.account) for p in parts] if fast else []

        def restore() -> None:
            for p, b in zip(parts, saved, strict=True):
                p.account.__dict__.update(_snapshot(b).__dict__)

        counted = False
        if (
            isinstance(fmt, JsonLinesFormat)
            and compression == "none"
            and json_fast_keys(fmt) is not None
            and envelope.for_file(fmt, parts[0].path, compression) is envelope.NONE
        ):
            # DuckDB's JSON reader, when every line is a JSON object and none is malformed; the
            # time first as a number (when it is seconds since the epoch), then as text
            for ts_text in (False, True) if json_number_keys(fmt) else (True,):
                again = False
                try:
                    _scan_locked(
                        con, fmt, target, compression, mtime, parts, head, json_fast=True, ts_text=ts_text
                    )
                    counted = all(
                        p.account.lines - before == _line_total(p.path, p.content, count)
                        for p, before, count in zip(parts, lines_before, counts, strict=True)
                    )
                except _TimeAsText:
                    again = True
                except duckdb.Error as e:  # a time that is no number ("Failed to cast value"): as text
                    again = "cast" in str(e).lower()
                except _Redo:
                    pass
                if counted:
                    break
                restore()
                if not again:
                    break
        if not counted:
            try:
                _scan_locked(con, fmt, target, compression, mtime, parts, head, rejects=not fast)
            except (duckdb.InvalidInputException, duckdb.ConversionException, duckdb.NotImplementedException):
                if not fast:
                    raise
                # a line the reader refuses (bad UTF-8, too long, the delimiter byte): read again
                # with a rejects table, which reports it with its number
                restore()
                try:
                    _scan_locked(con, fmt, target, compression, mtime, parts, head, rejects=True)
                except duckdb.NotImplementedException:
                    # the parallel reader gives up on a line longer than its buffer among few
                    # lines: one thread reads it (and the line is counted malformed below)
                    restore()
                    token = _SERIAL.set(True)
                    try:
                        _scan_locked(con, fmt, target, compression, mtime, parts, head, rejects=True)
                    finally:
                        _SERIAL.reset(token)
        if fmt.text and compression == "none" and not counted:
            for part, before, count in zip(parts, lines_before, counts, strict=True):
                _count_overlong(part.path, part.account, part.account.lines - before, part.content, count)
        for i, first, last in con.execute(
            "SELECT _file, min(day), max(day) FROM ingest_states WHERE _state = 'ok' AND day IS NOT NULL GROUP BY 1"
        ).fetchall():
            parts[int(i)].days = (first, last)
        # Only the aggregate leaves the engine's connection, as Arrow (one row per (day, client,
        # name): files read together are summed here).
        columns = """day, client, name, {n} AS queries, {first} AS first_seen, {last} AS last_seen,
                   CAST({bo} AS BIGINT) AS bytes_out, CAST({bi} AS BIGINT) AS bytes_in"""
        if isinstance(target, list) or _folds(con):
            select = columns.format(
                n="sum(n)",
                first="min(first_seen)",
                last="max(last_seen)",
                bo="sum(bytes_out)",
                bi="sum(bytes_in)",
            )
            group = "GROUP BY day, client, name"
        else:
            select = columns.format(
                n="n", first="first_seen", last="last_seen", bo="bytes_out", bi="bytes_in"
            )
            group = ""
        batch = con.sql(
            f"SELECT {select} FROM ingest_states WHERE _state = 'ok' AND day IS NOT NULL {group}"
        ).to_arrow_table()
    finally:
        watched()
        con.close()
        for count in counts:
            if count is not None:
                count.close()
    store_con.execute("SELECT 1").fetchall()  # no pending result before registering
    store_con.register("ingest_batch_arrow", batch)
    try:
        store_con.execute(f"CREATE OR REPLACE TEMP TABLE {BATCH_TABLE} AS SELECT * FROM ingest_batch_arrow")
    finally:
        store_con.unregister("ingest_batch_arrow")


def _declares(fmt: Format, column: str) -> bool:
    """Whether the format fills ``column`` (else the compiled SQL gives NULL for it on every
    line); a format with its own SQL is taken to fill every column."""
    if isinstance(fmt, ZeekTsvFormat):
        return column in fmt.fields
    if isinstance(fmt, JsonLinesFormat):
        return bool(fmt.paths.get(column))
    if isinstance(fmt, LineRegexFormat):
        return bool(numbered_groups(fmt.groups, column))
    return True


def _folds(con: duckdb.DuckDBPyConnection) -> bool:
    """Whether two rows of ``ingest_states`` may be one (day, client, name): then the batch sums
    them (else each is one already: the groups' keys were the same columns)."""
    row = con.execute("""
        SELECT coalesce(bool_or(_renamed) OR bool_or(_okreason)
                        OR (bool_or(_noclient) AND bool_or(client = '-' AND NOT _noclient)), false)
        FROM ingest_states WHERE _state = 'ok'""").fetchall()
    return bool(row and row[0][0])


MAX_LINE_BYTES = 2_000_000  # DuckDB's line limit (its reader reports longer lines, or loses them)


class _Redo(Exception):
    """The fast JSON reading met a malformed line: read line by line, which can report it."""


class _TimeAsText(Exception):
    """The JSON reader's number reading of the time is in doubt: read with the time as text."""


EPOCH_FIRST_SECOND = "TIMESTAMP '1970-01-01 00:00:00' AND TIMESTAMP '1970-01-01 00:00:01'"


def _line_total(path: Path, content: bytes | None = None, count: NewlineCount | None = None) -> int:
    """Lines of an uncompressed file, as the line reader counts them (a last line without a newline
    counts; a byte order mark is no text). A large file's newlines are counted by ``wc -l`` when
    the system has it (vectorised: a third of the CPU time of Python's loop); ``count``: that
    count, started while the engine read the file."""
    if count is None and content is None:
        count = NewlineCount.start(path)
    if content is None and count is not None and (newlines := count.result()) is not None:
        with open(path, "rb") as f:
            size = f.seek(0, os.SEEK_END)
            if size == 0:
                return 0
            f.seek(size - 1)
            if f.read(1) == b"\n":
                return newlines
            f.seek(0)
            bom_only = size == 3 and f.read(3) == b"\xef\xbb\xbf"  # a byte order mark is no text
        return newlines + (0 if bom_only else 1)  # a last line without a newline counts
    return _line_scan(path, content)[0]


FAST_COUNT_BYTES = 32 << 20  # from this size a file's newlines are counted by wc(1), if found
COUNTS_AHEAD = 4  # wc(1) processes started with one read (a group of many files starts no more)
_WC = next((w for w in ("/usr/bin/wc", "/bin/wc") if os.access(w, os.X_OK)), None)


class NewlineCount:
    """``wc -l`` counting a large file's newlines in its own process, started before the result
    is needed (while the engine reads the same file: on a second core, its 0.1 s per GB is not
    added to the scan's time). :meth:`result` waits for it; :meth:`close` stops one not asked."""

    def __init__(self, proc: subprocess.Popen[bytes]) -> None:
        self.proc = proc
        self._newlines: int | None = None

    @classmethod
    def start(cls, path: Path) -> NewlineCount | None:
        """The count of ``path`` under way; None for a file under ``FAST_COUNT_BYTES`` or
        without ``wc`` (the caller counts in Python)."""
        if _WC is None:
            return None
        try:
            with open(path, "rb") as f:
                if os.fstat(f.fileno()).st_size < FAST_COUNT_BYTES:
                    return None
                # a fixed program and argument, no shell; the child holds its own copy of the file
                proc = subprocess.Popen(  # noqa: S603
                    [_WC, "-l"], stdin=f, stdout=subprocess.PIPE, env={"LC_ALL": "C"}
                )
            return cls(proc)
        except (OSError, subprocess.SubprocessError):
            return None

    def result(self) -> int | None:
        """The newlines, or None when ``wc`` failed (the caller counts in Python)."""
        if self.proc.returncode is None:  # not yet waited for
            try:
                out, _ = self.proc.communicate(timeout=3600)
                self._newlines = int(out.split()[0]) if self.proc.returncode == 0 else None
            except (OSError, ValueError, IndexError, subprocess.SubprocessError):
                self.close()
        return self._newlines

    def close(self) -> None:
        if self.proc.returncode is None:
            self.proc.kill()
            self.proc.communicate()


def _line_scan(path: Path, content: bytes | None = None) -> tuple[int, list[int]]:
    """One pass over an uncompressed file (newlines counted at C speed): its lines, as
    :func:`_line_total` counts them, and the numbers of those longer than ``MAX_LINE_BYTES``."""
    total, run, long_lines = 0, 0, []
    with io.BytesIO(content) if content is not None else open(path, "rb") as f:
        if f.read(3) != b"\xef\xbb\xbf":  # a byte order mark is no text (the reader drops it too)
            f.seek(0)
        while chunk := f.read(1 << 20):
            nl = chunk.find(b"\n")
            if nl == -1:
                run += len(chunk)
                continue
            if run + nl > MAX_LINE_BYTES:
                long_lines.append(total + 1)
            total += chunk.count(b"\n")
            run = len(chunk) - chunk.rfind(b"\n") - 1
        if run:
            if run > MAX_LINE_BYTES:
                long_lines.append(total + 1)
            total += 1
    return total, long_lines


def _snapshot(a: FileAccount) -> FileAccount:
    """A copy of an account that later counting cannot change (cheaper than ``deepcopy``)."""
    return dataclasses.replace(
        a,
        malformed_samples=[dict(s) for s in a.malformed_samples],
        skipped_reasons=dict(a.skipped_reasons),
    )


def _count_overlong(
    path: Path,
    account: FileAccount,
    counted: int,
    content: bytes | None = None,
    count: NewlineCount | None = None,
) -> None:
    """DuckDB's reader reports a line over its limit, but loses one longer than its buffer without
    a word. Count the file's lines (newlines, C speed, one pass) and note each line the engine did
    not account for as malformed, with its number. ``content``: the whole file, when the caller
    already holds it (a small file: no need to open it again)."""
    lost = _line_total(path, content, count) - counted
    if lost <= 0:
        return
    _, long_lines = _line_scan(path, content)  # which lines, only when some were lost
    known = {s["line"] for s in account.malformed_samples}
    new = [n + account.first_line - 1 for n in long_lines]
    new = [n for n in new if n not in known][-lost:]
    # The reader drops two kinds of line without a word: blank ones (a Zeek TSV file) and those
    # longer than its buffer. The long ones were found above; the rest were blank.
    account.lines += lost
    account.malformed += len(new)
    if lost > len(new):
        account.skipped += lost - len(new)
        account.skipped_reasons["blank line"] = account.skipped_reasons.get("blank line", 0) + lost - len(new)
    samples = account.malformed_samples + [
        {"line": n, "reason": f"line longer than the reader's buffer (over {MAX_LINE_BYTES:,} bytes)"}
        for n in new
    ]
    account.malformed_samples = sorted(samples, key=lambda s: int(s["line"]))[:MAX_SAMPLES]


def _resolved(paths: list[Path]) -> set[str]:
    """The real paths of ``paths``; a directory is resolved once for all its files (a file that
    is itself a symbolic link, on its own)."""
    dirs: dict[Path, Path] = {}
    out: set[str] = set()
    for p in map(Path, paths):
        if os.path.islink(p):
            out.add(str(p.resolve()))
            continue
        if p.parent not in dirs:
            dirs[p.parent] = p.parent.resolve()
        out.add(str(dirs[p.parent] / p.name))
    return out


# new, empty in-memory databases made ahead of need (add_spare_connection)
_SPARE: list[duckdb.DuckDBPyConnection] = []


def add_spare_connection(con: duckdb.DuckDBPyConnection) -> None:
    """Give the engine a database made ahead of need: ``duckdb.connect(":memory:")``, on which
    nothing has run. DuckDB creates one without the GIL, so a thread can (the watcher's store
    opener does, while the watcher's modules are imported: 0.01 s its first batch no longer waits
    for). :func:`engine_connection` takes it, sets its allowed paths and locks it, as a new one.
    One is kept: a second, given while the first is unused (a watcher that read nothing), is closed."""
    if _SPARE:
        con.close()
        return
    _SPARE.append(con)


def engine_connection(paths: list[Path]) -> duckdb.DuckDBPyConnection:
    """A private in-memory DuckDB for reading ``paths``, and nothing else: external access is off
    but for those files, and the configuration is locked, so no SQL — even a future mistake that
    let log text into a query — can read, write or attach any other file."""
    try:
        con = _SPARE.pop()
    except IndexError:
        con = duckdb.connect(":memory:")
    allowed = sorted({str(p) for p in paths} | _resolved(paths))
    con.execute(f"SET allowed_paths = {literal_list(allowed)}")
    for setting in progress.settings():
        con.execute(setting)
    con.execute("SET enable_external_access = false")
    con.execute("SET lock_configuration = true")
    return con


def _scan_locked(
    con: duckdb.DuckDBPyConnection,
    fmt: Format,
    target: Target,
    compression: Compression,
    mtime: Mtime,
    parts: list[Part],
    head: list[str] | None,
    rejects: bool = True,
    json_fast: bool = False,
    ts_text: bool = False,
) -> None:
    raw, header_lines = compile_format(
        fmt,
        target,
        compression,
        mtime,
        con,
        head,
        rejects,
        raw_names=True,
        json_fast=json_fast,
        ts_text=ts_text,
    )
    rows = f"SELECT * REPLACE ({_name('name')} AS name) FROM ({raw})"
    for part in parts:
        part.account.envelope = getattr(fmt, "envelope_seen", None)
    # A record whose time cannot be read is malformed, not silently dated; so is one dated outside
    # the years 1-9999 (a garbled stamp: no log is from then, and no client could show the date).
    sane = f"ts BETWEEN {TS_MIN} AND {TS_MAX}"
    future = f"ts > {not_after()}"
    # A name with a control character (NUL, escape, newline …) is no DNS name: the record is
    # malformed, and such bytes never reach the store, a terminal or an export.
    control = r"regexp_matches(name, '[\x00-\x1f\x7f]')"
    # Names are validated once, here: past this point a name is a plausible DNS name (labels of
    # letters, digits, '-' and '_', a '*' wildcard label, Zeek's \xNN escapes of other octets, as
    # in NetBIOS names; at most 253 characters), the root ('.', kept as ''), or an IP address
    # (conn logs, SNI, proxy hosts).
    # Anything else (spaces, brackets, markup, URLs) is malformed: "not a DNS name".
    not_dns = (
        r"NOT (name = '' OR length(name) <= 253 AND regexp_full_match(name, "
        r"'((?:[a-z0-9_-]|\\x[0-9a-f]{2}){1,63}|\*)(\.((?:[a-z0-9_-]|\\x[0-9a-f]{2}){1,63}|\*))*"
        r"|\[?[0-9a-f]*:[0-9a-f:.]*\]?'))"
    )
    # The asking machine is an address (v4, v6 with a zone or brackets), a host name, a MAC or '-':
    # anything else (markup, a JSON object, escapes) is malformed, never a "machine".
    bad_client = (
        r"NOT (client IS NULL OR client = '' OR regexp_full_match(client, "
        r"'[A-Za-z0-9_.:%-]{1,255}|\[[A-Za-z0-9_.:%-]{1,253}\]'))"
    )
    # (each check on the name and the client is made once per row, then read twice)
    clause = f"""
        SELECT * EXCLUDE (_k_control, _k_dns, _k_client) REPLACE (
            CASE WHEN _state = 'ok' AND (ts IS NULL OR NOT {sane} OR {future} OR _k_control OR _k_dns
                                         OR _k_client) THEN 'bad'
                 ELSE _state END AS _state,
            CASE WHEN _state = 'ok' AND _k_control THEN 'control character in the name'
                 WHEN _state = 'ok' AND _k_dns THEN 'not a DNS name'
                 WHEN _state = 'ok' AND _k_client THEN 'not a client address'
                 WHEN _state = 'ok' AND ts IS NULL THEN 'unreadable timestamp'
                 WHEN _state = 'ok' AND NOT {sane} THEN 'timestamp out of range'
                 WHEN _state = 'ok' AND {future} THEN 'in the future'
                 ELSE _reason END AS _reason)
        FROM (
            SELECT *, CASE WHEN _state = 'ok' AND NOT __PLAIN__ THEN {control} WHEN _state = 'ok' THEN false END AS _k_control,
                      CASE WHEN _state = 'ok' AND NOT __PLAIN__ THEN {not_dns}
                           WHEN _state = 'ok' THEN length(name) > 253 END AS _k_dns,
                      CASE WHEN _state = 'ok' THEN {bad_client} END AS _k_client
            FROM (__ROWS__))"""
    # The clause judged line by line (used to find the first malformed lines) ...
    sql = clause.replace("__ROWS__", rows).replace("__PLAIN__", "false")
    # ... and, for the counts, once per distinct (file, state, client, name, day, and outcome of each
    # check on the time): a line's verdict depends on nothing else, and a real log has about 16
    # lines per (day, client, name), so the name checks (and the name's normalisation: case,
    # blanks, the final dot) run on a sixteenth of the lines. Every
    # check of the clause on ``ts`` must be a key here (then any line of the group stands for all):
    # the day decides whether the time is NULL and whether it is in the years 1-9999, so only the
    # check "in the future" needs a key of its own. One file has no file key (its _file is 0).
    # A record's state that follows from its raw name (name_state) is judged per group too.
    many = isinstance(target, list)
    by_name = isinstance(fmt, ZeekTsvFormat) or (
        json_fast and isinstance(fmt, JsonLinesFormat) and not fmt.where
    )
    state, reason = name_state("name")
    per_group = f", {state} AS _state, {reason} AS _reason" if by_name else ""
    # A group's time for the checks is its first (min ignores NULL; the day key makes every
    # time of the group NULL, or in range, alike). A byte count the format does not declare is
    # NULL on every line: not summed (each such sum cost 0.1 CPU s over 6.25 M lines).
    sums = ", ".join(
        f"sum({c}) AS {c}" if _declares(fmt, c) else f"NULL::HUGEINT AS {c}"
        for c in ("bytes_out", "bytes_in")
    )
    # A name of labels of 1-63 lower-case letters, digits, '-' and '_' (most names) is its own
    # normalisation, has no control character and is a DNS name if no longer than 253: one
    # regular expression (``_plain``) instead of three per group.
    grouped = f"""
        SELECT * EXCLUDE (_day, _c3) REPLACE (CASE WHEN _plain THEN name ELSE {_name_once("name")} END AS name),
               first_seen AS ts, name AS _raw{"" if many else ", 0 AS _file"}
        FROM (
            SELECT *{per_group}, coalesce(regexp_full_match(name, {_PLAIN}), false) AS _plain FROM (
                SELECT {"_file, " if many else ""}{"" if by_name else "_state, _reason, "}client, name, CAST(ts AS DATE) AS _day,
                       {future} AS _c3,
                       count(*) AS n, min(ts) AS first_seen, max(ts) AS last_seen, {sums}
                FROM ({raw})
                GROUP BY ALL))"""
    # One row per group, not aggregated again: the readers of ``ingest_states`` sum ``n``, and the
    # batch is summed per (day, client, name) only when two groups may share one (``_folds``:
    # the normalisation changed a name, a client is missing beside '-' (coalesced to it), or a
    # format gave a reason to a record) — on a real log none does, and the second aggregation
    # cost 0.13 CPU s on 390 k groups.
    con.execute(f"""
        CREATE OR REPLACE TEMP TABLE ingest_states AS
        SELECT j._file, j._state,
               CASE WHEN j._state = 'ok' THEN NULL ELSE j._reason END AS _reason,
               CASE WHEN j._state = 'ok' THEN CAST(j.ts AS DATE) END AS day,
               CASE WHEN j._state = 'ok' THEN coalesce(j.client, '-') END AS client,
               CASE WHEN j._state = 'ok' THEN j.name END AS name,
               CAST(j.n AS BIGINT) AS n, j.first_seen, j.last_seen, j.bytes_out, j.bytes_in,
               CASE WHEN j._state = 'ok' THEN j._raw IS DISTINCT FROM j.name END AS _renamed,
               CASE WHEN j._state = 'ok' THEN j.client IS NULL END AS _noclient,
               CASE WHEN j._state = 'ok' THEN j._reason IS NOT NULL END AS _okreason
        FROM ({clause.replace("__ROWS__", grouped).replace("__PLAIN__", "_plain")}) AS j""")
    counts: list[dict[str, int]] = [{} for _ in parts]
    for i, state, n in con.execute("SELECT _file, _state, sum(n) FROM ingest_states GROUP BY ALL").fetchall():
        counts[int(i)][str(state)] = int(n)
    if json_fast and any(c.get("bad") for c in counts):
        raise _Redo  # the JSON reader keeps no line text to find the malformed lines by
    if json_fast and not ts_text and isinstance(fmt, JsonLinesFormat) and json_number_keys(fmt):
        # A time read as a number may have been a JSON boolean (true is 1.0, false 0.0), which the
        # text reading finds unreadable: any record dated in the epoch's first second is read again.
        early = con.execute(
            f"SELECT count(*) FROM ingest_states WHERE _state = 'ok' AND first_seen BETWEEN {EPOCH_FIRST_SECOND}"
        ).fetchone()
        if early and early[0]:
            raise _TimeAsText
    for i, reason, n in con.execute(
        "SELECT _file, _reason, sum(n) FROM ingest_states WHERE _state = 'skip' GROUP BY ALL ORDER BY 1, 3 DESC"
    ).fetchall():
        parts[int(i)].account.skipped_reasons[str(reason)] = int(n)

    refused: list[list[tuple[Any, ...]]] = [[] for _ in parts]
    for r in _rejects(con, REJECTS_TABLE in raw):
        refused[int(r[0])].append(r[1:])
    bad_lines: list[list[tuple[Any, ...]]] = [[] for _ in parts]
    if any(c.get("bad") for c in counts):
        # Lines that do not match may come before the rejected ones: find them too (the first few
        # of each file).
        for i, line, reason in con.execute(
            f"SELECT _file, _line, _reason FROM ({sql}) WHERE _state = 'bad' "
            f"QUALIFY row_number() OVER (PARTITION BY _file) <= {MAX_SAMPLES}"
        ).fetchall():
            bad_lines[int(i)].append((line, reason))
    for part, count, file_rejects, bad_of in zip(parts, counts, refused, bad_lines, strict=True):
        _account(part, compression, count, file_rejects, bad_of, header_lines, located=not fmt.text)


def _account(
    part: Part,
    compression: Compression,
    counts: dict[str, int],
    rejects: list[tuple[Any, ...]],
    bad_lines: list[tuple[Any, ...]],
    header_lines: int,
    located: bool = False,
) -> None:
    """One file's account from its states, the reader's rejects and its first malformed lines.
    ``located``: the rows name their place themselves (``packet N``: a binary input has no lines
    to search for them)."""
    account = part.account
    comment_rejects = [r for r in rejects if (r[3] or "").startswith("#")]
    real_rejects = [r for r in rejects if not (r[3] or "").startswith("#")]
    account.parsed += int(counts.get("ok", 0))
    account.skipped += (
        int(counts.get("skip", 0)) + int(counts.get("blank", 0)) + header_lines + len(comment_rejects)
    )
    # every skipped line has its reason: the product's own (above), and these
    for reason, n in (
        ("blank line", int(counts.get("blank", 0))),
        ("header line", header_lines + len(comment_rejects)),  # Zeek's #fields … #close
    ):
        if n:
            account.skipped_reasons[reason] = account.skipped_reasons.get(reason, 0) + n
    bad = int(counts.get("bad", 0))
    account.malformed += bad + len(real_rejects)
    account.lines += sum(int(v) for v in counts.values()) + header_lines + len(rejects)

    samples = [
        (int(r[0]) + account.first_line - 1, f"{r[1].lower()}: {r[2]}") for r in real_rejects[:MAX_SAMPLES]
    ]
    if bad and located:
        samples += [(int(str(ln).rsplit(" ", 1)[-1]), str(r)) for ln, r in bad_lines]
    elif bad:
        # read no further than the last reject sample (beyond it they would not be among the first)
        stop = samples[-1][0] if len(samples) >= MAX_SAMPLES else None
        samples += _locate(
            part.path, compression, bad_lines, account.first_line, stop, {n for n, _ in samples}
        )
    account.malformed_samples = [{"line": ln, "reason": r} for ln, r in sorted(samples)[:MAX_SAMPLES]]


def _rejects(con: duckdb.DuckDBPyConnection, named: bool) -> list[tuple[Any, ...]]:
    """(file position, line, error type, message, line text) per rejected line, in file order.
    ``named``: the statement named the rejects table (only DuckDB's CSV reader keeps one)."""
    if not named:
        return []
    # The table is asked for, not looked up in duckdb_tables(): that catalog function's first call
    # on a connection costs 5-10 ms, the query 0.5. It is missing when the reader never ran (a
    # plan that read nothing); the engine's private connection holds no transaction to abort.
    try:
        # One row per rejected line (DuckDB may report several errors for one line); ``file_id``
        # is the file's position in the list read.
        return con.execute(
            "SELECT file_id, line, any_value(error_type ORDER BY column_idx), "
            "any_value(error_message ORDER BY column_idx), any_value(csv_line) "
            f"FROM {REJECTS_TABLE} GROUP BY file_id, line ORDER BY file_id, line"
        ).fetchall()
    except duckdb.CatalogException:
        return []


def _locate(
    path: Path,
    compression: Compression,
    bad: list[tuple[Any, ...]],
    first_line: int,
    stop: int | None = None,
    taken: set[int] | None = None,
) -> list[tuple[int, str]]:
    """Line numbers of the first occurrences of the given malformed lines, in file order (the
    same text may be malformed on several lines); read only as far as needed, and not past line
    ``stop``."""
    wanted: dict[str, list[str]] = {}
    for text, reason in bad:
        wanted.setdefault(text, []).append(reason)
    found: list[tuple[int, str]] = []
    with open_decompressed(path, compression) as f:
        for i, raw in enumerate(f):
            if stop is not None and i + first_line > stop:
                break
            if taken and i + first_line in taken:
                continue  # the reader already reported this line (its text may recur below)
            line = raw.decode("utf-8", errors="replace").rstrip("\r\n")
            if i == 0:
                line = line.removeprefix("\ufeff")  # the reader drops a byte order mark
            # the line as the engine saw it: whole, cut at the delimiter (after a NUL DuckDB cuts
            # silently), or the first two fields of a Zeek record (as concat_ws joins them: unset
            # fields left out)
            fields = line.split("\t", 2)[:2]
            candidates = (
                line,
                line.split(LINE_DELIM, 1)[0],
                "\t".join(fields),
                "\t".join(f for f in fields if f not in ("-", "(empty)")),
            )
            key = next((k for k in candidates if k in wanted), None)
            if key is not None:
                reasons = wanted[key]
                found.append((i + first_line, f"{reasons.pop(0)}: {line[:120]!r}"))
                if not reasons:
                    del wanted[key]
                if not wanted:
                    break
    return found
