"""Small inline SVG charts: no script, no external file, readable in a PDF and by a screen reader.

Each chart is one ``<svg role="img">`` with an ``aria-label`` that says in words what it shows and a
``<title>`` on every bar.
"""

from __future__ import annotations

from html import escape
from typing import Any

from markupsafe import Markup

from sekisho.i18n import Lang, number, text

LEVEL_COLORS = {0: "#b00020", 1: "#d84315", 2: "#b58900", 3: "#558b2f", 4: "#2e7d32"}


def daily_bars(
    daily: list[dict[str, Any]], lang: Lang = "en", width: int = 240, height: int = 56, axis: bool = True
) -> Markup:
    """Queries per day as bars; with ``axis``, the first and last day and the peak are written under it."""
    if not daily:
        return Markup("")
    peak = max(int(d["queries"]) for d in daily) or 1
    chart_h = height - (14 if axis else 0)
    gutter = 40 if axis else 0  # the y axis: 0 and the peak, in queries per day
    w = (width - gutter) / len(daily)
    bars = []
    for i, d in enumerate(daily):
        h = max(1.0, (chart_h - 2) * int(d["queries"]) / peak)
        tip = text("chart.day_tip", lang, day=d["day"], queries=d["queries"], clients=d.get("clients", ""))
        bars.append(
            f'<rect x="{gutter + i * w + 0.5:.1f}" y="{chart_h - h:.1f}" width="{max(w - 1, 0.6):.1f}" '
            f'height="{h:.1f}" fill="#3b6ea8"><title>{escape(tip)}</title></rect>'
        )
    label = text(
        "chart.daily_label", lang, days=len(daily), first=daily[0]["day"], last=daily[-1]["day"], peak=peak
    )
    under = ""
    if axis:
        y = height - 2
        under = (
            f'<line x1="{gutter - 3}" y1="0" x2="{gutter - 3}" y2="{chart_h}" stroke="#5b6475" stroke-width="1"/>'
            f'<line x1="{gutter - 3}" y1="{chart_h}" x2="{width}" y2="{chart_h}" stroke="#5b6475" stroke-width="1"/>'
            f'<text x="{gutter - 6}" y="9" font-size="10" fill="#5b6475" text-anchor="end">{number(peak)}</text>'
            f'<text x="{gutter - 6}" y="{chart_h}" font-size="10" fill="#5b6475" text-anchor="end">0</text>'
            f'<text x="{gutter}" y="{y}" font-size="10" fill="#5b6475">{escape(str(daily[0]["day"]))}</text>'
            f'<text x="{width}" y="{y}" font-size="10" fill="#5b6475" text-anchor="end">'
            f"{escape(str(daily[-1]['day']))}</text>"
            f'<text x="{(gutter + width) / 2:.0f}" y="{y}" font-size="10" fill="#5b6475" text-anchor="middle">'
            f"{escape(text('chart.peak', lang, peak=number(peak)))}</text>"
        )
    # every value interpolated into the SVG above is a number or escape()d
    return Markup(  # noqa: S704
        f'<svg class="chart" role="img" aria-label="{escape(label)}" width="{width}" height="{height}" '
        f'viewBox="0 0 {width} {height}" xmlns="http://www.w3.org/2000/svg">{"".join(bars)}{under}</svg>'
    )


def level_bars(counts: dict[int, int], lang: Lang = "en", width: int = 460) -> Markup:
    """One horizontal bar per safety level (0 at the top) with its count."""
    row, label_w = 22, 230
    height = row * 5
    peak = max(counts.values(), default=0) or 1
    parts = []
    for i, level in enumerate(range(5)):
        n = int(counts.get(level, 0))
        y = i * row
        bar_w = (width - label_w - 40) * n / peak
        name = f"{level} {text(f'level.{level}', lang)}"
        short = name if len(name) <= 32 else name[:31] + "…"
        parts.append(
            f'<text x="0" y="{y + 15}" font-size="11" fill="#1d2433">{escape(short)}</text>'
            f'<rect x="{label_w}" y="{y + 4}" width="{max(bar_w, 1):.1f}" height="{row - 8}" '
            f'fill="{LEVEL_COLORS[level]}"><title>{escape(name)}: {n}</title></rect>'
            f'<text x="{label_w + bar_w + 6:.1f}" y="{y + 15}" font-size="11" fill="#1d2433">{n}</text>'
        )
    label = text("chart.levels_label", lang, **{f"l{k}": int(counts.get(k, 0)) for k in range(5)})
    # every value interpolated into the SVG above is a number or escape()d
    return Markup(  # noqa: S704
        f'<svg class="chart levels" role="img" aria-label="{escape(label)}" width="{width}" height="{height}" '
        f'viewBox="0 0 {width} {height}" xmlns="http://www.w3.org/2000/svg">{"".join(parts)}</svg>'
    )


def country_bars(by_country: dict[str, int], names: dict[str, str], width: int = 460) -> Markup:
    """One horizontal bar per country with the number of register parties that handle data there
    (the transfer map); ``names`` gives each code's name in the page's language."""
    row, label_w = 22, 200
    items = sorted(by_country.items(), key=lambda kv: (-kv[1], kv[0]))
    height = max(row * len(items), row)
    peak = max(by_country.values(), default=0) or 1
    parts = []
    for i, (code, n) in enumerate(items):
        y = i * row
        bar_w = (width - label_w - 40) * n / peak
        name = f"{names.get(code, code)} ({code})"
        short = name if len(name) <= 30 else name[:29] + "…"
        parts.append(
            f'<text x="0" y="{y + 15}" font-size="11" fill="#1d2433">{escape(short)}</text>'
            f'<rect x="{label_w}" y="{y + 4}" width="{max(bar_w, 1):.1f}" height="{row - 8}" '
            f'fill="#3b6ea8"><title>{escape(name)}: {int(n)}</title></rect>'
            f'<text x="{label_w + bar_w + 6:.1f}" y="{y + 15}" font-size="11" fill="#1d2433">{int(n)}</text>'
        )
    label = ", ".join(f"{names.get(c, c)}: {int(n)}" for c, n in items)
    # every value interpolated into the SVG above is a number or escape()d
    return Markup(  # noqa: S704
        f'<svg class="chart countries" role="img" aria-label="{escape(label)}" width="{width}" '
        f'height="{height}" viewBox="0 0 {width} {height}" xmlns="http://www.w3.org/2000/svg">'
        f"{''.join(parts)}</svg>"
    )
