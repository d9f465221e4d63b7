"""The Spark engine: compiles the same format declarations into Spark DataFrame code.

The declarations of :mod:`sekisho.ingest.base` are data — a line pattern and its groups, JSON
paths, Zeek field names — so a second engine reads them without a second parser: regex groups
become ``regexp_extract``, JSON paths ``get_json_object``, Zeek fields a position in the split
line. The syslog envelope (:mod:`sekisho.ingest.envelope`) is chosen from the file's first lines
as the DuckDB engine chooses it, then stripped by its own prefix pattern. Every line ends in the
same four states as in :mod:`sekisho.ingest.duckdb_engine` (``ok``, ``skip``, ``blank``,
``bad``), with the same reasons and the same checks on names and times, so a file's
:class:`~sekisho.ingest.duckdb_engine.FileAccount` is the same; the first malformed lines are
reported with their numbers (found in a second pass, only when there are any).

Observations — ``(day, client, name, queries, first_seen, last_seen, bytes_out, bytes_in)`` — are
written as Parquet partitioned by ``day``. Given a ``match`` function (:mod:`sekisho.match.spark_scan`
gives the catalog's), the run's *distinct* names are collected on the driver, matched there by it,
broadcast back as a small table (name → registrable, service_id, matched_on) and joined, so every
row carries its match; ``_sekisho.json`` beside the partitions says what they were matched under
(:mod:`sekisho.store.parquet` reads the directory as a read-only store). Not yet here (issue 18):
the JSON journal envelope, zstd files, decoders (``JsonLinesFormat.decode``), custom formats.
PySpark is the optional extra ``sekisho[spark]``; a JRE 17 must be installed.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sekisho.errors import InputError, Location
from sekisho.extras import require
from sekisho.ingest import detect, envelope, get_format
from sekisho.ingest.accounting import judge
from sekisho.ingest.base import (
    Format,
    JsonLinesFormat,
    LineRegexFormat,
    Timestamp,
    ZeekTsvFormat,
    _fields_line,
    numbered_groups,
)
from sekisho.ingest.duckdb_engine import CLOCK_SKEW, MAX_SAMPLES, FileAccount
from sekisho.ingest.sources import expand, open_source
from sekisho.ingest.years import reference_time, year_note, yearless

if TYPE_CHECKING:
    from pyspark.sql import Column, DataFrame, SparkSession

OBSERVATION_COLUMNS = ("day", "client", "name", "queries", "first_seen", "last_seen", "bytes_out", "bytes_in")
MATCH_COLUMNS = ("registrable", "service_id", "matched_on")  # what the store's ``names`` table says of a name
META_FILE = "_sekisho.json"  # beside the partitions: the catalog and rules of the match, the accounts
# names → (name, registrable, service_id, matched_on) rows, one per name (the store's matcher)
MatchFunction = Callable[[list[str]], Sequence[tuple[str, str | None, str | None, str | None]]]
_BASES = ("ts", "client", "name", "answers", "bytes_out", "bytes_in", "status")
# the DuckDB engine's name check (duckdb_engine._scan_locked), anchored: Java's rlike searches
_DNS_NAME = (
    r"^(?:((?:[a-z0-9_-]|\\x[0-9a-f]{2}){1,63}|\*)(\.((?:[a-z0-9_-]|\\x[0-9a-f]{2}){1,63}|\*))*"
    r"|\[?[0-9a-f]*:[0-9a-f:.]*\]?)$"
)
_CONTROL = r"[\x00-\x1f\x7f]"
# the DuckDB engine's client check: an address, host name or MAC, bracketed or not
_CLIENT = r"^(?:[A-Za-z0-9_.:%-]{1,255}|\[[A-Za-z0-9_.:%-]{1,253}\])$"
# strftime (DuckDB) → Java DateTimeFormatter (Spark) for the directives the formats use
_STRPTIME = {
    "%Y": "yyyy",
    "%y": "yy",
    "%m": "MM",
    "%d": "dd",
    "%b": "MMM",
    "%H": "HH",
    "%I": "hh",
    "%M": "mm",
    "%S": "ss",
    "%g": "SSS",
    "%f": "SSSSSS",
    "%z": "Z",
    "%p": "a",
    "%j": "DDD",
}


def session(master: str = "local[2]", app: str = "sekisho") -> SparkSession:
    """A Spark session set for sekisho: times in UTC, ANSI casts off (a bad field is NULL, as
    DuckDB's TRY_CAST), no web UI. ``master``: ``local[N]`` here; under ``spark-submit`` the
    session the cluster gives is reused (``getOrCreate``)."""
    require("spark")
    from pyspark.sql import SparkSession

    if master.startswith("local"):
        os.environ.setdefault("SPARK_LOCAL_IP", "127.0.0.1")  # one machine: stay on loopback

    builder: Any = SparkSession.builder
    spark: SparkSession = (
        builder.master(master)
        .appName(app)
        .config("spark.sql.session.timeZone", "UTC")
        .config("spark.sql.ansi.enabled", "false")
        .config("spark.sql.legacy.timeParserPolicy", "CORRECTED")
        .config("spark.ui.enabled", "false")
        .config("spark.ui.showConsoleProgress", "false")
        .config("spark.sql.shuffle.partitions", "8")
        .config("spark.driver.extraJavaOptions", "-Duser.timezone=UTC")
        .getOrCreate()
    )
    spark.sparkContext.setLogLevel("ERROR")
    return spark


# --- expressions --------------------------------------------------------------------------------


def _nullif(c: Column) -> Column:
    from pyspark.sql import functions as F

    return F.when(c != "", c)


def _java_pattern(fmt: str) -> str:
    out, i = [], 0
    while i < len(fmt):
        if fmt[i] == "%":
            d = fmt[i : i + 2]
            if d not in _STRPTIME:
                raise TypeError(f"the Spark engine cannot read the time directive {d!r}")
            out.append(_STRPTIME[d])
            i += 2
        else:
            ch = fmt[i]
            out.append(f"'{ch}'" if ch.isalpha() else ch)
            i += 1
    return "".join(out)


def _mtime_lit(mtime: dt.datetime) -> Column:
    from pyspark.sql import functions as F

    return F.lit(mtime.strftime("%Y-%m-%d %H:%M:%S")).cast("timestamp")


def ts_col(ts: Timestamp, c: Column, mtime: dt.datetime) -> Column:
    """The Spark twin of :func:`sekisho.ingest.duckdb_engine.ts_expr`."""
    from pyspark.sql import functions as F

    mt = _mtime_lit(mtime)
    if ts.optional:
        inner = ts_col(Timestamp(ts.style, ts.fmt), c, mtime)
        return F.when(F.coalesce(c, F.lit("")) == "", mt).otherwise(inner)
    if ts.style == "auto":
        return F.coalesce(ts_col(Timestamp("epoch"), c, mtime), ts_col(Timestamp("iso"), c, mtime))
    if ts.style == "epoch":
        # DuckDB's cast from DOUBLE to BIGINT rounds; so does this
        return F.timestamp_micros(F.round(c.cast("double") * 1_000_000).cast("bigint"))
    if ts.style == "iso":
        return c.cast("timestamp")
    if ts.style == "strptime":
        assert ts.fmt
        return F.to_timestamp(c, _java_pattern(ts.fmt))
    if ts.style == "syslog":
        t = F.to_timestamp(
            F.concat(F.lit(f"{mtime.year} "), F.regexp_replace(c, " +", " ")), "yyyy MMM d HH:mm:ss"
        )
        late = t > mt + F.expr("INTERVAL 1 DAY")
        return F.when(late, t - F.expr("INTERVAL 1 YEAR")).otherwise(t)
    return mt


def _name_col(c: Column) -> Column:
    from pyspark.sql import functions as F

    return F.lower(F.regexp_replace(F.trim(c), r"\.+$", ""))


@dataclass
class _Rows:
    """Per line: the normalised columns, ``_state`` and ``_reason``; ``_line`` the text."""

    df: DataFrame
    header_lines: int = 0


def _lines(spark: SparkSession, path: Path, numbered: bool) -> DataFrame:
    """The file's lines (``_line``), with their number from 1 (``_n``) when ``numbered``."""
    from pyspark.sql import functions as F

    if numbered:
        rdd = spark.sparkContext.textFile(str(path)).zipWithIndex().map(lambda t: (t[0], t[1] + 1))
        df = spark.createDataFrame(rdd, "_line string, _n long")
    else:
        df = spark.read.text(str(path)).withColumnRenamed("value", "_line")
    # a byte order mark is no text (DuckDB's reader drops it too)
    return df.withColumn("_line", F.regexp_replace("_line", "^\ufeff", ""))


def _with_envelope(df: DataFrame, env: envelope.Envelope) -> DataFrame:
    """``_msg`` (what the product wrote), ``_env_ts``, ``_prog``: as :func:`envelope.relation`."""
    from pyspark.sql import functions as F

    if env.json:
        raise TypeError("the Spark engine does not read the journalctl JSON envelope yet")
    if env.prefix is None:
        return df.select(
            "*",
            F.col("_line").alias("_msg"),
            F.lit(None).cast("string").alias("_env_ts"),
            F.lit(None).cast("string").alias("_prog"),
        )
    groups = re.compile(env.prefix).groups
    pat = env.prefix + "(.*)$"
    m = F.regexp_extract("_line", pat, groups + 1)
    t = F.regexp_extract("_line", pat, 1) if groups >= 1 else F.lit("")
    p = F.regexp_extract("_line", pat, 2) if groups >= 2 else F.lit("")
    return df.select(
        "*",
        F.when(m == "", F.col("_line")).otherwise(m).alias("_msg"),
        _nullif(t).alias("_env_ts"),
        _nullif(p).alias("_prog"),
    )


def _cases(pairs: Iterable[tuple[Column, Any]], default: Any) -> Column:
    from pyspark.sql import functions as F

    out: Any = None
    for cond, value in pairs:
        v = value if not isinstance(value, str) else F.lit(value)
        out = F.when(cond, v) if out is None else out.when(cond, v)
    d = default if not isinstance(default, str) and default is not None else F.lit(default)
    return d if out is None else out.otherwise(d)


def compile_regex(fmt: LineRegexFormat, lines: DataFrame, path: Path, mtime: dt.datetime) -> _Rows:
    from pyspark.sql import functions as F

    env = envelope.for_file(fmt, path, open_source(path).compression)
    fmt.envelope_seen = None if env is envelope.NONE else env.name
    df = _with_envelope(lines, env)
    g: dict[str, Column] = {}
    for base in _BASES:
        alts = [
            _nullif(F.regexp_extract("_msg", fmt.pattern, i + 1)) for i in numbered_groups(fmt.groups, base)
        ]
        if alts:
            g[base] = alts[0] if len(alts) == 1 else F.coalesce(*alts)
    if "name" not in g:
        raise TypeError(f"format {fmt.name!r} declares no 'name' group")
    msg, line = F.col("_msg"), F.col("_line")
    blank = line.isNull() | (F.trim(line) == "")
    states: list[tuple[Column, str]] = [(g["name"].isNotNull(), "ok"), (blank, "blank")]
    reasons: list[tuple[Column, Any]] = [(g["name"].isNotNull(), None), (blank, "blank line")]
    if fmt.record_start:
        starts = msg.rlike(fmt.record_start)
        states.append((starts, "bad"))
        reasons.append((starts, f"starts like a {fmt.name} record but does not match its pattern"))
    for reason, pat in fmt.skips:  # envelope.skip_sql, in the same order
        states.append((msg.rlike(pat), "skip"))
        reasons.append((msg.rlike(pat), reason))
    if fmt.skip:
        states.append((msg.rlike(fmt.skip), "skip"))
        reasons.append((msg.rlike(fmt.skip), "not a query record"))
    if fmt.programs:
        mine = F.col("_prog").isin(*fmt.programs)
        states.append((mine, "skip"))
        reasons.append((mine, f"{fmt.programs[0]} message, not a query"))
        states.append((F.col("_prog").isNotNull(), "skip"))
        reasons.append((F.col("_prog").isNotNull(), "line of another program"))
    # the record's time: its own, else the envelope's, else the file's (envelope.ts_sql)
    mt = _mtime_lit(mtime)
    ts = mt
    env_ts = _nullif(F.when(F.col("_env_ts") != "-", F.col("_env_ts")))
    if env.has_ts:
        ts = F.when(env_ts.isNotNull(), ts_col(env.timestamp, env_ts, mtime)).otherwise(ts)
    if "ts" in g:
        own = Timestamp(fmt.timestamp.style, fmt.timestamp.fmt)
        ts = F.when(g["ts"].isNotNull(), ts_col(own, g["ts"], mtime)).otherwise(ts)
    out = df.select(
        ts.alias("ts"),
        (g["client"] if "client" in g else F.lit(None).cast("string")).alias("client"),
        g["name"].alias("name"),
        (g["bytes_out"].cast("bigint") if "bytes_out" in g else F.lit(None).cast("bigint")).alias(
            "bytes_out"
        ),
        (g["bytes_in"].cast("bigint") if "bytes_in" in g else F.lit(None).cast("bigint")).alias("bytes_in"),
        _cases(states, "bad").alias("_state"),
        _cases(reasons, f"does not match the {fmt.name} line pattern").alias("_reason"),
        *(c for c in ("_line", "_n") if c in df.columns),
    )
    return _Rows(out)


_JSON_STEP = re.compile(r'\.([A-Za-z0-9_@$-]+)|\."([^"]+)"|\[(\d+)\]')


def _spark_json_path(p: str) -> str:
    """A format's JSON path (``key``, ``a/b``, ``$."a.b"``, ``$.a.b[0].c``) as a path of Spark's
    ``get_json_object``; keys are bracketed, so a key may hold a dot."""
    if not p.startswith("$"):
        return "$" + "".join(f"['{part}']" for part in p.split("/"))
    out, i = "$", 1
    while i < len(p):
        m = _JSON_STEP.match(p, i)
        if not m or "'" in (m.group(1) or m.group(2) or ""):
            raise TypeError(f"the Spark engine cannot read the JSON path {p!r}")
        out += f"[{m.group(3)}]" if m.group(3) else f"['{m.group(1) or m.group(2)}']"
        i = m.end()
    return out


def compile_json(fmt: JsonLinesFormat, lines: DataFrame, path: Path, mtime: dt.datetime) -> _Rows:
    from pyspark.sql import functions as F

    if fmt.decode:
        raise TypeError(f"the Spark engine cannot decode the fields of {fmt.name!r} yet")
    env = envelope.for_file(fmt, path, open_source(path).compression)
    if env is not envelope.NONE:
        raise TypeError(f"the Spark engine does not read {fmt.name} inside a syslog envelope yet")
    fmt.envelope_seen = None
    text = F.col("_line")

    def field(column: str) -> Column:
        alts = [F.get_json_object(text, _spark_json_path(p)) for p in fmt.paths.get(column, ())]
        if not alts:
            return F.lit(None).cast("string")
        return alts[0] if len(alts) == 1 else F.coalesce(*alts)

    def allowed(k: str, vals: tuple[str | None, ...]) -> Column:
        v = F.get_json_object(text, _spark_json_path(k))
        listed = [x for x in vals if x is not None]
        test = v.isin(*listed) if listed else F.lit(False)
        return (test | v.isNull()) if None in vals else test

    conds: Column = F.lit(True)
    for k, vals in fmt.where.items():
        conds = conds & allowed(k, vals)
    conds = F.coalesce(conds, F.lit(False))
    # not a JSON object: Spark's JSON reader gives no root (DuckDB's json_extract_string fails)
    is_json = F.get_json_object(text, "$").isNotNull() & F.ltrim(text).startswith("{")
    name = field("name")
    blank = text.isNull() | (F.trim(text) == "")
    no_name = F.coalesce(name, F.lit("")) == ""
    state = _cases([(blank, "blank"), (~is_json, "bad"), (~conds, "skip"), (no_name, "skip")], "ok")
    reason = _cases(
        [
            (blank, "blank line"),
            (~is_json, "not a JSON object"),
            (~conds, "other record type"),
            (no_name, "record without a name"),
        ],
        None,
    )
    out = lines.select(
        ts_col(fmt.timestamp, field("ts"), mtime).alias("ts"),
        field("client").alias("client"),
        name.alias("name"),
        field("bytes_out").cast("bigint").alias("bytes_out"),
        field("bytes_in").cast("bigint").alias("bytes_in"),
        state.alias("_state"),
        reason.alias("_reason"),
        *(c for c in ("_line", "_n") if c in lines.columns),
    )
    return _Rows(out)


def compile_zeek(
    fmt: ZeekTsvFormat, lines: DataFrame, path: Path, mtime: dt.datetime, head: list[str]
) -> _Rows:
    """Zeek TSV read by position: the header's names choose a field, never enter the code. Header
    and comment lines (``#close``) are skipped without a reason, as DuckDB's reader skips them."""
    from pyspark.sql import functions as F

    fields = _fields_line(head)
    missing = [f for f in fmt.fields.values() if f not in fields]
    if missing:
        raise ValueError(f"Zeek header has no field(s) {', '.join(missing)}")
    header_lines = 0
    for ln in head:
        if not ln.startswith("#"):
            break
        header_lines += 1
    parts = F.split(F.col("_line"), "\t")
    n = F.size(parts)

    def col(name: str) -> Column:
        if name not in fmt.fields:
            return F.lit(None).cast("string")
        v = parts.getItem(fields.index(fmt.fields[name]))
        return F.when(~v.isin("-", "(empty)"), v)

    line = F.col("_line")
    comment = line.startswith("#")
    blank = line.isNull() | (line == "")
    name = col("name")
    state = _cases(
        [
            (comment, "skip"),
            (blank, "skip"),
            (n < len(fields), "bad"),
            (n > len(fields), "bad"),
            (F.coalesce(name, F.lit("")) == "", "skip"),
        ],
        "ok",
    )
    reason = _cases(
        [
            (comment, "header line"),
            (blank, "blank line"),
            (n < len(fields), f"missing columns: expected {len(fields)} fields"),
            (n > len(fields), f"too many columns: expected {len(fields)} fields"),
            (F.coalesce(name, F.lit("")) == "", "record without a name"),
        ],
        None,
    )
    out = lines.select(
        ts_col(Timestamp("epoch"), col("ts"), mtime).alias("ts"),
        col("client").alias("client"),
        name.alias("name"),
        col("bytes_out").cast("bigint").alias("bytes_out"),
        col("bytes_in").cast("bigint").alias("bytes_in"),
        state.alias("_state"),
        reason.alias("_reason"),
        *(c for c in ("_line", "_n") if c in lines.columns),
    )
    return _Rows(out, header_lines)


def compile_format(fmt: Format, lines: DataFrame, path: Path, mtime: dt.datetime, head: list[str]) -> _Rows:
    if isinstance(fmt, ZeekTsvFormat):
        return compile_zeek(fmt, lines, path, mtime, head)
    if isinstance(fmt, LineRegexFormat):
        return compile_regex(fmt, lines, path, mtime)
    if isinstance(fmt, JsonLinesFormat):
        return compile_json(fmt, lines, path, mtime)
    raise TypeError(f"the Spark engine cannot compile format {fmt.name!r}")


def _ts_flags(ts: Column, now: dt.datetime | None = None) -> list[Column]:
    """The checks on a record's time, as columns ``_c1`` (unreadable), ``_c2`` (in range),
    ``_c3`` (in the future): the keys lines are grouped by before the name checks run."""
    from pyspark.sql import functions as F

    latest = (now or dt.datetime.now(dt.UTC).replace(tzinfo=None)) + CLOCK_SKEW
    sane = (ts >= F.lit("0001-01-01").cast("timestamp")) & (
        ts <= F.lit("9999-12-31 23:59:59.999999").cast("timestamp")
    )
    future = ts > F.lit(latest.strftime("%Y-%m-%d %H:%M:%S")).cast("timestamp")
    return [ts.isNull().alias("_c1"), sane.alias("_c2"), future.alias("_c3")]


def judged(rows: DataFrame, now: dt.datetime | None = None) -> DataFrame:
    """The checks every engine makes on a record (duckdb_engine._scan_locked): a time that cannot
    be read, out of range or in the future, a name with a control character or not a DNS name
    makes the line malformed; the name is normalised. ``rows`` holds lines (``ts``) or groups of
    lines that share the outcome of every time check (``_c1``, ``_c2``, ``_c3``)."""
    from pyspark.sql import functions as F

    if "_c1" not in rows.columns:
        rows = rows.select("*", *_ts_flags(F.col("ts"), now))
    name = _name_col(F.col("name"))
    ok = F.col("_state") == "ok"
    control = name.rlike(_CONTROL)
    not_dns = ~((name == "") | ((F.length(name) <= 253) & name.rlike(_DNS_NAME)))
    client = F.col("client")
    bad_client = ~(client.isNull() | (client == "") | client.rlike(_CLIENT))
    checks = [
        (ok & control, "control character in the name"),
        (ok & not_dns, "not a DNS name"),
        (ok & bad_client, "not a client address"),
        (ok & F.col("_c1"), "unreadable timestamp"),
        (ok & ~F.col("_c2"), "timestamp out of range"),
        (ok & F.col("_c3"), "in the future"),
    ]
    bad = F.lit(False)
    for cond, _ in checks:
        bad = bad | F.coalesce(cond, F.lit(False))
    reason: Any = None
    for cond, text in checks:
        reason = F.when(cond, F.lit(text)) if reason is None else reason.when(cond, F.lit(text))
    return (
        rows.withColumn("name", name)
        .withColumn("_reason", reason.otherwise(F.col("_reason")))
        .withColumn("_state", F.when(bad, F.lit("bad")).otherwise(F.col("_state")))
    )


# --- scanning -----------------------------------------------------------------------------------


@dataclass
class _Days:
    """The first and last day of a file's records, answering :func:`year_note`'s one query."""

    days: tuple[Any, Any]

    def execute(self, _sql: str) -> _Days:
        return self

    def fetchone(self) -> tuple[Any, Any]:
        return self.days


@dataclass
class SparkScan:
    """What a Spark scan wrote and read: the Parquet directory and each file's account."""

    out: Path | str
    files: list[FileAccount]
    observations: int
    names: int | None = None  # distinct names matched (None: not matched)

    def as_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "engine": "spark",
            "out": str(self.out),
            "observations": self.observations,
            "files": [f.as_dict() for f in self.files],
        }
        if self.names is not None:
            out["names"] = self.names
        return out


def _states(
    spark: SparkSession, fmt: Format, path: Path, mtime: dt.datetime, head: list[str], numbered: bool
) -> tuple[DataFrame, int]:
    rows = compile_format(fmt, _lines(spark, path, numbered), path, mtime, head)
    return judged(rows.df), rows.header_lines


def scan_file(
    spark: SparkSession, fmt: Format, path: Path, mtime: dt.datetime, account: FileAccount, head: list[str]
) -> DataFrame:
    """One file: fill ``account`` and return its observations (one row per day, client, name)."""
    from pyspark.sql import functions as F

    rows = compile_format(fmt, _lines(spark, path, numbered=False), path, mtime, head).df
    # Lines grouped first by (state, reason, client, raw name, day, outcome of each time check):
    # a line's verdict depends on nothing else, so the name checks and the name's normalisation
    # run once per group (a real log has about 16 lines per group), as in the DuckDB engine.
    ts = F.col("ts")
    per_name = judged(
        rows.groupBy("_state", "_reason", "client", "name", F.to_date(ts).alias("_day"), *_ts_flags(ts)).agg(
            F.count(F.lit(1)).alias("n"),
            F.min(ts).alias("first_seen"),
            F.max(ts).alias("last_seen"),
            F.sum("bytes_out").alias("bytes_out"),
            F.sum("bytes_in").alias("bytes_in"),
        )
    )
    # then per (state, reason, day, client, name), as DuckDB's ingest_states
    ok = F.col("_state") == "ok"
    grouped = (
        per_name.select(
            "_state",
            F.when(~ok, F.col("_reason")).alias("_reason"),
            F.when(ok, F.col("_day")).alias("day"),
            F.when(ok, F.coalesce("client", F.lit("-"))).alias("client"),
            F.when(ok, F.col("name")).alias("name"),
            "n",
            "first_seen",
            "last_seen",
            "bytes_out",
            "bytes_in",
        )
        .groupBy("_state", "_reason", "day", "client", "name")
        .agg(
            F.sum("n").alias("queries"),
            F.min("first_seen").alias("first_seen"),
            F.max("last_seen").alias("last_seen"),
            F.sum("bytes_out").alias("bytes_out"),
            F.sum("bytes_in").alias("bytes_in"),
        )
        .cache()
    )
    counts: dict[tuple[str, str | None], int] = {
        (r["_state"], r["_reason"]): int(r["n"])
        for r in grouped.groupBy("_state", "_reason").agg(F.sum("queries").alias("n")).collect()
    }
    account.envelope = getattr(fmt, "envelope_seen", None)
    account.parsed += sum(n for (s, _), n in counts.items() if s == "ok")
    account.skipped += sum(n for (s, _), n in counts.items() if s in ("skip", "blank"))
    account.malformed += sum(n for (s, _), n in counts.items() if s == "bad")
    account.lines += sum(counts.values())
    reasons: dict[str, int] = {}
    for (s, r), n in counts.items():
        # as the DuckDB engine: every skipped line's reason, blank lines as 'blank line'
        if s in ("skip", "blank") and r:
            reasons[r] = reasons.get(r, 0) + n
    account.skipped_reasons.update(dict(sorted(reasons.items(), key=lambda kv: -kv[1])))
    if account.malformed:
        numbered, _ = _states(spark, fmt, path, mtime, head, numbered=True)
        first = numbered.where(F.col("_state") == "bad").orderBy("_n").limit(MAX_SAMPLES).collect()
        account.malformed_samples = [
            {"line": int(r["_n"]) + account.first_line - 1, "reason": f"{r['_reason']}: {r['_line'][:120]!r}"}
            for r in first
        ]
    return grouped.where(ok & F.col("day").isNotNull()).select(*OBSERVATION_COLUMNS)


def scan(
    paths: list[str],
    out: Path | str,
    spark: SparkSession | None = None,
    format_name: str | None = None,
    *,
    year: int | None = None,
    match: MatchFunction | None = None,
    meta: dict[str, Any] | None = None,
) -> SparkScan:
    """Scan ``paths`` (files, directories) with Spark and write their observations to ``out`` as
    Parquet partitioned by day (replacing what was there). With ``match`` the rows carry each
    name's ``registrable``, ``service_id`` and ``matched_on``, and ``_sekisho.json`` (``meta``, the
    time and the files' accounts) is written beside the partitions."""
    require("spark")
    from pyspark.sql import functions as F

    spark = spark or session()
    started = dt.datetime.now(dt.UTC).replace(tzinfo=None)
    forced = get_format(format_name) if format_name else None
    accounts: list[FileAccount] = []
    frames: list[DataFrame] = []
    for item in expand(paths):
        if item == "-":
            raise InputError("the Spark engine reads files, not standard input")
        src = open_source(Path(item))
        if src.compression not in ("none", "gzip"):
            raise InputError(
                f"the Spark engine reads plain and gzip files, not {src.compression}", Location(src.display)
            )
        fmt = forced or detect(src)
        account = FileAccount(src.display, fmt.name)
        mtime = reference_time(dt.datetime.fromtimestamp(src.mtime), year)
        frame = scan_file(spark, fmt, Path(item), mtime, account, src.head_lines())
        frames.append(frame)
        if not isinstance(fmt, JsonLinesFormat) and yearless(src.head_lines()):
            days = frame.agg(F.min("day"), F.max("day")).collect()[0]
            if note := year_note(_Days((days[0], days[1])), "", mtime, year):
                account.note = f"{account.note}; {note}" if account.note else note
        judge(account, forced is not None, src.display)
        accounts.append(account)
    if not frames:
        raise InputError("nothing to scan: the paths hold no files")
    union = frames[0]
    for f in frames[1:]:
        union = union.unionByName(f)
    obs = union.groupBy("day", "client", "name").agg(
        F.sum("queries").alias("queries"),
        F.min("first_seen").alias("first_seen"),
        F.max("last_seen").alias("last_seen"),
        F.sum("bytes_out").cast("bigint").alias("bytes_out"),
        F.sum("bytes_in").cast("bigint").alias("bytes_in"),
    )
    # TIMESTAMP_NTZ: the Parquet says the times are UTC wall-clock times, as the store's are
    obs = obs.select(
        "day",
        "client",
        "name",
        F.col("queries").cast("bigint").alias("queries"),
        F.col("first_seen").cast("timestamp_ntz").alias("first_seen"),
        F.col("last_seen").cast("timestamp_ntz").alias("last_seen"),
        "bytes_out",
        "bytes_in",
    ).cache()
    n = obs.count()
    matched: DataFrame = obs
    names: int | None = None
    if match is not None:
        matched, names = _matched(spark, obs, match)
    matched.write.mode("overwrite").partitionBy("day").parquet(str(out))
    obs.unpersist()
    result = SparkScan(out, accounts, n, names)
    if match is not None:
        doc = {
            **(meta or {}),
            "engine": "spark",
            "started_at": started.isoformat(sep=" "),
            "finished_at": dt.datetime.now(dt.UTC).replace(tzinfo=None).isoformat(sep=" "),
            "observations": n,
            "names": names,
            "files": [f.as_dict() for f in accounts],
        }
        _write_beside(spark, str(out), META_FILE, json.dumps(doc, ensure_ascii=False, indent=1) + "\n")
    return result


def _matched(spark: SparkSession, obs: DataFrame, match: MatchFunction) -> tuple[DataFrame, int]:
    """``obs`` with each name's match: the distinct names go to the driver (they are few beside the
    rows), ``match`` classifies them there, and its answer is broadcast and joined."""
    from pyspark.sql import functions as F

    names = [str(r[0]) for r in obs.select("name").distinct().collect()]
    rows = [tuple(r) for r in match(names)] if names else []
    table = spark.createDataFrame(
        rows, "name string, registrable string, service_id string, matched_on string"
    )
    joined = obs.join(F.broadcast(table), "name", "left")
    return joined.select(*OBSERVATION_COLUMNS, *MATCH_COLUMNS), len(names)


def _write_beside(spark: SparkSession, out: str, name: str, text: str) -> None:
    """Write a small text file into the output directory: by Python for a plain path, else through
    the Hadoop file system Spark writes the partitions with (``hdfs://``, ``s3a://``, ``file://``)."""
    if "://" not in out:
        Path(out, name).write_text(text, encoding="utf-8")
        return
    jvm: Any = spark.sparkContext._jvm
    conf = spark.sparkContext._jsc.hadoopConfiguration()
    path = jvm.org.apache.hadoop.fs.Path(out.rstrip("/") + "/" + name)
    stream = path.getFileSystem(conf).create(path, True)
    try:
        stream.write(bytearray(text.encode("utf-8")))
    finally:
        stream.close()
