"""Alerts as the project's one finding shape (``sekisho.model.findings.Finding``, stage ``audit``)."""

from __future__ import annotations

import datetime as dt

from sekisho.audit.model import Alert
from sekisho.model.findings import Evidence, Finding, SourceRef


def _naive(t: dt.datetime) -> dt.datetime:
    return t.astimezone(dt.UTC).replace(tzinfo=None)


def to_finding(a: Alert, databases: list[dict[str, object]]) -> Finding:
    evidence = [
        Evidence(
            file=s.event.source or None,
            line=s.event.line or None,
            at=s.event.ts,
            values={
                "user": s.event.user,
                "ip": s.event.src_ip,
                "country": s.country,
                "outcome": s.event.outcome,
                "method": s.event.method,
                "app": s.event.app,
            },
        )
        for s in a.signins[:50]
    ]
    sources = [
        SourceRef(
            text="country of an address",
            source=str(d["database"]),
            as_of=dt.date.fromisoformat(str(d["as_of"])) if d.get("as_of") else None,
            kind="database",
        )
        for d in databases
    ]
    return Finding(
        stage="audit",
        kind=a.rule,
        subject=a.subject,
        severity=a.severity,
        title=a.title,
        title_ja=a.title_ja,
        detail={
            **a.detail,
            "rule": a.rule,
            "user": a.user,
            "ips": a.ips,
            "countries": a.countries,
            # the few values the report and the dashboard print beside the title
            "values": {
                "ips": ", ".join(a.ips[:5]),
                "countries": ", ".join(a.countries),
                "sign-ins": len(a.signins),
            },
        },
        evidence=evidence,
        sources=sources,
        first_seen=_naive(a.first),
        last_seen=_naive(a.last),
    )


__all__ = ["to_finding"]
