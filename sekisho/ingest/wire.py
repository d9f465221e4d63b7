"""Field decoders a format declaration can name (``JsonLinesFormat.decode``): each turns the SQL of
a field into the SQL of its decoded value, run by DuckDB inside the scan — no Python per line.

``dns-question-base64``: a whole DNS message in base64 (RFC 4648, as Go's ``encoding/json`` writes
a ``[]byte``) → the QNAME of its first question in presentation form, lower-cased by the engine
later, without the final dot. AdGuard Home before v0.99.3 wrote its query log so (``"Question"``,
the packed request, see :mod:`sekisho.ingest.formats.adguard_legacy`). The walk follows RFC 1035
§4.1.2: after the 12-byte header, labels of a length byte (0–63) and that many bytes, ended by a
zero byte. A message that is not base64, is cut short, or has a compression pointer or a reserved
length where the question name should be gives ``undecodable DNS question``, which the engine's
name check then counts as malformed ("not a DNS name"); an absent or empty field stays NULL (a
record without a name).
"""

from __future__ import annotations

from collections.abc import Callable

UNDECODABLE = "undecodable DNS question"


def dns_question_base64(expr: str) -> str:
    h = f"hex(try(from_base64({expr})))"
    octets = (
        f"list_transform(range(12, length({h}) // 2), lambda i: ('0x' || substr({h}, 2 * i + 1, 2))::INTEGER)"
    )
    step = (
        "CASE WHEN acc.done THEN acc "
        "WHEN acc.rem > 0 THEN {'rem': acc.rem - 1, 'out': acc.out || chr(b), 'done': false} "
        "WHEN b = 0 THEN {'rem': 0, 'out': acc.out, 'done': true} "
        "WHEN b > 63 THEN {'rem': 0, 'out': NULL, 'done': true} "  # a pointer or reserved: no QNAME
        "ELSE {'rem': b, 'out': CASE WHEN acc.out = '' THEN '' ELSE acc.out || '.' END, 'done': false} END"
    )
    walk = f"list_reduce({octets}, lambda acc, b: {step}, {{'rem': 0, 'out': '', 'done': false}})"
    name = f"list_transform([{walk}], lambda s: CASE WHEN s.done THEN s.out END)[1]"
    return f"(CASE WHEN coalesce({expr}, '') = '' THEN NULL ELSE coalesce({name}, '{UNDECODABLE}') END)"


def _top_level_args(inner: str) -> list[str]:
    """The comma-separated arguments of a SQL call, split outside parentheses and quotes."""
    args, depth, quote, cur = [], 0, False, ""
    for ch in inner:
        if ch == "'":
            quote = not quote
        elif not quote and ch == "(":
            depth += 1
        elif not quote and ch == ")":
            depth -= 1
        elif not quote and depth == 0 and ch == ",":
            args.append(cur.strip())
            cur = ""
            continue
        cur += ch
    args.append(cur.strip())
    return args


def first_non_empty(expr: str) -> str:
    """``first-non-empty``: of the field's JSON paths, the first whose value is not an empty string
    (Defender writes ``"RemoteUrl": ""`` when it saw no name: then ``RemoteIP`` is the destination).
    ``expr`` is the engine's own SQL for the field — ``coalesce(a, b, …)`` of its paths, or one
    path — never log text; each alternative gets ``NULLIF(…, '')``."""
    if expr.startswith("coalesce(") and expr.endswith(")"):
        args = _top_level_args(expr[len("coalesce(") : -1])
        return "coalesce(" + ", ".join(f"NULLIF({a}, '')" for a in args) + ")"
    return f"NULLIF({expr}, '')"


def url_host(expr: str) -> str:
    """``url-host``: the host of a URL or of a ``host[:port]/path`` (Zscaler's ``eurl``:
    ``www.example.com:443``, ``www.example.com/join/``); a bare name stays itself."""
    return f"NULLIF(regexp_extract({expr}, '^(?:[A-Za-z][A-Za-z0-9+.-]*://)?([^/:?#\\s]+)', 1), '')"


DECODERS: dict[str, Callable[[str], str]] = {
    "dns-question-base64": dns_question_base64,
    "first-non-empty": first_non_empty,
    "url-host": url_host,
}
