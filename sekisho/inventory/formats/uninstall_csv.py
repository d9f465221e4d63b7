"""Windows' installed programs as CSV: the registry's Uninstall keys exported by PowerShell
(``Get-ItemProperty HKLM:\\Software\\Microsoft\\Windows\\CurrentVersion\\Uninstall\\*,
HKLM:\\Software\\WOW6432Node\\…\\Uninstall\\* | Select-Object PSComputerName, DisplayName,
DisplayVersion, Publisher | Export-Csv``), ``Get-Package | Export-Csv`` (``Name``, ``Version``), or an
Intune/Defender software inventory export (``Device name``, ``Software name``, ``Version``).
Windows PowerShell 5 writes a ``#TYPE …`` line first; the machine is a ``PSComputerName``,
``ComputerName``, ``DeviceName``/``Device name`` column, else the file's name."""

from __future__ import annotations

import csv
import io
from pathlib import Path
from typing import ClassVar

from sekisho.inventory.formats.base import Installed, InventoryFormat, Problem

_NAME = ("displayname", "name", "software name", "softwarename", "application name")
_VERSION = ("displayversion", "version", "software version", "softwareversion")
_MACHINE = ("pscomputername", "computername", "devicename", "device name", "machine", "hostname")
_PUBLISHER = ("publisher", "vendor", "software vendor")


def _col(header: list[str], names: tuple[str, ...]) -> int | None:
    low = [h.strip().lower() for h in header]
    return next((low.index(n) for n in names if n in low), None)


class UninstallCsv(InventoryFormat):
    name: ClassVar[str] = "uninstall-csv"
    title: ClassVar[str] = (
        "Windows installed programs CSV (registry Uninstall keys, Get-Package, Intune/Defender)"
    )

    def sniff(self, text: str) -> bool:
        lines = [ln for ln in text[:8192].splitlines() if ln.strip()]
        if lines and lines[0].startswith("#TYPE"):
            lines = lines[1:]
        if not lines:
            return False
        header = next(csv.reader([lines[0]]))
        return _col(header, _NAME) is not None and (
            _col(header, _VERSION) is not None or _col(header, _PUBLISHER) is not None
        )

    def read(self, path: Path, text: str) -> tuple[list[Installed], list[Problem]]:
        reader = csv.reader(io.StringIO(text.removeprefix("\ufeff")))
        header: list[str] | None = None
        ni = vi = mi = pi = None
        out: list[Installed] = []
        problems: list[Problem] = []
        for row in reader:
            n = reader.line_num  # the line the row ends on (a quoted value may span lines)
            if not row or not any(c.strip() for c in row):
                continue
            if header is None:
                if row[0].startswith("#TYPE"):
                    continue
                header = row
                ni, vi, mi, pi = (_col(header, c) for c in (_NAME, _VERSION, _MACHINE, _PUBLISHER))
                if ni is None:
                    return [], [Problem(str(path), n, "no DisplayName/Name column in the header")]
                continue
            if len(row) != len(header):
                problems.append(
                    Problem(str(path), n, f"{len(row)} values where the header names {len(header)}")
                )
                continue
            assert ni is not None
            name = row[ni].strip()
            if not name:
                continue  # an Uninstall key without DisplayName is no listed program (updates, components)
            machine = row[mi].strip() if mi is not None and row[mi].strip() else path.stem
            version = (row[vi].strip() or None) if vi is not None else None
            publisher = (row[pi].strip() or None) if pi is not None else None
            out.append(Installed(machine, name, version, publisher, str(path), n, "windows"))
        if header is None:
            problems.append(Problem(str(path), 1, "no header"))
        return out, problems
