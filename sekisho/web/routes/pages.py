"""Read-only pages: overview, services, one service's dossier, clients, one client, unknown names."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from sekisho.errors import NotFoundError
from sekisho.report import queries
from sekisho.report.dossier import build_dossier
from sekisho.report.model import build_report, fmt_time
from sekisho.report.response import action_for
from sekisho.report.views import client_view, service_list, service_use
from sekisho.web.context import app_state, lang_of, open_store, render

router = APIRouter()


@router.get("/", response_class=HTMLResponse)
def overview(request: Request) -> HTMLResponse:
    st = app_state(request)
    with open_store(request) as store:
        report = build_report(store, st.assessor, lang_of(request), scope_limit=0, unknown_limit=10)
    return render(request, "overview.html", r=report)


@router.get("/services", response_class=HTMLResponse)
def services(
    request: Request, level: str = "", category: str = "", country: str = "", found: str = ""
) -> HTMLResponse:
    st = app_state(request)
    lvl = int(level) if level.isdigit() and int(level) <= 4 else None
    with open_store(request) as store:
        data = service_list(
            store, st.assessor, lang_of(request), lvl, category or None, country or None, found == "1"
        )
    filters = {"level": level, "category": category, "country": country, "found": found}
    return render(request, "services.html", data=data, filters=filters)


@router.get("/services/{service_id}", response_class=HTMLResponse)
def service(request: Request, service_id: str) -> HTMLResponse:
    st = app_state(request)
    cat = st.assessor.catalog
    if service_id not in cat.services:
        raise NotFoundError(f"no service {service_id!r} in the catalog")
    lang = lang_of(request)
    dossier = build_dossier(cat, st.assessor, service_id, lang)
    with open_store(request) as store:
        use = service_use(store, st.assessor, service_id)
    action = action_for([m.key.removeprefix("response.") for m in st.assessor.rate(service_id).response])
    return render(request, "service.html", d=dossier, use=use, action=action)


@router.get("/clients", response_class=HTMLResponse)
def clients(request: Request, q: str = "") -> HTMLResponse:
    st = app_state(request)
    with open_store(request) as store:
        rows = queries.clients(store, q.strip(), limit=500)
    levels: dict[str, int] = {}
    for r in rows:
        r["first_seen"], r["last_seen"] = fmt_time(r["first_seen"]), fmt_time(r["last_seen"])
        rated = [sid for sid in r.pop("service_ids") or [] if sid in st.assessor.catalog.services]
        for sid in rated:
            if sid not in levels:
                levels[sid] = st.assessor.rate(sid).safety_level
        r["worst_level"] = min((levels[s] for s in rated), default=None)
    # the most exposed machines first: danger at a glance
    rows.sort(
        key=lambda r: (5 if r["worst_level"] is None else r["worst_level"], -r["services"], -r["queries"])
    )
    return render(request, "clients.html", rows=rows, q=q)


@router.get("/clients/{client}", response_class=HTMLResponse)
def client(request: Request, client: str) -> HTMLResponse:
    st = app_state(request)
    with open_store(request) as store:
        view = client_view(store, st.assessor, client, lang_of(request))
    if not view["seen"]:
        raise NotFoundError(f"no machine {client!r} in the store")
    return render(request, "client.html", c=view)


@router.get("/unknown", response_class=HTMLResponse)
def unknown(request: Request, q: str = "") -> HTMLResponse:
    from sekisho.match.addresses import operators_by_address

    with open_store(request) as store:
        rows = queries.unknown(store, q.strip(), limit=500)
        totals = store.unknown_totals()
        # flow addresses in an operator's published ranges: the operator only, with the caveat
        operators = operators_by_address(store, app_state(request).assessor.catalog, fmt_time)
    for r in rows:
        r["first_seen"], r["last_seen"] = fmt_time(r["first_seen"]), fmt_time(r["last_seen"])
    return render(request, "unknown.html", rows=rows, q=q, totals=totals, operators=operators)
