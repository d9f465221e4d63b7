"""osquery exports of the installed-software tables: ``programs`` (Windows), ``apps`` (macOS),
``deb_packages``/``rpm_packages`` (Linux), ``chrome_extensions``.

Two shapes are read:

- ``osqueryi --json "SELECT * FROM programs" > PC-01.json``: a JSON array of rows, one machine;
  the machine is a ``hostname``/``computer_name``/``host_identifier`` column when the query added
  one (``SELECT p.*, s.hostname FROM programs p, system_info s``), else the file's name without
  its extension;
- osqueryd's results log (filesystem logger, one JSON object a line, ``hostIdentifier`` naming the
  machine): event rows (``"columns": {…}, "action": "added"``), snapshots (``"snapshot": […]``)
  and batches (``"diffResults": {"added": […]}``). ``removed`` rows are not installed software.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any, ClassVar

from sekisho.inventory.formats.base import Installed, InventoryFormat, Problem, line_of

_HOST_COLUMNS = ("hostname", "computer_name", "host_identifier", "hostIdentifier")


def _platform(row: dict[str, Any], query: str | None) -> str | None:
    q = (query or "").lower()
    if "bundle_identifier" in row or "apps" in q:
        return "macos"
    if "browser_type" in row or "chrome_extensions" in q or ("identifier" in row and "permissions" in row):
        return "browser"
    if (
        ("arch" in row and ("revision" in row or "release" in row))
        or "deb_packages" in q
        or "rpm_packages" in q
    ):
        return "linux"
    if "install_location" in row or "identifying_number" in row or "programs" in q:
        return "windows"
    return None


def _row(row: Any, machine: str, path: Path, line: int, query: str | None) -> Installed | Problem:
    if not isinstance(row, dict):
        return Problem(str(path), line, "a row that is not a JSON object")
    name = row.get("name")
    if not isinstance(name, str) or not name.strip():
        return Problem(str(path), line, "a row without a name")
    host = next(
        (str(row[c]) for c in _HOST_COLUMNS if isinstance(row.get(c), str) and row[c].strip()), machine
    )
    version = row.get("version") or row.get("bundle_short_version") or row.get("bundle_version")
    ident = row.get("bundle_identifier") or row.get("identifier") or row.get("identifying_number")
    return Installed(
        machine=host,
        name=name.strip(),
        version=str(version) if version else None,
        publisher=str(row["publisher"]) if row.get("publisher") else None,
        file=str(path),
        line=line,
        platform=_platform(row, query),
        identifier=str(ident) if ident else None,
    )


class OsqueryResults(InventoryFormat):
    name: ClassVar[str] = "osquery"
    title: ClassVar[str] = (
        "osquery programs/apps/deb_packages/chrome_extensions (osqueryi --json, results log)"
    )

    def sniff(self, text: str) -> bool:
        head = text.lstrip()[:4096]
        if head.startswith("["):
            return '"name"' in head and (
                '"version"' in head or '"publisher"' in head or '"bundle_identifier"' in head
            )
        return head.startswith("{") and '"hostIdentifier"' in head

    def read(self, path: Path, text: str) -> tuple[list[Installed], list[Problem]]:
        out: list[Installed] = []
        problems: list[Problem] = []

        def take(item: Installed | Problem) -> None:
            (out if isinstance(item, Installed) else problems).append(item)  # type: ignore[arg-type]

        stripped = text.lstrip()
        if stripped.startswith("["):
            for offset, row, err in _array_items(text):
                if err:
                    problems.append(Problem(str(path), line_of(text, offset), err))
                    break
                take(_row(row, path.stem, path, line_of(text, offset), None))
            return out, problems
        for n, line in enumerate(text.splitlines(), start=1):
            if not line.strip():
                continue
            try:
                rec = json.loads(line)
            except ValueError:
                problems.append(Problem(str(path), n, "not a JSON object"))
                continue
            if not isinstance(rec, dict) or not isinstance(rec.get("hostIdentifier"), str):
                problems.append(Problem(str(path), n, "not an osquery result (no hostIdentifier)"))
                continue
            host, query = rec["hostIdentifier"], rec.get("name")
            if isinstance(rec.get("columns"), dict):
                if rec.get("action", "added") == "added":
                    take(_row(rec["columns"], host, path, n, query))
            elif isinstance(rec.get("snapshot"), list):
                for row in rec["snapshot"]:
                    take(_row(row, host, path, n, query))
            elif isinstance(rec.get("diffResults"), dict):
                for row in rec["diffResults"].get("added") or []:
                    take(_row(row, host, path, n, query))
            else:
                problems.append(
                    Problem(str(path), n, "an osquery result without columns, snapshot or diffResults")
                )
        return out, problems


def _array_items(text: str) -> list[tuple[int, Any, str | None]]:
    """(offset, value, error) of each element of the JSON array in ``text``."""
    dec = json.JSONDecoder()
    items: list[tuple[int, Any, str | None]] = []
    i = text.index("[") + 1
    n = len(text)
    while True:
        while i < n and text[i] in " \t\r\n,":
            i += 1
        if i >= n:
            items.append((n, None, "the JSON array does not end (a cut export?)"))
            return items
        if text[i] == "]":
            return items
        try:
            value, end = dec.raw_decode(text, i)
        except json.JSONDecodeError as e:
            items.append((i, None, f"not JSON here: {e.msg}"))
            return items
        items.append((i, value, None))
        i = end
