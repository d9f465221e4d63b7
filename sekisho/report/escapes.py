"""Control characters shown, never sent: the text half of :mod:`sekisho.report.console`, without
rich (a command that only writes lines need not import it)."""

from __future__ import annotations

import unicodedata

__all__ = ["escape_controls"]

_UNSAFE_CATEGORIES = {"Cc", "Cf", "Zl", "Zp", "Cs", "Co", "Cn"}
_NAMED = {"\t": "\\t", "\n": "\\n", "\r": "\\r"}


def _shown(ch: str) -> str:
    if ch in _NAMED:
        return _NAMED[ch]
    code = ord(ch)
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}" if code < 0x10000 else f"\\U{code:08x}"


def escape_controls(text: str, keep: str = "") -> str:
    """``text`` with every control, format and line/paragraph-separator character (except those in
    ``keep``) written as an escape (``\\x1b``, ``\\u2028``); everything printable is kept as it is."""
    if text.isprintable():
        return text
    return "".join(
        ch if ch in keep or unicodedata.category(ch) not in _UNSAFE_CATEGORIES else _shown(ch) for ch in text
    )
