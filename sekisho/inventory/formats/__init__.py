"""Software inventory exports, one module each, registered by name; a new export is one module and
one line here. A reader turns a file into :class:`~sekisho.inventory.formats.base.Installed` rows
(machine, name, version, where in the file) and :class:`~sekisho.inventory.formats.base.Problem`
entries for what it could not read (file:line and reason: nothing is dropped silently)."""

from __future__ import annotations

from pathlib import Path

from sekisho.errors import InputError, Location, NotFoundError
from sekisho.inventory.formats.android import AndroidPackages
from sekisho.inventory.formats.base import InventoryFormat
from sekisho.inventory.formats.macos import SystemProfilerApps
from sekisho.inventory.formats.osquery import OsqueryResults
from sekisho.inventory.formats.uninstall_csv import UninstallCsv
from sekisho.inventory.formats.winget import WingetExport

INVENTORY_FORMATS: dict[str, type[InventoryFormat]] = {
    "osquery": OsqueryResults,
    "winget": WingetExport,
    "uninstall-csv": UninstallCsv,
    "macos-apps": SystemProfilerApps,
    "android-packages": AndroidPackages,
}


def get_inventory_format(name: str) -> InventoryFormat:
    try:
        return INVENTORY_FORMATS[name]()
    except KeyError:
        raise NotFoundError(
            f"unknown inventory format {name!r}; known: {', '.join(INVENTORY_FORMATS)}"
        ) from None


def detect_inventory(path: Path, text: str) -> InventoryFormat:
    for cls in INVENTORY_FORMATS.values():
        fmt = cls()
        if fmt.sniff(text):
            return fmt
    raise InputError(
        f"not a software inventory sekisho recognises; known: {', '.join(INVENTORY_FORMATS)}", Location(path)
    )


__all__ = ["INVENTORY_FORMATS", "InventoryFormat", "detect_inventory", "get_inventory_format"]
