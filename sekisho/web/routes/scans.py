"""Scans: the scans so far with their parse accounting, and new ones — an uploaded log or a path
on the server — run in the background with a progress page."""

from __future__ import annotations

import re
import shutil
import tempfile
from pathlib import Path

from fastapi import APIRouter, File, Form, HTTPException, Request, UploadFile
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse

from sekisho.ingest import FORMATS
from sekisho.report import queries
from sekisho.report.model import fmt_time
from sekisho.web.context import AppState, app_state, open_store, render
from sekisho.web.jobs import Job, ScanJobs

router = APIRouter()
CHUNK = 1024 * 1024
# Formats the form offers: all but csv, which needs a column mapping (`sekisho scan --map`).
UI_FORMATS = [name for name in FORMATS if name != "csv"]


def jobs_of(request: Request) -> ScanJobs:
    jobs: ScanJobs = request.app.state.jobs
    return jobs


def _format(fmt: str) -> str | None:
    if fmt and fmt not in UI_FORMATS:
        raise HTTPException(status_code=400, detail=f"unknown format {fmt[:40]!r}")
    return fmt or None


def _upload_name(name: str | None) -> str:
    """The uploaded file's own name, without any directory, in safe characters (keeps .gz etc.)."""
    base = re.split(r"[\\/]", name or "")[-1]
    base = re.sub(r"[^A-Za-z0-9._-]", "_", base).lstrip(".")
    return base[:120] or "upload.log"


@router.get("/scans", response_class=HTMLResponse)
def scans_page(request: Request) -> HTMLResponse:
    with open_store(request) as store:
        rows = queries.scans(store)
        files = queries.scan_files(store, [int(r["id"]) for r in rows[:10]])
    for r in rows:
        r["started_at"], r["finished_at"] = fmt_time(r["started_at"]), fmt_time(r["finished_at"])
        r["file_rows"] = [f for f in files if f["scan_id"] == r["id"]]
    return render(
        request, "scans.html", scans=rows, jobs=jobs_of(request).recent(), formats=UI_FORMATS, ro=False
    )


@router.post("/scans/upload")
def scan_upload(request: Request, file: UploadFile = File(...), format: str = Form("")) -> RedirectResponse:
    st = app_state(request)
    fmt = _format(format)
    root = st.config.upload_dir
    if root:
        root.mkdir(parents=True, exist_ok=True)
    folder = Path(tempfile.mkdtemp(prefix="sekisho-upload-", dir=root))
    target = folder / _upload_name(file.filename)
    written = 0
    try:
        with target.open("wb") as out:
            while chunk := file.file.read(CHUNK):
                written += len(chunk)
                if written > st.config.max_upload_bytes:
                    raise HTTPException(status_code=413, detail="too large")
                out.write(chunk)
    except BaseException:
        shutil.rmtree(folder, ignore_errors=True)
        raise
    if written == 0:
        shutil.rmtree(folder, ignore_errors=True)
        raise HTTPException(status_code=400, detail="the uploaded file is empty")
    job = jobs_of(request).start([str(target)], _upload_name(file.filename), fmt, cleanup=folder)
    return RedirectResponse(f"/scans/jobs/{job.id}", status_code=303)


def _allowed_path(st: AppState, raw: str) -> Path:
    if not raw.strip():
        raise HTTPException(status_code=400, detail="give a path to a log file or directory")
    path = Path(raw.strip()).expanduser()
    if not path.exists():
        raise HTTPException(status_code=400, detail=f"no such file or directory: {raw.strip()[:200]}")
    roots = st.config.scan_roots
    if roots and not any(path.resolve().is_relative_to(r.resolve()) for r in roots):
        raise HTTPException(
            status_code=403, detail="this path is outside the directories the dashboard may scan"
        )
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
