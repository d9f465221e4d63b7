"""`sekisho catalog validate|export|sources|changelog|update|diff|import|stats|coverage`."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING, cast

import typer

from sekisho.cli.common import (
    CatalogOpt,
    LangOpt,
    check_lang,
    console,
    err_console,
    fail,
    handle_errors,
    print_json,
)

if TYPE_CHECKING:
    from sekisho.catalog import Catalog, Finding
    from sekisho.i18n import Lang

app = typer.Typer(help="Check, export and inspect the service catalog.", no_args_is_help=True)


# Start-up: `sekisho --help` imports this module; the catalog code is imported when a command runs.
def open_catalog(path: Path | None) -> Catalog:
    from sekisho.catalog import open_catalog as open_

    return open_(path)


def validate_catalog(path: Path | None, require_source_kind: bool = False) -> tuple[Catalog, list[Finding]]:
    from sekisho.catalog import validate

    return validate(path, require_source_kind=require_source_kind)


@app.command("validate")
@handle_errors
def validate(
    path: Path | None = typer.Argument(None, help="Catalog directory (default: the bundled catalog)."),
    strict: bool = typer.Option(False, "--strict", help="Treat warnings as errors."),
    require_source_kind: bool = typer.Option(
        False,
        "--require-source-kind",
        help="Every fact must name its source kind (and a dated source): errors per fact, not warnings.",
    ),
    lang: str = LangOpt,
) -> None:
    """Check every entry: schema, sources and dates, references, domains claimed twice. Exit 1 on errors."""
    from sekisho.i18n import text

    lg = cast("Lang", check_lang(lang))
    cat, findings = validate_catalog(path, require_source_kind)
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
    summary = text("cli.validate.counts", lg, **n)
    if errors:
        err_console.print(
            text("cli.validate.errors", lg, n=len(errors), root=cat.root, summary=summary),
            markup=False,
            highlight=False,
        )
        raise typer.Exit(1)
    warnings = len(findings) - len(errors)
    console.print(
        text("cli.validate.ok", lg, root=cat.root, summary=summary, version=cat.meta.version)
        + (text("cli.validate.warnings", lg, n=warnings) if warnings else ""),
        markup=False,
        highlight=False,
    )


@app.command("export")
@handle_errors
def export(
    fmt: str = typer.Option(
        ..., "--format", "-f", help="Export format, e.g. adguard-services (a wrong one lists them all)."
    ),
    output: Path | None = typer.Option(None, "-o", "--output", help="Write to this file (default: stdout)."),
    catalog: Path | None = CatalogOpt,
    lang: str = LangOpt,
) -> None:
    """Export the catalog's services for other tools (e.g. AdGuard Home blocked services)."""
    from sekisho.i18n import text
    from sekisho.report.catalog_export import CATALOG_FORMATS

    lg = cast("Lang", check_lang(lang))  # what is said on the terminal; the export is unchanged

    if fmt not in CATALOG_FORMATS:
        raise fail(f"unknown format {fmt!r}; choose one of: {', '.join(CATALOG_FORMATS)}")
    data = CATALOG_FORMATS[fmt](open_catalog(catalog))
    if output is None:
        sys.stdout.write(data)
    else:
        from sekisho.report.files import write_atomic

        write_atomic(output, data.encode("utf-8"))
        err_console.print(text("cli.lang.wrote", lg, path=output), markup=False, highlight=False)


@app.command("sources")
@handle_errors
def sources(
    catalog: Path | None = CatalogOpt, as_json: bool = typer.Option(False, "--json"), lang: str = LangOpt
) -> None:
    """Every source the catalog cites, with how many facts rest on it."""
    from sekisho.i18n import text
    from sekisho.report.catalog_export import collect_sources

    lg = cast("Lang", check_lang(lang))
    rows = collect_sources(open_catalog(catalog))
    if as_json:
        print_json(rows)
        return
    if lg == "ja":  # the sources themselves are quoted as the catalog cites them
        console.print(text("cli.sources.title", lg, n=len(rows)), markup=False, highlight=False)
    for r in rows:
        console.print(f"{r['facts']:4d}  {r['source']}", markup=False, highlight=False)


@app.command("changelog")
@handle_errors
def changelog(catalog: Path | None = CatalogOpt, lang: str = LangOpt) -> None:
    """The catalog's changelog: every edit, why, and on what evidence."""
    from sekisho.i18n import text

    lg = cast("Lang", check_lang(lang))
    cat = open_catalog(catalog)
    if lg == "ja":  # the entries are the maintainers' own words, quoted as written
        console.print(text("cli.changelog.title", lg, n=len(cat.changelog)), markup=False, highlight=False)
    for c in cat.changelog:
        console.print(
            f"{c.date}  {c.entry}: {c.change} — {c.why}" + (f" [{c.source}]" if c.source else ""),
            markup=False,
            highlight=False,
        )


@app.command("update")
@handle_errors
def update(
    source: str | None = typer.Option(
        None,
        "--from",
        envvar="SEKISHO_CATALOG_URL",
        help="A catalog directory or URL with a catalog.sha256 manifest. The network is used only for a URL.",
        show_default=False,
    ),
    rollback: bool = typer.Option(False, "--rollback", help="Go back to the previous catalog."),
    db: Path | None = typer.Option(
        None,
        "--db",
        help="Also check this store now: alerts for services in use that changed.",
        show_default=False,
    ),
    as_json: bool = typer.Option(False, "--json"),
    lang: str = LangOpt,
) -> None:
    """Install a newer catalog (checksums verified, validated); the previous one is kept."""
    from sekisho.catalog.diff import diff_catalogs
    from sekisho.i18n import text

    lg = cast("Lang", check_lang(lang))
    from sekisho.catalog.update import previous_catalog_dir, update_catalog
    from sekisho.catalog.update import rollback as do_rollback

    if rollback:
        result = do_rollback()
    elif source:
        result = update_catalog(source)
    else:
        raise fail("give --from DIR|URL (or set SEKISHO_CATALOG_URL), or --rollback")
    out: dict = {
        "version": result.version,
        "previous": result.previous,
        "changed": result.changed,
        "path": str(result.path),
        "files": result.files,
    }
    prev = previous_catalog_dir()
    if result.changed and prev is not None:
        diff = diff_catalogs(open_catalog(prev), open_catalog(result.path), level=_level_of())
        out["diff"] = diff.as_dict()
    if db is not None:
        from sekisho.watch import check_catalog_now

        out["alerts"] = check_catalog_now(db, result.path)
    if as_json:
        print_json(out)
        return
    if not result.changed:
        console.print(
            text("cli.update.already", lg, version=result.version, path=result.path),
            markup=False,
            highlight=False,
        )
    else:
        console.print(
            text(
                "cli.update.installed",
                lg,
                version=result.version,
                previous=result.previous or text("cli.update.bundled", lg),
                path=result.path,
            ),
            markup=False,
            highlight=False,
        )
        if "diff" in out:
            _print_diff(out["diff"], lg)
    if out.get("alerts"):
        console.print(
            text("cli.update.alerts", lg, n=len(out["alerts"]), db=db), markup=False, highlight=False
        )


def _level_of():  # type: ignore[no-untyped-def]
    from sekisho.assess import Assessor, load_rules

    cache: dict = {}

    def level(cat, sid: str) -> int:  # type: ignore[no-untyped-def]
        key = id(cat)
        if key not in cache:
            cache[key] = (cat, Assessor(cat, load_rules(None)))
        return int(cache[key][1].rate(sid).safety_level)

    return level


def _resolve(name: str) -> Path:
    from sekisho.catalog import bundled_catalog_dir
    from sekisho.catalog.update import active_catalog_dir, previous_catalog_dir

    if name == "bundled":
        return bundled_catalog_dir()
    if name == "current":
        return active_catalog_dir()
    if name == "previous":
        prev = previous_catalog_dir()
        if prev is None:
            raise fail("no previous catalog (none was replaced by `sekisho catalog update`)")
        return prev
    return Path(name)


def _print_diff(d: dict, lang: Lang = "en") -> None:
    from sekisho.i18n import text

    console.print(
        text("cli.diff.title", lang, old=d["old_version"], new=d["new_version"]),
        markup=False,
        highlight=False,
    )
    for sid in d["added"]:
        console.print(f"  + {sid}", markup=False, highlight=False)
    for sid in d["removed"]:
        console.print(f"  - {sid}", markup=False, highlight=False)
    for c in d["changed"]:
        console.print(f"  ~ {c['name']} ({c['service']})", markup=False, highlight=False)
        for f in c["changes"]:
            b, a = f["before"] or {}, f["after"] or {}
            console.print(
                f"      {f['field']}: {b.get('value')!r} → {a.get('value')!r}", markup=False, highlight=False
            )
            for s in a.get("sources", [])[:3]:
                console.print(
                    f"        [{s.get('source')}, {s.get('as_of', '')}] {s.get('about', '')}",
                    markup=False,
                    highlight=False,
                )
    if not (d["added"] or d["removed"] or d["changed"]):
        console.print(text("cli.diff.none", lang), markup=False, highlight=False)


@app.command("diff")
@handle_errors
def diff(
    old: str = typer.Argument(..., help="Catalog directory, or bundled / current / previous."),
    new: str = typer.Argument(..., help="Catalog directory, or bundled / current / previous."),
    as_json: bool = typer.Option(False, "--json"),
    lang: str = LangOpt,
) -> None:
    """What changed per service: operator, owner chain, country, jurisdictions, data locations, safety level."""
    from sekisho.catalog.diff import diff_catalogs

    lg = cast("Lang", check_lang(lang))
    d = diff_catalogs(open_catalog(_resolve(old)), open_catalog(_resolve(new)), level=_level_of()).as_dict()
    if as_json:
        print_json(d)
    else:
        _print_diff(d, lg)


@app.command("manifest")
@handle_errors
def manifest(
    path: Path = typer.Argument(..., help="Catalog directory to publish."), lang: str = LangOpt
) -> None:
    """Write catalog.sha256 (the checksums `catalog update` verifies) for a catalog directory."""
    from sekisho.catalog.update import write_manifest
    from sekisho.i18n import text

    lg = cast("Lang", check_lang(lang))

    cat, findings = validate_catalog(path)
    errors = [f for f in findings if f.severity == "error"]
    if errors:
        raise fail(f"{errors[0]} ({len(errors)} error(s)); fix them before publishing")
    out = write_manifest(path)
    console.print(
        text("cli.update.manifest", lg, path=out, version=cat.meta.version), markup=False, highlight=False
    )


@app.command("import")
@handle_errors
def import_(
    kind: str = typer.Argument(
        ...,
        help="v2fly, psl, adguard-companies, ip-ranges (maintainers: bundled), ghostery or disconnect (yours).",
    ),
    path: Path | None = typer.Argument(
        None,
        help="v2fly, adguard-companies: a checkout or git directory; psl: the .dat (default: tldextract's); "
        "others: the JSON.",
    ),
    out_dir: Path | None = typer.Option(
        None, "--out", help="Directory to write to (default: the bundled known/, or your cache)."
    ),
    as_json: bool = typer.Option(False, "--json"),
    lang: str = LangOpt,
) -> None:
    """Import the known tier: names and organisations from an openly licensed list, with provenance."""
    from sekisho.catalog.known import run_import
    from sekisho.i18n import text

    lg = cast("Lang", check_lang(lang))

    out, report = run_import(kind, path, out_dir)
    if as_json:
        print_json({"path": str(out), **report.as_dict()})
        return
    for p in report.problems[:20]:
        err_console.print(text("cli.update.import_problem", lg, problem=p), markup=False, highlight=False)
    skipped = text("cli.lang.list_sep", lg).join(
        text("cli.update.import_skip", lg, n=n, why=why) for why, n in sorted(report.skipped.items())
    ) or text("cli.update.nothing", lg)
    console.print(
        text(
            "cli.update.imported",
            lg,
            path=out,
            services=report.services,
            names=report.names,
            dataset=report.dataset,
            commit=report.commit,
            skipped=skipped,
        ),
        markup=False,
        highlight=False,
    )


@app.command("stats")
@handle_errors
def stats(
    catalog: Path | None = CatalogOpt, as_json: bool = typer.Option(False, "--json"), lang: str = LangOpt
) -> None:
    """How big the catalog is: services per tier, organisations, domains, provisional ratings, facts per source kind."""
    from sekisho.api import assessor_for
    from sekisho.assess.stats import catalog_stats
    from sekisho.i18n import text

    lg = cast("Lang", check_lang(lang))
    out = catalog_stats(assessor_for(catalog))
    if as_json:
        print_json(out)
        return

    def kinds(counts: dict[str, object]) -> str:
        share = counts["primary_or_press_share"]
        return text(
            "cli.catalog.kinds",
            lg,
            primary=counts["primary"],
            press=counts["press"],
            secondary=counts["secondary"],
            share="—" if share is None else f"{share:.1%}",
        )

    lines = [
        text(
            "cli.catalog.services",
            lg,
            researched=out["services"]["researched"],
            known=out["services"]["known"],
        ),
        text("cli.catalog.organisations", lg, n=out["organisations"], domains=out["domains"]),
        text("cli.catalog.provisional", lg, n=out["provisional"], total=out["services"]["researched"]),
        text("cli.catalog.facts", lg, kinds=kinds(out["facts"])),
        text("cli.catalog.rating_facts", lg, kinds=kinds(out["rating_facts"])),
        text(
            "cli.catalog.rating_points",
            lg,
            kinds=kinds(out["rating_points"]),
            alone=out["rating_points"]["points_on_secondary_alone"],
        ),
    ]
    for line in lines:
        console.print(line, markup=False, highlight=False)


@app.command("coverage")
@handle_errors
def coverage(
    db: Path = typer.Option(..., "--db", help="A store made by `sekisho scan`."),
    as_json: bool = typer.Option(False, "--json"),
    lang: str = LangOpt,
) -> None:
    """Share of a scanned network's queries and clients on researched, known, internal and unknown names."""
    from sekisho.i18n import text
    from sekisho.match.coverage import coverage as measure
    from sekisho.store import Store

    lg = cast("Lang", check_lang(lang))
    with Store(db, read_only=True) as store:
        out = measure(store.con)
    if as_json:
        print_json(out)
        return
    for cls, v in out["classes"].items():
        console.print(
            text(
                "cli.catalog.coverage_row",
                lg,
                cls=text(f"cli.catalog.class.{cls}", lg),
                query_share=f"{v['query_share']:.1%}",
                queries=v["queries"],
                client_share=f"{v['client_share']:.1%}",
                clients=v["clients"],
            ),
            markup=False,
            highlight=False,
        )
    share = out["public_attributed_share"]
    console.print(
        text("cli.catalog.attributed", lg, share="—" if share is None else f"{share:.1%}"),
        markup=False,
        highlight=False,
    )


def register(root: typer.Typer) -> None:
    root.add_typer(app, name="catalog")
