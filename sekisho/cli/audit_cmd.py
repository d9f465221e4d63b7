"""`sekisho audit`: who signs in to the organisation's own systems from where."""

from __future__ import annotations

import contextlib
import datetime as dt
from pathlib import Path
from typing import Any, cast

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
from sekisho.cli.scan_cmd import DbOpt, _mapping

SEVERITY_STYLE = {
    "critical": "bold white on red",
    "high": "bold red",
    "medium": "yellow",
    "low": "cyan",
    "info": "dim",
}


def register(app: typer.Typer) -> None:
    app.command(
        "audit", short_help="Sign-in audit: impossible travel, new country or network, spray, many accounts."
    )(audit)
    app.command(
        "audit-sigma", short_help="The audit detections as Sigma rules, with the parameters in force."
    )(audit_sigma)


@handle_errors
def audit_sigma(
    settings: Path | None = SettingsOpt,
    allow_country: list[str] = typer.Option(
        [], "--allow-country", help="foreign-access: the allowed countries."
    ),
    out: Path | None = typer.Option(None, "--output", "-o", help="Write the rules here (default: stdout)."),
    lang: str = LangOpt,
) -> None:
    """The audit detections as Sigma rules (correlation rules for spray and many accounts), with the
    parameters in force; impossible travel and new country/ASN are not expressible in Sigma."""
    from sekisho.audit import load_params
    from sekisho.audit.sigma import NOT_EXPRESSIBLE, to_yaml
    from sekisho.i18n import Lang, messages
    from sekisho.i18n import text as msg

    lg = cast(
        "Lang", check_lang(lang)
    )  # the rules stay as Sigma writes them (English); what is said of them is in lg
    rules = to_yaml(load_params(_overrides(settings, False, allow_country)))
    if out is None:
        typer.echo(rules, nl=False)
    else:
        out.write_text(rules, encoding="utf-8")
        err_console.print(msg("cli.lang.wrote", lg, path=out), markup=False, highlight=False)
    for rule, why in NOT_EXPRESSIBLE.items():
        key = f"cli.sigma.why.{rule}"
        why_l = msg(key, lg) if key in messages("en") else why
        err_console.print(
            msg("cli.sigma.not_exported", lg, rule=rule, why=why_l), markup=False, highlight=False
        )


def _send(result: Any, db: Path | None, sinks: list[str]) -> dict[str, Any]:
    from sekisho.audit import to_finding
    from sekisho.store import Store
    from sekisho.watch.findings import send_findings

    with Store(db) as store:
        ids, rnd = send_findings(store, [to_finding(a, result.databases) for a in result.alerts], sinks)
    return {"new": len(ids), "delivered": rnd.delivered, "failed": rnd.failed, "errors": rnd.errors}


def _since(value: str | None) -> dt.datetime | None:
    if not value:
        return None
    v = value.strip()
    if v[-1:] in ("d", "h") and v[:-1].isdigit():
        n = int(v[:-1])
        return dt.datetime.now(dt.UTC).replace(tzinfo=None) - (
            dt.timedelta(days=n) if v[-1] == "d" else dt.timedelta(hours=n)
        )
    try:
        t = dt.datetime.fromisoformat(v)
    except ValueError:
        raise fail(f"--since expects a date, a time (ISO 8601) or 7d / 12h (got {value!r})") from None
    return t.astimezone(dt.UTC).replace(tzinfo=None) if t.tzinfo else t


def _overrides(settings: Path | None, include_api: bool, allowed: list[str]) -> dict[str, Any]:
    import yaml

    out: dict[str, Any] = {}
    if settings is not None:
        try:
            doc = yaml.safe_load(settings.read_text(encoding="utf-8")) or {}
        except (OSError, yaml.YAMLError) as e:
            raise fail(f"{settings}: cannot read the settings: {e}") from None
        got = doc.get("audit") if isinstance(doc, dict) else None
        if isinstance(got, dict):
            out.update(got)
    if include_api:
        out["include_non_interactive"] = True
    if allowed:
        codes = [c.strip().upper() for a in allowed for c in a.split(",") if c.strip()]
        out["foreign_access"] = {**(out.get("foreign_access") or {}), "allowed_countries": codes}
    return out


@handle_errors
def audit(
    paths: list[str] = typer.Argument(..., help="Sign-in log files or directories (recursive)."),
    db: Path | None = DbOpt,
    since: str | None = typer.Option(
        None, "--since", help="Only sign-ins from this time on (ISO 8601, or 7d, 12h)."
    ),
    as_json: bool = JsonOpt,
    fmt: str | None = typer.Option(
        None,
        "--format",
        "-f",
        help="Force a sign-in format (openssh, cloudtrail, entra, okta, google-login, windows-logon, gcp-audit, azure-activity, login-csv).",
    ),
    mapping: list[str] = typer.Option(
        [], "--map", help="For --format login-csv: ts=COL,user=COL,src_ip=COL,outcome=COL …"
    ),
    settings: Path | None = SettingsOpt,
    include_api: bool = typer.Option(
        False, "--include-api", help="Also read non-interactive sign-ins (token refreshes, API calls)."
    ),
    allow_country: list[str] = typer.Option(
        [], "--allow-country", help="foreign-access: the countries the policy allows (JP,…)."
    ),
    lang: str = LangOpt,
    mmdb: list[Path] = typer.Option(
        [],
        "--mmdb",
        help="An ASN database you supply (IPinfo Lite, GeoLite2-ASN, DB-IP ASN .mmdb); repeatable.",
    ),
    follow: bool = typer.Option(
        False,
        "--follow",
        help="Keep following the files: read changed ones again, send new alerts to --sink.",
    ),
    interval: float = typer.Option(5.0, "--interval", help="With --follow: seconds between polls.", min=0.1),
    sink: list[str] = typer.Option(
        [],
        "--sink",
        help="Also send new alerts to a watch sink: stdout, jsonl:PATH, syslog://…, https://…, smtp://…",
    ),
) -> None:
    """Sign-in audit: impossible travel, new country or network, password spray then success, many
    accounts from one address, access from countries outside policy. Offline; results are stored as
    findings (stage audit)."""
    from sekisho.audit import audit_paths

    if follow:
        from sekisho.watch.signins import SigninFollower

        follower = SigninFollower(
            [Path(p) for p in paths], db, sink or ["stdout"], _since(since), fmt,
            _mapping(mapping) if mapping else None, _overrides(settings, include_api, allow_country), mmdb or None,
        )  # fmt: skip
        with contextlib.suppress(KeyboardInterrupt):
            follower.run(interval)
        return

    result, accounts = audit_paths(
        paths,
        db,
        _since(since),
        fmt,
        _mapping(mapping) if mapping else None,
        _overrides(settings, include_api, allow_country),
        mmdb or None,
    )
    bad = [s for a in accounts for s in a.malformed_samples]
    sent = _send(result, db, sink) if sink else None
    if as_json:
        out = result.to_json()
        if sent is not None:
            out["sent"] = sent
        out["files"] = [
            {"file": a.source, "format": a.format, "lines": a.lines, "parsed": a.parsed, "skipped": a.skipped,
             "malformed": a.malformed, "malformed_samples": a.malformed_samples}
            for a in accounts
        ]  # fmt: skip
        print_json(out)
        if result.errors:
            raise typer.Exit(1)
        return
    from rich.table import Table

    for a in accounts:
        err_console.print(
            f"{a.source}: {a.format}, {a.parsed} sign-in(s), {a.skipped} skipped, {a.malformed} malformed",
            highlight=False,
        )
    for s in bad[:10]:
        err_console.print(f"  {s['file']}:{s['line']}: {s['reason']}", highlight=False)
    for e in result.errors:
        err_console.print(f"error: {e}", highlight=False)
    from sekisho.i18n import text

    ja = lang.lower() == "ja"
    dbs = "; ".join(f"{d['database']} ({d['as_of'] or '—'})" for d in result.databases)
    console.print(
        text(
            "audit.summary", "ja" if ja else "en", events=result.events, considered=result.considered,
            alerts=len(result.alerts), own=len(result.own_addresses), databases=dbs,
        ),
        highlight=False,
    )  # fmt: skip
    for n in result.notes:
        console.print(f"note: {n}", highlight=False)
    if sent is not None:
        err_console.print(
            f"sinks: {sent['new']} new alert(s), {sent['delivered']} delivered, {sent['failed']} failed",
            highlight=False,
        )
    if not result.alerts:
        if result.errors:
            raise typer.Exit(1)
        return
    t = Table(title=f"{len(result.alerts)} alert(s)", title_justify="left")
    for col in ("severity", "rule", "when (UTC)", "alert"):
        t.add_column(col)
    for al in result.alerts:
        t.add_row(
            f"[{SEVERITY_STYLE.get(al.severity, '')}]{al.severity}[/]",
            al.rule,
            f"{al.first:%Y-%m-%d %H:%M}",
            al.title_ja if ja else al.title,
        )
    console.print(t)
    if result.errors:
        raise typer.Exit(1)
