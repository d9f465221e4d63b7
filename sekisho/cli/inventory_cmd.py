"""`sekisho inventory PATH... [--json]`: software installed on the organisation's machines."""

from __future__ import annotations

from pathlib import Path
from typing import cast

import typer

from sekisho.cli.common import (
    CatalogOpt,
    JsonOpt,
    LangOpt,
    check_lang,
    console,
    err_console,
    handle_errors,
    print_json,
)
from sekisho.i18n import Lang, text


def register(root: typer.Typer) -> None:
    root.command(
        "inventory", short_help="Match exported software lists against the catalog's software, per machine."
    )(inventory)


@handle_errors
def inventory(
    paths: list[Path] = typer.Argument(
        ..., help="Software inventory exports: osquery JSON, winget export JSON, uninstall/Get-Package CSV."
    ),
    as_json: bool = JsonOpt,
    fmt: str | None = typer.Option(
        None, "--format", help="Read every file as this export (osquery, winget, uninstall-csv)."
    ),
    db: Path | None = typer.Option(
        None, "--db", envvar="SEKISHO_DB", help="Save the findings in this store.", show_default=False
    ),
    catalog: Path | None = CatalogOpt,
    lang: str = LangOpt,
) -> None:
    """Match exported software lists against the catalog's software (input methods, browser
    extensions, remote-access tools): which machines have which, with file:line. Exit 1 when a
    line of an export could not be read."""
    from sekisho.catalog import open_catalog
    from sekisho.inventory import findings_json, read_inventory

    lg = cast(Lang, check_lang(lang))
    result = read_inventory(list(paths), open_catalog(catalog), fmt)
    if db is not None:
        from sekisho.store import Store
        from sekisho.store.findings import save_findings

        with Store(db) as store:
            save_findings(store, result.findings)
    for p in result.problems:
        err_console.print(str(p), highlight=False, soft_wrap=True)
    if as_json:
        print_json(findings_json(result))
    else:
        from rich.table import Table

        table = Table(
            title=text("inventory.title", lg, n=len(result.findings), machines=len(result.machines))
        )
        for key in ("machine", "software", "version", "source"):
            table.add_column(text(f"inventory.column.{key}", lg))
        for row in findings_json(result)["findings"]:
            table.add_row(row["machine"], row["software"], row["version"] or "-", row["source"])
        console.print(table)
    if result.problems:
        err_console.print(text("inventory.problems", lg, n=len(result.problems)), highlight=False)
        raise typer.Exit(1)
