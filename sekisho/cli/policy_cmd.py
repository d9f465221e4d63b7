"""`sekisho policy show [--policy P]` and `sekisho policy why NAME`."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any, cast

import typer
from rich.markup import escape

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

if TYPE_CHECKING:
    from sekisho.catalog import Catalog
    from sekisho.i18n import Lang
    from sekisho.policy import Decision, NameAnswer, Plan, Reason


# Start-up: `sekisho --help` imports this module; the policy code is imported when a command runs.
def plan_for(*args: Any) -> Plan:
    from sekisho.policy import plan_for as plan_for_

    return plan_for_(*args)


def why(name: str, plan: Plan, catalog: Catalog) -> NameAnswer:
    from sekisho.policy import why as why_

    return why_(name, plan, catalog)


def open_catalog(path: Path | None) -> Catalog:
    from sekisho.catalog import open_catalog as open_

    return open_(path)


PolicyOpt = typer.Option(
    None,
    "--policy",
    "-p",
    envvar="SEKISHO_POLICY",
    help="Preset(s) — level0, intel-law:CN, assessment; comma-separated — or a policy YAML file. "
    "Default: level0.",
    show_default=False,
)
GroupOpt = typer.Option(
    None, "--group", "-g", help="Export the view of one client group of the policy.", show_default=False
)


app = typer.Typer(help="Explain a policy: what it blocks, and why.", no_args_is_help=True)

STYLE = {"block": "bold red", "warn": "yellow", "allow": "green"}


@app.command("show")
@handle_errors
def show(
    policy: str | None = PolicyOpt,
    group: str | None = GroupOpt,
    everything: bool = typer.Option(False, "--all", help="Also list services allowed by default."),
    as_json: bool = JsonOpt,
    catalog: Path | None = CatalogOpt,
    settings: Path | None = SettingsOpt,
    lang: str = LangOpt,
) -> None:
    """Each decision of the policy, with the rule and the facts behind it."""
    from sekisho.i18n import text

    lg = cast("Lang", check_lang(lang))
    plan = plan_for(policy, catalog, settings, group)
    result = plan.result
    assert result is not None
    decisions = [d for d in result.decisions.values() if everything or d.explicit]
    if as_json:
        print_json(
            {
                "policy": plan.default.policy,
                "catalog": {"version": result.catalog.version, "date": result.catalog.date},
                "audience": plan.default.audience,
                "decisions": [_decision_json(d) for d in decisions],
                "domain_rules": [
                    {
                        "name": n.name,
                        "action": n.action,
                        "service": n.service_id,
                        "reason": _reason_json(n.reason),
                    }
                    for n in result.names
                ],
                "blocked_names": list(plan.default.blocked),
                "exceptions": list(plan.default.holes),
                "groups": [
                    {
                        "name": g.group.name,
                        "addresses": list(g.group.addresses),
                        "blocked_names": list(g.blocklist.blocked),
                        "exceptions": list(g.blocklist.holes),
                    }
                    for g in plan.groups
                ],
            }
        )
        return
    bl = plan.default
    header = text(
        "cli.policy.header", lg, policy=bl.policy, version=bl.catalog.version, date=bl.catalog.date,
        audience=bl.audience,
    )  # fmt: skip
    console.print(f"[bold]{escape(header)}[/]", markup=True, highlight=False)
    order = {"block": 0, "warn": 1, "allow": 2}
    for d in sorted(decisions, key=lambda d: (order[d.action], d.service_id)):
        act = text(f"cli.policy.action.{d.action}", lg)
        console.print(
            f"\n[{STYLE[d.action]}]{escape(act):5}[/] [bold]{escape(d.service_id)}[/] "
            f"({escape(d.service_name)}) — {escape(text('cli.policy.names', lg, n=len(d.names)))}",
            markup=True,
            highlight=False,
        )
        for r in d.reasons:
            _print_reason(r)
        for r in d.overridden:
            said = text("cli.policy.overrides", lg, rule=r.rule, text=r.text)
            console.print(f"    [dim]{escape(said)}[/]", markup=True, highlight=False)
    for n in result.names:
        act = text(f"cli.policy.action.{n.action}", lg)
        console.print(
            f"\n[{STYLE[n.action]}]{escape(act):5}[/] [bold]{escape(n.name)}[/] "
            f"{escape(text('cli.policy.domain_rule', lg))}",
            markup=True,
            highlight=False,
        )
        _print_reason(n.reason)
    console.print(
        "\n"
        + text(
            "cli.policy.totals",
            lg,
            services=len(bl.services),
            names=len(bl.blocked),
            exact=len(bl.exact),
            holes=len(bl.holes),
            ranges=len(bl.ip_ranges),
        ),
        highlight=False,
    )
    for g in plan.groups:
        gb = g.blocklist
        console.print(
            text(
                "cli.policy.group",
                lg,
                group=g.group.name,
                addresses=", ".join(g.group.addresses),
                services=len(gb.services),
                names=len(gb.blocked),
            ),
            highlight=False,
        )


@app.command("why")
@handle_errors
def why_cmd(
    name: str = typer.Argument(..., metavar="NAME", help="A host name, e.g. chat.deepseek.com."),
    policy: str | None = PolicyOpt,
    group: str | None = GroupOpt,
    as_json: bool = JsonOpt,
    catalog: Path | None = CatalogOpt,
    settings: Path | None = SettingsOpt,
    lang: str = LangOpt,
) -> None:
    """Which service, rule and fact block (or allow) a host name."""
    from sekisho.i18n import text

    lg = cast("Lang", check_lang(lang))
    plan = plan_for(policy, catalog, settings, group)
    answer = why(name, plan, open_catalog(catalog))
    if as_json:
        print_json(_answer_json(answer))
        return
    word = text("cli.policy.blocked" if answer.blocked else "cli.policy.not_blocked", lg)
    verdict = f"[bold red]{escape(word)}[/]" if answer.blocked else f"[green]{escape(word)}[/]"
    line = text(
        "cli.policy.verdict", lg, name=escape(answer.name), verdict="\x00", policy=escape(plan.default.policy),
        audience=escape(answer.audience),
    )  # fmt: skip
    console.print(line.replace("\x00", verdict), markup=True, highlight=False)
    if answer.service:
        console.print(
            text("cli.policy.service", lg, service=answer.service, matched=answer.matched_on), highlight=False
        )
    else:
        console.print(text("cli.policy.no_service", lg), highlight=False)
    if answer.entry:
        under = "" if answer.entry == answer.name else text("cli.policy.under", lg, entry=answer.entry)
        key = "cli.policy.entry_blocked" if answer.blocked else "cli.policy.entry_hole"
        console.print(text(key, lg, entry=answer.entry, under=under), highlight=False)
        for n in answer.name_rules:
            _print_reason(n.reason)
        for d in answer.decisions:
            act = text(f"cli.policy.action.{d.action}", lg)
            console.print(
                text("cli.policy.decision", lg, id=d.service_id, name=d.service_name, action=act),
                highlight=False,
            )
            for r in d.reasons:
                _print_reason(r)
    elif answer.service_decision:
        d = answer.service_decision
        act = text(f"cli.policy.action.{d.action}", lg)
        console.print(
            text("cli.policy.decision", lg, id=d.service_id, name=d.service_name, action=act), highlight=False
        )
        for r in d.reasons:
            _print_reason(r)


def _print_reason(r: Reason) -> None:
    console.print(
        f"    [bold]{escape(r.rule)}[/]: {escape(r.text)}", markup=True, highlight=False, soft_wrap=True
    )
    for f in r.facts:
        console.print(
            f"      - {escape(str(f))}",
            markup=True,
            highlight=False,
            soft_wrap=True,
            style="yellow" if f.claim else None,
        )


def _reason_json(r: Reason) -> dict[str, object]:
    return {
        "rule": r.rule,
        "text": r.text,
        "facts": [{"text": f.text, "source": f.source, "as_of": f.as_of, "claim": f.claim} for f in r.facts],
    }


def _decision_json(d: Decision) -> dict[str, object]:
    return {
        "service": d.service_id,
        "name": d.service_name,
        "action": d.action,
        "explicit": d.explicit,
        "names": list(d.names),
        "ip_ranges": list(d.ip_ranges),
        "reasons": [_reason_json(r) for r in d.reasons],
        "overridden": [_reason_json(r) for r in d.overridden],
    }


def _answer_json(a: NameAnswer) -> dict[str, object]:
    return {
        "name": a.name,
        "audience": a.audience,
        "blocked": a.blocked,
        "entry": a.entry,
        "service": a.service,
        "matched_on": a.matched_on,
        "decisions": [_decision_json(d) for d in a.decisions],
        "domain_rules": [
            {"name": n.name, "action": n.action, "reason": _reason_json(n.reason)} for n in a.name_rules
        ],
        "service_decision": _decision_json(a.service_decision) if a.service_decision else None,
    }
