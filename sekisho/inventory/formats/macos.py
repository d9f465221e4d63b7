"""macOS ``system_profiler SPApplicationsDataType -json > Mac-01.json``: ``SPApplicationsDataType``
is a list of applications (``_name``, ``version``, ``path``, ``obtained_from``, ``info``). It names no
machine: the machine is the file's name without its extension."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import ClassVar

from sekisho.inventory.formats.base import Installed, InventoryFormat, Problem, line_of


class SystemProfilerApps(InventoryFormat):
    name: ClassVar[str] = "macos-apps"
    title: ClassVar[str] = "macOS system_profiler SPApplicationsDataType -json"

    def sniff(self, text: str) -> bool:
        return '"SPApplicationsDataType"' in text[:4096]

    def read(self, path: Path, text: str) -> tuple[list[Installed], list[Problem]]:
        try:
            doc = json.loads(text)
        except json.JSONDecodeError as e:
            return [], [Problem(str(path), e.lineno, f"not JSON: {e.msg}")]
        apps = doc.get("SPApplicationsDataType") if isinstance(doc, dict) else None
        if not isinstance(apps, list):
            return [], [Problem(str(path), 1, "no SPApplicationsDataType list")]
        out: list[Installed] = []
        problems: list[Problem] = []
        pos = 0
        for app in apps:
            m = re.search(r'"_name"\s*:', text[pos:])
            line = line_of(text, pos + m.start()) if m else 1
            if m:
                pos += m.end()
            name = app.get("_name") if isinstance(app, dict) else None
            if not isinstance(name, str) or not name.strip():
                problems.append(Problem(str(path), line, "an application without _name"))
                continue
            version = app.get("version")
            out.append(
                Installed(
                    path.stem, name.strip(), str(version) if version else None, None, str(path), line, "macos"
                )
            )
        return out, problems
