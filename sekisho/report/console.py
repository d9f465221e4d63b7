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

from collections.abc import Iterable
from typing import Any

from rich.console import Console
from rich.segment import Segment
from rich.text import Text

from sekisho.report.escapes import escape_controls

__all__ = ["SafeConsole", "escape_controls", "literal"]


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
        if "width" not in kwargs:
            # Rich pins the width to $COLUMNS as it is when the console is made; the CLI's consoles
            # are made at their first print (cli.common.LazyConsole): the width follows $COLUMNS
            # and the terminal at every print instead, as for a console made with no $COLUMNS
            self._width = None

    def render_str(self, text: str, **kwargs: Any) -> Text:
        # Before Rich builds its Text (which drops \r, \b, \a silently): escaped, so they are seen.
        return super().render_str(escape_controls(text, keep="\n\t"), **kwargs)

    def _render_buffer(self, buffer: Iterable[Segment]) -> str:
        return super()._render_buffer(
            seg if seg.control else Segment(escape_controls(seg.text, keep="\n"), seg.style, seg.control)
            for seg in buffer
        )
