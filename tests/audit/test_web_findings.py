"""Audit findings on the dashboard's findings page and in the report model, JA and EN: one shape,
nothing audit-specific in the renderers."""

from __future__ import annotations

import html
from pathlib import Path

from typer.testing import CliRunner

from sekisho.cli.main import app
from sekisho.web import create_app
from tests.audit.test_cli import _auth_log
from tests.web.conftest import Client


def test_audit_findings_on_the_dashboard(tmp_path: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setenv("SEKISHO_PSEUDONYM_KEY", str(tmp_path / "pseudonym.key"))
    log, db = tmp_path / "auth.log", tmp_path / "store.duckdb"
    _auth_log(log)
    r = CliRunner().invoke(app, ["audit", str(log), "--db", str(db)])
    assert r.exit_code == 0, r.output
    client = Client(create_app(db=db))
    page = html.unescape(client.get("/findings?stage=audit").text)
    assert "Password spray from 133.11.0.9: 6 users failed within 60 min, then user3 signed in" in page
    assert "ips: 133.11.0.9" in page and f"{log}:7" in page
    ja = html.unescape(client.get("/findings?stage=audit&lang=ja").text)
    assert (
        "パスワードスプレー: 133.11.0.9 から 60 分以内に 6 ユーザーが失敗し、その後 user3 がサインインに成功"
        in ja
    )
