"""Sign-in formats and their reader. A new format is one module here and one line in
:data:`LOGIN_FORMATS`.

:func:`read_logins` owns everything around a record: decompression (:mod:`sekisho.ingest.sources`),
the syslog envelope of line formats (:mod:`sekisho.ingest.envelope`), JSON documents
(``{"Records": [...]}``, ``{"Events": [...]}``, ``{"value": [...]}``, ``{"items": [...]}``, a bare
array, or one object per line — each record's line is where it starts), CSV rows, and the account:
every line or record is parsed, skipped with a reason, or malformed with file:line and reason.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from sekisho.errors import InputError, Location, NotFoundError
from sekisho.ingest import envelope
from sekisho.ingest.logins.base import LoginAccount, LoginEvent, LoginFormat, Malformed, Skip, parse_time
from sekisho.ingest.logins.cloud_audit import AzureActivity, GcpAudit
from sekisho.ingest.logins.cloudtrail import CloudTrail
from sekisho.ingest.logins.csv_mapped import LoginCsv
from sekisho.ingest.logins.entra import EntraCsv, EntraSignIns
from sekisho.ingest.logins.google_workspace import GoogleWorkspaceLogin
from sekisho.ingest.logins.okta import OktaSystemLog
from sekisho.ingest.logins.openssh import OpenSSH
from sekisho.ingest.logins.windows import WindowsLogon, WindowsLogonXml
from sekisho.ingest.sources import Source, open_decompressed, open_source

LOGIN_FORMATS: dict[str, type[LoginFormat]] = {
    "openssh": OpenSSH,
    "cloudtrail": CloudTrail,
    "entra": EntraSignIns,
    "entra-csv": EntraCsv,
    "okta": OktaSystemLog,
    "google-login": GoogleWorkspaceLogin,
    "windows-logon": WindowsLogon,
    "windows-logon-xml": WindowsLogonXml,
    "gcp-audit": GcpAudit,
    "azure-activity": AzureActivity,
    "login-csv": LoginCsv,
}

# one Windows <Event>…</Event> element; around them only an XML declaration or an <Events> wrapper
_EVENT = re.compile(r"<Event[\s>].*?</Event>", re.S)
_XML_NOISE = re.compile(r"\s*(?:<\?xml[^>]*\?>\s*)?(?:</?Events>\s*)*", re.S)

# the keys under which exports wrap their list of records
_WRAPPERS = ("Records", "Events", "value", "items", "logs", "records", "events")


def get_login_format(name: str, mapping: dict[str, str] | None = None) -> LoginFormat:
    try:
        cls = LOGIN_FORMATS[name]
    except KeyError:
        raise NotFoundError(f"unknown sign-in format {name!r}; known: {', '.join(LOGIN_FORMATS)}") from None
    return LoginCsv(mapping) if cls is LoginCsv else cls()


def _first_json(head_text: str) -> Any:
    """The first record of a JSON export from its head, or None."""
    s = head_text.lstrip("\ufeff \t\r\n")
    if not s:
        return None
    first_line = s.split("\n", 1)[0]
    try:
        obj = json.loads(first_line)
    except ValueError:
        obj = None
    if isinstance(obj, dict) and not any(isinstance(obj.get(k), list) for k in _WRAPPERS):
        return obj
    # a document: find the first object after the wrapper's '[' (or the array's)
    m = re.search(r'"(?:' + "|".join(_WRAPPERS) + r')"\s*:\s*\[\s*', s) or re.match(r"\[\s*", s)
    if not m:
        return obj
    try:
        rec, _ = json.JSONDecoder().raw_decode(s, m.end())
    except ValueError:
        return None
    return rec


def detect_login(source: Source) -> LoginFormat:
    head = source.head_lines()
    if not any(ln.strip() for ln in head):
        raise InputError("empty: no lines to read", Location(source.display))
    first = _first_json(source.head.decode("utf-8", errors="replace"))
    for cls in sorted(LOGIN_FORMATS.values(), key=lambda c: c.priority):
        if cls is LoginCsv:
            continue
        fmt = cls()
        if fmt.shape == "lines":
            decl = getattr(cls, "declaration")()  # noqa: B009 - a ClassVar of line formats
            if envelope.sniff(decl, head)[0]:
                return fmt
        elif fmt.sniff(head, first):
            return fmt
    raise InputError(
        "not a sign-in log sekisho recognises; use --format with one of: " + ", ".join(LOGIN_FORMATS),
        Location(source.display),
    )


_MONTHS = {
    m: i
    for i, m in enumerate(
        ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"), 1
    )
}
_TIMES: dict[tuple[str, int], dt.datetime] = {}


def _syslog_time(text: str, mtime: dt.datetime) -> dt.datetime:
    """``Nov 30 10:00:00`` in the year of the file's time (a December line in a January file: the
    year before); cached, since many lines share a second."""
    key = (text, mtime.year)
    hit = _TIMES.get(key)
    if hit is not None:
        return hit
    mon, day, clock = text.split()
    hh, mm, ss = clock.split(":")
    t = dt.datetime(mtime.year, _MONTHS[mon], int(day), int(hh), int(mm), int(ss), tzinfo=dt.UTC)
    if t > mtime + dt.timedelta(days=1):
        t = t.replace(year=t.year - 1)
    if len(_TIMES) > 100_000:
        _TIMES.clear()
    _TIMES[key] = t
    return t


def _line_time(env: envelope.Envelope, line: str, mtime: dt.datetime) -> dt.datetime:
    if env.json:
        obj = json.loads(line)
        us = obj.get("__REALTIME_TIMESTAMP")
        if us is None:
            return mtime
        return dt.datetime.fromtimestamp(int(us) / 1e6, dt.UTC)
    if env.prefix is None or not env.has_ts:
        return mtime
    m = re.match(env.prefix, line)
    text = m.group(1) if m else None
    if not text or text == "-":
        return mtime
    if env.timestamp.style == "syslog":
        try:
            return _syslog_time(text, mtime)
        except (KeyError, ValueError):
            raise Malformed(f"not a syslog time: {text!r}") from None
    if env.timestamp.style == "epoch":
        return dt.datetime.fromtimestamp(float(text), dt.UTC)
    return parse_time(text)


def _json_records(text: str) -> Iterator[tuple[int, Any]]:
    """(line, record) of a JSON export; a record that is not JSON is yielded as a Malformed."""
    s = text.lstrip("\ufeff")
    stripped = s.lstrip()
    doc: Any = None
    if stripped.startswith("[") or (stripped.startswith("{") and "\n" in stripped.strip()):
        try:
            doc = json.loads(s)
        except ValueError:
            doc = None
    if doc is not None:
        if isinstance(doc, dict):
            key = next((k for k in _WRAPPERS if isinstance(doc.get(k), list)), None)
            if key is None:
                yield s[: len(s) - len(stripped)].count("\n") + 1, doc
                return
            m = re.search(r'"' + key + r'"\s*:\s*\[', s)
            start = m.end() if m else 0
        else:
            start = s.index("[") + 1
        dec = json.JSONDecoder()
        pos, line = start, 1 + s.count("\n", 0, start)
        ws = re.compile(r"[\s,]*")
        while True:
            end = ws.match(s, pos).end()  # type: ignore[union-attr]
            line += s.count("\n", pos, end)
            pos = end
            if pos >= len(s) or s[pos] == "]":
                return
            rec, nxt = dec.raw_decode(s, pos)
            yield line, rec
            line += s.count("\n", pos, nxt)
            pos = nxt
    rows = s.split("\n")
    if rows and rows[-1] == "":
        rows.pop()
    for n, ln in enumerate(rows, 1):
        if not ln.strip():
            yield n, None
            continue
        try:
            obj = json.loads(ln)
        except ValueError:
            yield n, Malformed("not a JSON record")
            continue
        key = (
            next((k for k in _WRAPPERS if isinstance(obj.get(k), list)), None)
            if isinstance(obj, dict)
            else None
        )
        if key is not None:  # a whole export on one line
            for rec in obj[key]:
                yield n, rec
        else:
            yield n, obj


def read_logins(
    path: Path | str, fmt: LoginFormat | None = None, display: str | None = None
) -> tuple[list[LoginEvent], LoginAccount]:
    """Every sign-in of one file, and its account."""
    source = open_source(Path(path))
    if display:
        source.display = display
    try:
        fmt = fmt or detect_login(source)
        for_file = getattr(fmt, "for_file", None)
        if for_file is not None:  # a format that reads something from the file's name
            fmt = for_file(Path(path).name)
        return _read(source, fmt)
    finally:
        source.close()


def _read(source: Source, fmt: LoginFormat) -> tuple[list[LoginEvent], LoginAccount]:
    acct = LoginAccount(source.display, fmt.name)
    mtime = dt.datetime.fromtimestamp(source.mtime, dt.UTC)
    events: list[LoginEvent] = []
    with open_decompressed(source.path, source.compression) as raw:
        text = raw.read().decode("utf-8", errors="replace")

    def take(n: int, rec: Any) -> None:
        acct.records += 1
        try:
            ev = fmt.record(rec)
        except Skip as e:
            acct.skip(str(e))
            return
        except Malformed as e:
            acct.bad(n, str(e))
            return
        events.append(_stamp(ev, source.display, n, fmt.name))
        acct.parsed += 1

    if fmt.shape == "lines":
        lines = text.split("\n")
        if lines and lines[-1] == "":
            lines.pop()
        decl = getattr(type(fmt), "declaration")()  # noqa: B009
        env = envelope.choose(decl, lines[: envelope.HEAD_LINES])
        acct.envelope = env.name
        acct.lines = len(lines)
        for n, ln in enumerate(lines, 1):
            ln = ln.rstrip("\r")
            if not ln.strip():
                acct.skip("blank line")
                continue
            got = env.strip(ln)
            if got is None:
                acct.bad(n, f"not under the file's {env.name} envelope")
                continue
            try:
                ts = _line_time(env, ln, mtime)
            except (ValueError, Malformed) as e:
                acct.bad(n, f"bad time: {e}")
                continue
            take(n, (got[0], got[1], ts))
    elif fmt.shape == "json":
        acct.lines = text.count("\n") + (0 if text.endswith("\n") or not text else 1)
        try:
            for n, rec in _json_records(text):
                if rec is None:
                    acct.skip("blank line")
                elif isinstance(rec, Malformed):
                    acct.records += 1
                    acct.bad(n, str(rec))
                else:
                    take(n, rec)
        except ValueError as e:
            acct.bad(1, f"JSON document cut short or invalid: {e}")
    elif fmt.shape == "xml":
        acct.lines = text.count("\n") + (0 if text.endswith("\n") or not text else 1)
        pos = 0
        for m in _EVENT.finditer(text):
            line = 1 + text.count("\n", 0, m.start())
            gap = text[pos : m.start()]
            pos = m.end()
            if gap.strip() and not _XML_NOISE.fullmatch(gap):
                acct.records += 1
                why = (
                    "a DTD or entity declaration (refused)"
                    if "<!" in gap
                    else "text between events that is no event"
                )
                acct.bad(1 + text.count("\n", 0, m.start() - len(gap)), why)
            take(line, m.group(0))
        if text[pos:].strip() and not _XML_NOISE.fullmatch(text[pos:]):
            acct.records += 1
            acct.bad(1 + text.count("\n", 0, pos), "an event cut short or text after the last event")
    else:
        reader = csv.DictReader(io.StringIO(text.lstrip("\ufeff")))
        header = [h.strip() for h in reader.fieldnames or []]
        if not header:
            raise InputError("the CSV has no header row naming its columns", Location(source.display))
        reader.fieldnames = header
        check = getattr(fmt, "check_header", None)
        if check:
            check(header)
        try:
            for row in reader:
                if None in row:
                    acct.records += 1
                    acct.bad(reader.line_num, "more fields than the header")
                    continue
                take(reader.line_num, row)
        except csv.Error as e:
            acct.bad(reader.line_num, f"CSV: {e}")
        acct.lines = reader.line_num
    return events, acct


def _stamp(ev: LoginEvent, source: str, line: int, fmt: str) -> LoginEvent:
    # where the record came from, set on the event a format just made (dataclasses.replace would
    # copy every event: a third of the time of reading an auth.log)
    object.__setattr__(ev, "source", source)
    object.__setattr__(ev, "line", line)
    object.__setattr__(ev, "format", fmt)
    return ev


__all__ = [
    "LOGIN_FORMATS",
    "LoginAccount",
    "LoginEvent",
    "LoginFormat",
    "detect_login",
    "get_login_format",
    "read_logins",
]
