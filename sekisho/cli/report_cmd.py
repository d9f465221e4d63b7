"""`sekisho report`: the findings for managers and auditors — terminal, HTML, PDF, JSON or CSV."""

from __future__ import annotations

import sys
from pathlib import Path

import typer

from sekisho.cli.common import (
    CatalogOpt,
    LangOpt,
    SettingsOpt,
    check_lang,
    console,
    err_console,
    handle_errors,
)
from sekisho.cli.scan_cmd import DbOpt
from sekisho.report.tabular import CSV_TABLES  # light: the names of the CSV tables for --help


def register(app: typer.Typer) -> None:
    app.command("report", short_help="The report of what the store holds: terminal, HTML, PDF, JSON or CSV.")(
        report
    )


def _write(path: Path, data: bytes) -> None:
    if str(path) == "-":
        sys.stdout.buffer.write(data)
        sys.stdout.flush()
        return
    from sekisho.report.files import write_atomic

    write_atomic(path, data)
    err_console.print(f"wrote {path.resolve()}", highlight=False, soft_wrap=True)


@handle_errors
def report(
    html: Path | None = typer.Option(None, "--html", help="Write a self-contained HTML report here."),
    pdf: Path | None = typer.Option(None, "--pdf", help="Write a PDF report here (needs WeasyPrint)."),
    json_out: Path | None = typer.Option(
        None, "--json", help="Write the whole report as JSON here (- for stdout)."
    ),
    csv_out: Path | None = typer.Option(None, "--csv", help="Write one table as CSV here (- for stdout)."),
    csv_table: str = typer.Option(
        "services", "--csv-table", help=f"Which table --csv writes: {', '.join(CSV_TABLES)}."
    ),
    pseudonymize: bool = typer.Option(
        False,
        "--pseudonymize",
        help="Replace client addresses with keyed-hash pseudonyms (key kept in the user config "
        "directory, or $SEKISHO_PSEUDONYM_KEY), so the report can be shared.",
    ),
    resolver: str | None = typer.Option(
        None,
        "--resolver",
        metavar="NAME",
        help="The resolver or proxy the response plan writes steps for: "
        "unbound, dnsmasq, bind, squid, adguard, hosts (default: `resolver:` in the settings, else "
        "detected from the scanned logs).",
    ),
    lang: str = LangOpt,
    db: Path | None = DbOpt,
    catalog: Path | None = CatalogOpt,
    settings: Path | None = SettingsOpt,
) -> None:
    """The report of what the store holds (run `sekisho scan` first); on the terminal unless an
    output file is given."""
    from sekisho.api import assessor_for
    from sekisho.report.model import build_report
    from sekisho.report.pseudonym import Pseudonymizer
    from sekisho.report.tabular import render_csv, render_json
    from sekisho.store import Store

    lang = check_lang(lang)
    if resolver is not None:
        from sekisho.report.response import RESOLVER_STEPS

        if resolver not in RESOLVER_STEPS:
            from sekisho.errors import ConfigError

            raise ConfigError(f"unknown resolver {resolver!r} (one of: {', '.join(RESOLVER_STEPS)})")
    from sekisho.report.files import check_writable

    for out in (html, pdf, json_out, csv_out):
        if out is not None:
            check_writable(out)  # before minutes of work, not after
    assessor = assessor_for(catalog, settings)
    pseudo = Pseudonymizer.from_file() if pseudonymize else None
    with Store(db, read_only=True) as store:
        data = build_report(store, assessor, lang, pseudo, resolver=resolver)  # type: ignore[arg-type]
    if not any((html, pdf, json_out, csv_out)):
        from sekisho.report.terminal import render_terminal

        render_terminal(data, console.real)
        return
    if csv_out:
        _write(csv_out, render_csv(data, csv_table).encode("utf-8"))
    if json_out:
        _write(json_out, render_json(data).encode("utf-8"))
    if html:
        from sekisho.report.html import render_html

        _write(html, render_html(data).encode("utf-8"))
    if pdf:
        from sekisho.report.pdf import render_pdf

        _write(pdf, render_pdf(data))
