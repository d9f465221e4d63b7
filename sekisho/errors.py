"""Errors that know where they happened.

Exception tree::

    SekishoError                 every error sekisho raises on purpose
    ├── CatalogError             a catalog file or entry is wrong
    ├── InputError               a log file cannot be read or is not a log
    ├── NotFoundError            an id (service, operator, format) does not exist
    ├── ConfigError              a rules, policy or settings file is wrong
    └── OutputError              an output file cannot be written (no such directory, no permission)
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class Location:
    """A place in a file: ``path:line`` (line is 1-based; 0 means the whole file)."""

    path: Path | str
    line: int = 0

    def __str__(self) -> str:
        return f"{self.path}:{self.line}" if self.line else str(self.path)


class SekishoError(Exception):
    """Root of sekisho's errors. ``str()`` is one line: ``where: what``."""

    def __init__(self, message: str, source: Location | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.source = source

    def __str__(self) -> str:
        return f"{self.source}: {self.message}" if self.source else self.message


class CatalogError(SekishoError):
    """A catalog file or entry is invalid."""


class InputError(SekishoError):
    """An input file cannot be read, or is not a log sekisho understands."""


class ReadError(InputError):
    """A file that is a log but cannot be read to its end (truncated, corrupt compression, an
    I/O error): reported in the file's entry, and the scan goes on with the other files."""


class NotFoundError(SekishoError):
    """A service, operator, law, format or target id does not exist."""


class ConfigError(SekishoError):
    """A rules, policy or organisation settings file is invalid."""


class OutputError(SekishoError):
    """An output file cannot be written: its directory is missing or not writable, or it is a directory."""


def did_you_mean(word: str, choices: Iterable[str], what: str = "") -> str:
    """`` — did you mean 'deepseek'?`` for the closest of ``choices`` (difflib), else ``""``."""
    import difflib

    pool = list(choices)
    part = [c for c in pool if len(word) >= 3 and word.lower() in c.lower()]  # 'ime' → baidu-ime …
    close = list(dict.fromkeys(part + difflib.get_close_matches(word, pool, n=3, cutoff=0.6)))[:3]
    if not close:
        return ""
    return " — did you mean " + " or ".join(repr(c) for c in close) + "?"
