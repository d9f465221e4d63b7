"""Names that are not internet destinations: special-use and internal names.

Reverse look-ups (``*.in-addr.arpa``, ``*.ip6.arpa``) and everything under ``.arpa`` (RFC 6303;
``home.arpa`` is RFC 8375), multicast DNS ``.local`` (RFC 6762), the RFC 6761 names (``.test``,
``.invalid``, ``.example``, ``localhost``), ``.internal`` (reserved by ICANN for private use, 2024),
the private suffixes networks use without owning them (``.lan``, ``.localdomain``, ``.corp``),
single-label names (a search-list miss or a NetBIOS/LLMNR name), WPAD discovery (``wpad.…``) and
NetBIOS names (``\\x01\\x02__MSBROWSE__…``, the 32-letter first-level encoding).

They are classified in the bulk match (:mod:`sekisho.match.bulk`) as pseudo-services whose id
starts with ``internal:``; a question about unknown destinations (``service_id IS NULL``) therefore
never shows them, and :func:`is_internal` tells them apart from catalog services.
"""

from __future__ import annotations

from sekisho.sql import literal

PREFIX = "internal:"
SPECIAL_USE = f"{PREFIX}special-use"
SINGLE_LABEL = f"{PREFIX}single-label"
WPAD = f"{PREFIX}wpad"
NETBIOS = f"{PREFIX}netbios"
KINDS = {
    SPECIAL_USE: "special-use name (RFC 6761/6762/6303/8375) or private suffix",
    SINGLE_LABEL: "single-label name (search-list miss, NetBIOS/LLMNR)",
    WPAD: "WPAD proxy discovery",
    NETBIOS: "NetBIOS name",
}
# the last label → why it is not an internet destination
SPECIAL_TLDS = {
    "arpa": "RFC 6303/8375",
    "local": "RFC 6762",
    "localhost": "RFC 6761",
    "test": "RFC 6761",
    "invalid": "RFC 6761",
    "example": "RFC 6761",
    "internal": "ICANN private use",
    "lan": "private suffix",
    "localdomain": "private suffix",
    "corp": "private suffix",
}


def is_internal(service_id: str | None) -> bool:
    return bool(service_id) and str(service_id).startswith(PREFIX)


def classify_sql(name: str, labels: str) -> tuple[str, str]:
    """SQL (id, matched_on) for the internal kind of ``name`` (its ``labels`` list), NULL for a
    name that may be an internet destination. Addresses are never internal here."""
    tlds = ", ".join(literal(t) for t in SPECIAL_TLDS)
    address = f"regexp_full_match({name}, '[0-9.]+|\\[?[0-9a-f.]*:[0-9a-f:.]*\\]?')"
    cases = [
        (
            f"contains({name}, '\\') OR contains({name}, '__msbrowse__') OR regexp_full_match({labels}[1], '[a-p]{{32}}')",
            NETBIOS,
            f"{labels}[1]",
        ),
        (f"{labels}[-1] IN ({tlds})", SPECIAL_USE, f"{labels}[-1]"),
        (f"len({labels}) = 1", SINGLE_LABEL, name),
        (f"{labels}[1] = 'wpad'", WPAD, "'wpad'"),
    ]
    kind = (
        "CASE WHEN "
        + address
        + " THEN NULL "
        + " ".join(f"WHEN {cond} THEN {literal(k)}" for cond, k, _ in cases)
        + " END"
    )
    on = (
        "CASE WHEN "
        + address
        + " THEN NULL "
        + " ".join(f"WHEN {cond} THEN {m}" for cond, _, m in cases)
        + " END"
    )
    return kind, on
