"""Alerts raised by `sekisho watch`: the list, and acknowledging them."""

from __future__ import annotations

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse

from sekisho.report.alert_text import alert_title, severity_label
from sekisho.report.model import fmt_time
from sekisho.store import watch as wstore
from sekisho.web.context import lang_of, open_store, render

router = APIRouter()


@router.get("/alerts", response_class=HTMLResponse)
def alerts(request: Request, all: str = "") -> HTMLResponse:
    lang = lang_of(request)
    with open_store(request) as store:
        rows = wstore.list_alerts(store, include_acked=all == "1", limit=500)
    for r in rows:
        for key in ("created_at", "last_seen", "acked_at", "event_first", "event_last"):
            r[key] = fmt_time(r.get(key))
        r["pending"] = sum(1 for d in r["deliveries"] if d["delivered_at"] is None)
        r["title_text"] = alert_title(r, lang)
        r["severity_label"] = severity_label(str(r["severity"]), lang)
    return render(request, "alerts.html", rows=rows, show_all=all == "1")


@router.post("/alerts/ack")
def ack(request: Request, alert_id: str = Form(""), note: str = Form("")) -> RedirectResponse:
    ids = None if alert_id == "all" else [int(alert_id)] if alert_id.isdigit() else []
    with open_store(request) as store, store.transaction():
        if ids != []:
            wstore.ack_alerts(store, ids, "web", note.strip()[:500] or None)
    return RedirectResponse("/alerts", status_code=303)
