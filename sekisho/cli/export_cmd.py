"""`sekisho export --format F [--policy P|FILE] [--group G] [-o FILE]` and `sekisho export --list`."""

from __future__ import annotations

from pathlib import Path

import typer
from rich.markup import escape

from sekisho.cli import policy_cmd
from sekisho.cli.common import CatalogOpt, SettingsOpt, console, err_console, fail, handle_errors
from sekisho.cli.policy_cmd import GroupOpt, PolicyOpt


def register(app: typer.Typer) -> None:
    """`sekisho export` and `sekisho policy` (one registration line in main.py)."""
    app.command("export")(export_cmd)
    app.add_typer(policy_cmd.app, name="policy")


@handle_errors
def export_cmd(
    fmt: str | None = typer.Option(
        None, "--format", "-f", help="Target format (see --list).", show_default=False
    ),
    policy: str | None = PolicyOpt,
    output: Path | None = typer.Option(
        None, "--output", "-o", help="Write to FILE (atomically) instead of stdout.", show_default=False
    ),
    group: str | None = GroupOpt,
    generated_at: str | None = typer.Option(
        None,
        "--generated-at",
        help="Generation time for the header (ISO time or seconds since 1970); "
        "default: $SOURCE_DATE_EPOCH, else now.",
        show_default=False,
    ),
    list_targets: bool = typer.Option(False, "--list", help="List the formats and what each can do."),
    catalog: Path | None = CatalogOpt,
    settings: Path | None = SettingsOpt,
) -> None:
    """Write the policy's blocklist for a resolver, proxy, firewall or browser."""
    if list_targets:
        _list()
        return
    if not fmt:
        raise fail("give --format (see `sekisho export --list`)")
    from sekisho.export import export_policy
    from sekisho.report.files import write_atomic

    result = export_policy(fmt, policy, catalog, settings, group, generated_at)
    if output:
        write_atomic(output, result.data)
        where = str(output)
    else:
        typer.echo(result.data.decode("utf-8"), nl=False)
        where = "stdout"
    err_console.print(
        f"{result.target}: {result.entries} entries, {result.size} bytes → {where}",
        highlight=False,
        soft_wrap=True,
    )
    for w in result.warnings:
        err_console.print(f"[yellow]note:[/] {escape(w)}", markup=True, highlight=False, soft_wrap=True)


def _list() -> None:
    from rich.table import Table

    from sekisho.export import TARGETS

    table = Table(title="Export formats")
    for col in ("format", "subdomains", "exceptions", "client groups", "what it writes"):
        table.add_column(col)
    for name, cls in TARGETS.items():
        yes = {True: "yes", False: "no"}
        groups = "in file" if cls.groups else "--group"
        table.add_row(name, yes[cls.subdomains], yes[cls.exceptions and cls.subdomains], groups, cls.summary)
    console.print(table)
