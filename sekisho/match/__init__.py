"""Names → registrable domains → services, over the *distinct* names of a scan.

The registrable domain comes from the full public-suffix list (ICANN and private sections) that the
``publicsuffixlist`` package ships (no network at run time). A name matches the catalog entry that is its longest suffix on a label
boundary — a registrable domain (``tiktok.com``), an app/API host (``api.example.net``) or a host
on third-party infrastructure (``bucket.s3.amazonaws.com``). Researched services come first; a name
none of them claims may belong to a *known* service (the catalog's second tier, ``v2fly:google``).
"""

from __future__ import annotations

import hashlib
import io
import ipaddress
from functools import lru_cache
from typing import Any

from publicsuffixlist import PublicSuffixList

from sekisho.catalog import Catalog

__all__ = ["NameMatcher", "registrable_domain"]
# What the matching itself decides, beside the catalog: a change re-matches every stored name.
# psl-full-1: the PSL's private section counts; internal and special-use names (match.internal).
# psl-full-2: also names under an unknown top-level domain, and the store's own domains.
# psl-full-3: a name a researched service lists is that service's, even under a special-use name.
# psl-full-4: private, loopback, link-local and documentation addresses are internal (RFC 6890).
# psl-full-5: example.com/.net/.org (RFC 6761 §6.5), .onion (RFC 7686) and .alt (RFC 9476) are
#             special-use; the known tier gains AdGuard companiesdb and restricted-registration suffixes.
# psl-full-6: an unclaimed address inside an operator's published range is that operator's
#             (``iprange:<operator>``, sekisho.match.addresses), never a service's.
MATCH_RULES = "psl-full-6"


@lru_cache(maxsize=1)
def _psl() -> PublicSuffixList:
    # the full list (ICANN and private sections) shipped with the package: no network at run time
    from sekisho.match.bulk import psl_text

    return PublicSuffixList(source=io.StringIO(psl_text()), accept_unknown=True)


def registrable_domain(name: str) -> str:
    """``www.example.co.jp`` → ``example.co.jp``, ``www.example.uk.com`` → ``example.uk.com``,
    ``alice.github.io`` → ``alice.github.io`` (the PSL's private section counts); an address, a
    bare label or a public suffix itself stays as it is."""
    name = name.strip().rstrip(".").lower()
    try:
        ipaddress.ip_address(name.strip("[]"))
        return name
    except ValueError:
        pass
    if name.endswith(".local") or name == "local":
        return name  # multicast DNS (RFC 6762): no registrable domain (as the PSL's test vectors say)
    return _psl().privatesuffix(name) or name


class NameMatcher:
    """Longest-suffix match of names against every domain and host name the catalog lists."""

    def __init__(self, catalog: Catalog, own_domains: tuple[str, ...] = ()) -> None:
        self.catalog = catalog
        # the organisation's own domains (store setting own_domains): internal, never unknown
        self.own_domains = own_domains
        self.index: dict[str, str] = {}
        self._entries: Any = None  # sekisho.match.bulk.entries_table, built on the first match
        for sid, svc in catalog.services.items():
            for name in svc.domains.value + (svc.hostnames.value if svc.hostnames else []):
                self.index[name] = sid

    @property
    def version(self) -> str:
        """The catalog version, the known tier's digest, the matching rules and the own domains:
        matches are cached under it, so changing any of them re-matches the stored names."""
        digest = self.catalog.known.digest
        base = f"{self.catalog.meta.version}+known:{digest}" if digest else self.catalog.meta.version
        own = ""
        if self.own_domains:
            own = "+own:" + hashlib.sha256(",".join(sorted(self.own_domains)).encode()).hexdigest()[:12]
        return f"{base}+{MATCH_RULES}{own}"

    def service_for(self, name: str) -> tuple[str | None, str | None]:
        """(researched service id, the catalog entry it matched on), or (None, None)."""
        labels = name.strip().rstrip(".").lower().split(".")
        for i in range(len(labels) - 1):
            candidate = ".".join(labels[i:])
            sid = self.index.get(candidate)
            if sid is not None:
                return sid, candidate
        return None, None

    def match_table(self, con: Any, names_table: str, out_table: str) -> None:
        """Bulk match in DuckDB: ``out_table(name, registrable, service_id, matched_on)``; a name
        no researched service claims may match a known one (``service_id`` ``v2fly:…``)."""
        from sekisho.match.bulk import match_sql

        if self._entries is None:  # the catalog's names as a table, built once per matcher
            from sekisho.match.bulk import entries_table

            self._entries = entries_table(self.index, self.catalog.known.entries())
        match_sql(con, names_table, out_table, self._entries, self.own_domains)
        from sekisho.catalog.ipranges import load_ip_ranges
        from sekisho.match.addresses import attribute_addresses

        attribute_addresses(con, out_table, lambda: load_ip_ranges(self.catalog.root))
