"""`sekisho scan` and `sekisho scope`."""

from __future__ import annotations

import os
from pathlib import Path

import typer

from sekisho.cli.common import (
    CatalogOpt,
    JsonOpt,
    SettingsOpt,
    console,
    err_console,
    fail,
    handle_errors,
    print_json,
)

# Start-up: this module is imported for `sekisho --help`; the library is imported inside each command.

DbOpt = typer.Option(
    None,
    "--db",
    envvar="SEKISHO_DB",
    help="DuckDB store (default: under the user data directory).",
    show_default=False,
)
LEVEL_STYLE = {0: "bold white on red", 1: "bold red", 2: "yellow", 3: "green", 4: "bold green"}


def register(app: typer.Typer) -> None:
    app.command("scan")(scan)
    app.command("scope")(scope)
    app.command("formats")(formats)


def _mapping(items: list[str]) -> dict[str, str]:
    out = {}
    for item in items:
        for part in item.split(","):
            key, sep, value = part.partition("=")
            if not sep or not key.strip() or not value.strip():
                raise fail(f"--map expects COLUMN=FIELD pairs like name=query,client=src_ip (got {part!r})")
            out[key.strip()] = value.strip()
    return out


@handle_errors
def scan(
    paths: list[str] = typer.Argument(..., help="Log files, directories (recursive) or - for stdin."),
    db: Path | None = DbOpt,
    fmt: str | None = typer.Option(None, "--format", "-f", help="Force a format (see `sekisho formats`)."),
    mapping: list[str] = typer.Option([], "--map", help="For --format csv: name=COL,client=COL,ts=COL …"),
    as_json: bool = JsonOpt,
    catalog: Path | None = CatalogOpt,
    settings: Path | None = SettingsOpt,
    unknown: int = typer.Option(15, "--unknown", help="How many unknown destinations to list."),
    year: int | None = typer.Option(
        None,
        "--year",
        min=1970,
        max=9999,
        help="Year-less stamps (syslog 'Nov 23 18:40:00') end in this year (default: inferred from "
        "each file's modification time).",
        show_default=False,
    ),
    keep_all: bool = typer.Option(
        False, "--keep-all", help="Roll up and expire nothing (retention only says what it would do)."
    ),
) -> None:
    """Scan DNS, proxy and IDS logs: which services are used, by how many machines, since when."""
    from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn, TransferSpeedColumn

    from sekisho import api
    from sekisho.ingest import FORMATS
    from sekisho.ingest.sources import expand

    if fmt and fmt not in FORMATS:
        raise fail(f"unknown format {fmt!r}; known: {', '.join(FORMATS)}")
    total = sum(Path(p).stat().st_size for p in expand(paths) if p != "-")
    show = not as_json and err_console.is_terminal and total > 50_000_000
    with Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        TransferSpeedColumn(),
        TimeElapsedColumn(),
        console=err_console,
        disable=not show,
        transient=True,
    ) as bar:
        task = bar.add_task("scanning", total=total or None)

        def advance(what: str, size: int) -> None:
            bar.update(task, advance=size, description=f"scanning {os.path.basename(what)}")

        result = api.scan(
            paths,
            db,
            catalog,
            fmt,
            _mapping(mapping),
            settings,
            advance,
            year=year,
            keep_all=keep_all,
            unknown_limit=unknown,
        )
    result["unknown"] = result["unknown"][:unknown]
    if as_json:
        print_json({k: result[k] for k in ("files", "services", "unknown", "internal", "scan")})
    else:
        _print_findings(result)
    # A file that could not be read (truncated, corrupt, not a log) was reported in its entry and
    # the others were scanned; the exit status still says that not everything was read.
    unread = [f for f in result["files"] if str(f.get("note") or "").startswith("not read")]
    for f in unread:
        err_console.print(f"error: {f['path']}: {f['note']}", markup=False, highlight=False, soft_wrap=True)
    if unread:
        raise typer.Exit(1)


def _print_findings(result: dict) -> None:
    from rich.markup import escape
    from rich.table import Table
    from rich.text import Text

    from sekisho.report.console import literal

    t = Table(title="Services reached", title_justify="left")
    for col in ("level", "service", "clients", "queries", "first seen", "last seen"):
        t.add_column(col, justify="right" if col in ("clients", "queries") else "left")
    for s in result["services"]:
        lvl = Text(str(s["safety_level"]), style=LEVEL_STYLE[s["safety_level"]]) + (
            "*" if s["provisional"] else ""
        )
        t.add_row(
            lvl,
            literal(s["name"]) + literal(f" ({s['id']})", style="dim"),
            str(s["clients"]),
            str(s["queries"]),
            (s["first_seen"] or "")[:19],
            (s["last_seen"] or "")[:19],
        )
    console.print(
        t if result["services"] else "[green]No catalog service found in these logs.[/]", markup=True
    )
    if any(s["provisional"] for s in result["services"]):
        console.print("* provisional rating: too few facts (see `sekisho show ID`)", style="dim")
    u = Table(title="Unknown destinations (not in the catalog)", title_justify="left")
    for col in ("domain", "clients", "queries", "names"):
        u.add_column(col, justify="left" if col == "domain" else "right")
    for d in result["unknown"]:
        u.add_row(d["domain"], str(d["clients"]), str(d["queries"]), str(d["names"]))
    totals = result.get("unknown_totals") or {}
    if result["unknown"]:
        console.print(u)
        console.print(
            f"[dim]{totals.get('domains', 0)} unknown registrable domains, {totals.get('queries', 0)} "
            "queries in all[/]",
            markup=True,
        )
    if result.get("internal"):  # not internet destinations: apart from the unknown ones
        i = Table(title="Internal and special-use names (not internet destinations)", title_justify="left")
        for col in ("name", "kind", "clients", "queries"):
            i.add_column(col, justify="right" if col in ("clients", "queries") else "left")
        for d in result["internal"]:
            i.add_row(
                d["domain"], str(d["kind"]).removeprefix("internal:"), str(d["clients"]), str(d["queries"])
            )
        console.print(i)
        itot = result.get("internal_totals") or {}
        console.print(
            f"{itot.get('domains', 0)} internal names, {itot.get('queries', 0)} queries in all", style="dim"
        )
    f = Table(title="Input accounting", title_justify="left")
    for col in ("file", "format", "lines", "parsed", "skipped", "malformed", "note"):
        f.add_column(
            col,
            justify="right" if col in ("lines", "parsed", "skipped", "malformed") else "left",
            overflow="fold",
        )
    for a in result["files"]:
        mal = Text(str(a["malformed"]), style="bold red" if a["malformed"] else "")
        f.add_row(
            a["path"],
            a["format"],
            str(a["lines"]),
            str(a["parsed"]),
            str(a["skipped"]),
            mal,
            a.get("note") or "",
        )
    console.print(f)
    for line in (result.get("scan") or {}).get("retention", {}).get("lines", []):
        err_console.print(f"retention: {line}", style="yellow", markup=False, highlight=False, soft_wrap=True)
    for a in result["files"]:
        for s in a["malformed_samples"]:
            console.print(
                f"  [red]{escape(a['path'])}:{s['line']}[/]: {escape(str(s['reason']))}",
                markup=True,
                highlight=False,
            )
        reasons = {r: n for r, n in (a.get("skipped_reasons") or {}).items() if r != "blank line"}
        if reasons:  # what the skipped lines were: nothing is dropped without a word
            said = ", ".join(f"{r} ({n})" for r, n in reasons.items())
            console.print(
                f"  [dim]{escape(a['path'])}: skipped {escape(said)}[/]", markup=True, highlight=False
            )


@handle_errors
def scope(
    service_id: str = typer.Argument(..., metavar="ID", help="Service id (see `sekisho services`)."),
    db: Path | None = DbOpt,
    as_json: bool = JsonOpt,
    catalog: Path | None = CatalogOpt,
) -> None:
    """Scope of impact: every client that reached the service, since when, how often, which names."""
    from rich.table import Table

    from sekisho import api

    result = api.scope(service_id, db, catalog)
    if as_json:
        print_json(result)
        return
    t = Table(
        title=f"{result['name']} ({service_id}): {len(result['clients'])} client(s)", title_justify="left"
    )
    for col in ("client", "first seen", "last seen", "days", "queries", "names"):
        t.add_column(col, overflow="fold")
    for c in result["clients"]:
        names = ", ".join(c["names"][:6]) + (f" … (+{len(c['names']) - 6})" if len(c["names"]) > 6 else "")
        t.add_row(
            c["client"],
            (c["first_seen"] or "")[:19],
            (c["last_seen"] or "")[:19],
            str(c["days"]),
            str(c["queries"]),
            names,
        )
    console.print(t)


def formats() -> None:
    """The log formats sekisho reads, and what each is."""
    from sekisho.ingest import FORMATS

    for name, cls in FORMATS.items():
        console.print(f"[bold]{name:16}[/] {cls.title}", markup=True, highlight=False)
