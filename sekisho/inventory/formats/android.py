"""Android ``adb shell pm list packages [-f] [--show-versioncode] > phone-01.txt``: one
``package:NAME`` line per installed package (``package:/data/app/…/base.apk=NAME`` with ``-f``,
`` versionCode:N`` with ``--show-versioncode``). The package name is the identifier matched; the
machine is the file's name without its extension."""

from __future__ import annotations

import re
from pathlib import Path
from typing import ClassVar

from sekisho.inventory.formats.base import Installed, InventoryFormat, Problem

_LINE = re.compile(
    r"^package:(?:\S*=)?([A-Za-z][A-Za-z0-9_]*(?:\.[A-Za-z0-9_]+)+)(?: versionCode:(\d+))?(?: uid:\d+)?\s*$"
)


class AndroidPackages(InventoryFormat):
    name: ClassVar[str] = "android-packages"
    title: ClassVar[str] = "Android pm list packages"

    def sniff(self, text: str) -> bool:
        lines = [ln for ln in text[:4096].splitlines() if ln.strip()][:20]
        return bool(lines) and sum(ln.startswith("package:") for ln in lines) * 2 > len(lines)

    def read(self, path: Path, text: str) -> tuple[list[Installed], list[Problem]]:
        out: list[Installed] = []
        problems: list[Problem] = []
        for n, line in enumerate(text.splitlines(), start=1):
            if not line.strip():
                continue
            m = _LINE.match(line.strip())
            if not m:
                problems.append(Problem(str(path), n, "not a 'package:NAME' line"))
                continue
            pkg = m.group(1)
            out.append(Installed(path.stem, pkg, m.group(2), None, str(path), n, "android", pkg))
        return out, problems
