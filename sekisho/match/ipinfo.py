"""Offline IP knowledge: country of an address, distances and borders between countries.

Never a network call. Country from Debian's ``tor-geoipdb`` (``/usr/share/tor/geoip``, ``geoip6``:
the IPFire Location database converted by Tor, CC BY-SA 4.0, dated by its ``# Generated:`` line),
with the PyPI ``iptocc`` package (RIR delegation data) as fallback for addresses the first does not
place. An address no database places — private, reserved, a name instead of an address — is
``unknown``, never a country. Every answer names the database that gave it and its date, so a
finding carries them (DESIGN.md, "Evidence pipelines").

The network owner (ASN and its name) comes from a user-supplied MMDB when one is given (IPinfo Lite,
GeoLite2-ASN, DB-IP ASN), else from Debian's ``libloc-database`` (:mod:`sekisho.match.libloc`),
looked up for all of a run's addresses at once (:meth:`IpKnowledge.prefetch`). Without either the
ASN stays unknown and :attr:`IpKnowledge.notes` says so.

Country positions (a centroid, or the capital where the data has none) and land borders come from
the ``countryinfo`` package; distances are great-circle (``haversine``). A country-level distance is
coarse: it is what a sign-in log without coordinates allows, and alerts say so.
"""

from __future__ import annotations

import bisect
import datetime as dt
import ipaddress
import os
import re
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from sekisho.errors import ConfigError, Location
from sekisho.match import libloc as _libloc

UNKNOWN = "unknown"
TOR_DIR = Path(os.environ.get("SEKISHO_GEOIP_DIR", "/usr/share/tor"))


@dataclass(frozen=True, slots=True)
class Database:
    name: str
    as_of: dt.date | None
    licence: str
    path: str | None = None

    def describe(self) -> str:
        return f"{self.name} ({self.as_of.isoformat() if self.as_of else 'date not stated'})"


@dataclass(frozen=True, slots=True)
class IpFacts:
    ip: str
    country: str  # ISO 3166 alpha-2, or "unknown"
    database: str | None  # which database placed it (None: none did)
    why_unknown: str | None = None
    private: bool = False
    asn: int | None = None
    asn_org: str | None = None
    asn_database: str | None = None


class _RangeTable:
    def __init__(self) -> None:
        self.starts: list[int] = []
        self.ends: list[int] = []
        self.ccs: list[str] = []

    def add(self, lo: int, hi: int, cc: str) -> None:
        self.starts.append(lo)
        self.ends.append(hi)
        self.ccs.append(cc)

    def finish(self) -> None:
        order = sorted(range(len(self.starts)), key=self.starts.__getitem__)
        self.starts = [self.starts[i] for i in order]
        self.ends = [self.ends[i] for i in order]
        self.ccs = [self.ccs[i] for i in order]

    def get(self, n: int) -> str | None:
        i = bisect.bisect_right(self.starts, n) - 1
        if i >= 0 and self.ends[i] >= n:
            cc = self.ccs[i]
            return None if cc in ("??", "") else cc
        return None


_GENERATED = re.compile(r"^# Generated: \w+, (\d{1,2} \w{3} \d{4})")


class IpKnowledge:
    """Loaded once per process (:func:`knowledge`)."""

    def __init__(
        self,
        tor_dir: Path | None = None,
        use_fallback: bool = True,
        mmdb: list[Path] | None = None,
        libloc: Path | bool = True,
    ) -> None:
        """``libloc``: True reads Debian's libloc-database where it is installed (or
        ``$SEKISHO_LIBLOC_DB``), a path reads that file, False reads none. An MMDB, when given, is
        the ASN source instead."""
        self.databases: list[Database] = []
        self.notes: list[str] = []  # what the run should say about its IP knowledge, once
        self._mmdb: list[tuple[Any, Database]] = []
        for path in mmdb or []:
            self._mmdb.append(_open_mmdb(path))
            self.databases.append(self._mmdb[-1][1])
        self._libloc: _libloc.Libloc | None = None
        self._owners: dict[str, _libloc.Owner] = {}
        if not self._mmdb and libloc is not False:
            found = _libloc.find_database(None if libloc is True else libloc)
            if found is None:
                self.notes.append(
                    "ASN: Debian's libloc-database is not installed (apt-get install libloc-database "
                    "python3-location) and no --mmdb was given: ASNs only from the exports that carry them"
                )
            else:
                self._libloc = _libloc.Libloc(found)
                self.asn_db = Database(
                    _libloc.NAME
                    if found.resolve().is_relative_to("/usr/share")
                    else f"IPFire Location ({found})",
                    self._libloc.as_of,
                    _libloc.LICENCE,
                    str(found),
                )
        self._v4: _RangeTable | None = None
        self._v6: _RangeTable | None = None
        self._v6_path: Path | None = None
        self._cache: dict[str, IpFacts] = {}
        d = tor_dir or TOR_DIR
        v4, v6 = d / "geoip", d / "geoip6"
        if v4.is_file():
            self._v4, date4 = _load_tor(v4, v6=False)
            self._v6_path = v6 if v6.is_file() else None  # read on the first IPv6 lookup
            self.tor = Database("IPFire Location via Debian tor-geoipdb", date4, "CC BY-SA 4.0", str(v4))
            self.databases.append(self.tor)
        self._iptocc = None
        if use_fallback:
            try:
                import iptocc

                self._iptocc = iptocc
                from importlib.metadata import version

                self.fallback = Database(
                    f"iptocc {version('iptocc')} (RIR delegation files)", None, "MIT/Apache-2.0"
                )
                self.databases.append(self.fallback)
            except ImportError:
                pass
        if self._libloc is not None:
            self.databases.append(self.asn_db)

    def lookup(self, ip: str | None) -> IpFacts:
        if not ip:
            return IpFacts("", UNKNOWN, None, "no address in the record")
        hit = self._cache.get(ip)
        if hit is not None:
            return hit
        facts = self._lookup(ip)
        if not facts.private and facts.why_unknown != "not an IP address":
            if self._mmdb:
                facts = self._with_asn(facts)
            elif self._libloc is not None:
                facts = self._with_owner(facts)
        if len(self._cache) >= 100_000:  # bounded: mobile address churn is endless
            self._cache.clear()
        self._cache[ip] = facts
        return facts

    def _lookup(self, ip: str) -> IpFacts:
        try:
            a = ipaddress.ip_address(ip)
        except ValueError:
            return IpFacts(ip, UNKNOWN, None, "not an IP address")
        if a.is_private or a.is_loopback or a.is_link_local or a.is_reserved or a.is_multicast:
            return IpFacts(ip, UNKNOWN, None, "private, reserved or documentation address", True)
        if a.version == 6 and self._v6 is None and self._v6_path is not None:
            self._v6, _ = _load_tor(self._v6_path, v6=True)
        table = self._v4 if a.version == 4 else self._v6
        if table is not None:
            cc = table.get(int(a))
            if cc:
                return IpFacts(ip, cc, self.tor.describe())
        if self._iptocc is not None:
            cc = self._iptocc.country_code(ip)
            if cc:
                return IpFacts(ip, cc.upper(), self.fallback.describe())
        return IpFacts(ip, UNKNOWN, None, "no database places this address")

    def _with_asn(self, facts: IpFacts) -> IpFacts:
        """The ASN and its owner from the first user-supplied MMDB that knows the address
        (GeoLite2-ASN / DB-IP: ``autonomous_system_number``; IPinfo Lite: ``asn`` "AS2516")."""
        from dataclasses import replace

        for reader, db in self._mmdb:
            try:
                rec = reader.get(facts.ip)
            except ValueError:
                return facts
            if not isinstance(rec, dict):
                continue
            num = rec.get("autonomous_system_number")
            org = rec.get("autonomous_system_organization")
            if num is None and isinstance(rec.get("asn"), str) and rec["asn"].upper().startswith("AS"):
                digits = rec["asn"][2:]
                num = int(digits) if digits.isdigit() else None
                org = rec.get("as_name")
            if isinstance(num, int):
                return replace(facts, asn=num, asn_org=str(org) if org else None, asn_database=db.describe())
        return facts

    def prefetch(self, ips: Iterable[str | None]) -> None:
        """Look up, in one batch, the owners of the addresses not yet known (libloc only: an MMDB
        is read in-process). A run calls this once with all its distinct addresses; :meth:`lookup`
        gives libloc's owner only for addresses prefetched, and never starts a process itself."""
        if self._libloc is None:
            return
        todo = {ip for ip in ips if ip and ip not in self._owners and _public(ip)}
        if not todo:
            return
        try:
            got = self._libloc.owners(todo)
        except _libloc.LiblocError as e:
            self.notes.append(f"ASN: {e}; ASNs only from the exports that carry them")
            self._libloc = None
            self.databases = [d for d in self.databases if d is not self.asn_db]
            return
        for ip in todo:
            self._owners[ip] = got.get(ip, _libloc.NOBODY)
        if len(self._owners) >= 200_000:  # bounded, as the facts cache
            self._owners = {ip: self._owners[ip] for ip in todo}
        for ip in todo:
            self._cache.pop(ip, None)  # looked up before the batch: without its owner

    def _with_owner(self, facts: IpFacts) -> IpFacts:
        from dataclasses import replace

        owner = self._owners.get(facts.ip, _libloc.NOBODY)  # not prefetched: not known
        if owner.asn is None:
            return facts
        return replace(facts, asn=owner.asn, asn_org=owner.name, asn_database=self.asn_db.describe())

    def sources(self) -> list[dict[str, str | None]]:
        return [
            {"database": d.name, "as_of": d.as_of.isoformat() if d.as_of else None, "licence": d.licence}
            for d in self.databases
        ]


def _public(ip: str) -> bool:
    try:
        a = ipaddress.ip_address(ip)
    except ValueError:
        return False
    return not (a.is_private or a.is_loopback or a.is_link_local or a.is_reserved or a.is_multicast)


def _open_mmdb(path: Path) -> tuple[Any, Database]:
    """A user-supplied MaxMind-format database (IPinfo Lite, GeoLite2-ASN, DB-IP ASN), named by its
    own metadata and dated by its build time."""
    try:
        import maxminddb
    except ImportError:
        raise ConfigError("reading an MMDB needs the maxminddb package: pip install maxminddb") from None
    try:
        reader = maxminddb.open_database(str(path))
    except (OSError, ValueError, maxminddb.InvalidDatabaseError) as e:
        raise ConfigError(f"not a readable MMDB: {e}", Location(path)) from None
    meta = reader.metadata()
    built = dt.datetime.fromtimestamp(meta.build_epoch, dt.UTC).date() if meta.build_epoch else None
    return reader, Database(
        f"{meta.database_type} ({path.name})", built, "as supplied by the user", str(path)
    )


def _load_tor(path: Path, v6: bool) -> tuple[_RangeTable, dt.date | None]:
    table = _RangeTable()
    date: dt.date | None = None
    with open(path, encoding="ascii", errors="replace") as f:
        for line in f:
            if line.startswith("#"):
                m = _GENERATED.match(line)
                if m and date is None:
                    date = dt.datetime.strptime(m.group(1), "%d %b %Y").date()
                continue
            parts = line.rstrip("\n").split(",")
            if len(parts) != 3:
                continue
            lo, hi, cc = parts
            if v6:
                table.add(int(ipaddress.IPv6Address(lo)), int(ipaddress.IPv6Address(hi)), cc)
            else:
                table.add(int(lo), int(hi), cc)
    table.finish()
    return table, date


@cache
def knowledge() -> IpKnowledge:
    return IpKnowledge()


# --- countries ---------------------------------------------------------------------------------


@cache
def _countries() -> dict[str, tuple[tuple[float, float] | None, frozenset[str]]]:
    from countryinfo import all_countries

    a3_to_a2: dict[str, str] = {}
    raw: dict[str, tuple[tuple[float, float] | None, list[str]]] = {}
    for c in all_countries():
        info = c.info()
        iso = info.get("ISO") or {}
        a2, a3 = iso.get("alpha2"), iso.get("alpha3")
        if not a2:
            continue
        if a3:
            a3_to_a2[a3] = a2
        ll = info.get("latlng") or info.get("capital_latlng")
        try:
            pos = (float(ll[0]), float(ll[1])) if ll and len(ll) >= 2 else None
        except (TypeError, ValueError):  # a few entries hold nested or empty lists
            pos = None
        old = raw.get(a2)
        if old is None or (old[0] is None and pos):
            raw[a2] = (pos, list(info.get("borders") or []))
    out: dict[str, tuple[tuple[float, float] | None, frozenset[str]]] = {}
    for a2, (where, near) in raw.items():
        out[a2] = (where, frozenset(a3_to_a2.get(b, b) for b in near))
    return out


def position(cc: str) -> tuple[float, float] | None:
    entry = _countries().get(cc)
    return entry[0] if entry else None


def borders(a: str, b: str) -> bool:
    """Whether two countries share a land border (either side's list)."""
    c = _countries()
    return b in c.get(a, (None, frozenset()))[1] or a in c.get(b, (None, frozenset()))[1]


def distance_km(a: str, b: str) -> float | None:
    """Great-circle distance between two countries' positions; 0 within one country; None when
    either is unknown or has no position."""
    if a == UNKNOWN or b == UNKNOWN:
        return None
    if a == b:
        return 0.0
    pa, pb = position(a), position(b)
    if pa is None or pb is None:
        return None
    from haversine import haversine

    return float(haversine(pa, pb))


COUNTRY_DATA = "countryinfo (country positions and land borders), haversine (great-circle distance)"

__all__ = ["UNKNOWN", "IpFacts", "IpKnowledge", "borders", "distance_km", "knowledge", "position"]
