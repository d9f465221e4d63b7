"""The findings page: every evidence stage's findings (exposure, audit, register, …) from the one
``findings`` table, worst first. It knows the finding shape, not the stages (DESIGN.md
"Evidence pipelines"); ``?stage=`` narrows it to one."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from sekisho.report.model import fmt_time
from sekisho.store.findings import load_findings
from sekisho.web.context import open_store, render

router = APIRouter()


@router.get("/findings", response_class=HTMLResponse)
def findings_page(request: Request, stage: str | None = None) -> HTMLResponse:
    with open_store(request) as store:
        every = load_findings(store)
    stages = sorted({f.stage for f in every})
    shown = [f for f in every if stage in (None, "", f.stage)]
    rows = [
        {
            "f": f,
            "last_seen": fmt_time(f.last_seen) if f.last_seen else "",
            "values": ", ".join(
                f"{k}: {v}" for k, v in (f.detail.get("values") or {}).items() if k != "user"
            )[:300],
        }
        for f in shown
    ]
    return render(request, "findings.html", rows=rows, stages=stages, stage=stage or "")
