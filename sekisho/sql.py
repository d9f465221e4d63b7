"""The only way a string becomes part of SQL text.

Nothing read from a file, a request or a setting is ever pasted into SQL by hand: values go in as
bound parameters where DuckDB allows them, and where it does not (table functions' options, column
lists, patterns) through these helpers, which quote by DuckDB's rules — a literal in single quotes
with ``'`` doubled, an identifier in double quotes with ``"`` doubled — and refuse what no quoting
can make safe (a NUL byte).

Column names that come from a log (a Zeek ``#fields`` header, a CSV header) do not even get that
far: the engine reads such files positionally (``c0``, ``c1`` …) and only picks a position.
"""

from __future__ import annotations

from collections.abc import Iterable


def _check(s: str) -> str:
    if not isinstance(s, str):
        raise TypeError(f"SQL text must be str, not {type(s).__name__}")
    if "\x00" in s:
        raise ValueError("a NUL byte cannot be part of SQL text")
    return s


def literal(s: str) -> str:
    """A SQL string literal: ``'it''s'``."""
    return "'" + _check(s).replace("'", "''") + "'"


def ident(s: str) -> str:
    """A SQL identifier in double quotes, each ``"`` inside doubled."""
    return '"' + _check(s).replace('"', '""') + '"'


def literal_list(items: Iterable[str]) -> str:
    """A DuckDB list of string literals: ``['a', 'b']``."""
    return "[" + ", ".join(literal(i) for i in items) + "]"


def positional(n: int) -> list[str]:
    """Names for ``n`` columns read by position: ``c0`` … ``c{n-1}``."""
    return [f"c{i}" for i in range(int(n))]


__all__ = ["ident", "literal", "literal_list", "positional"]
