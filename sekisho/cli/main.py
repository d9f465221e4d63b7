"""The `sekisho` command: thin shells over the library."""

from __future__ import annotations

import typer
from typer.core import TyperGroup

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


class _Group(TyperGroup):
    """The root group: every command's options get human metavars before help is shown."""

    def get_command(self, ctx: typer.Context, cmd_name: str) -> typer.core.TyperCommand | None:  # type: ignore[override]
        from sekisho.cli.common import human_metavars

        return human_metavars(super().get_command(ctx, cmd_name))  # type: ignore[no-any-return]

    def get_help_option(self, ctx: typer.Context) -> typer.core.TyperOption | None:  # type: ignore[override]
        opt = super().get_help_option(ctx)
        if opt is not None:
            opt.metavar = ""
        return opt


app = typer.Typer(
    name="sekisho",
    cls=_Group,
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
    import sys

    (_one_command(sys.argv[1:]) or app)()


def _one_command(args: list[str]) -> typer.Typer | None:
    """The app with only the command (or command group) ``args`` start with, or None (no command
    first: a root option, ``--help``, a name that is no command). typer builds every command's
    parameters before it runs one (0.02 s for the 30 commands here); the command runs, parses and
    helps the same either way (tests/unit/test_cli_one_command.py)."""
    if not args or args[0].startswith("-"):
        return None
    commands = [c for c in app.registered_commands if c.name == args[0]]
    groups = [g for g in app.registered_groups if g.name == args[0]]
    if not commands and not groups:
        return None
    one = typer.Typer(
        name=app.info.name,
        cls=_Group,
        help=app.info.help,
        no_args_is_help=True,
        add_completion=False,
        pretty_exceptions_enable=False,
    )
    one.registered_callback = app.registered_callback
    one.registered_commands = commands
    one.registered_groups = groups
    return one
