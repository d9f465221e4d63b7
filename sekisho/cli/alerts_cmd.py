"""`sekisho alerts`: list the watcher's alerts, acknowledge them."""

from __future__ import annotations

import getpass
from pathlib import Path

import typer

from sekisho.cli.common import JsonOpt, console, err_console, fail, handle_errors, print_json
from sekisho.cli.scan_cmd import DbOpt

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
    limit: int = typer.Option(100, "--limit", help="Show at most this many (newest first)."),
) -> None:
    """Alerts raised by `sekisho watch`, newest first, with their delivery to each sink."""
    from rich.table import Table
    from rich.text import Text

    from sekisho.watch import ack_alerts, list_alerts

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
        console.print("[green]No open alerts.[/]" if not show_all else "No alerts.", markup=True)
        return
    t = Table(title=f"{len(rows)} alert(s)" + ("" if show_all else " open"), title_justify="left")
    for col in ("id", "raised (UTC)", "severity", "rule", "client", "seen", "sent", "alert"):
        t.add_column(col, overflow="fold", justify="right" if col in ("id", "seen") else "left")
    for a in rows:
        sent = sum(1 for d in a["deliveries"] if d["delivered_at"])
        queued = len(a["deliveries"]) - sent
        state = Text(f"{sent}/{len(a['deliveries'])}") + (
            Text(" (queued)", style="red") if queued else Text()
        )
        sev = a["severity"]
        t.add_row(
            str(a["id"]) + (" ✓" if a["acked_at"] else ""),
            str(a["created_at"])[:19],
            Text(sev, style=SEVERITY_STYLE.get(sev, "")),
            a["rule"],
            a["client"] or "",
            str(a["occurrences"]),
            state,
            a["title"],
        )
    console.print(t)
    console.print("acknowledge with: sekisho alerts --ack ID", style="dim")
