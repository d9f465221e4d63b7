"""`sekisho report`: the findings for managers and auditors, as a self-contained HTML file."""

from __future__ import annotations

from pathlib import Path

import typer

from sekisho.api import assessor_for
from sekisho.cli.common import CatalogOpt, LangOpt, SettingsOpt, check_lang, err_console, fail, handle_errors
from sekisho.cli.scan_cmd import DbOpt
from sekisho.report.files import write_atomic
from sekisho.report.html import render_html
from sekisho.report.model import build_report
from sekisho.store import Store


def register(app: typer.Typer) -> None:
    app.command("report")(report)


@handle_errors
def report(
    html: Path | None = typer.Option(None, "--html", help="Write a self-contained HTML report here."),
    lang: str = LangOpt,
    db: Path | None = DbOpt,
    catalog: Path | None = CatalogOpt,
    settings: Path | None = SettingsOpt,
) -> None:
    """Write the report of what the store holds (run `sekisho scan` first)."""
    lang = check_lang(lang)
    if html is None:
        raise fail("say where to write it: --html FILE")
    assessor = assessor_for(catalog, settings)
    with Store(db, read_only=True) as store:
        data = build_report(store, assessor, lang)  # type: ignore[arg-type]
    write_atomic(html, render_html(data).encode("utf-8"))
    err_console.print(f"wrote {html.resolve()}", highlight=False)
