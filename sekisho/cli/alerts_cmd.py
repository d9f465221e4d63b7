"""`sekisho alerts`: list the watcher's alerts, acknowledge them."""

from __future__ import annotations

import getpass
from pathlib import Path
from typing import TYPE_CHECKING, cast

import typer

from sekisho.cli.common import (
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
from sekisho.cli.scan_cmd import DbOpt

if TYPE_CHECKING:
    from sekisho.i18n import Lang

SEVERITY_STYLE = {
    "critical": "bold white on red",
    "high": "bold red",
    "medium": "yellow",
    "low": "cyan",
    "info": "dim",
}


@handle_errors
def alerts(
    db: Path | None = DbOpt,
    as_json: bool = JsonOpt,
    ack: list[int] = typer.Option([], "--ack", metavar="ID", help="Acknowledge this alert (repeatable)."),
    ack_all: bool = typer.Option(False, "--ack-all", help="Acknowledge every open alert."),
    note: str | None = typer.Option(None, "--note", help="With --ack: why (kept with the alert)."),
    show_all: bool = typer.Option(False, "--all", help="Include acknowledged alerts."),
    limit: int = typer.Option(100, "--limit", help="Show at most this many (newest first).", min=0),
    lang: str = LangOpt,
    settings: Path | None = SettingsOpt,
) -> None:
    """Alerts raised by `sekisho watch`, newest first, with their delivery to each sink."""
    from rich.table import Table
    from rich.text import Text

    from sekisho.assess.rules import load_settings
    from sekisho.i18n import local_time, text
    from sekisho.report.alert_text import alert_title, severity_label
    from sekisho.watch import ack_alerts, list_alerts

    lg = cast("Lang", check_lang(lang))
    zone = load_settings(settings).timezone

    if ack and ack_all:
        raise fail("give either --ack ID or --ack-all")
    if ack or ack_all:
        try:
            by = getpass.getuser()
        except (KeyError, OSError):
            by = None
        n, missing = ack_alerts(None if ack_all else list(ack), db, by, note)
        if as_json:
            print_json({"acknowledged": n, "not_found": missing})
        else:
            err_console.print(f"acknowledged {n} alert(s)", highlight=False)
            if missing:
                err_console.print(f"no alert with id {', '.join(map(str, missing))}", highlight=False)
        return
    rows = list_alerts(db, include_acked=show_all, limit=limit)
    if as_json:
        print_json(rows)
        return
    if not rows:
        console.print(text("cli.alerts.none" if show_all else "cli.alerts.none_open", lg), style="green")
        return
    title = text("cli.alerts.title" if show_all else "cli.alerts.title_open", lg, n=len(rows))
    t = Table(title=title, title_justify="left")
    t.add_column("ID", overflow="fold", justify="right")
    t.add_column(text("cli.alerts.raised", lg, zone=zone), overflow="fold")
    for col in ("severity", "rule", "client", "seen", "sent", "alert"):
        t.add_column(
            text(f"cli.alerts.{col}", lg), overflow="fold", justify="right" if col == "seen" else "left"
        )
    for a in rows:
        sent = sum(1 for d in a["deliveries"] if d["delivered_at"])
        queued = len(a["deliveries"]) - sent
        state = Text(f"{sent}/{len(a['deliveries'])}") + (
            Text(text("cli.alerts.queued", lg), style="red") if queued else Text()
        )
        sev = a["severity"]
        t.add_row(
            str(a["id"]) + (" ✓" if a["acked_at"] else ""),
            local_time(a["created_at"], zone),
            Text(severity_label(sev, lg), style=SEVERITY_STYLE.get(sev, "")),
            a["rule"],
            a["client"] or "",
            str(a["occurrences"]),
            state,
            alert_title(a, lg),
        )
    console.print(t)
    console.print(text("cli.alerts.ack_hint", lg), style="dim")
