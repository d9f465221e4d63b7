"""Self-contained HTML report: one file, inline CSS and SVG, no script, opens offline."""

from __future__ import annotations

import re
from functools import lru_cache
from html import escape as html_escape
from typing import Any

from jinja2 import Environment, PackageLoader, select_autoescape
from markupsafe import Markup, escape

from sekisho.i18n import Lang, category, country, fmt_value, local_time, number, text
from sekisho.i18n_reasons import translate
from sekisho.report.charts import country_bars, daily_bars, level_bars
from sekisho.report.response import export_command

__all__ = ["fmt_value", "foreign", "label_cells", "md", "render_html"]

_CODE = re.compile(r"`([^`]+)`")


@lru_cache(maxsize=1)
def _env() -> Environment:
    env = Environment(
        loader=PackageLoader("sekisho", "report/templates"),
        autoescape=select_autoescape(["html"]),
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.globals.update(
        t=text,
        daily_bars=daily_bars,
        country_bars=country_bars,
        level_bars=level_bars,
        export_command=export_command,
        score=_score,
        value=fmt_value,
        country=country,
        category=category,
        local=local_time,
        reason_text=translate,  # a scan's stored English reasons and notes, in the report's language
        names_of=lambda ids, names: "、".join(names.get(i, i) for i in ids),
    )
    env.filters["md"] = md
    env.filters["foreign"] = foreign
    env.filters["n"] = number
    return env


_CJK = re.compile(r"[\u3040-\u30ff\u3400-\u9fff\uff00-\uffef]")


def foreign(s: Any, lang: Lang) -> Markup:
    """`` lang="en"`` for catalog text that has no translation yet (a source's note, an incident
    summary) on a Japanese page, so a screen reader — and the Japanese-text test — know it."""
    if lang == "ja" and s:
        t = str(s)
        # English with a quoted name in Chinese or Japanese is still English
        if len(_CJK.findall(t)) * 4 < len(re.findall(r"[A-Za-z]", t)):
            return Markup(' lang="en"')
    return Markup("")


def md(s: Any) -> Markup:
    """A message with Markdown backticks: escaped, and each `span` set as ``<code>``."""
    return Markup(_CODE.sub(lambda m: f"<code>{m.group(1)}</code>", str(escape(s))))  # noqa: S704 - escaped above


def _score(v: float | None) -> str:
    return f"{v:.1f}" if v is not None else "—"


_TABLE = re.compile(r"<table\b.*?</table>", re.S)
_TH = re.compile(r"<th\b[^>]*>(.*?)</th>", re.S)
_ROW = re.compile(r"<tr\b[^>]*>(.*?)</tr>", re.S)
_TD = re.compile(r"<td(?![^>]*data-label)([^>]*)>")
_TAGS = re.compile(r"<[^>]+>")


def label_cells(html: str) -> str:
    """Give each body cell its column's header as ``data-label``, so a table read as cards on a
    phone still says what each value is (the CSS shows it under 600 px)."""

    def table(m: re.Match[str]) -> str:
        t = m.group(0)
        head, sep, body = t.partition("</thead>")
        if not sep:
            return t
        labels = [html_escape(_TAGS.sub("", h).strip(), quote=True) for h in _TH.findall(head)]

        def row(r: re.Match[str]) -> str:
            cells = iter(labels)
            return _TD.sub(lambda c: f'<td data-label="{next(cells, "")}"{c.group(1)}>', r.group(0))

        return head + sep + _ROW.sub(row, body)

    return _TABLE.sub(table, html)


def render_html(report: dict[str, Any], print_layout: bool = False) -> str:
    """The report as one HTML document; ``print_layout`` adds page rules for PDF output."""
    html = _env().get_template("report.html").render(r=report, lang=report["lang"], print=print_layout)
    return html if print_layout else label_cells(html)
