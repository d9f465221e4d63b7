"""`sekisho serve`: the web dashboard, on 127.0.0.1 unless told otherwise (then with a token)."""

from __future__ import annotations

import os
from pathlib import Path

import typer

from sekisho.cli.common import CatalogOpt, SettingsOpt, err_console, fail, handle_errors
from sekisho.cli.scan_cmd import DbOpt


def register(app: typer.Typer) -> None:
    app.command("serve")(serve)


def parse_size(text: str) -> int:
    """``512M`` → 536870912; ``100000`` → 100000 (K, M, G are powers of 1024)."""
    raw = text.strip().upper().removesuffix("B").removesuffix("I")
    mult = {"K": 1024, "M": 1024**2, "G": 1024**3}.get(raw[-1:], 1)
    digits = raw[:-1] if mult > 1 else raw
    if not digits.isdigit() or int(digits) <= 0:
        raise fail(f"--max-upload {text!r}: give a size such as 512M, 2G or 1000000")
    return int(digits) * mult


@handle_errors
def serve(
    host: str = typer.Option(
        "127.0.0.1", "--host", help="Address to listen on. Anything but loopback needs a token."
    ),
    port: int = typer.Option(8765, "--port", help="Port to listen on."),
    db: Path | None = DbOpt,
    catalog: Path | None = CatalogOpt,
    settings: Path | None = SettingsOpt,
    policy_dir: Path | None = typer.Option(
        None, "--policy-dir", help="Offer the policy YAML files of this directory on the exports page."
    ),
    scan_root: list[Path] = typer.Option(
        [],
        "--scan-root",
        help="Allow scanning server paths under this directory (repeatable; without it, only uploads).",
    ),
    max_upload: str = typer.Option(
        "512M", "--max-upload", help="Largest upload accepted: bytes, or with K, M, G (powers of 1024)."
    ),
    allow_host: list[str] = typer.Option(
        [], "--allow-host", help="Another Host name to answer to on a loopback bind (e.g. behind a proxy)."
    ),
    token_required: bool = typer.Option(
        False, "--token", help="Require a token even on loopback (one is always required elsewhere)."
    ),
    lang: str = typer.Option("en", "--lang", help="Language when the browser asks for neither ja nor en."),
    ssl_certfile: Path | None = typer.Option(
        None, "--ssl-certfile", help="Serve HTTPS with this certificate."
    ),
    ssl_keyfile: Path | None = typer.Option(None, "--ssl-keyfile", help="…and this key."),
) -> None:
    """Serve the dashboard: overview, services, dossiers, machines, exports, scans (the 'web' extra)."""
    from sekisho.extras import require

    require("web")
    import uvicorn

    from sekisho.web import WebConfig, create_app, is_loopback, new_token

    if port < 1 or port > 65535:
        raise fail("--port must be 1–65535")
    token = None
    if token_required or not is_loopback(host):
        token = os.environ.get("SEKISHO_TOKEN") or new_token()
    config = WebConfig(
        max_upload_bytes=parse_size(max_upload),
        host=host,
        port=port,
        token=token,
        policy_dir=policy_dir,
        scan_roots=tuple(scan_root),
        allowed_hosts=tuple(h.lower() for h in allow_host),
        default_lang=lang if lang in ("ja", "en") else "en",
    )
    app = create_app(db=db, catalog=catalog, settings=settings, config=config)
    scheme = "https" if ssl_certfile else "http"
    shown = f"[{host}]" if ":" in host else host
    err_console.print(f"sekisho dashboard: {scheme}://{shown}:{port}/", highlight=False)
    if token:
        if "SEKISHO_TOKEN" in os.environ:
            err_console.print("access token: the one in $SEKISHO_TOKEN", highlight=False)
        else:
            err_console.print(f"access token (shown once; keep it): {token}", highlight=False)
        if scheme == "http":
            err_console.print(
                "[yellow]note:[/] plain HTTP: the token crosses the network readable; "
                "use --ssl-certfile/--ssl-keyfile or a TLS proxy.",
                markup=True,
                highlight=False,
            )
    uvicorn.run(
        app,
        host=host,
        port=port,
        log_level="warning",
        server_header=False,
        ssl_certfile=str(ssl_certfile) if ssl_certfile else None,
        ssl_keyfile=str(ssl_keyfile) if ssl_keyfile else None,
    )
