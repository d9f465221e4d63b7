"""Exports: any target format with any policy the dashboard offers, as a download.

A policy is picked by name from a fixed list — the built-in presets and the ``*.yaml`` files of the
configured policy directory — never by a path, so a request cannot make the server read a file
of its choosing.
"""

from __future__ import annotations

from pathlib import Path

from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import HTMLResponse, Response

from sekisho.export import TARGETS, export_policy
from sekisho.report.response import preset_specs
from sekisho.web.context import AppState, app_state, render

router = APIRouter()

MEDIA = {".json": "application/json", ".yaml": "application/yaml"}


def policy_choices(st: AppState) -> dict[str, str | Path]:
    """Name shown → what ``export_policy`` gets: a preset spec, or a file of the policy directory."""
    choices: dict[str, str | Path] = {spec: spec for spec in preset_specs(st.assessor)}
    d = st.config.policy_dir
    if d and d.is_dir():
        for f in sorted(d.glob("*.yaml")) + sorted(d.glob("*.yml")):
            if f.is_file():
                choices.setdefault(f"file:{f.stem}", f.resolve())
    return choices


def resolve_policy(st: AppState, name: str) -> str | Path:
    """A chosen name, or several presets joined by commas; anything else is refused (400)."""
    choices = policy_choices(st)
    if name in choices:
        return choices[name]
    parts = [p.strip() for p in name.split(",") if p.strip()]
    if parts and all(p in choices and isinstance(choices[p], str) for p in parts):
        return ",".join(parts)
    raise HTTPException(
        status_code=400, detail=f"unknown policy {name[:80]!r}: pick one from the exports page"
    )


@router.get("/exports", response_class=HTMLResponse)
def exports_page(request: Request) -> HTMLResponse:
    st = app_state(request)
    return render(request, "exports.html", targets=TARGETS, policies=list(policy_choices(st)))


@router.get("/exports/download")
def download(request: Request, format: str = "", policy: str = "level0") -> Response:
    st = app_state(request)
    if format not in TARGETS:
        raise HTTPException(status_code=400, detail=f"unknown export format {format[:40]!r}")
    spec = resolve_policy(st, policy)
    result = export_policy(format, spec, st.catalog, st.settings)
    suffix = TARGETS[format].suffix
    stem = policy.replace(":", "-").replace(",", "+").replace("file-", "")
    safe = "".join(ch if ch.isalnum() or ch in "-+_" else "_" for ch in stem)[:60]
    return Response(
        result.data,
        media_type=MEDIA.get(suffix, "text/plain; charset=utf-8"),
        headers={
            "Content-Disposition": f'attachment; filename="sekisho-{format}-{safe}{suffix}"',
            "X-Sekisho-Entries": str(result.entries),
        },
    )
