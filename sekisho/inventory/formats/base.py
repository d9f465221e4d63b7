"""What an inventory reader hands on."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import ClassVar


@dataclass(frozen=True)
class Installed:
    """One program installed on one machine, and where the export says so."""

    machine: str
    name: str
    version: str | None
    publisher: str | None
    file: str
    line: int
    platform: str | None = None  # windows, macos, linux, android (None: unknown)
    identifier: str | None = None  # a package id (winget ``Baidu.BaiduIME``, a deb name)


@dataclass(frozen=True)
class Problem:
    file: str
    line: int
    reason: str

    def __str__(self) -> str:
        return f"{self.file}:{self.line}: {self.reason}"


class InventoryFormat:
    name: ClassVar[str]
    title: ClassVar[str]

    def sniff(self, text: str) -> bool:
        raise NotImplementedError

    def read(self, path: Path, text: str) -> tuple[list[Installed], list[Problem]]:
        raise NotImplementedError


def line_of(text: str, offset: int) -> int:
    """The 1-based line number of a character offset."""
    return text.count("\n", 0, offset) + 1
