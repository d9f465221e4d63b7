"""The `sekisho` command: thin shells over the library."""

from __future__ import annotations

import importlib
from functools import cache

import typer
from typer.core import TyperGroup

# The command modules in the order their commands are listed, each with the commands and command
# groups it registers: `sekisho CMD …` imports only CMD's module (the others' imports and typer's
# building of their parameters are not paid), `sekisho --help` all of them
# (tests/unit/test_cli_one_command.py checks this table against what each module registers).
COMMAND_MODULES: dict[str, tuple[str, ...]] = {
    "services_cmd": ("services", "show"),
    "scan_cmd": ("scan", "scope", "formats"),
    "report_cmd": ("report",),
    "catalog_cmd": ("catalog",),
    "db_cmd": ("db",),
    "export_cmd": ("export", "policy"),
    "web_cmd": ("serve",),
    "watch_cmd": ("watch", "alerts"),
    "audit_cmd": ("audit", "audit-sigma"),
    "register_cmd": ("register",),
    "exposure_cmd": ("exposure",),
    "inventory_cmd": ("inventory",),
}


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


def _new_app(modules: list[str]) -> typer.Typer:
    """The root app holding the commands of ``modules`` (names in :data:`COMMAND_MODULES`)."""
    app = typer.Typer(
        name="sekisho",
        cls=_Group,
        help="sekisho (関所) — see where your organisation's data goes, judge each destination on "
        "evidence, block what must not reach it.",
        no_args_is_help=True,
        add_completion=False,
        pretty_exceptions_enable=False,
    )
    app.callback()(_options)
    for name in modules:
        importlib.import_module(f"sekisho.cli.{name}").register(app)
    return app


@cache
def full_app() -> typer.Typer:
    """The app with every command (help lists them all)."""
    return _new_app(list(COMMAND_MODULES))


def __getattr__(name: str) -> typer.Typer:
    if name == "app":  # `from sekisho.cli.main import app`: the full app, made when first asked for
        return full_app()
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def main() -> None:
    import sys

    (_one_command(sys.argv[1:]) or full_app())()


def _one_command(args: list[str]) -> typer.Typer | None:
    """The app with only the command (or command group) ``args`` start with, or None (no command
    first: a root option, ``--help``, a name that is no command). Only that command's module is
    imported, and typer builds only its parameters (it builds every registered command's before it
    runs one); the command runs, parses and helps the same either way
    (tests/unit/test_cli_one_command.py)."""
    if not args or args[0].startswith("-"):
        return None
    module = next((m for m, names in COMMAND_MODULES.items() if args[0] in names), None)
    if module is None:
        return None
    one = _new_app([module])
    one.registered_commands = [c for c in one.registered_commands if c.name == args[0]]
    one.registered_groups = [g for g in one.registered_groups if g.name == args[0]]
    return one
