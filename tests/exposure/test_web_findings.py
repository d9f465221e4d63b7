"""Exposure findings on the dashboard's findings page (JA/EN), from a check of the replayed
Elasticsearch (recorded real answers), saved in the store the app reads."""

from __future__ import annotations

import html
from pathlib import Path

from sekisho.exposure import check
from sekisho.store import Store
from sekisho.store.findings import save_findings
from sekisho.web import create_app
from tests.exposure.conftest import Audit
from tests.exposure.replay import Replay
from tests.web.conftest import Client

HOST = "127.0.0.1"


def test_findings_page_shows_exposure_findings(audit: Audit, tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setenv("SEKISHO_PSEUDONYM_KEY", str(tmp_path / "pseudonym.key"))
    db = tmp_path / "store.duckdb"
    es = Replay("elasticsearch")
    audit.allow(HOST, es.port)
    try:
        result = check([f"{HOST}:{es.port}"])
    finally:
        es.close()
    with Store(db) as store:
        save_findings(store, result.findings)
    client = Client(create_app(db=db))
    empty_stage = client.get("/findings?stage=audit")
    assert empty_stage.status_code == 200 and "No findings stored yet" in empty_stage.text
    page = html.unescape(client.get("/findings?stage=exposure").text)
    assert f"Elasticsearch/OpenSearch on {HOST}:{es.port} answers without authentication" in page
    assert (
        "records: 1200" in page
        and f"GET http://{HOST}:{es.port}/_cat/indices?format=json&amp;bytes=b" not in page
    )
    assert f"GET http://{HOST}:{es.port}/_cat/indices?format=json&bytes=b" in page
    ja = html.unescape(client.get("/findings?lang=ja").text)
    assert f"{HOST}:{es.port} の Elasticsearch/OpenSearch が認証なしで応答します" in ja
    assert "すべての段階の検出事項" in ja and "検出事項" in ja
    from tests.report.test_japanese import ALLOWED, _names, english_words

    raw_ja = client.get("/findings?lang=ja").text
    assert not english_words(raw_ja, ALLOWED | _names() | {"exposure", "elasticsearch_open", "http"}), (
        english_words(raw_ja, ALLOWED | _names())
    )
