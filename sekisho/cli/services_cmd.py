"""`sekisho services` and `sekisho show ID`."""

from __future__ import annotations

from pathlib import Path

import typer
from rich.table import Table

from sekisho.api import assessor_for
from sekisho.cli.common import (
    CatalogOpt,
    JsonOpt,
    LangOpt,
    SettingsOpt,
    check_lang,
    console,
    handle_errors,
    print_json,
)
from sekisho.i18n import text
from sekisho.report.dossier import build_dossier, render_terminal


def register(app: typer.Typer) -> None:
    app.command("services")(services)
    app.command("show")(show)


@handle_errors
def services(
    as_json: bool = JsonOpt,
    lang: str = LangOpt,
    catalog: Path | None = CatalogOpt,
    settings: Path | None = SettingsOpt,
) -> None:
    """List the catalog: one row per service with operator, country and safety level."""
    lang = check_lang(lang)
    assessor = assessor_for(catalog, settings)
    cat = assessor.catalog
    rows = []
    for sid, rating in assessor.rate_all().items():
        svc = cat.services[sid]
        chain = cat.operator_chain(svc.operator.value)
        rows.append(
            {
                "id": sid,
                "name": svc.name,
                "category": svc.category,
                "operator": chain[0].name if chain else svc.operator.value,
                "operator_country": chain[0].country.value if chain else None,
                "ultimate_parent": chain[-1].name if chain else None,
                "safety_level": rating.safety_level,
                "computed_safety_level": rating.computed_level,
                "provisional": rating.provisional,
            }
        )
    if as_json:
        print_json(rows)
        return
    table = Table(title=text("services.title", lang) + f" ({cat.meta.version})")
    for key in ("id", "name", "operator", "country", "category", "level"):
        table.add_column(text(f"services.{key}", lang))
    colors = {0: "bold white on red", 1: "bold red", 2: "yellow", 3: "green", 4: "bold green"}
    for r in rows:
        level = f"[{colors[r['safety_level']]}]{r['safety_level']}[/]" + (" *" if r["provisional"] else "")
        if r["safety_level"] != r["computed_safety_level"]:
            level += f" ({r['computed_safety_level']})"
        table.add_row(r["id"], r["name"], r["operator"], r["operator_country"] or "?", r["category"], level)
    console.print(table)
    if any(r["provisional"] for r in rows):
        console.print(
            "* provisional: the facts cover too few factors"
            if lang == "en"
            else "* 暫定: 事実が評価項目を十分に裏付けていません",
            style="dim",
        )


@handle_errors
def show(
    service_id: str = typer.Argument(..., metavar="ID", help="Service id (see `sekisho services`)."),
    lang: str = LangOpt,
    as_json: bool = JsonOpt,
    catalog: Path | None = CatalogOpt,
    settings: Path | None = SettingsOpt,
) -> None:
    """The dossier of one service: summary, scores with their evidence, response, alternatives, facts."""
    lang = check_lang(lang)
    assessor = assessor_for(catalog, settings)
    dossier = build_dossier(assessor.catalog, assessor, service_id, lang)  # type: ignore[arg-type]
    if as_json:
        print_json(dossier)
    else:
        render_terminal(dossier, console)
