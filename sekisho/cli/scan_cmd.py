"""`sekisho scan` and `sekisho scope`."""

from __future__ import annotations

from pathlib import Path
from typing import cast

import typer

from sekisho.cli.common import (
    CatalogOpt,
    JsonOpt,
    LangOpt,
    SettingsOpt,
    check_lang,
    console,
    err_console,
    fail,
    handle_errors,
    print_json,
)
from sekisho.errors import did_you_mean
from sekisho.i18n import Lang
from sekisho.report.escapes import escape_controls

# Start-up: this module is imported for `sekisho --help`; the library is imported inside each command.

DbOpt = typer.Option(
    None,
    "--db",
    envvar="SEKISHO_DB",
    help="DuckDB store (default: under the user data directory); report, scope and serve also read "
    "a Spark scan's Parquet directory (scan --engine spark --out DIR), read-only.",
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


def _logformat(fmt: str, spec: str | None, conf: Path | None, name: str | None, logs: list[str]) -> str:
    """The logformat line of ``--logformat``, or of ``--squid-conf`` / ``--logformat-name``."""
    from sekisho.ingest.formats.squid_logformat import BUILT_IN, logformat_from_conf

    if fmt != "squid-logformat":
        raise fail("--logformat, --squid-conf and --logformat-name are for --format squid-logformat")
    if spec is not None and (conf is not None or name is not None):
        raise fail("give the line with --logformat, or take it from --squid-conf, not both")
    if spec is not None:
        return spec
    if conf is not None:
        return logformat_from_conf(conf, name, logs)
    if name is not None and name in BUILT_IN:
        return BUILT_IN[name]
    raise fail(
        "--format squid-logformat needs the line the log was written with: --logformat '%ts.%03tu %>a …', "
        "or --squid-conf /etc/squid/squid.conf [--logformat-name NAME]"
        + (f" (built-in names: {', '.join(BUILT_IN)})" if name is not None else "")
    )


@handle_errors
def scan(
    paths: list[str] = typer.Argument(..., help="Log files, directories (recursive) or - for stdin."),
    db: Path | None = DbOpt,
    fmt: str | None = typer.Option(None, "--format", "-f", help="Force a format (see `sekisho formats`)."),
    mapping: list[str] = typer.Option([], "--map", help="For --format csv: name=COL,client=COL,ts=COL …"),
    logformat: str | None = typer.Option(
        None,
        "--logformat",
        metavar="SPEC",
        help="Squid's logformat line the log was written with ('%ts.%03tu %6tr %>a …'): --format squid-logformat.",
        show_default=False,
    ),
    squid_conf: Path | None = typer.Option(
        None,
        "--squid-conf",
        help="Take the logformat line from this squid.conf (its logformat and access_log lines).",
        show_default=False,
    ),
    logformat_name: str | None = typer.Option(
        None,
        "--logformat-name",
        metavar="NAME",
        help="Which logformat of --squid-conf (default: the one its access_log lines use), or a built-in one.",
        show_default=False,
    ),
    as_json: bool = JsonOpt,
    catalog: Path | None = CatalogOpt,
    settings: Path | None = SettingsOpt,
    unknown: int = typer.Option(15, "--unknown", help="How many unknown destinations to list.", min=0),
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
    lang: str = LangOpt,
    engine: str = typer.Option(
        "duckdb",
        "--engine",
        metavar="ENGINE",
        help="duckdb (the store), or spark (needs sekisho[spark] and --out).",
    ),
    out: str | None = typer.Option(
        None, "--out", metavar="DIR", help="--engine spark: write observations here as Parquet by day."
    ),
) -> None:
    """Scan DNS, proxy and IDS logs: which services are used, by how many machines, since when."""
    from sekisho import api
    from sekisho.cli.progress import SHOW_FROM_BYTES, ScanProgress
    from sekisho.ingest import FORMATS
    from sekisho.ingest.sources import expand

    lg = cast("Lang", check_lang(lang))
    options = _mapping(mapping)
    if fmt == "squid-logformat" or any(o is not None for o in (logformat, squid_conf, logformat_name)):
        fmt = fmt or "squid-logformat"
        options["logformat"] = _logformat(fmt, logformat, squid_conf, logformat_name, paths)
    if fmt and fmt not in FORMATS:
        raise fail(
            f"unknown format {fmt!r}{did_you_mean(fmt, FORMATS)}; known: {', '.join(FORMATS)}", lang=lg
        )
    if engine not in ("duckdb", "spark"):
        raise fail(f"unknown engine {engine!r}; known: duckdb, spark")
    if (engine == "spark") != (out is not None):
        raise fail("--engine spark writes Parquet: give --out DIR (and --out only with --engine spark)")
    if engine == "spark" and "logformat" in options:
        raise fail(
            "--engine spark reads Squid's default squid layout only; scan a logformat line with the DuckDB engine"
        )
    if engine == "spark":
        _scan_spark(paths, str(out), fmt, year, as_json, lg, catalog)
        return
    total = sum(Path(p).stat().st_size for p in expand(paths) if p != "-")
    show = not as_json and err_console.is_terminal and total > SHOW_FROM_BYTES
    with ScanProgress(err_console.real, total, show) as bar:
        result = api.scan(
            paths,
            db,
            catalog,
            fmt,
            options,
            settings,
            bar.advance,
            year=year,
            keep_all=keep_all,
            unknown_limit=unknown,
            reading=bar.reading if show else None,  # no bar: nothing polls the engine
        )
    result["unknown"] = result["unknown"][:unknown]
    if as_json:
        print_json({k: result[k] for k in ("files", "services", "operators", "unknown", "internal", "scan")})
    else:
        from sekisho.assess.rules import load_settings

        _print_findings(result, lg, load_settings(settings).timezone)
    # A file that could not be read (truncated, corrupt, not a log) was reported in its entry and
    # the others were scanned; the exit status still says that not everything was read.
    unread = [f for f in result["files"] if str(f.get("note") or "").startswith("not read")]
    from sekisho.i18n import text
    from sekisho.i18n_reasons import translate

    for f in unread:
        err_console.print(
            text(
                "cli.lang.error",
                lg,
                message=f"{escape_controls(f['path'])}: {escape_controls(translate(f['note'], lg))}",
            ),
            markup=False,
            highlight=False,
            soft_wrap=True,
        )
    if unread:
        raise typer.Exit(1)


def _scan_spark(
    paths: list[str],
    out: str,
    fmt: str | None,
    year: int | None,
    as_json: bool,
    lg: Lang,
    catalog: Path | None = None,
) -> None:
    """``scan --engine spark``: the same formats read by Spark, observations matched against the
    catalog and written as Parquet (``report --db DIR`` reads them)."""
    from sekisho.extras import require
    from sekisho.i18n import text
    from sekisho.i18n_reasons import translate

    require("spark")  # one line naming the extra, never a traceback
    from sekisho.match import spark_scan

    result = spark_scan.scan(paths, out, catalog=catalog, format_name=fmt, year=year)
    if as_json:
        print_json(result.as_dict())
        return
    for f in result.files:
        console.print(text("report.spark_file", lg, **f.as_dict()), markup=False, highlight=False)
        for s in f.malformed_samples:
            console.print(
                f"  {escape_controls(str(f.path))}:{s['line']}: {escape_controls(translate(str(s['reason']), lg))}",
                markup=False,
                highlight=False,
            )
        if f.note:
            console.print(f"  {translate(f.note, lg)}", markup=False, highlight=False)
    console.print(
        text("report.spark_written", lg, n=result.observations, out=out), markup=False, highlight=False
    )


def _print_operators(rows: list[dict], lang: Lang) -> None:  # type: ignore[type-arg]
    """Flow addresses in an operator's published ranges: the operator, with the caveat that a
    shared cloud or CDN address does not identify the service."""
    if not rows:
        return
    from rich.table import Table

    from sekisho.i18n import number, text
    from sekisho.report.console import literal

    t = Table(title=text("report.iprange_title", lang), title_justify="left")
    for key in ("report.iprange_operator", "report.clients", "report.queries", "report.iprange_addresses"):
        t.add_column(text(key, lang), justify="left" if key == "report.iprange_operator" else "right")
    for r in rows:
        t.add_row(
            literal(r["operator"]) + literal(f" ({r['id']})", style="dim"),
            number(r["clients"]),
            number(r["queries"]),
            number(r["addresses"]),
        )
    console.print(t)
    console.print(text("report.iprange_caveat", lang), style="yellow", markup=False, highlight=False)


def _print_findings(result: dict, lang: Lang = "en", zone: str = "Asia/Tokyo") -> None:  # type: ignore[type-arg]
    from rich.markup import escape
    from rich.table import Table
    from rich.text import Text

    from sekisho.i18n import local_time, number, text
    from sekisho.i18n_reasons import translate
    from sekisho.report.console import literal

    n = number
    t = Table(title=text("cli.scan.services", lang), title_justify="left")
    for key in ("services.level", "dossier.service", "report.clients", "report.queries", "report.first_seen",
                "report.last_seen"):  # fmt: skip
        t.add_column(
            text(key, lang), justify="right" if key in ("report.clients", "report.queries") else "left"
        )
    for s in result["services"]:
        lvl = Text(str(s["safety_level"]), style=LEVEL_STYLE[s["safety_level"]]) + (
            "*" if s["provisional"] else ""
        )
        t.add_row(
            lvl,
            literal(s["name"]) + literal(f" ({s['id']})", style="dim"),
            n(s["clients"]),
            n(s["queries"]),
            local_time(s["first_seen"], zone),
            local_time(s["last_seen"], zone),
        )
    if result["services"]:
        console.print(t)
    else:
        console.print(text("report.no_services", lang), style="green")
    if any(s["provisional"] for s in result["services"]):
        console.print("* " + text("report.provisional_note", lang).replace("`", ""), style="dim")
    _print_operators(result.get("operators") or [], lang)
    u = Table(title=text("report.unknown", lang), title_justify="left")
    for key in ("report.domain", "report.clients", "report.queries", "report.names_count"):
        u.add_column(text(key, lang), justify="left" if key == "report.domain" else "right")
    for d in result["unknown"]:
        u.add_row(d["domain"], n(d["clients"]), n(d["queries"]), n(d["names"]))
    totals = result.get("unknown_totals") or {}
    if result["unknown"]:
        console.print(u)
        console.print(
            text(
                "report.unknown_totals",
                lang,
                domains=n(totals.get("domains", 0)),
                queries=n(totals.get("queries", 0)),
            ),
            style="dim",
        )
    if result.get("internal"):  # not internet destinations: apart from the unknown ones
        i = Table(title=text("cli.scan.internal", lang), title_justify="left")
        for key in ("cli.scan.name", "cli.scan.kind", "report.clients", "report.queries"):
            i.add_column(text(key, lang), justify="right" if key.startswith("report.") else "left")
        for d in result["internal"]:
            i.add_row(d["domain"], str(d["kind"]).removeprefix("internal:"), n(d["clients"]), n(d["queries"]))
        console.print(i)
        itot = result.get("internal_totals") or {}
        console.print(
            text(
                "cli.scan.internal_totals",
                lang,
                domains=n(itot.get("domains", 0)),
                queries=n(itot.get("queries", 0)),
            ),
            style="dim",
        )
    f = Table(title=text("report.input", lang), title_justify="left")
    for key in ("report.file", "report.format", "report.lines", "report.parsed", "report.skipped",
                "report.malformed", "cli.scan.note"):  # fmt: skip
        f.add_column(
            text(key, lang),
            justify="right"
            if key in ("report.lines", "report.parsed", "report.skipped", "report.malformed")
            else "left",
            overflow="fold",
        )
    for a in result["files"]:
        mal = Text(str(a["malformed"]), style="bold red" if a["malformed"] else "")
        f.add_row(
            a["path"],
            a["format"],
            n(a["lines"]),
            n(a["parsed"]),
            n(a["skipped"]),
            mal,
            translate(a.get("note") or "", lang),
        )
    console.print(f)
    for line in (result.get("scan") or {}).get("retention", {}).get("lines", []):
        err_console.print(
            translate(f"retention: {line}", lang),
            style="yellow",
            markup=False,
            highlight=False,
            soft_wrap=True,
        )
    for a in result["files"]:
        for s in a["malformed_samples"]:
            console.print(
                f"  [red]{escape(escape_controls(a['path']))}:{s['line']}[/]: "
                f"{escape(escape_controls(translate(str(s['reason']), lang)))}",
                markup=True,
                highlight=False,
            )
        reasons = {r: n for r, n in (a.get("skipped_reasons") or {}).items() if r != "blank line"}
        if reasons:  # what the skipped lines were: nothing is dropped without a word
            said = text("cli.lang.list_sep", lang).join(
                text("cli.lang.counted", lang, what=translate(r, lang), n=n(k)) for r, k in reasons.items()
            )
            console.print(
                "  " + text("cli.scan.skipped", lang, path=escape_controls(a["path"]), said=said),
                style="dim",
                markup=False,
                highlight=False,
            )


@handle_errors
def scope(
    service_id: str = typer.Argument(..., metavar="ID", help="Service id (see `sekisho services`)."),
    db: Path | None = DbOpt,
    as_json: bool = JsonOpt,
    catalog: Path | None = CatalogOpt,
    lang: str = LangOpt,
    settings: Path | None = SettingsOpt,
) -> None:
    """Scope of impact: every client that reached the service, since when, how often, which names."""
    from rich.table import Table

    from sekisho import api
    from sekisho.assess.rules import load_settings
    from sekisho.i18n import local_time, number, text

    lg = cast("Lang", check_lang(lang))
    zone = load_settings(settings).timezone
    result = api.scope(service_id, db, catalog)
    if as_json:
        print_json(result)
        return
    t = Table(
        title=text(
            "cli.scope.title", lg, name=result["name"], id=service_id, n=number(len(result["clients"]))
        ),
        title_justify="left",
    )
    for key in ("report.client", "report.first_seen", "report.last_seen", "report.days_col", "report.queries",
                "report.names"):  # fmt: skip
        t.add_column(text(key, lg), overflow="fold")
    for c in result["clients"]:
        names = ", ".join(c["names"][:6]) + (f" … (+{len(c['names']) - 6})" if len(c["names"]) > 6 else "")
        t.add_row(
            c["client"],
            local_time(c["first_seen"], zone),
            local_time(c["last_seen"], zone),
            number(c["days"]),
            number(c["queries"]),
            names,
        )
    console.print(t)


def formats(lang: str = LangOpt) -> None:
    """The log formats sekisho reads, and what each is."""
    from rich.markup import escape

    from sekisho.i18n import messages, text
    from sekisho.ingest import FORMATS

    lg = cast("Lang", check_lang(lang))
    for name, cls in FORMATS.items():
        key = f"cli.formats.title.{name}"
        title = text(key, lg) if lg == "ja" and key in messages("ja") else cls.title
        console.print(f"[bold]{name:16}[/] {escape(title)}", markup=True, highlight=False)
