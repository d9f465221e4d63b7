"""The report on a terminal (rich): summary, services, what to do, unknown names, input accounting."""

from __future__ import annotations

from typing import Any

from rich.console import Console
from rich.table import Table
from rich.text import Text

from sekisho.i18n import Lang, text
from sekisho.report.console import literal

LEVEL_STYLE = {0: "bold white on red", 1: "bold red", 2: "yellow", 3: "green", 4: "bold green"}


def _score(v: float | None) -> str:
    return f"{v:.1f}" if v is not None else "—"


def render_terminal(r: dict[str, Any], console: Console) -> None:
    lang: Lang = r["lang"]
    s = r["summary"]
    console.rule(text("report.title", lang))
    console.print(
        text("report.period", lang, first=r["period"]["first"], last=r["period"]["last"])
        + " · "
        + text("report.generated", lang, when=r["generated"]),
        style="dim",
        highlight=False,
    )
    if r["pseudonymized"]:
        console.print(text("report.pseudonymized", lang), style="magenta")
    console.print(
        text(
            "report.headline",
            lang,
            services=s["services"],
            clients=s["clients_total"],
            affected=s["affected_clients"],
        ),
        highlight=False,
    )
    levels = Text()
    for n in range(5):
        levels.append(f" {n} ", style=LEVEL_STYLE[n])
        levels.append(f" {text(f'level.{n}', lang)}: {s['level_counts'][n]}  ")
    console.print(levels)

    t = Table(title=text("report.services_caption", lang), title_justify="left")
    for key in ("services.level", "dossier.service", "dossier.operator", "report.scores_short",
                "report.clients", "report.queries", "report.last_seen"):  # fmt: skip
        t.add_column(text(key, lang), overflow="fold")
    for svc in r["services"]:
        lvl = Text(str(svc["safety_level"]), style=LEVEL_STYLE[svc["safety_level"]])
        if svc["provisional"]:
            lvl.append("*")
        t.add_row(
            lvl,
            literal(svc["id"]),
            literal(f"{svc['operator']} ({svc['country']})"),
            " / ".join(_score(svc["scores"].get(k)) for k in ("data_protection", "privacy", "legal")),
            str(svc["clients"]),
            str(svc["queries"]),
            (svc["last_seen"] or "")[:10],
        )
    console.print(t if r["services"] else text("report.no_services", lang))
    if s.get("provisional"):
        console.print(
            "* "
            + text(
                "report.provisional_summary",
                lang,
                n=s["provisional"],
                total=s["services"],
                threshold=s["provisional_below"],
                max=s["provisional_max"],
            ),
            style="dim",
        )

    console.rule(text("report.response", lang) + " — " + text("plan.title", lang))
    plan = r["plan"]
    for item in plan["items"]:
        if item["action"] == "monitor":
            continue
        console.print(
            literal(f"  {item['safety_level']} {item['name']}: ")
            + Text(text(f"plan.action.{item['action']}", lang), style="bold")
            + literal(" — " + text("plan.action_desc." + item["action"], lang)),
            highlight=False,
        )
    if plan["blocked"]:
        how = text(f"plan.resolver_how.{plan['resolver_source']}", lang, resolver=plan["resolver"])
        console.print(literal(text("plan.resolver_line", lang, resolver=plan["resolver"], how=how)))
        if plan["policy_yaml"]:
            console.print(
                literal(text("plan.policy_file", lang, file=plan["policy"], base=plan["base_policy"]))
            )
            for line in plan["policy_yaml"].splitlines():
                console.print(literal("    " + line), style="cyan", highlight=False)
        for i, step in enumerate(plan["steps"], 1):
            console.print(literal(f"  {i}. {text(step['key'], lang).replace('`', '')}"), highlight=False)
            if step["command"]:
                console.print(f"     {step['command']}", style="cyan", markup=False, highlight=False)
    else:
        console.print(text("plan.nothing_to_block", lang))
    for svc in r["services"]:
        if svc["safety_level"] <= 1:
            console.print(f"  sekisho scope {svc['id']}", style="cyan", markup=False, highlight=False)

    if r.get("operators"):  # flow addresses: the operator of the network only, with the caveat
        o = Table(title=text("report.iprange_title", lang), title_justify="left")
        for key in (
            "report.iprange_operator",
            "report.clients",
            "report.queries",
            "report.iprange_addresses",
        ):
            o.add_column(text(key, lang))
        for op in r["operators"]:
            o.add_row(literal(f"{op['operator']} ({op['id']})"), str(op["clients"]), str(op["queries"]),
                      str(op["addresses"]))  # fmt: skip
        console.print(o)
        console.print(text("report.iprange_caveat", lang), style="yellow", markup=False, highlight=False)

    u = Table(title=text("report.unknown", lang), title_justify="left")
    for key in ("report.domain", "report.clients", "report.queries"):
        u.add_column(text(key, lang))
    for d in r["unknown"][:15]:
        u.add_row(literal(d["domain"]), str(d["clients"]), str(d["queries"]))
    console.print(u)
    console.print(
        text("report.unknown_totals", lang, domains=s["unknown_domains"], queries=s["unknown_queries"]),
        style="dim",
    )

    f = Table(title=text("report.input", lang), title_justify="left")
    for key in ("report.file", "report.format", "report.lines", "report.parsed", "report.skipped",
                "report.malformed"):  # fmt: skip
        f.add_column(text(key, lang), overflow="fold")
    for scan in r["scans"][:1]:
        for a in scan["files"]:
            f.add_row(
                literal(a["path"]),
                literal(a["format"] or "-"),
                *(str(a[k]) for k in ("lines", "parsed", "skipped", "malformed")),
            )
    console.print(f)
