"""`sekisho services` and `sekisho show ID`."""

from __future__ import annotations

from pathlib import Path

import typer
from rich.markup import escape
from rich.text import Text

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
from sekisho.i18n import text  # light (libyaml); the library is imported inside each command


def register(app: typer.Typer) -> None:
    app.command("services")(services)
    app.command("show")(show)


@handle_errors
def services(
    as_json: bool = JsonOpt,
    lang: str = LangOpt,
    catalog: Path | None = CatalogOpt,
    settings: Path | None = SettingsOpt,
    known: bool = typer.Option(
        False, "--known", help="Also list the known tier (imported lists: organisation, no level)."
    ),
) -> None:
    """List the catalog: one row per service with operator, country and safety level."""
    from rich.table import Table

    from sekisho.api import assessor_for
    from sekisho.assess import score_text
    from sekisho.catalog.known import describe_known

    lang = check_lang(lang)
    assessor = assessor_for(catalog, settings)
    cat = assessor.catalog
    rows: list[dict] = []
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
                # false: the country rests on a secondary source alone (a claim the rating ignores)
                "operator_country_verified": bool(chain and not chain[0].country.is_claim),
                "ultimate_parent": chain[-1].name if chain else None,
                "tier": "researched",
                "safety_level": rating.safety_level,
                "computed_safety_level": rating.computed_level,
                "provisional": rating.provisional,
                "scores": {
                    name: {
                        "value": sc.value,
                        "factors_with_evidence": sc.factors_known,
                        "factors": sc.factors_total,
                        "text": score_text(sc),
                    }
                    for name, sc in rating.scores.items()
                },
            }
        )
    known_rows = [describe_known(cat, kid) for kid in sorted(cat.known.services)] if known else []
    if as_json:
        print_json(
            rows
            + [
                {k: r[k] for k in ("id", "name", "tier", "status", "operator", "operator_country", "group")}
                | {
                    "ultimate_parent": r["ultimate_parent"],
                    "domains": len(r["domains"]) + len(r["hostnames"]),
                }
                | {"source": r["provenance"]}
                for r in known_rows
            ]
        )
        return
    table = Table(title=text("services.title", lang) + f" ({cat.meta.version})")
    for key in ("id", "name", "operator", "country", "category", "level"):
        table.add_column(text(f"services.{key}", lang))
    colors = {0: "bold white on red", 1: "bold red", 2: "yellow", 3: "green", 4: "bold green"}
    for r in rows:
        level = Text(str(r["safety_level"]), style=colors[r["safety_level"]]) + (
            " *" if r["provisional"] else ""
        )
        if r["safety_level"] != r["computed_safety_level"]:
            level += f" ({r['computed_safety_level']})"
        where = r["operator_country"] or "?"
        if r["operator_country"] and not r["operator_country_verified"]:
            where += "?"
        table.add_row(r["id"], r["name"], r["operator"], where, r["category"], level)
    for r in known_rows:
        table.add_row(
            r["id"],
            r["name"],
            r["operator"] or "",
            r["operator_country"] or "",
            "",
            text("services.known", lang),
            style="dim",
        )
    console.print(table)
    if known_rows:
        datasets = ", ".join(sorted({f"{d['dataset']} ({d['licence']})" for d in cat.known.datasets}))
        console.print(text("services.known_caption", lang, n=len(known_rows), datasets=datasets), style="dim")
    if any(r["operator_country"] and not r["operator_country_verified"] for r in rows):
        console.print(text("services.unverified_caption", lang), style="dim")
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
    from sekisho.api import assessor_for
    from sekisho.catalog.known import describe_known
    from sekisho.report.dossier import build_dossier, render_terminal

    lang = check_lang(lang)
    assessor = assessor_for(catalog, settings)
    if ":" in service_id:  # the known tier: organisation, names and provenance — not assessed
        entry = describe_known(assessor.catalog, service_id)
        if service_id.startswith("iprange:"):  # an operator's published address ranges
            from sekisho.catalog.ipranges import describe_ranges

            entry |= describe_ranges(assessor.catalog.root, service_id)
        if as_json:
            print_json(entry)
        else:
            _render_known(entry, lang)
        return
    dossier = build_dossier(assessor.catalog, assessor, service_id, lang)  # type: ignore[arg-type]
    if as_json:
        print_json(dossier)
    else:
        render_terminal(dossier, console.real)


def _render_known(entry: dict, lang: str) -> None:
    console.print(
        f"[bold]{escape(entry['name'])}[/] ({escape(entry['id'])}) — {escape(text('services.known', lang))}",
        markup=True,
        highlight=False,
    )
    if entry["operator"]:
        parent = f", {entry['ultimate_parent']}" if entry["ultimate_parent"] != entry["operator"] else ""
        console.print(
            f"{text('services.operator', lang)}: {entry['operator']} ({entry['operator_country']}){parent}",
            highlight=False,
        )
    p = entry["provenance"]
    console.print(text("services.provenance", lang, **p), markup=False, highlight=False)
    if p.get("url"):  # the list's repository, or the page a row of sekisho's own tables cites
        console.print(text("services.provenance_url", lang, url=p["url"]), markup=False, highlight=False)
    names = entry["domains"] + entry["hostnames"]
    if not names and entry.get("ranges"):  # iprange:<operator>: address ranges, no names
        src, r = entry["source"], entry["ranges"]
        console.print(f"IPv4 {r['ipv4']}, IPv6 {r['ipv6']}: " + ", ".join(src["published_at"]), markup=False,
                      highlight=False)  # fmt: skip
        console.print(f"{src['read_from']} {src['commit']} ({src['as_of']}), {src['read_on']}", markup=False,
                      highlight=False)  # fmt: skip
        console.print(
            entry["caveat"]["ja" if lang == "ja" else "en"], style="yellow", markup=False, highlight=False
        )
    else:
        shown = ", ".join(names[:30]) + (f", … (+{len(names) - 30})" if len(names) > 30 else "")
        console.print(f"{len(names)}: {shown}", markup=False, highlight=False)
    if entry["includes"]:
        console.print("include: " + ", ".join(entry["includes"]), markup=False, highlight=False)
