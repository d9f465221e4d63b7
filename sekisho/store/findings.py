"""The ``findings`` table: every evidence stage's findings, one row per finding key.

A finding seen again keeps its ``first_seen`` and row, moves ``last_seen`` and counts
``times_seen``; nothing is deleted here (a stage that wants to say "resolved" records a finding
saying so).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from sekisho.model.findings import SEVERITY_ORDER, Finding

if TYPE_CHECKING:
    from sekisho.store import Store


def save_findings(store: Store, findings: list[Finding], run_id: int | None = None) -> tuple[int, int]:
    """Insert new findings and update known ones; returns (new, seen again)."""
    new = again = 0
    for f in findings:
        row = store.con.execute(
            "SELECT first_seen, times_seen FROM findings WHERE key = ?", [f.key]
        ).fetchall()
        payload = f.model_dump_json()
        if row:
            first = row[0][0]
            if f.first_seen is not None and (first is None or f.first_seen < first):
                first = f.first_seen
            store.con.execute(
                "UPDATE findings SET severity = ?, title = ?, finding = ?, first_seen = ?, "
                "last_seen = greatest(coalesce(last_seen, ?), ?), times_seen = times_seen + 1, run_id = ? "
                "WHERE key = ?",
                [f.severity, f.title, payload, first, f.last_seen, f.last_seen, run_id, f.key],
            )
            again += 1
        else:
            store.con.execute(
                "INSERT INTO findings (key, stage, kind, subject, severity, title, finding, first_seen, "
                "last_seen, run_id) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                [
                    f.key,
                    f.stage,
                    f.kind,
                    f.subject,
                    f.severity,
                    f.title,
                    payload,
                    f.first_seen,
                    f.last_seen,
                    run_id,
                ],
            )
            new += 1
    return new, again


def load_findings(store: Store, stage: str | None = None, min_severity: str = "info") -> list[Finding]:
    """Stored findings, worst first, then newest."""
    rows = store.con.execute(
        "SELECT finding, first_seen, last_seen FROM findings WHERE (? IS NULL OR stage = ?) "
        "ORDER BY last_seen DESC NULLS LAST, key",
        [stage, stage],
    ).fetchall()
    out = []
    for payload, first, last in rows:
        f = Finding.model_validate_json(payload).model_copy(update={"first_seen": first, "last_seen": last})
        if SEVERITY_ORDER[f.severity] >= SEVERITY_ORDER[min_severity]:
            out.append(f)
    return sorted(out, key=lambda f: -f.rank)


__all__ = ["load_findings", "save_findings"]
