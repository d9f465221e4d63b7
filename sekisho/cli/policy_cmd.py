"""`sekisho policy show [--policy P]` and `sekisho policy why NAME`."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

import typer
from rich.markup import escape

from sekisho.cli.common import CatalogOpt, JsonOpt, SettingsOpt, console, handle_errors, print_json

if TYPE_CHECKING:
    from sekisho.catalog import Catalog
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
) -> None:
    """Each decision of the policy, with the rule and the facts behind it."""
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
    console.print(
        f"[bold]policy {escape(bl.policy)}[/] — catalog {escape(bl.catalog.version)} ({bl.catalog.date}) "
        f"— {escape(bl.audience)}",
        markup=True,
        highlight=False,
    )
    order = {"block": 0, "warn": 1, "allow": 2}
    for d in sorted(decisions, key=lambda d: (order[d.action], d.service_id)):
        console.print(
            f"\n[{STYLE[d.action]}]{d.action.upper():5}[/] [bold]{escape(d.service_id)}[/] "
            f"({escape(d.service_name)}) — {len(d.names)} name(s)",
            markup=True,
            highlight=False,
        )
        for r in d.reasons:
            _print_reason(r)
        for r in d.overridden:
            console.print(
                f"    [dim]overrides {escape(r.rule)}: {escape(r.text)}[/]", markup=True, highlight=False
            )
    for n in result.names:
        console.print(
            f"\n[{STYLE[n.action]}]{n.action.upper():5}[/] [bold]{escape(n.name)}[/] (domain rule)",
            markup=True,
            highlight=False,
        )
        _print_reason(n.reason)
    console.print(
        f"\n{len(bl.services)} services blocked: {len(bl.blocked)} names "
        f"({len(bl.exact)} before collapsing subdomains), {len(bl.holes)} exceptions, "
        f"{len(bl.ip_ranges)} IP ranges.",
        highlight=False,
    )
    for g in plan.groups:
        gb = g.blocklist
        console.print(
            f"client group {g.group.name} ({', '.join(g.group.addresses)}): {len(gb.services)} services, "
            f"{len(gb.blocked)} names blocked (`sekisho policy show --group {g.group.name}`)",
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
) -> None:
    """Which service, rule and fact block (or allow) a host name."""
    plan = plan_for(policy, catalog, settings, group)
    answer = why(name, plan, open_catalog(catalog))
    if as_json:
        print_json(_answer_json(answer))
        return
    verdict = "[bold red]BLOCKED[/]" if answer.blocked else "[green]not blocked[/]"
    console.print(
        f"{escape(answer.name)}: {verdict} by policy {escape(plan.default.policy)} for {escape(answer.audience)}",
        markup=True,
        highlight=False,
    )
    if answer.service:
        console.print(
            f"  catalog: belongs to service [bold]{escape(answer.service)}[/] (matched on "
            f"{escape(str(answer.matched_on))})",
            markup=True,
            highlight=False,
        )
    else:
        console.print("  catalog: no service lists this name", highlight=False)
    if answer.entry:
        kind = "blocked entry" if answer.blocked else "exception"
        under = "" if answer.entry == answer.name else f" (the name is under {answer.entry})"
        console.print(f"  decided by the {kind} {answer.entry}{under}", highlight=False)
        for n in answer.name_rules:
            _print_reason(n.reason)
        for d in answer.decisions:
            console.print(f"  service {d.service_id} ({d.service_name}): {d.action}", highlight=False)
            for r in d.reasons:
                _print_reason(r)
    elif answer.service_decision:
        d = answer.service_decision
        console.print(f"  service {d.service_id}: {d.action}", highlight=False)
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
