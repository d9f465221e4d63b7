"""Names → registrable domains → services, over the *distinct* names of a scan.

The registrable domain comes from the public-suffix list snapshot bundled with tldextract (no
network at run time). A name matches the catalog entry that is its longest suffix on a label
boundary — a registrable domain (``tiktok.com``), an app/API host (``api.example.net``) or a host
on third-party infrastructure (``bucket.s3.amazonaws.com``). Researched services come first; a name
none of them claims may belong to a *known* service (the catalog's second tier, ``v2fly:google``).
"""

from __future__ import annotations

import ipaddress
from functools import lru_cache
from typing import Any

import tldextract

from sekisho.catalog import Catalog

__all__ = ["NameMatcher", "registrable_domain"]


@lru_cache(maxsize=1)
def _extractor() -> tldextract.TLDExtract:
    # suffix_list_urls=() and no cache: only the snapshot shipped inside the package is used.
    return tldextract.TLDExtract(suffix_list_urls=(), cache_dir=None)


def registrable_domain(name: str) -> str:
    """``www.example.co.jp`` → ``example.co.jp``; an address or a bare label stays as it is."""
    name = name.strip().rstrip(".").lower()
    try:
        ipaddress.ip_address(name.strip("[]"))
        return name
    except ValueError:
        pass
    result = _extractor()(name)
    top = result.top_domain_under_public_suffix if hasattr(result, "top_domain_under_public_suffix") else ""
    if top:
        return top
    labels = name.split(".")
    if not result.suffix and len(labels) > 2:
        return ".".join(labels[-2:])  # the PSL's default rule "*": an unlisted TLD is a suffix
    return name


class NameMatcher:
    """Longest-suffix match of names against every domain and host name the catalog lists."""

    def __init__(self, catalog: Catalog) -> None:
        self.catalog = catalog
        self.index: dict[str, str] = {}
        for sid, svc in catalog.services.items():
            for name in svc.domains.value + (svc.hostnames.value if svc.hostnames else []):
                self.index[name] = sid

    @property
    def version(self) -> str:
        """The catalog version, and the known tier's digest: matches are cached under it."""
        digest = self.catalog.known.digest
        return f"{self.catalog.meta.version}+known:{digest}" if digest else self.catalog.meta.version

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

        match_sql(con, names_table, self.index, out_table, self.catalog.known.index())
