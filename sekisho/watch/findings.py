"""Findings of any evidence stage (audit, exposure, register, …) as watch alerts, through the same
dedup window and sinks as every other alert. The stage is named in the rule (``audit:spray-then-success``)
and nothing here knows what a stage means (DESIGN.md, "Evidence pipelines")."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from sekisho.model.findings import Finding
from sekisho.watch.alerts import Candidate, raise_alerts
from sekisho.watch.sinks import DeliveryRound, Dispatcher, make_sink, parse_sink_spec

if TYPE_CHECKING:
    from sekisho.store import Store

# a finding raised again within this window is folded into the alert already sent
DEFAULT_WINDOW = 7 * 86400.0


def candidates(findings: list[Finding]) -> list[Candidate]:
    out = []
    for f in findings:
        dump: dict[str, Any] = f.model_dump(mode="json")
        out.append(
            Candidate(
                rule=f"{f.stage}:{f.kind}",
                kind=f.stage,
                severity=f.severity,
                subject=f.subject,
                title=f.title,
                details={
                    "detail": dump["detail"],
                    "evidence": dump["evidence"][:20],
                    "sources": dump["sources"],
                    "title_ja": f.title_ja,
                },
                event_first=f.first_seen,
                event_last=f.last_seen,
            )
        )
    return out


def send_findings(
    store: Store,
    findings: list[Finding],
    sinks: list[str],
    window: float = DEFAULT_WINDOW,
    dispatcher: Dispatcher | None = None,
) -> tuple[list[int], DeliveryRound]:
    """Raise the findings as alerts (new within ``window`` only) and deliver them to ``sinks``
    (``--sink`` words: stdout, jsonl:PATH, syslog://…, https://…, smtp://…) at once — or, given a
    running watcher's ``dispatcher``, to its sinks (left open: it is the watcher's)."""
    own = dispatcher is None
    d = dispatcher or Dispatcher([make_sink(parse_sink_spec(s)) for s in sinks])
    try:
        cands = candidates(findings)
        with store.transaction():
            ids = raise_alerts(store, cands, {c.rule: window for c in cands}, d.names)
        return ids, d.deliver(store)
    finally:
        if own:
            d.close()


__all__ = ["candidates", "send_findings"]
