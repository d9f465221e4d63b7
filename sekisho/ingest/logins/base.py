"""Sign-in formats: how a login record is declared, read and accounted.

The network formats compile to one DuckDB scan; sign-in exports are small (thousands to millions of
records, often one JSON document), so a login format is a declaration plus a ``record`` function
from one record (a message under a syslog envelope, or one JSON object, or one CSV row) to a
:class:`LoginEvent`, a skip reason, or a :class:`Malformed` reason. The reader
(:func:`sekisho.ingest.logins.read_logins`) owns files, compression, envelopes, JSON documents and
the per-line account, so a format never loops over a file and every malformed record is counted
with file:line and reason like every other format.
"""

from __future__ import annotations

import datetime as dt
import ipaddress
from dataclasses import dataclass, field
from typing import Any, ClassVar, Literal

Outcome = Literal["success", "failure"]
Shape = Literal["lines", "json", "csv", "xml"]


@dataclass(frozen=True, slots=True)
class LoginEvent:
    """One sign-in (or, for cloud audit trails, one authenticated call), normalised.

    ``interactive``: a person signed in (a password, a key, a console login), not a token refresh
    or an API call with stored keys; detections look at interactive sign-ins unless told otherwise.
    ``asn``/``asn_org``/``vendor_country``: what the export itself says about the address, if it
    says anything (Okta, Entra); sekisho's own IP knowledge is looked up separately.
    """

    ts: dt.datetime  # UTC, aware
    user: str
    src_ip: str | None
    outcome: Outcome
    reason: str | None = None
    method: str | None = None
    mfa: bool | None = None
    app: str | None = None
    interactive: bool = True
    user_agent: str | None = None
    source: str = ""
    line: int = 0
    format: str = ""
    asn: int | None = None
    asn_org: str | None = None
    vendor_country: str | None = None


class Malformed(Exception):
    """A record this format recognises as its own but cannot read; ``str`` is the reason."""


class Skip(Exception):
    """A record of this format that carries no sign-in (another event type); ``str`` is why."""


@dataclass
class LoginAccount:
    """What happened to every line of one file."""

    source: str
    format: str
    lines: int = 0
    records: int = 0
    parsed: int = 0
    skipped: int = 0
    malformed: int = 0
    skipped_reasons: dict[str, int] = field(default_factory=dict)
    malformed_samples: list[dict[str, Any]] = field(default_factory=list)
    envelope: str | None = None

    def skip(self, reason: str) -> None:
        self.skipped += 1
        self.skipped_reasons[reason] = self.skipped_reasons.get(reason, 0) + 1

    def bad(self, line: int, reason: str, limit: int = 20) -> None:
        self.malformed += 1
        if len(self.malformed_samples) < limit:
            self.malformed_samples.append({"file": self.source, "line": line, "reason": reason})


class LoginFormat:
    """Base of every sign-in format declaration."""

    name: ClassVar[str]
    title: ClassVar[str]
    shape: ClassVar[Shape]
    # where the format's definition comes from (a vendor's schema page, a real sample)
    reference: ClassVar[str] = ""
    priority: ClassVar[int] = 50

    def sniff(self, head: list[str], first: Any) -> bool:
        """``head``: the first text lines; ``first``: the first JSON record (json shape) or None."""
        return False

    def record(self, rec: Any, year: int | None = None) -> LoginEvent:
        """One record to an event; raise :class:`Skip` or :class:`Malformed`."""
        raise NotImplementedError


# --- helpers every format uses ---------------------------------------------------------------


def parse_time(value: Any) -> dt.datetime:
    """ISO 8601 (``Z``, offsets, a space for ``T``, up to nanoseconds), or epoch seconds/ms; UTC."""
    if isinstance(value, int | float) and not isinstance(value, bool):
        secs = value / 1000 if value > 1e11 else value
        return dt.datetime.fromtimestamp(secs, dt.UTC)
    if not isinstance(value, str) or not value.strip():
        raise Malformed("no time")
    s = value.strip()
    if s.isdigit():
        return parse_time(int(s))
    s = s.replace("Z", "+00:00").replace("z", "+00:00")
    # Python's fromisoformat takes at most 6 fraction digits
    if "." in s:
        head, _, rest = s.partition(".")
        digits = "".join(ch for ch in rest if ch.isdigit())
        tail = rest[len(digits) :]
        s = f"{head}.{digits[:6].ljust(6, '0')}{tail}"
    try:
        t = dt.datetime.fromisoformat(s)
    except ValueError:
        raise Malformed(f"not a time: {value[:40]!r}") from None
    return t.replace(tzinfo=dt.UTC) if t.tzinfo is None else t.astimezone(dt.UTC)


_ADDRESSES: dict[str, str] = {}


def address(value: Any) -> str | None:
    """A source address as text, or None when the record has none; an address that is not an
    address (a host name, ``AWS Internal``) is kept as it is: the lookup says 'unknown'."""
    if value is None or value == "":
        return None
    raw = str(value)
    hit = _ADDRESSES.get(raw)
    if hit is None:
        hit = _address(raw)
        if len(_ADDRESSES) > 100_000:
            _ADDRESSES.clear()
        _ADDRESSES[raw] = hit
    return hit


def _address(raw: str) -> str:
    s = raw.strip()
    if s.startswith("[") and "]" in s:  # [v6]:port
        s = s[1 : s.index("]")]
    elif s.count(":") == 1 and "." in s:  # v4:port
        s = s.split(":", 1)[0]
    try:
        return str(ipaddress.ip_address(s))
    except ValueError:
        return s


def dig(obj: Any, path: str) -> Any:
    """``a.b.c`` into nested dicts; None where a step is missing."""
    for part in path.split("."):
        if not isinstance(obj, dict):
            return None
        obj = obj.get(part)
    return obj


def truthy(value: Any) -> bool | None:
    if isinstance(value, bool):
        return value
    if value is None:
        return None
    s = str(value).strip().lower()
    if s in ("true", "yes", "1", "y"):
        return True
    if s in ("false", "no", "0", "n", ""):
        return False
    return None
