"""`sekisho exposure check TARGET...`: read-only checks of your own data stores."""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Any, cast

import typer

from sekisho.cli.common import JsonOpt, LangOpt, check_lang, console, err_console, fail, handle_errors
from sekisho.i18n import Lang, text

app = typer.Typer(
    help="Check your own hosts for data stores that answer without authentication (read-only).",
    no_args_is_help=True,
)

SARIF_LEVEL = {"critical": "error", "high": "error", "medium": "warning", "low": "note", "info": "note"}


def register(root: typer.Typer) -> None:
    root.add_typer(app, name="exposure")


@app.command("check")
@handle_errors
def check(
    targets: list[str] = typer.Argument(
        ...,
        help="host, host:port, an IPv6 address in brackets with :port, a CIDR (at most a /22 unless --yes), or a file (@FILE) of those.",
    ),
    ports: str | None = typer.Option(
        None,
        "--ports",
        help="Ports to check on targets without one, e.g. 9200,6379,8000-8010 (default: every probe's).",
    ),
    as_json: bool = JsonOpt,
    sarif: Path | None = typer.Option(
        None, "--sarif", help="Also write the findings as SARIF 2.1.0 to FILE."
    ),
    yes: bool = typer.Option(False, "--yes", help="Allow networks larger than a /22."),
    user: list[str] = typer.Option(
        [],
        "--user",
        help="PROBE=NAME: log in as this user, with no password (mysql needs one; postgresql defaults to "
        "postgres). Never guessed.",
    ),
    default_logins: bool = typer.Option(
        False,
        "--default-logins",
        help="Also try each product's one documented default login (RabbitMQ guest/guest), once, on a read. "
        "Off by default: it is a login.",
    ),
    probe: list[str] = typer.Option(
        [], "--probe", help="Only these probes (repeatable; see docs/exposure.md)."
    ),
    timeout: float = typer.Option(3.0, "--timeout", help="Seconds for each connection and answer."),
    rate: float = typer.Option(20.0, "--rate", help="At most this many connections or requests per second."),
    db: Path | None = typer.Option(
        None, "--db", envvar="SEKISHO_DB", help="Save the findings in this store.", show_default=False
    ),
    sink: list[str] = typer.Option(
        [],
        "--sink",
        help="Send new findings as alerts to a watch sink (stdout, jsonl:PATH, syslog://…, https://…, smtp://…); "
        "a finding already sent is not sent again within 7 days.",
    ),
    every: str | None = typer.Option(
        None, "--every", help="Repeat the check this often (90s, 30m, 1h, 1d) until interrupted."
    ),
    rounds: int = typer.Option(0, "--rounds", help="With --every: stop after this many checks (0: never)."),
    lang: str = LangOpt,
) -> None:
    """Which of the listed targets answer without authentication, and with how much data. Every
    request is a read; no password is tried. Status: open (a finding), protected, closed, timeout,
    unknown — never "safe"."""
    from sekisho.exposure import PROBES, parse_ports
    from sekisho.exposure import check as run_check

    lg = cast(Lang, check_lang(lang))
    users: dict[str, str] = {}
    for item in user:
        key, sep, name = item.partition("=")
        if not sep or key not in PROBES or not name:
            raise fail(f"--user wants PROBE=NAME with a probe of: {', '.join(PROBES)} (got {item!r})")
        users[key] = name
    unknown = [p for p in probe if p not in PROBES]
    if unknown:
        raise fail(f"unknown probe {unknown[0]!r}; probes: {', '.join(PROBES)}")
    port_list = parse_ports(ports)
    interval = _interval(every)
    done = 0
    while True:
        started = time.monotonic()
        result = run_check(
            targets,
            port_list,
            allow_large=yes,
            timeout=timeout,
            rate=rate,
            users=users,
            probes=probe or None,
            default_logins=default_logins,
        )
        _keep(result, db, sink, lg)
        if sarif is not None:
            sarif.write_text(
                json.dumps(to_sarif(result), ensure_ascii=False, indent=2) + "\n", encoding="utf-8"
            )
        if as_json:
            from sekisho.cli.common import print_json

            print_json(result.as_json())
        else:
            _print(result, lg)
        done += 1
        if interval is None or (rounds and done >= rounds):
            return
        time.sleep(max(0.0, interval - (time.monotonic() - started)))


def watch_exposure(targets: list[str], db: Path | None, sinks: list[str], every: str, once: bool) -> None:
    """`sekisho watch --exposure TARGETS --every 1h`: the check repeated, findings saved and new
    ones sent to the sinks, a line on stderr per round."""
    from sekisho.exposure import check as run_check

    interval = _interval(every) or 3600.0
    while True:
        started = time.monotonic()
        result = run_check(targets)
        _keep(result, db, sinks, "en")
        err_console.print(
            f"sekisho watch --exposure: {len(result.checked)} checked, {len(result.findings)} finding(s)",
            highlight=False,
        )
        if once:
            return
        time.sleep(max(0.0, interval - (time.monotonic() - started)))


def _interval(every: str | None) -> float | None:
    if every is None:
        return None
    from sekisho.watch.rules import seconds

    try:
        value = seconds(every)
    except ValueError as e:
        raise fail(f"--every: {e}") from None
    if value <= 0:
        raise fail("--every must be more than 0")
    return value


def _keep(result: Any, db: Path | None, sinks: list[str], lg: Lang) -> None:
    """Save the findings in the store (``--db``) and send the new ones to the sinks."""
    if db is None and not sinks:
        return
    from sekisho.store import Store
    from sekisho.store.findings import save_findings

    with Store(db) as store:
        if db is not None:
            save_findings(store, result.findings)
        if sinks:
            from sekisho.watch.findings import send_findings

            ids, rnd = send_findings(store, result.findings, sinks)
            err_console.print(
                text("exposure.sent", lg, new=len(ids), delivered=rnd.delivered, failed=rnd.failed),
                highlight=False,
            )
            for error in rnd.errors:
                err_console.print(error, highlight=False, soft_wrap=True)


def _print(result: Any, lg: Lang) -> None:
    from rich.table import Table

    table = Table(show_lines=False)
    for col in ("target", "status", "service", "severity", "detail"):
        table.add_column(text(f"exposure.col.{col}", lg))
    severity = {f.subject: text(f"severity.{f.severity}", lg) for f in result.findings}
    for c in result.checked:
        detail = _summary(c.values) if c.status == "open" else _reason(c, lg)
        table.add_row(
            c.target,
            text(f"exposure.status.{c.status}", lg),
            c.service or "-",
            severity.get(c.target, "-"),
            detail,
        )
    console.print(table)
    counts: dict[str, int] = {}
    for c in result.checked:
        counts[c.status] = counts.get(c.status, 0) + 1
    console.print(
        text(
            "exposure.summary",
            lg,
            n=len(result.checked),
            findings=len(result.findings),
            by=", ".join(f"{text(f'exposure.status.{k}', lg)} {v}" for k, v in sorted(counts.items())),
        )
    )


def _reason(c: Any, lg: Lang) -> str:
    if not c.reason:
        return ""
    return text(f"exposure.reason.{c.reason}", lg, **c.args)


def _summary(values: dict[str, Any]) -> str:
    parts = []
    if values.get("collections"):
        parts.append(f"{len(values['collections'])} × {', '.join(values['collections'][:3])}")
    for key in ("records", "bytes"):
        if values.get(key) not in (None, 0, "0"):
            parts.append(f"{key} {values[key]}")
    if values.get("version"):
        parts.append(f"v{values['version']}")
    return "; ".join(parts)


def to_sarif(result: Any) -> dict[str, Any]:
    """SARIF 2.1.0: one rule per probe kind, one result per finding, the target as a logical location."""
    from sekisho.exposure import PROBES

    kinds = {f.kind: f.detail.get("service") for f in result.findings}
    rules = []
    for kind, service in sorted(kinds.items()):
        probe = PROBES[str(service)]
        rules.append(
            {
                "id": kind,
                "name": kind,
                "shortDescription": {
                    "text": f"{probe.title} "
                    + (
                        "accepts its default login"
                        if kind.endswith("_default_login")
                        else "answers without authentication"
                    )
                },
                "helpUri": probe.references[0] if probe.references else None,
            }
        )
    results = [
        {
            "ruleId": f.kind,
            "level": SARIF_LEVEL[f.severity],
            "message": {"text": f.title},
            "locations": [{"logicalLocations": [{"fullyQualifiedName": f.subject, "kind": "resource"}]}],
            "properties": {"severity": f.severity, "values": f.detail.get("values", {})},
            "partialFingerprints": {"sekisho/v1": f.key},
        }
        for f in result.findings
    ]
    return {
        "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
        "version": "2.1.0",
        "runs": [
            {
                "tool": {"driver": {"name": "sekisho-exposure", "rules": rules}},
                "results": results,
            }
        ],
    }
