"""Scans: the scans so far with their parse accounting, and new ones — an uploaded log or a path
on the server — run in the background with a progress page."""

from __future__ import annotations

import shutil
from pathlib import Path

from fastapi import APIRouter, Form, HTTPException, Request
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse

from sekisho.ingest import FORMATS
from sekisho.report import queries
from sekisho.report.model import fmt_time
from sekisho.web.context import AppState, app_state, open_store, render
from sekisho.web.jobs import Job, ScanJobs
from sekisho.web.upload import receive_upload, upload_name

router = APIRouter()
# Formats the form offers: all but csv, which needs a column mapping (`sekisho scan --map`).
UI_FORMATS = [name for name in FORMATS if name != "csv"]


def jobs_of(request: Request) -> ScanJobs:
    jobs: ScanJobs = request.app.state.jobs
    return jobs


def _format(fmt: str) -> str | None:
    if fmt and fmt not in UI_FORMATS:
        raise HTTPException(status_code=400, detail=f"unknown format {fmt[:40]!r}")
    return fmt or None


@router.get("/scans", response_class=HTMLResponse)
def scans_page(request: Request) -> HTMLResponse:
    with open_store(request) as store:
        rows = queries.scans(store)
        files = queries.scan_files(store, [int(r["id"]) for r in rows[:10]])
    for r in rows:
        r["started_at"], r["finished_at"] = fmt_time(r["started_at"]), fmt_time(r["finished_at"])
        r["file_rows"] = [f for f in files if f["scan_id"] == r["id"]]
    return render(
        request,
        "scans.html",
        scans=rows,
        jobs=jobs_of(request).recent(),
        formats=UI_FORMATS,
        ro=False,
        path_scans=bool(app_state(request).config.scan_roots),
    )


@router.post("/scans/upload")
async def scan_upload(request: Request) -> RedirectResponse:
    """The body is read only here, after the CSRF check (token in header or query), as it streams."""
    st = app_state(request)
    up = await receive_upload(request, st.config.upload_dir, st.config.max_upload_bytes)
    try:
        fmt = _format(up.fields.get("format", ""))
    except HTTPException:
        shutil.rmtree(up.folder, ignore_errors=True)
        raise
    assert up.path is not None
    job = jobs_of(request).start([str(up.path)], upload_name(up.filename), fmt, cleanup=up.folder)
    return RedirectResponse(f"/scans/jobs/{job.id}", status_code=303)


def _allowed_path(st: AppState, raw: str) -> Path:
    """A server path under one of the ``--scan-root`` directories; without any, path scans are off.
    The root check comes first, so a request learns nothing about files outside them."""
    roots = st.config.scan_roots
    if not roots:
        raise HTTPException(
            status_code=403,
            detail="scanning server paths is off: start the dashboard with --scan-root DIR",
        )
    if not raw.strip():
        raise HTTPException(status_code=400, detail="give a path to a log file or directory")
    path = Path(raw.strip()).expanduser()
    if not any(path.resolve().is_relative_to(r.resolve()) for r in roots):
        raise HTTPException(
            status_code=403, detail="this path is outside the directories the dashboard may scan"
        )
    if not path.exists():
        raise HTTPException(status_code=400, detail=f"no such file or directory: {raw.strip()[:200]}")
    return path


@router.post("/scans/path")
def scan_path(request: Request, path: str = Form(""), format: str = Form("")) -> RedirectResponse:
    st = app_state(request)
    fmt = _format(format)
    target = _allowed_path(st, path)
    job = jobs_of(request).start([str(target)], str(target), fmt)
    return RedirectResponse(f"/scans/jobs/{job.id}", status_code=303)


def _job(request: Request, job_id: int) -> Job:
    job = jobs_of(request).get(job_id)
    if job is None:
        raise HTTPException(status_code=404)
    return job


@router.get("/scans/jobs/{job_id}.json")
def job_status(request: Request, job_id: int) -> JSONResponse:
    return JSONResponse(_job(request, job_id).as_dict())


@router.get("/scans/jobs/{job_id}", response_class=HTMLResponse)
def job_page(request: Request, job_id: int) -> HTMLResponse:
    job = _job(request, job_id)
    levels = {}
    if job.result:
        levels = {s["id"]: s["safety_level"] for s in job.result["services"]}
    return render(request, "job.html", job=job, levels=levels)
