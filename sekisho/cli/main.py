"""The `sekisho` command: thin shells over the library."""

from __future__ import annotations

import typer

from sekisho.cli import (
    audit_cmd,
    catalog_cmd,
    db_cmd,
    export_cmd,
    exposure_cmd,
    inventory_cmd,
    register_cmd,
    report_cmd,
    scan_cmd,
    services_cmd,
    watch_cmd,
    web_cmd,
)

app = typer.Typer(
    name="sekisho",
    help="sekisho (関所) — see where your organisation's data goes, judge each destination on evidence, "
    "block what must not reach it.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
services_cmd.register(app)
scan_cmd.register(app)
report_cmd.register(app)
app.add_typer(catalog_cmd.app, name="catalog")
app.add_typer(db_cmd.app, name="db")
export_cmd.register(app)  # also `sekisho policy`
web_cmd.register(app)
watch_cmd.register(app)  # also `sekisho alerts`
audit_cmd.register(app)
register_cmd.register(app)  # `sekisho register check|export|history`
exposure_cmd.register(app)  # `sekisho exposure check`
inventory_cmd.register(app)  # `sekisho inventory PATH...`


@app.callback()
def _options(
    wait: float = typer.Option(
        30.0,
        "--wait",
        envvar="SEKISHO_WAIT",
        metavar="SECONDS",
        help="While another process holds the store, wait this long for it (0: fail at once).",
    ),
) -> None:
    """sekisho (関所) — see where your organisation's data goes, judge each destination on evidence,
    block what must not reach it."""
    import os

    if wait < 0:
        raise typer.BadParameter("--wait must be 0 or more seconds")
    os.environ["SEKISHO_WAIT"] = f"{wait:g}"  # read by sekisho.store.busy when a store is opened


def main() -> None:
    app()
