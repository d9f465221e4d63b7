"""What a probe is: data. Requests, matchers and extractors as ClassVars (the shape of a nuclei
template); :mod:`sekisho.exposure.engine` runs them.

A probe is a list of :class:`Step`. The first step *identifies* the service (or sees its
authentication challenge); a step whose ``auth`` matcher holds makes the target ``protected``; a
step whose ``data`` matcher holds is a data-bearing answer. Only an identified, unchallenged target
with at least one data-bearing answer becomes a finding. Extractors keep names and counts, never
record contents.

Every request a probe declares is a read: HTTP ``GET`` (or a ``POST`` the server defines as a
read, such as etcd's range with ``count_only``), Redis ``INFO``/``DBSIZE``, memcached ``stats``,
a PostgreSQL/MySQL ``SELECT``/``SHOW``. Nothing here writes, and no password is ever guessed.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, ClassVar, Literal

if TYPE_CHECKING:
    from sekisho.exposure.engine import Conversation


@dataclass(frozen=True)
class Answer:
    """What one request got back: an HTTP status and headers (``None`` for a raw TCP protocol), and
    the body as text (a wire protocol's codec renders its reply as text lines)."""

    body: str
    status: int | None = None
    headers: dict[str, str] = field(default_factory=dict)
    raw: bytes = b""

    @property
    def json(self) -> Any:
        try:
            return json.loads(self.body)
        except ValueError:
            return None

    def excerpt(self, limit: int = 300) -> str:
        head = f"HTTP {self.status} " if self.status is not None else ""
        return (head + self.body[:limit]).strip()


def json_values(doc: Any, path: str) -> list[Any]:
    """Values at a dotted path; ``*`` walks every item of a list or value of an object. A key that
    holds dots itself (``docs.count`` in Elasticsearch's ``_cat`` JSON) is found whole."""
    return list(_walk(doc, path.split(".") if path else []))


def _walk(value: Any, parts: list[str]) -> Any:
    if not parts:
        yield value
        return
    if parts[0] == "*":
        items = value if isinstance(value, list) else list(value.values()) if isinstance(value, dict) else []
        for item in items:
            yield from _walk(item, parts[1:])
        return
    if isinstance(value, dict):
        for k in range(len(parts), 0, -1):
            key = ".".join(parts[:k])
            if key in value:
                yield from _walk(value[key], parts[k:])
                return


@dataclass(frozen=True)
class Match:
    """Every condition given must hold (nuclei's ``matchers-condition: and``)."""

    status: tuple[int, ...] = ()
    words: tuple[str, ...] = ()
    regex: str | None = None
    json: tuple[str, ...] = ()
    header: tuple[tuple[str, str], ...] = ()  # (header name, regex on its value)
    json_type: Literal["list", "object", None] = None

    def test(self, a: Answer) -> bool:
        if self.status and a.status not in self.status:
            return False
        if any(w not in a.body for w in self.words):
            return False
        if self.regex is not None and not re.search(self.regex, a.body, re.M):
            return False
        for name, pattern in self.header:
            value = a.headers.get(name.lower())
            if value is None or not re.search(pattern, value, re.I):
                return False
        if self.json or self.json_type:
            doc = a.json
            if doc is None:
                return False
            if self.json_type == "list" and not isinstance(doc, list):
                return False
            if self.json_type == "object" and not isinstance(doc, dict):
                return False
            if any(not json_values(doc, p) for p in self.json):
                return False
        return True


def any_match(matchers: tuple[Match, ...], a: Answer) -> bool:
    return any(m.test(a) for m in matchers)


_UNITS = {"": 1, "b": 1, "kb": 1024, "mb": 1024**2, "gb": 1024**3, "tb": 1024**4, "pb": 1024**5}


def size_value(v: Any) -> int:
    """A count or a size: ``1200``, ``"1200"``, ``"88.1kb"`` (Elasticsearch's human units)."""
    if isinstance(v, bool):
        return int(v)
    if isinstance(v, (int, float)):
        return int(v)
    m = re.fullmatch(r"\s*([0-9]+(?:\.[0-9]+)?)\s*([kmgtp]?b?)\s*", str(v).lower())
    return int(float(m.group(1)) * _UNITS[m.group(2)]) if m else 0


Reduce = Literal["first", "sum", "count", "list"]


@dataclass(frozen=True)
class Extract:
    """One value kept as evidence. ``name`` is free, but ``records`` (documents, keys, items,
    rows), ``bytes`` and ``collections`` (index, database, bucket names) feed the severity."""

    name: str
    json: str | None = None
    regex: str | None = None  # group 1 of every match (re.M)
    reduce: Reduce = "first"
    header: str | None = None

    def values(self, a: Answer) -> list[Any]:
        if self.header is not None:
            v = a.headers.get(self.header.lower())
            return [v] if v is not None else []
        if self.json is not None:
            doc = a.json
            return [] if doc is None else json_values(doc, self.json)
        if self.regex is not None:
            return [m.group(1) for m in re.finditer(self.regex, a.body, re.M)]
        return []

    def apply(self, a: Answer) -> Any:
        vals = self.values(a)
        if self.reduce == "count":
            return len(vals)
        if not vals:
            return None
        if self.reduce == "sum":
            return sum(size_value(v) for v in vals)
        if self.reduce == "list":
            return list(dict.fromkeys(str(v) for v in vals))[:200]
        v = vals[0]
        return v if isinstance(v, (int, float, bool)) else str(v)[:200]


@dataclass(frozen=True)
class Step:
    """One request and what its answer may show. ``path``/``method``/``body`` for HTTP probes;
    ``send`` for a line protocol; ``action`` for a probe with its own codec (PostgreSQL, MySQL)."""

    path: str = "/"
    method: str = "GET"
    body: str | None = None
    send: bytes | None = None
    action: str | None = None
    identify: tuple[Match, ...] = ()
    auth: tuple[Match, ...] = ()
    data: tuple[Match, ...] = ()
    extract: tuple[Extract, ...] = ()
    exclude: tuple[Match, ...] = ()  # the service, but not a data store (Redis Sentinel)

    def describe(self) -> str:
        if self.send is not None:
            return self.send.decode("ascii", "replace").strip()
        if self.action is not None:
            return self.action
        return f"{self.method} {self.path}"


# Default authentication challenge of an HTTP service: 401/407, or a WWW-Authenticate header.
HTTP_CHALLENGE = (
    Match(status=(401,)),
    Match(status=(407,)),
    Match(header=(("www-authenticate", "."),)),
)
# Plain HTTP sent to a TLS-only port (Go's net/http and nginx say so).
TLS_REQUIRED = (
    Match(status=(400,), regex=r"HTTP request to an HTTPS server|plain HTTP request was sent to HTTPS port"),
)
# A redirect to a login page.
LOGIN_REDIRECT = (Match(status=(301, 302, 303, 307, 308), header=(("location", r"login|signin|auth"),)),)


class Probe:
    """A probe: ClassVars only. Subclasses declare ``id``, ``ports``, ``transport`` and ``steps``;
    ``base_severity`` is the least a finding of this kind is (full control of a host is high
    even when no data is counted). A wire-protocol probe implements :meth:`converse` to turn an
    ``action`` step into an :class:`Answer`; it never needs more than that."""

    id: ClassVar[str]
    title: ClassVar[str]
    title_ja: ClassVar[str]
    ports: ClassVar[tuple[int, ...]]
    transport: ClassVar[Literal["http", "tcp"]] = "http"
    steps: ClassVar[tuple[Step, ...]]
    base_severity: ClassVar[str] = "low"
    speaks_first: ClassVar[bool] = False  # the server sends a greeting (MySQL)
    needs_user: ClassVar[bool] = False  # logs in as a user the admin names (never guessed)
    references: ClassVar[tuple[str, ...]] = ()
    # The product's one documented default login, tried only when asked (--default-logins), once,
    # on ``default_login_steps`` (reads), after the unauthenticated steps were challenged.
    default_login: ClassVar[tuple[str, str] | None] = None
    default_login_steps: ClassVar[tuple[Step, ...]] = ()

    def converse(self, conv: Conversation, step: Step) -> Answer:  # pragma: no cover - abstract
        raise NotImplementedError(self.id)

    def finish(self, conv: Conversation) -> None:
        """Say goodbye on the protocol (PostgreSQL Terminate, MySQL COM_QUIT); nothing by default."""


__all__ = [
    "HTTP_CHALLENGE",
    "LOGIN_REDIRECT",
    "TLS_REQUIRED",
    "Answer",
    "Extract",
    "Match",
    "Probe",
    "Step",
    "any_match",
    "json_values",
]
