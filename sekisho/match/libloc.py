"""Network owners (ASN and its name) from Debian's ``libloc-database``, offline.

The IPFire Location database (CC BY-SA 4.0) ships in Debian as ``libloc-database``
(``/usr/share/libloc-location/location.db``, linked from ``/var/lib/location/database.db``, the
path ``location update`` refreshes). Its reader is libloc's C library with Python bindings for the
system interpreter only (``python3-location``; not on PyPI, so not in a venv). sekisho therefore
asks the system ``python3`` — isolated (``-I``), one process per batch of addresses, never one per
address — to look every distinct address up at once: addresses in on stdin, one JSON line out per
address. The date is the database's own ``created_at`` (its header, as ``location version`` shows
it). No network call: ``location update`` is the OS's business.

An address the database does not hold (libloc 0.9.16 raises ``OSError`` for it; its CLI stops at the
first one, which is why the CLI is not used), a network without an AS, or an AS without a name
leaves that part unknown, never guessed.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import struct
import subprocess
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

DEFAULT_PATHS = (Path("/var/lib/location/database.db"), Path("/usr/share/libloc-location/location.db"))
SYSTEM_PYTHON = os.environ.get("SEKISHO_LIBLOC_PYTHON", "/usr/bin/python3")
NAME = "IPFire Location via Debian libloc-database"
LICENCE = "CC BY-SA 4.0"

# Runs in the system python: the bindings live there. Reads addresses from stdin, writes one JSON
# object per address (asn/name null when unknown). Kept free of anything but the stdlib + location.
_SCRIPT = r"""
import json, sys
import location
db = location.Database(sys.argv[1])
out = sys.stdout
names = {}
for line in sys.stdin:
    ip = line.strip()
    if not ip:
        continue
    asn = name = net = None
    try:
        n = db.lookup(ip)
    except (OSError, ValueError):
        n = None
    if n is not None:
        net = str(n)
        asn = n.asn or None
        if asn is not None:
            if asn not in names:
                a = db.get_as(asn)
                names[asn] = (a.name or None) if a is not None else None
            name = names[asn]
    out.write(json.dumps({"ip": ip, "asn": asn, "name": name, "network": net}) + "\n")
"""


@dataclass(frozen=True, slots=True)
class Owner:
    asn: int | None
    name: str | None
    network: str | None


NOBODY = Owner(None, None, None)


class LiblocError(Exception):
    """The reader could not run (no system python3-location, a damaged file): ASNs stay unknown."""


def find_database(path: Path | None = None) -> Path | None:
    """``$SEKISHO_LIBLOC_DB``, else the paths Debian installs; None when none is a file."""
    if path is not None:
        return path if path.is_file() else None
    env = os.environ.get("SEKISHO_LIBLOC_DB")
    candidates = (Path(env),) if env else DEFAULT_PATHS
    return next((p for p in candidates if p.is_file()), None)


def created_at(path: Path) -> dt.date | None:
    """The database's own date: ``created_at`` (big-endian u64 seconds) right after the 8-byte
    magic ``LOCDBXX`` + version of libloc's format version 1; None for anything else."""
    try:
        with open(path, "rb") as f:
            head = f.read(16)
    except OSError:
        return None
    if len(head) < 16 or head[:7] != b"LOCDBXX" or head[7] != 1:
        return None
    (secs,) = struct.unpack(">Q", head[8:16])
    return dt.datetime.fromtimestamp(secs, dt.UTC).date() if secs else None


class Libloc:
    """One database file; :meth:`owners` looks a batch of addresses up in one system-python run."""

    def __init__(self, path: Path, python: str | None = None, timeout: float = 300.0) -> None:
        self.path = path
        self.python = python or SYSTEM_PYTHON
        self.timeout = timeout
        self.as_of = created_at(path)

    def owners(self, ips: Iterable[str]) -> dict[str, Owner]:
        todo = sorted(set(ips))
        if not todo:
            return {}
        try:
            done = subprocess.run(  # noqa: S603 - the system python, an argument list, no shell
                [self.python, "-I", "-c", _SCRIPT, str(self.path)],
                input="\n".join(todo) + "\n",
                capture_output=True,
                text=True,
                timeout=self.timeout,
                check=False,
            )
        except (OSError, subprocess.TimeoutExpired) as e:
            raise LiblocError(f"could not run {self.python} for libloc: {e}") from None
        if done.returncode != 0:
            last = (done.stderr.strip().splitlines() or ["no message"])[-1]
            raise LiblocError(f"libloc's reader ({self.python}, python3-location) failed: {last}")
        out: dict[str, Owner] = {}
        for line in done.stdout.splitlines():
            rec = json.loads(line)
            asn = rec.get("asn")
            out[str(rec["ip"])] = Owner(
                int(asn) if isinstance(asn, int) and asn > 0 else None, rec.get("name"), rec.get("network")
            )
        return out


__all__ = ["NOBODY", "Libloc", "LiblocError", "Owner", "created_at", "find_database"]
