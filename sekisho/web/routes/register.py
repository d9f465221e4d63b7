"""The register page: the newest register version checked with `sekisho register check --db`, its
transfer map by country, and the register's findings."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from sekisho.register.appi import transfers_by_country
from sekisho.register.check import stored_register
from sekisho.report.charts import country_bars
from sekisho.report.model import fmt_time
from sekisho.report.register_export import country_name
from sekisho.store.findings import load_findings
from sekisho.web.context import lang_of, open_store, render

router = APIRouter()


@router.get("/register", response_class=HTMLResponse)
def register_page(request: Request) -> HTMLResponse:
    lang = lang_of(request)
    with open_store(request) as store:
        stored = stored_register(store)
        findings = load_findings(store, stage="register")
    if stored is None:
        return render(request, "register.html", version=None, findings=findings, chart="", parties=[])
    row, reg = stored
    by_country = transfers_by_country(reg)
    names = {c: country_name(c, lang) for c in by_country}
    parties = [
        {"party": p, "chain": " → ".join(reg.chain(p.id)), "country": f"{names[p.country]} ({p.country})"}
        for p in reg.parties.values()
    ]
    return render(
        request,
        "register.html",
        version=row["version"],
        register_path=row["path"],
        loaded_at=fmt_time(row["loaded_at"]),
        chart=country_bars({c: len(ids) for c, ids in by_country.items()}, names),
        parties=parties,
        findings=findings,
    )
