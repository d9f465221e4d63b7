"""`sekisho register check|export|history`: the register of vendors and sub-processors."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any, cast

import typer

from sekisho.cli.common import (
    CatalogOpt,
    JsonOpt,
    LangOpt,
    check_lang,
    console,
    err_console,
    fail,
    handle_errors,
)
from sekisho.i18n import Lang, text

app = typer.Typer(
    help="The register of vendors, sub-processors and cross-border transfers, checked against the "
    "catalog and the logs.",
    no_args_is_help=True,
)

RegDbOpt = typer.Option(
    None,
    "--db",
    envvar="SEKISHO_DB",
    help="Store made by `sekisho scan`: compare with the logs (shadow-vendor, never-seen), record the "
    "register's version and save the findings. Without it those two rules do not run.",
    show_default=False,
)
FORMATS = ("csv", "fides", "appi", "appi-csv")


@app.command("check")
@handle_errors
def check(
    file: Path = typer.Argument(..., help="The register: .yaml/.yml or .csv (docs/register.md)."),
    db: Path | None = RegDbOpt,
    as_json: bool = JsonOpt,
    lang: str = LangOpt,
    catalog: Path | None = CatalogOpt,
    rules: Path | None = typer.Option(
        None, "--rules", help="Rule parameters (default: the bundled register_rules.yaml)."
    ),
    today: str | None = typer.Option(
        None, "--today", help="Check as of this date (YYYY-MM-DD).", show_default=False
    ),
) -> None:
    """Check a register: transfer-without-basis, unapproved-subprocessor, state-access-law,
    shadow-vendor, never-seen, review-overdue. Exit 1 when the register has errors."""
    from sekisho.catalog import open_catalog
    from sekisho.register import check_register, findings_json, load_rule_params
    from sekisho.register.appi import transfers_by_country

    lg = cast(Lang, check_lang(lang))
    day = _day(today)
    cat = open_catalog(catalog)
    params = load_rule_params(rules)
    if db is not None:
        from sekisho.store import Store

        with Store(db) as store:
            result = check_register(file, cat, store, today=day, params=params)
    else:
        result = check_register(file, cat, today=day, params=params)
    for p in result.problems:
        err_console.print(str(p), highlight=False, soft_wrap=True)
    problems = [
        {"file": str(p.location.path), "line": p.location.line, "severity": p.severity, "message": p.message}
        for p in result.problems
    ]
    if result.errors:
        err_console.print(text("register.check.problems", lg, n=len(result.errors)), highlight=False)
        if as_json:
            from sekisho.cli.common import print_json

            print_json({"findings": [], "problems": problems})
        raise fail(text("register.check.not_checked", lg))
    if as_json:
        from sekisho.cli.common import print_json

        data: dict[str, Any] = findings_json(result.findings)
        data["problems"] = problems
        data["skipped"] = result.skipped
        data["transfers_by_country"] = transfers_by_country(result.register)
        if result.version is not None:
            data["register_version"] = result.version
        print_json(data)
        return
    _print(result, lg)


def _print(result: Any, lg: Lang) -> None:
    from rich.table import Table

    from sekisho.register.appi import transfers_by_country
    from sekisho.report.register_export import country_name

    if not result.findings:
        console.print(text("register.check.none", lg))
    else:
        table = Table(show_lines=False)
        for col in ("col_severity", "col_rule", "col_finding"):
            table.add_column(text(f"register.check.{col}", lg))
        for f in sorted(result.findings, key=lambda f: (-f.rank, f.kind, f.subject)):
            title = (f.title_ja or f.title) if lg == "ja" else f.title
            table.add_row(f.severity, f.kind, title)  # the title names the chain
        console.print(table)
    console.print(text("register.check.by_country", lg) + ":")
    for country, ids in transfers_by_country(result.register).items():
        name = country_name(country, lg)
        console.print(
            f"  {name} ({country}): "
            + text("register.check.parties", lg, n=len(ids))
            + f" — {', '.join(ids)}"
        )
    for rule, why in result.skipped.items():
        console.print(text("register.check.skipped", lg, rule=rule, why=why))
    if result.version is not None:
        key = "stored_new" if result.new_version else "stored_same"
        console.print(text(f"register.check.{key}", lg, version=result.version))


@app.command("export")
@handle_errors
def export(
    file: Path = typer.Argument(..., help="The register: .yaml/.yml or .csv."),
    to: str = typer.Option("appi", "--to", help=f"One of: {', '.join(FORMATS)}."),
    output: Path | None = typer.Option(None, "-o", "--output", help="Write here (default: stdout)."),
    lang: str = typer.Option("ja", "--lang", help="Language of the APPI table: ja or en."),
    catalog: Path | None = CatalogOpt,
) -> None:
    """Export a register: csv, fides (Fides-style YAML: system + privacy_declarations), appi / appi-csv
    (the APPI art. 28 table: country, its system from the catalog's laws, the measures)."""
    from sekisho.catalog import open_catalog
    from sekisho.register import load_register
    from sekisho.report import register_export as rx

    lg = cast(Lang, check_lang(lang))
    if to not in FORMATS:
        raise fail(f"--to must be one of {', '.join(FORMATS)}, not {to!r}")
    cat = open_catalog(catalog)
    reg, problems = load_register(file, cat)
    for p in problems:
        err_console.print(str(p), highlight=False, soft_wrap=True)
    if any(p.severity == "error" for p in problems):
        raise fail(text("register.check.not_checked", lg))
    if to == "csv":
        out = rx.register_csv(reg)
    elif to == "fides":
        out = rx.fides_yaml(reg)
    else:
        out = rx.appi_table(reg, cat, lg, "csv" if to == "appi-csv" else "md")
    if output is None:
        import sys

        sys.stdout.write(out)
    else:
        output.write_text(out, encoding="utf-8")


@app.command("history")
@handle_errors
def history(
    db: Path = typer.Option(
        ..., "--db", envvar="SEKISHO_DB", help="The store the register was checked with."
    ),
    file: Path | None = typer.Argument(None, help="Only this register file's versions."),
    as_json: bool = JsonOpt,
    lang: str = LangOpt,
) -> None:
    """The register's versions in the store, newest first, with the parties added and removed."""
    from sekisho.cli.common import print_json
    from sekisho.store import Store
    from sekisho.store.register import register_versions

    lg = cast("Lang", check_lang(lang))
    with Store(db) as store:
        rows = register_versions(store, str(file) if file else None)
    if as_json:
        print_json(rows)
        return
    for r in rows:
        console.print(
            f"{r['version']}  {r['loaded_at']:%Y-%m-%d %H:%M}  {r['path']}  "
            + text("cli.update.parties", lg, n=r["parties"])
            + (f"  +{','.join(r['added'])}" if r["added"] else "")
            + (f"  -{','.join(r['removed'])}" if r["removed"] else ""),
            highlight=False,
        )


def _day(value: str | None) -> dt.date | None:
    if value is None:
        return None
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise fail(f"--today must be a date (YYYY-MM-DD), not {value!r}") from None


def register(root: typer.Typer) -> None:
    root.add_typer(app, name="register")
