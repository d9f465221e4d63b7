"""The report as a download: HTML, PDF, JSON or CSV, in either language, optionally pseudonymised."""

from __future__ import annotations

from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import Response

from sekisho.i18n import LANGS
from sekisho.report.html import render_html
from sekisho.report.model import build_report
from sekisho.report.pseudonym import Pseudonymizer
from sekisho.report.tabular import CSV_TABLES, render_csv, render_json
from sekisho.web.context import app_state, lang_of, open_store

router = APIRouter()
MEDIA = {
    "html": "text/html; charset=utf-8",
    "pdf": "application/pdf",
    "json": "application/json",
    "csv": "text/csv; charset=utf-8",
}


@router.get("/report")
def report(
    request: Request, format: str = "html", pseudonymize: str = "", table: str = "services"
) -> Response:
    fmt = format
    if fmt not in MEDIA:
        raise HTTPException(status_code=400, detail=f"unknown report format {fmt[:20]!r}")
    if fmt == "csv" and table not in CSV_TABLES:
        raise HTTPException(status_code=400, detail=f"unknown table {table[:40]!r}")
    st = app_state(request)
    lang = lang_of(request)
    assert lang in LANGS
    pseudo = Pseudonymizer.from_file() if pseudonymize == "1" else None
    with open_store(request) as store:
        data = build_report(store, st.assessor, lang, pseudo)
    if fmt == "pdf":
        from sekisho.report.pdf import render_pdf

        body: bytes = render_pdf(data)
    elif fmt == "json":
        body = render_json(data).encode()
    elif fmt == "csv":
        body = render_csv(data, table).encode()
    else:
        body = render_html(data).encode()
    name = f"sekisho-report-{lang}{'-pseudonymized' if pseudo else ''}{'-' + table if fmt == 'csv' else ''}.{fmt}"
    return Response(
        body, media_type=MEDIA[fmt], headers={"Content-Disposition": f'attachment; filename="{name}"'}
    )
