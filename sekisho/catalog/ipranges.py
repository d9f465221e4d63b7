"""Operators' published IP ranges: which operator's network an address belongs to.

Flow records (FortiGate traffic, NetFlow through nfdump, Palo Alto TRAFFIC, CEF ``dst``) carry a
destination address, not a name. Some operators publish the address ranges of their network
(AWS ``ip-ranges.json``, Google ``goog.txt``/``cloud.json``, Azure Service Tags, Cloudflare
``ips-v4``/``ips-v6``, Oracle, DigitalOcean, Telegram). ``known/ip-ranges.json.gz`` holds one
entry per operator (``iprange:<operator-id>``) with its ranges and where they were read; an
address inside one is attributed to that *operator*, never to a service — a shared cloud or CDN
address is used by many customers and services, and the output says so (message
``report.iprange_caveat``).

:func:`import_ip_ranges` builds the file from a directory of the operators' files and the
manifest ``known/ip-ranges-sources.yaml`` (maintainer-run, output committed);
:func:`load_ip_ranges` reads it into :class:`IpRanges`, a longest-prefix lookup (one dictionary
per prefix length, as a router's table), so a lookup costs at most one probe per prefix length the
file holds. The entries also load as known services (no names), so ``sekisho show
iprange:google-llc`` shows the provenance and the known tier's digest covers the file.
"""

from __future__ import annotations

import csv
import datetime as dt
import gzip
import io
import ipaddress
import json
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

from sekisho.catalog.known import ImportReport, known_doc
from sekisho.errors import CatalogError, Location

__all__ = [
    "RANGES_FILE",
    "SOURCES_FILE",
    "IpRanges",
    "describe_ranges",
    "import_ip_ranges",
    "load_ip_ranges",
    "parse_ranges",
]

RANGES_FILE = "ip-ranges.json.gz"
SOURCES_FILE = "ip-ranges-sources.yaml"
PREFIX = "iprange:"
Network = ipaddress.IPv4Network | ipaddress.IPv6Network


def _networks_of_json(data: Any) -> list[str]:
    """The CIDRs of an operator's own JSON file, by its known shape."""
    out: list[str] = []
    if isinstance(data, dict) and ("prefixes" in data or "ipv6_prefixes" in data):
        for p in [*(data.get("prefixes") or []), *(data.get("ipv6_prefixes") or [])]:
            if isinstance(p, dict):
                # AWS: ip_prefix/ipv6_prefix; Google goog.json/cloud.json: ipv4Prefix/ipv6Prefix
                out += [
                    str(p[k]) for k in ("ip_prefix", "ipv6_prefix", "ipv4Prefix", "ipv6Prefix") if p.get(k)
                ]
    elif isinstance(data, dict) and isinstance(data.get("values"), list):  # Azure Service Tags
        for v in data["values"]:
            props = v.get("properties") if isinstance(v, dict) else None
            out += [str(a) for a in (props or {}).get("addressPrefixes") or []]
    elif isinstance(data, dict) and isinstance(data.get("regions"), list):  # Oracle
        for r in data["regions"]:
            out += [str(c["cidr"]) for c in (r.get("cidrs") or []) if isinstance(c, dict) and c.get("cidr")]
    elif isinstance(data, dict) and ("addresses" in data or "ipv6_addresses" in data):  # Fastly
        out += [str(a) for a in [*(data.get("addresses") or []), *(data.get("ipv6_addresses") or [])]]
    elif isinstance(data, dict):  # GitHub /meta: lists of CIDRs under keys (web, api, git, …)
        for key, v in data.items():
            if key not in ("actions", "actions_macos", "ssh_keys", "domains") and isinstance(v, list):
                out += [str(a) for a in v if isinstance(a, str) and "/" in a]
    return out


def _file_date(data: Any) -> str | None:
    """The file's own date or version, where its format has one."""
    if not isinstance(data, dict):
        return None
    for key in ("createDate", "creationTime", "changeNumber", "last_updated_timestamp", "syncToken"):
        if data.get(key) not in (None, ""):
            return f"{key}={data[key]}"
    return None


def parse_ranges(text: str, where: str, report: ImportReport) -> tuple[list[Network], str | None]:
    """The networks of one file — plain CIDRs a line (``#`` comments), a CSV whose first column
    is the CIDR (geofeeds), or an operator's JSON — and the file's own date when it has one. A
    line that is no network is counted and named (``file:line``), never dropped silently."""
    stripped = text.lstrip()
    if stripped.startswith("{"):
        try:
            data = json.loads(text)
        except json.JSONDecodeError as e:
            raise CatalogError(f"not a JSON file: {e}", Location(where)) from None
        items = [(where, c) for c in _networks_of_json(data)]
        date = _file_date(data)
    else:
        items = []
        for lineno, row in enumerate(csv.reader(io.StringIO(text)), 1):
            cell = row[0].split("#", 1)[0].strip() if row else ""
            if cell:
                items.append((f"{where}:{lineno}", cell))
        date = None
    nets: list[Network] = []
    for place, cidr in items:
        try:
            net = ipaddress.ip_network(cidr.strip(), strict=False)
        except ValueError:
            report.skip("not an address range", place)
            continue
        if not net.is_global:
            report.skip("not a global address range (RFC 6890)", place)
            continue
        nets.append(net)
    return nets, date


def _sources(path: Path) -> tuple[dict[str, Any], Path]:
    manifest = path / "sources.yaml"
    if not manifest.is_file():
        from sekisho.catalog.loader import bundled_catalog_dir

        manifest = bundled_catalog_dir() / "known" / SOURCES_FILE
    import yaml  # here: a catalog read from the caches never needs it

    try:
        doc = yaml.safe_load(manifest.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as e:
        raise CatalogError(f"cannot read the manifest: {e}", Location(manifest)) from None
    if not isinstance(doc, dict) or not isinstance(doc.get("sets"), list):
        raise CatalogError("expected a manifest with `sets:`", Location(manifest))
    return doc, manifest


def import_ip_ranges(path: Path) -> tuple[dict[str, Any], ImportReport]:
    """Read the operators' files under ``path`` as the manifest (``path/sources.yaml``, else the
    bundled ``known/ip-ranges-sources.yaml``) lists them: one known entry per operator with its
    ranges collapsed (the union, no address added), and where they came from."""
    path = Path(path)
    doc, manifest = _sources(path)
    mirror = doc.get("mirror") or {}
    report = ImportReport("operators' published IP ranges", str(mirror.get("commit") or "operator files"))
    rows: list[dict[str, Any]] = []
    seen: dict[Network, str] = {}
    for entry in doc["sets"]:
        op = str(entry["operator"])
        nets: list[Network] = []
        dates: list[str] = []
        for name in entry.get("files") or []:
            fp = path / name
            try:
                text = fp.read_text(encoding="utf-8")
            except OSError as e:
                raise CatalogError(f"cannot read {name} for {op}: {e}", Location(manifest)) from None
            got, date = parse_ranges(text, name, report)
            nets += got
            if date:
                dates.append(f"{name}: {date}")
        v4 = list(ipaddress.collapse_addresses(n for n in nets if n.version == 4))
        v6 = list(ipaddress.collapse_addresses(n for n in nets if n.version == 6))
        for n in v4 + v6:  # a network two operators publish: the earlier set in the manifest keeps it
            if n in seen:
                report.skip(f"also published by {seen[n]}", f"{op}: {n}")
            seen.setdefault(n, op)
        if not v4 and not v6:
            report.skip("operator without ranges", op)
            continue
        published = entry.get("published_at") or []
        rows.append(
            {
                "id": f"{PREFIX}{op}",
                "name": f"{entry.get('name') or op} (published IP ranges)",
                "file": ", ".join(entry.get("files") or []),
                "url": str(published[0]) if published else mirror.get("repo"),
                "domains": [],
                "hostnames": [],
                "tags": {},
                "includes": [],
                "group": False,
                "operator": op,
                "ipv4": [str(n) for n in v4],
                "ipv6": [str(n) for n in v6],
                "source": {
                    "published_at": [str(u) for u in published],
                    "read_from": mirror.get("repo"),
                    "commit": mirror.get("commit"),
                    "as_of": str(mirror.get("commit_date") or ""),
                    "changed_on": str(entry.get("changed_on") or ""),
                    "file_dates": dates,
                    "read_on": str(mirror.get("read_on") or dt.date.today().isoformat()),
                    "terms": entry.get("terms"),
                },
            }
        )
        report.names += len(v4) + len(v6)
    report.services = len(rows)
    out = known_doc(
        report,
        dataset="operators' published IP ranges",
        url=mirror.get("repo"),
        commit=report.commit,
        licence=str(mirror.get("licence") or "operators' terms"),
        rows=rows,
    )
    return out, report


@dataclass
class IpRanges:
    """Longest-prefix lookup of an address in the operators' ranges: per family, one dictionary
    per prefix length from the network's integer to (operator id, CIDR)."""

    tables: dict[int, list[tuple[int, dict[int, tuple[str, str]]]]] = field(default_factory=dict)
    sets: dict[str, dict[str, Any]] = field(default_factory=dict)  # known id → its source
    count: int = 0

    def add(self, known_id: str, cidr: str) -> None:
        net = ipaddress.ip_network(cidr, strict=False)
        bits = net.max_prefixlen
        table = self.tables.setdefault(net.version, [])
        for plen, d in table:
            if plen == net.prefixlen:
                d.setdefault(int(net.network_address) >> (bits - plen), (known_id, str(net)))
                break
        else:
            table.append(
                (net.prefixlen, {int(net.network_address) >> (bits - net.prefixlen): (known_id, str(net))})
            )
            table.sort(key=lambda t: -t[0])  # the longest prefix first
        self.count += 1

    def lookup(self, address: str) -> tuple[str, str] | None:
        """(known id, the range's CIDR) holding ``address`` (``[v6]`` brackets allowed), or None."""
        try:
            ip = ipaddress.ip_address(address.strip().strip("[]"))
        except ValueError:
            return None
        if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
            ip = ip.ipv4_mapped
        value, bits = int(ip), ip.max_prefixlen
        for plen, d in self.tables.get(ip.version, ()):
            hit = d.get(value >> (bits - plen))
            if hit is not None:
                return hit
        return None


def load_ip_ranges(catalog_root: Path) -> IpRanges:
    """The ranges of ``catalog_root/known/ip-ranges.json.gz`` (empty when there is none)."""
    path = Path(catalog_root) / "known" / RANGES_FILE
    if not path.is_file():
        return IpRanges()
    st = path.stat()
    return _load(str(path), st.st_mtime_ns, st.st_size)


@lru_cache(maxsize=4)
def _load(path: str, _mtime: int, _size: int) -> IpRanges:
    try:
        with gzip.open(path, "rb") as fh:
            doc = json.loads(fh.read())
    except (OSError, EOFError, json.JSONDecodeError) as e:
        raise CatalogError(f"cannot read the IP ranges: {e}", Location(Path(path))) from None
    out = IpRanges()
    for row in doc.get("services", []):
        out.sets[row["id"]] = {
            "operator": row.get("operator"),
            "name": row["name"],
            "ipv4": len(row.get("ipv4", [])),
            "ipv6": len(row.get("ipv6", [])),
            **(row.get("source") or {}),
        }
        for cidr in [*row.get("ipv4", []), *row.get("ipv6", [])]:
            out.add(row["id"], cidr)
    return out


def describe_ranges(catalog_root: Path, known_id: str) -> dict[str, Any]:
    """What ``sekisho show iprange:<operator>`` adds to a known entry: how many ranges, where they
    were published and read, and the caveat (en, ja) that they name the operator, not a service."""
    from sekisho.i18n import text

    info = load_ip_ranges(catalog_root).sets.get(known_id)
    if info is None:
        return {}
    return {
        "ranges": {"ipv4": info["ipv4"], "ipv6": info["ipv6"]},
        "source": {k: v for k, v in info.items() if k not in ("operator", "name", "ipv4", "ipv6")},
        "caveat": {lang: text("report.iprange_caveat", lang) for lang in ("en", "ja")},
    }
