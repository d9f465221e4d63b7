"""Exposure findings in the HTML report (English and Japanese), from a check of the replayed
Elasticsearch saved in a store that also holds a real scan of the sample logs; pseudonymized, the
subject is hashed and the evidence left out."""

from __future__ import annotations

import html
from pathlib import Path

from sekisho import api
from sekisho.exposure import check
from sekisho.report.html import render_html
from sekisho.report.model import build_report
from sekisho.report.pseudonym import Pseudonymizer
from sekisho.store import Store
from sekisho.store.findings import save_findings
from tests.conftest import ROOT
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
