"""Syslog envelopes: the header a log line gets from the way it was written, not from the product.

The same Unbound, dnsmasq or BIND message reaches a file in many wrappings: RFC 3164
(``<PRI>Mmm dd hh:mm:ss host prog[pid]: ``, also the traditional ``/var/log/syslog`` form without
``<PRI>``, journald's ``short`` and ``short-precise``, dnsmasq's own log file), ISO-stamped
(journald ``short-iso``/``short-iso-precise``, rsyslog's ``RSYSLOG_FileFormat``), RFC 5424
(``<PRI>1 ISO host app procid msgid [sd] ``; OPNsense's resolver log), OPNsense's log view
export (``time<TAB>severity<TAB>process<TAB> message``), Unbound's own
``[epoch] unbound[pid:tid] ``, a program's own ``Mmm dd hh:mm:ss`` stamp alone (PowerDNS Recursor on
standard error), a Kubernetes node's CRI container log (``time stdout F ``), an ISO time alone
(``kubectl logs --timestamps``), a bare ``prog[pid]: `` tag (a program's stderr), ``journalctl -o
json`` (``MESSAGE``, ``__REALTIME_TIMESTAMP``, ``SYSLOG_IDENTIFIER``), or nothing at all
(``journalctl -o cat``).

An envelope is detected once per file from its first lines (:func:`choose`) and stripped before
the product's own pattern, so a format declares only its *message* and every text format gets every
envelope. The envelope's time is used when the message carries none; the envelope's program name,
when a format declares ``programs``, makes a line of another program *skipped* (a shared syslog
file) rather than malformed. A new envelope is one entry in :data:`ENVELOPES`.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sekisho.ingest.base import Format, JsonLinesFormat, LineRegexFormat, Timestamp
from sekisho.ingest.sources import Compression, open_decompressed

# prog[pid]: | prog[pid:tid] (Unbound's own files, no colon) | prog:
_TAG = r"([A-Za-z0-9_./-]+)(?:\[[0-9]+(?::[0-9a-fA-F]+)?\]:?|:) "
# a host name or address: never holds brackets (so Unbound's "unbound[pid:tid]" is a tag, not a host)
_HOST = r"(?:[^\s\[\]]+ )?"
HEAD_LINES = 50
_NO_TIME = Timestamp("none")


@dataclass(frozen=True)
class Envelope:
    """``prefix``: an anchored RE2 pattern whose groups are the time and the program (in that
    order; ``None`` for an envelope without one); the message is what follows it."""

    name: str
    title: str
    prefix: str | None
    timestamp: Timestamp = _NO_TIME
    has_ts: bool = True
    has_prog: bool = True
    json: bool = False

    def strip(self, line: str) -> tuple[str, str | None] | None:
        """(message, program) of one line, or None when the envelope does not match it."""
        if self.json:
            if not line.lstrip(" \t\n\r").startswith("{"):
                return None  # no JSON object (and no exception raised to find that out)
            try:
                obj = json.loads(line)
            except ValueError:
                return None
            if not isinstance(obj, dict) or not isinstance(obj.get("MESSAGE"), str):
                return None
            prog = obj.get("SYSLOG_IDENTIFIER")
            return obj["MESSAGE"], prog if isinstance(prog, str) else None
        if self.prefix is None:
            return line, None
        m = _compiled(self.prefix).match(line)
        if not m:
            return None
        prog = m.group(m.lastindex) if self.has_prog and m.lastindex else None
        return line[m.end() :], prog or None  # an empty program field names none


_CACHE: dict[str, re.Pattern[str]] = {}


def _compiled(p: str) -> re.Pattern[str]:
    if p not in _CACHE:
        _CACHE[p] = re.compile(p)
    return _CACHE[p]


NONE = Envelope("none", "no envelope: the product's own line", None, has_ts=False, has_prog=False)

# Most specific first; ``none`` last (it matches every line).
ENVELOPES: dict[str, Envelope] = {
    "journal-json": Envelope(
        "journal-json",
        "journalctl -o json (MESSAGE, __REALTIME_TIMESTAMP, SYSLOG_IDENTIFIER)",
        None,
        Timestamp("epoch"),
        json=True,
    ),
    # OPNsense's log view "Download" (queryLog.py --output text, newest line first): the time as
    # its parser gives it (an offset east of UTC cut off, one west kept), the severity's name, the
    # process, then the message as written after the structured data (one space before it)
    "opnsense-tab": Envelope(
        "opnsense-tab",
        "OPNsense log view export: time, severity, process, message, tab-separated",
        r"^(?:(\d{4}-\d\d-\d\d[T ]\d\d:\d\d:\d\d(?:\.\d+)?(?:Z|[+-]\d\d:?\d\d)?)|None)\t"
        r"(?:Emergency|Alert|Critical|Error|Warning|Notice|Informational|Debug|None)\t([^\t]*)\t *",
        Timestamp("iso"),
    ),
    "rfc5424": Envelope(
        "rfc5424",
        "RFC 5424 (<PRI>1 ISO-time host app procid msgid [sd]; OPNsense)",
        r"^(?:<\d{1,3}>)?\d{1,2} (\d{4}-\d\d-\d\dT\S+|-) \S+ (\S+) \S+ \S+ (?:-|(?:\[[^\]]*\])+) *",
        Timestamp("iso"),
    ),
    "rfc3164": Envelope(
        "rfc3164",
        "RFC 3164 / BSD syslog (<PRI> optional; journald short, short-precise)",
        r"^(?:<\d{1,3}>)?(\w{3} +\d{1,2} \d\d:\d\d:\d\d)(?:\.\d+)? " + _HOST + _TAG,
        Timestamp("syslog"),
    ),
    # network devices (Cisco ASA/FTD, FortiGate, Palo Alto) relayed by a syslog server: time and
    # sender, no program tag (the device's message follows, sometimes after ": ")
    "rfc3164-device": Envelope(
        "rfc3164-device",
        "RFC 3164 from a network device: time and host, no program tag (Cisco ASA, FortiGate, PAN-OS)",
        r"^(?:<\d{1,3}>)?(\w{3} +\d{1,2} \d\d:\d\d:\d\d)(?:\.\d+)? (?:[^\s\[\]:]+:? )?(?:: )?()",
        Timestamp("syslog"),
        has_prog=False,
    ),
    # a program's own stamp on its standard error, no host nor program (PowerDNS Recursor's
    # log-timestamp=yes): after the two above, which read the same start with more in it
    "stamp": Envelope(
        "stamp",
        "Mmm dd hh:mm:ss only: a program's own stamp, no host or program (PowerDNS Recursor's stderr)",
        r"^(\w{3} +\d{1,2} \d\d:\d\d:\d\d)(?:\.\d+)? ()",
        Timestamp("syslog"),
        has_prog=False,
    ),
    "iso-syslog": Envelope(
        "iso-syslog",
        "ISO-stamped syslog (journald short-iso, short-iso-precise; rsyslog RSYSLOG_FileFormat)",
        r"^(?:<\d{1,3}>)?(\d{4}-\d\d-\d\d[T ]\d\d:\d\d:\d\d(?:\.\d+)?(?:Z|[+-]\d\d:?\d\d)?) " + _HOST + _TAG,
        Timestamp("iso"),
    ),
    # a container's output as a Kubernetes node keeps it (/var/log/pods/…: containerd and CRI-O
    # write the time, the stream and F for a full line, P for part of a longer one)
    "cri": Envelope(
        "cri",
        "CRI container log file (time, stdout/stderr, F/P; containerd, CRI-O)",
        r"^(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(?:\.\d+)?(?:Z|[+-]\d\d:?\d\d)) (?:stdout|stderr) [FP] ()",
        Timestamp("iso"),
        has_prog=False,
    ),
    # an ISO time alone before the message: `kubectl logs --timestamps`, a program's own stamp
    # (CoreDNS 1.5)
    "iso": Envelope(
        "iso",
        "ISO 8601 time alone (kubectl logs --timestamps; a program's own stamp)",
        r"^(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(?:\.\d+)?(?:Z|[+-]\d\d:?\d\d)?) ()",
        Timestamp("iso"),
        has_prog=False,
    ),
    "epoch": Envelope(
        "epoch",
        "[epoch] prog[pid:tid] (Unbound's own log file and stderr)",
        r"^\[(\d+(?:\.\d+)?)\] " + _TAG,
        Timestamp("epoch"),
    ),
    "tag": Envelope("tag", "prog[pid]: only, no time (a program's stderr)", r"^()" + _TAG, has_ts=False),
    "none": NONE,
}


def _message_matches(fmt: LineRegexFormat | JsonLinesFormat, msg: str, prog: str | None) -> bool:
    if isinstance(fmt, JsonLinesFormat):  # a JSON object, of the product's program or signature
        if not msg.lstrip().startswith("{"):
            return False
        return prog in fmt.programs if prog is not None and fmt.programs else fmt.sniff([msg])
    if prog is not None and fmt.programs:
        return prog in fmt.programs
    pats = [fmt.pattern, *(p for p in ([fmt.skip] if fmt.skip else [])), *(r for _, r in fmt.skips)]
    return any(_compiled(p).search(msg) for p in pats)


def choose(fmt: Format, lines: list[str]) -> Envelope:
    """The envelope under which most of the first lines are lines of ``fmt`` (ties: the more
    specific); ``none`` when no envelope fits."""
    lines = [ln.rstrip("\r\n") for ln in lines if ln.strip()][:HEAD_LINES]
    if not isinstance(fmt, (LineRegexFormat, JsonLinesFormat)) or not lines:
        return NONE
    if isinstance(fmt, JsonLinesFormat) and lines[0].lstrip().startswith("{") and fmt.sniff(lines):
        return NONE  # the product's own JSON lines (a journal-json export is JSON too, not of fmt)
    best, best_hits = NONE, 0
    for env in ENVELOPES.values():
        hits = 0
        for ln in lines:
            got = env.strip(ln)
            if got is not None and _message_matches(fmt, got[0], got[1]):
                hits += 1
        if hits > best_hits:
            best, best_hits = env, hits
    return best


def messages(env: Envelope, lines: list[str]) -> list[str]:
    """The first lines as the product wrote them (lines the envelope does not fit stay whole)."""
    out = []
    for ln in lines:
        got = env.strip(ln.rstrip("\r\n"))
        out.append(got[0] if got is not None else ln)
    return out


def sniff(fmt: Format, head: list[str]) -> tuple[bool, Envelope]:
    """Whether ``head`` is ``fmt`` under some envelope (the product's own line first)."""
    if not isinstance(fmt, (LineRegexFormat, JsonLinesFormat)):
        return fmt.sniff(head), NONE
    if isinstance(fmt, JsonLinesFormat):  # its own lines, or its JSON under an envelope
        env = choose(fmt, head)
        return fmt.sniff(head if env is NONE else messages(env, head)), env
    if fmt.sniff(head):
        return True, NONE
    env = choose(fmt, head)
    if env is NONE:
        return False, NONE
    lines = [ln for ln in head if ln.strip()]
    progs = [got[1] for ln in lines if (got := env.strip(ln.rstrip("\r\n"))) is not None]
    if (
        fmt.programs
        and fmt.program_identifies
        and sum(1 for p in progs if p in fmt.programs) >= min(fmt.signature_lines, len(lines))
    ):
        return True, env
    return fmt.sniff(messages(env, head)), env


def head_lines(path: Path, compression: Compression, limit: int = HEAD_LINES) -> list[str]:
    with open_decompressed(path, compression) as f:
        raw = f.read(64 * 1024)
    text = raw.decode("utf-8", errors="replace").removeprefix("\ufeff")
    return text.splitlines()[:limit]


def for_file(fmt: Format, path: Path, compression: Compression) -> Envelope:
    return choose(fmt, head_lines(path, compression))


# --- SQL ---------------------------------------------------------------------------------------


def _q(s: str) -> str:
    return "'" + s.replace("'", "''") + "'"


def relation(lines_rel: str, env: Envelope) -> str:
    """``lines_rel(_line, _file, _mtime)`` → ``(_line, _file, _mtime, _msg, _env_ts, _prog)``: the
    whole line (for accounting and locating) and which file it came from, with that file's
    modification time (several files are read in one pass), the message the product wrote, the
    envelope's time text and program name."""
    if env.json:
        return f"""(
            SELECT _line, _file, _mtime, coalesce(_j[1], _line) AS _msg, _j[2] AS _env_ts, _j[3] AS _prog FROM (
                SELECT _line, _file, _mtime, try(json_extract_string(_line,
                    ['$.MESSAGE', '$.__REALTIME_TIMESTAMP', '$.SYSLOG_IDENTIFIER'])) AS _j
                FROM {lines_rel}))"""
    if env.prefix is None:
        return (
            "(SELECT _line, _file, _mtime, _line AS _msg, NULL::VARCHAR AS _env_ts, NULL::VARCHAR AS _prog "
            f"FROM {lines_rel})"
        )
    pat = env.prefix + "(.*)$"
    return f"""(
        SELECT _line, _file, _mtime, CASE WHEN _e.m = '' THEN _line ELSE _e.m END AS _msg,
               NULLIF(_e.t, '') AS _env_ts, NULLIF(_e.p, '') AS _prog FROM (
            SELECT _line, _file, _mtime, regexp_extract(_line, {_q(pat)}, ['t', 'p', 'm']) AS _e
            FROM {lines_rel}))"""


def ts_sql(fmt: LineRegexFormat, group: str | None, env: Envelope, mtime: dt.datetime | str) -> str:
    """The record's time: the product's own when its line has one, else the envelope's, else the
    file's modification time (``group``: the SQL of the product's time text, or None)."""
    from sekisho.ingest.duckdb_engine import ts_expr

    mt = ts_expr(Timestamp("none"), "", mtime)
    whens = []
    if group is not None:
        own = Timestamp(fmt.timestamp.style, fmt.timestamp.fmt)
        whens.append(f"WHEN {group} IS NOT NULL THEN {ts_expr(own, group, mtime)}")
    if env.has_ts:
        env_ts = (
            "make_timestamp(TRY_CAST(_env_ts AS BIGINT))"
            if env.json
            else ts_expr(env.timestamp, "NULLIF(_env_ts, '-')", mtime)
        )
        whens.append(f"WHEN NULLIF(_env_ts, '-') IS NOT NULL THEN {env_ts}")
    return f"(CASE {' '.join(whens)} ELSE {mt} END)" if whens else mt


def skip_sql(fmt: LineRegexFormat) -> tuple[str, str]:
    """CASE branches (state, reason) for the lines ``fmt`` recognises but that carry no record:
    its ``skips`` (each with its reason), its ``skip``, a line of another program in a shared
    syslog file, and any other message of the product's own program."""
    states, reasons = [], []
    for reason, pat in fmt.skips:
        states.append(f"WHEN regexp_matches(_msg, {_q(pat)}) THEN 'skip'")
        reasons.append(f"WHEN regexp_matches(_msg, {_q(pat)}) THEN {_q(reason)}")
    if fmt.skip:
        states.append(f"WHEN regexp_matches(_msg, {_q(fmt.skip)}) THEN 'skip'")
        reasons.append(f"WHEN regexp_matches(_msg, {_q(fmt.skip)}) THEN 'not a query record'")
    if fmt.programs:
        progs = ", ".join(_q(p) for p in fmt.programs)
        states.append(f"WHEN _prog IN ({progs}) THEN 'skip'")
        reasons.append(f"WHEN _prog IN ({progs}) THEN {_q(f'{fmt.programs[0]} message, not a query')}")
        states.append("WHEN _prog IS NOT NULL THEN 'skip'")
        reasons.append("WHEN _prog IS NOT NULL THEN 'line of another program'")
    return "\n                 ".join(states), "\n                 ".join(reasons)


def describe(env: Envelope) -> dict[str, Any]:
    return {"name": env.name, "title": env.title}
