"""The audit stage: who signs in to the organisation's own systems from where.

Sign-in logs (:mod:`sekisho.ingest.logins`) → ``login_events`` (:mod:`sekisho.store.logins`) →
detections (:mod:`sekisho.audit.rules`, parameters in ``sekisho/data/audit_rules.yaml``) with
offline IP knowledge (:mod:`sekisho.match.ipinfo`) → findings (stage ``audit``).
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

from sekisho.audit.engine import AuditResult, load_params, run_audit
from sekisho.audit.findings import to_finding
from sekisho.ingest.logins import LoginAccount, get_login_format, read_logins
from sekisho.ingest.sources import expand


def audit_paths(
    paths: list[str],
    db: Path | None = None,
    since: dt.datetime | None = None,
    fmt: str | None = None,
    mapping: dict[str, str] | None = None,
    overrides: dict[str, Any] | None = None,
    mmdb: list[Path] | None = None,
) -> tuple[AuditResult, list[LoginAccount]]:
    """Read every sign-in file, store its events, run the detections over all stored sign-ins
    (this run's and earlier ones') since ``since``, store the findings."""
    from sekisho.errors import ConfigError, InputError, SekishoError
    from sekisho.store import Store
    from sekisho.store.findings import save_findings
    from sekisho.store.logins import load_login_events, save_login_events

    accounts = []
    errors: list[str] = []
    params = load_params(overrides)
    with Store(db) as store:
        for p in expand(paths):
            if p == "-":
                raise InputError("sign-ins are read from files, not standard input: give a file name")
            f = get_login_format(fmt, mapping) if fmt else None
            try:
                events, acct = read_logins(Path(p), f)
            except ConfigError:
                raise  # the user's --format/--map is wrong: every file would fail alike
            except SekishoError as e:
                errors.append(str(e))  # one file the reader cannot read: said, and the others read
                continue
            save_login_events(store, str(p), events)
            accounts.append(acct)
        from sekisho.match.ipinfo import IpKnowledge, knowledge

        ip = IpKnowledge(mmdb=mmdb) if mmdb else knowledge()
        result = run_audit(lambda: load_login_events(store, since), params, ip)
        save_findings(store, [to_finding(a, result.databases) for a in result.alerts])
    result.errors = errors
    return result, accounts


__all__ = ["AuditResult", "audit_paths", "load_params", "run_audit", "to_finding"]
