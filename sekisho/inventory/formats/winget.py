"""``winget export -o PC-01.json``: the Windows Package Manager's list of installed packages
(schema ``https://aka.ms/winget-packages.schema.2.0.json``): ``Sources[].Packages[]`` with a
``PackageIdentifier`` (``Publisher.Package``) and, with ``--include-versions``, a ``Version``. It
names no machine: the machine is the file's name without its extension."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import ClassVar

from sekisho.inventory.formats.base import Installed, InventoryFormat, Problem, line_of


class WingetExport(InventoryFormat):
    name: ClassVar[str] = "winget"
    title: ClassVar[str] = "winget export (Windows Package Manager, JSON)"

    def sniff(self, text: str) -> bool:
        head = text[:4096]
        return "winget-packages.schema" in head or ('"Sources"' in head and '"WinGetVersion"' in text)

    def read(self, path: Path, text: str) -> tuple[list[Installed], list[Problem]]:
        try:
            doc = json.loads(text)
        except ValueError as e:
            return [], [Problem(str(path), getattr(e, "lineno", 1), "not JSON")]
        out: list[Installed] = []
        problems: list[Problem] = []
        pos = 0
        for src in doc.get("Sources") or [] if isinstance(doc, dict) else []:
            for pkg in (src.get("Packages") or []) if isinstance(src, dict) else []:
                ident = pkg.get("PackageIdentifier") if isinstance(pkg, dict) else None
                m = re.search(r'"PackageIdentifier"\s*:', text[pos:])
                line = line_of(text, pos + m.start()) if m else 1
                if m:
                    pos += m.end()
                if not isinstance(ident, str) or not ident.strip():
                    problems.append(Problem(str(path), line, "a package without a PackageIdentifier"))
                    continue
                version = pkg.get("Version")
                out.append(
                    Installed(
                        path.stem,
                        ident,
                        str(version) if version else None,
                        None,
                        str(path),
                        line,
                        "windows",
                        ident,
                    )
                )
        return out, problems
