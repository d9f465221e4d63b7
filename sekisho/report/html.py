"""Self-contained HTML report: one file, inline CSS and SVG, no script, opens offline."""

from __future__ import annotations

from functools import lru_cache
from typing import Any

from jinja2 import Environment, PackageLoader, select_autoescape

from sekisho.i18n import text
from sekisho.report.charts import daily_bars, level_bars
from sekisho.report.response import export_command

__all__ = ["render_html"]


@lru_cache(maxsize=1)
def _env() -> Environment:
    env = Environment(
        loader=PackageLoader("sekisho", "report/templates"),
        autoescape=select_autoescape(["html"]),
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.globals.update(
        t=text, daily_bars=daily_bars, level_bars=level_bars, export_command=export_command, score=_score
    )
    return env


def _score(v: float | None) -> str:
    return f"{v:.1f}" if v is not None else "—"


def render_html(report: dict[str, Any], print_layout: bool = False) -> str:
    """The report as one HTML document; ``print_layout`` adds page rules for PDF output."""
    return _env().get_template("report.html").render(r=report, lang=report["lang"], print=print_layout)
