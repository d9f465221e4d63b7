"""`sekisho catalog validate|export|sources|changelog`."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import typer

from sekisho.catalog import open_catalog
from sekisho.catalog import validate as validate_catalog
from sekisho.cli.common import CatalogOpt, console, err_console, fail, handle_errors, print_json
from sekisho.report.catalog_export import CATALOG_FORMATS

app = typer.Typer(help="Check, export and inspect the service catalog.", no_args_is_help=True)


@app.command("validate")
@handle_errors
def validate(
    path: Path | None = typer.Argument(None, help="Catalog directory (default: the bundled catalog)."),
    strict: bool = typer.Option(False, "--strict", help="Treat warnings as errors."),
) -> None:
    """Check every entry: schema, sources and dates, references, domains claimed twice. Exit 1 on errors."""
    cat, findings = validate_catalog(path)
    errors = [f for f in findings if f.severity == "error" or strict]
    for f in findings:
        (err_console if f in errors else console).print(str(f), markup=False, highlight=False, soft_wrap=True)
    n = {
        k: len(v)
        for k, v in (
            ("services", cat.services),
            ("operators", cat.operators),
            ("laws", cat.laws),
            ("software", cat.software),
        )
    }
    summary = ", ".join(f"{v} {k}" for k, v in n.items())
    if errors:
        err_console.print(f"{len(errors)} error(s) in {cat.root} ({summary})", highlight=False)
        raise typer.Exit(1)
    warnings = len(findings) - len(errors)
    console.print(
        f"ok: {cat.root} — {summary}; catalog {cat.meta.version}"
        + (f"; {warnings} warning(s)" if warnings else ""),
        highlight=False,
    )


@app.command("export")
@handle_errors
def export(
    fmt: str = typer.Option(..., "--format", "-f", help=f"One of: {', '.join(CATALOG_FORMATS)}."),
    output: Path | None = typer.Option(None, "-o", "--output", help="Write to this file (default: stdout)."),
    catalog: Path | None = CatalogOpt,
) -> None:
    """Export the catalog's services for other tools (e.g. AdGuard Home blocked services)."""
    if fmt not in CATALOG_FORMATS:
        raise fail(f"unknown format {fmt!r}; choose one of: {', '.join(CATALOG_FORMATS)}")
    data = CATALOG_FORMATS[fmt](open_catalog(catalog))
    if output is None:
        sys.stdout.write(data)
    else:
        from sekisho.report.files import write_atomic

        write_atomic(output, data.encode("utf-8"))
        err_console.print(f"wrote {output}", highlight=False)


@app.command("sources")
@handle_errors
def sources(catalog: Path | None = CatalogOpt, as_json: bool = typer.Option(False, "--json")) -> None:
    """Every source the catalog cites, with how many facts rest on it."""
    from sekisho.report.catalog_export import collect_sources

    rows = collect_sources(open_catalog(catalog))
    if as_json:
        print_json(rows)
        return
    for r in rows:
        console.print(f"{r['facts']:4d}  {r['source']}", markup=False, highlight=False)


@app.command("changelog")
@handle_errors
def changelog(catalog: Path | None = CatalogOpt) -> None:
    """The catalog's changelog: every edit, why, and on what evidence."""
    cat = open_catalog(catalog)
    for c in cat.changelog:
        console.print(
            f"{c.date}  {c.entry}: {c.change} — {c.why}" + (f" [{c.source}]" if c.source else ""),
            markup=False,
            highlight=False,
        )


_ = json
