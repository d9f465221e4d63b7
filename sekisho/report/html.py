"""Self-contained HTML report: one file, inline CSS and SVG, opens offline."""

from __future__ import annotations

from typing import Any

from jinja2 import Environment, PackageLoader, select_autoescape

from sekisho.i18n import text


def _env() -> Environment:
    env = Environment(
        loader=PackageLoader("sekisho", "report/templates"), autoescape=select_autoescape(["html"])
    )
    env.globals["t"] = text
    env.filters["bars"] = svg_bars
    return env


def svg_bars(daily: list[dict[str, Any]], width: int = 240, height: int = 48) -> str:
    """A small inline SVG bar chart of queries per day."""
    if not daily:
        return ""
    peak = max(d["queries"] for d in daily) or 1
    w = width / len(daily)
    bars = []
    for i, d in enumerate(daily):
        h = max(1.0, (height - 4) * d["queries"] / peak)
        bars.append(
            f'<rect x="{i * w + 1:.1f}" y="{height - h:.1f}" width="{max(w - 2, 1):.1f}" height="{h:.1f}">'
            f"<title>{d['day']}: {d['queries']} queries, {d['clients']} clients</title></rect>"
        )
    return (
        f'<svg class="bars" role="img" aria-label="queries per day" width="{width}" height="{height}" '
        f'viewBox="0 0 {width} {height}">{"".join(bars)}</svg>'
    )


def render_html(report: dict[str, Any]) -> str:
    return _env().get_template("report.html").render(r=report, lang=report["lang"])
