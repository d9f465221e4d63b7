"""Squid access.log written with the user's own ``logformat`` line (squid.conf).

``--format squid-logformat --logformat '%ts.%03tu %6tr %>a %Ss/%03>Hs %<st %rm %ru …'``, or
``--squid-conf /etc/squid/squid.conf [--logformat-name NAME]`` to take the line from the
configuration (its ``logformat`` and ``access_log`` lines; the built-in ``squid``, ``common``,
``combined``, ``referrer`` and ``useragent`` need no definition).

The line is read the way Squid reads it (``Format::Token::parse`` in ``src/format/Token.cc``; the
codes as documented for the ``logformat`` directive, https://www.squid-cache.org/Doc/config/logformat/):
``%`` [encoding ``"`` ``[`` ``#`` ``/`` ``'``] [``-``] [[``0``]width][``.``max] [``{arg}``] code
[``{arg}``], codes under ``http::``, ``ssl::``/``tls::``, ``adapt::``, ``icap::``,
``proxy_protocol::`` and ``transport::``; a ``"`` or ``[`` … ``]`` in the literal text switches the
encoding of the codes inside it as Squid does. A code Squid does not know is an error naming it.

It becomes one line pattern (:class:`~sekisho.ingest.base.LineRegexFormat`), so accounting,
syslog envelopes and line numbers are those of every text format. The codes that carry what
sekisho stores are read; every other code is matched as a value of its encoding and skipped:

- time: ``%ts`` (with ``.%03tu`` its milliseconds), ``%tS``, ``%tl`` and ``%tg`` (Squid's default
  ``%d/%b/%Y:%H:%M:%S %z`` and ``%d/%b/%Y:%H:%M:%S`` in UTC, or their ``{strftime}`` argument; a
  local time needs ``%z`` to be read back);
- client: ``%>a``, else ``%>A``;
- destination: the TLS SNI ``%ssl::>sni``, else the host of ``%ru`` / ``%>ru`` / ``%<ru`` (URL or
  CONNECT ``host:port``) or ``%>rd`` / ``%<rd``, else the ``Host`` request header
  (``%{Host}>h``) — the first of them that names a host;
- status ``%>Hs`` (else ``%<Hs``, ``%Ss``); bytes ``%<st`` (to the client), ``%>st`` (from it);
  ``%st`` (both) counts as received when there is no ``%<st``.

Each value is matched up to the text that follows it, and may hold that text only where its
encoding escapes it: a value that can hold spaces belongs in quotes (``"%{User-Agent}>h"``) or
brackets, and a line whose value holds its separator is malformed, never misread. Two codes
with nothing between them (``%un%ru``) are refused: no reader could tell where one ends.
Lines of the layout whose destination fields name no host (``error:invalid-request``, ``-``) are
skipped; lines of another layout are malformed. No character of the user's line reaches SQL text
but letters and digits: the literal text is written into the pattern as ``\\xHH`` escapes, and a
``{strftime}`` argument reaches DuckDB's ``strptime`` through :func:`sekisho.sql.literal`.
"""

from __future__ import annotations

import glob
import re
from dataclasses import dataclass
from pathlib import Path
from typing import ClassVar, cast

from sekisho.errors import ConfigError
from sekisho.ingest.base import LineRegexFormat, Timestamp

# Squid's token tables (src/format/Token.cc, with %ui and IDENT, the ident codes Squid 7 removed),
# scanned in this order, each table's entries by prefix: longer codes that share a start with
# shorter ones come first.
_MISC = (
    "byte", ">eui", ">qos", "<qos", ">nfmark", "<nfmark", ">handshake", "err_code", "err_detail",
    "request_attempts", "note", "credentials", "master_xaction",
    # the external_acl_type tokens share the table
    "ACL", "DATA", "DST", "EXT_LOG", "EXT_TAG", "EXT_USER", "IDENT", "LOGIN", "METHOD", "MYADDR", "MYPORT",
    "PATH", "PORT", "PROTO", "SRCEUI48", "SRCEUI64", "SRCPORT", "SRC", "TAG", "URI",
    "USER_CERTCHAIN", "USER_CERT",
)  # fmt: skip
_TWO = (
    ">la", "la", ">lp", "lp", "<la", "oa", "<lp", "ts", "tu", "tl", "tg", "tS", "tr", "<pt", "<tt",
    "dt", "busy_time", ">ha", "un", "ul", "ue", "ui", "Hs", ">Hs", "<Hs", "<bs", "Ss", "Sh", "mt", ">rm",
    ">ru", ">rs", ">rd", ">rP", ">rp", ">rv", "rm", "ru", "rp", "rv", "rG", "<rm", "<ru", "<rs",
    "<rd", "<rP", "<rp", "<rv", ">st", ">sh", "<st", "<sH", "<sS", "<sh", "st", "et", "ea", "sn",
)  # fmt: skip
_ONE = (">a", ">p", ">A", "<a", "<p", "<A", ">h", "<h", ">v", "%")
_NAMESPACES: dict[str, tuple[str, ...]] = {
    "adapt": ("all_trs", "sum_trs", "<last_h"),
    "icap": (
        "tt",
        "<last_h",
        "<A",
        "<service_name",
        "ru",
        "rm",
        ">st",
        "<st",
        "<bs",
        ">h",
        "<h",
        "tr",
        "tio",
        "to",
        "Hs",
    ),
    "tls": (
        "bump_mode",
        ">cert_subject",
        ">cert_issuer",
        ">sni",
        "<cert_subject",
        "<cert_issuer",
        "<cert_errors",
        "<cert",
        ">negotiated_version",
        "<negotiated_version",
        ">negotiated_cipher",
        "<negotiated_cipher",
        ">received_hello_version",
        "<received_hello_version",
        ">received_supported_version",
        "<received_supported_version",
    ),
    "proxy_protocol": (">h",),
    "transport": (">connection_id",),
}
_NAMESPACES["ssl"] = _NAMESPACES["tls"]

# Squid's built-in formats (the logformat documentation, "The default formats available"), as
# Squid's own writers print them (src/log/FormatSquidNative.cc, FormatHttpdCombined.cc, …): where
# the documentation shows "HTTP/%rv" they write the protocol by name, "HTTP/1.1" or "NONE/0.0"
BUILT_IN = {
    "squid": "%ts.%03tu %6tr %>a %Ss/%03>Hs %<st %rm %ru %[un %Sh/%<a %mt",
    "common": '%>a %[ui %[un [%tl] "%rm %ru %rv" %>Hs %<st %Ss:%Sh',
    "combined": '%>a %[ui %[un [%tl] "%rm %ru %rv" %>Hs %<st "%{Referer}>h" "%{User-Agent}>h" %Ss:%Sh',
    "referrer": "%ts.%03tu %>a %{Referer}>h %ru",
    "useragent": '%>a [%tl] "%{User-Agent}>h"',
}
# with log_mime_hdrs on, those writers append the request's and the reply's headers
_MIME_HEADERS = r"(?:\x20\[[^\[\]]*\]\x20\[[^\[\]]*\])?"
_WITH_MIME_HEADERS = frozenset(BUILT_IN[n] for n in ("squid", "common", "combined"))

Encoding = str  # "none" (each code its own), "quotes", "mimeblob", "url", "shell", "raw"
_ENCODING_MARK = {'"': "quotes", "'": "raw", "[": "mimeblob", "#": "url", "/": "shell"}


@dataclass(frozen=True)
class Token:
    """A piece of a logformat line: literal ``text``, or a ``code`` with its modifiers."""

    text: str = ""
    code: str = ""  # "ts", ">a", "ssl::>sni" (the namespace kept, "http::" dropped)
    encoding: Encoding = "none"
    left: bool = False
    zero: bool = False
    width_min: int | None = None
    width_max: int | None = None
    arg: str | None = None
    source: str = ""  # the code as written, for messages


def _scan(table: tuple[str, ...], rest: str) -> str | None:
    return next((tag for tag in table if rest.startswith(tag)), None)


def tokenize(spec: str) -> list[Token]:
    """The tokens of a logformat specification, as Squid's ``Format::Token::parse`` reads it."""
    out: list[Token] = []
    state: Encoding = "none"  # the encoding literal text switched on ('"…"', '[…]')
    i, n = 0, len(spec)
    while i < n:
        if spec[i] != "%":
            j = spec.find("%", i)
            j = n if j < 0 else j
            text = spec[i:j]
            for c in text:
                if c == '"':
                    state = "quotes" if state == "none" else "none" if state == "quotes" else state
                elif c == "[" and state == "none":
                    state = "mimeblob"
                elif c == "]" and state == "mimeblob":
                    state = "none"
            out.append(Token(text=text))
            i = j
            continue
        start = i
        i += 1
        encoding = state
        if i < n and spec[i] in _ENCODING_MARK:
            encoding = _ENCODING_MARK[spec[i]]
            i += 1
        left = zero = False
        if i < n and spec[i] == "-":
            left, i = True, i + 1
        if i < n and spec[i] == "0":
            zero, i = True, i + 1
        width_min = width_max = None
        if m := re.match(r"\d+", spec[i:]):
            width_min, i = int(m.group(0)), i + m.end()
        if i < n and spec[i] == "." and (m := re.match(r"\d+", spec[i + 1 :])):
            width_max, i = int(m.group(0)), i + 1 + m.end()
        arg = None
        if i < n and spec[i] == "{":
            end = spec.find("}", i)
            end = n if end < 0 else end
            arg, i = spec[i + 1 : end], min(end + 1, n)
        rest = spec[i:]
        code = None
        for prefix, table in _NAMESPACES.items():
            if rest.startswith(prefix + "::") and (tag := _scan(table, rest[len(prefix) + 2 :])):
                code, i = f"{prefix}::{tag}", i + len(prefix) + 2 + len(tag)
                break
        if code is None:
            if rest.startswith("http::") and not rest.startswith("http::%"):
                rest, i = rest[6:], i + 6
            tag = _scan(_MISC, rest) or _scan(_TWO, rest) or _scan(_ONE, rest)
            if tag is None:
                word = re.match(r"[^\s%\"\[\]{}]*", rest)
                shown = spec[start : i + (word.end() if word else 0)] or "%"
                raise ConfigError(
                    f"logformat: unknown format code {shown!r} (Squid's codes: https://www.squid-cache.org/Doc/config/logformat/)"
                )
            code, i = tag, i + len(tag)
        if i < n and spec[i] == "{" and arg is None:
            end = spec.find("}", i)
            end = n if end < 0 else end
            arg, i = spec[i + 1 : end], min(end + 1, n)
        if code == "%":
            out.append(Token(text="%"))
            continue
        out.append(Token("", code, encoding, left, zero, width_min, width_max, arg, spec[start:i]))
    return out


def _x(text: str) -> str:
    """``text`` as a pattern matching it literally: letters and digits as they are, every other
    character as a hexadecimal escape (RE2 and Java read ``\\xHH`` and ``\\x{HHHH}``)."""
    return "".join(
        c if c.isascii() and c.isalnum() else (f"\\x{ord(c):02x}" if ord(c) < 0x100 else f"\\x{{{ord(c):x}}}")
        for c in text
    )


def _value(encoding: Encoding, stop: str | None) -> str:
    """A value of ``encoding`` (Squid writes ``-`` for none, never nothing) up to ``stop``, the
    character the line's text puts after it (None: the line's end).

    Each value is matched without ambiguity: it may not hold ``stop`` unless its encoding
    escapes it (a quoted value holds spaces before its closing quote, a ``[…]`` one before its
    ``]``). So a line is read in one pass — by RE2 in DuckDB and by Python's backtracking engine
    when the syslog envelope is chosen — and a value holding its separator makes the line
    malformed, never misread."""
    if encoding == "quotes":
        bar = _x(stop) if stop and stop != '"' else ""
        return f'[^"\\\\{bar}]*(?:\\\\.[^"\\\\{bar}]*)*'
    if encoding == "shell":
        return r'(?:"[^"\\]*(?:\\.[^"\\]*)*"|[^\s"]+)'
    if encoding == "mimeblob":
        bar = _x(stop) if stop and stop not in "[]" else ""
        return f"[^\\[\\]{bar}]+"
    if stop is None:
        return r".+"
    return f"[^{_x(stop)}]+"


# codes whose values never hold a space: numbers, addresses, ports, methods, status words
_WORD_CODES = frozenset(
    [
        "tr",
        "dt",
        "<pt",
        "<tt",
        "busy_time",
        "tu",
        "ts",
        "tS",
        ">p",
        "<p",
        ">lp",
        "lp",
        "<lp",
        ">la",
        "la",
        "<la",
        "oa",
        "<a",
        "<A",
        "Ss",
        "Sh",
        "rm",
        ">rm",
        "<rm",
        "rv",
        ">rv",
        "<rv",
        ">v",
        ">rs",
        "<rs",
        ">rP",
        "<rP",
        "Hs",
        ">Hs",
        "<Hs",
        "<bs",
        "sn",
        ">st",
        ">sh",
        "<st",
        "<sH",
        "<sS",
        "<sh",
        "st",
        ">eui",
        ">qos",
        "<qos",
        ">nfmark",
        "<nfmark",
        "err_code",
        "request_attempts",
        "master_xaction",
        "transport::>connection_id",
        "tls::bump_mode",
        "ssl::bump_mode",
        "METHOD",
        "MYADDR",
        "MYPORT",
        "PORT",
        "PROTO",
        "SRCPORT",
        "SRCEUI48",
        "SRCEUI64",
    ]
)


def _word(stop: str | None) -> str:
    """A value of a code that never holds a space, up to ``stop`` (see :func:`_value`)."""
    return f'[^\\s"{_x(stop) if stop else ""}]+'


_ADDRESS = r'([^\s"\[\]]+)'
_NUMBER = r"(-|\d+)"
# an IPv6 literal is kept without its brackets, which Squid's pass-through URL encoding (%>ru,
# %>rd, %>h, %#…) writes as %5B…%5D
_HOST = r"(?:(?:\[|%5[Bb])([0-9A-Fa-f:.]+)(?:\]|%5[Dd])|([^/:?%\s\"\[\]]+))"
_URL_HOST = (
    r"(?:[A-Za-z][A-Za-z0-9+.-]*://(?:[^/@\s\"]*@)?"
    + _HOST
    + r"(?::\d+)?(?:[/?#][^\s\"]*)?|"
    + _HOST
    + r":\d+)"
)
_HOST_PORT = _HOST + r"(?::\d+)?"

# strftime directive → (pattern, DuckDB strptime directive); Squid formats in the C locale
_STRFTIME = {
    "d": (r"\d\d", "%d"), "m": (r"\d\d", "%m"), "Y": (r"\d{4}", "%Y"), "y": (r"\d\d", "%y"),
    "H": (r"\d\d", "%H"), "I": (r"\d\d", "%I"), "M": (r"\d\d", "%M"), "S": (r"\d\d", "%S"),
    "p": (r"[AP]M", "%p"), "b": (r"[A-Za-z]{3}", "%b"), "h": (r"[A-Za-z]{3}", "%b"),
    "B": (r"[A-Za-z]+", "%B"), "a": (r"[A-Za-z]{3}", "%a"), "A": (r"[A-Za-z]+", "%A"),
    "j": (r"\d{3}", "%j"), "z": (r"[+-]\d{4}", "%z"), "%": (r"\x25", "%%"),
}  # fmt: skip
_STRFTIME_SHORT = {"T": "%H:%M:%S", "F": "%Y-%m-%d", "D": "%m/%d/%y", "R": "%H:%M"}


def _strftime(spec: str, code: str, read: bool = True) -> tuple[str, str]:
    """The pattern of a ``%tl``/``%tg`` time written with ``spec``, and DuckDB's format for it
    (``read``: the record's time, which a local time can be only with its offset)."""
    for short, long in _STRFTIME_SHORT.items():
        spec = spec.replace("%" + short, long)
    pattern, fmt, i = [], [], 0
    while i < len(spec):
        c = spec[i]
        if c != "%":
            pattern.append(_x(c))
            fmt.append(c)
            i += 1
            continue
        d = spec[i + 1 : i + 2]
        if d not in _STRFTIME:
            raise ConfigError(
                f"logformat: %{code} with the strftime directive %{d} cannot be read back "
                f"(use {', '.join('%' + k for k in _STRFTIME if k != '%')})"
            )
        pattern.append(_STRFTIME[d][0])
        fmt.append(_STRFTIME[d][1])
        i += 2
    text = "".join(fmt)
    if read and "%z" not in text and code == "tl":
        raise ConfigError(
            f"logformat: %{{{spec}}}tl is local time without its offset; add %z so it can be read as UTC"
        )
    return "".join(pattern), text


@dataclass(frozen=True)
class Layout:
    """A logformat line compiled: the line pattern, its groups, and how its time is written."""

    spec: str
    pattern: str
    groups: tuple[str, ...]
    timestamp: Timestamp


# the destination's sources by preference (lower first); among equals, the first in the line
_NAME_RANK = {"tls::>sni": 0, "ssl::>sni": 0, "ru": 1, ">ru": 1, "<ru": 1, "URI": 1, ">rd": 1,
              "<rd": 1, "DST": 1, "host": 2}  # fmt: skip
_STATUS_RANK = {">Hs": 0, "Hs": 0, "<Hs": 1, "Ss": 2}
_CLIENT_RANK = {">a": 0, "SRC": 0, ">A": 1}


def _with_fraction(after: list[Token]) -> bool:
    """Whether ``%ts`` is followed by ``.`` and a ``%tu`` that writes its fraction's every digit
    (zero-padded to their number: ``%03tu`` for milliseconds, ``%06.6tu`` for microseconds)."""
    if len(after) < 2 or after[0].text != "." or after[1].code != "tu":
        return False
    tu = after[1]
    digits = min(tu.width_max, 6) if tu.width_max else 3
    return tu.zero and tu.width_min == digits


def compile_logformat(spec: str) -> Layout:
    """The line pattern of a logformat specification (see the module's docstring)."""
    spec = spec.strip()
    if not spec:
        raise ConfigError("logformat: the format specification is empty")
    tokens = tokenize(spec)
    parts: list[str] = []
    captures: list[tuple[str, int, int]] = []  # (role, rank, position) per group, in order
    timestamp = Timestamp("none")
    timed = False

    def group(role: str, rank: int = 0) -> None:
        captures.append((role, rank, len(captures)))

    k = 0
    while k < len(tokens):
        t = tokens[k]
        k += 1
        if not t.code:
            parts.append(_x(t.text))
            continue
        pad = r"\x20*" if t.width_min else ""
        code = t.code
        later = tokens[k + 2 :] if code == "ts" and _with_fraction(tokens[k : k + 2]) else tokens[k:]
        if later and later[0].code:
            raise ConfigError(
                f"logformat: {t.source!r} and {later[0].source!r} are written with nothing between them; "
                "sekisho cannot tell where one value ends (put a space or other text between)"
            )
        stop = later[0].text[:1] if later else None
        header = (t.arg or "").split(":")[0].strip().lower()
        if code in (">h", ">ha") and header == "host":
            code = "host"
        if code == "ts" and not timed:
            if _with_fraction(tokens[k : k + 2]):
                parts.append(pad + r"(\d+\x2e\d+)")
                k += 2  # the "." and the %tu: one number with its fraction
            else:
                parts.append(pad + r"(\d+)")
            group("ts")
            timestamp, timed = Timestamp("epoch"), True
        elif code == "tS" and not timed:
            parts.append(pad + r"(\d+\x2e\d+)")
            group("ts")
            timestamp, timed = Timestamp("epoch"), True
        elif code in ("tl", "tg"):
            default = "%d/%b/%Y:%H:%M:%S %z" if code == "tl" else "%d/%b/%Y:%H:%M:%S"
            pat, fmt = _strftime(t.arg or default, code, read=not timed)
            if timed:  # a second time: matched as written, not read
                parts.append(pad + f"(?:{pat})" + pad)
            else:
                parts.append(pad + f"({pat})" + pad)
                group("ts")
                timestamp, timed = Timestamp("strptime", fmt), True
        elif code in _CLIENT_RANK:
            parts.append(pad + _ADDRESS + pad)
            group("client", _CLIENT_RANK[code])
        elif code in _NAME_RANK:
            rank = _NAME_RANK[code]
            if code in ("ru", ">ru", "<ru", "URI"):
                host, n_groups = _URL_HOST, 4
            elif code == "host":
                host, n_groups = _HOST_PORT, 2
            else:
                host, n_groups = _HOST, 2
            # a value naming no host (``-``, ``error:invalid-request``, ``/path``) leaves the
            # groups empty: a lone "-" is tried first, so that it is never taken for a host
            parts.append(pad + f"(?:-|{host}|{_value(t.encoding, stop)})" + pad)
            for _ in range(n_groups):
                group("name", rank)
        elif code in _STATUS_RANK:
            parts.append(pad + (r"([A-Za-z_]+|-)" if code == "Ss" else _NUMBER) + pad)
            group("status", _STATUS_RANK[code])
        elif code in ("<st", "st"):
            parts.append(pad + _NUMBER + pad)
            group("bytes_in", 0 if code == "<st" else 1)
        elif code == ">st":
            parts.append(pad + _NUMBER + pad)
            group("bytes_out")
        elif code in _WORD_CODES:
            parts.append(pad + _word(stop) + pad)
        else:
            parts.append(pad + _value(t.encoding, stop) + pad)
    if not any(role == "name" for role, _, _ in captures):
        raise ConfigError(
            "logformat: no code names the destination; sekisho needs one of %ru, %>ru, %<ru, %>rd, "
            "%<rd, %ssl::>sni or %{Host}>h"
        )
    # the name of each group: its role, numbered by preference (the engine takes the alternatives
    # of a column in the order of their number, the first non-empty wins)
    names = [""] * len(captures)
    for role in {r for r, _, _ in captures}:
        mine = sorted((rank, pos) for r, rank, pos in captures if r == role)
        for n, (_, pos) in enumerate(mine):
            names[pos] = role if n == 0 else f"{role}_{n + 1}"
    tail = _MIME_HEADERS if spec in _WITH_MIME_HEADERS else ""
    pattern = "^" + "".join(parts) + tail + r"[\x20\x09]*$"
    return Layout(spec, pattern, tuple(names), timestamp)


class SquidLogformat(LineRegexFormat):
    """The format itself; :func:`declare` makes the one of a given logformat line."""

    name = "squid-logformat"
    title = "Squid access.log in your own logformat (--logformat or --squid-conf)"
    kind = "proxy"
    priority = 98
    programs = ("squid",)
    pattern = r"$^"  # no line: the declared subclass carries the user's
    groups = ("name",)
    layout: ClassVar[Layout | None] = None

    def sniff(self, head: list[str]) -> bool:
        return False  # never guessed: the layout is the user's


def declare(spec: str | None) -> type[SquidLogformat]:
    """The format of one logformat line: a subclass whose ClassVars are that line's pattern."""
    if not spec:
        raise ConfigError(
            "--format squid-logformat needs the line: --logformat '%ts.%03tu %>a …' or "
            "--squid-conf /etc/squid/squid.conf [--logformat-name NAME]"
        )
    layout = compile_logformat(spec)
    return cast(
        "type[SquidLogformat]",
        type(
            "SquidLogformatDeclared",
            (SquidLogformat,),
            {
                "pattern": layout.pattern,
                "groups": layout.groups,
                "skips": (("request without a destination host", layout.pattern),),
                "timestamp": layout.timestamp,
                "layout": layout,
            },
        ),
    )


def _conf_lines(path: Path, depth: int = 0) -> list[tuple[Path, int, str]]:
    """The directives of a squid.conf: comments dropped, ``\\`` continuations joined,
    ``include`` files (glob patterns) read in place."""
    if depth > 16:
        raise ConfigError(f"{path}: include nested too deeply")
    try:
        raw = path.read_text(encoding="utf-8", errors="replace").splitlines()
    except OSError as e:
        raise ConfigError(f"cannot read the Squid configuration {path}: {e.strerror}") from None
    out: list[tuple[Path, int, str]] = []
    buf, first = "", 0
    for no, line in enumerate(raw, 1):
        if not buf:
            first = no
        if line.endswith("\\"):
            buf += line[:-1]
            continue
        text, buf = (buf + line).strip(), ""
        if not text or text.startswith("#"):
            continue
        word, _, rest = text.partition(" ")
        if word == "include":
            for pattern in rest.split():
                for inc in sorted(
                    glob.glob(pattern if Path(pattern).is_absolute() else str(path.parent / pattern))
                ):
                    out.extend(_conf_lines(Path(inc), depth + 1))
            continue
        out.append((path, first, text))
    return out


_ROTATED = re.compile(r"(?:\.\d+)?(?:\.(?:gz|bz2|zst|xz))?$")


def logformat_from_conf(path: Path, name: str | None = None, logs: list[str] | None = None) -> str:
    """The logformat line ``name`` defined in a squid.conf (or built in). Without ``name``, the
    one its ``access_log`` lines use; if they use several, the one of the ``access_log`` whose
    file has the name of the ``logs`` being read (``access.log.1.gz`` is ``access.log``)."""
    defined: dict[str, str] = {}
    used: list[tuple[str, str]] = []  # (file name, logformat) of each access_log
    for _, _, text in _conf_lines(path):
        words = text.split()
        if words[0] == "logformat" and len(words) >= 3:
            # the specification is the rest of the line, as Squid takes it
            defined[words[1]] = re.split(r"\s+", text, maxsplit=2)[2]
        elif words[0] == "access_log" and len(words) >= 2 and words[1] != "none":
            options = [w for w in words[2:] if "=" in w]
            fmt = next((w.split("=", 1)[1] for w in options if w.startswith("logformat=")), None)
            if fmt is None:
                bare = [w for w in words[2:] if "=" not in w]
                fmt = bare[0] if bare else "squid"
            used.append((Path(words[1].rpartition(":")[2]).name, fmt))
    if name is None:
        names = sorted({f for _, f in used}) or ["squid"]
        if len(names) > 1 and logs:
            read = {_ROTATED.sub("", Path(p).name) for p in logs}
            names = sorted({f for file, f in used if file in read}) or names
        if len(names) > 1:
            raise ConfigError(
                f"{path}: access_log lines use several logformats ({', '.join(names)}); "
                "choose one with --logformat-name"
            )
        name = names[0]
    if name in defined:
        return defined[name]
    if name in BUILT_IN:
        return BUILT_IN[name]
    known = sorted(set(defined) | set(BUILT_IN))
    raise ConfigError(f"{path}: no logformat named {name!r} (defined or built in: {', '.join(known)})")


__all__ = [
    "BUILT_IN",
    "Layout",
    "SquidLogformat",
    "compile_logformat",
    "declare",
    "logformat_from_conf",
    "tokenize",
]
