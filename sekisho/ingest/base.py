"""How a log format is declared.

A format says how to recognise a file (:meth:`Format.sniff` on its first lines) and how its fields
map to the normalised columns. It holds no parsing loop: an engine
(:mod:`sekisho.ingest.duckdb_engine`) compiles the declaration into a scan.

Normalised columns: ``ts`` (timestamp, UTC), ``client`` (address or name of the asking machine),
``name`` (queried name / requested host / TLS SNI / destination address), ``answers``, ``bytes_out``,
``bytes_in``, ``status`` — plus ``source`` and ``line`` for where a row came from.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import ClassVar, Literal

NORMALISED = ("ts", "client", "name", "answers", "bytes_out", "bytes_in", "status")
Kind = Literal["dns", "proxy", "tls", "http", "conn", "list"]
TsStyle = Literal["epoch", "iso", "auto", "syslog", "strptime", "none"]


@dataclass(frozen=True)
class Timestamp:
    """How a timestamp is written: ``epoch`` seconds (may have a fraction), ``iso`` 8601,
    ``syslog`` (``Nov 23 18:41:52``, no year: taken from the file's date), or ``strptime`` with
    ``fmt``. ``none``: the format has no time; the file's modification time is used."""

    style: TsStyle
    fmt: str | None = None
    # True: a line without a time (an empty group) takes the file's modification time.
    optional: bool = False


class Format:
    """Base of every format declaration."""

    name: ClassVar[str]
    title: ClassVar[str]
    kind: ClassVar[Kind]
    # Regular expressions one of which must match among the first lines for auto-detection.
    signature: ClassVar[tuple[str, ...]] = ()
    # How many of the first non-blank lines must match ``signature`` (capped by the lines there are).
    signature_lines: ClassVar[int] = 1
    # Lower runs first in auto-detection (more specific formats first).
    priority: ClassVar[int] = 50
    # False for a format that is not lines of text (a database file).
    text: ClassVar[bool] = True

    def sniff(self, head: list[str]) -> bool:
        lines = [ln for ln in head if ln.strip()]
        if not lines or not self.signature:
            return False
        pats = [re.compile(p) for p in self.signature]
        hits = sum(1 for ln in lines[:20] if any(p.search(ln) for p in pats))
        return hits >= min(self.signature_lines, len(lines[:20]))


class LineRegexFormat(Format):
    """A text log whose records are lines matched by one regular expression (RE2 syntax).

    ``groups`` names the capture groups in order; normalised columns are filled from the groups of
    the same name (``name``, ``client``, ``ts``, ``status``, ``answers``, ``bytes_out``, ``bytes_in``);
    ``name_2``, ``name_3``… are alternatives (the first non-empty wins, in the order of their
    number, wherever their groups stand), for patterns with ``|``.
    Lines matching ``skip`` or one of ``skips`` are recognised but carry no record (start-up
    messages, replies); any other line is malformed and counted with its reason. ``pattern`` and
    ``skip`` apply to the *message*: the syslog envelope a line came in (if any) is stripped first.
    """

    pattern: ClassVar[str]
    groups: ClassVar[tuple[str, ...]]
    skip: ClassVar[str | None] = None
    # (reason, pattern): recognised lines that carry no record, each skipped with its own reason.
    skips: ClassVar[tuple[tuple[str, str], ...]] = ()
    # The syslog program names of the product: under an envelope (:mod:`sekisho.ingest.envelope`),
    # other messages of these programs are skipped, and lines of other programs too.
    programs: ClassVar[tuple[str, ...]] = ()
    # How a record's message starts (``query[``): a message that starts so but does not match
    # ``pattern`` (trailing garbage, a name with spaces) is malformed, never skipped.
    record_start: ClassVar[str | None] = None
    # False when another format's lines come from the same program (Infoblox's and BIND's named):
    # then only the signature, never the program name, recognises the file.
    program_identifies: ClassVar[bool] = True
    timestamp: ClassVar[Timestamp] = Timestamp("none")
    # the envelope the engine last found (None: the product's own lines), for the file's account
    envelope_seen: str | None = None


class BinaryFormat(Format):
    """A file that is not lines of text (a capture, a dnstap or an event log file): recognised by
    its first bytes (:meth:`matches_head`), never by lines; read by its own ``compile_duckdb``."""

    priority: ClassVar[int] = 5
    text: ClassVar[bool] = False

    def sniff(self, head: list[str]) -> bool:
        return False  # binary: see matches_head

    @staticmethod
    def matches_head(head: bytes) -> bool:
        raise NotImplementedError


def numbered_groups(groups: tuple[str, ...], base: str) -> list[int]:
    """The positions of the groups that fill the column ``base`` (``base``, ``base_2``, …), in
    the order of their number."""
    hits = [
        (1 if x == base else int(x[len(base) + 1 :]), i)
        for i, x in enumerate(groups)
        if x == base or re.fullmatch(rf"{base}_\d+", x)
    ]
    return [i for _, i in sorted(hits)]


class ZeekTsvFormat(Format):
    """A Zeek log in its default TSV form with ``#fields`` header.

    ``fields`` maps each normalised column to the Zeek field that fills it.
    """

    path: ClassVar[str]  # the Zeek log path: dns, ssl, http, conn
    fields: ClassVar[dict[str, str]]

    def sniff(self, head: list[str]) -> bool:
        return any(
            ln.startswith("#path") and ln.split("\t")[-1].strip() == self.path for ln in head[:12]
        ) or (
            any(ln.startswith("#fields") for ln in head[:12])
            and all(f in _fields_line(head) for f in self.fields.values())
            and not any(ln.startswith("#path") for ln in head[:12])
        )


def _fields_line(head: list[str]) -> list[str]:
    for ln in head[:12]:
        if ln.startswith("#fields"):
            return ln.rstrip("\n").split("\t")[1:]
    return []


class JsonLinesFormat(Format):
    """One JSON object per line. ``paths`` maps each normalised column to JSON paths tried in
    order (the first present wins); ``where`` is a condition (JSON path → allowed values) a record
    must meet (other valid objects are skipped, not malformed); ``None`` among the allowed values
    admits records where the path is absent."""

    paths: ClassVar[dict[str, tuple[str, ...]]]
    where: ClassVar[dict[str, tuple[str | None, ...]]] = {}
    # column → a decoder of sekisho.ingest.wire (``dns-question-base64``), applied in SQL
    decode: ClassVar[dict[str, str]] = {}
    # The syslog program names of the product: its JSON lines may come inside a syslog envelope
    # (``suricata[123]: {…}``, :mod:`sekisho.ingest.envelope`); lines of other programs are skipped.
    programs: ClassVar[tuple[str, ...]] = ()
    # the envelope the engine last found (None: the product's own lines), for the file's account
    envelope_seen: str | None = None
    timestamp: ClassVar[Timestamp] = Timestamp("iso")
