"""The inventory stage: software installed on the organisation's machines, matched against the
catalog's software entries (input methods, browser extensions, remote-access tools), as findings.

Exports are read by the readers in :mod:`sekisho.inventory.formats` (osquery, winget, Windows
uninstall CSV). An installed program matches a catalog entry when its name, NFKC-normalised and
case-folded, is the entry's ``name`` or ``name_ja`` without the platform suffix (``Baidu IME for
Windows`` → ``baidu ime``), or starts with it followed by a space, digit or punctuation
(``Baidu IME Ver3.6``); or when its package identifier holds that name without spaces
(``Baidu.BaiduIME``). An export whose platform is known (osquery ``programs`` = Windows) matches only
entries for that platform. Each (machine, software) is one finding, keyed so a re-run updates it.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sekisho.catalog.loader import Catalog
from sekisho.errors import InputError, Location
from sekisho.inventory.formats import detect_inventory, get_inventory_format
from sekisho.inventory.formats.base import Installed, Problem
from sekisho.model.catalog import Software
from sekisho.model.findings import Evidence, Finding, Severity, SourceRef

_SUFFIX = re.compile(
    r"(\s+for\s+(windows|mac|macos|ios|android|linux|chrome|edge))$|([（(]\s*(windows|mac|macos|ios|android)\s*版?\s*[)）])$",
    re.IGNORECASE,
)
SEVERITY: dict[str, Severity] = {
    "ime": "high",
    "browser-extension": "high",
    "agent": "medium",
}  # software kind → severity


def _norm(s: str) -> str:
    return " ".join(unicodedata.normalize("NFKC", s).casefold().split())


def _compact(s: str) -> str:
    return re.sub(r"[^0-9a-z\u3040-\u9fff]", "", _norm(s))


def base_names(sw: Software) -> set[str]:
    return {_norm(_SUFFIX.sub("", n).strip()) for n in (sw.name, sw.name_ja) if n}


@dataclass
class Matcher:
    entries: list[tuple[Software, set[str], set[str]]]

    @classmethod
    def of(cls, catalog: Catalog) -> Matcher:
        out = []
        for sw in catalog.software.values():
            names = base_names(sw)
            out.append((sw, names, {c for n in names if len(c := _compact(n)) >= 6}))
        return cls(out)

    def match(self, item: Installed) -> list[Software]:
        name = _norm(item.name)
        ident = _compact(item.identifier or "")
        found = []
        for sw, names, compact in self.entries:
            if item.platform and sw.platforms and item.platform not in sw.platforms:
                continue
            by_name = any(name == n or (name.startswith(n) and not name[len(n)].isalpha()) for n in names)
            if by_name or (ident and any(c in ident for c in compact)):
                found.append(sw)
        return found


@dataclass
class InventoryResult:
    findings: list[Finding] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    files: list[dict[str, Any]] = field(default_factory=list)
    machines: set[str] = field(default_factory=set)


def finding_for(sw: Software, item: Installed) -> Finding:
    op = sw.operator
    return Finding(
        stage="inventory",
        kind="software_installed",
        subject=f"{item.machine}/{sw.id}",
        severity=SEVERITY.get(sw.kind, "medium"),
        title=f"{sw.name} is installed on {item.machine}",
        title_ja=f"{item.machine} に {sw.name_ja or sw.name} がインストールされています",
        detail={
            "software": sw.id,
            "services": list(sw.services),
            "machine": item.machine,
            "installed_name": item.name,
            "version": item.version,
            "publisher": item.publisher,
            "software_kind": sw.kind,
            "operator": op.value,
        },
        evidence=[
            Evidence(file=item.file, line=item.line, values={"name": item.name, "version": item.version})
        ],
        sources=[
            SourceRef(
                text=f"operator of {sw.name}: {op.value}",
                source=op.source,
                as_of=op.as_of,
                kind=op.source_kind,
            )
        ],
    )


def read_inventory(paths: list[Path], catalog: Catalog, format_name: str | None = None) -> InventoryResult:
    """Read every export, match every program; problems (file:line, reason) are collected, never
    dropped. A file that is no known export raises :class:`InputError`."""
    matcher = Matcher.of(catalog)
    result = InventoryResult()
    seen: dict[str, Finding] = {}
    for path in paths:
        try:
            text = path.read_text(encoding="utf-8-sig", errors="strict")
        except UnicodeDecodeError:
            try:
                text = path.read_text(
                    encoding="utf-16"
                )  # PowerShell 5's Out-File / Export-Csv -Encoding Unicode
            except (UnicodeError, ValueError):
                raise InputError("neither UTF-8 nor UTF-16 text", Location(path)) from None
        except OSError as e:
            raise InputError(f"cannot read: {e.strerror}", Location(path)) from None
        fmt = get_inventory_format(format_name) if format_name else detect_inventory(path, text)
        items, problems = fmt.read(path, text)
        result.problems += problems
        matched = 0
        for item in items:
            result.machines.add(item.machine)
            for sw in matcher.match(item):
                f = finding_for(sw, item)
                if f.key not in seen:
                    seen[f.key] = f
                    matched += 1
        result.files.append(
            {
                "path": str(path),
                "format": fmt.name,
                "programs": len(items),
                "matched": matched,
                "problems": len(problems),
            }
        )
    result.findings = sorted(seen.values(), key=lambda f: (-f.rank, f.subject))
    return result


def findings_json(result: InventoryResult) -> dict[str, Any]:
    """``{"findings": [{"software", "service", "machine", "version", "source"}], …}`` (issue 17)."""
    rows = []
    for f in result.findings:
        d = f.detail
        ev = f.evidence[0]
        rows.append(
            {
                "software": d["software"],
                "service": d["services"][0],
                "services": d["services"],
                "machine": d["machine"],
                "version": d["version"],
                "installed_name": d["installed_name"],
                "severity": f.severity,
                "source": f"{ev.file}:{ev.line}",
            }
        )
    return {
        "findings": rows,
        "machines": len(result.machines),
        "files": result.files,
        "problems": [{"file": p.file, "line": p.line, "reason": p.reason} for p in result.problems],
    }


__all__ = ["InventoryResult", "Matcher", "findings_json", "read_inventory"]
