"""Names that are not internet destinations: special-use and internal names.

Reverse look-ups (``*.in-addr.arpa``, ``*.ip6.arpa``) and everything under ``.arpa`` (RFC 6303;
``home.arpa`` is RFC 8375), multicast DNS ``.local`` (RFC 6762), the RFC 6761 names (``.test``,
``.invalid``, ``.example``, ``localhost``, and ``example.com``, ``example.net``, ``example.org`` with
every name under them: RFC 6761 §6.5, reserved since RFC 2606 §3), Tor's ``.onion`` (RFC 7686), the
``.alt`` namespace for non-DNS resolution (RFC 9476), ``.internal`` (reserved by ICANN for private use, 2024),
the private suffixes networks use without owning them (``.lan``, ``.localdomain``, ``.corp``),
single-label names (a search-list miss or a NetBIOS/LLMNR name), WPAD discovery (``wpad.…``) and
NetBIOS names (``\\x01\\x02__MSBROWSE__…``, the 32-letter first-level encoding), the
organisation's own domains and every name under them (the store setting ``own_domains``, set with
``sekisho db set own-domains a.jp,b.jp``), and names under a top-level domain the public-suffix list
does not know at all (``oompa.loompa``, ``corp.example-internal``: not a public name).

They are classified in the bulk match (:mod:`sekisho.match.bulk`) as pseudo-services whose id
starts with ``internal:``; a question about unknown destinations (``service_id IS NULL``) therefore
never shows them, and :func:`is_internal` tells them apart from catalog services.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from sekisho.sql import literal, literal_list

_LABEL = re.compile(r"[a-z0-9_]([a-z0-9_-]{0,61}[a-z0-9_])?")

PREFIX = "internal:"
SPECIAL_USE = f"{PREFIX}special-use"
SINGLE_LABEL = f"{PREFIX}single-label"
WPAD = f"{PREFIX}wpad"
NETBIOS = f"{PREFIX}netbios"
OWN_DOMAIN = f"{PREFIX}own-domain"
UNKNOWN_TLD = f"{PREFIX}unknown-tld"
PRIVATE_ADDRESS = f"{PREFIX}private-address"
KINDS = {
    PRIVATE_ADDRESS: "private, loopback, link-local, shared or documentation address (RFC 6890)",
    SPECIAL_USE: "special-use name (RFC 6761/6762/6303/7686/8375/9476) or private suffix",
    SINGLE_LABEL: "single-label name (search-list miss, NetBIOS/LLMNR)",
    WPAD: "WPAD proxy discovery",
    NETBIOS: "NetBIOS name",
    OWN_DOMAIN: "the organisation's own domain (setting own-domains)",
    UNKNOWN_TLD: "not a public name: unknown top-level domain",
}
# the last label → why it is not an internet destination
SPECIAL_TLDS = {
    "arpa": "RFC 6303/8375",
    "local": "RFC 6762",
    "localhost": "RFC 6761",
    "test": "RFC 6761",
    "invalid": "RFC 6761",
    "example": "RFC 6761",
    "onion": "RFC 7686",
    "alt": "RFC 9476",
    "internal": "ICANN private use",
    "lan": "private suffix",
    "localdomain": "private suffix",
    "corp": "private suffix",
}
# second-level names reserved with every name under them (RFC 6761 §6.5; RFC 2606 §3)
SPECIAL_DOMAINS = {
    "example.com": "RFC 6761",
    "example.net": "RFC 6761",
    "example.org": "RFC 6761",
}


# Addresses that are no internet destination (the IANA special-purpose registries, RFC 6890):
# private (RFC 1918, fc00::/7), loopback, link-local, shared CGNAT (100.64/10), documentation
# (TEST-NETs, 2001:db8::/32), benchmarking (198.18/15), "this network", multicast and reserved.
_V4 = (
    r"(?:10|127|0)\.\d+\.\d+\.\d+|169\.254\.\d+\.\d+|172\.(?:1[6-9]|2\d|3[01])\.\d+\.\d+"
    r"|192\.168\.\d+\.\d+|100\.(?:6[4-9]|[7-9]\d|1[01]\d|12[0-7])\.\d+\.\d+"
    r"|192\.0\.[02]\.\d+|198\.51\.100\.\d+|203\.0\.113\.\d+|198\.1[89]\.\d+\.\d+"
    r"|(?:22[4-9]|2[34]\d|25[0-5])\.\d+\.\d+\.\d+"
)
_V6 = r"::1?|fe[89ab][0-9a-f]?:[0-9a-f:.]*|f[cd][0-9a-f]{0,2}:[0-9a-f:.]*|2001:0?db8:[0-9a-f:.]*|ff[0-9a-f]{0,2}:[0-9a-f:.]*"
PRIVATE_ADDRESS_RE = rf"(?:{_V4})|\[?(?:{_V6})\]?"


def is_internal(service_id: str | None) -> bool:
    return bool(service_id) and str(service_id).startswith(PREFIX)


def normalise_domain(value: str) -> str:
    """An own-domain setting's entry as it is compared: lower case, no leading or trailing dot.
    Refuses what is not a DNS name of LDH labels (``_`` allowed) with at least two labels."""
    d = value.strip().strip(".").lower()
    if not d.isascii():
        d = d.encode("idna").decode("ascii")
    labels = d.split(".")
    if len(labels) < 2 or not all(_LABEL.fullmatch(label) for label in labels):
        raise ValueError(f"not a domain name of two or more labels: {value!r}")
    return d


def classify_sql(
    name: str,
    labels: str,
    own_domains: Sequence[str] = (),
    tld_known: str | None = None,
    which: str = "_internal",
    address: str | None = None,
) -> tuple[str, str, str]:
    """SQL for the internal kind of ``name`` (its ``labels`` list), in two steps so that each
    condition is evaluated once per name: ``(case, kind, on)`` — ``case`` gives the number of the
    first condition the name meets (NULL: it may be an internet destination), to be selected as
    column ``which``; ``kind`` (the id) and ``on`` (what it matched on) read that column.
    Addresses are never internal here (``address``: the SQL of "is an address", when the caller
    has it as a column already). ``own_domains`` are the organisation's domains
    (:func:`normalise_domain` form); ``tld_known`` is a SQL boolean that is false when the
    public-suffix list has no rule for the name's last label."""
    tlds = ", ".join(literal(t) for t in SPECIAL_TLDS)
    domains = ", ".join(literal(d) for d in SPECIAL_DOMAINS)
    last_two = f"array_to_string({labels}[-2:], '.')"
    if address is None:
        address = f"regexp_full_match({name}, '[0-9.]+|\\[?[0-9a-f.]*:[0-9a-f:.]*\\]?')"
    private = f"regexp_full_match({name}, {literal(PRIVATE_ADDRESS_RE)})"
    cases = [
        (private, PRIVATE_ADDRESS, name),
        (
            f"contains({name}, '\\') OR contains({name}, '__msbrowse__') OR regexp_full_match({labels}[1], '[a-p]{{32}}')",
            NETBIOS,
            f"{labels}[1]",
        ),
        (f"{labels}[-1] IN ({tlds})", SPECIAL_USE, f"{labels}[-1]"),
        (f"{last_two} IN ({domains})", SPECIAL_USE, last_two),
        (f"len({labels}) = 1", SINGLE_LABEL, name),
        (f"{labels}[1] = 'wpad'", WPAD, "'wpad'"),
    ]
    if own_domains:
        mine = (
            f"list_filter({literal_list(own_domains)}, lambda d: {name} = d OR ends_with({name}, '.' || d))"
        )
        cases.append((f"len({mine}) > 0", OWN_DOMAIN, f"{mine}[1]"))
    if tld_known is not None:
        cases.append((f"NOT coalesce({tld_known}, false)", UNKNOWN_TLD, f"{labels}[-1]"))
    # (a private address is internal before "an address is never internal" is asked)
    case = (
        f"CASE WHEN {private} THEN 0 WHEN {address} THEN NULL "
        + " ".join(f"WHEN {cond} THEN {i}" for i, (cond, _, _) in enumerate(cases) if i)
        + " END"
    )
    kind = (
        f"CASE {which} "
        + " ".join(f"WHEN {i} THEN {literal(k)}" for i, (_, k, _) in enumerate(cases))
        + " END"
    )
    on = f"CASE {which} " + " ".join(f"WHEN {i} THEN {m}" for i, (_, _, m) in enumerate(cases)) + " END"
    return case, kind, on
