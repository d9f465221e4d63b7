"""A terminal that never takes data for markup and never sends a control character raw.

Names in logs, file names, catalog entries and policy reasons are untrusted: ``www.evil[/].com``
is not Rich markup, and ``\\x1b[2J`` must not clear the user's screen. :class:`SafeConsole` is a
Rich console with markup and emoji codes off by default (a string is printed as it is; code that
wants markup says ``markup=True`` and escapes its data with ``rich.markup.escape``), and every
character of every segment it writes passes :func:`escape_controls`: control, format (bidi
overrides) and line-separator characters are shown as ``\\x1b``/``\\u202e``. Rich's own styles
are control sequences it adds afterwards, so colours still work.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable
from typing import Any

from rich.console import Console
from rich.segment import Segment
from rich.text import Text

__all__ = ["SafeConsole", "escape_controls", "literal"]

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


def literal(value: object, style: str = "") -> Text:
    """A value from a log, the catalog or a policy as a Rich ``Text``: never markup, controls escaped
    (a newline too, so one value stays one line)."""
    return Text(escape_controls(str(value)), style=style)


class SafeConsole(Console):
    """``rich.console.Console`` for untrusted text: markup and emoji off unless asked for; every
    character written is checked (see the module docstring)."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("markup", False)
        kwargs.setdefault("emoji", False)
        super().__init__(**kwargs)

    def render_str(self, text: str, **kwargs: Any) -> Text:
        # Before Rich builds its Text (which drops \r, \b, \a silently): escaped, so they are seen.
        return super().render_str(escape_controls(text, keep="\n\t"), **kwargs)

    def _render_buffer(self, buffer: Iterable[Segment]) -> str:
        return super()._render_buffer(
            seg if seg.control else Segment(escape_controls(seg.text, keep="\n"), seg.style, seg.control)
            for seg in buffer
        )
