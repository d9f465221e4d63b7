"""`sekisho export --format F [--policy P|FILE] [--group G] [-o FILE]` and `sekisho export --list`."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import typer
from rich.markup import escape

from sekisho.cli import policy_cmd
from sekisho.cli.common import (
    CatalogOpt,
    LangOpt,
    SettingsOpt,
    check_lang,
    console,
    err_console,
    fail,
    handle_errors,
)
from sekisho.cli.policy_cmd import GroupOpt, PolicyOpt

if TYPE_CHECKING:
    from sekisho.i18n import Lang


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
    lang: str = LangOpt,
) -> None:
    """Write the policy's blocklist for a resolver, proxy, firewall or browser."""
    from typing import cast

    from sekisho.i18n import text
    from sekisho.i18n_reasons import translate

    lg = cast("Lang", check_lang(lang))  # what is said on the terminal; the file itself is unchanged
    if list_targets:
        _list(lg)
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
        where = text("cli.export.stdout", lg)
    err_console.print(
        text(
            "cli.export.summary",
            lg,
            target=result.target,
            entries=result.entries,
            size=result.size,
            where=where,
        ),
        markup=False,
        highlight=False,
        soft_wrap=True,
    )
    label = text("cli.lang.note", lg, message="").strip()
    for w in result.warnings:
        err_console.print(
            f"[yellow]{escape(label)}[/] {escape(translate(w, lg))}",
            markup=True,
            highlight=False,
            soft_wrap=True,
        )


def _list(lg: Lang = "en") -> None:
    from rich.table import Table

    from sekisho.export import TARGETS
    from sekisho.i18n import text

    table = Table(title=text("cli.export.title", lg))
    for col in ("format", "subdomains", "exceptions", "groups", "writes"):
        table.add_column(text(f"cli.export.{col}", lg))
    for name, cls in TARGETS.items():
        yes = {True: text("cli.export.yes", lg), False: text("cli.export.no", lg)}
        groups = text("cli.export.in_file", lg) if cls.groups else "--group"
        summary = text(f"cli.export.target.{name}", lg) if lg == "ja" else cls.summary
        table.add_row(name, yes[cls.subdomains], yes[cls.exceptions and cls.subdomains], groups, summary)
    console.print(table)
