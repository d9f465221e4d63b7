"""Exposure findings in the HTML report (English and Japanese), from a check of the replayed
Elasticsearch saved in a store that also holds a real scan of the sample logs; pseudonymized, the
subject is hashed and the evidence left out."""

from __future__ import annotations

import html
import importlib.util
import subprocess
from pathlib import Path

from sekisho import api
from sekisho.exposure import check
from sekisho.report.html import render_html
from sekisho.report.model import build_report
from sekisho.report.pseudonym import Pseudonymizer
from sekisho.store import Store
from sekisho.store.findings import save_findings
from tests.conftest import ROOT, need, need_program
from tests.exposure.conftest import Audit
from tests.exposure.replay import Replay

HOST = "127.0.0.1"


def test_report_has_a_findings_section(audit: Audit, tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setenv("SEKISHO_PSEUDONYM_KEY", str(tmp_path / "pseudonym.key"))
    db = tmp_path / "store.duckdb"
    api.scan([str(ROOT / "samples" / "logs")], db)
    es = Replay("elasticsearch")
    audit.allow(HOST, es.port)
    try:
        result = check([f"{HOST}:{es.port}"])
    finally:
        es.close()
    assessor = api.assessor_for()
    with Store(db) as store:
        save_findings(store, result.findings)
        en = html.unescape(render_html(build_report(store, assessor, lang="en")))
        ja = html.unescape(render_html(build_report(store, assessor, lang="ja")))
        pseudo = build_report(store, assessor, pseudonymize=Pseudonymizer(b"k" * 32))
    assert "Findings of the evidence stages" in en and "1 finding(s), worst first" in en
    assert f"Elasticsearch/OpenSearch on {HOST}:{es.port} answers without authentication" in en
    assert f"GET http://{HOST}:{es.port}/_cat/indices?format=json&bytes=b" in en and "records: 1200" in en
    assert (
        "各段階の検出事項" in ja
        and f"{HOST}:{es.port} の Elasticsearch/OpenSearch が認証なしで応答します" in ja
    )
    (row,) = pseudo["findings"]
    assert row["subject"] != f"{HOST}:{es.port}" and row["evidence"] == [] and row["values"] == ""
    assert str(es.port) not in str(row) and row["title"] == "exposure: elasticsearch_open"


def test_cli_check_into_the_store_then_report_html_shows_them(audit: Audit, tmp_path: Path) -> None:
    """The commands a user runs: `exposure check TARGET... --db DB`, then `report --db DB --html`
    (and `--pdf`, read back by poppler's pdftotext): the replayed Kibana (open) and OpenSearch
    (Security plugin: protected) — only the open one is a finding in the report, with its requests."""
    need(
        importlib.util.find_spec("weasyprint") is not None, "the weasyprint package (pip install -e '.[dev]')"
    )
    pdftotext = need_program("pdftotext")
    from typer.testing import CliRunner

    from sekisho.cli.main import app

    kibana, locked = Replay("kibana"), Replay("opensearch_protected")
    for r in (kibana, locked):
        audit.allow(HOST, r.port)
    db, out, pdf = tmp_path / "site.duckdb", tmp_path / "report.html", tmp_path / "report.pdf"
    try:
        checked = CliRunner().invoke(
            app, ["exposure", "check", f"{HOST}:{kibana.port}", f"{HOST}:{locked.port}", "--db", str(db)]
        )
    finally:
        kibana.close()
        locked.close()
    assert checked.exit_code == 0, checked.output
    report = CliRunner().invoke(app, ["report", "--db", str(db), "--html", str(out), "--pdf", str(pdf)])
    assert report.exit_code == 0, report.output
    page = html.unescape(out.read_text())
    findings = page[page.index('id="findings"') :]
    assert "1 finding(s), worst first" in findings
    assert f"Kibana on {HOST}:{kibana.port} answers without authentication" in findings
    assert f"GET http://{HOST}:{kibana.port}/api/saved_objects/_find?type=dashboard" in findings
    assert "dashboards: 1" in findings and "version: 9.3.0" in findings
    assert f"{HOST}:{locked.port}" not in page  # protected is not a finding
    text = subprocess.run([pdftotext, str(pdf), "-"], check=True, capture_output=True, text=True).stdout
    assert "Kibana on" in text and f"GET http://{HOST}:{kibana.port}/api/status" in text
